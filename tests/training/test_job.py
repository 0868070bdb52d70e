import json
from pathlib import Path

import pytest
import yaml

from stance.models.folder import latest_run
from stance.models.manifest import verify_folder
from stance.training.job import JobOptions, run_job


def test_the_main_job_trains_evaluates_and_compares_with_the_previous_run(tiny_corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCE_SHARED", str(tmp_path / "no_shared"))
    seeds, annotations = tiny_corpus
    options = JobOptions(seeds=seeds, annotations=annotations, data_dir=tmp_path / "processed",
                         models_dir=tmp_path / "models", models=("tfidf",))
    printed = []
    first = run_job(options, echo=printed.append)
    assert "tfidf (new)" in first["test"] and "realdev" not in first
    assert any("real-dev set not found" in line for line in printed)
    folder = latest_run(tmp_path / "models", "tfidf")
    config = json.loads((folder / "config.json").read_text())
    built = json.loads((tmp_path / "processed" / "info.json").read_text())
    assert config["data_hash"] == built["content_hash"]
    assert (folder / "metrics.json").exists()
    card = (folder / "README.md").read_text()
    assert "# stance tfidf model" in card and "on test" in card and "## Limits" in card
    header = yaml.safe_load(card.split("---\n")[1])  # the Hugging Face card header that hub tooling reads
    assert header["license"] == "apache-2.0" and header["language"] == ["en"]
    test_result = next(r for r in header["model-index"][0]["results"] if r["dataset"]["split"] == "test")
    assert test_result["metrics"][0] == {"type": "f1", "name": "macro-F1",
                                         "value": round(first["test"]["tfidf (new)"]["macro_f1"], 4)}
    assert verify_folder(folder).ok  # the card and everything else written after saving is in the manifest
    scored = [json.loads(line) for line in (tmp_path / "models" / "seeds_scored.jsonl").open()]
    assert len(scored) == 17 and scored[0]["doc_id"] == "001_briefing"
    assert any("001_briefing, sentence by sentence:" in line for line in printed)
    import time

    time.sleep(1.1)  # run folders are named by the second
    second = run_job(options, echo=printed.append)
    assert set(second["test"]) == {"tfidf (new)", "tfidf (previous)"}


def test_an_unlabelled_archive_adds_a_self_trained_student(tiny_corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCE_SHARED", str(tmp_path / "no_shared"))
    archive = tmp_path / "archive.jsonl"
    speeches = ["The racist regime continues its aggression against the front-line States. We welcome the solidarity "
                "of the Assembly. It would seem that some Powers prefer trade to principle.",
                "The Ministers met in Bangkok. We stand ready to work with all parties to end the attacks."]
    archive.write_text("".join(json.dumps({"session": s, "text": t}) + "\n" for s, t in zip((10, 40), speeches)))
    seeds, annotations = tiny_corpus
    options = JobOptions(seeds=seeds, annotations=annotations, data_dir=tmp_path / "processed",
                         models_dir=tmp_path / "models", models=("tfidf",), unlabelled=archive, self_train=True,
                         unlabelled_where=lambda record: record["session"] <= 24, silver_per_label=2,
                         silver_low=0.5, silver_high=0.5)
    printed = []
    results = run_job(options, echo=printed.append)
    assert set(results["test"]) == {"tfidf (new)", "tfidf_selftrain (new)"}
    student = latest_run(tmp_path / "models", "tfidf_selftrain")
    config = json.loads((student / "config.json").read_text())
    assert config["unlabelled"] == str(archive) and 0 < config["silver_sentences"] <= 3
    assert any("3 sentences sampled" in line for line in printed)  # only the session-10 speech


def test_dapt_fine_tunes_a_transformer_on_a_backbone_pretrained_on_the_archive(tiny_corpus, tmp_path, monkeypatch):
    from tiny_transformer import tiny_classifier

    from stance.training.trainer import TrainConfig, train_transformer_model

    monkeypatch.setenv("STANCE_SHARED", str(tmp_path / "no_shared"))
    backbone = tmp_path / "tiny_backbone"
    tiny = tiny_classifier(backbone)
    tiny.model.save_pretrained(backbone)
    tiny.tokenizer.save_pretrained(backbone)
    archive = tmp_path / "archive.txt"
    archive.write_text("\n\n".join(f"We welcome the talks on item {n}. They attacked the border again in {n}."
                                   for n in range(10)) + "\n")
    backbones = []

    def train_transformer(dataset, folder, data_hash, silver=None, backbone=str(backbone)):
        backbones.append(backbone)
        train_transformer_model(dataset, folder, TrainConfig(backbone=backbone, epochs=1, max_length=32), data_hash=data_hash)

    seeds, annotations = tiny_corpus
    options = JobOptions(seeds=seeds, annotations=annotations, data_dir=tmp_path / "processed",
                         models_dir=tmp_path / "models", models=("transformer",), unlabelled=archive, dapt=True,
                         self_train=True,
                         dapt_minutes=1, backbone=str(backbone), silver_per_label=2, silver_low=0.5, silver_high=0.5)
    printed = []
    results = run_job(options, train_transformer=train_transformer, echo=printed.append)

    assert set(results["test"]) == {"transformer (new)", "transformer_selftrain (new)", "transformer_dapt (new)",
                                    "tfidf_distilled (new)"}
    [transformer] = (tmp_path / "models").glob("transformer-*")
    # The job exports every new transformer; this tiny random model fails int8 parity, so int8 is dropped and the
    # exact fp32 export kept, with the figures printed and recorded (tests/models/test_onnx.py covers the rest).
    [line] = [line for line in printed if line.startswith("ONNX export")]
    assert line.startswith(f"ONNX export in {transformer.name}: int8 refused, fp32 kept") and "labels agree on" in line
    assert (transformer / "model.onnx").exists() and not (transformer / "model.int8.onnx").exists()
    assert str(transformer) in json.loads((tmp_path / "models" / "comparison.json").read_text())["onnx_export"]
    [adapted] = (tmp_path / "models").glob("backbone_dapt-*")
    assert backbones == [str(backbone), str(backbone), str(adapted)]
    assert json.loads((adapted / "dapt_report.json").read_text())["train_sentences"] == 16  # 20 less a fifth held out


@pytest.mark.parametrize(("changes", "message"), [
    ({"dapt": True}, "--dapt adapt to an archive: pass --unlabelled PATH"),
    ({"unlabelled": Path("a.txt"), "distill": False}, "every adaptation is switched off"),
    ({"unlabelled": Path("a.txt"), "models": ("tfidf",)}, "only --self-train can use the archive"),
    ({"unlabelled": Path("a.txt"), "models": ("tfidf",), "self_train": True, "dapt": True}, "need the transformer"),
])
def test_impossible_adaptations_are_refused_before_any_work(tiny_corpus, tmp_path, changes, message):
    seeds, annotations = tiny_corpus
    options = JobOptions(seeds=seeds, annotations=annotations, data_dir=tmp_path / "processed", **changes)
    with pytest.raises(ValueError, match=message):
        run_job(options)
    assert not (tmp_path / "processed").exists()


def test_real_sentences_train_with_the_written_corpus_and_are_reported_on_their_own(tiny_corpus, tmp_path, monkeypatch):
    from real_fixture import write_archive

    from stance.data.real import sample_candidates
    from stance.data.real_annotations import record_labels

    monkeypatch.setenv("STANCE_SHARED", str(tmp_path / "no_shared"))
    seeds, annotations = tiny_corpus
    archive = write_archive(tmp_path / "speeches.jsonl.gz")
    candidates = sample_candidates(archive, limit=100, seed=0, where=lambda r: r["session"] <= 24, min_words=1)
    tasks = [{"id": str(i), **c.to_task(), "round": 1, "selected_by": "random"} for i, c in enumerate(candidates)]
    labels = [{"id": t["id"], "blame": i % 2, "cooperation": (i // 2) % 2, "hedging": (i // 4) % 2}
              for i, t in enumerate(tasks)]
    for name in ("first", "second"):
        (annotations / "real" / name).mkdir(parents=True)
        (annotations / "real" / name / "r1.jsonl").write_text(
            "".join(json.dumps(line) + "\n" for line in record_labels(tasks, labels, where="x")))
    options = JobOptions(seeds=seeds, annotations=annotations, data_dir=tmp_path / "processed",
                         models_dir=tmp_path / "models", models=("tfidf",), archive=archive, real_weight=2.0)
    printed = []
    results = run_job(options, echo=printed.append)
    assert set(results) == {"test", "real_test"} and "tfidf (new)" in results["real_test"]
    assert results["real_test"]["tfidf (new)"]["n"] == sum(t["split"] == "test" for t in tasks)
    card = (latest_run(tmp_path / "models", "tfidf") / "README.md").read_text()
    assert "on real_test" in card and "of them trained the model, each weighted 2.0" in card


def test_a_training_run_stopped_mid_epoch_continues_from_its_checkpoint_and_ends_the_same(tiny_corpus, tmp_path,
                                                                                          monkeypatch, capsys):
    import torch
    from tiny_transformer import tiny_classifier

    from stance.training.trainer import TrainConfig, train_transformer_model

    monkeypatch.setenv("STANCE_SHARED", str(tmp_path / "no_shared"))
    backbone = tmp_path / "tiny_backbone"
    tiny = tiny_classifier(backbone)
    tiny.model.save_pretrained(backbone)
    tiny.tokenizer.save_pretrained(backbone)

    def train_transformer(dataset, folder, data_hash, silver=None):
        train_transformer_model(dataset, folder, TrainConfig(backbone=str(backbone), epochs=3, batch_size=4,
                                                             learning_rate=1e-2, max_length=32, patience=5),
                                data_hash=data_hash)

    seeds, annotations = tiny_corpus

    def job(models_dir, echo=print):
        options = JobOptions(seeds=seeds, annotations=annotations, data_dir=tmp_path / "processed",
                             models_dir=models_dir, models=("transformer",), export=False)
        return run_job(options, train_transformer=train_transformer, echo=echo)

    straight = job(tmp_path / "straight")["test"]["transformer (new)"]
    clip = torch.nn.utils.clip_grad_norm_

    def killed_in_epoch_two(*args, **kwargs):  # stops at the first step after epoch 1's checkpoint
        if list((tmp_path / "models").glob("transformer-*/checkpoint/state.json")):
            raise KeyboardInterrupt
        return clip(*args, **kwargs)

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", killed_in_epoch_two)
    with pytest.raises(KeyboardInterrupt):
        job(tmp_path / "models")
    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", clip)
    [unfinished] = (tmp_path / "models").glob("transformer-*")
    printed = []
    capsys.readouterr()
    resumed = job(tmp_path / "models", echo=printed.append)["test"]["transformer (new)"]
    assert "resuming from the checkpoint after epoch 1" in capsys.readouterr().out  # not started over
    assert f"continuing the unfinished training run in {unfinished}" in "\n".join(printed)
    assert list((tmp_path / "models").glob("transformer-*")) == [unfinished]
    assert resumed["macro_f1"] == straight["macro_f1"] and resumed["per_label"] == straight["per_label"]
    history = json.loads((unfinished / "stance_config.json").read_text())["training_history"]
    assert [h["epoch"] for h in history] == [1, 2, 3]


TRAIN_SCRIPT = """
import json, sys, time
from pathlib import Path
import torch
sys.path.insert(0, sys.argv[4])
from stance.training.job import JobOptions, run_job
from stance.training.trainer import TrainConfig, train_transformer_model
root, models, slow = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
clip = torch.nn.utils.clip_grad_norm_
def slowed(*args, **kwargs):  # a slow step, so that a kill lands inside an epoch
    time.sleep(slow)
    return clip(*args, **kwargs)
torch.nn.utils.clip_grad_norm_ = slowed
def train(dataset, folder, data_hash, silver=None):
    config = TrainConfig(backbone=str(root / "tiny_backbone"), epochs=3, batch_size=4, learning_rate=1e-2,
                         max_length=32, patience=5)
    train_transformer_model(dataset, folder, config, data_hash=data_hash)
options = JobOptions(seeds=root / "seeds", annotations=root / "annotations", data_dir=root / "processed",
                     models_dir=models, models=("transformer",), export=False)
print(json.dumps(run_job(options, train_transformer=train, echo=lambda *a: None)["test"]["transformer (new)"]))
"""


def test_kill_9_during_an_epoch_then_the_same_command_ends_as_an_uninterrupted_run(tiny_corpus, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from tiny_transformer import tiny_classifier

    root = tiny_corpus[0].parent
    tiny = tiny_classifier(root / "tiny_backbone")
    tiny.model.save_pretrained(root / "tiny_backbone")
    tiny.tokenizer.save_pretrained(root / "tiny_backbone")
    (tmp_path / "train.py").write_text(TRAIN_SCRIPT)
    env = {**os.environ, "STANCE_SHARED": str(tmp_path / "no_shared")}
    tests = str(Path(__file__).resolve().parents[1])

    def command(models: str, slow: float) -> list[str]:
        return [sys.executable, str(tmp_path / "train.py"), str(root), str(tmp_path / models), str(slow), tests]

    straight = subprocess.run(command("straight", 0), capture_output=True, text=True, env=env, check=True)
    process = subprocess.Popen(command("models", 0.4), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    while not list((tmp_path / "models").glob("transformer-*/checkpoint/state.json")):
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        time.sleep(0.05)
    time.sleep(0.6)  # inside epoch 2
    process.send_signal(signal.SIGKILL)
    process.wait()
    [folder] = (tmp_path / "models").glob("transformer-*")
    assert json.loads((folder / "checkpoint" / "state.json").read_text())["epoch"] == 1
    resumed = subprocess.run(command("models", 0), capture_output=True, text=True, env=env, check=True)
    assert "resuming from the checkpoint after epoch 1" in resumed.stdout + resumed.stderr
    assert json.loads(resumed.stdout.strip().splitlines()[-1]) == json.loads(straight.stdout.strip().splitlines()[-1])
    assert list((tmp_path / "models").glob("transformer-*")) == [folder]
