"""transformers backend: MarianMT / NLLB (any AutoModelForSeq2SeqLM) on CPU with torch."""
from __future__ import annotations

from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.mt.base import Translator
from pipeline.mt.models import KNOWN_MODELS, resolve_model, weights_hash


def load_hf_model(name: str, allow_download: bool = False):
    """(tokenizer, model, source, is_local); raises PipelineError when the model is not available here."""
    try:
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    except ImportError:
        raise PipelineError(None, "the transformers backend needs torch, transformers and sentencepiece installed") from None
    source, is_local = resolve_model(name)
    known = KNOWN_MODELS.get(name)
    kwargs = {} if is_local else {"local_files_only": not allow_download,
                                  "revision": known.revision if known else None}
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
        model = AutoModelForSeq2SeqLM.from_pretrained(source, **kwargs)
    except (OSError, ValueError) as exc:
        where = "this folder" if is_local else ("the hub" if allow_download else "models/ or the local cache")
        raise PipelineError(name, f"MT model not available from {where} ({str(exc).splitlines()[0][:200]})") from None
    return tokenizer, model.eval(), source, is_local


class TransformersTranslator(Translator):
    backend = "transformers"

    def __init__(self, name: str, threads: int | None = None, batch_size: int = 16, num_beams: int = 4,
                 max_new_tokens: int = 256, allow_download: bool = False, loaded=None):
        import torch

        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        self.name = name
        self.tokenizer, self.model, self.source, self.is_local = loaded or load_hf_model(name, allow_download)
        self.batch_size, self.num_beams, self.max_new_tokens = batch_size, num_beams, max_new_tokens
        known = KNOWN_MODELS.get(name)
        self.source_lang = known.source_lang if known else getattr(self.tokenizer, "src_lang", None)
        self.target_lang = known.target_lang if known else None
        if self.source_lang and hasattr(self.tokenizer, "src_lang"):
            self.tokenizer.src_lang = self.source_lang
        limit = getattr(self.model.config, "max_position_embeddings", None) or 512
        self.max_source_tokens = min(int(limit), int(getattr(self.tokenizer, "model_max_length", limit) or limit))
        self.revision = (weights_hash(Path(self.source)) if self.is_local
                         else getattr(self.model.config, "_commit_hash", None) or "unknown")

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text)["input_ids"])

    def generate_kwargs(self) -> dict:
        kwargs = {"num_beams": self.num_beams, "max_new_tokens": self.max_new_tokens}
        if self.target_lang:
            kwargs["forced_bos_token_id"] = self.tokenizer.convert_tokens_to_ids(self.target_lang)
        return kwargs

    def _translate(self, sentences: list[str]) -> list[str]:
        torch = self._torch
        # Batch by length: sentences of similar length pad less.
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        out = [""] * len(sentences)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            batch = self.tokenizer([sentences[i] for i in idx], return_tensors="pt", padding=True,
                                   truncation=True, max_length=self.max_source_tokens)
            with torch.inference_mode():
                generated = self.model.generate(**batch, **self.generate_kwargs())
            for i, text in zip(idx, self.tokenizer.batch_decode(generated, skip_special_tokens=True)):
                out[i] = text.strip()
        return out

    def signature(self) -> dict:
        return {"model": self.name, "revision": self.revision, "backend": self.backend,
                "num_beams": self.num_beams, "max_new_tokens": self.max_new_tokens,
                "source_lang": self.source_lang, "target_lang": self.target_lang}
