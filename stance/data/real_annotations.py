"""Read the annotation passes of real speech and join them into gold-labelled sentences.

Real sentences are labelled by reference (see :mod:`stance.data.real`) in ``data/annotations/real/``:
``first/`` and ``second/`` are two blind passes, ``adjudicated/`` decides where they disagree. One JSON
object a line::

    {"country": "MNG", "session": 18, "start": 23002, "end": 23167, "sha256": "dac4...",
     "round": 1, "selected_by": "random", "blame": 1, "cooperation": 0, "hedging": 0, "note": "..."}

``round`` and ``selected_by`` record how the sentence was chosen (``random`` or ``uncertainty``); the
adjudicated pass needs only the reference, the labels and a note.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from stance.data.annotations import AnnotationError, iter_annotation_lines, parse_annotation_line
from stance.data.real import materialise, speech_split
from stance.labels import LABELS

REAL_PASSES = ("first", "second", "adjudicated")
REFERENCE_KEYS = ("country", "session", "start", "end", "sha256")
OPTIONAL_KEYS = ("round", "selected_by", "note")
Key = tuple[str, int, int, int]


@dataclass(frozen=True)
class RealAnnotation:
    sha256: str
    labels: tuple[int, int, int]
    round: int
    selected_by: str
    where: str  # "path:line", for error messages


@dataclass(frozen=True)
class RealSentence:
    """A gold-labelled real sentence, its text read back from the archive."""

    country: str
    session: int
    year: int
    start: int
    end: int
    text: str
    gold: tuple[int, int, int]
    first: tuple[int, int, int]
    second: tuple[int, int, int]
    round: int
    selected_by: str

    @property
    def split(self) -> str:
        return speech_split(self.country, self.session)


def read_real_pass(folder: Path) -> dict[Key, RealAnnotation]:
    """Every ``*.jsonl`` line in ``folder``, keyed by ``(country, session, start, end)``."""
    annotations: dict[Key, RealAnnotation] = {}
    for row, where in iter_annotation_lines(folder, required=REFERENCE_KEYS, optional=OPTIONAL_KEYS):
        key = (row["country"], row["session"], row["start"], row["end"])
        if key in annotations:
            raise AnnotationError(f"{where}: sentence already labelled at {annotations[key].where}; "
                                  "keep one line per sentence.")
        annotations[key] = RealAnnotation(row["sha256"], tuple(row[label] for label in LABELS),
                                          int(row.get("round", 0)), row.get("selected_by", ""), where)
    return annotations


def read_real_passes(folder: Path) -> dict[str, dict[Key, RealAnnotation]]:
    """The three passes under ``folder`` (``data/annotations/real``); absent folders read as empty."""
    return {name: read_real_pass(folder / name) for name in REAL_PASSES}


def join_real(passes: dict[str, dict[Key, RealAnnotation]], archive: Path) -> list[RealSentence]:
    """Gold labels (agreed, or adjudicated where the passes differ), with the text read from ``archive``."""
    first, second, adjudicated = (passes[name] for name in REAL_PASSES)
    for name, this, other in (("first", first, second), ("second", second, first)):
        for key, annotation in this.items():
            if key not in other:
                other_name = "second" if name == "first" else "first"
                raise AnnotationError(f"{annotation.where}: labelled in the {name} pass but not in the {other_name} "
                                      f"pass; add its {other_name}-pass line to data/annotations/real/{other_name}/.")
            if other[key].sha256 != annotation.sha256:
                raise AnnotationError(f"{annotation.where}: sha256 differs from {other[key].where}; both passes "
                                      "must name the same sentence.")
    keys = sorted(first)
    gold = []
    for key in keys:
        a, b = first[key].labels, second[key].labels
        if a != b and key not in adjudicated:
            raise AnnotationError(f"{first[key].where}: the passes disagree (first {a}, second {b}) and no "
                                  "adjudication exists; add the decision to data/annotations/real/adjudicated/.")
        gold.append(a if a == b else adjudicated[key].labels)
    references = [{"country": k[0], "session": k[1], "start": k[2], "end": k[3], "sha256": first[k].sha256,
                   "where": first[k].where} for k in keys]
    texts = materialise(references, archive) if references else []
    return [RealSentence(k[0], k[1], year, k[2], k[3], text, g, first[k].labels, second[k].labels, first[k].round,
                         first[k].selected_by)
            for k, (text, year), g in zip(keys, texts, gold)]


def real_agreement(rows: list[RealSentence]) -> dict[str, float]:
    """Cohen's kappa per label between the two blind passes."""
    return {label: float(cohen_kappa_score([r.first[i] for r in rows], [r.second[i] for r in rows]))
            for i, label in enumerate(LABELS)}


def annotated_keys(folder: Path) -> set[Key]:
    """The references already labelled in either blind pass under ``folder`` (to leave out of new suggestions)."""
    passes = read_real_passes(folder)
    return set(passes["first"]) | set(passes["second"])


def record_labels(tasks: list[dict], labels: list[dict], *, where: str) -> list[dict]:
    """Join an annotator's labels (``{"id", "blame", "cooperation", "hedging", "note"?}``) to the tasks they label
    (by ``id``) and return annotation lines: reference, round, selection, labels, note. Every task must be labelled."""
    by_id = {}
    for number, row in enumerate(labels, start=1):
        if row.get("id") in by_id:
            raise AnnotationError(f"{where}:{number}: id {row.get('id')!r} labelled twice; keep one line per task.")
        by_id[row.get("id")] = row
    lines = []
    for task in tasks:
        row = by_id.pop(task["id"], None)
        if row is None:
            raise AnnotationError(f"{where}: task {task['id']!r} has no label line; label every task, then record.")
        line = {**{key: task[key] for key in REFERENCE_KEYS}, "round": task.get("round", 0),
                "selected_by": task.get("selected_by", ""), **{label: row.get(label) for label in LABELS}}
        if row.get("note"):
            line["note"] = row["note"]
        parse_annotation_line(json.dumps(line), f"{where} (task {task['id']})", required=REFERENCE_KEYS,
                              optional=OPTIONAL_KEYS)
        lines.append(line)
    if by_id:
        raise AnnotationError(f"{where}: label lines for unknown task ids {sorted(map(str, by_id))[:5]}; "
                              "label the tasks file you were given.")
    return lines
