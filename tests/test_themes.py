"""The theme layer's parts, as tables of inputs and expected values, and its outputs on a run."""

import json
from dataclasses import replace

import numpy as np
import pytest

from conftest import run_cli
from pipeline.errors import PipelineError
from pipeline.fileio import read_jsonl
from pipeline.themes.bridge import (
    MAX_RANK,
    RANK_DEPTH,
    TermPairs,
    TermTable,
    identical_exact,
    term_pairs,
    term_table,
)
from pipeline.themes.features import allowed_matches, match_terms
from pipeline.themes.link import best_passages, best_sentence_spans
from pipeline.themes.naming import closest_term
from pipeline.themes.passages import Embedded, passage_sentences, passages
from pipeline.records import Segment
from pipeline.themes.pos import can_modify_a_thing, can_name_a_thing
from pipeline.themes.salience import arabic_forms, rarity, specificity
from pipeline.themes.settings import ThemeSettings, load_theme_settings, theme_variant
from pipeline.themes.terms import Term, arabic_term_key, paragraph_terms


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The manual counting of ballot boxes", {"manual count", "count", "ballot box", "ballot", "box", "manual"}),
        # A function word or a comma ends a phrase; verbs and adverbs name no theme.
        ("Results were carried on memory sticks, servers", {"result", "memori stick", "memori", "stick", "server"}),
        ("They particularly affirm it", set()),
        ("an electronic extortion group", {"electron extort", "extort", "extort group", "group"}),
        ("hacking of devices", {"hack", "devic"}),
    ],
)
def test_english_terms_are_nouns_and_noun_phrases(text, expected):
    assert {t.key for t in paragraph_terms(text, "en")} == expected


@pytest.mark.parametrize(
    "word, key",
    [
        ("الانتخابات", "انتخابات"),
        ("للانتخابات", "انتخابات"),
        ("والانتخابات", "انتخابات"),
        ("بالمفوضية", "مفوضيه"),
        ("بيانات", "بيانات"),  # a leading ب that is part of the word stays
        ("فلاش", "فلاش"),
        ("البث", "البث"),  # too short to lose the article
    ],
)
def test_arabic_term_keys_strip_only_the_article_and_its_clitics(word, key):
    assert arabic_term_key(word) == key


def test_arabic_phrases_and_spans():
    text = "ويتم نقل بيانات الاقتراع من خلال عصا الذاكرة الخارجية"
    terms = {t.key: t for t in paragraph_terms(text, "ar")}
    stick = terms["عصا ذاكره"]
    assert stick.surface == "عصا الذاكرة"
    assert [text[a:b] for a, b in stick.spans] == ["عصا الذاكرة"]
    assert "خلال" not in terms  # a function word is no term


@pytest.mark.parametrize(
    "text, absent, present",
    [
        ("وبعد انتهاء الفرز", {"بعد", "وبعد"}, {"فرز", "انتهاء فرز"}),  # وبعد is و + بعد
        ("تاسعا: الطعون", {"تاسعا"}, {"طعون"}),  # the ordinal that numbers a point
        ("وانما الشكاوى", {"وانما"}, {"شكاوي"}),
    ],
)
def test_arabic_function_words_with_a_conjunction_are_no_terms(text, absent, present):
    keys = {t.key for t in paragraph_terms(text, "ar")}
    assert not absent & keys
    assert present <= keys


@pytest.mark.parametrize(
    "word, names, modifies",
    [
        ("servers", True, True),
        ("hacking", True, True),  # a gerund names an activity
        ("provides", False, False),
        ("particularly", False, False),
        ("electronic", False, True),
        ("Khazali", True, True),  # WordNet does not know it: a name
    ],
)
def test_parts_of_speech(word, names, modifies):
    assert (can_name_a_thing(word), can_modify_a_thing(word)) == (names, modifies)


def test_rarer_words_are_more_salient():
    assert rarity("the", "en") < rarity("election", "en") < rarity("rigging", "en") <= 1.0
    assert rarity("الانتخابات", "ar") < rarity("سيرفرات", "ar")


@pytest.mark.parametrize(
    "written, word",
    [
        ("وبعد", "بعد"),  # a conjunction written onto a function word
        ("بطلب", "طلب"),  # a preposition written onto a noun
        ("اجهزه", "أجهزة"),  # web spelling: no hamza, final ة written ه
        ("والأجهزة", "أجهزة"),
        ("وانما", "إنما"),
    ],
)
def test_an_arabic_spelling_is_as_common_as_its_word(written, word):
    """A spelling is never rarer than the word it spells: rare spellings of common words are no themes."""
    assert rarity(written, "ar") == pytest.approx(rarity(word, "ar"))
    assert word in arabic_forms(written)


@pytest.mark.parametrize("word", ["بيانات", "فلاش", "سيرفرات", "برمجيات"])
def test_a_word_is_never_made_rarer_by_its_spellings(word):
    from wordfreq import zipf_frequency

    assert rarity(word, "ar") <= (7.0 - zipf_frequency(word, "ar")) / 7.0 + 1e-9


@pytest.mark.parametrize(
    "df, n, expected",
    [
        ({"a": 1, "b": 4}, 4, {"a": 1.0, "b": 0.1386}),
        ({"a": 1}, 1, {"a": 1.0}),
        ({"a": 2, "b": 1}, 2, {"a": 0.3691, "b": 1.0}),
    ],
)
def test_specificity_table(df, n, expected):
    assert {k: round(v, 4) for k, v in specificity(df, n).items()} == expected


def _relation(sim, exact=None, floor: float = 0.5) -> TermPairs:
    """The sparse relation whose cosines are ``sim`` (source rows of ``sim`` against unit English vectors)."""
    sim = np.asarray(sim, dtype=np.float32)
    pairs = np.argwhere(exact) if exact is not None else np.zeros((0, 2), dtype=np.int64)
    return term_pairs(sim, np.eye(sim.shape[1], dtype=np.float32), pairs, floor)


def _dense_ranks(pairs: TermPairs) -> np.ndarray:
    out = np.full(pairs.shape, MAX_RANK, dtype=np.uint8)
    out[pairs.rows, pairs.cols] = pairs.ranks
    return out


def test_mutual_ranks_are_the_worse_of_both_directions():
    sim = np.array([[0.9, 0.8, 0.1], [0.85, 0.2, 0.3]])
    # (0, 0): each other's best; (1, 0): row 1's best, but column 0's second; (1, 2): column 2's best, row 1's second.
    assert _dense_ranks(_relation(sim, floor=0.0)).tolist() == [[0, 1, 2], [1, 2, 1]]
    # Below the floor a pair can never match: no rank is computed for it, and it is not kept.
    below = _relation(sim, floor=0.5)
    assert _dense_ranks(below).tolist() == [[0, 1, MAX_RANK], [1, MAX_RANK, MAX_RANK]]
    assert list(zip(below.rows.tolist(), below.cols.tolist(), strict=True)) == [(0, 0), (0, 1), (1, 0)]


@pytest.mark.parametrize("shape", [(1, 1), (40, 7), (7, 40), (1500, 1100), (0, 3)])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("block", [1 << 24, 997])
def test_mutual_ranks_above_the_floor_are_those_of_a_full_sort(shape, ties, block, monkeypatch):
    """The sparse ranks equal a stable sort of every row and column, wherever the cosine reaches the floor
    (ties broken by the earlier term), capped at MAX_RANK; blocks of source terms join seamlessly, and the
    exact pairs are kept whatever their cosine, with no rank below the floor."""
    import pipeline.themes.bridge as bridge

    monkeypatch.setattr(bridge, "BLOCK_ENTRIES", block)
    rng = np.random.default_rng(sum(shape))
    sim = rng.uniform(-0.2, 1.0, size=shape).astype(np.float32)
    if ties:
        sim = np.round(sim, 1)
    exact = rng.random(shape) < 0.01
    rows = np.argsort(np.argsort(-sim, axis=1, kind="stable"), axis=1, kind="stable")
    cols = np.argsort(np.argsort(-sim, axis=0, kind="stable"), axis=0, kind="stable")
    full = np.minimum(np.maximum(rows, cols), MAX_RANK)
    pairs = _relation(sim, exact, floor=0.55)
    above = sim >= 0.55
    ranks = _dense_ranks(pairs)
    kept = np.zeros(shape, dtype=bool)
    kept[pairs.rows, pairs.cols] = True
    assert (kept == ((above & (full < RANK_DEPTH)) | exact)).all()  # the ranks a setting may ask for, and exact
    assert (ranks[above & kept] == full[above & kept]).all()
    assert (ranks[~above] == MAX_RANK).all()
    assert (pairs.exact == exact[pairs.rows, pairs.cols]).all()
    assert (pairs.similarity == sim[pairs.rows, pairs.cols]).all()
    assert (np.diff(pairs.rows * max(1, shape[1]) + pairs.cols) > 0).all()  # row-major, each pair once
    assert not pairs.searched


def test_past_the_exact_limit_the_nearest_terms_are_searched_and_agree_with_every_cosine():
    """Large vocabularies: each term's nearest terms of the other side come from inverted files; the mutual
    nearest pairs (what the shipped setting matches) are those every cosine gives, exact pairs are kept with
    their cosines, and no pair below the floor or ranked past RANK_DEPTH is kept."""
    rng = np.random.default_rng(7)
    src = rng.normal(size=(3000, 64)).astype(np.float32)
    en = (src[rng.permutation(3000)[:2500]] + rng.normal(scale=0.6, size=(2500, 64))).astype(np.float32)
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    en /= np.linalg.norm(en, axis=1, keepdims=True)
    exact = np.array([[0, 5], [17, 2000], [2999, 0]])
    every = term_pairs(src, en, exact, floor=0.5)
    searched = term_pairs(src, en, exact, floor=0.5, exact_max=0)
    assert searched.searched and not every.searched

    def mutual_nearest(pairs: TermPairs) -> set[tuple[int, int]]:
        listed = zip(pairs.rows.tolist(), pairs.cols.tolist(), pairs.ranks.tolist(), strict=True)
        return {(r, c) for r, c, rank in listed if rank == 0}

    truth, found = mutual_nearest(every), mutual_nearest(searched)
    assert len(truth) > 1000
    # Each direction finds 0.96 of the neighbours above the floor; a mutual pair needs both: about 0.96².
    assert len(truth & found) >= 0.92 * len(truth) and len(found - truth) <= 0.04 * len(found)
    places = zip(searched.rows.tolist(), searched.cols.tolist(), strict=True)
    kept = dict(zip(places, searched.similarity.tolist(), strict=True))
    for r, c in exact.tolist():
        assert kept[(r, c)] == pytest.approx(float(src[r] @ en[c]), abs=1e-5)
    ranked = searched.ranks < MAX_RANK
    assert (searched.similarity[ranked] >= 0.5).all() and (searched.ranks[ranked] < RANK_DEPTH).all()
    assert (np.diff(searched.rows * 2500 + searched.cols) > 0).all()


def test_dictionary_matches_words_and_phrases(monkeypatch):
    import pipeline.themes.bridge as bridge

    senses = {
        "عصا": [frozenset({"stick"}), frozenset({"cane"})],
        "الذاكرة": [frozenset({"memori"})],
        "صندوق الاقتراع": [frozenset({"ballot", "box"})],
    }
    monkeypatch.setattr(bridge, "sense_bags", lambda surface, glossary: senses.get(surface, []))
    ar = term_table([paragraph_terms("عصا الذاكرة، صندوق الاقتراع", "ar")])
    en = term_table([paragraph_terms("memory sticks and a cane, the ballot box", "en")])
    exact = bridge.dictionary_exact(ar, en, object())
    pairs = {(ar.surfaces[a], en.keys[b]) for a, b in exact.tolist()}
    assert pairs == {
        ("عصا", "stick"),
        ("عصا", "cane"),
        ("الذاكرة", "memori"),
        ("عصا الذاكرة", "memori stick"),  # no sense of its own: word by word
        ("صندوق الاقتراع", "ballot box"),  # a sense of its own: every English word in it
        ("صندوق الاقتراع", "ballot"),
        ("صندوق الاقتراع", "box"),
    }
    assert not len(bridge.dictionary_exact(ar, en, None))


def test_identical_stems_match_for_mt():
    mt = term_table([paragraph_terms("the ballot boxes", "en")])
    en = term_table([paragraph_terms("a ballot box", "en")])
    assert len(identical_exact(mt, en)) == 3  # ballot, box, ballot box


def _table(keys: list[str]) -> TermTable:
    return TermTable(keys, keys, [tuple(k.split()) for k in keys], [tuple(k.split()) for k in keys], [])


def test_matching_is_one_to_one_and_a_phrase_consumes_its_words():
    src = _table(["memori stick", "memori", "stick"])
    en = _table(["memori stick", "memori", "stick"])
    allowed = allowed_matches(_relation(np.eye(3) * 0.9), np.ones(3, dtype=bool), 0.5, 1)
    sal = np.ones(3)
    matches = match_terms(np.arange(3), np.arange(3), allowed, sal, sal, src.words, en.words)
    assert [(src.keys[m.src], en.keys[m.en]) for m in matches] == [("memori stick", "memori stick")]


def _allowed_table(sim, exact, floor, rank, source_ok=(True, True)) -> list[list[bool]]:
    allowed = allowed_matches(_relation(sim, exact), np.asarray(source_ok), floor, rank)
    return [[allowed.cosine(x, y) is not None for y in range(len(sim[0]))] for x in range(len(sim))]


@pytest.mark.parametrize(
    "floor, rank, source_ok, expected",
    [
        (0.6, 1, (True, True), [[True, False], [False, True]]),
        (0.6, 2, (True, True), [[True, True], [True, True]]),
        (0.8, 2, (True, True), [[False, False], [False, True]]),
        (0.6, 2, (True, False), [[True, True], [False, False]]),  # a source term that names no theme
    ],
)
def test_the_floor_and_the_rank_both_bound_encoder_matches(floor, rank, source_ok, expected):
    sim = [[0.7, 0.65], [0.66, 0.2]]
    exact = np.array([[False, False], [False, True]])  # exact: allowed whatever its cosine
    assert _allowed_table(sim, exact, floor, rank, source_ok) == expected


def test_an_exact_match_is_at_least_as_strong_as_the_floor():
    words = [("a",), ("b",)]
    allowed = allowed_matches(_relation([[0.3, 0.0], [0.0, 0.7]], np.eye(2, dtype=bool)), np.ones(2, bool), 0.6, 1)
    matches = match_terms(np.arange(2), np.arange(2), allowed, np.ones(2), np.ones(2), words, words, 0.6)
    assert [(m.src, m.en, round(m.strength, 4), m.exact) for m in matches] == [(1, 1, 0.7, True), (0, 0, 0.6, True)]
    assert allowed.cosine(0, 0) == pytest.approx(0.3) and allowed.cosine(0, 1) is None


def _unit(*values):
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


@pytest.mark.parametrize(
    "vectors, salience, passages, expected",
    [
        # like both passages beats like one
        ([(1, 1, 0), (1, 0, 0), (0, 1, 0)], (1, 1, 1), ((1, 0, 0), (0, 1, 0)), "a"),
        # a run's common subject, like everything but salient nowhere, loses to a salient term
        ([(1, 1, 0), (1, 0, 1)], (0.1, 1), ((1, 0, 0), (0, 1, 0)), "b"),
        # equal scores: the smaller key
        ([(1, 0, 0), (1, 0, 0)], (1, 1), ((1, 0, 0), (1, 0, 0)), "a"),
        ([], (), ((1, 0, 0), (0, 1, 0)), None),
    ],
)
def test_a_sentence_linked_theme_is_named_by_the_salient_term_like_both_passages(vectors, salience, passages, expected):
    terms = [Term(key, (key,), key, ((0, 1),)) for key in "abc"[: len(vectors)]]
    rows = np.asarray([_unit(*v) for v in vectors]).reshape(len(vectors), 3)
    found = closest_term(
        terms, rows, np.asarray(salience, dtype=np.float64), (_unit(*passages[0]), _unit(*passages[1]))
    )
    assert (found.key if found else None) == expected


@pytest.mark.parametrize(
    "words, owners",
    [
        ([3], [0]),
        ([36], [0]),  # up to a window and a half: the sentence itself
        ([37], [0, 0, 0]),  # longer: windows of 24 words, 12 apart
        ([48, 5], [0, 0, 0, 1]),
        ([5, 48, 2], [0, 1, 1, 1, 2]),
        ([], []),
    ],
)
def test_each_passage_knows_its_sentence(words, owners):
    sentences = [" ".join(["w"] * n) for n in words]
    assert passage_sentences(sentences) == owners
    assert len(passages(sentences)) == len(owners)


def test_the_best_sentences_are_those_holding_the_best_passages():
    long = " ".join(f"w{k}" for k in range(48))  # three passages
    text = long + ". Short one."
    sentences = [
        {"text": long + ".", "start": 0, "end": len(long) + 1},
        {"text": "Short one.", "start": len(long) + 2, "end": len(text)},
    ]
    ar_row = replace(Segment.bare("ar:1", "ar", "ar", text), sentences=sentences)
    en_row = replace(
        Segment.bare("en:1", "en", "en", "Short one."), sentences=[{"text": "Short one.", "start": 0, "end": 10}]
    )
    unit = np.eye(4, dtype=np.float32)
    ar = Embedded(unit[:1], [unit])  # passages 0-2: the long sentence's windows; 3: the short sentence
    for best, span in ((3, [len(long) + 2, len(text)]), (1, [0, len(long) + 1])):
        en = Embedded(unit[:1], [unit[best : best + 1]])
        assert best_sentence_spans(ar_row, en_row, best_passages(ar, en, 0, 0)) == (span, [0, 10])


def test_shipped_theme_models_never_extrapolate():
    settings = load_theme_settings()
    for name in settings.models:
        model = settings.model(name)
        assert model is not None and len(model.bounds) == len(model.features)
        inside = {f: np.array([hi]) for f, (_, hi) in zip(model.features, model.bounds, strict=True)}
        far = {f: np.array([hi * 1e6 + 1e6]) for f, (_, hi) in zip(model.features, model.bounds, strict=True)}
        assert model.probability(far) == pytest.approx(model.probability(inside))


@pytest.mark.parametrize(
    "dictionary, mt, name",
    [(False, False, "themes"), (True, False, "themes+dictionary"), (True, True, "themes+dictionary+mt")],
)
def test_variant_names(dictionary, mt, name):
    assert theme_variant(dictionary, mt) == name


def test_shipped_theme_settings_have_every_variant():
    settings = load_theme_settings()
    for dictionary in (False, True):
        for mt in (False, True):
            assert settings.model(theme_variant(dictionary, mt)) is not None
    assert settings.calibrated_on and "test" not in settings.calibrated_on


@pytest.mark.parametrize(
    "content, problem",
    [
        ("{", "not a valid theme settings file"),
        ('{"version": 9}', "version 9"),
        ('{"version": 1, "x": 1}', "unknown"),
        ('{"version": 1, "term_floor": 0.3}', "term_floor 0.3 is outside 0.5..1"),
        ('{"version": 1, "term_rank": 0}', "term_rank 0 is outside 1..10"),
        ('{"version": 1, "term_rank": 11}', "term_rank 11 is outside 1..10"),  # ranks are kept below 10
    ],
)
def test_bad_theme_settings_are_refused_by_name(tmp_path, content, problem):
    path = tmp_path / "themes.json"
    path.write_text(content)
    with pytest.raises(PipelineError, match=problem) as err:
        load_theme_settings(path)
    assert str(path) in str(err.value)
    assert ThemeSettings().term_rank >= 1


def test_theme_links_and_themes_of_the_corpus_run(corpus_run):
    links = read_jsonl(corpus_run / "alignments.jsonl")
    themes = read_jsonl(corpus_run / "themes.jsonl")
    theme_links = [l for l in links if l["label"] == "theme"]
    ids = {t["id"] for t in themes}
    for link in theme_links:
        assert link["evidence"]["theme"] in ids
        assert 0.0 <= link["probability"] <= 1.0
        for term in link["evidence"]["terms"]:
            assert term["kind"] == "theme" and term["source"] in ("dictionary", "encoder", "mt")
            for a, b in term.get("ar_spans", []):
                assert link["ar_text"][a:b] == term["ar"]
            for a, b in term["en_spans"]:
                assert link["en_text"][a:b].lower() == term["en"].lower()
    for theme in themes:
        assert theme["name"] and theme["members"] and theme["links"] >= 1
    # One label per pair, and never a theme link in the translation files.
    assert len({(l["ar_id"], l["en_id"]) for l in links}) == len(links)
    meta = (corpus_run / "parallel.meta.tsv").read_text().splitlines()[1:]
    assert not any("theme" in line for line in meta)
    assert "theme" not in (corpus_run / "alignments.tmx").read_text()
    manifest = json.loads((corpus_run / "manifest.json").read_text())
    assert manifest["counts"]["themes"] == len(themes)
    assert manifest["counts"].get("links_theme", 0) == len(theme_links)


def test_a_rejected_theme_link_leaves_no_stale_theme(corpus_run, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(corpus_run, out)
    links = [l for l in read_jsonl(out / "alignments.jsonl") if l["label"] == "theme"]
    if not links:
        pytest.skip("this run made no theme link")
    decisions = tmp_path / "corrections.jsonl"
    decisions.write_text(
        "".join(json.dumps({"ar_id": l["ar_id"], "en_id": l["en_id"], "decision": "reject"}) + "\n" for l in links)
    )
    result = run_cli("export", "--out", out, "--corrections", decisions)
    assert result.returncode == 0, result.stderr
    assert read_jsonl(out / "themes.jsonl") == []
    assert json.loads((out / "manifest.json").read_text())["counts"]["themes"] == 0


def test_past_the_dense_limit_themes_use_the_candidate_english_paragraphs_only(monkeypatch):
    """Retrieval first (issue 25): an archive's other paragraphs change neither the work (the vocabulary and
    sentences of the candidates only) nor the theme links (the same as a run given the candidates alone)."""
    from conftest import FIXTURES

    from pipeline.align.lexicon import load_glossary
    from pipeline.encoders import get_encoder
    from pipeline.records import Segment
    from pipeline.themes import link as theme_link

    articles = json.loads((FIXTURES / "flores_articles.json").read_text(encoding="utf-8"))

    def rows(lang, texts, doc_of):
        return [
            Segment(f"{doc_of(k)}:{k + 1}", doc_of(k), lang, k, k + 1, "paragraph", t, t, 0, len(t))
            for k, t in enumerate(texts)
        ]

    ar = rows("ar", [s for a in articles[:8] for s in a["ar"]], lambda k: "statement")
    en_texts = [(f"e{d:02d}", s) for d, a in enumerate(articles) for s in a["en"]]
    en = rows("en", [t for _, t in en_texts], lambda k: en_texts[k][0])
    encoder = get_encoder("usem3")
    ar_vecs, en_vecs = encoder.encode([r.text for r in ar], "ar"), encoder.encode([r.text for r in en], "en")
    settings = replace(load_theme_settings(), dense_limit=0, candidates=8)
    seen = []
    prepare = theme_link.prepare_themes
    monkeypatch.setattr(theme_link, "prepare_themes", lambda a, e, *rest: seen.append(e) or prepare(a, e, *rest))
    glossary = load_glossary()
    links, themes, _ = theme_link.link_themes(ar, en, ar_vecs, en_vecs, None, encoder, glossary, settings, [])
    _, j, _ = theme_link.candidate_pairs(ar_vecs, en_vecs, settings)
    keep = sorted(set(j.tolist()))
    assert seen == [[en[k].text for k in keep]] and len(keep) < len(en)
    alone = theme_link.link_themes(
        ar, [en[k] for k in keep], ar_vecs, en_vecs[keep], None, encoder, glossary, settings, []
    )
    assert links and [l.to_json() for l in links] == [l.to_json() for l in alone[0]] and themes == alone[1]


def _flores_rows(count_ar: int, count_en_docs: int):
    from conftest import FIXTURES

    from pipeline.records import Segment

    articles = json.loads((FIXTURES / "flores_articles.json").read_text(encoding="utf-8"))

    def rows(lang, texts, doc_of):
        return [
            Segment(f"{doc_of(k)}:{k + 1}", doc_of(k), lang, k, k + 1, "paragraph", t, t, 0, len(t))
            for k, t in enumerate(texts)
        ]

    ar = rows("ar", [s for a in articles[:count_ar] for s in a["ar"]], lambda k: "statement")
    en_texts = [(f"e{d:02d}", s) for d, a in enumerate(articles[:count_en_docs]) for s in a["en"]]
    return ar, rows("en", [t for _, t in en_texts], lambda k: en_texts[k][0])


def test_only_allowed_pairs_are_scored_and_the_links_are_those_of_scoring_every_pair(monkeypatch):
    """Pairs that may not be theme links (already linked, or the same story) are not scored; the links
    are those of scoring every candidate and masking afterwards."""
    from pipeline.align.lexicon import load_glossary
    from pipeline.encoders import get_encoder
    from pipeline.records import Link
    from pipeline.themes import link as theme_link

    ar, en = _flores_rows(6, 12)
    encoder = get_encoder("usem3")
    ar_vecs, en_vecs = encoder.encode([r.text for r in ar], "ar"), encoder.encode([r.text for r in en], "en")
    settings, glossary = load_theme_settings(), load_glossary()
    # Every second Arabic paragraph already tells the story of English document e01 (a related link).
    taken = [
        Link(a.id, a.text, None, "e01", next(e.id for e in en if e.doc == "e01"), "", 0.5, "related", {}, 0.9)
        for a in ar[::2]
    ]
    links, _, info = theme_link.link_themes(ar, en, ar_vecs, en_vecs, None, encoder, glossary, settings, taken)

    i, j, _ = theme_link.candidate_pairs(ar_vecs, en_vecs, settings)
    inputs = theme_link.prepare_themes([r.text for r in ar], [r.text for r in en], None, encoder, glossary, settings)
    a_emb = theme_link.embed_rows(ar, ar_vecs, "ar", encoder)
    e_emb = theme_link.embed_rows(en, en_vecs, "en", encoder)
    features = theme_link.theme_features(inputs, i, j, a_emb, e_emb, None, settings)
    allowed = theme_link.theme_allowed(ar, en, i, j, taken)
    _, linked = theme_link.decide_themes(i, features, theme_link.pair_variants(inputs, i), allowed, settings)
    expected = [(ar[a].id, en[b].id) for a, b in zip(i[linked].tolist(), j[linked].tolist(), strict=True)]
    assert info["pairs_allowed"] == int(allowed.sum()) < len(i)
    assert [(l.ar_id, l.en_id) for l in links] == expected


def test_a_translation_gets_no_theme_work(monkeypatch):
    """When the documents translate each other no pair may be a theme link: nothing is embedded or scored."""
    from pipeline.records import Link
    from pipeline.themes import link as theme_link

    ar, en = _flores_rows(3, 3)
    en = [replace(r, doc="translation") for r in en]
    called = []
    monkeypatch.setattr(theme_link, "prepare_themes", lambda *a, **k: called.append(1))
    monkeypatch.setattr(theme_link, "embed_rows", lambda *a, **k: called.append(1))
    equivalent = [Link(ar[0].id, ar[0].text, None, "translation", en[0].id, en[0].text, 0.9, "equivalent", {}, 0.99)]
    vecs = np.eye(len(ar), 8, dtype=np.float32), np.eye(len(en), 8, dtype=np.float32)
    links, themes, info = theme_link.link_themes(
        ar, en, vecs[0], vecs[1], None, None, None, load_theme_settings(), equivalent
    )
    assert (links, themes, info["pairs_allowed"], called) == ([], [], 0, [])


@pytest.mark.parametrize("chunk", [1, 7, 1 << 16])
def test_pair_cosines_in_chunks_are_those_of_all_pairs_at_once(chunk, monkeypatch):
    import pipeline.themes.passages as passages

    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(30, 16)).astype(np.float32), rng.normal(size=(20, 16)).astype(np.float32)
    i, j = rng.integers(0, 30, size=100), rng.integers(0, 20, size=100)
    monkeypatch.setattr(passages, "PAIR_CHUNK", chunk)
    whole = np.einsum("pd,pd->p", a[i], b[j]).astype(np.float64)
    assert (passages.pair_dots(a, b, i, j) == whole).all()


def test_two_encoders_phrase_vectors_never_mix():
    """The phrase vectors a process keeps are kept per encoder: a second encoder (another size of vector)
    embeds the same terms again instead of reading the first one's."""

    class Sized:
        def __init__(self, dim):
            self.dim = dim

        def encode(self, texts, lang, desc=None):
            out = np.ones((len(texts), self.dim), dtype=np.float32)
            return out / np.sqrt(self.dim)

    from pipeline.themes import link as theme_link

    # The second run has the first one's terms and new ones: vectors of two sizes if they were mixed.
    for dim, texts in ((8, (["عصا"], ["memory"])), (16, (["عصا الذاكرة"], ["memory sticks"]))):
        vocabulary = theme_link.theme_vocabulary(*texts, None, Sized(dim), None)
        assert vocabulary.ar_en.pairs.similarity.tolist() == pytest.approx([1.0] * len(vocabulary.ar_en.pairs.rows))
        assert len(vocabulary.ar_en.pairs.rows) > 0
