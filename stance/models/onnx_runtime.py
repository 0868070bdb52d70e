"""Run an exported transformer with ONNX Runtime, without torch or transformers.

Tokenisation uses the ``tokenizers`` library on the folder's ``tokenizer.json`` (the same fast tokenizer
that ``transformers`` wraps), the forward pass an ONNX Runtime session, the sigmoid numpy: importing this
module and scoring with it loads neither torch nor transformers, so an exported folder starts fast.

>>> model = OnnxClassifier.load(Path("models/transformer-20260101-000000"), "model.int8.onnx")  # doctest: +SKIP
>>> model.predict_proba(["We welcome the talks."]).round(2)  # doctest: +SKIP
array([[0.03, 0.97, 0.05]], dtype=float32)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from stance.labels import LABELS
from stance.models.folder import read_transformer_settings
from stance.models.inputs import check_texts
from stance.models.kinds import ModelFolderError


class OnnxClassifier:
    """An exported transformer folder: preprocess (tokenizers) -> forward (ONNX Runtime) -> postprocess (sigmoid)."""

    def __init__(self, session: ort.InferenceSession, tokenizer: Tokenizer, *, thresholds: np.ndarray,
                 max_length: int = 128, metadata: dict | None = None) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.thresholds_ = np.asarray(thresholds, dtype=float)
        self.max_length = max_length
        self.metadata = metadata or {}
        self.input_names = [i.name for i in session.get_inputs()]
        self.truncated_ = 0

    @classmethod
    def load(cls, folder: Path | str, file_name: str = "model.int8.onnx") -> OnnxClassifier:
        folder = Path(folder)
        settings = read_transformer_settings(folder)
        try:
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            special = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8")) \
                if (folder / "tokenizer_config.json").is_file() else {}
        except (OSError, ValueError) as error:  # tokenizers raises Exception subclasses of ValueError for bad JSON
            raise ModelFolderError(f"{folder}: the tokenizer files are corrupted or missing ({error}). "
                                   "Retrain with `python train.py --model transformer`.") from None
        pad_token = special.get("pad_token", "[PAD]")
        tokenizer.enable_truncation(max_length=settings["max_length"])
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id(pad_token) or 0, pad_token=pad_token)
        options = ort.SessionOptions()
        options.intra_op_num_threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
        session = ort.InferenceSession(str(folder / file_name), options, providers=["CPUExecutionProvider"])
        return cls(session, tokenizer, thresholds=settings["thresholds"], max_length=settings["max_length"],
                   metadata={**settings["metadata"], "onnx_file": file_name})

    # -- inference: preprocess -> forward -> postprocess --------------------------------------------
    def preprocess(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Tokenise a batch; sentences that fill ``max_length`` were cut and are counted in ``truncated_``."""
        encodings = self.tokenizer.encode_batch(texts)
        batch = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                 "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                 "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
        self.truncated_ += int((batch["attention_mask"].sum(axis=1) >= self.max_length).sum())
        return batch

    def is_truncated(self, texts: list[str]) -> np.ndarray:
        """Which sentences reach ``max_length`` tokens and are cut before scoring."""
        return np.array([sum(e.attention_mask) >= self.max_length for e in self.tokenizer.encode_batch(texts)], dtype=bool)

    def forward(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run(None, {name: batch[name] for name in self.input_names})[0]

    @staticmethod
    def postprocess(logits: np.ndarray) -> np.ndarray:
        return (1.0 / (1.0 + np.exp(-logits.astype(np.float64)))).astype(np.float32)

    def predict_proba(self, texts, batch_size: int = 16) -> np.ndarray:
        """Probabilities ``(n, 3)``; batches are sorted by length to cut padding, results come back in input order.
        16 a batch was measured fastest on 2 cores, and dynamic int8 depends on the batch (see onnx_export)."""
        texts = check_texts(texts)
        order = np.argsort([len(text) for text in texts], kind="stable")
        probabilities = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = order[start:start + batch_size]
            probabilities[chunk] = self.postprocess(self.forward(self.preprocess([texts[i] for i in chunk])))
        return probabilities

    def predict(self, texts, batch_size: int = 16) -> np.ndarray:
        return (self.predict_proba(texts, batch_size) >= self.thresholds_).astype(int)
