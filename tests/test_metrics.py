import numpy as np
import pytest

from stance.metrics import compute_metrics, expected_calibration_error, tune_thresholds

Y = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 1], [0, 0, 0], [1, 0, 1]])
P = np.array([[.9, .2, .1], [.3, .8, .4], [.6, .7, .9], [.2, .1, .6], [.4, .3, .3]])


def test_metrics_match_hand_computed_values():
    m = compute_metrics(Y, P, np.full(3, 0.5))
    blame = m["per_label"]["blame"]  # predicted 1,0,1,0,0 against 1,0,1,0,1: tp 2, fp 0, fn 1
    assert (blame["precision"], blame["recall"], blame["f1"], blame["support"]) == (1.0, 0.6667, 0.8, 3)
    assert blame["confusion"] == {"tn": 2, "fp": 0, "fn": 1, "tp": 2}
    hedging = m["per_label"]["hedging"]  # predicted 0,0,1,1,0 against 0,0,1,0,1: tp 1, fp 1, fn 1
    assert (hedging["precision"], hedging["recall"], hedging["f1"]) == (0.5, 0.5, 0.5)
    assert m["per_label"]["cooperation"]["f1"] == 1.0
    assert m["macro_f1"] == round((0.8 + 1.0 + 0.5) / 3, 4)
    assert m["micro_f1"] == round(2 * 5 / (2 * 5 + 1 + 2), 4)  # tp 5, fp 1, fn 2
    assert m["exact_match"] == 0.6
    assert blame["roc_auc"] == 1.0 and blame["pr_auc"] == 1.0  # every positive outranks every negative


def test_auc_is_none_when_a_label_has_one_class():
    m = compute_metrics(np.zeros((3, 3), dtype=int), np.full((3, 3), 0.2), np.full(3, 0.5))
    assert m["per_label"]["blame"]["roc_auc"] is None and m["per_label"]["blame"]["pr_auc"] is None


def test_expected_calibration_error_by_hand():
    # Two bins used: [0.1, 0.1] with accuracy 0 -> gap 0.1; [0.9, 0.9] with accuracy 0.5 -> gap 0.4.
    assert expected_calibration_error(np.array([0, 0, 1, 0]), np.array([.1, .1, .9, .9])) == pytest.approx(0.25)


def test_thresholds_maximise_f1():
    thresholds = tune_thresholds(Y, P)
    assert compute_metrics(Y, P, thresholds)["macro_f1"] >= compute_metrics(Y, P, np.full(3, 0.5))["macro_f1"]
    assert thresholds[0] == pytest.approx(0.4)  # the lowest positive: recall 1 at precision 1
