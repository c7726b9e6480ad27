"""The dictionary's headword stemmer, its sense ranking, Arabic WordNet's pairs (where a checkout has them),
WordNet synonyms and the lookup API the theme layer calls. Tables on a small hand-made dictionary run
everywhere; the rows on Debian's FreeDict dictionary and WordNet run where they are installed (``make setup``)
and are skipped otherwise."""

from __future__ import annotations

import gzip

import pytest

from pipeline.align import glossary
from pipeline.align.arabic_forms import candidate_forms, clitic_splits
from pipeline.align.lexicon import (
    DATA,
    DictdEntries,
    build_lexicon,
    load_glossary,
    load_lexicon,
    arabic_wordnet_pairs,
    arabic_wordnet_path,
    read_bama_stems,
    read_dictd,
    read_frequency,
    sense_frequency,
)
from pipeline.align.wordnet import load_wordnet, parse_data, parse_sense_counts

HAS_DICTIONARY = load_lexicon() is not None
HAS_WORDNET = load_wordnet() is not None


@pytest.mark.parametrize(
    "word, expected",
    [
        ("قرصنة", ("قرصنة", "قرصن")),  # the word itself first: قرص is not among its forms
        ("مفوضيتها", ("مفوضيتها", "مفوضيت", "مفوضية", "مفوضي")),  # ت before a pronoun is ة
        ("مرشحيهم", ("مرشحيهم", "مرشحين", "مرشحي", "مرشح")),  # plural ين lost its ن before the pronoun
        ("رسمياً", ("رسميا", "رسمي")),  # diacritics off, tanwin alef taken off
        ("كانوا", ("كانوا", "انوا")),  # وا is a verb's plural, not tanwin: no "كانو"
    ],
)
def test_candidate_forms_exact(word, expected):
    assert candidate_forms(word) == expected


@pytest.mark.parametrize(
    "word, before, after",
    [
        ("للانتخابات", "الانتخابات", "انتخابات"),  # لل is ل + ال: the article kept before it is taken off
        ("بطريقة", "طريقة", "بطريق"),  # same length: a clitic off before an ending off
        ("والمفوضية", "المفوضية", "مفوضية"),
    ],
)
def test_candidate_forms_order(word, before, after):
    forms = candidate_forms(word)
    assert forms.index(before) < forms.index(after)


@pytest.mark.parametrize(
    "word, absent",
    [
        ("الأحيان", "أحي"),  # the dual ان is taken off stems of four letters or more only
        ("فيها", "فين"),  # no plural ن put back on a two-letter stem
        ("تحتوي", "تحت"),  # the pronoun ي is not read after a plural و
    ],
)
def test_candidate_forms_leave_out(word, absent):
    assert absent not in candidate_forms(word)


@pytest.mark.parametrize(
    "word, function_word",
    [("منها", "من"), ("ولكن", "لكن"), ("لديهم", "لدي"), ("عليه", "علي"), ("والتي", "التي")],
)
def test_clitic_splits_find_the_function_word(word, function_word):
    assert function_word in clitic_splits(word)


def test_clitic_splits_keep_the_pronoun_ya():
    assert "قبل" not in clitic_splits("قبلي")  # "tribal", not "before me"


def _dictionary(*entries: tuple[str, tuple[str, ...]], phrases=()) -> DictdEntries:
    return DictdEntries(list(entries), list(phrases))


_HAND_MADE = _dictionary(
    ("قرص", ("Disk", "Bolus")),
    ("القرصنة", ("Piracy",)),
    ("التزوير", ("Rigging",)),
    ("الإنتخابات", ("Elections", "Polls")),
    ("المفوضية", ("Commission",)),
    ("طريقة", ("Method",)),
    ("البطريق", ("Penguin",)),
    ("قضائي", ("Judicial",)),
    ("النتائج", ("Results",)),
    ("طعن", ("Stab",)),
    phrases=[("صندوق الاقتراع", ("Ballot box",))],
)


@pytest.fixture(scope="module")
def hand_made():
    return build_lexicon("hand-made", _HAND_MADE)


@pytest.mark.parametrize(
    "word, headword, first, via_stem",
    [
        ("قرصنة", "القرصنة", "Piracy", False),  # found as written (its article-less form); not قرص "disk"
        ("والتزوير", "التزوير", "Rigging", False),  # conjunction off
        ("للانتخابات", "الإنتخابات", "Elections", False),  # لل, and the headword's hamza folded
        ("مفوضيتها", "المفوضية", "Commission", False),  # pronoun off, ت back to ة
        ("بطريقة", "طريقة", "Method", False),  # not البطريق "penguin"
        ("القضائية", "قضائي", "Judicial", False),  # article and feminine ending off
        ("نتائج", "النتائج", "Results", False),  # the dictionary lists it with the article only
        ("قرصي", "قرص", "Disk", False),  # a pronoun off: the shorter headword is the right one here
        ("طعنوا", "طعن", "Stab", True),  # no form is a headword (a verb ending): the light stem finds it
    ],
)
def test_lookup_stops_at_the_headword(hand_made, word, headword, first, via_stem):
    found = glossary.lookup(word, hand_made)
    assert (found.headword, found.english[0], found.via_stem) == (headword, first, via_stem)


@pytest.mark.parametrize("word", ["منها", "ولكن", "كركوك", ""])
def test_lookup_finds_nothing(hand_made, word):
    assert glossary.lookup(word, hand_made) is None  # function words with clitics, unknown names


def test_lookup_of_a_phrase(hand_made):
    found = glossary.lookup("وصندوق الاقتراع", hand_made)
    assert (found.headword, found.english) == ("صندوق الاقتراع", ("Ballot box",))
    assert glossary.lookup("صندوق البريد", hand_made) is None  # a phrase not listed: look up its words


def test_the_feature_matching_is_unchanged():
    # The link features keep the snowball stems they were calibrated with: قرصنة is still "disk" there.
    snowball = build_lexicon("hand-made", _HAND_MADE, stemmer="snowball")
    assert snowball.glosses[snowball.term("قرصنة")][0] == "Disk"
    assert snowball.stemmer == "snowball" and not snowball.headwords


def test_senses_are_ranked_by_sources_then_english_frequency():
    entries = _dictionary(("الإدارة", ("Admin", "Twiddling", "Management")))
    awn = _dictionary(("إدارة", ("management", "direction")))
    frequency = {"management": 50, "direction": 80, "admin": 1}
    lexicon = build_lexicon("x", entries, extra=[awn], frequency=frequency)
    # management: both sources; then direction (more frequent) before admin, twiddling (untagged) last
    assert lexicon.glosses[lexicon.term("الإدارة")] == ("Management", "direction", "Admin", "Twiddling")


@pytest.mark.parametrize(
    "sense, count",
    [("Elections", 7), ("election", 7), ("Policies", 3), ("Designate", 0), ("ballot box", 2)],
)
def test_sense_frequency_by_lemma(sense, count):
    frequency = {"election": 7, "policy": 3, "design": 40, "ballot box": 2}
    assert sense_frequency(sense, frequency) == count  # "designate" is not "design" (their Porter2 stem)


def _b64(n: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return (_b64(n // 64) if n >= 64 else "") + alphabet[n % 64]


def _dictd(entries: list[str]) -> tuple[str, bytes]:
    """A dictd index and body: each entry a headword line and its senses."""
    body, index = b"", ["00databaseutf8\tA\tB"]
    for entry in entries:
        data = entry.encode()
        index.append(f"{entry.split(' /')[0]}\t{_b64(len(body))}\t{_b64(len(data))}")
        body += data
    return "\n".join(index) + "\n", body


def test_read_dictd_keeps_every_sense():
    entries = read_dictd(*_dictd(["القرصنة /x/\n1. Piracy\n2. Piracies\n", "صندوق الاقتراع /y/\nBallot box\n"]))
    assert entries.words == [("القرصنة", ("Piracy", "Piracies"))]
    assert entries.phrases == [("صندوق الاقتراع", ("Ballot box",))]


@pytest.mark.skipif(
    arabic_wordnet_path() is None or not arabic_wordnet_path().is_file(),  # type: ignore[union-attr]
    reason="Arabic WordNet's pairs are not in the repository (PIPELINE_ARABIC_WORDNET; data/PROVENANCE.md)",
)
def test_arabic_wordnet_pairs():
    path = arabic_wordnet_path()
    assert path is not None
    pairs = dict(arabic_wordnet_pairs(str(path)).words)
    assert pairs["تزوير"][:2] == ("falsification", "misrepresentation")
    assert "complaint" == pairs["شكاوى"][0]  # a broken plural, its English in most of its synsets first
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(line.split("\t")[0] for line in lines)) > 10_000


def test_packaged_english_frequency():
    frequency = read_frequency((DATA / "english-frequency.tsv").read_text(encoding="utf-8"))
    assert frequency["result"] > frequency["upshot"] > 0


_DICT_STEMS = (
    "; Contents: Each entry consists of four tab-delimited fields:\n"
    "qrSn\tqaroSan\tPV\tpirate\n"
    "TEn\tTaEon\tNapdu\tstab;insult\n"
    "$kwY\t$akowaY\tN0\tcomplaint;grievance     <pos>$akowaY/NOUN</pos>\n"
)


def test_read_bama_stems():
    entries = read_bama_stems(_DICT_STEMS)
    assert entries.words == [
        ("قرصن", ("pirate",)),
        ("طعن", ("stab", "insult")),
        ("طعنة", ("stab", "insult")),  # its category takes the feminine ending
        ("شكوى", ("complaint", "grievance")),  # the <pos> tag dropped
    ]


def test_glossary_reads_optional_sources_from_their_paths(tmp_path, monkeypatch):
    index, body = _dictd(["القرصنة /x/\nPiracy\n"])
    (tmp_path / "d.index").write_text(index, encoding="utf-8")
    (tmp_path / "d.dict.dz").write_bytes(gzip.compress(body))
    (tmp_path / "dictStems").write_text(_DICT_STEMS, encoding="utf-8")
    (tmp_path / "awn.tsv").write_text("طعن\treduce; cut\n", encoding="utf-8")
    monkeypatch.delenv("PIPELINE_ARABIC_WORDNET", raising=False)
    alone = load_glossary(tmp_path / "d", bama=tmp_path / "absent")
    assert alone.describe()["sources"] == ["freedict"]
    assert glossary.lookup("بطعنة", alone) is None
    monkeypatch.setenv("PIPELINE_ARABIC_WORDNET", str(tmp_path / "awn.tsv"))
    without = load_glossary(tmp_path / "d", bama=tmp_path / "absent")
    with_bama = load_glossary(tmp_path / "d", bama=tmp_path / "dictStems")
    assert without.describe()["sources"] == ["freedict", "arabic-wordnet"]
    assert with_bama.describe()["sources"] == ["freedict", "arabic-wordnet", "bama"]
    assert glossary.lookup("بطعنة", without).headword == "طعن"  # Arabic WordNet's verb: "reduce", "cut"
    found = glossary.lookup("بطعنة", with_bama)  # BAMA lists the noun itself: a longer form, found first
    assert (found.headword, set(found.english)) == ("طعنة", {"stab", "insult"})


_DATA_NOUN = (
    "  1 This software and database is being provided to you, the LICENSEE, by  \n"
    "00753685 04 n 02 fraud 0 fraudulence 0 001 @ 00752764 n 0000 | intentional deception\n"
    "00780148 04 n 03 swindle 0 cheat 0 rig 0 001 @ 00753685 n 0000 | the act of swindling\n"
)


def test_wordnet_data_lines_are_read():
    counts = parse_sense_counts("fraud%1:04:00:: 1 5\nrig%1:04:00:: 2 1\n")
    fraud, swindle = parse_data(_DATA_NOUN, "n", counts)
    assert (fraud.id, fraud.lemmas, fraud.counts) == ("00753685-n", ("fraud", "fraudulence"), (5, 0))
    assert swindle.lemmas == ("swindle", "cheat", "rig") and swindle.counts == (0, 0, 1)
    assert swindle.reached(["@"]) == ["00753685-n"]


def test_missing_resources_raise(tmp_path, monkeypatch):
    monkeypatch.setenv("PIPELINE_DICTIONARY", str(tmp_path / "none"))
    monkeypatch.setenv("PIPELINE_WORDNET", str(tmp_path))
    assert load_glossary() is None and load_wordnet() is None
    with pytest.raises(glossary.ResourceMissing, match="dict-freedict-ara-eng"):
        glossary.lookup("قرصنة")
    with pytest.raises(glossary.ResourceMissing, match="wordnet-base"):
        glossary.english_synonyms("fraud")


def test_dictd_files_give_the_glossary(tmp_path):
    index, body = _dictd(["القرصنة /x/\n1. Piracy\n2. Piracies\n"])
    (tmp_path / "d.index").write_text(index, encoding="utf-8")
    (tmp_path / "d.dict.dz").write_bytes(gzip.compress(body))
    lexicon = load_glossary(tmp_path / "d")
    assert glossary.lookup("قرصنة", lexicon).english[0] == "Piracy"
    assert lexicon.describe()["stemmer"] == "headword"


@pytest.mark.skipif(not HAS_DICTIONARY, reason="dict-freedict-ara-eng is not installed")
@pytest.mark.parametrize(
    "word, gloss",
    [
        ("قرصنة", "Piracy"),  # was "Bolus, Diskette, Disk" (قرص)
        ("التزوير", "Rigging"),
        ("الشكاوى", "Complaints"),
        ("الاقتراع", "Balloting"),
        ("المحكمة", "Court"),
        ("النتائج", "Results"),  # was "Consequences, Findings, …" in FreeDict's order
        ("للانتخابات", "Elections"),
        ("القضائية", "Jurisdictional"),  # FreeDict had nothing for the feminine
        ("المزورة", "Forged"),
    ],
)
def test_election_words_in_the_installed_dictionary(word, gloss):
    found = glossary.lookup(word)
    assert found is not None and gloss in found.english[:3], found


@pytest.mark.skipif(not HAS_WORDNET, reason="wordnet-base is not installed")
@pytest.mark.parametrize(
    "word, synonym",
    [("rigging", "fraud"), ("appeals", "challenge"), ("grievance", "complaint"), ("ballot", "vote")],
)
def test_english_synonyms_meet(word, synonym):
    assert synonym in glossary.english_synonyms(word)


@pytest.mark.skipif(not HAS_WORDNET, reason="wordnet-base is not installed")
def test_english_synonyms_of_an_unknown_word():
    assert glossary.english_synonyms("qwxz") == frozenset()
    assert "ballot box" in glossary.english_synonyms("Ballot box")  # multi-word lemmas as written
