"""CTranslate2 backend: the same transformers model converted to int8 (cached in ``models/ct2/``).

Conversion runs once per (model, weights hash, quantization); the converted folder is reused after that.
Tokenisation stays with the transformers tokenizer, so both backends see the same subwords.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.mt.base import Decoding
from pipeline.mt.hf import TokenizerTranslator, load_tokenizer, model_revision, source_limit
from pipeline.mt.models import MODELS_DIR


def ct2_folder(name: str, revision: str, quantization: str) -> Path:
    """Where the converted model is cached: one folder per (model, weights, quantization)."""
    return (
        MODELS_DIR
        / "ct2"
        / f"{Path(name).name if Path(name).is_dir() else name.replace('/', '--')}-{revision}-{quantization}"
    )


def convert_to_ct2(source: str, output_dir: Path, quantization: str = "int8", force: bool = False) -> Path:
    """Convert a local transformers model folder to CTranslate2 (load → validate → convert → save).

    Writes into a temporary folder and renames it into place, so a failed conversion leaves nothing
    half-written. An existing conversion is reused, not replaced, unless ``force``. Raises PipelineError when
    ctranslate2 is missing or the model cannot be converted."""
    try:
        import ctranslate2
    except ImportError:
        raise PipelineError(None, "the ctranslate2 backend needs the ctranslate2 package installed") from None
    output_dir = Path(output_dir)
    if (output_dir / "model.bin").is_file() and not force:
        return output_dir
    tmp = output_dir.with_name(output_dir.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        ctranslate2.converters.TransformersConverter(source).convert(str(tmp), quantization=quantization, force=True)
    except Exception as exc:  # the converter raises many types; all mean "cannot convert this model"
        shutil.rmtree(tmp, ignore_errors=True)
        raise PipelineError(source, f"cannot convert to CTranslate2 ({type(exc).__name__}: {exc})") from None
    if output_dir.exists():
        shutil.rmtree(output_dir)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, output_dir)
    return output_dir


class CTranslate2Translator(TokenizerTranslator):
    """The model converted to CTranslate2 (int8 by default). Only the tokenizer and config are loaded with
    transformers; the torch weights are read once, for the conversion, and never kept in memory."""

    backend = "ctranslate2"

    def __init__(
        self,
        name: str,
        threads: int | None = None,
        decoding: Decoding | None = None,
        quantization: str = "int8",
        allow_download: bool = False,
        ct2_dir: Path | None = None,
        workers: int | None = None,
    ):
        """``threads`` cores in all (default: every core), shared by ``workers`` batches translated at once
        (default: one per core; more workers than threads share them). Raises PipelineError for fewer than
        one worker, or a model that is not a local folder or cannot be converted."""
        import ctranslate2

        if workers is not None and workers < 1:
            raise PipelineError(None, f"the ctranslate2 backend needs at least one worker, not {workers}")
        self.name = name
        self.tokenizer, config, self.source, self.is_local = load_tokenizer(name, allow_download)
        if not self.is_local:
            raise PipelineError(name, "the ctranslate2 backend converts a local model folder: run `make models` first")
        self.revision = model_revision(name, self.source, self.is_local, config)
        self.ct2_dir = convert_to_ct2(
            self.source, ct2_dir or ct2_folder(name, self.revision, quantization), quantization
        )
        self.max_source_tokens = source_limit(self.tokenizer, config)
        threads = threads or os.cpu_count() or 1
        # Throughput: on CPU, independent batches on single-threaded workers (CTranslate2's inter_threads) beat
        # one batch spread over every core; on 2 cores, 2 workers translate 1.6–1.9× the tokens/s of 1 (bench mt).
        self.workers = workers or threads
        self.translator = ctranslate2.Translator(
            str(self.ct2_dir), device="cpu", inter_threads=self.workers, intra_threads=max(1, threads // self.workers)
        )
        self.quantization, self.decoding = quantization, decoding or Decoding()
        self._set_languages()

    def _translate(self, sentences: list[str]) -> list[str]:
        tokens = [
            self.tokenizer.convert_ids_to_tokens(
                self.tokenizer(s, truncation=True, max_length=self.max_source_tokens)["input_ids"]
            )
            for s in sentences
        ]
        prefix = [[self.target_lang]] * len(tokens) if self.target_lang else None
        decoding = self.decoding
        # max_batch_size with batch_type="examples": CTranslate2 sorts by length, cuts batches and hands them to
        # its workers; batches no larger than an even share keep every worker busy on a short input.
        batch_size = max(1, min(decoding.batch_size, math.ceil(len(tokens) / self.workers)))
        results = self.translator.translate_batch(
            tokens,
            target_prefix=prefix,
            max_batch_size=batch_size,
            batch_type="examples",
            beam_size=decoding.num_beams,
            max_decoding_length=decoding.max_new_tokens,
            min_decoding_length=decoding.min_new_tokens,
        )
        out = []
        for result in results:
            hyp = result.hypotheses[0]
            if self.target_lang and hyp and hyp[0] == self.target_lang:
                hyp = hyp[1:]
            ids = self.tokenizer.convert_tokens_to_ids(hyp)
            out.append(self.tokenizer.decode(ids, skip_special_tokens=True).strip())
        return out

    def signature(self) -> dict:
        return {**super().signature(), "quantization": self.quantization}
