"""Find pairs of sentences that are near-duplicates by TF-IDF cosine similarity.

>>> near_duplicate_pairs(["We welcome the talks.", "We welcome the talks!", "Nothing alike here."])
[(0, 1, 1.0)]
"""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer

THRESHOLD = 0.9


def near_duplicate_pairs(texts: list[str], threshold: float = THRESHOLD) -> list[tuple[int, int, float]]:
    """Return ``(i, j, cosine)`` for every pair ``i < j`` with cosine similarity at least ``threshold``."""
    if len(texts) < 2:
        return []
    vectors = TfidfVectorizer().fit_transform(texts)  # rows are L2-normalised
    similarity = (vectors @ vectors.T).tocoo()
    return sorted(
        (int(i), int(j), round(float(value), 4))
        for i, j, value in zip(similarity.row, similarity.col, similarity.data)
        if i < j and value >= threshold - 1e-9
    )
