"""Which words carry each predicted label: word ablation, scored in batches, on every backend.

Each word of a sentence is deleted in turn and the shortened sentences are scored in one batch; a word's
weight for a label is how much that label's probability falls without it. The method needs no gradients,
so it runs unchanged on the torch-free ONNX path, on torch and on the TF-IDF baseline, and works on whole
words (never word pieces). Cues are the words with the largest positive weights for each predicted
label; small weights (function words, mostly) are dropped by weight alone: below ``min_weight``, or
below ``min_share`` of the label's largest weight.

>>> from stance.inference.predictor import Predictor
>>> predictor = Predictor.load("models/transformer-20260101-000000")  # doctest: +SKIP
>>> explain(predictor.model.predict_proba, ["They shelled the port."], predictor.thresholds)  # doctest: +SKIP
[{'blame': [{'text': 'shelled', 'start': 5, 'end': 12, 'weight': 0.71}, ...]}]
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from stance.labels import LABELS

WORD = re.compile(r"\w+(?:['’-]\w+)*")


def word_spans(sentence: str) -> list[tuple[int, int]]:
    """Character offsets of the words of ``sentence`` (letters and digits, with inner apostrophes and hyphens).

    >>> word_spans("We can't accept it.")
    [(0, 2), (3, 8), (9, 15), (16, 18)]
    """
    return [match.span() for match in WORD.finditer(sentence)]


def without(sentence: str, start: int, end: int) -> str:
    """``sentence`` with the word at ``start:end`` deleted.

    >>> without("We may never agree.", 3, 6)
    'We never agree.'
    """
    return (sentence[:start].rstrip() + " " + sentence[end:].lstrip()).strip()


def explain(predict_proba: Callable[[list[str]], np.ndarray], texts: list[str], thresholds: np.ndarray, *,
            probabilities: np.ndarray | None = None, max_cues: int = 5, min_weight: float = 0.02,
            min_share: float = 0.25, batch_size: int = 64) -> list[dict[str, list[dict]]]:
    """For each text, ``{label: [{"text", "start", "end", "weight"}, ...]}`` for its predicted labels, strongest first.

    ``probabilities`` (the texts' own scores) are computed when not given."""
    if probabilities is None:
        probabilities = predict_proba(texts)
    predicted = probabilities >= thresholds
    spans = {i: word_spans(text) for i, text in enumerate(texts) if predicted[i].any()}
    variants = [without(texts[i], start, end) for i, words in spans.items() for start, end in words]
    scored = (np.vstack([predict_proba(variants[k:k + batch_size]) for k in range(0, len(variants), batch_size)])
              if variants else np.zeros((0, len(LABELS))))
    cues: list[dict[str, list[dict]]] = [{} for _ in texts]
    offset = 0
    for i, words in spans.items():
        drops = probabilities[i] - scored[offset:offset + len(words)]
        offset += len(words)
        for j, label in enumerate(LABELS):
            if predicted[i, j]:
                floor = max(min_weight, min_share * float(drops[:, j].max(initial=0.0))) if min_share else min_weight
                strongest = [k for k in np.argsort(-drops[:, j], kind="stable")[:max_cues] if drops[k, j] >= floor]
                cues[i][label] = [{"text": texts[i][words[k][0]:words[k][1]], "start": words[k][0], "end": words[k][1],
                                   "weight": round(float(drops[k, j]), 4)} for k in strongest]
    return cues
