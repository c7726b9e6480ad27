"""Machine translation: backends behind one interface (:mod:`pipeline.mt.base`).

Backends: ``transformers`` (torch, CPU), ``ctranslate2`` (int8, converted from the local transformers
model and cached in ``models/ct2/``) and ``precomputed`` (``--translations FILE``).
"""

from __future__ import annotations

from pipeline.errors import PipelineError
from pipeline.mt.base import Translator
from pipeline.config import MT_BACKEND
from pipeline.config import MT_BACKENDS as BACKENDS


def load_translator(
    name: str, backend: str = MT_BACKEND, threads: int | None = None, allow_download: bool = False, decoding=None
) -> Translator:
    """Load MT model ``name`` (hub id or local folder) with ``backend`` and ``decoding`` settings
    (:class:`pipeline.mt.base.Decoding`); raises PipelineError when the model is not available here or the
    backend is unknown."""
    from pipeline.mt.base import Decoding

    decoding = decoding or Decoding()
    if backend == "transformers":
        from pipeline.mt.hf import TransformersTranslator

        return TransformersTranslator(name, threads=threads, decoding=decoding, allow_download=allow_download)
    if backend == "ctranslate2":
        from pipeline.mt.ct2 import CTranslate2Translator

        return CTranslate2Translator(name, threads=threads, decoding=decoding, allow_download=allow_download)
    raise PipelineError(None, f"unknown MT backend {backend!r} (expected one of {', '.join(BACKENDS)})")


__all__ = ["Translator", "load_translator", "BACKENDS"]
