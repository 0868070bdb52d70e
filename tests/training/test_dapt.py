import json

import pytest
import torch
from safetensors.torch import load_file
from tiny_transformer import TEXTS, tiny_classifier

from stance.models.transformer import TransformerClassifier
from stance.training.dapt import REPORT, DaptConfig, continue_pretraining


@pytest.fixture
def tiny_backbone(tmp_path):
    folder = tmp_path / "backbone"
    classifier = tiny_classifier(folder)
    classifier.model.save_pretrained(folder)
    classifier.tokenizer.save_pretrained(folder)
    return folder


def test_continued_pretraining_adapts_the_encoder_and_saves_a_backbone(tiny_backbone, tmp_path):
    output = tmp_path / "adapted"
    config = DaptConfig(backbone=str(tiny_backbone), minutes=5, epochs=30, batch_size=4, head_steps=5, held_out=4,
                        head_learning_rate=1e-2, learning_rate=1e-2, mlm_probability=0.3)
    report = continue_pretraining(TEXTS, output, config)

    assert report["stopped_by"] == "epochs"
    assert report["steps"] == 5 + 30 * 5  # 20 training sentences, batches of 4
    assert report["held_out_loss_adapted_encoder"] < report["held_out_loss_shipped_encoder"]
    assert json.loads((output / REPORT).read_text())["steps"] == report["steps"]
    before, after = load_file(tiny_backbone / "model.safetensors"), load_file(output / "model.safetensors")
    name = "bert.encoder.layer.0.attention.self.query.weight"
    assert not torch.equal(before[name], after[name.removeprefix("bert.")])
    adapted = TransformerClassifier.from_backbone(output)  # a fresh head on the adapted encoder
    assert torch.equal(adapted.model.bert.encoder.layer[0].attention.self.query.weight, after[name.removeprefix("bert.")])


def test_a_zero_time_budget_stops_before_the_first_step(tiny_backbone, tmp_path):
    report = continue_pretraining(TEXTS, tmp_path / "adapted", DaptConfig(backbone=str(tiny_backbone), minutes=0,
                                                                          held_out=4))
    assert (report["steps"], report["stopped_by"]) == (0, "time budget")


def test_too_few_sentences_are_refused_with_the_fix(tiny_backbone, tmp_path):
    with pytest.raises(ValueError, match="found 9. Point --unlabelled at a larger archive"):
        continue_pretraining(TEXTS[:9], tmp_path / "adapted", DaptConfig(backbone=str(tiny_backbone)))
