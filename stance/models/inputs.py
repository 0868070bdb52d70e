"""Check what users pass in, in one place, with errors that say what was expected and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from stance.labels import LABELS


def check_texts(texts: Iterable[str]) -> list[str]:
    """Return ``texts`` as a list, refusing an empty input, a bare string and non-string items.

    >>> check_texts(("We agree.",))
    ['We agree.']
    """
    if isinstance(texts, str):
        raise TypeError("Expected a list of sentences; found a single string. Wrap it in a list: [sentence].")
    texts = list(texts)
    if not texts:
        raise ValueError("Expected at least one sentence; found an empty list.")
    bad = [(i, type(t).__name__) for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise TypeError(f"Expected every item to be a string; item {bad[0][0]} is {bad[0][1]} "
                        f"({len(bad)} such item(s)). Convert or drop them first.")
    return texts


def check_labels(labels: Sequence[Sequence[float]] | Sequence[Mapping[str, int]] | np.ndarray, n: int) -> np.ndarray:
    """Return labels as an ``(n, 3)`` integer array; rows may be 0/1 triples or dicts keyed by label name.

    >>> check_labels([{"blame": 1, "cooperation": 0, "hedging": 1}], 1).tolist()
    [[1, 0, 1]]
    """
    rows = list(labels)
    if rows and isinstance(rows[0], Mapping):
        unknown = sorted({key for row in rows for key in row} - set(LABELS))
        missing = sorted({label for row in rows for label in LABELS if label not in row})
        if unknown or missing:
            raise ValueError(f"Expected label names {list(LABELS)}; found unknown {unknown} and missing {missing}.")
        rows = [[row[label] for label in LABELS] for row in rows]
    array = np.asarray(rows, dtype=float)
    if array.shape != (n, len(LABELS)):
        raise ValueError(f"Expected labels of shape ({n}, {len(LABELS)}), one 0/1 value per label "
                         f"{list(LABELS)} for each of the {n} sentences; found shape {array.shape}.")
    if not np.isin(array, (0, 1)).all():
        raise ValueError("Expected label values 0 or 1; found others. Binarise the labels first.")
    return array.astype(int)
