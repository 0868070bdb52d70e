import sys

import numpy as np
import pytest
from tiny_transformer import LABELS, TEXTS, tiny_classifier

from stance.models import onnx_export
from stance.models.folder import load_model
from stance.models.kinds import ModelFolderError
from stance.models.onnx_runtime import OnnxClassifier
from stance.models.transformer import TransformerClassifier


@pytest.fixture
def exported(tmp_path):
    # a random tiny model whose int8 export passes parity (seeds 0 and 3 leave probabilities so near the
    # thresholds that int8 flips labels and is refused, which the tests further down cover on purpose)
    folder = tiny_classifier(tmp_path / "tok", seed=2).save(tmp_path / "transformer-20260101-000000")
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


def test_an_int8_export_that_fails_parity_is_dropped_and_fp32_kept(tmp_path, monkeypatch):
    folder = tiny_classifier(tmp_path / "tok").save(tmp_path / "m")
    monkeypatch.setattr(onnx_export, "MAX_MEAN_DIFF", -1.0)
    report = onnx_export.export_onnx(folder, TEXTS, LABELS)
    assert not report.passed and report.describe().startswith("int8 refused, fp32 kept: int8 vs fp32 on 24 sentences")
    assert not (folder / "model.int8.onnx").exists() and (folder / "model.onnx").exists()
    assert isinstance(load_model(folder), OnnxClassifier) and load_model(folder).metadata["onnx_file"] == "model.onnx"


def test_an_fp32_export_that_differs_from_torch_is_refused_with_the_figures(tmp_path, monkeypatch):
    folder = tiny_classifier(tmp_path / "tok").save(tmp_path / "m")
    monkeypatch.setattr(onnx_export, "MAX_FP32_LOGIT_DIFF", -1.0)
    with pytest.raises(ValueError, match="ONNX export refused: refused: int8 vs fp32 on 24 sentences: mean"):
        onnx_export.export_onnx(folder, TEXTS, LABELS)
    assert not (folder / "model.int8.onnx").exists() and not (folder / "model.onnx").exists()


LONG = " ".join(["The Assembly has before it the report of the Committee on the question of disarmament."] * 12)
VARIED = [*TEXTS, LONG, "Ça ne change RIEN: the Président's “words” — and theirs — matter.", "a"]


def test_the_torch_free_path_tokenises_and_scores_exactly_as_the_transformers_tokenizer(exported):
    from transformers import AutoTokenizer

    folder, _ = exported
    model = OnnxClassifier.load(folder, "model.onnx")
    reference = AutoTokenizer.from_pretrained(str(folder))(VARIED, truncation=True, max_length=model.max_length,
                                                           padding=True, return_tensors="np")
    ours = model.preprocess(VARIED)
    for name in ("input_ids", "attention_mask", "token_type_ids"):
        np.testing.assert_array_equal(ours[name], reference[name])
    logits = model.session.run(None, {name: reference[name].astype(np.int64) for name in model.input_names})[0]
    expected = 1 / (1 + np.exp(-logits))
    assert np.abs(model.predict_proba(VARIED, batch_size=len(VARIED)) - expected).max() <= 1e-6
    cut = int((reference["attention_mask"].sum(axis=1) >= model.max_length).sum())
    assert cut >= 1 and model.truncated_ == 2 * cut  # the long sentence was cut; preprocess ran twice


def test_scoring_with_an_exported_folder_imports_neither_torch_nor_transformers(exported, tmp_path):
    import json
    import subprocess

    folder, _ = exported
    table = tmp_path / "rows.jsonl"
    table.write_text("".join(json.dumps({"text": text}) + "\n" for text in TEXTS[:5]))
    script = (
        "import sys\n"
        "from stance.inference.predictor import Predictor\n"
        "from stance.inference.scoring import ScoreOptions, score_file\n"
        f"predictor = Predictor.load({str(folder)!r})\n"
        f"score_file(ScoreOptions(input={str(table)!r}, output={str(tmp_path / 'out.jsonl')!r}), predictor, progress=False)\n"
        "print(type(predictor.model).__name__, 'torch' in sys.modules, 'transformers' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["OnnxClassifier", "False", "False"], result.stderr[-2000:]
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 5
