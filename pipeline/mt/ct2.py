"""CTranslate2 backend: the same transformers model converted to int8 (cached in ``models/ct2/``).

Conversion runs once per (model, weights hash, quantization); the converted folder is reused after that.
Tokenisation stays with the transformers tokenizer, so both backends see the same subwords.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.mt.base import Translator
from pipeline.mt.hf import load_hf_model
from pipeline.mt.models import KNOWN_MODELS, MODELS_DIR, weights_hash


def convert_to_ct2(source: str, output_dir: Path, quantization: str = "int8", force: bool = False) -> Path:
    """Convert a local transformers model folder to CTranslate2 (load → validate → convert → save).

    Writes into a temporary folder and renames it into place, so a failed conversion leaves nothing
    half-written. Refuses to replace an existing conversion unless ``force``. Raises PipelineError when
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


class CTranslate2Translator(Translator):
    backend = "ctranslate2"

    def __init__(self, name: str, threads: int | None = None, batch_size: int = 16, num_beams: int = 4,
                 max_new_tokens: int = 256, quantization: str = "int8", allow_download: bool = False,
                 loaded=None, ct2_dir: Path | None = None):
        import ctranslate2

        self.name = name
        self.tokenizer, model, self.source, self.is_local = loaded or load_hf_model(name, allow_download)
        self.revision = weights_hash(Path(self.source)) if self.is_local else getattr(model.config, "_commit_hash", None) or "unknown"
        if ct2_dir is None:
            ct2_dir = MODELS_DIR / "ct2" / f"{name.strip('/').replace('/', '--')}-{self.revision}-{quantization}"
        if not self.is_local:
            raise PipelineError(name, "the ctranslate2 backend converts a local model folder: run `make models` first")
        self.ct2_dir = convert_to_ct2(self.source, ct2_dir, quantization)
        limit = getattr(model.config, "max_position_embeddings", None) or 512
        self.max_source_tokens = int(limit)
        del model  # the converted model replaces it; free the torch weights
        self.translator = ctranslate2.Translator(str(self.ct2_dir), device="cpu",
                                                 inter_threads=1, intra_threads=threads or os.cpu_count() or 1)
        self.quantization, self.batch_size = quantization, batch_size
        self.num_beams, self.max_new_tokens = num_beams, max_new_tokens
        known = KNOWN_MODELS.get(name)
        self.source_lang = known.source_lang if known else None
        self.target_lang = known.target_lang if known else None
        if self.source_lang and hasattr(self.tokenizer, "src_lang"):
            self.tokenizer.src_lang = self.source_lang

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text)["input_ids"])

    def _translate(self, sentences: list[str]) -> list[str]:
        tokens = [self.tokenizer.convert_ids_to_tokens(self.tokenizer(s, truncation=True,
                                                                      max_length=self.max_source_tokens)["input_ids"])
                  for s in sentences]
        prefix = [[self.target_lang]] * len(tokens) if self.target_lang else None
        results = self.translator.translate_batch(
            tokens, target_prefix=prefix, max_batch_size=self.batch_size, batch_type="examples",
            beam_size=self.num_beams, max_decoding_length=self.max_new_tokens)
        out = []
        for result in results:
            hyp = result.hypotheses[0]
            if self.target_lang and hyp and hyp[0] == self.target_lang:
                hyp = hyp[1:]
            ids = self.tokenizer.convert_tokens_to_ids(hyp)
            out.append(self.tokenizer.decode(ids, skip_special_tokens=True).strip())
        return out

    def signature(self) -> dict:
        return {"model": self.name, "revision": self.revision, "backend": self.backend,
                "quantization": self.quantization, "num_beams": self.num_beams,
                "max_new_tokens": self.max_new_tokens, "target_lang": self.target_lang}
