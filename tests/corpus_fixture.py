"""A tiny corpus, written into a temporary folder, and where ../shared is."""

from __future__ import annotations

import json
from pathlib import Path

from stance.data.documents import parse_document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

DOCUMENTS = {
    "001_briefing": ("press_briefing", "Ned Price, spokesperson", "United States", "2021-05-04", "cyber", """\
QUESTION: Do you believe the ransomware group acted on orders from the state?
MR. PRICE: I'm not going to get ahead of the investigation. We have made clear to Moscow that it must act.
We stand ready to work with any government that wants to stop these attacks.
The criminals who locked the hospital systems have put lives at risk.
"""),
    "002_speech": ("ga_speech", "A. Mwinyi, President", "Tanzania", "1986-09-24", "apartheid", """\
The racist regime of Pretoria continues to attack its neighbours with impunity.
We welcome the growing solidarity of the international community with the front-line States.
It would seem that certain Powers still prefer trade to principle.
The drought has destroyed much of the harvest in the south.
"""),
    "003_statement": ("joint_statement", "Ministers of Foreign Affairs", "ASEAN", "2019-08-01", "maritime disputes", """\
The Ministers met in Bangkok on 1 August.
They reaffirmed their commitment to resolving disputes peacefully through dialogue.
Some Ministers expressed concern over land reclamations in the area.
They condemned the seizure of a fishing vessel by the coast guard of a neighbouring State.
"""),
    "004_letter": ("letter", "Permanent Representative", "Cyprus", "1975-02-11", "war", """\
I have the honour to draw your attention to the continued violations of our airspace by the occupying forces.
We perhaps underestimated how long the crisis would last.
I should be grateful if this letter were circulated as a document of the Security Council.
We remain ready to resume the intercommunal talks at any time.
"""),
}
LABELS_BY_DOC = {
    "001_briefing": ["000", "001", "000", "010", "100"],
    "002_speech": ["100", "010", "101", "000"],
    "003_statement": ["000", "010", "001", "100"],
    "004_letter": ["100", "001", "000", "010"],
}


def write_corpus(root: Path, second_overrides: dict[tuple[str, int], str] | None = None) -> tuple[Path, Path]:
    """Write the tiny corpus (documents and both passes) under ``root``; return (seeds, annotations)."""
    seeds, annotations = root / "seeds", root / "annotations"
    seeds.mkdir(parents=True)
    for name in ("writer", "second", "adjudicated"):
        (annotations / name).mkdir(parents=True)
    writer_lines, second_lines = [], []
    for doc_id, (kind, speaker, country, date, topic, text) in DOCUMENTS.items():
        raw = f"id: {doc_id}\nkind: {kind}\nspeaker: {speaker}\ncountry: {country}\ndate: {date}\ntopic: {topic}\n---\n{text}"
        (seeds / f"{doc_id}.txt").write_text(raw, encoding="utf-8")
        sentences = parse_document(raw, source=doc_id).sentences
        assert len(sentences) == len(LABELS_BY_DOC[doc_id]), [s.text for s in sentences]
        for sentence, bits in zip(sentences, LABELS_BY_DOC[doc_id]):
            second_bits = (second_overrides or {}).get((doc_id, sentence.index), bits)
            for lines, b in ((writer_lines, bits), (second_lines, second_bits)):
                lines.append(json.dumps({"doc_id": doc_id, "text": sentence.text, "blame": int(b[0]),
                                         "cooperation": int(b[1]), "hedging": int(b[2])}))
    (annotations / "writer" / "a.jsonl").write_text("\n".join(writer_lines) + "\n", encoding="utf-8")
    (annotations / "second" / "a.jsonl").write_text("\n".join(second_lines) + "\n", encoding="utf-8")
    return seeds, annotations
