"""``python -m pipeline bench archive``: the statement against an outlet's archive (issue 25).

What is built (:func:`build_archive`, deterministic for a seed), from FLORES-200 devtest in ``--data``:

- **stories**: articles of one half (``gold.article_halves``; the test half for the benchmark, the tune half
  for calibration's archive runs), drawn as ``gold.flores_documents`` draws the ``mixed`` sets: each sentence
  goes to the Arabic side, the English side, both (30%: a translation, ``equivalent``) or neither (20%);
  articles are added until the Arabic document has ``AR_PARAGRAPHS`` paragraphs (one sentence each), told
  story after story;
- **planted documents**: each story's English sentences as one English document (the same-story document
  the user wants found); gold: every (Arabic, English) sentence pair of a story, ``equivalent`` for a
  sentence and its translation, ``related`` for the others;
- **distractors**: documents of ``DOC_PARAGRAPHS`` paragraphs (±5) from the half's *other* articles, never
  a story's, so no link to them is right. FLORES has about 500 English sentences a half, and an archive of
  200,000 paragraphs cannot be that many distinct sentences, while repeated paragraphs would be removed as
  duplicates; so the sentences are tiled as distinct paragraphs: each distractor paragraph joins two
  English renderings (the reference and the three MT systems of ``mt_outputs``) of two different sentences
  of the document's three source articles, and no pair of renderings is used twice in an archive. A
  paragraph is therefore two sentences of news on one to three subjects, distinct from every other one;
  each rendering recurs in about 1 paragraph in 800 of the archive;
- **repeats**: one distractor in ``REPEAT_EVERY`` is saved again under another name (a crawl's duplicate),
  which the run must skip and report, not stop on (issue 25, point 4).

Each size is first indexed (:func:`index_archive`: its English paragraphs embedded into the vector cache of
``run --embedding-cache``, two processes, timed apart: what an archive's owner does once), then runs
``python -m pipeline run --embedding-cache`` (no MT) in a child process, timed by the child's own resource
usage (wall, user + system CPU, peak resident memory), and is scored against the planted gold: ``related``
P/R/F1 (equivalent pairs left aside, as ``eval suite`` does) and, where an exact run (every document a
candidate, exact neighbour search) was made at that size, the share of its right related links the run
found too. With ``--engine ray`` each size runs on a local two-node Ray cluster (:func:`local_two_nodes`),
then with the embedded engine without the vector cache (which the Ray engine does not read), and the two
runs' outputs are compared byte for byte; the rows also say what each holder of the English vectors held
and spent. Results are data (:class:`ArchiveRow`); printing is in the CLI.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from pipeline.errors import PipelineError
from pipeline.progress import log

AR_PARAGRAPHS = 50
DOC_PARAGRAPHS = 20
REPEAT_EVERY = 200
BOTH_SHARE = 0.3  # sentences on both sides: the archive holds translations of some of the statement's sentences
# The English renderings of a FLORES sentence besides the reference: real MT outputs of its Arabic.
RENDERINGS = (
    "mt_outputs/nllb-200-distilled-600M.flores200-devtest.ara-eng.output",
    "mt_outputs/opus-mt-tc-big-ar-en.flores200-devtest.ara-eng.output",
    "mt_outputs/opus-mt-ar-en.flores101-devtest.ara-eng.output",
)
AR_DOC = "statement"


@dataclass
class Archive:
    """One benchmark input: the Arabic document's paragraphs, the English documents (id, paragraphs) in
    archive order, and the gold pairs ((Arabic paragraph, English document id, paragraph), label)."""

    ar: list[str]
    docs: list[tuple[str, list[str]]]
    gold: list[tuple[int, str, int, str]]
    planted: list[str] = field(default_factory=list)  # the same-story documents' ids
    repeats: list[str] = field(default_factory=list)  # the documents saved twice (their second ids)


def read_renderings(data: Path) -> list[list[str]]:
    """Per FLORES devtest line, its English renderings: the reference, then each of ``RENDERINGS``."""
    reference = (data / "flores200_devtest" / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    columns = [reference]
    for name in RENDERINGS:
        path = data / name
        if not path.is_file():
            raise PipelineError(path, "missing (bench archive tiles FLORES with the shared MT outputs)")
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) != len(reference):
            raise PipelineError(path, f"has {len(lines)} lines, FLORES devtest has {len(reference)}")
        columns.append(lines)
    return [[column[k].strip() for column in columns] for k in range(len(reference))]


def flores_lines(data: Path) -> list[dict]:
    """FLORES devtest's articles (``gold.flores_articles``), each with the devtest line of every sentence."""
    from pipeline.evaluation.gold import flores_articles

    articles = flores_articles(data)
    line = 0
    for article in articles:
        article["lines"] = list(range(line, line + len(article["en"])))
        line += len(article["en"])
    return articles


def draw_stories(
    articles: list[dict], rng: random.Random
) -> tuple[list[str], list[tuple[list[int], list[int]]], list[int]]:
    """Story articles in a random order until the Arabic side has AR_PARAGRAPHS sentences: the Arabic
    sentences, per story the sentence numbers on each side ((ar, en) lists), and the story articles."""
    side = (1.0 - 0.2 - BOTH_SHARE) / 2
    order = [k for k, a in enumerate(articles) if len(a["ar"]) >= 3]
    rng.shuffle(order)
    ar: list[str] = []
    sides: list[tuple[list[int], list[int]]] = []
    chosen: list[int] = []
    for k in order:
        if len(ar) >= AR_PARAGRAPHS:
            break
        to_ar, to_en = [], []
        for s in range(len(articles[k]["ar"])):
            draw = rng.random()
            if draw < BOTH_SHARE + side:
                to_ar.append(s)
            if draw < BOTH_SHARE or BOTH_SHARE + side <= draw < BOTH_SHARE + 2 * side:
                to_en.append(s)
        if not to_ar:
            continue
        ar += [articles[k]["ar"][s] for s in to_ar]
        sides.append((to_ar, to_en))
        chosen.append(k)
    return ar, sides, chosen


def distractor_paragraphs(
    sources: list[int], renderings: list[list[str]], count: int, used: set, rng: random.Random
) -> list[str]:
    """``count`` distinct paragraphs, each two renderings of two different sentences (devtest lines of
    ``sources``), no pair of renderings in ``used`` (which gains the pairs taken, and the paragraphs: two
    systems may render a sentence alike)."""
    options = [(line, r) for line in sources for r in range(len(renderings[line]))]
    out: list[str] = []
    for _ in range(20 * count):
        if len(out) == count:
            break
        (a, ra), (b, rb) = rng.sample(options, 2)
        text = f"{renderings[a][ra]} {renderings[b][rb]}"
        if a == b or (a, ra, b, rb) in used or text in used:
            continue
        used.update(((a, ra, b, rb), text))
        out.append(text)
    return out


def build_archive(data: Path, documents: int, half: str = "test", seed: int = 25) -> Archive:
    """The benchmark input of ``documents`` English documents (planted and distractors, the repeats on
    top), stories and distractors from FLORES ``half`` (see the module)."""
    from pipeline.evaluation.gold import article_halves

    data = Path(data)
    articles = flores_lines(data)
    renderings = read_renderings(data)
    members = [articles[k] for k in article_halves(len(articles))[half]]
    rng = random.Random(seed)
    ar, sides, stories = draw_stories(members, rng)
    story_gold: list[tuple[int, int, int, str]] = []  # (Arabic paragraph, planted document, paragraph, label)
    planted: list[list[str]] = []
    first = 0
    for k, (to_ar, to_en) in zip(stories, sides, strict=True):
        if to_en:
            for i, sa in enumerate(to_ar):
                for j, se in enumerate(to_en):
                    story_gold.append((first + i, len(planted), j, "equivalent" if sa == se else "related"))
            planted.append([members[k]["en"][s] for s in to_en])
        first += len(to_ar)
    pool = [k for k in range(len(members)) if k not in set(stories)]
    used: set = set()
    order: list[tuple[str, int]] = []  # ("distractor" | "planted", its number)
    distractors = []
    for _ in range(max(0, documents - len(planted))):
        sources = [line for k in rng.sample(pool, 3) for line in members[k]["lines"]]
        count = rng.randint(DOC_PARAGRAPHS - 5, DOC_PARAGRAPHS + 5)
        distractors.append(distractor_paragraphs(sources, renderings, count, used, rng))
        order.append(("distractor", len(distractors) - 1))
    for number in range(len(planted)):  # each planted document at a random place in the archive
        order.insert(rng.randrange(len(order) + 1), ("planted", number))
    name = {kind_number: f"d{n + 1:05d}" for n, kind_number in enumerate(order)}
    docs = [(name[key], planted[key[1]] if key[0] == "planted" else distractors[key[1]]) for key in order]
    repeats = []
    for n in range(REPEAT_EVERY - 1, len(distractors), REPEAT_EVERY):
        repeats.append(f"{name[('distractor', n)]}-copy")
        docs.append((repeats[-1], distractors[n]))
    gold = [(i, name[("planted", d)], j, label) for i, d, j, label in story_gold]
    return Archive(ar, docs, gold, [name[("planted", d)] for d in range(len(planted))], repeats)


def write_archive(archive: Archive, folder: Path) -> tuple[Path, list[Path]]:
    """The Arabic document and one file per English document (one paragraph a line), and ``gold.tsv``
    with the ids the pipeline's ingest gives (``doc:line``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "en").mkdir(exist_ok=True)
    ar_path = folder / f"{AR_DOC}.txt"
    ar_path.write_text("\n".join(archive.ar) + "\n", encoding="utf-8")
    en_paths = []
    for name, paragraphs in archive.docs:
        path = folder / "en" / f"{name}.txt"
        path.write_text("\n".join(paragraphs) + "\n", encoding="utf-8")
        en_paths.append(path)
    rows = "".join(f"{AR_DOC}:{i + 1}\t{doc}:{j + 1}\t{label}\n" for i, doc, j, label in archive.gold)
    (folder / "gold.tsv").write_text("ar_id\ten_id\tlabel\n" + rows, encoding="utf-8")
    return ar_path, en_paths


@dataclass
class ArchiveRow:
    documents: int  # English documents given (the repeats included)
    en_paragraphs: int  # English paragraphs kept by ingest
    search: str  # "retrieval" (the shipped settings) or "exact" (every document a candidate, exact search)
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    skipped: int  # documents skipped as repeats
    links: dict  # label → count
    related: dict  # P/R/F1 against the planted same-story gold
    exact_recall: float | None = None  # share of the exact run's right related links this run found
    index_s: float = 0.0  # wall s of embedding the archive into the vector cache before the runs (index_archive)
    indexed: int = 0  # paragraphs the index embedded (the others were in the cache already)
    stages: dict = field(default_factory=dict)  # the run's own timings
    engine: str = "embedded"  # "ray", "embedded" (with the vector cache) or "embedded, no vector cache"
    holders: list = field(default_factory=list)  # the English vectors' holders: rows, MB, seconds per kind of work
    equal_to_embedded: bool | None = None  # a Ray run: outputs byte-identical to the embedded engine's


def run_child(args: list[str], env: dict | None = None) -> tuple[float, float, float, int]:
    """``python -m pipeline`` ``args`` in a child process, its stderr (progress) passed through: (wall s,
    CPU s: user + system of the child and what it waited for, peak resident MB, exit status)."""
    mark = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "pipeline", *args], env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - mark
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode


def scores(out: Path, gold_path: Path) -> tuple[dict, dict, set]:
    """(links per label, related P/R/F1, the right related pairs) of the run in ``out`` against the gold
    (pairs whose paragraphs ingest kept)."""
    from pipeline.evaluation.metrics import prf, read_gold
    from pipeline.fileio import read_jsonl

    kept = {s["id"] for s in read_jsonl(out / "segments.jsonl")}
    gold = {
        label: {
            (g["ar_id"], g["en_id"])
            for g in read_gold(gold_path)
            if g["label"] == label and {g["ar_id"], g["en_id"]} <= kept
        }
        for label in ("equivalent", "related")
    }
    links = read_jsonl(out / "alignments.jsonl")
    counts: dict[str, int] = {}
    for link in links:
        counts[link["label"]] = counts.get(link["label"], 0) + 1
    related = {(l["ar_id"], l["en_id"]) for l in links if l["label"] == "related"} - gold["equivalent"]
    return counts, prf(related, gold["related"]), related & gold["related"]


INDEX_CHUNK = 2048  # texts a worker embeds at a time (a multiple of the encoder's batch: the same batches)


def _embed_chunk(job: tuple[str, list[str]]) -> np.ndarray:
    from pipeline.encoders import get_encoder

    name, texts = job
    return get_encoder(name).encode(texts, "en", "bench archive: index")


def index_archive(cache: Path, ar_path: Path, en_paths: list[Path], workers: int = 2) -> int:
    """Embed the archive's English paragraphs (as ``run`` ingests them) into the vector cache of ``run
    --embedding-cache`` in ``cache``, ``workers`` processes of one BLAS thread each; returns how many were
    embedded (the others were there). What an archive's owner does once, before any statement is run
    against it."""
    import multiprocessing

    from pipeline.align.settings import load_settings
    from pipeline.encoders import get_encoder
    from pipeline.encoders.cache import VectorCache, vector_key
    from pipeline.run import RunConfig, ingest_stage, load_inputs

    config = RunConfig(ar=[ar_path], en=list(en_paths), out=cache / "index-out", mt_model="none")
    segments, _ = ingest_stage(load_inputs(config))
    name = load_settings().encoder
    encoder = get_encoder(name)
    signature = encoder.signature()
    texts = list(dict.fromkeys(s.text for s in segments if s.lang == "en"))
    store = VectorCache(cache)
    try:
        found = store.get_many([vector_key(signature, "en", t) for t in texts])
        todo = [t for t in texts if vector_key(signature, "en", t) not in found]
        chunks = [(name, todo[k : k + INDEX_CHUNK]) for k in range(0, len(todo), INDEX_CHUNK)]
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            for n, (chunk, vectors) in enumerate(zip(chunks, pool.imap(_embed_chunk, chunks), strict=True)):
                store.put_many(
                    [(vector_key(signature, "en", t), v.tobytes()) for t, v in zip(chunk[1], vectors, strict=True)]
                )
                log(f"bench archive: index: {min((n + 1) * INDEX_CHUNK, len(todo)):,} of {len(todo):,} paragraphs")
    finally:
        store.close()
    return len(todo)


def prepare_size(folder: Path, documents: int, data: Path) -> tuple[Path, list[Path], float, int]:
    """Build (once) and index the archive of ``documents``: (Arabic path, English paths, index wall s,
    paragraphs embedded by the index)."""
    inputs = folder / f"archive-{documents}"
    if not (inputs / "gold.tsv").is_file():
        log(f"bench archive: building {documents} English documents")
        write_archive(build_archive(data, documents), inputs)
    ar_path = inputs / f"{AR_DOC}.txt"
    en_paths = sorted((inputs / "en").glob("*.txt"))
    mark = time.perf_counter()
    embedded = index_archive(folder / "cache", ar_path, en_paths)
    return ar_path, en_paths, round(time.perf_counter() - mark, 2), embedded


def run_size(
    folder: Path,
    documents: int,
    exact: bool,
    engine: str,
    right_exact: set | None,
    ray_address: str | None = None,
    vector_cache: bool = True,
) -> tuple[ArchiveRow, set]:
    """Run one size (built and indexed by :func:`prepare_size`); returns its row and the right related
    pairs it found. ``engine`` "ray" runs on the cluster at ``ray_address``; the Ray engine does not read
    the vector cache, and ``vector_cache`` False runs the embedded engine without it (its outputs are then
    the Ray engine's to compare)."""
    from pipeline.align.settings import load_settings

    inputs = folder / f"archive-{documents}"
    ar_path = inputs / f"{AR_DOC}.txt"
    en_paths = sorted((inputs / "en").glob("*.txt"))
    out = folder / out_name(documents, exact, engine, vector_cache)
    args = ["run", "--ar", str(ar_path), "--en", *map(str, en_paths), "--out", str(out), "--mt-model", "none"]
    args += ["--formats", "jsonl", "--cache", str(folder / "cache")]
    if engine == "ray":
        args += ["--engine", "ray", "--ray-address", str(ray_address), "--ray-work", str(folder / "ray-work")]
    elif vector_cache:
        args += ["--embedding-cache"]
    if exact:
        settings = folder / "exact-settings.json"
        settings.write_text(json.dumps(exact_settings(load_settings()).to_json()), encoding="utf-8")
        args += ["--settings", str(settings)]
    log(f"bench archive: {documents} documents, {'exact' if exact else 'retrieval first'} ({engine})")
    wall, cpu, peak, status = run_child(args)
    if status != 0:
        raise PipelineError(None, f"bench archive: the run of {documents} documents failed (exit {status})")
    counts, related, right = scores(out, inputs / "gold.tsv")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    timings = manifest.get("timings", {})
    row = ArchiveRow(
        len(en_paths),
        sum(1 for s in _segments(out) if s == "en"),
        "exact" if exact else "retrieval",
        round(wall, 2),
        round(cpu, 2),
        round(peak, 1),
        manifest["counts"].get("skipped_documents", 0),
        counts,
        {k: round(v, 4) if isinstance(v, float) else v for k, v in related.items()},
        stages={k: v for k, v in timings.items() if k != "vector_holders"},
        engine=engine if engine == "ray" else ("embedded" if vector_cache else "embedded, no vector cache"),
        holders=timings.get("vector_holders", []),
    )
    if right_exact is not None:
        row.exact_recall = round(len(right & right_exact) / max(1, len(right_exact)), 4)
    return row, right


def out_name(documents: int, exact: bool, engine: str, vector_cache: bool = True) -> str:
    name = f"out-{documents}-{'exact' if exact else 'retrieval'}"
    return name + ("-ray" if engine == "ray" else "" if vector_cache else "-nocache")


# The files of a run that must be the same whichever engine made them (the manifest says which engine).
COMPARED = ("alignments.jsonl", "unaligned.jsonl", "segments.jsonl", "removed.jsonl", "themes.jsonl", "sentences.jsonl")


def same_outputs(a: Path, b: Path) -> bool:
    return all((a / name).read_bytes() == (b / name).read_bytes() for name in COMPARED)


def local_two_nodes():
    """A local Ray cluster of two nodes, one CPU each (the tests' shape): what ``--engine ray`` is measured
    on here. The run connects to it, so its workers are not the run's children (the run's peak memory is
    the driver's)."""
    try:
        from ray.cluster_utils import Cluster
    except ImportError:
        raise PipelineError(
            None, "bench archive --engine ray needs Ray installed: pip install '.[distributed]'"
        ) from None
    root = str(Path(__file__).resolve().parents[2])
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    return cluster


def _segments(out: Path):
    from pipeline.fileio import read_jsonl

    return (s["lang"] for s in read_jsonl(out / "segments.jsonl"))


def exact_settings(settings):
    """The settings of an exact run: every English document a candidate and exact neighbour search."""
    return replace(settings, ivf_min=10**12, retrieval_documents=0)


def run_archive_bench(data: Path, sizes, exact_max: int, work: Path, engine: str = "embedded") -> list[ArchiveRow]:
    """Each size run with the shipped settings, and first exactly where it is at most ``exact_max``. With
    ``engine`` "ray", each size's run on a local two-node cluster is followed by the embedded engine's
    without the vector cache (which the Ray engine does not read), and the two runs' outputs compared."""
    rows: list[ArchiveRow] = []
    work.mkdir(parents=True, exist_ok=True)
    cluster = local_two_nodes() if engine == "ray" else None
    try:
        for documents in sizes:
            right_exact = None
            _, _, index_s, indexed = prepare_size(work, documents, data)
            if documents <= exact_max:
                row, right_exact = run_size(work, documents, True, "embedded", None)
                rows.append(replace(row, index_s=index_s, indexed=indexed))
            address = cluster.address if cluster is not None else None
            row, _ = run_size(work, documents, False, engine, right_exact, address)
            rows.append(replace(row, index_s=index_s, indexed=indexed))
            if engine == "ray":
                plain, _ = run_size(work, documents, False, "embedded", right_exact, vector_cache=False)
                rows[-1].equal_to_embedded = same_outputs(
                    work / out_name(documents, False, "ray"), work / out_name(documents, False, "embedded", False)
                )
                rows.append(plain)
    finally:
        if cluster is not None:
            import ray

            ray.shutdown()
            cluster.shutdown()
    return rows


HOLDER_WORK = ("load", "ivf_fill", "ivf_search", "neighbours", "pair_cosines", "doc_sums", "top_k")


def format_table(rows: list[ArchiveRow]) -> str:
    """The runs' table; with Ray runs, also what each holder of the English vectors held and spent."""
    lines = [
        "| English documents | English paragraphs | search | wall s | CPU s | peak MB | skipped | links | "
        "related P | R | F1 | of the exact run's right related links | index s (paragraphs embedded) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        links = ", ".join(f"{k} {v}" for k, v in sorted(r.links.items()))
        search = r.search if r.engine == "embedded" else f"{r.search} ({r.engine})"
        if r.equal_to_embedded is not None:
            search += ", outputs equal to the embedded engine's" if r.equal_to_embedded else ", OUTPUTS DIFFER"
        lines.append(
            f"| {r.documents:,} | {r.en_paragraphs:,} | {search} | {r.wall_s} | {r.cpu_s} | {r.peak_rss_mb:,.0f} | "
            f"{r.skipped} | {links} | {r.related['precision']:.4f} | {r.related['recall']:.4f} | "
            f"{r.related['f1']:.4f} | {'' if r.exact_recall is None else r.exact_recall} | "
            f"{r.index_s} ({r.indexed:,}) |"
        )
    ray_rows = [r for r in rows if r.engine == "ray"]
    if ray_rows:
        lines += [
            "",
            "| English documents | holder (node) | rows | MB | "
            + " | ".join(f"{work} s (wall / CPU)" for work in HOLDER_WORK)
            + " | embedding (whole run, wall s) | align (wall s) |",
            "|---|---|---|---|" + "---|" * len(HOLDER_WORK) + "---|---|",
        ]
        for r in ray_rows:
            for n, h in enumerate(r.holders):
                seconds = [h["seconds"].get(work) for work in HOLDER_WORK]
                lines.append(
                    f"| {r.documents:,} | {n + 1} ({h.get('node', 'here')}) | {h['rows']:,} | {h['mb']} | "
                    + " | ".join("" if t is None else f"{t[0]} / {t[1]}" for t in seconds)
                    + f" | {r.stages.get('align_embed', '')} | {r.stages.get('align', '')} |"
                )
    return "\n".join(lines)


def rows_json(rows: list[ArchiveRow]) -> str:
    return json.dumps([asdict(r) for r in rows])
