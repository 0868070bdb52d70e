"""Assign documents to train / validation / test, stratified by label mix.

Whole documents go to one split, and documents that share a near-duplicate
sentence are kept together, so no near-duplicate crosses splits. Groups are
placed greedily, largest first after a seeded shuffle, into the split whose
sentence and label counts are furthest below its target share.
"""

from __future__ import annotations

import random

import numpy as np

SPLITS = {"train": 0.70, "validation": 0.15, "test": 0.15}
# Real sentences keep their own splits (by speech, see stance.data.real), named apart so each is reported alone.
REAL_SPLITS = {"train": "real_train", "validation": "real_validation", "test": "real_test"}


def group_documents(doc_ids: list[str], linked_pairs: list[tuple[str, str]]) -> list[list[str]]:
    """Union documents linked by a near-duplicate into groups (sorted, deterministic).

    >>> group_documents(["a", "b", "c"], [("a", "c")])
    [['a', 'c'], ['b']]
    """
    parent = {doc_id: doc_id for doc_id in doc_ids}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in linked_pairs:
        parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for doc_id in doc_ids:
        groups.setdefault(root(doc_id), []).append(doc_id)
    return sorted(sorted(group) for group in groups.values())


def assign_splits(group_counts: list[np.ndarray], *, seed: int) -> list[str]:
    """Choose a split for each group from its counts ``[sentences, label_1, ..., label_k]``.

    >>> assign_splits([np.array([10, 3]), np.array([2, 1]), np.array([2, 1])], seed=0)
    ['train', 'test', 'validation']
    """
    names = list(SPLITS)
    shares = np.array([SPLITS[name] for name in names])
    totals = np.sum(group_counts, axis=0).astype(float)
    totals[totals == 0] = 1.0
    order = list(range(len(group_counts)))
    random.Random(seed).shuffle(order)
    order.sort(key=lambda g: -int(group_counts[g][0]))  # stable: ties keep the seeded order
    filled = np.zeros((len(names), len(totals)))
    chosen = [""] * len(group_counts)
    for g in order:
        # How far each split is below its target, relative to the target, averaged over sentences and labels.
        deficit = ((shares[:, None] - filled / totals) / shares[:, None]).mean(axis=1)
        best = int(np.argmax(deficit))
        filled[best] += group_counts[g]
        chosen[g] = names[best]
    return chosen
