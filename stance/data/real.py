"""Real speech by reference: sentences of an archive named by (country, session, offsets, sha256).

Real sentences are never copied into the project. An annotation names its sentence by the archive
record's key, the character offsets of the sentence in the record's raw text and the sha256 of the
sentence as the segmenter gives it (whitespace runs collapsed to one space); the text is read back
from the archive when the data set is built, and a changed archive is caught by the hash.

Each speech belongs to one split for good, chosen by a hash of its key, so a speech's sentences never
straddle splits and the real test split is fixed before anything is labelled.

>>> text = "We welcome\\nthe talks.  They shelled the port."
>>> [(s.start, s.end, s.text) for s in locate_sentences(text)]
[(0, 21, 'We welcome the talks.'), (23, 45, 'They shelled the port.')]
>>> speech_split("FRA", 1) in ("train", "validation", "test")
True
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from stance.data.archive import reservoir_sample
from stance.data.segment import split_sentences

# Shares of speeches per split; the test share is large because only a random sample of test speeches is labelled.
SPEECH_SPLITS = (("test", 0.25), ("validation", 0.15), ("train", 0.60))


@dataclass(frozen=True)
class LocatedSentence:
    """A sentence of a raw text: its offsets there, and its text with whitespace collapsed."""

    start: int
    end: int
    text: str

    @property
    def sha256(self) -> str:
        return sentence_sha256(self.text)


def normalise(raw: str) -> str:
    """The text of a raw slice as the segmenter gives it: whitespace runs collapsed, ends stripped."""
    return re.sub(r"\s+", " ", raw).strip()


def sentence_sha256(text: str) -> str:
    """The hex sha256 of a sentence's normalised text (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def speech_split(country: str, session: int) -> str:
    """The split a speech belongs to, fixed by a hash of its key (independent of what is labelled)."""
    bucket = int(hashlib.sha256(f"{country}|{session}".encode()).hexdigest()[:8], 16) / 0x100000000
    edge = 0.0
    for name, share in SPEECH_SPLITS:
        edge += share
        if bucket < edge:
            return name
    return SPEECH_SPLITS[-1][0]


def locate_sentences(raw: str) -> list[LocatedSentence]:
    """The segmenter's sentences of ``raw`` with their character offsets in ``raw``.

    Sentences the segmenter reshapes beyond whitespace (a dropped paragraph number inside, a quote mark
    moved across a boundary) are matched with optional whitespace between characters; a sentence that
    still cannot be found is left out rather than given wrong offsets.
    """
    located: list[LocatedSentence] = []
    cursor = 0
    for sentence in split_sentences(raw):
        match = _find(raw, sentence.text, cursor)
        if match is None:
            continue
        start, end = match
        if normalise(raw[start:end]) != sentence.text:
            continue
        located.append(LocatedSentence(start, end, sentence.text))
        cursor = end
    return located


def _find(raw: str, sentence: str, cursor: int) -> tuple[int, int] | None:
    words = sentence.split(" ")
    match = re.compile(r"\s+".join(map(re.escape, words))).search(raw, cursor)
    if match is None:
        match = re.compile(r"\s*".join(map(re.escape, sentence.replace(" ", "")))).search(raw, cursor)
    return match.span() if match else None


@dataclass(frozen=True)
class Speech:
    """One record of a UN-General-Debate-style archive."""

    country: str
    session: int
    year: int
    text: str

    @property
    def split(self) -> str:
        return speech_split(self.country, self.session)


def iter_speeches(archive: Path, where: Callable[[dict], bool] | None = None) -> Iterator[Speech]:
    """Stream the archive's records (JSONL, optionally gzipped, with country, session, year, text)."""
    if not archive.is_file():
        raise FileNotFoundError(f"Archive {archive} does not exist. Pass --archive with the path of "
                                "speeches.jsonl.gz (country, session, year, text per line).")
    opener = gzip.open if archive.suffix == ".gz" else open
    with opener(archive, "rt", encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            missing = [key for key in ("country", "session", "text") if key not in record]
            if missing:
                raise ValueError(f"{archive}:{number}: record lacks {missing}; an archive record needs "
                                 "country, session and text.")
            if where is None or where(record):
                yield Speech(record["country"], int(record["session"]), int(record.get("year", 0)), record["text"])


class ReferenceMismatch(ValueError):
    """A real-sentence reference that does not match the archive; the message names where and the fix."""


def materialise(references: Iterable[dict], archive: Path) -> list[tuple[str, int]]:
    """The normalised text and the speech's year of each reference (``country``, ``session``, ``start``,
    ``end``, ``sha256``, ``where``), read from ``archive`` and checked against its hash; raises on the first
    mismatch, naming the file and line."""
    references = list(references)
    wanted = {(ref["country"], ref["session"]) for ref in references}
    speeches = {(s.country, s.session): s
                for s in iter_speeches(archive, where=lambda r: (r["country"], r["session"]) in wanted)}
    out = []
    for ref in references:
        speech = speeches.get((ref["country"], ref["session"]))
        if speech is None:
            raise ReferenceMismatch(f"{ref['where']}: the archive {archive} has no speech {ref['country']} "
                                    f"session {ref['session']}; pass --archive with the archive this was labelled on.")
        text = normalise(speech.text[ref["start"]:ref["end"]])
        if sentence_sha256(text) != ref["sha256"]:
            raise ReferenceMismatch(f"{ref['where']}: the text at {ref['country']} session {ref['session']} "
                                    f"[{ref['start']}:{ref['end']}] does not match its sha256 ({text[:60]!r}); "
                                    "the archive differs from the one labelled: pass --archive with that one, "
                                    "or remove the line.")
        out.append((text, speech.year))
    return out


@dataclass(frozen=True)
class Candidate:
    """A sentence of the archive that may be labelled, with its reference and the sentence before it."""

    country: str
    session: int
    year: int
    start: int
    end: int
    text: str
    context: str

    @property
    def key(self) -> tuple[str, int, int, int]:
        return (self.country, self.session, self.start, self.end)

    @property
    def split(self) -> str:
        return speech_split(self.country, self.session)

    def to_task(self) -> dict:
        """The task record an annotator gets: reference, split, context and text."""
        return {"country": self.country, "session": self.session, "year": self.year, "start": self.start,
                "end": self.end, "sha256": sentence_sha256(self.text), "split": self.split,
                "context": self.context, "text": self.text}


def sample_candidates(archive: Path, *, limit: int, seed: int, where: Callable[[dict], bool] | None = None,
                      splits: Iterable[str] = ("train", "validation", "test"), exclude: set | None = None,
                      min_words: int = 5, max_words: int = 80) -> list[Candidate]:
    """A uniform random sample (reservoir, fixed seed) of up to ``limit`` sentences of the archive's speeches
    in ``splits``, leaving out references in ``exclude`` (``(country, session, start, end)`` keys)."""
    splits, exclude = set(splits), exclude or set()

    def candidates() -> Iterator[Candidate]:
        for speech in iter_speeches(archive, where=where):
            if speech.split not in splits:
                continue
            previous = ""
            for sentence in locate_sentences(speech.text):
                candidate = Candidate(speech.country, speech.session, speech.year, sentence.start, sentence.end,
                                      sentence.text, previous)
                previous = sentence.text
                if candidate.key not in exclude and min_words <= len(sentence.text.split()) <= max_words:
                    yield candidate

    return reservoir_sample(candidates(), limit=limit, seed=seed)
