"""The translation stage end to end with a tiny random-weight MarianMT model built by the tests
(real MarianTokenizer, SentencePiece trained on the corpus): both backends, the cache, the flags,
the sentence mapping, precomputed translations and a missing model."""

import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from pipeline.ingest.corpus import corpus_lines
from pipeline.fileio import read_jsonl
from pipeline.mt.cache import TranslationCache, cache_key
from pipeline.mt.flags import quality_flags

FAST = ("--mt-beams", "2", "--mt-max-new-tokens", "12")


def offline_env(tmp_path: Path) -> dict:
    """No hub, an empty Hugging Face cache, and converted models kept under tmp_path."""
    return {"PIPELINE_MODELS": str(tmp_path / "models"), "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}


def arabic_rows(out: Path) -> list[dict]:
    return [r for r in read_jsonl(out / "segments.jsonl") if r["lang"] == "ar"]


@pytest.fixture(scope="module")
def transformers_run(tiny_marian, tmp_path_factory):
    """Two runs with the same model and cache: the first translates, the second must not."""
    tmp = tmp_path_factory.mktemp("mt_run")
    first, second = tmp / "first", tmp / "second"
    for out in (first, second):
        result = run_cli(
            "run", "--out", out, "--mt-model", tiny_marian, "--cache", tmp / "cache", *FAST, env=offline_env(tmp)
        )
        assert result.returncode == 0, result.stderr
    return first, second


def test_every_arabic_paragraph_gets_mt_text_with_its_sentence_mapping(transformers_run):
    first, _ = transformers_run
    rows = arabic_rows(first)
    assert rows
    for row in rows:
        assert row["mt_text"].strip(), row["id"]
        assert [m["src"] for m in row["mt_sentences"]] == [s["text"] for s in row["sentences"]]
        assert row["mt_text"] == " ".join(m["mt"] for m in row["mt_sentences"] if m["mt"])
        assert isinstance(row["mt_flags"], list)
    manifest = json.loads((first / "manifest.json").read_text())
    translation = manifest["translation"]
    assert translation["status"] == "ok" and translation["backend"] == "transformers"
    assert translation["translated"] >= len(rows) and translation["cached"] == 0
    assert manifest["models"]["mt"]["revision"]  # the model folder's content hash keys the cache


def test_rerun_comes_from_the_cache_with_identical_output(transformers_run):
    first, second = transformers_run
    one = json.loads((first / "manifest.json").read_text())["translation"]
    two = json.loads((second / "manifest.json").read_text())["translation"]
    assert two["translated"] == 0
    assert two["cached"] >= one["translated"] > 0
    assert (first / "segments.jsonl").read_bytes() == (second / "segments.jsonl").read_bytes()


def test_mt_travels_to_the_parallel_outputs(transformers_run, tmp_path):
    first, _ = transformers_run
    links = read_jsonl(first / "alignments.jsonl")
    by_id = {r["id"]: r["mt_text"] for r in arabic_rows(first)}
    assert [link["mt_text"] for link in links] == [by_id[link["ar_id"]] for link in links]
    assert "Machine translation: " in (first / "report.html").read_text(encoding="utf-8")
    # parallel.* hold translations only: a link a reader marks equivalent brings its MT line along.
    out = shutil.copytree(first, tmp_path / "run")
    ar_id = next(iter(by_id))
    en_id = next(r["id"] for r in read_jsonl(first / "segments.jsonl") if r["lang"] == "en")
    marked = {"ar_id": ar_id, "en_id": en_id, "label": "equivalent", "score": 1.0}
    (out / "alignments.jsonl").write_text(json.dumps(marked) + "\n", encoding="utf-8")
    assert run_cli("export", "--out", out).returncode == 0
    expected = " ".join(by_id[ar_id].split())
    assert (out / "parallel.mt").read_text(encoding="utf-8").splitlines() == [expected]


def test_ctranslate2_backend_converts_once_and_translates(tiny_marian, tmp_path):
    env = offline_env(tmp_path)
    for _ in range(2):
        result = run_cli(
            "run",
            "--out",
            tmp_path / "out",
            "--mt-model",
            tiny_marian,
            "--mt-backend",
            "ctranslate2",
            "--cache",
            tmp_path / "cache",
            *FAST,
            env=env,
        )
        assert result.returncode == 0, result.stderr
    converted = list((tmp_path / "models" / "ct2").iterdir())
    assert len(converted) == 1 and (converted[0] / "model.bin").is_file()
    assert all(row["mt_text"].strip() for row in arabic_rows(tmp_path / "out"))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["models"]["mt"]["backend"] == "ctranslate2"
    assert manifest["models"]["mt"]["quantization"] == "int8"
    assert manifest["translation"]["translated"] == 0  # second run: all from the cache


def test_ctranslate2_float32_decodes_like_transformers(tiny_marian, tmp_path):
    """Same weights, same greedy search: the same tokens. transformers forces </s> at the length limit,
    so its output is the CTranslate2 output less the last token."""
    from pipeline.mt.ct2 import CTranslate2Translator
    from pipeline.mt.base import Decoding
    from pipeline.mt.hf import TransformersTranslator

    sentences = [
        "أكدت المفوضية العليا المستقلة للانتخابات أن أجهزة الاقتراع لا ترتبط بالإنترنت",
        "وقالت إن النتائج ستعلن خلال أربع وعشرين ساعة",
        "كركوك",
    ]
    greedy = Decoding(num_beams=1, max_new_tokens=10)
    torch_out = TransformersTranslator(str(tiny_marian), decoding=greedy).translate(sentences)
    ct2_out = CTranslate2Translator(
        str(tiny_marian), decoding=greedy, quantization="float32", ct2_dir=tmp_path / "ct2"
    ).translate(sentences)
    assert len(set(torch_out)) > 1  # the model's output depends on its input
    for a, b in zip(torch_out, ct2_out, strict=True):
        assert b.startswith(a) and len(b.split()) <= len(a.split()) + 1, (a, b)


@pytest.mark.parametrize("workers, batch_size", [(2, 1), (2, 2), (3, 8)])
def test_ctranslate2_parallel_batches_give_the_single_worker_output(tiny_marian, tmp_path, workers, batch_size):
    """Parallel workers and smaller batches are for speed only: each sentence comes out as one worker,
    one batch would translate it (the reason batch size and workers are not in the cache key)."""
    from pipeline.mt.ct2 import CTranslate2Translator
    from pipeline.mt.base import Decoding

    sentences = corpus_lines(ROOT / "corpus")[0][:7]
    ct2_dir = tmp_path / "ct2"

    def translate(workers: int, batch_size: int) -> list[str]:
        decoding = Decoding(num_beams=2, max_new_tokens=12, batch_size=batch_size)
        translator = CTranslate2Translator(
            str(tiny_marian),
            threads=workers,
            decoding=decoding,
            quantization="float32",
            ct2_dir=ct2_dir,
            workers=workers,
        )
        assert translator.workers == workers
        return translator.translate(sentences)

    assert translate(workers, batch_size) == translate(1, len(sentences))


def test_ctranslate2_refuses_fewer_than_one_worker(tiny_marian, tmp_path):
    from pipeline.errors import PipelineError
    from pipeline.mt.ct2 import CTranslate2Translator

    with pytest.raises(PipelineError, match="at least one worker, not 0"):
        CTranslate2Translator(str(tiny_marian), workers=0, ct2_dir=tmp_path / "ct2")
    assert not (tmp_path / "ct2").exists()  # refused before converting anything


def test_long_sentences_are_split_under_the_limit_at_clause_boundaries(tiny_marian):
    from pipeline.mt.hf import TransformersTranslator
    from pipeline.mt.translate import split_long

    translator = TransformersTranslator(str(tiny_marian))
    clause = "وأكدت المفوضية أن الأجهزة لا ترتبط بشبكة الإنترنت"
    sentence = "، ".join([clause] * 12)
    assert translator.count_tokens(sentence) > 60
    pieces = split_long(sentence, translator, limit=60)
    assert len(pieces) > 1
    assert all(translator.count_tokens(p) <= 60 for p in pieces)
    assert " ".join(pieces).split() == sentence.split()  # nothing lost, no word cut


def test_cache_key_changes_with_every_setting_and_the_cache_persists(tmp_path):
    base = {"model": "m", "revision": "r1", "backend": "transformers", "num_beams": 4}
    key = cache_key(base, "جملة")
    for change in ({"revision": "r2"}, {"backend": "ctranslate2"}, {"num_beams": 2}):
        assert cache_key({**base, **change}, "جملة") != key
    assert cache_key(base, "جملة أخرى") != key
    cache = TranslationCache(tmp_path / "mt.sqlite")
    cache.put_many({key: "a sentence"})
    cache.close()
    assert TranslationCache(tmp_path / "mt.sqlite").get_many([key, "missing"]) == {key: "a sentence"}


@pytest.mark.parametrize(
    "source, translation, expected",
    [
        ("أعلنت المفوضية النتائج", "The commission announced the results", []),
        ("أعلنت المفوضية النتائج", "", ["empty"]),
        ("أعلنت المفوضية النتائج", "The commission أعلنت المفوضية results", ["arabic_script_left"]),
        (
            "أعلنت المفوضية النتائج اليوم",
            "the results the results the results the results the results",
            ["repeated_ngrams"],
        ),
        ("أعلنت المفوضية النتائج النهائية للانتخابات البرلمانية في جميع المحافظات", "Results.", ["length_ratio"]),
        ("فاز 329 مرشحا في 18 محافظة", "329 candidates won in the provinces", ["numbers_missing:18"]),
        ("فاز ٣٢٩ مرشحا في ١٨ محافظة", "329 candidates won in 18 provinces", []),
    ],
)
def test_quality_flags(source, translation, expected):
    assert quality_flags(source, translation) == expected


@pytest.mark.parametrize("kind", ["jsonl", "tsv", "lines"])
def test_precomputed_translations_fill_mt_text(corpus_run, tmp_path, kind):
    ids = [r["id"] for r in arabic_rows(corpus_run)]
    texts = {pid: f"Human translation of paragraph {pid} ." for pid in ids}
    path = tmp_path / ("translations." + {"jsonl": "jsonl", "tsv": "tsv", "lines": "txt"}[kind])
    if kind == "jsonl":
        path.write_text("".join(json.dumps({"id": pid, "mt_text": t}) + "\n" for pid, t in texts.items()))
    elif kind == "tsv":
        path.write_text("".join(f"{pid}\t{t}\n" for pid, t in reversed(list(texts.items()))))
    else:
        path.write_text("".join(texts[pid] + "\n" for pid in ids))
    result = run_cli("run", "--out", tmp_path / "out", "--translations", path)
    assert result.returncode == 0, result.stderr
    assert {r["id"]: r["mt_text"] for r in arabic_rows(tmp_path / "out")} == texts
    translation = json.loads((tmp_path / "out" / "manifest.json").read_text())["translation"]
    assert translation["backend"] == "precomputed" and translation["provided"] == len(ids)


def test_missing_model_is_reported_and_the_run_goes_on(tmp_path):
    env = offline_env(tmp_path)
    result = run_cli("run", "--out", tmp_path / "out", "--mt-model", "Helsinki-NLP/opus-mt-ar-en", env=env)
    assert result.returncode == 0, result.stderr
    assert "MT MODEL MISSING" in result.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["translation"]["status"].startswith("missing")
    assert "No machine translation in this run" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert not any(r.get("mt_text") for r in arabic_rows(tmp_path / "out"))


def test_require_mt_makes_a_missing_model_an_error(tmp_path):
    result = run_cli(
        "run",
        "--out",
        tmp_path / "out",
        "--mt-model",
        "Helsinki-NLP/opus-mt-ar-en",
        "--require-mt",
        env=offline_env(tmp_path),
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith("error: Helsinki-NLP/opus-mt-ar-en: MT model not available")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_eval_mt_translates_the_source_with_a_model(tiny_marian, tmp_path):
    src = tmp_path / "src.ar"
    src.write_text("أعلنت المفوضية النتائج\nكركوك\n", encoding="utf-8")
    ref = tmp_path / "ref.en"
    ref.write_text("The commission announced the results\nKirkuk\n", encoding="utf-8")
    hyp = tmp_path / "hyp.en"
    result = run_cli(
        "eval",
        "mt",
        "--src",
        src,
        "--ref",
        ref,
        "--hyp",
        hyp,
        "--mt-model",
        tiny_marian,
        "--cache",
        tmp_path / "cache",
        *FAST,
        env=offline_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"bleu", "chrf", "chrf++", "signature"} <= set(scores)
    assert len(hyp.read_text(encoding="utf-8").splitlines()) == 2


class FakeHub:
    """Stands in for the Hugging Face hub: lists files with sizes and sha256, and "downloads" them."""

    def __init__(self, files: dict[str, bytes], tamper: str | None = None):
        import hashlib
        from types import SimpleNamespace

        self.files, self.tamper = files, tamper
        self.siblings = [
            SimpleNamespace(
                rfilename=name, size=len(data), lfs=SimpleNamespace(sha256=hashlib.sha256(data).hexdigest())
            )
            for name, data in files.items()
        ]

    def model_info(self, name, revision, files_metadata):
        from types import SimpleNamespace

        return SimpleNamespace(sha="a" * 40, siblings=self.siblings)

    def snapshot_download(self, name, revision, local_dir, allow_patterns):
        Path(local_dir).mkdir(parents=True)
        for file in allow_patterns:
            data = self.files[file]
            (Path(local_dir) / file).write_bytes(data[:-1] + b"X" if file == self.tamper else data)


@pytest.mark.parametrize("tamper", [None, "model.safetensors"])
def test_models_download_verifies_hashes_and_writes_atomically(tmp_path, monkeypatch, tamper):
    import huggingface_hub

    from pipeline.errors import PipelineError
    from pipeline.mt import download, models

    hub = FakeHub(
        {
            "config.json": b"{}",
            "vocab.json": b"{}",
            "source.spm": b"s",
            "model.safetensors": b"weights",
            "pytorch_model.bin": b"old weights",
            "tf_model.h5": b"tf",
        },
        tamper,
    )
    monkeypatch.setattr(huggingface_hub, "HfApi", lambda: hub)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", hub.snapshot_download)
    monkeypatch.setattr(download, "check_hub_reachable", lambda endpoint: None)  # the fake hub needs no network
    monkeypatch.setattr(models, "MODELS_DIR", tmp_path)
    target = tmp_path / "Helsinki-NLP--opus-mt-ar-en"
    if tamper:
        with pytest.raises(PipelineError, match="sha256 does not match"):
            download.download_model("Helsinki-NLP/opus-mt-ar-en")
        assert list(tmp_path.iterdir()) == []  # nothing half-written
        return
    folder = download.download_model("Helsinki-NLP/opus-mt-ar-en")
    assert folder == target
    record = json.loads((folder / ".download.json").read_text())
    assert record["revision"] == "a" * 40
    assert sorted(f["path"] for f in record["files"]) == [
        "config.json",
        "model.safetensors",
        "source.spm",
        "vocab.json",
    ]
    with pytest.raises(PipelineError, match="already exists"):
        download.download_model("Helsinki-NLP/opus-mt-ar-en")


def test_models_without_network_says_so(tmp_path):
    result = run_cli(
        "models", "Helsinki-NLP/opus-mt-ar-en", env={**offline_env(tmp_path), "HF_ENDPOINT": "http://127.0.0.1:9"}
    )
    assert result.returncode == 2
    assert "cannot download from the Hugging Face hub" in result.stderr
    assert "by hand" in result.stderr and "Traceback" not in result.stderr
