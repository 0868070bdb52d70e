"""Serve a trained model: ``predict(sentence)`` and :class:`Predictor`.

>>> from stance import predict
>>> predict("It's not about pointing fingers.")  # doctest: +SKIP
Prediction(text="It's not about pointing fingers.", probabilities={'blame': 0.08, ...}, labels=['neutral'])
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path

import numpy as np

from stance.labels import LABELS
from stance.models.folder import latest_run, load_model
from stance.models.inputs import check_texts
from stance.models.kinds import TFIDF, TRAIN_HINT, TRANSFORMER, ModelFolderError

NEUTRAL = "neutral"


@dataclass(frozen=True)
class Prediction:
    """One sentence's result: a probability per label and the labels above their thresholds (or ``neutral``)."""

    text: str
    probabilities: dict[str, float]
    labels: list[str]

    def to_dict(self) -> dict:
        """Plain JSON-ready data."""
        return asdict(self)


class Predictor:
    """A loaded model folder of either kind, with ``predict``, ``predict_proba`` and streaming ``predict_batch``."""

    def __init__(self, model, *, source: Path) -> None:
        self.model = model
        self.source = source

    @classmethod
    def load(cls, folder: Path | str, backend: str = "auto") -> Predictor:
        """Load a model folder of either kind; ``backend`` (auto, onnx, torch) applies to transformers."""
        return cls(load_model(folder, backend), source=Path(folder))

    @property
    def thresholds(self) -> np.ndarray:
        return self.model.thresholds_

    @property
    def truncated(self) -> int:
        """How many sentences so far reached the model's maximum length and were cut (0 for TF-IDF)."""
        return getattr(self.model, "truncated_", 0)

    def predict_proba(self, texts: Iterable[str], batch_size: int = 32) -> np.ndarray:
        """Probabilities ``(n, 3)``; ``batch_size`` sentences go through a transformer at a time."""
        return self.model.predict_proba(check_texts(texts), batch_size=batch_size)

    def _results(self, texts: list[str], probabilities: np.ndarray) -> list[Prediction]:
        results = []
        for text, row in zip(texts, probabilities):
            labels = [label for label, p, t in zip(LABELS, row, self.thresholds) if p >= t]
            results.append(Prediction(text, {label: round(float(p), 4) for label, p in zip(LABELS, row)},
                                      labels or [NEUTRAL]))
        return results

    def predict(self, sentences: str | Iterable[str]) -> Prediction | list[Prediction]:
        """One sentence gives one :class:`Prediction`; a list gives a list, in order."""
        single = isinstance(sentences, str)
        texts = [sentences] if single else check_texts(sentences)
        results = self._results(texts, self.model.predict_proba(texts))
        return results[0] if single else results

    def predict_batch(self, sentences: Iterable[str], batch_size: int = 256) -> Iterator[Prediction]:
        """Stream predictions for any iterable, ``batch_size`` sentences at a time, in input order."""
        iterator = iter(sentences)
        while chunk := list(islice(iterator, batch_size)):
            yield from self.predict(chunk)


def default_model_folder(models_dir: Path = Path("models")) -> Path:
    """``$STANCE_MODEL``, else the newest transformer under ``models/``, else the newest TF-IDF baseline."""
    if os.environ.get("STANCE_MODEL"):
        return Path(os.environ["STANCE_MODEL"])
    for kind in (TRANSFORMER, TFIDF):
        if (folder := latest_run(models_dir, kind)) is not None:
            return folder
    raise ModelFolderError(f"No trained model found. Tried $STANCE_MODEL (unset), {models_dir}/{TRANSFORMER}-* and "
                           f"{models_dir}/{TFIDF}-*. {TRAIN_HINT}")


_default: Predictor | None = None


def predict(sentences: str | Iterable[str]) -> Prediction | list[Prediction]:
    """Label one sentence or a list with the default model (loaded once, then reused)."""
    global _default
    if _default is None:
        _default = Predictor.load(default_model_folder())
    return _default.predict(sentences)
