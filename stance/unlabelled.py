"""Use an unlabelled archive of real speech: read it as sentences, and pick confident silver labels.

The archive may be plain text (paragraphs separated by blank lines), JSONL with a text column, or
either gzipped; it is streamed, split into sentences by the data module's segmenter, and sampled
with a fixed seed so memory stays bounded whatever its size.

>>> probabilities = np.array([[.95, .02, .5], [.03, .97, .04], [.04, .02, .01], [.9, .9, .9]])
>>> rows, labels = select_silver(probabilities, per_label=1, low=0.1, high=0.8)
>>> rows.tolist(), labels.tolist()
([1, 2, 3], [[0, 1, 0], [0, 0, 0], [1, 1, 1]])
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from stance.baseline import TfidfBaseline
from stance.data.segment import split_sentences


def _open_text(path: Path):
    return gzip.open(path, "rt", encoding="utf-8", errors="replace") if path.suffix == ".gz" else \
        open(path, encoding="utf-8", errors="replace")


def iter_documents(path: Path, *, text_column: str = "text", where=None) -> Iterator[str]:
    """Yield the archive's documents: JSONL records' ``text_column`` (optionally filtered), or text paragraphs."""
    if not path.is_file():
        raise FileNotFoundError(f"Unlabelled archive {path} does not exist.")
    is_jsonl = ".jsonl" in path.suffixes or ".ndjson" in path.suffixes
    with _open_text(path) as f:
        if is_jsonl:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                record = json.loads(line)
                if text_column not in record:
                    raise ValueError(f"{path}:{number}: no {text_column!r} field; found {sorted(record)}. "
                                     "Pass --unlabelled-text-column.")
                if where is None or where(record):
                    yield record[text_column]
        else:
            paragraph: list[str] = []
            for line in f:
                if line.strip():
                    paragraph.append(line)
                elif paragraph:
                    yield "".join(paragraph)
                    paragraph = []
            if paragraph:
                yield "".join(paragraph)


def sample_sentences(path: Path, *, limit: int, seed: int = 13, min_words: int = 5, max_words: int = 80,
                     text_column: str = "text", where=None) -> list[str]:
    """A uniform random sample (reservoir, fixed seed) of up to ``limit`` sentences of the archive."""
    rng = random.Random(seed)
    reservoir: list[str] = []
    seen = 0
    for document in iter_documents(path, text_column=text_column, where=where):
        for sentence in split_sentences(document):
            if not min_words <= len(sentence.text.split()) <= max_words:
                continue
            seen += 1
            if len(reservoir) < limit:
                reservoir.append(sentence.text)
            elif (slot := rng.randrange(seen)) < limit:
                reservoir[slot] = sentence.text
    return reservoir


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
