"""transformers backend: MarianMT / NLLB (any AutoModelForSeq2SeqLM) on CPU with torch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.mt.base import Decoding, Translator
from pipeline.mt.models import KNOWN_MODELS, resolve_model, weights_hash
from pipeline.progress import quiet_transformers


def _from_pretrained_kwargs(name: str, is_local: bool, allow_download: bool) -> dict:
    known = KNOWN_MODELS.get(name)
    return {} if is_local else {"local_files_only": not allow_download, "revision": known.revision if known else None}


def _not_available(name: str, is_local: bool, allow_download: bool, exc: Exception) -> PipelineError:
    where = "this folder" if is_local else ("the hub" if allow_download else "models/ or the local Hugging Face cache")
    return PipelineError(name, f"MT model not available from {where} ({str(exc).splitlines()[0][:200]})")


def load_tokenizer(name: str, allow_download: bool = False):
    """(tokenizer, config, source, is_local) without the weights; raises PipelineError when the model is
    not available here."""
    try:
        from transformers import AutoConfig, AutoTokenizer
    except ImportError:
        raise PipelineError(None, "MT needs torch, transformers and sentencepiece installed") from None
    quiet_transformers()
    source, is_local = resolve_model(name)
    kwargs = _from_pretrained_kwargs(name, is_local, allow_download)
    try:
        return (
            AutoTokenizer.from_pretrained(source, **kwargs),
            AutoConfig.from_pretrained(source, **kwargs),
            source,
            is_local,
        )
    except (OSError, ValueError) as exc:
        raise _not_available(name, is_local, allow_download, exc) from None


def load_hf_model(name: str, allow_download: bool = False):
    """(tokenizer, model, source, is_local); raises PipelineError when the model is not available here."""
    tokenizer, _, source, is_local = load_tokenizer(name, allow_download)
    from transformers import AutoModelForSeq2SeqLM

    try:
        model = AutoModelForSeq2SeqLM.from_pretrained(source, **_from_pretrained_kwargs(name, is_local, allow_download))
    except (OSError, ValueError) as exc:
        raise _not_available(name, is_local, allow_download, exc) from None
    return tokenizer, model.eval(), source, is_local


def source_limit(tokenizer, config) -> int:
    """The longest source (in tokens) the model accepts."""
    limit = int(getattr(config, "max_position_embeddings", None) or 512)
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    return min(limit, int(tokenizer_limit)) if tokenizer_limit and tokenizer_limit < 1e6 else limit


def model_revision(name: str, source: str, is_local: bool, config) -> str:
    """A local folder's content hash, else the hub commit the files came from."""
    return weights_hash(Path(source)) if is_local else getattr(config, "_commit_hash", None) or "unknown"


class TokenizerTranslator(Translator):
    """What both model backends share: a transformers tokenizer, NLLB language codes, token counting and
    the cache signature. Subclasses set ``tokenizer``, ``name``, ``revision`` and ``decoding``."""

    tokenizer: Any
    name: str
    revision: str | None
    decoding: Decoding

    def _set_languages(self) -> None:
        known = KNOWN_MODELS.get(self.name)
        self.source_lang = known.source_lang if known else None
        self.target_lang = known.target_lang if known else None
        if self.source_lang and hasattr(self.tokenizer, "src_lang"):
            self.tokenizer.src_lang = self.source_lang

    def count_tokens(self, text: str) -> int:
        # verbose=False: no warning for over-long text, split_long handles it
        return len(self.tokenizer(text, verbose=False)["input_ids"])

    def signature(self) -> dict:
        return {
            "model": self.name,
            "revision": self.revision,
            "backend": self.backend,
            "num_beams": self.decoding.num_beams,
            "max_new_tokens": self.decoding.max_new_tokens,
            "min_new_tokens": self.decoding.min_new_tokens,
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
        }


class TransformersTranslator(TokenizerTranslator):
    backend = "transformers"

    def __init__(
        self, name: str, threads: int | None = None, decoding: Decoding | None = None, allow_download: bool = False
    ):
        import torch

        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        self.name = name
        self.tokenizer, self.model, self.source, self.is_local = load_hf_model(name, allow_download)
        self.decoding = decoding or Decoding()
        self._set_languages()
        self.max_source_tokens = source_limit(self.tokenizer, self.model.config)
        self.revision = model_revision(name, self.source, self.is_local, self.model.config)

    def generate_kwargs(self) -> dict:
        kwargs = {"num_beams": self.decoding.num_beams, "max_new_tokens": self.decoding.max_new_tokens}
        if self.decoding.min_new_tokens:
            kwargs["min_new_tokens"] = self.decoding.min_new_tokens
        if self.target_lang:
            kwargs["forced_bos_token_id"] = self.tokenizer.convert_tokens_to_ids(self.target_lang)
        return kwargs

    def _translate(self, sentences: list[str]) -> list[str]:
        torch = self._torch
        # Batch by length: sentences of similar length pad less.
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        out = [""] * len(sentences)
        size = self.decoding.batch_size
        for start in range(0, len(order), size):
            idx = order[start : start + size]
            batch = self.tokenizer(
                [sentences[i] for i in idx],
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=self.max_source_tokens,
            )
            with torch.inference_mode():
                generated = self.model.generate(**batch, **self.generate_kwargs())
            for i, text in zip(idx, self.tokenizer.batch_decode(generated, skip_special_tokens=True), strict=True):
                out[i] = text.strip()
        return out
