"""Run an exported transformer with ONNX Runtime: same preprocessing and thresholds, another forward pass.

>>> model = OnnxClassifier.load(Path("models/transformer-20260101-000000"), "model.int8.onnx")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from stance.models.transformer import TransformerClassifier


class OnnxClassifier(TransformerClassifier):
    """A :class:`TransformerClassifier` whose forward pass is an ONNX Runtime session."""

    def __init__(self, session: ort.InferenceSession, tokenizer, **options) -> None:
        super().__init__(None, tokenizer, **options)
        self.session = session
        self.input_names = [i.name for i in session.get_inputs()]

    @classmethod
    def load(cls, folder: Path | str, file_name: str = "model.int8.onnx") -> OnnxClassifier:
        folder = Path(folder)
        config = TransformerClassifier.load_config(folder)
        options = ort.SessionOptions()
        options.intra_op_num_threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
        session = ort.InferenceSession(str(folder / file_name), options, providers=["CPUExecutionProvider"])
        return cls(session, config["tokenizer"], thresholds=config["thresholds"],
                   max_length=config["max_length"], metadata={**config["metadata"], "onnx_file": file_name})

    def predict_proba(self, texts, batch_size: int = 32) -> np.ndarray:
        return self._predict_batches(texts, batch_size)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        feeds = {name: batch[name].numpy() for name in self.input_names}
        return torch.from_numpy(self.session.run(None, feeds)[0])
