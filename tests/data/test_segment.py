import gzip
import json
from itertools import islice

import pytest

from corpus_fixture import SHARED
from stance.data.segment import split_sentences

UNGDC = SHARED / "corpora" / "ungdc" / "speeches.jsonl.gz"


def texts(raw: str) -> list[str]:
    return [s.text for s in split_sentences(raw)]


def test_speaker_turns_start_new_sentences_and_their_labels_are_removed():
    sentences = split_sentences("QUESTION: So you agree\nMR. PRICE: We do. Next one.\nQ: Thanks.")
    assert [(s.turn_speaker, s.text) for s in sentences] == [
        ("QUESTION", "So you agree"), ("MR. PRICE", "We do."), ("MR. PRICE", "Next one."), ("Q", "Thanks.")]


def test_a_colon_inside_an_ordinary_sentence_is_not_a_turn():
    assert texts("Let me be clear: we will not yield.") == ["Let me be clear: we will not yield."]


def test_abbreviations_do_not_end_sentences():
    assert texts("The U.S. delegation met Mr. Smith at No. 10 and cited Art. 51 of the Charter. Dr. Ahmed left.") == [
        "The U.S. delegation met Mr. Smith at No. 10 and cited Art. 51 of the Charter.", "Dr. Ahmed left."]


def test_quotation_marks_stay_with_their_sentence():
    assert texts("He said so. “It’s not about pointing fingers.” Then he left.") == [
        "He said so.", "“It’s not about pointing fingers.”", "Then he left."]


def test_hard_wrapped_lines_are_joined_and_blank_lines_break_paragraphs():
    assert texts("The General Assembly has\nbefore it a grave\nquestion\n\nA new paragraph") == [
        "The General Assembly has before it a grave question", "A new paragraph"]


def test_un_paragraph_numbers_are_dropped():
    assert texts("168.\tIn the name of my Government, I greet you.\n169.\tSir, welcome.") == [
        "In the name of my Government, I greet you.", "Sir, welcome."]


def test_empty_text_has_no_sentences():
    assert split_sentences("  \n\n ") == []


def test_real_un_speeches_split_cleanly():
    if not UNGDC.exists():
        pytest.skip(f"real UN speeches not found at {UNGDC}; place ../shared beside the checkout to run this test")
    with gzip.open(UNGDC, "rt", encoding="utf-8") as f:
        speeches = [json.loads(line)["text"] for line in islice(f, 0, 4000, 200)]
    sentences = [s.text for speech in speeches for s in split_sentences(speech)]
    assert len(sentences) > 1000
    assert not any("\n" in s for s in sentences)
    # Hard wraps joined: almost no sentence starts in lower case (a wrap left unjoined would).
    assert sum(s[0].islower() for s in sentences) / len(sentences) < 0.02
    # Titles and common abbreviations never end a sentence.
    assert not [s for s in sentences if s.endswith((" Mr.", " Mrs.", " Dr.", " U.S.", " No.", " Art."))]
    # Nothing absurdly long: hard wraps did not swallow whole paragraphs.
    assert max(len(s.split()) for s in sentences) < 400
