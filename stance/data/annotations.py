"""Read the annotation passes and join them to the documents' sentences.

Each pass is a folder of JSONL files, one object a line:
``{"doc_id": ..., "text": ..., "blame": 0|1, "cooperation": 0|1, "hedging": 0|1}``
(the adjudicated pass adds a ``note``). The gold label of a sentence is the one
both passes agree on, or the adjudicated one where they disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from stance.data.documents import Document
from stance.labels import LABELS

PASSES = ("writer", "second", "adjudicated")

Labels = tuple[int, int, int]


class AnnotationError(ValueError):
    """An annotation that cannot be used; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class Annotation:
    labels: Labels
    where: str  # "path:line", for error messages


@dataclass(frozen=True)
class LabelledSentence:
    document: Document
    index: int
    text: str
    gold: Labels
    writer: Labels
    second: Labels


def read_pass(folder: Path) -> dict[tuple[str, str], Annotation]:
    """Read every ``*.jsonl`` file in ``folder``, keyed by ``(doc_id, text)``."""
    annotations: dict[tuple[str, str], Annotation] = {}
    for row, where in iter_annotation_lines(folder, required=("doc_id", "text"), optional=("note",)):
        key = (row["doc_id"], row["text"])
        if key in annotations:
            raise AnnotationError(f"{where}: sentence already labelled at {annotations[key].where}; "
                                  "keep one line per sentence.")
        annotations[key] = Annotation(tuple(row[label] for label in LABELS), where)
    return annotations


def read_jsonl(path: Path) -> list[dict]:
    """Every non-blank line of a JSONL file; a line that is not JSON is named by file and line.

    >>> read_jsonl(Path("data/annotations/cues/tasks.jsonl"))[0]["id"]  # doctest: +SKIP
    'cue000'
    """
    return [parse_json_line(line, f"{path}:{number}")
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if line.strip()]


def parse_json_line(line: str, where: str):
    """One JSONL line; a line that is not JSON raises an error naming ``where`` (``"path:line"``) and the fix."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise AnnotationError(f"{where}: not valid JSON ({error.msg}); write one JSON object a line.") from None


def iter_annotation_lines(folder: Path, *, required: tuple[str, ...], optional: tuple[str, ...]):
    """Yield ``(row, "path:line")`` for every line of every ``*.jsonl`` file in ``folder``, each checked: a JSON
    object with the ``required`` fields, a 0/1 value for every label, and nothing but ``optional`` besides."""
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                where = f"{path}:{number}"
                yield parse_annotation_line(line, where, required=required, optional=optional), where


def parse_annotation_line(line: str, where: str, *, required: tuple[str, ...], optional: tuple[str, ...]) -> dict:
    """One annotation line, checked as :func:`iter_annotation_lines` says; the error names ``where`` and the fix."""
    row = parse_json_line(line, where)
    if not isinstance(row, dict):
        raise AnnotationError(f"{where}: expected a JSON object, found {type(row).__name__}.")
    unknown = sorted(set(row) - {*required, *LABELS, *optional})
    if unknown:
        raise AnnotationError(f"{where}: unknown field(s) {unknown}; the labels are {list(LABELS)} "
                              f"and the other fields {', '.join((*required, *optional))}.")
    missing = [key for key in (*required, *LABELS) if key not in row]
    if missing:
        raise AnnotationError(f"{where}: missing field(s) {missing}; every line needs {', '.join(required)} and "
                              f"a 0/1 value for each of {list(LABELS)}.")
    for label in LABELS:
        if row[label] not in (0, 1) or isinstance(row[label], bool):
            raise AnnotationError(f"{where}: {label} is {row[label]!r}; expected 0 or 1.")
    return row


def join(documents: list[Document], passes: dict[str, dict[tuple[str, str], Annotation]]) -> list[LabelledSentence]:
    """Join the passes to the sentences the segmenter produces; documents no pass labels are skipped."""
    writer, second, adjudicated = (passes[name] for name in PASSES)
    produced = {(doc.doc_id, s.text) for doc in documents for s in doc.sentences}
    for name, labelled in passes.items():
        for key, annotation in labelled.items():
            if key not in produced:
                raise AnnotationError(
                    f"{annotation.where}: the {name} pass labels a sentence that the segmenter does not "
                    f"produce for document {key[0]!r}: {key[1][:80]!r}. Run `stance data sentences "
                    "seeds/<file>.txt` and copy the sentence text exactly."
                )
    labelled_docs = {doc_id for doc_id, _ in writer} | {doc_id for doc_id, _ in second}
    rows: list[LabelledSentence] = []
    for document in documents:
        if document.doc_id not in labelled_docs:
            continue
        for sentence in document.sentences:
            key = (document.doc_id, sentence.text)
            for name, labelled in (("writer", writer), ("second", second)):
                if key not in labelled:
                    raise AnnotationError(
                        f"{document.source}: sentence {sentence.index} has no {name}-pass label: "
                        f"{sentence.text[:80]!r}. Add a line for it to data/annotations/{name}/."
                    )
            first, other = writer[key].labels, second[key].labels
            if first == other:
                gold = first
            elif key in adjudicated:
                gold = adjudicated[key].labels
            else:
                raise AnnotationError(
                    f"{document.source}: the passes disagree on sentence {sentence.index} "
                    f"(writer {first}, second {other}) and no adjudication exists: {sentence.text[:80]!r}. "
                    "Add the decision to data/annotations/adjudicated/."
                )
            rows.append(LabelledSentence(document, sentence.index, sentence.text, gold, first, other))
    return rows


def agreement(rows: list[LabelledSentence]) -> dict[str, float]:
    """Cohen's kappa per label between the writer and the second pass."""
    return {
        label: float(cohen_kappa_score([r.writer[i] for r in rows], [r.second[i] for r in rows]))
        for i, label in enumerate(LABELS)
    }
