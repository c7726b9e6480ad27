"""Theme links of a run: load → terms → saliences → term relations → pair features → decide → evidence.

:func:`prepare_themes` computes everything that does not depend on the pairs (each paragraph's terms and
their saliences, the run's term vocabularies and the relations between them); :func:`theme_features`
gives any set of pairs its features; :func:`decide_themes` applies the calibrated models;
:func:`link_themes` is the aligner's entry point. Calibration calls the first three, so a calibrated
threshold means what the aligner does.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from pipeline.align.model import keep_links
from pipeline.align.vectors import LocalVectors, SideVectors
from pipeline.progress import log
from pipeline.records import Link, Segment
from pipeline.themes.bridge import (
    TermMatches,
    TermPairs,
    TermTable,
    arabic_names_things,
    dictionary_exact,
    embed_terms,
    identical_exact,
    term_pairs,
    term_table,
)
from pipeline.themes.features import Match, allowed_matches, match_terms, pair_theme_features, salience_vector
from pipeline.themes.passages import Embedded, embed_side, passage_features, passage_sentences, sentence_texts
from pipeline.themes.salience import saliences
from pipeline.themes.settings import ThemeSettings, theme_variant
from pipeline.themes.terms import Term, paragraph_terms

# Phrase vectors of each encoder, by (language, surface), shared by every run of the process: a term is
# embedded once. Kept per encoder object (and let go with it), so two encoders' vectors never mix.
_PHRASE_MEMO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _phrase_memo(encoder) -> dict[tuple[str, str], np.ndarray]:
    return _PHRASE_MEMO.setdefault(encoder, {})


@dataclass
class Side:
    """One side's terms: per paragraph (with spans), the distinct terms, and each paragraph's saliences."""

    terms: list[list[Term]]
    table: TermTable
    salience: list[dict[str, float]]


@dataclass
class Relation:
    """How the terms of one side relate to the English terms: the pairs that can ever match, with their
    phrase-vector cosines, mutual ranks and exact matches (dictionary or identical stems), kept sparse
    (:class:`pipeline.themes.bridge.TermPairs`)."""

    pairs: TermPairs
    source_ok: np.ndarray  # per source term: it may name a theme (bridge.arabic_names_things)


@dataclass
class Vocabulary:
    """What a run's texts give whatever the settings: each paragraph's terms and the term relations."""

    ar_terms: list[list[Term]]
    en_terms: list[list[Term]]
    mt_terms: list[list[Term]] | None
    ar_en: Relation
    mt_en: Relation | None
    has_mt: np.ndarray  # per Arabic paragraph: it has a translation
    has_dictionary: bool
    en_vectors: np.ndarray  # the English terms' phrase vectors, in the order of term_table(en_terms)


@dataclass
class ThemeInputs:
    ar: Side
    en: Side
    mt: Side | None  # the translations' English terms (paragraphs without one have none)
    has_mt: np.ndarray
    ar_en: TermMatches  # the pairs of Arabic and English terms that may be matched (features.allowed_matches)
    mt_en: TermMatches | None  # the same for the translations' English terms
    has_dictionary: bool
    en_vectors: np.ndarray  # the English terms' phrase vectors, in the order of ``en.table``


def theme_vocabulary(
    ar_texts: list[str], en_texts: list[str], mt_texts: list[str | None] | None, encoder, lexicon
) -> Vocabulary:
    """The run's terms and their relations (the encoder embeds each distinct term once; ``lexicon`` may be
    None: no dictionary matches; ``mt_texts`` None or None entries: no translation)."""
    ar_terms = [paragraph_terms(text, "ar") for text in ar_texts]
    en_terms = [paragraph_terms(text, "en") for text in en_texts]
    ar_table, en_table = term_table(ar_terms), term_table(en_terms)
    memo = _phrase_memo(encoder)
    en_vectors = embed_terms(en_table, "en", encoder, memo)
    ar_vectors = embed_terms(ar_table, "ar", encoder, memo)
    ar_en = Relation(
        term_pairs(ar_vectors, en_vectors, dictionary_exact(ar_table, en_table, lexicon)),
        arabic_names_things(ar_table, lexicon),
    )
    has_mt = np.asarray([bool(t and t.strip()) for t in (mt_texts or [None] * len(ar_texts))], dtype=bool)
    mt_terms = mt_en = None
    if has_mt.any():
        assert mt_texts is not None
        mt_terms = [paragraph_terms(t or "", "en") for t in mt_texts]
        mt_table = term_table(mt_terms)
        mt_vectors = embed_terms(mt_table, "en", encoder, memo)
        mt_en = Relation(
            term_pairs(mt_vectors, en_vectors, identical_exact(mt_table, en_table)),
            np.ones(len(mt_table.keys), dtype=bool),
        )
    return Vocabulary(ar_terms, en_terms, mt_terms, ar_en, mt_en, has_mt, lexicon is not None, en_vectors)


def _side(terms: list[list[Term]], lang: str, settings: ThemeSettings) -> Side:
    return Side(terms, term_table(terms), saliences(terms, lang, settings.rarity_power, settings.specificity_power))


def _allowed(relation: Relation, settings: ThemeSettings) -> TermMatches:
    return allowed_matches(relation.pairs, relation.source_ok, settings.term_floor, settings.term_rank)


def inputs_for(vocabulary: Vocabulary, settings: ThemeSettings) -> ThemeInputs:
    """The vocabulary with the settings' saliences and the term matches they allow."""
    mt = vocabulary.mt_en
    return ThemeInputs(
        _side(vocabulary.ar_terms, "ar", settings),
        _side(vocabulary.en_terms, "en", settings),
        _side(vocabulary.mt_terms, "en", settings) if vocabulary.mt_terms is not None else None,
        vocabulary.has_mt,
        _allowed(vocabulary.ar_en, settings),
        _allowed(mt, settings) if mt is not None else None,
        vocabulary.has_dictionary,
        vocabulary.en_vectors,
    )


def prepare_themes(
    ar_texts: list[str],
    en_texts: list[str],
    mt_texts: list[str | None] | None,
    encoder,
    lexicon,
    settings: ThemeSettings,
) -> ThemeInputs:
    """Everything about a run's paragraphs the theme features need (:func:`theme_vocabulary`, then
    :func:`inputs_for` the settings)."""
    return inputs_for(theme_vocabulary(ar_texts, en_texts, mt_texts, encoder, lexicon), settings)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)), dtype=np.float32)
    return (a @ b.T).astype(np.float32)


def theme_features(
    inputs: ThemeInputs,
    i: np.ndarray,
    j: np.ndarray,
    ar: Embedded,
    en: Embedded,
    mt: Embedded | None,
    settings: ThemeSettings,
) -> dict[str, np.ndarray]:
    """Every theme feature of the pairs (``i`` Arabic, ``j`` English paragraph): the cross-lingual term
    features (:mod:`pipeline.themes.features`) and the encoder's (:mod:`pipeline.themes.passages`), and with
    MT the ``mt_`` ones of the translation against the English (zero for a paragraph without a translation)."""
    out = pair_theme_features(
        i,
        j,
        inputs.ar.table,
        inputs.en.table,
        inputs.ar_en,
        inputs.ar.salience,
        inputs.en.salience,
        settings.term_floor,
    )
    out |= passage_features(ar, en, i, j)
    if inputs.mt is not None and inputs.mt_en is not None:
        assert mt is not None
        out |= pair_theme_features(
            i,
            j,
            inputs.mt.table,
            inputs.en.table,
            inputs.mt_en,
            inputs.mt.salience,
            inputs.en.salience,
            settings.term_floor,
            prefix="mt_",
        )
        translated = inputs.has_mt[i]
        for name, values in passage_features(mt, en, i, j, prefix="mt_").items():
            out[name] = np.where(translated, values, 0.0)
    return out


def best_passages(ar: Embedded, en: Embedded, a: int, b: int) -> tuple[int, int] | None:
    """(Arabic, English) indexes of the pair's most alike passages (:func:`pipeline.themes.passages.passages`),
    or None when a paragraph has none."""
    if not len(ar.sentences[a]) or not len(en.sentences[b]):
        return None
    sims = ar.sentences[a] @ en.sentences[b].T
    x, y = np.unravel_index(int(np.argmax(sims)), sims.shape)
    return int(x), int(y)


def best_sentence_spans(ar_row: Segment, en_row: Segment, best: tuple[int, int] | None):
    """([start, end] of the Arabic sentence, [start, end] of the English one) that hold the pair's most alike
    passages (``best``, :func:`best_passages`; a long sentence is read as several, :func:`embed_rows`), or
    None."""
    if best is None or not ar_row.sentences or not en_row.sentences:
        return None
    ar_owner = passage_sentences([s["text"] for s in ar_row.sentences])
    en_owner = passage_sentences([s["text"] for s in en_row.sentences])
    if best[0] >= len(ar_owner) or best[1] >= len(en_owner):
        return None
    x, y = ar_owner[best[0]], en_owner[best[1]]
    return (
        [ar_row.sentences[x]["start"], ar_row.sentences[x]["end"]],
        [en_row.sentences[y]["start"], en_row.sentences[y]["end"]],
    )


def embed_rows(rows: list[Segment], vectors: np.ndarray, lang: str, encoder, use_mt: bool = False) -> Embedded:
    """A side's paragraph vectors with its sentences embedded (``use_mt``: the translations' sentences)."""
    if use_mt:
        sentences = [sentence_texts(r.mt_text or "") for r in rows]
    else:
        sentences = [[s["text"] for s in r.sentences] or sentence_texts(r.text) for r in rows]
    return embed_side(vectors, sentences, lang, encoder)


def pair_variants(inputs: ThemeInputs, i: np.ndarray) -> np.ndarray:
    """The model variant of each pair (by its Arabic paragraph's translation)."""
    names = np.asarray([theme_variant(inputs.has_dictionary, False), theme_variant(inputs.has_dictionary, True)])
    return names[inputs.has_mt[i].astype(int)]


def decide_themes(
    i: np.ndarray, features: dict[str, np.ndarray], variants: np.ndarray, allowed: np.ndarray, settings: ThemeSettings
) -> tuple[np.ndarray, np.ndarray]:
    """(probability, linked mask) of the pairs: each pair scored by its variant's model; linked where
    ``allowed``, at or above that model's threshold, among the model's ``max_links`` most probable of its
    Arabic paragraph. Raises PipelineError when the settings lack a variant's model."""
    from pipeline.errors import PipelineError

    probability = np.zeros(len(i), dtype=np.float64)
    linked = np.zeros(len(i), dtype=bool)
    for name in sorted(set(variants.tolist())):
        model = settings.model(name)
        if model is None:
            raise PipelineError(None, f"the theme settings have no model {name!r} (run calibrate-themes)")
        rows = variants == name
        probability[rows] = model.probability({k: v[rows] for k, v in features.items()})
        linked[rows] = keep_links(i[rows], probability[rows], allowed[rows], model.threshold, model.max_links)
    return probability, linked


def pair_matches(inputs: ThemeInputs, a: int, b: int, settings: ThemeSettings) -> tuple[list[Match], list[Match]]:
    """The term matches of one pair: cross-lingual, and through the translation (empty without one)."""
    en = inputs.en
    en_salience = salience_vector(en.table, b, en.salience[b])

    def matches(side, allowed) -> list[Match]:
        return match_terms(
            side.table.paragraphs[a],
            en.table.paragraphs[b],
            allowed,
            salience_vector(side.table, a, side.salience[a]),
            en_salience,
            side.table.words,
            en.table.words,
            settings.term_floor,
        )

    direct = matches(inputs.ar, inputs.ar_en)
    via_mt: list[Match] = []
    mt = inputs.mt
    if mt is not None and inputs.has_mt[a] and inputs.mt_en is not None:
        via_mt = matches(mt, inputs.mt_en)
    return direct, via_mt


def candidate_pairs(
    ar_vecs: np.ndarray, en_vecs: np.ndarray | SideVectors, settings: ThemeSettings
) -> tuple[np.ndarray, ...]:
    """(i, j, cosine): every pair up to ``dense_limit`` pairs; past it each Arabic paragraph's
    ``candidates`` most similar English paragraphs (exact, equal cosines: the lower row), asked of the
    English side's holders (:class:`pipeline.align.vectors.SideVectors`), so memory here stays linear."""
    n_ar, n_en = len(ar_vecs), len(en_vecs)
    if n_ar * n_en <= settings.dense_limit:
        cos = _cosines(ar_vecs, np.asarray(en_vecs))
        i, j = np.indices((n_ar, n_en))
        return i.ravel(), j.ravel(), cos.ravel()
    held = en_vecs if isinstance(en_vecs, SideVectors) else LocalVectors(en_vecs)
    sims, ids = held.top_k(ar_vecs, min(settings.candidates, n_en))
    order = np.argsort(ids, axis=1, kind="stable")  # each row's candidates in English order
    rows = np.repeat(np.arange(n_ar), ids.shape[1])
    return rows, np.take_along_axis(ids, order, axis=1).ravel(), np.take_along_axis(sims, order, axis=1).ravel()


def theme_allowed(
    ar_rows: list[Segment], en_rows: list[Segment], i: np.ndarray, j: np.ndarray, links: list[Link]
) -> np.ndarray:
    """Which pairs may be theme links: one label per pair (a pair already linked is not a candidate), and a
    theme joins different stories, so not a paragraph and a document it already links to (the same story),
    nor two documents that translate each other (an ``equivalent`` link between them)."""
    taken = {(l.ar_id, l.en_id) for l in links}
    ar_doc = {r.id: r.doc for r in ar_rows}
    same_story = {(l.ar_id, l.en_doc) for l in links}
    translations = {(ar_doc[l.ar_id], l.en_doc) for l in links if l.label == "equivalent"}
    return np.asarray(
        [
            (ar_rows[a].id, en_rows[b].id) not in taken
            and (ar_rows[a].id, en_rows[b].doc) not in same_story
            and (ar_rows[a].doc, en_rows[b].doc) not in translations
            for a, b in zip(i.tolist(), j.tolist(), strict=True)
        ],
        dtype=bool,
    )


def link_themes(
    ar_rows: list[Segment],
    en_rows: list[Segment],
    ar_vecs: np.ndarray,
    en_vecs: np.ndarray | SideVectors,
    mt_vecs: np.ndarray | None,
    encoder,
    lexicon,
    settings: ThemeSettings,
    links: list[Link],
) -> tuple[list[Link], list[dict], dict]:
    """The run's theme links among the pairs :func:`theme_allowed` leaves (``links``: the aligner's
    ``equivalent`` and ``related`` ones), its themes (``themes.jsonl`` rows) and what was decided how (for
    the manifest)."""
    from pipeline.themes.naming import name_themes

    i, j, cosine = candidate_pairs(ar_vecs, en_vecs, settings)
    if len(ar_rows) * len(en_rows) > settings.dense_limit:
        # Retrieval first (issue 25): past the dense limit the terms, their saliences and relations and the
        # sentence embeddings are those of the candidate English paragraphs only, so an archive's size changes
        # neither the work (at most ``candidates`` paragraphs an Arabic paragraph) nor what the features mean.
        keep = np.unique(j)
        en_rows, en_vecs, j = [en_rows[k] for k in keep.tolist()], en_vecs[keep], np.searchsorted(keep, j)
    else:
        en_vecs = np.asarray(en_vecs)
    allowed = theme_allowed(ar_rows, en_rows, i, j, links)
    if not allowed.any():
        # Translations (every pair's documents translate each other) or every pair already linked: nothing
        # to decide, so neither terms nor sentences are embedded.
        log("themes: no pair may be a theme link (each is linked already, or its documents translate each other)")
        return [], [], {"theme_models": [], "themes": 0, "terms": {"ar": 0, "en": 0}, "pairs_allowed": 0}
    # Only the allowed pairs are scored: a pair's features are its own, and the links-per-paragraph cap
    # counts allowed pairs only (keep_links), so the decisions are those of scoring every candidate.
    i, j, cosine = i[allowed], j[allowed], cosine[allowed]
    inputs = prepare_themes(
        [r.text for r in ar_rows],
        [r.text for r in en_rows],
        [r.mt_text for r in ar_rows] if mt_vecs is not None else None,
        encoder,
        lexicon,
        settings,
    )
    ar = embed_rows(ar_rows, ar_vecs, "ar", encoder)
    en = embed_rows(en_rows, en_vecs, "en", encoder)
    mt = embed_rows(ar_rows, mt_vecs, "en", encoder, use_mt=True) if mt_vecs is not None else None
    features = theme_features(inputs, i, j, ar, en, mt, settings)
    variants = pair_variants(inputs, i)
    probability, linked = decide_themes(i, features, variants, np.ones(len(i), dtype=bool), settings)
    chosen = np.nonzero(linked)[0]
    pairs = [(int(i[k]), int(j[k])) for k in chosen.tolist()]
    best = [best_passages(ar, en, a, b) for a, b in pairs]
    themes, assigned = name_themes(
        inputs,
        [(a, b, pair_matches(inputs, a, b, settings)) for a, b in pairs],
        ar_rows,
        en_rows,
        lexicon,
        [best_sentence_spans(ar_rows[a], en_rows[b], p) for (a, b), p in zip(pairs, best, strict=True)],
        [
            None if p is None else (ar.sentences[a][p[0]], en.sentences[b][p[1]])
            for (a, b), p in zip(pairs, best, strict=True)
        ],
    )
    links = []
    for k, theme in zip(chosen.tolist(), assigned, strict=True):
        a, b = int(i[k]), int(j[k])
        ar_row, en_row = ar_rows[a], en_rows[b]
        evidence = {
            "cosine": round(float(cosine[k]), 4),
            "features": {name: round(float(v[k]), 4) for name, v in features.items()},
            "terms": theme["terms"],
            "theme": theme["id"],
            "theme_name": theme["name"],
            "probability": round(float(probability[k]), 4),
            "model": str(variants[k]),
        }
        links.append(
            Link(
                ar_row.id,
                ar_row.text,
                ar_row.mt_text,
                en_row.doc,
                en_row.id,
                en_row.text,
                round(float(features["theme_mass"][k]), 4),
                "theme",
                evidence,
                round(float(probability[k]), 4),
            )
        )
    log(f"themes: {len(themes)} themes, {len(links)} theme links")
    info = {
        "theme_models": sorted(set(variants[chosen].tolist())) if len(chosen) else [],
        "themes": len(themes),
        "terms": {"ar": len(inputs.ar.table.keys), "en": len(inputs.en.table.keys)},
        "pairs_allowed": len(i),
    }
    return links, themes, info
