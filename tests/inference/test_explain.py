import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stance.cli import app
from stance.inference.explain import explain, without, word_spans
from stance.inference.predictor import Predictor
from stance.inference.scoring import CUE_COLUMNS, ScoreOptions, score_file
from stance.inference.table_io import write_table

runner = CliRunner()
SENTENCE = "they attacked our border and broke the promise"


@pytest.fixture
def model(tfidf_folder):
    return Predictor.load(tfidf_folder)


def test_a_cue_weight_is_the_fall_in_probability_when_the_word_is_deleted(model):
    [prediction] = model.predict([SENTENCE], explain=True)
    assert "blame" in prediction.labels and set(prediction.cues) == set(prediction.labels)
    cues = prediction.cues["blame"]
    assert cues and [c["weight"] for c in cues] == sorted((c["weight"] for c in cues), reverse=True)
    full = model.predict_proba([SENTENCE])[0, 0]
    for cue in cues:
        assert SENTENCE[cue["start"]:cue["end"]] == cue["text"]
        shortened = model.predict_proba([without(SENTENCE, cue["start"], cue["end"])])[0, 0]
        assert cue["weight"] == pytest.approx(full - shortened, abs=1e-4) and cue["weight"] > 0
    words = {SENTENCE[s:e] for s, e in word_spans(SENTENCE)}
    assert {c["text"] for c in cues} < words  # some words carry nothing and are left out by weight


def test_unexplained_predictions_carry_no_cues_and_neutral_sentences_none():
    def scores(texts):
        return np.array([[0.9 if "attack" in t else 0.1, 0.1, 0.1] for t in texts])

    [attacked, calm] = explain(scores, ["they attack us", "the sun rose"], np.full(3, 0.5))
    assert attacked == {"blame": [{"text": "attack", "start": 5, "end": 11, "weight": 0.8}]} and calm == {}


def test_predict_explain_from_the_command_line_and_the_library(tfidf_folder):
    result = runner.invoke(app, ["predict", SENTENCE, "--model", str(tfidf_folder), "--explain"])
    line = json.loads(result.output)
    assert result.exit_code == 0 and line["cues"]["blame"][0]["text"] in SENTENCE
    plain = json.loads(runner.invoke(app, ["predict", SENTENCE, "--model", str(tfidf_folder)]).output)
    assert "cues" not in plain


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_score_explain_adds_a_json_cue_column_per_label_in_every_format(tmp_path, model, fmt):
    rows = pd.DataFrame({"id": [1, 2, 3], "text": [SENTENCE, "", "we welcome the talks"]})
    write_table(rows, tmp_path / f"in.{fmt}", fmt)
    score_file(ScoreOptions(input=str(tmp_path / f"in.{fmt}"), output=str(tmp_path / f"out.{fmt}"), explain=True),
               model, progress=False)
    out = pd.read_json(tmp_path / "out.jsonl", lines=True) if fmt == "jsonl" else (
        pd.read_csv(tmp_path / "out.csv") if fmt == "csv" else pd.read_parquet(tmp_path / "out.parquet"))
    assert list(out["id"]) == [1, 2, 3] and all(column in out.columns for column in CUE_COLUMNS)
    blame = json.loads(out["blame_cues"][0])
    assert blame and blame[0]["text"] in SENTENCE
    assert pd.isna(out["blame_cues"][1])  # the empty row is not scored, so it has no cues
    assert out["blame_pred"][2] == 0 and json.loads(out["blame_cues"][2]) == []  # a label not predicted: []
    assert out["cooperation_pred"][2] == 1 and json.loads(out["cooperation_cues"][2])[0]["text"] in "we welcome the talks"
