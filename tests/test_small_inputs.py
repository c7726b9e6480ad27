"""Small and junk inputs (issue 23): no link may rest on extrapolation.

A run of one to three Arabic lines against real English articles used to divide by neighbour cosines near
zero (margin 12,656) and make `equivalent` links that went into parallel.* and the TMX. The property
test runs a few hundred generated short inputs (headlines and page furniture, random words, FLORES
sentences of other articles) through the pipeline's own stages against real articles (the corpus's
English reports, the held-out FLORES fixture) and asserts that none gets an `equivalent` link, while
FLORES sentences and UDHR paragraphs given with their translation still do. Cases are drawn from a
seeded generator, so every run checks the same cases; embeddings are memoised across cases (each run
still decides on its own paragraphs alone).
"""

import json
import random

import numpy as np
import pytest

from conftest import FIXTURES, ROOT, run_cli
from pipeline.align.align import align_segments
from pipeline.align.model import LinkModel, RunShape
from pipeline.align.scoring import ratio_margin
from pipeline.align.settings import load_settings
from pipeline.encoders import get_encoder
from pipeline.errors import PipelineError
from pipeline.ingest.documents import read_document
from pipeline.run import check_languages, ingest_stage

# Lines a user meets on their own: page furniture, headlines on other subjects (written for this test).
SHORT_LINES = [
    "الرئيسية / اخبار ساخنة",
    "اترك تعليق",
    "اترك تعليقاً",
    "الأكثر قراءة",
    "جميع الحقوق محفوظة © 2021",
    "طقس العراق: أجواء حارة ومغبرة في بغداد غدا",
    "شارك هذا المقال",
    "تابعونا على تويتر",
    "اقرأ أيضاً",
    "منتخب العراق يفوز على الأردن بهدفين نظيفين",
    "ارتفاع أسعار الذهب في الأسواق المحلية",
    "أخبار ذات صلة",
    "الصفحة الرئيسية",
    "سياسة الخصوصية",
    "اتصل بنا",
    "مقالات الرأي",
    "فيديو: لحظة وصول الوفد إلى المطار",
    "النشرة الجوية ليوم الأحد",
    "إعلان",
    "تحميل التطبيق",
    "وزير النفط يبحث مع شركة صينية تطوير حقل الرميلة",
    "افتتاح معرض بغداد الدولي للكتاب بمشاركة ٣٠٠ دار نشر",
]
UNRELATED_CASES = 300


def _flores():
    return json.loads((FIXTURES / "flores_articles.json").read_text(encoding="utf-8"))


def _corpus_english() -> dict[str, list[str]]:
    rows = (ROOT / "corpus" / "manifest.tsv").read_text(encoding="utf-8").splitlines()
    files = [r.split("\t") for r in rows if r and not r.startswith(("#", "id\t"))]
    return {
        doc: (ROOT / "corpus" / path).read_text(encoding="utf-8").splitlines()
        for doc, path, lang, *_ in files
        if lang == "en"
    }


class MemoEmbedder:
    """An ``embedder`` for align_segments that embeds each distinct text once across all cases, with one
    loaded encoder (a run loads its own once; a few hundred runs would load it a few hundred times)."""

    def __init__(self):
        self.memo: dict[tuple[str, str], np.ndarray] = {}
        self.encoder = get_encoder(load_settings().encoder)

    def __call__(self, _encoder):
        def embed_sides(sides, held=None):
            out = []
            for texts, lang, _ in sides:
                todo = [t for t in dict.fromkeys(texts) if (lang, t) not in self.memo]
                if todo:
                    vectors = self.encoder.encode(todo, lang)
                    self.memo.update(zip(((lang, t) for t in todo), vectors, strict=True))
                out.append(np.stack([self.memo[(lang, t)] for t in texts]))
            return out

        return embed_sides


@pytest.fixture(scope="module")
def align_case(tmp_path_factory):
    """Run one case through the pipeline's stages (read and check the files, ingest, align) as
    ``run`` does; returns the links, or None when the inputs are refused."""
    folder = tmp_path_factory.mktemp("small_inputs")
    settings = load_settings()
    embedder = MemoEmbedder()
    count = iter(range(10**6))

    def run(ar_lines: list[str], en_docs: dict[str, list[str]]):
        case = folder / f"case{next(count)}"
        case.mkdir()
        (case / "ar.txt").write_text("\n".join(ar_lines) + "\n", encoding="utf-8")
        for name, lines in en_docs.items():
            (case / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            docs = [read_document(case / "ar.txt", "ar")]
            docs += [read_document(case / f"{name}.txt", "en") for name in en_docs]
            check_languages(docs)
            segments, _ = ingest_stage(docs)
        except PipelineError:
            return None
        links, _, _, _ = align_segments(segments, settings, embedder=embedder)
        return links

    return run


def _english_articles(rng, exclude: int | None, flores) -> dict[str, list[str]]:
    """One to three real English articles: the corpus's reports and held-out FLORES articles, never the
    article ``exclude`` (whose Arabic the case holds)."""
    pool = list(_corpus_english().items()) + [(f"flores{k}", a["en"]) for k, a in enumerate(flores) if k != exclude]
    return dict(rng.sample(pool, rng.randint(1, 3)))


def test_short_unrelated_inputs_never_get_an_equivalent_link(align_case):
    flores = _flores()
    vocabulary = sorted({w for a in flores for s in a["ar"] for w in s.split() if len(w) > 2})
    rng = random.Random(23)
    kinds = {"furniture and headlines": 0, "random words": 0, "other articles' sentences": 0}
    refused, false_links = 0, []
    for _ in range(UNRELATED_CASES):
        kind = rng.choice(sorted(kinds))
        n = rng.randint(1, 3)
        source = None
        if kind == "furniture and headlines":
            ar_lines = rng.sample(SHORT_LINES, n)
        elif kind == "random words":
            ar_lines = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(2, 12))) for _ in range(n)]
        else:
            source = rng.randrange(len(flores))
            start = rng.randrange(len(flores[source]["ar"]))
            ar_lines = flores[source]["ar"][start : start + n]
        kinds[kind] += 1
        links = align_case(ar_lines, _english_articles(rng, source, flores))
        if links is None:
            refused += 1
            continue
        false_links += [(ar_lines, l.en_id, l.probability) for l in links if l.label == "equivalent"]
    assert min(kinds.values()) > 80 and refused < UNRELATED_CASES / 10, (kinds, refused)
    assert false_links == []


def test_short_translations_still_get_their_equivalent_links(align_case):
    """One to three FLORES sentences against their article (among others), and one to three UDHR
    paragraphs against their section: the translation pairs are found, and nothing else is equivalent."""
    flores = _flores()
    sections = json.loads((FIXTURES / "udhr_ar_en_sections.json").read_text(encoding="utf-8"))
    one_to_one = [s for s in sections if len(s["ar"]) == len(s["en"]) and s["section"] != "preamble"]
    rng = random.Random(5)
    found = expected = wrong = 0
    for case in range(60):
        n = rng.randint(1, 3)
        if case < 40:
            source = rng.randrange(len(flores))
            ar_side, en_side = flores[source]["ar"], flores[source]["en"]
            others = _english_articles(rng, source, flores)
        else:
            source = rng.randrange(len(one_to_one))
            ar_side, en_side = one_to_one[source]["ar"], one_to_one[source]["en"]
            others = {f"udhr{k}": one_to_one[k]["en"] for k in rng.sample(range(len(one_to_one)), 2) if k != source}
        start = rng.randrange(max(len(ar_side) - n + 1, 1))
        chosen = ar_side[start : start + n]
        links = align_case(chosen, {"source": en_side, **others})
        assert links is not None
        want = {(f"ar:{k + 1}", f"source:{start + k + 1}") for k in range(len(chosen))}
        got = {(l.ar_id, l.en_id) for l in links if l.label == "equivalent"}
        found += len(want & got)
        expected += len(want)
        wrong += len(got - want)
    assert found >= 0.95 * expected and wrong <= 0.02 * expected, (found, expected, wrong)


def test_a_margin_is_defined_when_the_neighbours_are_few_or_unrelated():
    """Two lines unrelated to everything: their neighbours' cosines sum to about zero, and the ratio
    margin divided by them (12,656 in the issue); the calibrated floor bounds it by cosine / floor."""
    floor = load_settings().margin_floor
    cos = np.array([[0.0127, -0.004, 0.002, 0.001], [-0.011, 0.003, -0.002, 0.0005]], dtype=np.float32)
    assert np.abs(ratio_margin(cos, 4)).max() > 100  # without the floor
    assert np.abs(ratio_margin(cos, 4, floor)).max() <= 0.0127 / floor + 1e-6
    assert 0.05 < floor < 0.5


def test_model_inputs_are_clipped_to_the_range_seen_in_training():
    model = LinkModel(("margin",), (1.0,), (0.5,), (2.0,), 0.0, 0.5, 1, bounds=((-1.0, 2.5),))
    at_bound = model.probability({"margin": np.array([2.5])})
    assert model.probability({"margin": np.array([12656.0])}) == pytest.approx(at_bound)
    assert model.probability({"margin": np.array([2.0])}) < at_bound


@pytest.mark.parametrize(
    "shape, requires, lacks",
    [
        (RunShape(2, 7, 1), {"ar_paragraphs": 4, "en_paragraphs": 4}, ["2 Arabic paragraphs (the full model needs 4)"]),
        (RunShape(16, 1, 1), {"en_documents": 3}, ["1 English document (the full model needs 3)"]),
        (RunShape(16, 60, 4), {"ar_paragraphs": 1, "en_paragraphs": 4, "en_documents": 3}, []),
    ],
)
def test_run_shape_says_what_a_run_lacks(shape, requires, lacks):
    assert shape.shortfall(requires) == lacks


def test_shipped_models_never_need_more_than_their_tiers_allow():
    """Every full model says what it needs; its last tier (the pair's own similarities) needs nothing,
    so every run has a model that applies; the link model in the corpus's shape (one Arabic paragraph,
    three or four English documents, as the calibration's bundles) keeps its full model."""
    settings = load_settings()
    for name, data in {**settings.link_models, **settings.equivalent_models}.items():
        model = LinkModel.from_json(data)
        assert model.bounds and len(model.bounds) == len(model.features), name
        assert (model.requires == {}) == name.endswith(":pair"), name
    assert LinkModel.from_json(settings.link_models["encoder+dictionary"]).fits(RunShape(1, 12, 3))


def test_one_english_headline_links_through_the_pair_tier_and_says_so(tmp_path):
    """One English headline against the statement made 12 of 16 paragraphs `related` at up to 0.9987:
    with one English paragraph, ranks and IDF weights compare nothing. The pair tier decides, and the
    log and the manifest say why."""
    headline = tmp_path / "headline.txt"
    headline.write_text("Iraq's election commission says voting machines cannot be hacked\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "run",
        "--ar",
        ROOT / "corpus/raw/002_fb358afb9b89a1aa.txt",
        "--en",
        headline,
        "--out",
        out,
        "--mt-model",
        "none",
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["link_model"].endswith(":pair")
    assert "1 English paragraph (the full model needs 4)" in manifest["parameters"]["smaller_tiers"]["related"]
    assert "related links decided by" in result.stderr and "1 English paragraph" in result.stderr
    links = [json.loads(line) for line in (out / "alignments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(links) <= 2


def test_random_english_words_as_one_document_make_no_link(tmp_path):
    """13k lines of random English words made 7 `related` links at 0.65: one English document has no
    other to choose against, so the story path and z-scores mean nothing there, and the best of
    thousands of random lines looks like a story to the features that describe a document (a tier that
    kept them linked some of these 3,000 lines of the held-out articles' words)."""
    words = [w for article in _flores() for w in " ".join(article["en"]).split()]
    rng = random.Random(7)
    junk = tmp_path / "junk.txt"
    junk.write_text(
        "\n".join(" ".join(rng.choice(words) for _ in range(rng.randint(30, 60))) for _ in range(3000)) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli(
        "run", "--ar", ROOT / "corpus/raw/002_fb358afb9b89a1aa.txt", "--en", junk, "--out", out, "--mt-model", "none"
    )
    assert result.returncode == 0, result.stderr
    assert (out / "alignments.jsonl").read_text(encoding="utf-8") == ""
