import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny_transformer import tiny_classifier

import stance
from stance.inference import predictor as predictor_module
from stance.inference.predictor import Prediction, Predictor, default_model_folder
from stance.models.kinds import ModelFolderError


def test_one_sentence_gives_one_result_and_a_list_gives_a_list_in_order(tfidf_folder):
    model = Predictor.load(tfidf_folder)
    one = model.predict("we welcome the talks")
    assert isinstance(one, Prediction) and one.labels == ["cooperation"]
    assert set(one.probabilities) == {"blame", "cooperation", "hedging"}
    many = model.predict(["they attacked our border", "the minister arrives on monday", "we welcome the talks"])
    assert [r.text for r in many] == ["they attacked our border", "the minister arrives on monday", "we welcome the talks"]
    assert many[0].labels == ["blame"] and many[1].labels == ["neutral"]
    assert json.loads(json.dumps([r.to_dict() for r in many]))[2]["labels"] == ["cooperation"]


def test_predict_batch_streams_any_iterable_in_order(tfidf_folder):
    model = Predictor.load(tfidf_folder)
    texts = [f"we welcome the talks {i}" for i in range(25)]
    streamed = model.predict_batch((t for t in texts), batch_size=4)
    assert not isinstance(streamed, list)
    assert [r.text for r in streamed] == texts


def test_the_default_model_is_found_and_loaded_once(tfidf_folder, monkeypatch):
    monkeypatch.setenv("STANCE_MODEL", str(tfidf_folder))
    monkeypatch.setattr(predictor_module, "_default", None)
    assert stance.predict("we welcome the talks").labels == ["cooperation"]
    first = predictor_module._default
    stance.predict(["they attacked our border"])
    assert predictor_module._default is first


def test_the_newest_run_is_the_default_and_transformers_come_first(tmp_path, tfidf_folder, monkeypatch):
    monkeypatch.delenv("STANCE_MODEL", raising=False)
    models = tmp_path / "models"
    for name in ("tfidf-20250101-000000", "tfidf-20260101-000000"):
        Predictor.load(tfidf_folder).model.save(models / name)
    assert default_model_folder(models).name == "tfidf-20260101-000000"
    tiny_classifier(tmp_path / "tok").save(models / "transformer-20240101-000000")
    assert default_model_folder(models).name == "transformer-20240101-000000"


def test_no_model_says_where_it_looked_and_how_to_train(tmp_path, monkeypatch):
    monkeypatch.delenv("STANCE_MODEL", raising=False)
    with pytest.raises(ModelFolderError, match="Tried \\$STANCE_MODEL.*transformer-\\*.*tfidf-\\*.*python train.py"):
        default_model_folder(tmp_path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_string_gets_valid_probabilities(tfidf_folder, text):
    result = Predictor.load(tfidf_folder).predict(text)
    assert all(0.0 <= p <= 1.0 for p in result.probabilities.values())
    assert result.labels and (result.labels == ["neutral"]) == (not set(result.labels) - {"neutral"})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=2000), min_size=1, max_size=4))
def test_the_transformer_path_takes_any_strings_too(tmp_path_factory, texts):
    classifier = tiny_classifier(tmp_path_factory.mktemp("tok"))
    probabilities = classifier.predict_proba(texts)
    assert probabilities.shape == (len(texts), 3) and np.all((probabilities >= 0) & (probabilities <= 1))
