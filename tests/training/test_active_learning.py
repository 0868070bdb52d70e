import json

import numpy as np
import pytest
from real_fixture import write_archive
from tiny_transformer import tiny_classifier
from typer.testing import CliRunner

from stance.cli import app
from stance.training.active_learning import choose_diverse, suggest, uncertainty

ALL_SPLITS = ("train", "validation", "test")


def test_uncertainty_is_highest_at_a_threshold_and_zero_when_every_label_is_sure():
    thresholds = np.array([0.3, 0.5, 0.7])
    p = np.array([[0.3, 0.0, 1.0], [0.0, 1.0, 0.0], [0.65, 0.9, 0.1]])
    scores = uncertainty(p, thresholds)
    assert scores[0] == 1.0 and scores[1] == 0.0 and 0 < scores[2] < 1


def test_diverse_choice_spreads_over_clusters_and_speeches():
    rng = np.random.default_rng(0)
    # Two tight clusters of embeddings; the most uncertain rows all sit in the first one and one speech.
    embeddings = np.vstack([rng.normal(0, 0.01, (10, 4)) + [1, 0, 0, 0], rng.normal(0, 0.01, (10, 4)) + [0, 1, 0, 0]])
    scores = np.r_[np.linspace(0.99, 0.9, 10), np.linspace(0.8, 0.7, 10)]
    speeches = ["A"] * 10 + [f"S{i}" for i in range(10)]
    chosen = choose_diverse(scores, embeddings, speeches, n=2, seed=0, shortlist_factor=10, per_speech=1)
    assert chosen == [0, 10]  # the best of each cluster, not the two best of one
    plain = choose_diverse(scores, embeddings, speeches, n=4, seed=0, shortlist_factor=10, per_speech=1)
    assert sum(speeches[i] == "A" for i in plain) == 1 and len(plain) == 4


@pytest.mark.parametrize("kind", ["tfidf", "transformer"])
def test_uncertainty_suggestions_come_from_the_pool_and_skip_what_is_labelled(tmp_path, tfidf_folder, kind):
    archive = write_archive(tmp_path / "speeches.jsonl.gz")
    folder = tfidf_folder if kind == "tfidf" else tiny_classifier(tmp_path / "tok").save(tmp_path / "model")
    early = lambda r: r["session"] <= 24  # noqa: E731
    pool = suggest(archive, n=100, strategy="random", where=early, splits=ALL_SPLITS, seed=1)
    chosen = suggest(archive, n=3, model_dir=folder, where=early, splits=ALL_SPLITS, seed=1)
    assert len(chosen) == 3 and {c.key for c in chosen} <= {c.key for c in pool}
    again = suggest(archive, n=3, model_dir=folder, where=early, splits=ALL_SPLITS, seed=1,
                    exclude={c.key for c in chosen})
    assert not {c.key for c in again} & {c.key for c in chosen}


def test_uncertainty_needs_a_model():
    with pytest.raises(ValueError, match="needs --model DIR"):
        suggest(None, n=3)


def test_the_command_never_suggests_evaluation_sessions_by_default(tmp_path, tfidf_folder):
    archive = write_archive(tmp_path / "speeches.jsonl.gz")
    for strategy in ("random", "uncertainty"):
        out = tmp_path / f"{strategy}.jsonl"
        result = CliRunner().invoke(app, ["annotate", "suggest", "--archive", str(archive), "-n", "50", "--strategy",
                                          strategy, "--model", str(tfidf_folder), "--splits", "train,validation,test",
                                          "--annotations", str(tmp_path / "none"), "-o", str(out), "--round", "2"])
        assert result.exit_code == 0, result.output
        tasks = [json.loads(line) for line in out.read_text().splitlines()]
        assert tasks and all(t["session"] <= 24 for t in tasks)
        assert {"id", "country", "session", "start", "end", "sha256", "context", "text", "round", "selected_by"} <= set(tasks[0])
        assert tasks[0]["round"] == 2 and tasks[0]["selected_by"] == strategy
    late = CliRunner().invoke(app, ["annotate", "suggest", "--archive", str(archive), "-n", "50", "--strategy", "random",
                                    "--where", "session>=25", "--splits", "train,validation,test", "-o", str(out)])
    assert late.exit_code == 0 and all(json.loads(line)["session"] == 30 for line in out.read_text().splitlines())
