"""What the theme layer asks of the lexicon: an Arabic word's (or phrase's) dictionary entry and its English
renderings, and an English word's WordNet synonyms. Small, pure lookups over loaded resources.

    from pipeline.align.glossary import english_synonyms, lookup
    lookup("والتزوير")
    # Gloss(headword='التزوير', english=('misrepresentation', 'Rigging', 'falsification'), key='تزوير',
    #       via_stem=False)
    "fraud" in english_synonyms("rigging")  # True: rig {swindle, cheat, rig} is a kind of fraud

Resources: the FreeDict dictionary with the packaged Arabic WordNet pairs (``lexicon.load_glossary``) and
Princeton WordNet (``wordnet.load_wordnet``), both Debian packages read at run time. When one is not
installed, the functions that load it themselves raise :class:`ResourceMissing`; to decide once what to do
without it, check ``load_glossary()`` / ``load_wordnet()`` for None first and pass what they return.
"""

from __future__ import annotations

from typing import NamedTuple

from pipeline.align.arabic_forms import candidate_forms
from pipeline.align.lexicon import Lexicon, dictionary_path, lexeme_key, load_glossary
from pipeline.align.wordnet import WordNet, load_wordnet, wordnet_path
from pipeline.errors import PipelineError


class ResourceMissing(PipelineError):
    """The dictionary or WordNet is not installed where it is looked for."""


class Gloss(NamedTuple):
    """The dictionary's entry for an Arabic word or phrase."""

    headword: str  # the entry as the dictionary writes it (القرصنة); a bare snowball stem when no headword has it
    english: tuple[str, ...]  # English renderings, best first (at most lexicon.MAX_GLOSSES), as the sources
    # write them (FreeDict capitalises every sense: "Rigging"; WordNet's are lower case but for names)
    key: str  # the entry's matching key: words with the same key are one entry (التزوير, وتزوير → تزوير)
    via_stem: bool  # no form of the word is a headword: found through its light stem (less sure)


def default_lexicon() -> Lexicon:
    """The installed dictionary; :class:`ResourceMissing` when it is not (apt-get install dict-freedict-ara-eng)."""
    lexicon = load_glossary()
    if lexicon is None:
        raise ResourceMissing(f"{dictionary_path()}.index", "no Arabic→English dictionary (dict-freedict-ara-eng)")
    return lexicon


def default_wordnet() -> WordNet:
    """The installed WordNet; :class:`ResourceMissing` when it is not (apt-get install wordnet-base)."""
    wordnet = load_wordnet()
    if wordnet is None:
        raise ResourceMissing(wordnet_path(), "no WordNet database (wordnet-base)")
    return wordnet


def lookup(text: str, lexicon: Lexicon | None = None) -> Gloss | None:
    """The entry for ``text``, one Arabic word or a phrase of several. A word stops at the first of its
    forms (clitics, then endings taken off, longest first) that is a headword, else its light stem's
    entries; a phrase is a multi-word headword, its first word's clitics taken off (وصندوق الاقتراع →
    صندوق الاقتراع). None when nothing is found, for a function word (منها), and for a phrase the
    dictionary does not list (look its words up one by one). ``lexicon``: default the installed one,
    :class:`ResourceMissing` when there is none."""
    lexicon = lexicon if lexicon is not None else default_lexicon()
    words = text.split()
    if len(words) > 1:
        return _phrase(words, lexicon)
    if not words:
        return None
    key, via_stem = lexicon.match(words[0])
    english = lexicon.glosses.get(key) if key is not None else None
    if key is None or not english:
        return None
    return Gloss(lexicon.written.get(key, key), english, key, via_stem)


def _phrase(words: list[str], lexicon: Lexicon) -> Gloss | None:
    rest = " ".join(words[1:])
    for form in candidate_forms(words[0]):
        key = lexeme_key(f"{form} {rest}")
        if key in lexicon.phrases:
            return Gloss(lexicon.written_phrases.get(key, key), lexicon.phrases[key], key, False)
    return None


def english_synonyms(word: str, wordnet: WordNet | None = None) -> frozenset[str]:
    """English words (WordNet lemmas as WordNet writes them: "fraud", "Kirkuk", "set up") that share a synset with
    ``word`` or any of its inflections, or name a synset directly above one of its synsets: rigging gives
    "fraud" (rig: {swindle, cheat, rig}, a kind of fraud), appeal gives "challenge". ``word``'s own lemmas
    are included; empty when WordNet does not know the word. ``wordnet``: default the installed one,
    :class:`ResourceMissing` when there is none."""
    return (wordnet if wordnet is not None else default_wordnet()).synonyms(word)


__all__ = ["Gloss", "ResourceMissing", "english_synonyms", "lookup"]
