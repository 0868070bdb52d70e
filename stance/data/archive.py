"""Read an unlabelled archive of real speech as documents and sampled sentences.

The archive may be plain text (paragraphs separated by blank lines), JSONL with a text column, or
either gzipped; it is streamed, split into sentences by the data module's segmenter, and sampled
with a fixed seed so memory stays bounded whatever its size.
"""

from __future__ import annotations

import gzip
import json
import operator
import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from stance.data.segment import split_sentences

T = TypeVar("T")


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
    sentences = (sentence.text for document in iter_documents(path, text_column=text_column, where=where)
                 for sentence in split_sentences(document))
    return reservoir_sample((s for s in sentences if min_words <= len(s.split()) <= max_words), limit=limit, seed=seed)


def reservoir_sample(items: Iterable[T], *, limit: int, seed: int) -> list[T]:
    """A uniform random sample of up to ``limit`` items of a stream of any length, in one pass and bounded memory.

    >>> reservoir_sample(range(3), limit=5, seed=0), len(reservoir_sample(range(1000), limit=5, seed=0))
    ([0, 1, 2], 5)
    """
    rng = random.Random(seed)
    reservoir: list[T] = []
    for seen, item in enumerate(items, start=1):
        if len(reservoir) < limit:
            reservoir.append(item)
        elif (slot := rng.randrange(seen)) < limit:
            reservoir[slot] = item
    return reservoir


def record_filter(expression: str):
    """``'session<=24'`` -> a predicate on JSONL records.

    >>> record_filter("session<=24")({"session": 3}), record_filter("year>=1990")({"year": 1980})
    (True, False)
    """
    match = re.fullmatch(r"\s*(\w+)\s*(<=|>=|==)\s*(-?\d+(?:\.\d+)?)\s*", expression)
    if not match:
        raise ValueError(f"filter {expression!r} is not FIELD<=NUMBER, FIELD>=NUMBER or FIELD==NUMBER (e.g. 'session<=24').")
    field, op, value = match[1], {"<=": operator.le, ">=": operator.ge, "==": operator.eq}[match[2]], float(match[3])
    return lambda record: field in record and op(float(record[field]), value)
