import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from interrupting import Interrupting
from tiny_transformer import tiny_classifier
from typer.testing import CliRunner

from stance.cli import app
from stance.inference.predictor import Predictor
from stance.inference.scoring import PRED_COLUMNS, PROB_COLUMNS, ScoreOptions, score_file
from stance.inference.table_io import write_table

ROWS = pd.DataFrame({
    "id": [f"r{i:03d}" for i in range(23)],
    "text": [["we welcome the talks", "they attacked our border", "it may seem that some firms erred"][i % 3] + f" {i}"
             for i in range(23)],
    "source": ["briefing"] * 23,
})
runner = CliRunner()


@pytest.fixture
def model(tfidf_folder):
    return Predictor.load(tfidf_folder)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "parquet"])
def test_every_format_round_trips_rows_order_and_columns(tmp_path, model, fmt):
    source, target = tmp_path / f"in.{fmt}", tmp_path / f"out.{fmt}"
    write_table(ROWS, source, fmt)
    summary = score_file(ScoreOptions(input=str(source), output=str(target), chunk_size=5, batch_size=3), model,
                         progress=False)
    out = {"csv": pd.read_csv, "tsv": lambda p: pd.read_csv(p, sep="\t"), "parquet": pd.read_parquet,
           "jsonl": lambda p: pd.read_json(p, lines=True)}[fmt](target)
    assert list(out.columns) == ["id", "text", "source", *PROB_COLUMNS, *PRED_COLUMNS, "error"]
    assert out["id"].tolist() == ROWS["id"].tolist() and out["text"].tolist() == ROWS["text"].tolist()
    assert out[PROB_COLUMNS].apply(lambda c: c.between(0, 1)).all().all()
    assert set(out[PRED_COLUMNS].to_numpy().ravel()) <= {0, 1}
    assert (summary.rows_in, summary.rows_out, summary.errors) == (23, 23, 0)
    assert not Path(f"{target}.partial").exists()


def test_stdin_to_stdout(tfidf_folder):
    lines = "\n".join(json.dumps({"k": i, "text": t}) for i, t in enumerate(["we welcome the talks", "they attacked"]))
    result = runner.invoke(app, ["score", "-", "--model", str(tfidf_folder)], input=lines + "\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["k"] for r in rows] == [0, 1] and rows[0]["cooperation_pred"] == 1


def test_gzipped_jsonl_input_is_read(tmp_path, model):
    import gzip

    source = tmp_path / "in.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as f:
        f.write("".join(json.dumps({"text": t}) + "\n" for t in ROWS["text"]))
    summary = score_file(ScoreOptions(input=str(source), output=str(tmp_path / "out.parquet")), model, progress=False)
    assert summary.rows_out == 23 and pd.read_parquet(tmp_path / "out.parquet")["text"].tolist() == ROWS["text"].tolist()


def test_bad_rows_are_kept_with_a_reason(tmp_path, model):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([json.dumps({"id": 1, "text": "we welcome the talks"}), json.dumps({"id": 2, "text": ""}),
                                 json.dumps({"id": 3, "text": "   "}), json.dumps({"id": 4}),
                                 json.dumps({"id": 5, "text": 42}), json.dumps({"id": 6, "text": None}), "{broken",
                                 json.dumps({"id": 8, "text": "they attacked our border"})]) + "\n")
    summary = score_file(ScoreOptions(input=str(source), output=str(tmp_path / "out.jsonl")), model, progress=False)
    out = pd.read_json(tmp_path / "out.jsonl", lines=True)
    assert len(out) == 8 and summary.errors == 6
    errors = out["error"].tolist()
    assert pd.isna(errors[0]) and pd.isna(errors[7])
    assert errors[1:7] == ["text is empty", "text is only whitespace", "text is missing", "text is a int, not a string",
                           "text is missing", "line 7 is not a JSON object (Expecting property name enclosed in double "
                           "quotes: line 1 column 2 (char 1)); kept as an empty row"]
    assert out.loc[1:6, PROB_COLUMNS].isna().all().all()


def test_undecodable_bytes_are_replaced_and_reported_or_refused_when_strict(tmp_path, model):
    source = tmp_path / "in.csv"
    source.write_bytes(b"id,text\n1,we welcome the talks\n2,they attacked \xff\xfe our border\n")
    summary = score_file(ScoreOptions(input=str(source), output=str(tmp_path / "out.csv")), model, progress=False)
    assert summary.undecodable_lines == [3] and "line 3" in summary.describe()
    assert "\ufffd" in pd.read_csv(tmp_path / "out.csv")["text"][1]
    with pytest.raises(ValueError, match="in.csv:3: bytes that are not UTF-8"):
        score_file(ScoreOptions(input=str(source), output=str(tmp_path / "o2.csv"), strict=True), model, progress=False)


@pytest.mark.parametrize("args, message", [
    (["in.csv", "-o", "out.csv", "--text-column", "body"], "Expected a column named 'body'; found \\['id', 'text', 'source'\\]"),
    (["in.csv", "-o", "out.xlsx"], "Cannot tell the format of 'out.xlsx'"),
    (["in.csv", "-o", "out.csv", "--format", "xml"], "Unknown format 'xml'"),
    (["in.csv", "-o", "missing/out.csv"], "output folder missing does not exist"),
    (["in.csv", "-o", "in.csv"], "is the input file"),
    (["nothere.csv", "-o", "out.csv"], "nothere.csv does not exist"),
    (["in.csv", "-o", "out.csv", "--batch-size", "0"], "--batch-size must be at least 1; found 0"),
    (["in.csv", "-o", "out.csv", "--chunk-size", "0"], "--chunk-size must be at least 1; found 0"),
])
def test_bad_invocations_are_refused_before_any_work(tmp_path, tfidf_folder, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    write_table(ROWS, tmp_path / "in.csv", "csv")
    result = runner.invoke(app, ["score", *args, "--model", str(tfidf_folder)])
    assert result.exit_code == 2
    assert pytest.importorskip("re").search(message, " ".join(result.output.split()))
    assert not (tmp_path / "out.csv").exists()


def test_a_missing_or_incomplete_model_is_named(tmp_path, tfidf_folder):
    write_table(ROWS, tmp_path / "in.csv", "csv")
    result = runner.invoke(app, ["score", str(tmp_path / "in.csv"), "--model", str(tmp_path / "none")])
    assert result.exit_code == 2 and "does not exist" in result.output and "python train.py" in result.output
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((tfidf_folder / "config.json").read_text())
    result = runner.invoke(app, ["score", str(tmp_path / "in.csv"), "--model", str(broken)])
    assert result.exit_code == 2 and "missing vocabulary.json, weights.safetensors" in " ".join(result.output.split())


def test_an_interrupted_run_leaves_no_output_and_resume_finishes_without_rescoring(tmp_path, model):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    write_table(ROWS, source, "csv")
    options = ScoreOptions(input=str(source), output=str(target), chunk_size=5, batch_size=100)
    with pytest.raises(KeyboardInterrupt):
        score_file(options, Interrupting(model, limit=2), progress=False)
    assert not target.exists() and len(list(Path(f"{target}.partial").glob("part-*"))) == 2
    counting = Interrupting(model, limit=10**6)
    summary = score_file(ScoreOptions(**{**options.__dict__, "resume": True}), counting, progress=False)
    assert summary.resumed_rows == 10 and counting.calls == 3  # chunks 3, 4, 5 only
    straight = tmp_path / "straight.csv"
    score_file(ScoreOptions(**{**options.__dict__, "output": str(straight)}), model, progress=False)
    pd.testing.assert_frame_equal(pd.read_csv(target), pd.read_csv(straight))


def test_split_sentences_keeps_the_row_and_the_position(tmp_path, model):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "We welcome the talks. They attacked our border."}) + "\n"
                      + json.dumps({"id": "b", "text": ""}) + "\n")
    score_file(ScoreOptions(input=str(source), output=str(tmp_path / "out.jsonl"), split_sentences=True), model,
               progress=False)
    out = pd.read_json(tmp_path / "out.jsonl", lines=True)
    assert out[["id", "row_index", "sentence_index"]].values.tolist() == [["a", 0, 0], ["a", 0, 1], ["b", 1, 0]]
    assert out["sentence"].tolist()[:2] == ["We welcome the talks.", "They attacked our border."]
    assert out["error"].tolist()[2] == "text is empty"


def test_long_texts_and_other_scripts_are_scored_and_truncation_is_counted(tmp_path):
    classifier = tiny_classifier(tmp_path / "tok")
    classifier.save(tmp_path / "model")
    model = Predictor.load(tmp_path / "model")
    source = tmp_path / "in.jsonl"
    texts = ["we welcome the talks " * 400, "我们欢迎会谈。", "نرحب بالمحادثات", "Мы приветствуем переговоры."]
    source.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts))
    summary = score_file(ScoreOptions(input=str(source), output=str(tmp_path / "out.jsonl")), model, progress=False)
    out = pd.read_json(tmp_path / "out.jsonl", lines=True)
    assert summary.truncated == 1 and summary.errors == 0
    assert np.all(out[PROB_COLUMNS].notna())
