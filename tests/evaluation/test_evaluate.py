import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stance.cli import app
from stance.data.labelled import load_labelled
from stance.evaluation.evaluate import confident_errors

runner = CliRunner()


def test_confident_errors_are_sorted_by_confidence():
    y = np.array([[1, 0, 0], [0, 0, 0], [0, 0, 0], [1, 0, 0]])
    p = np.array([[.1, .1, .1], [.9, .1, .1], [.6, .1, .1], [.8, .1, .1]])
    errors = confident_errors(["a", "b", "c", "d"], y, p, np.full(3, .5), n=2)
    assert [e["text"] for e in errors["blame"]] == ["a", "b"]  # |0.1-0.5| = |0.9-0.5| (stable), then c
    assert errors["cooperation"] == []


def test_a_file_without_the_labels_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"text": ["a"], "blame": [1]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="lacks the column\\(s\\) \\['cooperation', 'hedging'\\]"):
        load_labelled(path)
    other = path.rename(tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="unknown format '.xlsx'"):
        load_labelled(other)


def test_evaluate_writes_metrics_and_figures_and_lists_errors(tmp_path, tfidf_folder):
    data = tmp_path / "dev.jsonl"
    rows = [{"text": "we welcome the talks", "blame": 0, "cooperation": 1, "hedging": 0},
            {"text": "they attacked our border", "blame": 1, "cooperation": 0, "hedging": 0},
            {"text": "we welcome that they attacked", "blame": 0, "cooperation": 0, "hedging": 1}]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = runner.invoke(app, ["evaluate", "--model", str(tfidf_folder), "--data", str(data), "--errors", "2"])
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.output and "most confident mistakes on hedging" in result.output
    metrics = json.loads((tfidf_folder / "metrics.json").read_text())["dev"]
    assert metrics["n"] == 3 and set(metrics["per_label"]) == {"blame", "cooperation", "hedging"}
    for figure in ("pr_curves_dev.png", "confusion_dev.png", "reliability_dev.png"):
        assert (tfidf_folder / figure).stat().st_size > 1000


def test_compare_puts_models_side_by_side(tmp_path, tfidf_folder):
    data = tmp_path / "dev.csv"
    pd.DataFrame({"text": ["we welcome the talks", "they attacked our border"], "blame": [0, 1], "cooperation": [1, 0],
                  "hedging": [0, 0]}).to_csv(data, index=False)
    import shutil

    copy = shutil.copytree(tfidf_folder, tmp_path / "tfidf-copy")
    result = runner.invoke(app, ["compare", str(tfidf_folder), str(copy), "--data", str(data)])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "tfidf-" in line]
    assert len(rows) == 2 and rows[0].split()[1:] == rows[1].split()[1:]  # same model, same figures
