"""Split a document's text into sentences.

Structure is read first (blank-line paragraphs and speaker turns such as
``QUESTION:`` or ``MR. PRICE:`` at the start of a line); lines hard-wrapped
inside a paragraph are joined; spaCy's rule-based sentencizer then finds the
sentence boundaries, with extra abbreviations that diplomatic text uses.

>>> [s.text for s in split_sentences("QUESTION: Is that so?\\nMR. PRICE: It is. The U.S. agrees.")]
['Is that so?', 'It is.', 'The U.S. agrees.']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

# A speaker turn: an upper-case name or role, or Q/A, then a colon, at the start of a line.
SPEAKER_TURN = re.compile(r"^(?P<speaker>Q|A|[A-Z][A-Z.'’\- ]{1,40}[A-Z.]):\s+(?P<rest>.*)$")
# Paragraph numbers that UN records put before a paragraph ("168.\tIn the name of ...").
PARAGRAPH_NUMBER = re.compile(r"^\d{1,4}\.\s+(?=[A-Z\W])")
# An opening quotation mark that the sentencizer left at the end of the previous sentence.
DANGLING_OPEN_QUOTE = re.compile(r"\s*([“‘]|(?<=\s)[\"'])$")
EXTRA_ABBREVIATIONS = (
    "No.", "Nos.", "Art.", "Arts.", "Para.", "para.", "paras.", "St.", "Mt.", "Ft.", "Amb.", "Sec.",
    "Rep.", "Sen.", "Gov.", "Gen.", "Lt.", "Col.", "Maj.", "Capt.", "Adm.", "Prof.", "Rev.", "Hon.",
    "Messrs.", "MR.", "MRS.", "MS.", "DR.", "Jr.", "Sr.", "Co.", "Corp.", "Inc.", "Ltd.", "approx.",
    "cf.", "vol.", "Vol.", "pp.", "p.", "ibid.", "Ibid.", "etc.", "vs.", "Dept.", "Govt.", "Res.",
)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document, with the speaker turn it belongs to (``""`` outside turns)."""

    text: str
    index: int
    turn_speaker: str = ""


@lru_cache(maxsize=1)
def _pipeline() -> Language:
    """spaCy's blank English pipeline with the sentencizer; imported on first use (spaCy's thinc imports torch)."""
    import spacy
    from spacy.symbols import ORTH

    nlp = spacy.blank("en")
    for abbreviation in EXTRA_ABBREVIATIONS:
        nlp.tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    nlp.add_pipe("sentencizer")
    return nlp


def _blocks(text: str) -> Iterator[tuple[str, str]]:
    """Yield ``(turn_speaker, paragraph_text)``: paragraphs split at blank lines and speaker turns."""
    speaker, lines = "", []
    for raw_line in text.splitlines():
        line = raw_line.strip()
        turn = SPEAKER_TURN.match(line)
        if not line or turn:
            if lines:
                yield speaker, " ".join(lines)
            lines = []
            if turn:
                speaker, line = turn["speaker"].strip(), turn["rest"]
        line = PARAGRAPH_NUMBER.sub("", line)
        if line:
            lines.append(line)
    if lines:
        yield speaker, " ".join(lines)


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences, joining hard-wrapped lines and honouring speaker turns."""
    blocks = [(speaker, re.sub(r"\s+", " ", paragraph).strip()) for speaker, paragraph in _blocks(text)]
    sentences: list[Sentence] = []
    for (speaker, _), doc in zip(blocks, _pipeline().pipe(paragraph for _, paragraph in blocks)):
        carried_quote = ""
        for span in doc.sents:
            sentence = carried_quote + span.text.strip()
            dangling = DANGLING_OPEN_QUOTE.search(sentence)
            carried_quote = dangling.group(1) if dangling else ""
            sentence = sentence[: dangling.start()] if dangling else sentence
            if any(ch.isalnum() for ch in sentence):
                sentences.append(Sentence(sentence, len(sentences), speaker))
    return sentences
