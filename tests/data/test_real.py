import json

import pytest
from real_fixture import SPEECHES, write_archive

from corpus_fixture import write_corpus
from stance.data.annotations import AnnotationError
from stance.data.build import build_dataset
from stance.data.real import (
    ReferenceMismatch,
    locate_sentences,
    materialise,
    normalise,
    sample_candidates,
    sentence_sha256,
    speech_split,
)
from stance.data.real_annotations import annotated_keys, record_labels
from stance.data.segment import split_sentences
from stance.labels import LABELS

ALL_SPLITS = ("train", "validation", "test")


def test_located_offsets_give_back_exactly_the_segmenters_sentences():
    for _, _, _, text in SPEECHES:
        located = locate_sentences(text)
        assert [s.text for s in located] == [s.text for s in split_sentences(text)]
        assert all(normalise(text[s.start:s.end]) == s.text for s in located)


def test_a_speech_keeps_its_split_whatever_else_is_labelled():
    assert {speech_split(c, s) for c, s, _, _ in SPEECHES} <= set(ALL_SPLITS)
    assert [speech_split("GHA", 3)] * 3 == [speech_split("GHA", 3) for _ in range(3)]
    shares = [speech_split(f"C{i}", i % 80) for i in range(2000)]
    assert 0.2 < shares.count("test") / 2000 < 0.3 and 0.55 < shares.count("train") / 2000 < 0.65


def test_candidates_honour_the_filter_the_splits_and_the_exclusions(tmp_path):
    archive = write_archive(tmp_path / "speeches.jsonl.gz")
    early = sample_candidates(archive, limit=100, seed=1, where=lambda r: r["session"] <= 24, splits=ALL_SPLITS,
                              min_words=1)
    assert early and all(c.session <= 24 for c in early)
    assert {(c.country, c.session) for c in early} == {("GHA", 3), ("PER", 10), ("GHA", 9)}
    excluded = sample_candidates(archive, limit=100, seed=1, splits=ALL_SPLITS, min_words=1,
                                 exclude={early[0].key})
    assert early[0].key not in {c.key for c in excluded}
    only = speech_split("PER", 10)
    assert all(c.split == only for c in sample_candidates(archive, limit=100, seed=1, splits=(only,), min_words=1))
    task = early[1].to_task()
    assert task["sha256"] == sentence_sha256(task["text"]) and "context" in task


def test_materialise_checks_every_hash(tmp_path):
    archive = write_archive(tmp_path / "speeches.jsonl.gz")
    sentence = locate_sentences(SPEECHES[1][3])[1]
    ref = {"country": "PER", "session": 10, "start": sentence.start, "end": sentence.end, "sha256": sentence.sha256,
           "where": "x.jsonl:1"}
    assert materialise([ref], archive) == [(sentence.text, 1955)]
    with pytest.raises(ReferenceMismatch, match=r"x.jsonl:1: the text at PER session 10 .* does not match its sha256"):
        materialise([{**ref, "sha256": "0" * 64}], archive)
    with pytest.raises(ReferenceMismatch, match="has no speech PER session 11"):
        materialise([{**ref, "session": 11}], archive)


def write_real_annotations(root, archive, *, second_override=None, adjudicate=True):
    """Both passes for every sentence of the three early speeches; returns the annotations folder."""
    candidates = sample_candidates(archive, limit=100, seed=0, where=lambda r: r["session"] <= 24, splits=ALL_SPLITS,
                                   min_words=1)
    tasks = [{"id": f"t{i}", **c.to_task(), "round": 1, "selected_by": "random"} for i, c in enumerate(candidates)]
    labels = [{"id": t["id"], "blame": int("Power" in t["text"] or "Council" in t["text"]),
               "cooperation": int("welcome" in t["text"] or "thank" in t["text"]), "hedging": 0} for t in tasks]
    real = root / "real"
    for name in ("first", "second", "adjudicated"):
        (real / name).mkdir(parents=True, exist_ok=True)
    first = record_labels(tasks, labels, where="first.jsonl")
    second = [dict(line) for line in first]
    if second_override is not None:
        second[0]["hedging"] = 1 - second[0]["hedging"]
        if adjudicate:
            (real / "adjudicated" / "r1.jsonl").write_text(json.dumps({**first[0], "hedging": 1, "note": "x"}) + "\n")
    for name, lines in (("first", first), ("second", second)):
        (real / name / "r1.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return tasks


def test_build_reads_real_sentences_back_by_reference_into_their_own_splits(tmp_path):
    archive = write_archive(tmp_path / "speeches.jsonl.gz")
    seeds, annotations = write_corpus(tmp_path)
    tasks = write_real_annotations(annotations, archive, second_override=True)
    result = build_dataset(seeds, annotations, archive=archive)
    real = [row for name in ("real_train", "real_validation", "real_test") for row in result.dataset[name]]
    assert sorted(row["text"] for row in real) == sorted(t["text"] for t in tasks)
    for name in ("train", "validation", "test"):
        assert {row["doc_id"] for row in result.dataset[f"real_{name}"]} <= {
            f"ungdc:{c}-{s}" for c, s, _, _ in SPEECHES if speech_split(c, s) == name}
    adjudicated = next(row for row in real if row["text"] == tasks[0]["text"])
    assert adjudicated["hedging"] == 1  # the passes disagreed; the adjudication decides
    assert result.info["real"]["sentences"] == len(tasks) and set(result.info["real"]["kappa"]) == set(LABELS)
    committed = (annotations / "real" / "first" / "r1.jsonl").read_text()
    assert tasks[1]["text"] not in committed  # references only, never the text


def test_a_changed_archive_is_refused_with_the_file_line_and_fix(tmp_path):
    archive = write_archive(tmp_path / "speeches.jsonl.gz")
    seeds, annotations = write_corpus(tmp_path)
    write_real_annotations(annotations, archive)
    path = annotations / "real" / "first" / "r1.jsonl"
    lines = path.read_text().splitlines()
    lines[2] = json.dumps({**json.loads(lines[2]), "sha256": "f" * 64})
    path.write_text("\n".join(lines) + "\n")
    second = annotations / "real" / "second" / "r1.jsonl"
    second.write_text("\n".join(lines) + "\n")
    with pytest.raises(ReferenceMismatch, match=r"first/r1.jsonl:3: .*does not match its sha256.*pass --archive"):
        build_dataset(seeds, annotations, archive=archive)


def test_an_absent_archive_builds_the_written_corpus_alone_and_says_so(tmp_path):
    archive = write_archive(tmp_path / "speeches.jsonl.gz")
    seeds, annotations = write_corpus(tmp_path)
    write_real_annotations(annotations, archive)
    result = build_dataset(seeds, annotations, archive=tmp_path / "absent.jsonl.gz")
    assert "absent.jsonl.gz absent" in result.info["real"]["skipped"]
    assert len(result.dataset["real_train"]) + len(result.dataset["real_test"]) == 0
    assert result.info["content_hash"] == build_dataset(*write_corpus(tmp_path / "plain")).info["content_hash"]


def test_disagreement_without_adjudication_is_refused(tmp_path):
    archive = write_archive(tmp_path / "speeches.jsonl.gz")
    seeds, annotations = write_corpus(tmp_path)
    write_real_annotations(annotations, archive, second_override=True, adjudicate=False)
    with pytest.raises(AnnotationError, match="passes disagree .* add the decision to data/annotations/real/adjudicated"):
        build_dataset(seeds, annotations, archive=archive)


def test_recording_needs_a_label_for_every_task_and_keeps_no_text(tmp_path):
    archive = write_archive(tmp_path / "speeches.jsonl.gz")
    tasks = write_real_annotations(tmp_path, archive)
    assert len(annotated_keys(tmp_path / "real")) == len(tasks)
    with pytest.raises(AnnotationError, match="task 't1' has no label line"):
        record_labels(tasks[:2], [{"id": "t0", "blame": 0, "cooperation": 0, "hedging": 0}], where="l.jsonl")
    with pytest.raises(AnnotationError, match="hedging is 2; expected 0 or 1"):
        record_labels(tasks[:1], [{"id": "t0", "blame": 0, "cooperation": 0, "hedging": 2}], where="l.jsonl")


def test_annotate_record_names_the_file_and_line_of_a_line_that_is_not_json(tmp_path):
    from typer.testing import CliRunner

    from stance.cli import app

    tasks, labels = tmp_path / "tasks.jsonl", tmp_path / "labels.jsonl"
    tasks.write_text('{"id": "t0"}\n', encoding="utf-8")
    labels.write_text('{"id": "t0", "blame": 0, "cooperation": 1, "hedging": 0}\n\n{"id": "t1", blame: 1}\n',
                      encoding="utf-8")
    result = CliRunner().invoke(app, ["annotate", "record", str(tasks), str(labels), "-o", str(tmp_path / "pass.jsonl")])
    assert result.exit_code == 2
    assert f"{labels}:3: not valid JSON" in " ".join(result.output.split())
    assert not (tmp_path / "pass.jsonl").exists()
