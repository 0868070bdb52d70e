"""Read the raw documents in ``seeds/``: a ``key: value`` header, a ``---`` line, then the text.

>>> doc = parse_document("id: 001_x\\nkind: letter\\nspeaker: A. Diallo\\ncountry: Senegal\\n"
...                      "date: 1984-03-02\\ntopic: aid\\n---\\nWe thank you.", source="001_x.txt")
>>> doc.doc_id, doc.kind, [s.text for s in doc.sentences]
('001_x', 'letter', ['We thank you.'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from stance.data.segment import Sentence, split_sentences

KINDS = (
    "press_briefing", "interview", "ga_speech", "sc_speech", "national_statement",
    "joint_statement", "readout", "parliamentary_answer", "letter", "news_report",
)
HEADER_KEYS = ("id", "kind", "speaker", "country", "date", "topic")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class DocumentError(ValueError):
    """A document file that cannot be read; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class Document:
    doc_id: str
    kind: str
    speaker: str
    country: str
    date: str
    topic: str
    text: str
    source: str

    @property
    def sentences(self) -> list[Sentence]:
        return split_sentences(self.text)


def parse_document(raw: str, *, source: str) -> Document:
    """Parse one document; ``source`` names it in error messages."""
    lines = raw.splitlines()
    if "---" not in (line.strip() for line in lines):
        raise DocumentError(f"{source}: no '---' line ends the header. Put the header "
                            f"({', '.join(HEADER_KEYS)}) first, then a line '---', then the text.")
    header: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        if line.strip() == "---":
            body = "\n".join(lines[number:])
            break
        key, colon, value = line.partition(":")
        key = key.strip().lower()
        if not colon or key not in HEADER_KEYS:
            raise DocumentError(f"{source}:{number}: malformed header line {line!r}; expected "
                                f"'key: value' with a key among {', '.join(HEADER_KEYS)}.")
        if key in header:
            raise DocumentError(f"{source}:{number}: header key {key!r} appears twice; keep one.")
        header[key] = value.strip()
    missing = [key for key in HEADER_KEYS if not header.get(key)]
    if missing:
        raise DocumentError(f"{source}: header lacks {', '.join(missing)}; add 'key: value' lines for them.")
    if header["kind"] not in KINDS:
        raise DocumentError(f"{source}: unknown kind {header['kind']!r}; use one of {', '.join(KINDS)}.")
    if not DATE.match(header["date"]):
        raise DocumentError(f"{source}: date {header['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD.")
    if not body.strip():
        raise DocumentError(f"{source}: the document has a header but no text after '---'.")
    return Document(doc_id=header["id"], kind=header["kind"], speaker=header["speaker"],
                    country=header["country"], date=header["date"], topic=header["topic"],
                    text=body, source=source)


def read_documents(folder: Path) -> list[Document]:
    """Read every ``*.txt`` document in ``folder``, sorted by file name; ids must be unique."""
    documents: list[Document] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.txt")):
        document = parse_document(path.read_text(encoding="utf-8"), source=str(path))
        if document.doc_id in seen:
            raise DocumentError(f"{path}: duplicate document id {document.doc_id!r}, "
                                f"already used by {seen[document.doc_id]}; give each document its own id.")
        seen[document.doc_id] = str(path)
        documents.append(document)
    if not documents:
        raise DocumentError(f"{folder}: no *.txt documents found; is this the seeds folder?")
    return documents
