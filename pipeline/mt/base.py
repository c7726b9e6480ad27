"""The translation backend interface: sentences in, sentences out, plus a signature that keys the cache."""

from __future__ import annotations

import abc
from dataclasses import dataclass

from pipeline.errors import PipelineError


@dataclass(frozen=True)
class Decoding:
    """Decoding settings shared by the backends. All but ``batch_size`` (speed only) are in the cache key."""

    num_beams: int = 4
    max_new_tokens: int = 256
    min_new_tokens: int = 0  # >0 only in benchmarks, to fix the output length
    batch_size: int = 8  # the fastest on 2 cores for both backends (bench mt)

    def __post_init__(self) -> None:
        for name, flag in (
            ("num_beams", "--mt-beams"),
            ("max_new_tokens", "--mt-max-new-tokens"),
            ("batch_size", "--mt-batch-size"),
        ):
            if getattr(self, name) < 1:
                raise PipelineError(None, f"{flag} must be at least 1")
        if self.min_new_tokens < 0:
            raise PipelineError(None, "min_new_tokens must be at least 0")


class Translator(abc.ABC):
    """One MT backend. Subclasses implement ``_translate`` and ``count_tokens``; ``signature`` must change
    whenever the output for the same input could change (model, revision/weights, backend, decoding)."""

    backend: str = "abstract"
    max_source_tokens: int = 512

    @abc.abstractmethod
    def _translate(self, sentences: list[str]) -> list[str]:
        """Translate one batch (same length in, same length out)."""

    @abc.abstractmethod
    def count_tokens(self, text: str) -> int:
        """Source tokens the model sees for ``text`` (special tokens included)."""

    @abc.abstractmethod
    def signature(self) -> dict:
        """Model id, revision or weights hash, backend and decoding settings."""

    def translate(self, sentences: list[str]) -> list[str]:
        out = self._translate(list(sentences)) if sentences else []
        if len(out) != len(sentences):
            raise RuntimeError(f"{self.backend} returned {len(out)} translations for {len(sentences)} sentences")
        return out
