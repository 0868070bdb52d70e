"""What a model is trained and tuned on: the written corpus plus the real sentences, real ones weighted.

>>> from datasets import Dataset, DatasetDict
>>> rows = lambda *texts: Dataset.from_list([{"text": t, "labels": [1.0, 0.0, 0.0]} for t in texts])
>>> data = DatasetDict(train=rows("a", "b"), validation=rows("c"), real_train=rows("d"), real_validation=rows("e"))
>>> mix = training_mix(data, real_weight=2.0)
>>> mix.texts, mix.weights.tolist(), mix.validation_texts
(['a', 'b', 'd'], [1.0, 1.0, 2.0], ['c', 'e'])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class TrainingMix:
    texts: list[str]
    labels: np.ndarray
    weights: np.ndarray
    validation_texts: list[str]
    validation_labels: np.ndarray
    real_sentences: int = 0
    real_weight: float = 1.0

    @property
    def sample_weight(self) -> np.ndarray | None:
        """The weights, or None when every sentence counts once (a fit then runs exactly as without weights)."""
        return self.weights if (self.weights != 1).any() else None

    def describe(self) -> dict:
        """What the model was trained on, for ``stance_config.json`` and the model card."""
        return {"written_sentences": len(self.texts) - self.real_sentences, "real_sentences": self.real_sentences,
                "real_weight": self.real_weight, "validation_sentences": len(self.validation_texts)}


def training_mix(dataset, *, real_weight: float = 1.0) -> TrainingMix:
    """Train on ``train`` + ``real_train`` (each real sentence counting ``real_weight``); tune thresholds and pick
    the best epoch on ``validation`` + ``real_validation``. Real splits that are absent or empty add nothing."""
    def part(name: str) -> tuple[list[str], np.ndarray]:
        if name not in dataset or len(dataset[name]) == 0:
            return [], np.zeros((0, 3), dtype=int)
        return list(dataset[name]["text"]), np.array(dataset[name]["labels"], dtype=int)

    written, real = part("train"), part("real_train")
    validation, real_validation = part("validation"), part("real_validation")
    return TrainingMix(texts=written[0] + real[0], labels=np.vstack([written[1], real[1]]),
                       weights=np.r_[np.ones(len(written[0])), np.full(len(real[0]), float(real_weight))],
                       validation_texts=validation[0] + real_validation[0],
                       validation_labels=np.vstack([validation[1], real_validation[1]]),
                       real_sentences=len(real[0]), real_weight=float(real_weight))
