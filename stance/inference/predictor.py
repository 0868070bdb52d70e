"""Serve a trained model: ``predict(sentence)`` and :class:`Predictor`.

>>> from stance import predict
>>> predict("It's not about pointing fingers.")  # doctest: +SKIP
Prediction(text="It's not about pointing fingers.", probabilities={'blame': 0.08, ...}, labels=['neutral'])
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import cached_property
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
    """One sentence's result: a probability per label, the labels above their thresholds (or ``neutral``) and,
    when asked for, the cue words of each predicted label (see :mod:`stance.inference.explain`)."""

    text: str
    probabilities: dict[str, float]
    labels: list[str]
    cues: dict[str, list[dict]] | None = None

    def to_dict(self) -> dict:
        """Plain JSON-ready data (``cues`` only when explained)."""
        data = asdict(self)
        if self.cues is None:
            del data["cues"]
        return data


class Predictor:
    """A loaded model folder of either kind, with ``predict``, ``predict_proba`` and streaming ``predict_batch``."""

    def __init__(self, model, *, source: Path) -> None:
        self.model = model
        self.source = source

    @classmethod
    def load(cls, folder: Path | str, backend: str = "auto") -> Predictor:
        """Load a model folder of either kind; ``backend`` (auto, onnx, torch) applies to transformers."""
        return cls(load_model(folder, backend), source=Path(folder))

    @cached_property
    def info(self) -> dict:
        """Where the model comes from: its folder and the hash of the data it was trained on (read once)."""
        config = next(f for f in (self.source / "stance_config.json", self.source / "config.json") if f.is_file())
        return {"path": str(self.source), "data_hash": json.loads(config.read_text(encoding="utf-8")).get("data_hash")}

    @property
    def thresholds(self) -> np.ndarray:
        return self.model.thresholds_

    @property
    def truncated(self) -> int:
        """How many sentences so far reached the model's maximum length and were cut (0 for TF-IDF)."""
        return getattr(self.model, "truncated_", 0)

    def truncated_mask(self, texts: list[str]) -> np.ndarray:
        """Which sentences are longer than the model reads (always none for TF-IDF, which reads everything)."""
        if hasattr(self.model, "is_truncated"):
            return self.model.is_truncated(texts)
        return np.zeros(len(texts), dtype=bool)

    def predict_proba(self, texts: Iterable[str], batch_size: int = 16) -> np.ndarray:
        """Probabilities ``(n, 3)``; ``batch_size`` sentences go through a transformer at a time."""
        return self.model.predict_proba(check_texts(texts), batch_size=batch_size)

    def explain(self, texts: list[str], probabilities: np.ndarray | None = None) -> list[dict[str, list[dict]]]:
        """The cue words of each text's predicted labels (word ablation, batched; see :mod:`stance.inference.explain`)."""
        from stance.inference.explain import explain

        return explain(self.model.predict_proba, texts, self.thresholds, probabilities=probabilities)

    def labels_of(self, row: np.ndarray) -> list[str]:
        """The labels whose probability in ``row`` reaches its threshold (empty for a neutral sentence)."""
        return [label for label, p, t in zip(LABELS, row, self.thresholds) if p >= t]

    def _results(self, texts: list[str], probabilities: np.ndarray, explain: bool = False) -> list[Prediction]:
        cues = self.explain(texts, probabilities) if explain else [None] * len(texts)
        results = []
        for text, row, cue in zip(texts, probabilities, cues):
            results.append(Prediction(text, {label: round(float(p), 4) for label, p in zip(LABELS, row)},
                                      self.labels_of(row) or [NEUTRAL], cue))
        return results

    def predict(self, sentences: str | Iterable[str], explain: bool = False) -> Prediction | list[Prediction]:
        """One sentence gives one :class:`Prediction`; a list gives a list, in order; ``explain`` adds the cues."""
        single = isinstance(sentences, str)
        texts = [sentences] if single else check_texts(sentences)
        results = self._results(texts, self.model.predict_proba(texts), explain)
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


def predict(sentences: str | Iterable[str], explain: bool = False) -> Prediction | list[Prediction]:
    """Label one sentence or a list with the default model (loaded once, then reused); ``explain`` adds the cue
    words of each predicted label as ``Prediction.cues``."""
    global _default
    if _default is None:
        _default = Predictor.load(default_model_folder())
    return _default.predict(sentences, explain)
