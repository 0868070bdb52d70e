import json
import pickle

import numpy as np
import pytest

from stance.models.baseline import ModelFolderError, TfidfBaseline
from stance.models.folder import load_model

TEXTS = ["They shelled the port again.", "We welcome the talks in Geneva.", "It may be that the figures are wrong.",
         "The regime broke its promise.", "We stand ready to work with all parties.", "Perhaps we were too hopeful.",
         "The delegation arrives on Monday.", "Their refusal has cost lives, and we urge them to talk."] * 3
LABELS = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [1, 1, 0]] * 3


@pytest.fixture(scope="module")
def model():
    return TfidfBaseline(c_grid=(0.5, 4.0)).fit(TEXTS, LABELS, validation=(TEXTS[:8], LABELS[:8]))


def test_fit_learns_and_stores_choices(model):
    assert model.predict(["We welcome the talks in Geneva."]).tolist() == [[0, 1, 0]]
    probabilities = model.predict_proba(TEXTS)
    assert probabilities.shape == (len(TEXTS), 3) and ((0 <= probabilities) & (probabilities <= 1)).all()
    assert len(model.c_) == 3 and set(model.c_) <= {0.5, 4.0} and model.thresholds_.shape == (3,)


def test_save_load_round_trip_gives_identical_probabilities(model, tmp_path):
    model.save(tmp_path / "m", extra={"data_hash": "abc"})
    loaded = load_model(tmp_path / "m")
    assert isinstance(loaded, TfidfBaseline)
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))
    np.testing.assert_array_equal(loaded.thresholds_, model.thresholds_)
    assert json.loads((tmp_path / "m" / "config.json").read_text())["data_hash"] == "abc"


def test_predict_before_fit_says_how_to_fix():
    with pytest.raises(RuntimeError, match="not fitted yet. Call fit"):
        TfidfBaseline().predict(["We agree."])


@pytest.mark.parametrize("texts, labels, error, message", [
    ([], [], ValueError, "empty list"),
    ("We agree.", [[0, 1, 0]], TypeError, "single string"),
    (["We agree.", 3], [[0, 1, 0]] * 2, TypeError, "item 1 is int"),
    (["We agree."], [[0, 1]], ValueError, "shape \\(1, 3\\)"),
    (["We agree."], [{"blame": 0, "coop": 1, "hedging": 0}], ValueError, "unknown \\['coop'\\]"),
    (["We agree."], [[0, 2, 0]], ValueError, "values 0 or 1"),
])
def test_bad_inputs_are_refused_clearly(texts, labels, error, message):
    with pytest.raises(error, match=message):
        TfidfBaseline().fit(texts, labels)


def test_a_label_without_both_classes_is_refused():
    with pytest.raises(ValueError, match="'hedging' has only one class"):
        TfidfBaseline().fit(["We agree today.", "They attacked us."], [[1, 0, 0], [0, 1, 0]])


def test_pickle_and_tampered_folders_are_refused(model, tmp_path):
    folder = model.save(tmp_path / "m")
    (folder / "weights.safetensors").write_bytes(pickle.dumps({"coef": np.zeros(3)}))
    with pytest.raises(ModelFolderError, match="corrupted or not in the expected format"):
        TfidfBaseline.load(folder)

    folder = model.save(tmp_path / "m2")
    vocabulary = json.loads((folder / "vocabulary.json").read_text())
    vocabulary["word"]["injected"] = len(vocabulary["word"]) + 10**6
    (folder / "vocabulary.json").write_text(json.dumps(vocabulary))
    with pytest.raises(ModelFolderError, match="tampered"):
        TfidfBaseline.load(folder)

    (folder / "weights.safetensors").unlink()
    with pytest.raises(ModelFolderError, match="missing weights.safetensors.*python train.py --model tfidf"):
        TfidfBaseline.load(folder)


def test_load_model_names_missing_and_foreign_folders(tmp_path):
    with pytest.raises(ModelFolderError, match="does not exist.*python train.py"):
        load_model(tmp_path / "nowhere")
    (tmp_path / "x").mkdir()
    with pytest.raises(ModelFolderError, match="not a stance model folder"):
        load_model(tmp_path / "x")
    (tmp_path / "x" / "config.json").write_text('{"model_type": "bert"}')
    with pytest.raises(ModelFolderError, match="model_type 'bert'"):
        load_model(tmp_path / "x")
