import json
from pathlib import Path

import pytest

from corpus_fixture import LABELS_BY_DOC, write_corpus
from stance.data.annotations import AnnotationError
from stance.data.build import build_dataset, content_hash, load_dataset_folder
from stance.data.documents import DocumentError
from stance.data.splits import assign_splits, group_documents
from stance.labels import LABELS


def test_build_joins_gold_labels_and_keeps_every_sentence(tiny_corpus):
    result = build_dataset(*tiny_corpus)
    rows = [row for split in result.dataset.values() for row in split]
    assert len(rows) == sum(len(bits) for bits in LABELS_BY_DOC.values())
    row = next(r for r in rows if r["text"].startswith("It would seem"))
    assert (row["blame"], row["cooperation"], row["hedging"], row["labels"]) == (1, 0, 1, [1.0, 0.0, 1.0])
    assert (row["doc_id"], row["kind"], row["country"]) == ("002_speech", "ga_speech", "Tanzania")
    assert set(result.dataset["train"].column_names) >= {"text", "labels", *LABELS, "doc_id", "kind", "speaker", "country"}
    assert result.info["kappa"] == {label: 1.0 for label in LABELS}


def test_no_document_is_in_two_splits_and_the_split_is_deterministic(tiny_corpus):
    first, second = build_dataset(*tiny_corpus, seed=3), build_dataset(*tiny_corpus, seed=3)
    docs = {name: set(split["doc_id"]) for name, split in first.dataset.items()}
    assert not (docs["train"] & docs["validation"] or docs["train"] & docs["test"] or docs["validation"] & docs["test"])
    assert first.info["content_hash"] == second.info["content_hash"] == content_hash(second.dataset)


def test_near_duplicates_keep_their_documents_together():
    assert group_documents(["a", "b", "c", "d"], [("a", "c"), ("c", "d")]) == [["a", "c", "d"], ["b"]]


def test_assign_splits_reaches_the_target_shares():
    import numpy as np

    groups = [np.array([10 + i % 7, i % 3 == 0, i % 2 == 0]) for i in range(200)]
    chosen = assign_splits(groups, seed=1)
    totals = np.sum(groups, axis=0)
    for name, share in (("train", 0.70), ("validation", 0.15), ("test", 0.15)):
        counts = np.sum([g for g, c in zip(groups, chosen) if c == name], axis=0)
        assert np.all(np.abs(counts / totals - share) < 0.04), (name, counts / totals)
    assert chosen == assign_splits(groups, seed=1) != assign_splits(groups, seed=2)


def test_disagreement_needs_an_adjudication_which_then_wins(tmp_path: Path):
    seeds, annotations = write_corpus(tmp_path, second_overrides={("002_speech", 2): "100"})
    with pytest.raises(AnnotationError, match="disagree on sentence 2 .*no adjudication"):
        build_dataset(seeds, annotations)
    sentence = next(json.loads(line) for line in (annotations / "writer" / "a.jsonl").open()
                    if json.loads(line)["text"].startswith("It would seem"))
    sentence.update(blame=0, hedging=1, note="'certain Powers' prefer trade: no harm named")
    (annotations / "adjudicated" / "a.jsonl").write_text(json.dumps(sentence) + "\n")
    result = build_dataset(seeds, annotations)
    row = next(r for s in result.dataset.values() for r in s if r["text"].startswith("It would seem"))
    assert (row["blame"], row["hedging"]) == (0, 1)
    assert result.info["disagreements"] == 1 and result.info["kappa"]["hedging"] < 1 == result.info["kappa"]["blame"]


def _rewrite_first_line(path: Path, **changes) -> None:
    lines = path.read_text().splitlines()
    row = json.loads(lines[0])
    row.update(changes)
    lines[0] = json.dumps({k: v for k, v in row.items() if v is not None})
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("changes, message", [
    ({"text": "A sentence nobody wrote."}, "a.jsonl:1: the writer pass labels a sentence that the segmenter does not produce"),
    ({"blame": 2}, "a.jsonl:1: blame is 2; expected 0 or 1"),
    ({"blame": True}, "a.jsonl:1: blame is True; expected 0 or 1"),
    ({"blaming": 1}, "a.jsonl:1: unknown field\\(s\\) \\['blaming'\\]"),
    ({"hedging": None}, "a.jsonl:1: missing field\\(s\\) \\['hedging'\\]"),
])
def test_bad_annotations_fail_with_file_and_line(tiny_corpus, changes, message):
    seeds, annotations = tiny_corpus
    _rewrite_first_line(annotations / "writer" / "a.jsonl", **changes)
    with pytest.raises(AnnotationError, match=message):
        build_dataset(seeds, annotations)


def test_invalid_json_and_duplicate_lines_are_refused(tiny_corpus):
    seeds, annotations = tiny_corpus
    path = annotations / "writer" / "a.jsonl"
    first = path.read_text().splitlines()[0]
    path.write_text(path.read_text() + first + "\n")
    with pytest.raises(AnnotationError, match="already labelled at .*a.jsonl:1"):
        build_dataset(seeds, annotations)
    path.write_text("{not json\n")
    with pytest.raises(AnnotationError, match="a.jsonl:1: not valid JSON"):
        build_dataset(seeds, annotations)


def test_a_labelled_document_with_an_unlabelled_sentence_is_refused(tiny_corpus):
    seeds, annotations = tiny_corpus
    path = annotations / "second" / "a.jsonl"
    path.write_text("\n".join(path.read_text().splitlines()[1:]) + "\n")
    with pytest.raises(AnnotationError, match="001_briefing.txt: sentence 0 has no second-pass label"):
        build_dataset(seeds, annotations)


def test_unlabelled_documents_are_skipped_and_counted(tiny_corpus):
    seeds, annotations = tiny_corpus
    (seeds / "009_new.txt").write_text("id: 009_new\nkind: letter\nspeaker: X\ncountry: Peru\ndate: 1990\n"
                                       "topic: aid\n---\nNot yet labelled.")
    assert build_dataset(seeds, annotations).info["unlabelled_documents"] == 1


def test_malformed_documents_fail_the_build(tiny_corpus):
    seeds, annotations = tiny_corpus
    (seeds / "009_bad.txt").write_text("id: 009_bad\nno header end\nWe agree.")
    with pytest.raises(DocumentError, match="009_bad.txt"):
        build_dataset(seeds, annotations)


def test_save_and_load_round_trip(tiny_corpus, tmp_path):
    result = build_dataset(*tiny_corpus)
    result.save(tmp_path / "processed")
    dataset, info = load_dataset_folder(tmp_path / "processed")
    assert info == result.info and content_hash(dataset) == result.info["content_hash"]
    with pytest.raises(FileNotFoundError, match="run `stance data build` first"):
        load_dataset_folder(tmp_path / "nowhere")
