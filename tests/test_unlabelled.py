import gzip
import json

import numpy as np
import pytest
from tiny_transformer import tiny_classifier

from stance.unlabelled import iter_documents, sample_sentences, select_silver

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


def test_silver_labels_are_confident_and_balanced_from_a_tiny_teacher(tmp_path):
    from tiny_transformer import LABELS, TEXTS

    from stance.trainer import TrainConfig, Trainer

    config = TrainConfig(epochs=8, batch_size=8, learning_rate=1e-2, warmup_ratio=0.0, patience=10, seed=3)
    teacher = Trainer(tiny_classifier(tmp_path / "tok"), config, output=tmp_path / "teacher").fit(TEXTS, LABELS, TEXTS, LABELS)
    texts = ["we welcome the talks", "they attacked our border", "it may seem that some firms erred"] * 20
    probabilities = teacher.predict_proba(texts)
    low = high = float(np.median(probabilities))  # every value counts as sure: selection is then only balancing
    rows, labels = select_silver(probabilities, per_label=5, low=low, high=high)
    chosen = probabilities[rows]
    assert (((chosen <= low) | (chosen >= high)).all())
    np.testing.assert_array_equal(labels, (chosen >= high).astype(int))
    assert 0 < len(rows) <= 3 * 2 * 5


def test_select_silver_balances_positives_and_negatives():
    probabilities = np.array([[.99, .01, .01]] * 10 + [[.01, .01, .01]] * 3 + [[.01, .99, .01]] * 2)
    rows, labels = select_silver(probabilities, per_label=4)
    # blame: 4 of its 10 positives and 4 of its 5 negatives; cooperation: both of its 2 positives and 2 negatives
    # (rows already chosen); hedging has no positive, so it adds nothing.
    assert rows.tolist() == [0, 1, 2, 3, 10, 11, 12, 13, 14]
    assert labels.sum(axis=0).tolist() == [4, 2, 0]
