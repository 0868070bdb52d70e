"""Multi-label metrics shared by every model: thresholds, scores and calibration.

>>> y = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 1], [0, 0, 0]])
>>> p = np.array([[.9, .2, .1], [.3, .8, .4], [.6, .7, .9], [.2, .1, .6]])
>>> m = compute_metrics(y, p, np.full(3, .5))
>>> m["per_label"]["hedging"]["precision"], m["macro_f1"], m["exact_match"]
(0.5, 0.8889, 0.75)
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    multilabel_confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_auc_score,
)

from stance.labels import LABELS


def tune_thresholds(y_true: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Per label, the probability threshold that maximises F1 on ``(y_true, probabilities)``.

    >>> tune_thresholds(np.array([[1], [1], [0]]), np.array([[.8], [.4], [.3]])).round(2).tolist()
    [0.4]
    """
    thresholds = []
    for j in range(y_true.shape[1]):
        precision, recall, cuts = precision_recall_curve(y_true[:, j], probabilities[:, j])
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        thresholds.append(float(cuts[int(np.argmax(f1[:-1]))]) if len(cuts) else 0.5)
    return np.array(thresholds)


def expected_calibration_error(y_true: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> float:
    """Mean gap between confidence and accuracy over equal-width probability bins, weighted by bin size."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(probabilities, edges[1:-1]), 0, bins - 1)
    gap = sum(abs(probabilities[which == b].mean() - y_true[which == b].mean()) * (which == b).sum()
              for b in range(bins) if (which == b).any())
    return round(float(gap / len(y_true)), 4)


def _safe(metric, y: np.ndarray, p: np.ndarray) -> float | None:
    return round(float(metric(y, p)), 4) if 0 < y.sum() < len(y) else None


def compute_metrics(y_true: np.ndarray, probabilities: np.ndarray, thresholds: np.ndarray) -> dict:
    """Per-label precision, recall, F1, PR-AUC, ROC-AUC, support, confusion and ECE; macro/micro F1; exact match."""
    y_true = np.asarray(y_true, dtype=int)
    predicted = (probabilities >= thresholds).astype(int)
    precision, recall, f1, support = precision_recall_fscore_support(y_true, predicted, average=None, zero_division=0)
    confusion = multilabel_confusion_matrix(y_true, predicted)
    per_label = {
        label: {
            "precision": round(float(precision[j]), 4), "recall": round(float(recall[j]), 4),
            "f1": round(float(f1[j]), 4), "support": int(support[j]),
            "pr_auc": _safe(average_precision_score, y_true[:, j], probabilities[:, j]),
            "roc_auc": _safe(roc_auc_score, y_true[:, j], probabilities[:, j]),
            "confusion": {"tn": int(confusion[j][0, 0]), "fp": int(confusion[j][0, 1]),
                          "fn": int(confusion[j][1, 0]), "tp": int(confusion[j][1, 1])},
            "ece": expected_calibration_error(y_true[:, j], probabilities[:, j]),
            "threshold": round(float(thresholds[j]), 4),
        }
        for j, label in enumerate(LABELS)
    }
    return {
        "n": int(len(y_true)),
        "per_label": per_label,
        "macro_f1": round(float(f1_score(y_true, predicted, average="macro", zero_division=0)), 4),
        "micro_f1": round(float(f1_score(y_true, predicted, average="micro", zero_division=0)), 4),
        "exact_match": round(float((predicted == y_true).all(axis=1).mean()), 4),
    }


def format_metrics(metrics: dict, title: str = "") -> str:
    """A readable per-label table with the summary lines below it."""
    head = f"{'label':<13}{'prec':>7}{'recall':>8}{'F1':>7}{'PR-AUC':>8}{'ROC-AUC':>9}{'ECE':>7}{'support':>9}{'thr':>7}"
    lines = [title] if title else []
    lines += [head, "-" * len(head)]
    for label, m in metrics["per_label"].items():
        auc = [f"{v:.3f}" if v is not None else "  n/a" for v in (m["pr_auc"], m["roc_auc"])]
        lines.append(f"{label:<13}{m['precision']:>7.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{auc[0]:>8}{auc[1]:>9}"
                     f"{m['ece']:>7.3f}{m['support']:>9}{m['threshold']:>7.2f}")
    lines.append(f"macro-F1 {metrics['macro_f1']:.3f}   micro-F1 {metrics['micro_f1']:.3f}   "
                 f"exact match {metrics['exact_match']:.3f}   n {metrics['n']}")
    return "\n".join(lines)
