"""Build the labelled data set: documents + annotation passes -> a ``datasets.DatasetDict``.

>>> from pathlib import Path
>>> result = build_dataset(Path("seeds"), Path("data/annotations"))  # doctest: +SKIP
>>> result.dataset["train"][0]["labels"]  # doctest: +SKIP
[1.0, 0.0, 1.0]
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from datasets import Dataset, DatasetDict, Features, Sequence, Value

from stance.data.annotations import PASSES, LabelledSentence, agreement, join, read_pass
from stance.data.documents import read_documents
from stance.data.near_duplicates import near_duplicate_pairs
from stance.data.splits import SPLITS, assign_splits, group_documents
from stance.labels import LABELS

FEATURES = Features({
    "text": Value("string"),
    "labels": Sequence(Value("float32"), length=len(LABELS)),
    **{label: Value("int8") for label in LABELS},
    "doc_id": Value("string"),
    "sentence_index": Value("int32"),
    "kind": Value("string"),
    "speaker": Value("string"),
    "country": Value("string"),
    "date": Value("string"),
    "topic": Value("string"),
})
INFO_FILE = "info.json"


@dataclass
class BuildResult:
    dataset: DatasetDict
    info: dict = field(default_factory=dict)

    def save(self, folder: Path) -> None:
        """Write ``<split>.parquet`` for each split and ``info.json`` into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, split in self.dataset.items():
            split.to_parquet(str(folder / f"{name}.parquet"))
        (folder / INFO_FILE).write_text(json.dumps(self.info, indent=2) + "\n", encoding="utf-8")


def build_dataset(seeds: Path, annotations: Path, *, seed: int = 13) -> BuildResult:
    """Read, validate, join and split the corpus; raises a clear error on bad input."""
    documents = read_documents(seeds)
    passes = {name: read_pass(annotations / name) for name in PASSES}
    rows = join(documents, passes)
    if not rows:
        raise ValueError(f"No labelled sentences: none of the {len(documents)} documents in {seeds} "
                         f"has annotations in {annotations}/writer and /second.")
    texts = [row.text for row in rows]
    duplicates = near_duplicate_pairs(texts)
    doc_ids = sorted({row.document.doc_id for row in rows})
    groups = group_documents(doc_ids, [(rows[i].document.doc_id, rows[j].document.doc_id) for i, j, _ in duplicates])
    split_of_doc = _split_documents(rows, groups, seed=seed)
    dataset = DatasetDict({
        name: Dataset.from_list([_record(row) for row in rows if split_of_doc[row.document.doc_id] == name],
                                features=FEATURES)
        for name in SPLITS
    })
    info = {
        "content_hash": content_hash(dataset),
        "seed": seed,
        "documents": len(doc_ids),
        "unlabelled_documents": len(documents) - len(doc_ids),
        "sentences": len(rows),
        "kappa": agreement(rows),
        "disagreements": sum(row.writer != row.second for row in rows),
        "near_duplicate_pairs": [[texts[i], texts[j], cos] for i, j, cos in duplicates],
        "distinct_bigram_ratio": distinct_bigram_ratio(texts),
    }
    return BuildResult(dataset, info)


def _split_documents(rows: list[LabelledSentence], groups: list[list[str]], *, seed: int) -> dict[str, str]:
    counts_of_doc: dict[str, np.ndarray] = {}
    for row in rows:
        counts = counts_of_doc.setdefault(row.document.doc_id, np.zeros(1 + len(LABELS), dtype=int))
        counts += np.array([1, *row.gold])
    group_counts = [sum(counts_of_doc[doc_id] for doc_id in group) for group in groups]
    chosen = assign_splits(group_counts, seed=seed)
    return {doc_id: split for group, split in zip(groups, chosen) for doc_id in group}


def _record(row: LabelledSentence) -> dict:
    document = row.document
    return {
        "text": row.text, "labels": [float(v) for v in row.gold],
        **{label: value for label, value in zip(LABELS, row.gold)},
        "doc_id": document.doc_id, "sentence_index": row.index, "kind": document.kind,
        "speaker": document.speaker, "country": document.country, "date": document.date, "topic": document.topic,
    }


def content_hash(dataset: DatasetDict) -> str:
    """A SHA-256 over every split's rows, in order: the same data gives the same hash."""
    digest = hashlib.sha256()
    for name in sorted(dataset):
        for record in dataset[name].to_list():
            digest.update(json.dumps([name, record], sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def distinct_bigram_ratio(texts: list[str]) -> float:
    """Distinct word bigrams over all word bigrams: low values mean templated text.

    >>> distinct_bigram_ratio(["we welcome the talks", "we welcome the deal"])
    0.6667
    """
    bigrams = [pair for text in texts for pair in zip(text.lower().split(), text.lower().split()[1:])]
    return round(len(set(bigrams)) / len(bigrams), 4) if bigrams else 0.0


def load_dataset_folder(folder: Path) -> tuple[DatasetDict, dict]:
    """Load the splits and info written by :meth:`BuildResult.save`."""
    missing = [f"{name}.parquet" for name in SPLITS if not (folder / f"{name}.parquet").exists()]
    if missing or not (folder / INFO_FILE).exists():
        raise FileNotFoundError(f"{folder} lacks {', '.join(missing) or INFO_FILE}; run `stance data build` first.")
    dataset = DatasetDict({name: Dataset.from_parquet(str(folder / f"{name}.parquet"), features=FEATURES)
                           for name in SPLITS})
    return dataset, json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
