"""The theme gold in data/themes: halves disjoint, every pair of every FLORES run labelled, run files whose ids
are the ids the ingest gives, and the STS and newsframing loaders' documented counts (data/themes/PROVENANCE.md);
the subject tags cover every article in its half and the tag runs are labelled, deterministic and hold the
reported theme pairs. Tests that build runs need ../shared/data (absent in a user's clone: skipped)."""

import importlib.util
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from pipeline import config
from pipeline.errors import PipelineError
from pipeline.evaluation import theme_gold
from pipeline.evaluation.gold import article_halves, flores_articles, gold_texts, write_gold_set
from pipeline.ingest.documents import read_document
from pipeline.ingest.stage import ingest_documents
from conftest import ROOT, run_cli

THEMES = ROOT / "data" / "themes"
needs_shared = pytest.mark.skipif(
    not (ROOT / config.SHARED_DATA).is_dir(), reason="needs ../shared/data (absent in a user's clone)"
)
SHARED = ROOT / config.SHARED_DATA
# STS-2017 and newsframing come from public repositories and are not committed (developers may not commit
# fetched data): they are read from PIPELINE_THEME_EXTRA where a checkout has them (data/themes/PROVENANCE.md).
EXTRA = Path(os.environ.get("PIPELINE_THEME_EXTRA", THEMES))
needs_extra = pytest.mark.skipif(
    not (EXTRA / theme_gold.STS_FILE).is_file() or not (EXTRA / theme_gold.NEWSFRAMING_FILE).is_file(),
    reason="needs the STS-2017 and newsframing TSVs (PIPELINE_THEME_EXTRA; not in the repository)",
)


def test_runs_halves_are_disjoint_and_sides_never_share_an_article():
    runs = theme_gold.theme_runs(THEMES)
    assert Counter(r["half"] for r in runs.values()) == {"tune": 12, "test": 12}
    lines = {
        half: {x for r in runs.values() if r["half"] == half for x in r["ar"] + r["en"]} for half in ("tune", "test")
    }
    assert not lines["tune"] & lines["test"]
    for run in runs.values():
        assert (len(run["ar"]), len(run["en"])) == (6, 8)
        assert not set(run["ar"]) & set(run["en"])


def test_every_pair_of_every_run_is_labelled_once_and_nothing_else():
    runs = theme_gold.theme_runs(THEMES)
    labels = theme_gold.theme_labels(THEMES)
    pairs = {frozenset((a, e)) for r in runs.values() for a in r["ar"] for e in r["en"]}
    assert pairs == set(labels)
    assert len(labels) == 1115
    counts = {half: Counter() for half in ("tune", "test")}
    for run in runs.values():
        counts[run["half"]].update(labels[frozenset((a, e))][0] for a in run["ar"] for e in run["en"])
    assert counts["tune"] == {"theme": 11, "topic": 294, "none": 271}
    assert counts["test"] == {"theme": 5, "topic": 280, "none": 291}
    assert all(why for label, why in labels.values() if label == "theme")


def _copy_themes(tmp_path: Path, drop_line: int | None = None, extra: str = "") -> Path:
    folder = tmp_path / "themes"
    shutil.copytree(THEMES, folder)
    path = folder / theme_gold.LABELS_FILE
    rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if drop_line is not None:
        del rows[drop_line]
    path.write_text("".join(rows) + extra, encoding="utf-8")
    return folder


def test_labels_reject_a_pair_labelled_twice_or_a_theme_without_why(tmp_path):
    first = (THEMES / theme_gold.LABELS_FILE).read_text(encoding="utf-8").splitlines()[1]
    a, e, label, why = first.split("\t")
    with pytest.raises(PipelineError, match="twice"):
        theme_gold.theme_labels(_copy_themes(tmp_path / "twice", extra=f"{e}\t{a}\t{label}\t{why}\n"))
    with pytest.raises(PipelineError, match="a why for each theme"):
        theme_gold.theme_labels(_copy_themes(tmp_path / "why", drop_line=1, extra=f"{a}\t{e}\ttheme\t\n"))


@needs_extra
def test_sts_halves_have_the_documented_counts():
    tune, test = theme_gold.sts_pairs("tune", EXTRA), theme_gold.sts_pairs("test", EXTRA)
    assert (len(tune), len(test)) == (125, 125)
    assert len({(a, e) for a, e, _ in tune} | {(a, e) for a, e, _ in test}) == 250
    for ar, en, score in tune + test:
        assert 0.0 <= score <= 5.0
        assert re.search("[\u0600-\u06ff]", ar) and not re.search("[\u0600-\u06ff]", en)
    with pytest.raises(ValueError):
        theme_gold.sts_pairs("dev", EXTRA)


@needs_extra
def test_newsframing_halves_and_pairs_have_the_documented_counts():
    headlines = {half: theme_gold.newsframing_headlines(half, EXTRA) for half in ("tune", "test")}
    assert Counter(h["lang"] for h in headlines["tune"]) == {"ar": 194, "en": 648}
    assert Counter(h["lang"] for h in headlines["test"]) == {"ar": 194, "en": 649}
    ids = {half: {h["id"] for h in hs} for half, hs in headlines.items()}
    texts = {half: {h["text"] for h in hs} for half, hs in headlines.items()}
    assert not ids["tune"] & ids["test"] and not texts["tune"] & texts["test"]
    assert all(h["frames"] and h["frames"] <= set(range(1, 10)) for hs in headlines.values() for h in hs)
    for half, (count, shared) in {"tune": (125712, 22980), "test": (125906, 26842)}.items():
        pairs = theme_gold.newsframing_pairs(half, EXTRA)
        assert (len(pairs), sum(s for _, _, s in pairs)) == (count, shared)
        assert all(a.startswith("ar-") and e.startswith("en-") for a, e, _ in pairs)


@needs_shared
def test_every_run_article_is_in_its_half_of_the_article_split():
    articles = flores_articles(SHARED)
    first_line = dict(zip(theme_gold.article_lines(articles), range(len(articles)), strict=True))
    halves = article_halves(len(articles), theme_gold.RUNS_SEED)
    assert not set(halves["tune"]) & set(halves["test"])
    for run in theme_gold.theme_runs(THEMES).values():
        for line in run["ar"] + run["en"]:
            assert first_line[line] in halves[run["half"]]
            assert articles[first_line[line]]["url"] == run["url"][line]


@needs_shared
def test_run_files_carry_the_ids_the_ingest_gives(tmp_path):
    sets = theme_gold.flores_theme_sets(SHARED, THEMES)
    assert [s.folder for s in sets] == ["theme-runs-test"] * 12 + ["theme-runs-tune"] * 12
    for gold in (sets[0], sets[-1]):
        info = write_gold_set(gold, tmp_path)
        assert info["dropped_by_ingest"] == 0 and info["links"] == sum(label == "theme" for *_, label in gold.links)
        gold_path = tmp_path / gold.folder / f"{gold.name}.gold.tsv"
        texts = gold_texts(gold_path)
        assert len(texts["en"]) == 8  # one English document per article
        docs = [read_document(p, lang) for lang in ("ar", "en") for p in texts[lang]]
        segments = ingest_documents(docs).segments
        ar_ids = {s.id for s in segments if s.lang == "ar"}
        en_ids = {s.id for s in segments if s.lang == "en"}
        assert (len(ar_ids), len(en_ids)) == (6, 8)
        rows = [line.split("\t") for line in gold_path.read_text(encoding="utf-8").splitlines()[1:]]
        assert {(a, e) for a, e, *_ in rows} == {(a, e) for a in ar_ids for e in en_ids}
        assert {label for _, _, label, _ in rows} <= set(theme_gold.LABELS)
        mt = gold_path.with_name(f"{gold.name}.mt.tsv").read_text(encoding="utf-8").splitlines()
        assert {line.split("\t")[0] for line in mt} == ar_ids


@needs_shared
def test_a_pair_without_a_label_stops_the_build(tmp_path):
    with pytest.raises(PipelineError, match="has no label"):
        theme_gold.flores_theme_sets(SHARED, _copy_themes(tmp_path, drop_line=1))


@needs_shared
def test_the_runs_are_the_metadata_draw():
    spec = importlib.util.spec_from_file_location("draw_theme_runs", ROOT / "scripts" / "draw_theme_runs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = (THEMES / theme_gold.RUNS_FILE).read_text(encoding="utf-8").splitlines()[1:]
    assert ["\t".join(map(str, row)) for row in module.draw(SHARED)] == rows


@needs_shared
def test_build_gold_writes_the_theme_runs_in_subfolders(tmp_path):
    result = run_cli("build-gold", "--data", SHARED, "--out", tmp_path / "G")
    assert result.returncode == 0, result.stderr
    for half in ("tune", "test"):
        assert len(list((tmp_path / "G" / f"theme-runs-{half}").glob(f"theme-{half}-*.gold.tsv"))) == 12
        assert len(list((tmp_path / "G" / f"theme-runs-{half}").glob(f"theme-tags-{half}-*.gold.tsv"))) == 20
    assert not list((tmp_path / "G").glob("theme-*.gold.tsv"))  # eval suite runs G/*.gold.tsv: not these


# Subject tags (flores_article_subjects.tsv, TAGGING.md) and the tag runs drawn from them.
# The counts reported with the tags: theme pairs among all pairs of a half, and in the half's tag runs.
HALF_THEME_PAIRS = {"tune": 23, "test": 39}
TAG_RUN_LABELS = {"tune": {"theme": 77, "topic": 86, "none": 1037}, "test": {"theme": 96, "topic": 42, "none": 1062}}


def _half_theme_pairs(subjects: dict) -> dict[str, int]:
    counts = dict.fromkeys(("tune", "test"), 0)
    lines = sorted(subjects)
    for n, a in enumerate(lines):
        for b in lines[n + 1 :]:
            if subjects[a]["half"] == subjects[b]["half"]:
                counts[subjects[a]["half"]] += theme_gold.subject_label(subjects, a, b) == "theme"
    return counts


def test_tags_list_281_articles_with_the_reported_theme_pairs_per_half():
    subjects = theme_gold.article_subjects(THEMES)
    assert len(subjects) == 281
    assert Counter(s["half"] for s in subjects.values()) == {"tune": 140, "test": 141}
    assert sum(bool(s["subjects"]) for s in subjects.values()) == 270
    assert len({t for s in subjects.values() for t in s["subjects"]}) == 219
    assert _half_theme_pairs(subjects) == HALF_THEME_PAIRS


def test_subject_label_is_symmetric_and_refuses_pairs_across_halves():
    subjects = theme_gold.article_subjects(THEMES)
    assert theme_gold.subject_label(subjects, 850, 854) == theme_gold.subject_label(subjects, 854, 850) == "theme"
    assert theme_gold.subject_label(subjects, 850, 4) == "none"
    assert theme_gold.subject_label(subjects, 850, 4, {850: "sports", 4: "sports"}) == "topic"
    tune = next(line for line, s in subjects.items() if s["half"] == "tune")
    test = next(line for line, s in subjects.items() if s["half"] == "test")
    for a, b in ((tune, test), (tune, tune)):
        with pytest.raises(ValueError):
            theme_gold.subject_label(subjects, a, b)


def test_tags_agree_with_the_first_batch_as_reported():
    """The agreement check (after the tags were committed): derived label against the first batch's, by pair."""
    subjects = theme_gold.article_subjects(THEMES)
    confusion = Counter(
        (label == "theme", theme_gold.subject_label(subjects, *sorted(pair)) == "theme")
        for pair, (label, _) in theme_gold.theme_labels(THEMES).items()
    )
    assert confusion == {(True, True): 11, (True, False): 3, (False, True): 2, (False, False): 1099}


@pytest.mark.parametrize(
    "row, match",
    [("a;B", "lower case"), ("a;b;c;d", "bad row"), ("a;a", "bad row"), ("a;;b", "lower case")],
)
def test_subjects_reject_malformed_tags(tmp_path, row, match):
    folder = tmp_path / "themes"
    folder.mkdir()
    (folder / theme_gold.SUBJECTS_FILE).write_text(f"line\turl\thalf\tsubjects\tnote\n1\tu\ttune\t{row}\t\n")
    with pytest.raises(PipelineError, match=match):
        theme_gold.article_subjects(folder)


@needs_shared
def test_tags_cover_every_article_under_its_url_in_its_half():
    articles = flores_articles(SHARED)
    halves = article_halves(len(articles), theme_gold.RUNS_SEED)
    subjects = theme_gold.article_subjects(THEMES)
    for k, line in enumerate(theme_gold.article_lines(articles)):
        assert subjects[line]["url"] == articles[k]["url"]
        assert k in halves[subjects[line]["half"]]


@needs_shared
def test_tag_runs_label_every_pair_and_hold_the_reported_theme_pairs():
    sets = theme_gold.flores_tag_sets(SHARED, THEMES)
    subjects = theme_gold.article_subjects(THEMES)
    runs = theme_gold.draw_tag_runs(subjects, theme_gold.first_topics(flores_articles(SHARED)))
    assert [s.name for s in sets] == list(runs)
    assert Counter(r["half"] for r in runs.values()) == {"tune": 20, "test": 20}
    counts = {half: Counter() for half in ("tune", "test")}
    for gold in sets:
        run = runs[gold.name]
        assert gold.folder == f"theme-runs-{run['half']}"
        assert (len(run["ar"]), len(run["en"])) == (6, 10) and gold.en_docs == list(range(10))
        assert len(set(run["ar"] + run["en"])) == 16  # no article twice, on either side
        assert all(subjects[line]["half"] == run["half"] for line in run["ar"] + run["en"])
        assert sorted((i, j) for i, j, _ in gold.links) == [(i, j) for i in range(6) for j in range(10)]
        labels = Counter(label for *_, label in gold.links)
        assert labels["theme"] >= theme_gold.TAG_ANCHORS
        counts[run["half"]] += labels
    assert counts == TAG_RUN_LABELS
    # every theme pair of a half is in one of its runs at least once
    for half in ("tune", "test"):
        covered = {
            frozenset((a, e))
            for r in runs.values()
            if r["half"] == half
            for a in r["ar"]
            for e in r["en"]
            if subjects[a]["subjects"] & subjects[e]["subjects"]
        }
        assert len(covered) == HALF_THEME_PAIRS[half]


@needs_shared
def test_tag_runs_are_deterministic_and_written_with_ingest_ids(tmp_path):
    first, again = theme_gold.flores_tag_sets(SHARED, THEMES), theme_gold.flores_tag_sets(SHARED, THEMES)
    assert [(s.name, s.ar, s.en, s.links, s.mt) for s in first] == [(s.name, s.ar, s.en, s.links, s.mt) for s in again]
    other = theme_gold.flores_tag_sets(SHARED, THEMES, seed=theme_gold.TAG_SEED + 1)
    assert [s.en for s in other] != [s.en for s in first]
    gold = first[0]
    info = write_gold_set(gold, tmp_path)
    assert info["dropped_by_ingest"] == 0 and info["links"] == sum(label == "theme" for *_, label in gold.links)
    gold_path = tmp_path / gold.folder / f"{gold.name}.gold.tsv"
    assert len(gold_texts(gold_path)["en"]) == 10
    rows = gold_path.read_text(encoding="utf-8").splitlines()[1:]
    assert len(rows) == 60 and (tmp_path / gold.folder / f"{gold.name}.mt.tsv").is_file()


@needs_shared
def test_tags_that_miss_an_article_stop_the_build(tmp_path):
    folder = _copy_themes(tmp_path)
    path = folder / theme_gold.SUBJECTS_FILE
    path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]), encoding="utf-8")
    with pytest.raises(PipelineError, match="every FLORES devtest article"):
        theme_gold.flores_tag_sets(SHARED, folder)
