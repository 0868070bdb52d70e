import pandas as pd
import pytest
from typer.testing import CliRunner

from stance.cli import app
from stance.inference.predictor import Predictor
from stance.inference.scoring import ScoreOptions, score_file
from stance.inference.table_io import write_table

ray = pytest.importorskip("ray", reason="Ray is an extra: pip install 'stance[ray]' (scripts/bootstrap.sh installs it)")
runner = CliRunner()
TEXTS = ["They attacked our border. We urge talks.", "We welcome the talks in Geneva.", "",
         "It may seem that some firms erred.", "   ", None, "The minister arrives on Monday."]
ROWS = pd.DataFrame({"id": range(300), "source": "briefing", "text": [TEXTS[i % len(TEXTS)] for i in range(300)]})


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def local(tmp_path, model, source, split) -> pd.DataFrame:
    target = tmp_path / "local.parquet"
    score_file(ScoreOptions(input=str(source), output=str(target), split_sentences=split), Predictor.load(model),
               progress=False)
    return pd.read_parquet(target)


@pytest.mark.parametrize(("fmt", "split"), [("jsonl", False), ("csv", True)])
def test_the_ray_engine_writes_what_the_local_engine_writes(tmp_path, tfidf_folder, fmt, split):
    source = tmp_path / f"in.{fmt}"
    write_table(ROWS, source, fmt)
    result = runner.invoke(app, ["score", str(source), "-o", str(tmp_path / "ray_out"), "--engine", "ray",
                                 "--model", str(tfidf_folder), "--workers", "2",
                                 *(["--split-sentences"] if split else [])])
    assert result.exit_code == 0, result.output
    expected = local(tmp_path, tfidf_folder, source, split)
    keys = ["row_index", "sentence_index"] if split else ["row_index"]
    scored = pd.read_parquet(tmp_path / "ray_out").sort_values(keys).reset_index(drop=True)
    assert scored["row_index"].is_unique if not split else not scored.duplicated(keys).any()
    if not split:
        assert scored["row_index"].tolist() == list(range(300))
        scored = scored.drop(columns="row_index")
    assert sorted(scored.columns) == sorted(expected.columns)
    scored = scored[expected.columns]
    assert len(scored) == len(expected) and scored["id"].tolist() == expected["id"].tolist()
    probabilities = [c for c in expected.columns if c.endswith("_prob")]
    pd.testing.assert_frame_equal(scored[probabilities], expected[probabilities], atol=1e-6, check_dtype=False)
    assert scored["error"].fillna("").tolist() == expected["error"].fillna("").tolist()
    assert set(expected["error"].dropna()) >= {"text is empty", "text is only whitespace"}


@pytest.mark.parametrize("args", [["--model", "MISSING"], ["--text-column", "body"], ["--batch-size", "0"]])
def test_refusals_match_the_local_engine_before_any_work(tmp_path, tfidf_folder, args):
    write_table(ROWS, tmp_path / "in.parquet", "parquet")
    args = [a.replace("MISSING", str(tmp_path / "no_model")) for a in args]
    model = [] if "--model" in args else ["--model", str(tfidf_folder)]
    on_ray = runner.invoke(app, ["score", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "out"), "--engine", "ray",
                                 *model, *args])
    here = runner.invoke(app, ["score", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "out.parquet"), *model, *args])
    assert on_ray.exit_code == here.exit_code == 2

    def error(output: str) -> str:
        return output[output.index("error:"):].strip()

    assert error(on_ray.output) == error(here.output)
    assert not (tmp_path / "out").exists()
