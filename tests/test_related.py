"""Related links on held-out gold: 16 FLORES-200 devtest articles of the *test* half (never used to
calibrate) shipped in tests/fixtures/flores_articles.json, made into the product's situation by the
same builder as ``make eval`` (one Arabic document, one English document per article). Also the
dictionary reader, the link model's pieces and the data contract a reader relies on."""

import gzip
import json
import os

import numpy as np
import pytest

from conftest import FIXTURES, run_cli
from pipeline import config
from pipeline.align.lexicon import english_stem, load_lexicon
from pipeline.evaluation.gold import flores_documents, gold_texts, write_gold_set

HAS_DICTIONARY = load_lexicon() is not None


def _articles():
    return json.loads((FIXTURES / "flores_articles.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fixture_runs(tmp_path_factory):
    """The fixture's articles as a purely comparable set (no translations) and a mixed one, each run
    through the CLI and scored with eval-align."""
    folder = tmp_path_factory.mktemp("related")
    runs = {}
    for name, both in (("related", 0.0), ("mixed", 0.3)):
        gold = flores_documents(f"fixture-{name}", _articles(), seed=5, both=both)
        write_gold_set(gold, folder)
        gold_path = folder / f"fixture-{name}.gold.tsv"
        texts = gold_texts(gold_path)
        out = folder / f"out-{name}"
        args = ["run", "--ar", *texts["ar"], "--en", *texts["en"], "--out", out, "--mt-model", "none"]
        result = run_cli(*args, "--formats", "jsonl")
        assert result.returncode == 0, result.stderr
        scored = run_cli("eval", "align", "--pred", out, "--gold", gold_path)
        assert scored.returncode == 0, scored.stderr
        runs[name] = (out, json.loads(scored.stdout.strip().splitlines()[-1]))
    return runs


# Held-out floors, a little under what the shipped model measures here (mixed: equivalent P 1.00 F1 1.00,
# related P 1.00 F1 0.91; purely comparable: related P 0.73 F1 0.33, any link P 0.75 F1 0.36): a regression
# of the model shows. The purely comparable fixture is small (16 articles): it measured P 1.00 F1 0.52 with
# the tune draws alone and 0.45 before them, while the whole test half stayed at F1 0.52 (docs/evaluation.md), so its
# floors guard against a collapse, not against noise.
@pytest.mark.parametrize(
    "name, label, min_precision, min_f1",
    [
        ("mixed", "equivalent", 0.95, 0.9),
        ("mixed", "related", 0.9, 0.85),
        ("related", "related", 0.7, 0.3),
        ("related", "overall", 0.7, 0.3),
    ],
)
def test_held_out_fixture_scores(fixture_runs, name, label, min_precision, min_f1):
    scores = fixture_runs[name][1]
    assert scores[label]["precision"] >= min_precision, scores[label]
    assert scores[label]["f1"] >= min_f1, scores[label]


def test_purely_comparable_set_gets_few_equivalent_and_few_same_topic_links(fixture_runs):
    """No unit has its translation here: `equivalent` links can only be close sentences of one story
    (right links, wrong label), and different stories on one topic stay unlinked."""
    scores = fixture_runs["related"][1]
    assert scores.get("equivalent", {"predicted": 0})["predicted"] <= 0.1 * scores["overall"]["predicted"]
    assert scores["same_topic"]["rate"] <= 0.02


def test_links_carry_probability_reason_sentences_and_term_spans(fixture_runs):
    out = fixture_runs["mixed"][0]
    links = [json.loads(l) for l in (out / "alignments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert links
    for link in links:
        evidence = link["evidence"]
        assert 0.0 <= link["probability"] <= 1.0 and isinstance(evidence["reason"], str) and evidence["reason"]
        s = evidence["sentences"]
        assert 0 <= s["ar"][0] < s["ar"][1] <= len(link["ar_text"]) and 0 <= s["en"][0] < s["en"][1] <= len(
            link["en_text"]
        )
        for term in evidence["terms"]:
            kinds = ("theme",) if link["label"] == "theme" else ("dictionary", "name", "number", "date")
            assert term["kind"] in kinds
            if term["kind"] == "theme":  # a key term of the theme, as written in each paragraph
                assert all(link["en_text"][a:b].lower() == term["en"].lower() for a, b in term["en_spans"])
                assert all(link["ar_text"][a:b] == term["ar"] for a, b in term.get("ar_spans", []))
            elif term["kind"] == "dictionary":  # every form of the matched English stem is highlighted
                assert all(english_stem(link["en_text"][a:b]) == english_stem(term["en"]) for a, b in term["en_spans"])
                assert all(link["ar_text"][a:b] == term["ar"] for a, b in term["ar_spans"])
            else:
                assert all(link["en_text"][a:b].lower() == term["en"].lower() for a, b in term["en_spans"])
    unaligned = [json.loads(l) for l in (out / "unaligned.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(u["best_probability"] is None or 0.0 <= u["best_probability"] <= 1.0 for u in unaligned)


@pytest.mark.skipif(
    not HAS_DICTIONARY, reason="dict-freedict-ara-eng not installed (apt-get install dict-freedict-ara-eng)"
)
def test_arabic_rows_get_dictionary_glosses_without_mt(fixture_runs):
    out = fixture_runs["mixed"][0]
    rows = [json.loads(l) for l in (out / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    glossed = [r for r in rows if r["lang"] == "ar" and r.get("glosses")]
    assert len(glossed) >= len([r for r in rows if r["lang"] == "ar"]) // 2
    for row in glossed:
        for gloss in row["glosses"]:
            assert row["text"][gloss["span"][0] : gloss["span"][1]] == gloss["ar"] and gloss["en"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["dictionary"]["status"] == "used"
    assert manifest["parameters"]["link_model"] == "encoder+dictionary"


def test_missing_dictionary_is_said_and_the_model_without_it_decides(tmp_path):
    articles = _articles()[:4]
    write_gold_set(flores_documents("small", articles, seed=1, both=0.3), tmp_path)
    texts = gold_texts(tmp_path / "small.gold.tsv")
    env = {**os.environ, "PIPELINE_DICTIONARY": str(tmp_path / "no-such-dictionary")}
    out = tmp_path / "out"
    result = run_cli(
        "run",
        "--ar",
        *texts["ar"],
        "--en",
        *texts["en"],
        "--out",
        out,
        "--mt-model",
        "none",
        "--formats",
        "jsonl",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("DICTIONARY MISSING") == 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["dictionary"]["status"] == "missing"
    assert manifest["parameters"]["link_model"] == "encoder"
    rows = [json.loads(l) for l in (out / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert not any("glosses" in r for r in rows)


def _b64(n: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    out = ""
    while True:
        out = alphabet[n % 64] + out
        n //= 64
        if not n:
            return out


def _write_dictd(prefix, entries: list[str]) -> None:
    body, index = "", ["00databaseutf8\tA\tB"]
    for entry in entries:
        index.append(f"{entry.split()[0]}\t{_b64(len(body.encode()))}\t{_b64(len(entry.encode()))}")
        body += entry
    prefix.with_suffix(".index").write_text("\n".join(index) + "\n", encoding="utf-8")
    prefix.with_suffix(".dict.dz").write_bytes(gzip.compress(body.encode()))


_ENTRIES = [
    "الانتخابات /ʔalintixaːbaːt/\n1. Elections\n2. Polls\n",
    "الذاكرة /aðˈðaːkira/\nMemory\n",
    "المفوضية /almufawwadˤijja/\n1. Commission\n2. Commissariat\n",
]


def test_dictd_files_are_read_into_stemmed_translations(tmp_path):
    from pipeline.align.lexicon import arabic_stem

    _write_dictd(tmp_path / "d", _ENTRIES[:2])
    lexicon = load_lexicon(tmp_path / "d")
    assert lexicon.translations[arabic_stem("للانتخابات")] == {"elect", "poll"}
    assert lexicon.glosses[arabic_stem("الذاكرة")] == ("Memory",)


@pytest.mark.parametrize(
    "arabic, gloss",
    [
        ("للانتخابات", "elections"),  # stemmed to the headword, its first sense only
        ("المفوضية في كركوك", "commission كركوك"),  # a function word dropped, a name the dictionary lacks kept
        ("الانتخابات عام ٢٠١٨", "elections عام 2018"),  # numbers kept in ASCII digits
        ("", ""),
    ],
)
def test_gloss_text_is_a_word_by_word_first_sense_gloss(tmp_path, arabic, gloss):
    from pipeline.align.lexicon import gloss_text

    _write_dictd(tmp_path / "d", _ENTRIES)
    assert gloss_text(arabic, load_lexicon(tmp_path / "d")) == gloss


def test_pair_cosine_matches_the_dense_matrix():
    from pipeline.align.features import pair_cosine

    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(5, 8)), rng.normal(size=(7, 8))
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    i, j = rng.integers(0, 5, size=30), rng.integers(0, 7, size=30)
    assert np.allclose(pair_cosine(a, b, i, j, block=4), (a @ b.T)[i, j], atol=1e-6)


@pytest.mark.parametrize(
    "probability, allowed, threshold, cap, expected",
    [
        ([0.9, 0.8, 0.7, 0.2], [1, 1, 1, 1], 0.5, 2, [1, 1, 0, 0]),  # the two most probable of the row
        ([0.9, 0.8, 0.7, 0.2], [0, 1, 1, 1], 0.5, 2, [0, 1, 1, 0]),  # an equivalent pair is not counted
        ([0.4, 0.3, 0.2, 0.1], [1, 1, 1, 1], 0.5, 5, [0, 0, 0, 0]),  # nothing reaches the threshold
    ],
)
def test_keep_links(probability, allowed, threshold, cap, expected):
    from pipeline.align.model import keep_links

    got = keep_links(np.zeros(4, dtype=int), np.array(probability), np.array(allowed, dtype=bool), threshold, cap)
    assert got.tolist() == [bool(x) for x in expected]


def test_logistic_fit_ranks_by_the_informative_feature():
    from pipeline.align.model import LinkModel, fit_logistic

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] + 0.3 * rng.normal(size=400) > 0).astype(float)
    mean, scale, coef, intercept = fit_logistic(x, y)
    assert coef[0] > 2 and abs(coef[1]) < 0.5
    model = LinkModel(("a", "b"), tuple(mean), tuple(scale), tuple(coef), intercept, 0.5, 1)
    p = model.probability({"a": np.array([-2.0, 2.0]), "b": np.array([0.0, 0.0])})
    assert p[0] < 0.1 < 0.9 < p[1]


def test_shipped_settings_have_every_model_variant_with_its_features():
    from pipeline.align.features import variant, variant_features
    from pipeline.align.settings import load_settings

    settings = load_settings()
    for lexical in (False, True):
        for mt in (False, True):
            model = settings.link_model(variant(lexical, mt))
            assert model.features == variant_features(variant(lexical, mt))
            assert 0.0 < model.threshold < 1.0 and model.max_links >= 1


@pytest.mark.parametrize("ar_docs", [[0, 0, 0, 0, 0], [0, 0, 1, 1, 1]])
def test_gloss_story_from_document_centroids_matches_every_pair(ar_docs):
    """The nearest-neighbour path gives ``gloss_story`` the documents' exact mean cosines (centroids);
    with every pair present it must equal the dense path's."""
    from pipeline.align.features import centroid_means, gloss_features, pair_cosine

    rng = np.random.default_rng(2)
    gloss, en = rng.normal(size=(5, 8)), rng.normal(size=(6, 8))
    gloss /= np.linalg.norm(gloss, axis=1, keepdims=True)
    en /= np.linalg.norm(en, axis=1, keepdims=True)
    i, j = (x.ravel() for x in np.indices((5, 6)))
    ar_doc, en_doc = np.array(ar_docs), np.array([0, 0, 1, 1, 1, 2])
    cos = pair_cosine(gloss, en, i, j)
    dense = gloss_features(i, j, cos, ar_doc, en_doc)
    from_centroids = gloss_features(i, j, cos, ar_doc, en_doc, centroid_means(gloss, en, en_doc))
    assert np.allclose(dense["gloss_story"], from_centroids["gloss_story"], atol=1e-5)
    assert dense["gloss_cosine"] is cos


@pytest.mark.parametrize(
    "lexical, mt, has_lexical, has_gloss, has_mt",
    [
        (False, False, False, False, False),
        (True, False, True, True, False),  # the gloss stands in for a translation
        (False, True, False, False, True),
        (True, True, True, False, True),  # with MT the gloss is not computed
    ],
)
def test_model_variants_use_the_gloss_only_without_mt(lexical, mt, has_lexical, has_gloss, has_mt):
    from pipeline.align.features import variant, variant_features

    names = variant_features(variant(lexical, mt))
    assert ("lexical" in names) == has_lexical
    assert ("gloss_cosine" in names and "gloss_story" in names) == has_gloss
    assert ("mt_cosine" in names) == has_mt


@pytest.mark.parametrize(
    "name, family",
    [
        ("flores-related-tune-draw3", "flores-related-tune"),
        ("flores-mixed-tune-draw12", "flores-mixed-tune"),
        ("flores-related-tune", "flores-related-tune"),  # the first draw is the set itself
        ("my-draws-draw", "my-draws-draw"),  # no number: not a draw
        ("udhr-drawing-test", "udhr-drawing-test"),
    ],
)
def test_draw_family(name, family):
    from pipeline.evaluation.gold import draw_family

    assert draw_family(name) == family


@pytest.mark.parametrize(
    "found, gold, names, expected",
    [
        # Two draws of one family pool: 3 right of 4 found, whatever each draw alone says (1/2 and 2/2).
        ([{1, 2}, {3, 4}], [{1}, {3, 4}], ["a-tune", "a-tune-draw2"], {"a-tune": 0.75}),
        # Different families keep their own precision: the easy set does not lift the hard one.
        ([{1, 2}, {3, 4}], [{1}, {3, 4}], ["a-tune", "b-tune"], {"a-tune": 0.5, "b-tune": 1.0}),
        ([set(), {5}], [{1}, {5}], ["a-tune", "a-tune-draw2"], {"a-tune": 1.0}),
    ],
)
def test_related_precision_target_is_checked_per_family_of_draws(found, gold, names, expected):
    from pipeline.evaluation.calibrate import family_precisions

    assert family_precisions(found, gold, names) == expected


@pytest.mark.skipif(not config.SHARED_DATA.is_dir(), reason="needs ../shared/data (absent in a user's clone)")
def test_build_gold_writes_extra_tune_draws_apart_from_the_other_sets(tmp_path):
    """The extra draws go to tune-draws/ (the eval suite runs GOLD/*.gold.tsv only), share no sentence with
    the test half, and differ from the first draw."""
    from pipeline.evaluation.gold import TUNE_DRAWS, TUNE_DRAWS_FOLDER, build_gold_sets

    sets = build_gold_sets(config.SHARED_DATA)
    by_name = {s.name: s for s in sets}
    draws = [s for s in sets if s.folder == TUNE_DRAWS_FOLDER]
    assert sorted(s.name for s in draws) == sorted(
        f"flores-{v}-tune-draw{n}" for n in range(2, TUNE_DRAWS + 1) for v in ("related", "mixed")
    )
    assert all(s.folder in ("", "tune-bundles", "test-bundles") for s in sets if s not in draws)
    test_sentences = {a for name in ("chunks", "related", "mixed") for a in by_name[f"flores-{name}-test"].ar}
    tune_bundles = [s for s in sets if s.folder == "tune-bundles"]
    assert tune_bundles and not {a for s in tune_bundles for a in s.ar} & test_sentences
    for draw in draws:
        first = by_name[draw.name.rsplit("-draw", 1)[0]]
        assert not set(draw.ar) & test_sentences  # nothing of the test half leaks into calibration
        assert draw.ar != first.ar
    written = write_gold_set(draws[0], tmp_path)
    assert written["name"] == f"{TUNE_DRAWS_FOLDER}/{draws[0].name}"
    assert (tmp_path / TUNE_DRAWS_FOLDER / f"{draws[0].name}.gold.tsv").is_file()
    assert not list(tmp_path.glob("*.gold.tsv"))


def _topic_articles(n_per_topic: dict[str, int], sentences: int = 4) -> list[dict]:
    articles = []
    for topic, n in n_per_topic.items():
        for k in range(n):
            name = f"{topic}{k}"
            articles.append(
                {
                    "url": name,
                    "topic": topic,
                    "ar": [f"ar {name} {s}" for s in range(sentences)],
                    "en": [f"en {name} {s}" for s in range(sentences)],
                    "mt": [f"mt {name} {s}" for s in range(sentences)],
                }
            )
    return articles


def test_bundles_have_the_corpus_shape_and_label_only_their_own_story_related():
    from pipeline.evaluation.gold import BUNDLE_OTHERS, flores_bundles

    articles = _topic_articles({"sports": 5, "travel": 2})  # travel has too few topic-mates for a bundle
    bundles = flores_bundles("tune", articles, seed=3)
    assert [b.name for b in bundles] == [f"flores-bundles-tune-draw{k}" for k in range(1, 6)]
    assert {b.folder for b in bundles} == {"tune-bundles"}
    with_story = 0
    for bundle in bundles:
        (source,) = {a.split()[1] for a in bundle.ar}  # one article's sentences: one statement
        assert source.startswith("sports") and len(bundle.ar) == 2
        assert bundle.mt == [a.replace("ar ", "mt ", 1) for a in bundle.ar]
        docs = {
            d: {bundle.en[j].split()[1] for j, dj in enumerate(bundle.en_docs) if dj == d} for d in set(bundle.en_docs)
        }
        assert all(len(names) == 1 for names in docs.values())
        own = any(names == {source} for names in docs.values())
        with_story += own
        assert len(docs) == BUNDLE_OTHERS + own
        assert all(bundle.en[j].split()[1].startswith("sports") for j in range(len(bundle.en)))
        for _, j, label in bundle.links:
            assert label == ("related" if bundle.en[j].split()[1] == source else "same-topic")
        assert len(bundle.links) == len(bundle.ar) * len(bundle.en)
    assert 0 < with_story < len(bundles)  # some bundles hold the story's own report, some do not


@pytest.mark.parametrize(
    "scores, expected",
    [
        (
            [{"correct": 1, "predicted": 2, "gold": 4}, {"correct": 3, "predicted": 3, "gold": 4}],
            {"precision": 0.8, "recall": 0.5, "f1": 0.6154, "predicted": 5, "gold": 8, "correct": 4},
        ),
        (
            [None, {"correct": 0, "predicted": 0, "gold": 0}],
            {"precision": 1.0, "recall": 1.0, "f1": 1.0, "predicted": 0, "gold": 0, "correct": 0},
        ),
        (
            [{"correct": 0, "predicted": 0, "gold": 3}],
            {"precision": 0.0, "recall": 0.0, "f1": 0.0, "predicted": 0, "gold": 3, "correct": 0},
        ),
        ([None, None], None),
    ],
)
def test_bundle_runs_are_scored_together(scores, expected):
    from pipeline.evaluation.suite import pool_prf

    assert pool_prf(scores) == expected


def test_calibrate_takes_a_folder_of_gold_sets_in_name_order(tmp_path):
    from pipeline.errors import PipelineError
    from pipeline.evaluation.calibrate import expand_gold_paths

    folder = tmp_path / "tune-bundles"
    folder.mkdir()
    for name in ("b-draw2", "b-draw10", "b-draw1"):
        (folder / f"{name}.gold.tsv").write_text("ar_id\ten_id\tlabel\tsection\n")
    (folder / "b-draw1.ar.txt").write_text("x\n")
    single = tmp_path / "one.gold.tsv"
    single.write_text("ar_id\ten_id\tlabel\tsection\n")
    assert [p.name for p in expand_gold_paths([single, folder])] == [
        "one.gold.tsv",
        "b-draw1.gold.tsv",
        "b-draw10.gold.tsv",
        "b-draw2.gold.tsv",
    ]
    with pytest.raises(PipelineError, match="gold set not found"):
        expand_gold_paths([tmp_path / "missing.gold.tsv"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(PipelineError, match="no gold sets"):
        expand_gold_paths([tmp_path / "empty"])
