import numpy as np
from tiny_transformer import tiny_classifier

from stance.training.adaptation import select_silver


def test_silver_labels_are_confident_and_balanced_from_a_tiny_teacher(tmp_path):
    from tiny_transformer import LABELS, TEXTS

    from stance.training.trainer import TrainConfig, Trainer

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
