"""Choose the next real sentences to label: the ones the current model is least sure of, spread out.

``uncertainty`` scores how close a sentence's most doubtful label is to its decision threshold. The
``uncertainty`` strategy shortlists the most uncertain sentences of a random pool, clusters the shortlist
by sentence embedding (scikit-learn's k-means) and takes the most uncertain sentence of each cluster, at most
``per_speech`` from one speech, so a round covers many kinds of sentence and many speeches rather than
many near-copies of one doubt. ``random`` is the baseline it is compared with.

>>> uncertainty(np.array([[0.5, 0.0, 1.0], [0.9, 0.1, 0.2]]), np.array([0.5, 0.5, 0.5])).round(2).tolist()
[1.0, 0.4]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from stance.data.real import Candidate, sample_candidates
from stance.models.folder import load_model

STRATEGIES = ("uncertainty", "random")


def uncertainty(probabilities: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per sentence, 1 minus the smallest distance of any label's probability from its threshold, each distance
    scaled to [0, 1] by how far that side of the threshold reaches (1 at a threshold, 0 when every label is sure)."""
    reach = np.where(probabilities >= thresholds, 1.0 - thresholds, thresholds)
    return 1.0 - (np.abs(probabilities - thresholds) / np.maximum(reach, 1e-9)).min(axis=1)


def choose_diverse(scores: np.ndarray, embeddings: np.ndarray, speeches: list, *, n: int, seed: int,
                   shortlist_factor: int = 4, per_speech: int = 2) -> list[int]:
    """Indices of ``n`` rows: the most uncertain row of each k-means cluster of the shortlist (the
    ``shortlist_factor * n`` most uncertain rows), taken in order of uncertainty with at most ``per_speech``
    rows per speech, then topped up from the shortlist by uncertainty if clusters run out."""
    shortlist = np.argsort(-scores, kind="stable")[:shortlist_factor * n]
    if len(shortlist) <= n:
        return shortlist.tolist()
    clusters = KMeans(n_clusters=n, random_state=seed, n_init=1).fit_predict(embeddings[shortlist])
    chosen: list[int] = []
    taken_clusters: set[int] = set()
    per: Counter = Counter()
    for row, cluster in zip(shortlist, clusters):  # shortlist is sorted by uncertainty
        if cluster not in taken_clusters and per[speeches[row]] < per_speech:
            chosen.append(int(row))
            taken_clusters.add(cluster)
            per[speeches[row]] += 1
    for row in shortlist:
        if len(chosen) >= n:
            break
        if int(row) not in chosen and per[speeches[row]] < per_speech:
            chosen.append(int(row))
            per[speeches[row]] += 1
    return chosen[:n]


def to_tasks(chosen: list[Candidate], *, round_number: int, strategy: str) -> list[dict]:
    """Annotation tasks: an id (``r<round>-<n>``), the reference, split, context and text, the round and how
    the sentence was chosen (never the model's scores, so annotators stay blind to them)."""
    return [{"id": f"r{round_number}-{number:04d}", **candidate.to_task(), "round": round_number,
             "selected_by": strategy} for number, candidate in enumerate(chosen)]


def _scores_and_embeddings(model, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    if hasattr(model, "predict_proba_and_embed"):  # the transformer: its own sentence embeddings
        probabilities, embeddings = model.predict_proba_and_embed(texts)
    else:  # the TF-IDF baseline: a low-rank projection of the pool's own TF-IDF vectors
        probabilities = model.predict_proba(texts)
        vectors = TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(texts)
        embeddings = TruncatedSVD(n_components=min(64, vectors.shape[1] - 1), random_state=0).fit_transform(vectors)
    return uncertainty(probabilities, np.asarray(model.thresholds_)), embeddings


def suggest(archive: Path, *, n: int, strategy: str = "uncertainty", model_dir: Path | None = None,
            where: Callable[[dict], bool] | None = None, exclude: set | None = None, splits=("train",),
            pool_size: int = 20000, seed: int = 13) -> list[Candidate]:
    """The next ``n`` sentences to label from ``archive``'s speeches in ``splits``, leaving out ``exclude``
    (``(country, session, start, end)`` keys already annotated)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}.")
    if strategy == "random":
        return sample_candidates(archive, limit=n, seed=seed, where=where, splits=splits, exclude=exclude)
    if model_dir is None:
        raise ValueError("--strategy uncertainty needs --model DIR (the current model); or use --strategy random.")
    model = load_model(model_dir, backend="torch")  # the torch path gives embeddings too
    pool = sample_candidates(archive, limit=pool_size, seed=seed, where=where, splits=splits, exclude=exclude)
    if not pool:
        return []
    scores, embeddings = _scores_and_embeddings(model, [c.text for c in pool])
    rows = choose_diverse(scores, embeddings, [(c.country, c.session) for c in pool], n=n, seed=seed)
    return [pool[i] for i in rows]
