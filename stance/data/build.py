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
from stance.data.real_annotations import RealSentence, join_real, read_real_passes, real_agreement
from stance.data.realdev import shared_dir
from stance.data.splits import REAL_SPLITS, SPLITS, assign_splits, group_documents
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


def to_dataset(records: list[dict]) -> Dataset:
    """Records with the columns of ``FEATURES`` as a ``Dataset`` (an empty list gives an empty split)."""
    return Dataset.from_dict({name: [record[name] for record in records] for name in FEATURES}, features=FEATURES)


def default_archive() -> Path:
    """The UN General Debate archive that real annotations refer to: ``<shared>/corpora/ungdc/speeches.jsonl.gz``."""
    return shared_dir() / "corpora" / "ungdc" / "speeches.jsonl.gz"


@dataclass
class BuildResult:
    dataset: DatasetDict
    info: dict = field(default_factory=dict)

    def save(self, folder: Path) -> None:
        """Write ``<split>.parquet`` for each split (empty real splits are left out) and ``info.json`` into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, split in self.dataset.items():
            path = folder / f"{name}.parquet"
            if len(split) == 0 and name in REAL_SPLITS.values():  # absent reads back as empty
                path.unlink(missing_ok=True)
                continue
            split.to_parquet(str(path))
        (folder / INFO_FILE).write_text(json.dumps(self.info, indent=2) + "\n", encoding="utf-8")


def build_dataset(seeds: Path, annotations: Path, *, seed: int = 13, archive: Path | None = None) -> BuildResult:
    """Read, validate, join and split the corpus; raises a clear error on bad input.

    Real sentences labelled by reference in ``annotations/real/`` are read back from ``archive`` (default
    :func:`default_archive`) into the splits ``real_train``, ``real_validation`` and ``real_test``, split by
    speech; where the archive is absent they are left out and ``info["real"]["skipped"]`` says so.
    """
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
        name: to_dataset([_record(row) for row in rows if split_of_doc[row.document.doc_id] == name])
        for name in SPLITS
    })
    real_rows, real_info = _real_sentences(annotations / "real", archive or default_archive())
    for name, real_name in REAL_SPLITS.items():
        dataset[real_name] = to_dataset([_real_record(r) for r in real_rows if r.split == name])
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
        "real": real_info,
    }
    return BuildResult(dataset, info)


def _real_sentences(folder: Path, archive: Path) -> tuple[list[RealSentence], dict]:
    passes = read_real_passes(folder)
    labelled = len(passes["first"])
    if not labelled:
        return [], {"sentences": 0}
    if not archive.is_file():
        return [], {"sentences": 0, "skipped": f"archive {archive} absent: {labelled} real sentences left out, "
                                               "the written corpus built alone (pass --archive to include them)"}
    rows = join_real(passes, archive)
    return rows, {"sentences": len(rows), "archive": str(archive), "kappa": real_agreement(rows),
                  "disagreements": sum(r.first != r.second for r in rows),
                  "by_split": {name: sum(r.split == name for r in rows) for name in REAL_SPLITS},
                  "by_selection": {how: sum(r.selected_by == how for r in rows) for how in sorted({r.selected_by for r in rows})}}


def _real_record(row: RealSentence) -> dict:
    return {
        "text": row.text, "labels": [float(v) for v in row.gold], **dict(zip(LABELS, row.gold)),
        "doc_id": f"ungdc:{row.country}-{row.session}", "sentence_index": row.start, "kind": "ga_speech",
        "speaker": "", "country": row.country, "date": str(row.year), "topic": f"round {row.round} {row.selected_by}",
    }


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
                           if (folder / f"{name}.parquet").exists() else to_dataset([])
                           for name in (*SPLITS, *REAL_SPLITS.values())})
    return dataset, json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
