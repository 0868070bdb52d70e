import gzip
import json

import pytest

from stance.data.archive import iter_documents, sample_sentences

SPEECH = ("The Assembly meets at a grave moment. We welcome the talks in Geneva,\nand we stand ready to help. "
          "Certain Powers continue to arm the aggressor.")


@pytest.mark.parametrize("name", ["archive.txt", "archive.jsonl", "archive.jsonl.gz", "archive.txt.gz"])
def test_every_archive_format_gives_the_same_sentences(tmp_path, name):
    path = tmp_path / name
    if ".jsonl" in name:
        body = "".join(json.dumps({"country": c, "text": SPEECH}) + "\n" for c in ("GHA", "PER"))
    else:
        body = f"{SPEECH}\n\n{SPEECH}\n"
    (gzip.open(path, "wt", encoding="utf-8") if name.endswith(".gz") else open(path, "w")).write(body) or None
    documents = list(iter_documents(path))
    assert len(documents) == 2
    sentences = sample_sentences(path, limit=100, min_words=1)
    assert len(sentences) == 6 and sentences.count("Certain Powers continue to arm the aggressor.") == 2


def test_filters_and_sampling_bound_the_result(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps({"session": s, "text": SPEECH}) + "\n" for s in range(1, 40)))
    early = list(iter_documents(path, where=lambda record: record["session"] <= 24))
    assert len(early) == 24
    sample = sample_sentences(path, limit=5, seed=1, min_words=1)
    assert len(sample) == 5 and sample == sample_sentences(path, limit=5, seed=1, min_words=1)


def test_a_jsonl_archive_without_the_text_column_is_refused(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"body": SPEECH}) + "\n")
    with pytest.raises(ValueError, match="a.jsonl:1: no 'text' field; found \\['body'\\]"):
        list(iter_documents(path))
