import numpy as np
import pytest
import torch
from tiny_transformer import LABELS as Y
from tiny_transformer import TEXTS, tiny_classifier

from stance.models.transformer import TransformerClassifier
from stance.training.trainer import TrainConfig, Trainer

FAST = TrainConfig(epochs=6, batch_size=8, learning_rate=1e-2, warmup_ratio=0.0, patience=10, seed=3)


def mean_loss(classifier: TransformerClassifier) -> float:
    probabilities = torch.tensor(classifier.predict_proba(TEXTS))
    return float(torch.nn.functional.binary_cross_entropy(probabilities, torch.tensor(Y, dtype=torch.float32)))


def test_training_lowers_the_loss_and_keeps_the_best_epoch(tmp_path):
    classifier = tiny_classifier(tmp_path / "tok")
    before = mean_loss(classifier)
    best = Trainer(classifier, FAST, output=tmp_path / "out").fit(TEXTS, Y, TEXTS, Y)
    assert mean_loss(best) < before - 0.05
    history = best.metadata["training_history"]
    assert [h["epoch"] for h in history] == list(range(1, 7))
    assert best.metadata["best_epoch"] == max(history, key=lambda h: h["val_macro_f1"])["epoch"]


def test_resume_after_an_interruption_matches_an_uninterrupted_run(tmp_path):
    straight = Trainer(tiny_classifier(tmp_path / "a"), FAST, output=tmp_path / "a_out").fit(TEXTS, Y, TEXTS, Y)

    def interrupt(epoch, _metrics):
        if epoch == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Trainer(tiny_classifier(tmp_path / "b"), FAST, output=tmp_path / "b_out", on_epoch_end=interrupt).fit(
            TEXTS, Y, TEXTS, Y)
    fresh = tiny_classifier(tmp_path / "b", seed=99)  # a different start: the checkpoint must win
    resumed = Trainer(fresh, FAST, output=tmp_path / "b_out").fit(TEXTS, Y, TEXTS, Y)
    assert [h["epoch"] for h in resumed.metadata["training_history"]] == list(range(1, 7))
    np.testing.assert_allclose(resumed.predict_proba(TEXTS), straight.predict_proba(TEXTS), atol=1e-5)


def test_training_options_come_from_yaml_or_toml_and_the_command_line_wins(tmp_path):
    (tmp_path / "run.yaml").write_text("epochs: 2\nbatch_size: 8\n")
    (tmp_path / "run.toml").write_text("learning_rate = 0.0001\nseed = 5\n")
    assert TrainConfig.from_file(tmp_path / "run.yaml", batch_size=4) == TrainConfig(epochs=2, batch_size=4)
    assert TrainConfig.from_file(tmp_path / "run.toml") == TrainConfig(learning_rate=1e-4, seed=5)
    (tmp_path / "bad.yaml").write_text("epoch: 2\n")
    with pytest.raises(ValueError, match="unknown option\\(s\\) \\['epoch'\\]"):
        TrainConfig.from_file(tmp_path / "bad.yaml")
