"""A transformers sentence encoder from a hub id or a local folder (LaBSE, multilingual-e5, ...).

Pooling follows each model family: LaBSE uses the pooler output of [CLS]; e5 models mean-pool the last
hidden state over real tokens and expect a ``query: `` prefix; other models mean-pool.
"""

from __future__ import annotations

import numpy as np

from pipeline.encoders.base import Encoder
from pipeline.errors import PipelineError


class TransformersEncoder(Encoder):
    batch_size = 32

    def __init__(self, model: str, threads: int | None = None, max_length: int = 512):
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
        except ImportError:
            raise PipelineError(None, "a transformers encoder needs torch and transformers installed") from None
        if threads:
            torch.set_num_threads(threads)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(model)
            self._model = AutoModel.from_pretrained(model).eval()
        except (OSError, ValueError) as exc:
            raise PipelineError(
                model, f"cannot load a transformers encoder from here ({str(exc).splitlines()[0]})"
            ) from None
        self.model_id = model
        self.name = f"hf:{model}"
        lowered = model.lower()
        self.pooling = "pooler" if "labse" in lowered else "mean"
        self.prefix = "query: " if "e5" in lowered else ""
        self.max_length = max_length
        self._torch = torch

    @property
    def dim(self) -> int:
        return int(self._model.config.hidden_size)

    def _encode_batch(self, texts: list[str], lang: str) -> np.ndarray:
        torch = self._torch
        batch = self._tokenizer(
            [self.prefix + t for t in texts],
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )
        with torch.inference_mode():
            output = self._model(**batch)
        if self.pooling == "pooler" and getattr(output, "pooler_output", None) is not None:
            return output.pooler_output.float().numpy()
        mask = batch["attention_mask"].unsqueeze(-1).to(output.last_hidden_state.dtype)
        summed = (output.last_hidden_state * mask).sum(dim=1)
        return (summed / mask.sum(dim=1).clamp(min=1)).float().numpy()

    def signature(self) -> dict:
        return {
            "encoder": self.name,
            "pooling": self.pooling,
            "prefix": self.prefix,
            "revision": getattr(self._model.config, "_commit_hash", None),
        }
