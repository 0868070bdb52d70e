import sys

import numpy as np
import pytest
from tiny_transformer import LABELS, TEXTS, tiny_classifier

from stance.models import onnx_export
from stance.models.baseline import ModelFolderError
from stance.models.folder import load_model
from stance.models.onnx_runtime import OnnxClassifier
from stance.models.transformer import TransformerClassifier


@pytest.fixture
def exported(tmp_path):
    folder = tiny_classifier(tmp_path / "tok").save(tmp_path / "transformer-20260101-000000")
    report = onnx_export.export_onnx(folder, TEXTS, LABELS)
    return folder, report


def test_export_writes_both_variants_and_they_agree_with_torch(exported):
    folder, report = exported
    assert (folder / "model.onnx").is_file() and (folder / "model.int8.onnx").is_file()
    assert report.passed and report.fp32_vs_torch_max_diff < 1e-4 and (folder / "onnx_parity.json").is_file()
    torch_probabilities = load_model(folder, "torch").predict_proba(TEXTS)
    np.testing.assert_allclose(OnnxClassifier.load(folder, "model.onnx").predict_proba(TEXTS), torch_probabilities,
                               atol=1e-5)
    int8 = load_model(folder, "onnx")
    assert np.abs(int8.predict_proba(TEXTS) - torch_probabilities).mean() < 0.02
    np.testing.assert_array_equal(int8.thresholds_, load_model(folder, "torch").thresholds_)


def test_auto_picks_the_fastest_present_and_torch_when_there_is_no_export(exported, tmp_path):
    folder, _ = exported
    auto = load_model(folder)
    assert isinstance(auto, OnnxClassifier) and auto.metadata["onnx_file"] == "model.int8.onnx"
    assert type(load_model(folder, "torch")) is TransformerClassifier
    plain = tiny_classifier(tmp_path / "tok2").save(tmp_path / "plain")
    assert type(load_model(plain)) is TransformerClassifier
    with pytest.raises(ModelFolderError, match="no ONNX export.*stance export"):
        load_model(plain, "onnx")
    with pytest.raises(ValueError, match="Unknown backend 'gpu'"):
        load_model(plain, "gpu")


def test_without_onnxruntime_auto_falls_back_to_torch_and_says_so(exported, monkeypatch):
    folder, _ = exported
    monkeypatch.setitem(sys.modules, "stance.models.onnx_runtime", None)  # as if onnxruntime were not installed
    with pytest.warns(UserWarning, match="onnxruntime is not importable.*torch backend"):
        model = load_model(folder)
    assert type(model) is TransformerClassifier
    with pytest.raises(ModelFolderError, match="needs onnxruntime"):
        load_model(folder, "onnx")


def test_an_export_that_fails_parity_is_refused_with_the_figures(tmp_path, monkeypatch):
    folder = tiny_classifier(tmp_path / "tok").save(tmp_path / "m")
    monkeypatch.setattr(onnx_export, "MAX_MEAN_DIFF", -1.0)
    with pytest.raises(ValueError, match="ONNX export refused: int8 vs fp32 on 24 sentences: mean"):
        onnx_export.export_onnx(folder, TEXTS, LABELS)
    assert not (folder / "model.int8.onnx").exists() and not (folder / "model.onnx").exists()
