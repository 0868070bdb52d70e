"""Judge any model folder on any labelled data: metrics, figures, side-by-side tables and error lists.

>>> print(format_comparison({"a": {"macro_f1": .5, "micro_f1": .6, "exact_match": .4, "per_label": {
...     l: {"f1": .5} for l in LABELS}}}))  # doctest: +NORMALIZE_WHITESPACE
model  macro-F1  micro-F1  exact  blame F1  cooperation F1  hedging F1
a         0.500     0.600  0.400     0.500           0.500       0.500
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
from sklearn.metrics import precision_recall_curve

from stance.labels import LABELS
from stance.metrics import compute_metrics


def evaluate_model(model, texts: list[str], y_true: np.ndarray) -> tuple[dict, np.ndarray]:
    """Metrics of ``model`` (anything with ``predict_proba`` and ``thresholds_``) and its probabilities."""
    probabilities = model.predict_proba(texts)
    return compute_metrics(y_true, probabilities, model.thresholds_), probabilities


def format_comparison(results: dict[str, dict]) -> str:
    """Models side by side, one row each: the summary scores and per-label F1."""
    width = max(5, *(len(name) for name in results))
    head = f"{'model':<{width}}  macro-F1  micro-F1  exact" + "".join(f"  {label} F1" for label in LABELS)
    rows = [head]
    for name, m in results.items():
        if m is None:
            rows.append(f"{name:<{width}}  (not available)")
            continue
        rows.append(f"{name:<{width}}  {m['macro_f1']:>8.3f}  {m['micro_f1']:>8.3f}  {m['exact_match']:>5.3f}"
                    + "".join(f"  {m['per_label'][label]['f1']:>{len(label) + 3}.3f}" for label in LABELS))
    return "\n".join(rows)


def confident_errors(texts: list[str], y_true: np.ndarray, probabilities: np.ndarray, thresholds: np.ndarray,
                     n: int) -> dict[str, list[dict]]:
    """Per label, the ``n`` mistakes the model was most sure of (false positives and negatives together)."""
    errors = {}
    for j, label in enumerate(LABELS):
        predicted = probabilities[:, j] >= thresholds[j]
        wrong = np.flatnonzero(predicted != y_true[:, j].astype(bool))
        confidence = np.abs(probabilities[wrong, j] - thresholds[j])
        errors[label] = [{"text": texts[i], "gold": int(y_true[i, j]), "probability": round(float(probabilities[i, j]), 3)}
                         for i in wrong[np.argsort(-confidence)][:n]]
    return errors


def format_errors(errors: dict[str, list[dict]]) -> str:
    lines = []
    for label, rows in errors.items():
        lines.append(f"\nmost confident mistakes on {label}:")
        lines += [f"  gold {r['gold']}  p={r['probability']:.3f}  {r['text']}" for r in rows] or ["  (none)"]
    return "\n".join(lines)


def write_report(folder: Path, metrics: dict, y_true: np.ndarray, probabilities: np.ndarray, *, name: str) -> list[Path]:
    """Write ``metrics.json`` (merged by data name) and the PNG figures into ``folder``; return the figure paths."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "metrics.json"
    everything = json.loads(path.read_text()) if path.exists() else {}
    everything[name] = metrics
    path.write_text(json.dumps(everything, indent=2) + "\n")
    return [_pr_curves(folder / f"pr_curves_{name}.png", y_true, probabilities, metrics),
            _confusions(folder / f"confusion_{name}.png", metrics),
            _reliability(folder / f"reliability_{name}.png", y_true, probabilities)]


def _figure_row():
    """One panel per label; matplotlib's object API, so no display or global state is involved."""
    figure = Figure(figsize=(4 * len(LABELS), 3.6), layout="tight")
    return figure, figure.subplots(1, len(LABELS))


def _save(figure, path: Path) -> Path:
    figure.savefig(path, dpi=90)
    return path


def _pr_curves(path: Path, y_true: np.ndarray, probabilities: np.ndarray, metrics: dict) -> Path:
    figure, axes = _figure_row()
    for j, (axis, label) in enumerate(zip(axes, LABELS)):
        if 0 < y_true[:, j].sum() < len(y_true):
            precision, recall, _ = precision_recall_curve(y_true[:, j], probabilities[:, j])
            axis.plot(recall, precision)
        m = metrics["per_label"][label]
        axis.scatter([m["recall"]], [m["precision"]], color="red", zorder=3, label=f"threshold {m['threshold']:.2f}")
        axis.set(title=f"{label} (PR-AUC {m['pr_auc'] or 0:.2f})", xlabel="recall", ylabel="precision",
                 xlim=(0, 1), ylim=(0, 1.02))
        axis.legend(loc="lower left")
    return _save(figure, path)


def _confusions(path: Path, metrics: dict) -> Path:
    figure, axes = _figure_row()
    for axis, label in zip(axes, LABELS):
        c = metrics["per_label"][label]["confusion"]
        matrix = np.array([[c["tn"], c["fp"]], [c["fn"], c["tp"]]])
        axis.imshow(matrix, cmap="Blues")
        for (r, k), value in np.ndenumerate(matrix):
            axis.text(k, r, str(value), ha="center", va="center")
        axis.set(title=label, xticks=[0, 1], yticks=[0, 1], xticklabels=["pred 0", "pred 1"],
                 yticklabels=["gold 0", "gold 1"])
    return _save(figure, path)


def _reliability(path: Path, y_true: np.ndarray, probabilities: np.ndarray) -> Path:
    figure, axes = _figure_row()
    for j, (axis, label) in enumerate(zip(axes, LABELS)):
        observed, predicted = calibration_curve(y_true[:, j], probabilities[:, j], n_bins=10, strategy="uniform")
        axis.plot([0, 1], [0, 1], linestyle="--", color="grey")
        axis.plot(predicted, observed, marker="o")
        axis.set(title=label, xlabel="mean predicted probability", ylabel="observed frequency", xlim=(0, 1), ylim=(0, 1))
    return _save(figure, path)
