"""Adapting to an unlabelled archive: confident silver labels for self-training, and the TF-IDF student
that learns from the written corpus plus archive sentences labelled by a teacher.

>>> probabilities = np.array([[.95, .02, .5], [.03, .97, .04], [.04, .02, .01], [.9, .9, .9]])
>>> rows, labels = select_silver(probabilities, per_label=1, low=0.1, high=0.8)
>>> rows.tolist(), labels.tolist()
([1, 2, 3], [[0, 1, 0], [0, 0, 0], [1, 1, 1]])
"""

from __future__ import annotations

import numpy as np

from stance.models.baseline import TfidfBaseline


def select_silver(probabilities: np.ndarray, *, per_label: int, low: float = 0.1,
                  high: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Rows the teacher is sure of on every label, balanced: per label up to ``per_label`` of the most
    confident positives and as many negatives. Returns (row indices, 0/1 silver labels)."""
    sure = ((probabilities <= low) | (probabilities >= high)).all(axis=1)
    chosen: set[int] = set()
    for j in range(probabilities.shape[1]):
        positives = np.flatnonzero(sure & (probabilities[:, j] >= high))
        negatives = np.flatnonzero(sure & (probabilities[:, j] <= low))
        k = min(per_label, len(positives), len(negatives))
        chosen |= set(positives[np.argsort(-probabilities[positives, j])][:k].tolist())
        chosen |= set(negatives[np.argsort(probabilities[negatives, j])][:k].tolist())
    rows = np.array(sorted(chosen), dtype=int)
    return rows, (probabilities[rows] >= high).astype(int)


def fit_tfidf_student(texts: list[str], labels: np.ndarray, extra_texts: list[str], extra_labels: np.ndarray, *,
                      weight: float, validation: tuple[list[str], np.ndarray], seed: int = 13) -> TfidfBaseline:
    """A TF-IDF baseline trained on the written corpus plus archive sentences with silver or distilled
    labels, each of those counting ``weight`` of a written sentence."""
    return TfidfBaseline(seed=seed).fit(
        list(texts) + list(extra_texts), np.vstack([labels, extra_labels]), validation=validation,
        sample_weight=np.r_[np.ones(len(texts)), np.full(len(extra_texts), weight)])
