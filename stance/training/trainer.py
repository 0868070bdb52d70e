"""Fine-tune a :class:`~stance.models.transformer.TransformerClassifier` on the corpus: the trainer only trains.

A short custom loop: AdamW, linear warm-up and decay, gradient clipping, dynamic padding, class-balanced
BCE loss, validation macro-F1 each epoch with early stopping on it, the best epoch kept, per-label
thresholds tuned on validation, one seed for everything, and a checkpoint after each epoch to resume from.
"""

from __future__ import annotations

import json
import random
import shutil
import time
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import torch
import yaml
from tqdm.auto import tqdm
from transformers import get_linear_schedule_with_warmup

from stance.metrics import compute_metrics, tune_thresholds
from stance.models.folder import STANCE_CONFIG
from stance.models.kinds import BACKBONE_NAME
from stance.models.transformer import TransformerClassifier, backbone_sha256, default_backbone, set_threads
from stance.training.mix import training_mix

CHECKPOINT = "checkpoint"


@dataclass
class TrainConfig:
    """Everything that decides a training run; saved as ``training_config.json`` beside the model."""

    backbone: str = ""  # "" = the packaged all-MiniLM-L6-v2
    epochs: float = 4
    batch_size: int = 16
    learning_rate: float = 8e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_grad_norm: float = 1.0
    max_length: int = 128
    patience: int = 2
    seed: int = 13
    eval_batch_size: int = 64
    real_weight: float = 1.0  # how much one real sentence counts against one written sentence in the loss

    @classmethod
    def from_file(cls, path: Path, **overrides) -> TrainConfig:
        """Read options from a YAML or TOML file; ``overrides`` (from the command line) win."""
        text = Path(path).read_text(encoding="utf-8")
        values = tomllib.loads(text) if Path(path).suffix == ".toml" else (yaml.safe_load(text) or {})
        unknown = sorted(set(values) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"{path}: unknown option(s) {unknown}; known: {[f.name for f in fields(cls)]}.")
        return cls(**{**values, **overrides})


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class Trainer:
    """Train ``classifier`` on (texts, labels); ``fit`` returns the classifier at its best validation epoch."""

    def __init__(self, classifier: TransformerClassifier, config: TrainConfig, *, output: Path,
                 on_epoch_end: Callable[[int, dict], None] | None = None) -> None:
        self.classifier = classifier
        self.config = config
        self.output = Path(output)
        self.on_epoch_end = on_epoch_end

    def _batches(self, encodings: list[dict], labels: np.ndarray, weights: np.ndarray, epoch: int):
        """Shuffled batches, grouped by length inside windows of 50 batches to cut padding (as in
        transformers' ``group_by_length``); the same seed and epoch give the same batches."""
        rng = np.random.default_rng(self.config.seed + epoch)
        order = rng.permutation(len(encodings))
        size = self.config.batch_size
        window = size * 50
        order = np.concatenate([sorted(order[i:i + window], key=lambda k: len(encodings[k]["input_ids"]))
                                for i in range(0, len(order), window)]) if len(order) else order
        batches = [order[i:i + size] for i in range(0, len(order), size)]
        for b in rng.permutation(len(batches)):
            chunk = batches[b]
            batch = self.classifier.tokenizer.pad([encodings[i] for i in chunk], return_tensors="pt")
            yield batch, torch.tensor(labels[chunk], dtype=torch.float32), torch.tensor(weights[chunk], dtype=torch.float32)

    def fit(self, texts: list[str], labels: np.ndarray, val_texts: list[str], val_labels: np.ndarray,
            *, weights: np.ndarray | None = None, resume: bool = True, run_key: dict | None = None) -> TransformerClassifier:
        """Train; ``weights`` (one per sentence, e.g. lower for silver labels) scale each sentence's loss.

        With ``resume``, a checkpoint in ``output`` continues the run when its ``run_key`` (what decides the run:
        data hash and options) equals this one's; a checkpoint of another run is started over."""
        config, model = self.config, self.classifier.model
        seed_everything(config.seed)
        set_threads()
        labels, val_labels = np.asarray(labels, dtype=np.float32), np.asarray(val_labels, dtype=int)
        tokenizer = self.classifier.tokenizer
        encoded = tokenizer(texts, truncation=True, max_length=config.max_length)
        encodings = [{key: values[i] for key, values in encoded.items()} for i in range(len(texts))]
        positives = labels.sum(axis=0)
        pos_weight = torch.tensor((len(labels) - positives) / np.maximum(positives, 1), dtype=torch.float32)
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")
        weights = np.ones(len(texts), dtype=np.float32) if weights is None else np.asarray(weights, dtype=np.float32)
        decay = [p for n, p in model.named_parameters() if not any(k in n for k in ("bias", "LayerNorm", "layer_norm"))]
        no_decay = [p for n, p in model.named_parameters() if any(k in n for k in ("bias", "LayerNorm", "layer_norm"))]
        optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": config.weight_decay},
                                       {"params": no_decay, "weight_decay": 0.0}], lr=config.learning_rate)
        steps_per_epoch = -(-len(texts) // config.batch_size)
        total_epochs = int(np.ceil(config.epochs))
        total_steps = int(steps_per_epoch * config.epochs)
        scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total_steps), total_steps)
        run_key = json.loads(json.dumps(run_key or {}))  # as it reads back from state.json
        state = {"epoch": 0, "step": 0, "best_f1": -1.0, "best_epoch": 0, "stale": 0, "history": [], "run_key": run_key}
        checkpoint = self.output / CHECKPOINT
        if resume and (checkpoint / "state.json").exists():
            if json.loads((checkpoint / "state.json").read_text()).get("run_key", {}) == run_key:
                state = self._restore(checkpoint, optimizer, scheduler)
                tqdm.write(f"resuming from the checkpoint after epoch {state['epoch']} in {checkpoint}")
            else:
                tqdm.write(f"the checkpoint in {checkpoint} is from another run (other data or options): starting over")

        for epoch in range(state["epoch"] + 1, total_epochs + 1):
            if state["stale"] >= config.patience or state["step"] >= total_steps:
                break
            model.train()
            started, seen = time.perf_counter(), 0
            bar = tqdm(self._batches(encodings, labels, weights, epoch), total=steps_per_epoch, desc=f"epoch {epoch}",
                       unit="batch", leave=False)
            for batch, target, weight in bar:
                if state["step"] >= total_steps:
                    break
                loss = (loss_fn(model(**batch).logits, target).mean(dim=1) * weight).sum() / weight.sum()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                state["step"] += 1
                seen += len(target)
                bar.set_postfix(loss=f"{loss.item():.4f}", sent_per_s=f"{seen / (time.perf_counter() - started):.1f}")
            probabilities = self.classifier.predict_proba(val_texts, batch_size=config.eval_batch_size)
            thresholds = tune_thresholds(val_labels, probabilities)
            metrics = compute_metrics(val_labels, probabilities, thresholds)
            elapsed = time.perf_counter() - started
            record = {"epoch": epoch, "loss": round(loss.item(), 4), "val_macro_f1": metrics["macro_f1"],
                      "seconds": round(elapsed, 1), "sentences_per_second": round(seen / elapsed, 1)}
            state["history"].append(record)
            tqdm.write(f"epoch {epoch}: loss {record['loss']}  validation macro-F1 {metrics['macro_f1']:.3f}  "
                       f"({record['seconds']} s, {record['sentences_per_second']} sentences/s, validation included)")
            if metrics["macro_f1"] > state["best_f1"]:
                state.update(best_f1=metrics["macro_f1"], best_epoch=epoch, stale=0)
                self.classifier.thresholds_ = thresholds
                self.classifier.save(self.output / "best")
            else:
                state["stale"] += 1
            state["epoch"] = epoch
            self._checkpoint(checkpoint, state, optimizer, scheduler)
            if self.on_epoch_end:
                self.on_epoch_end(epoch, metrics)

        best = TransformerClassifier.load(self.output / "best")
        best.metadata = {"training_history": state["history"], "best_epoch": state["best_epoch"]}
        return best

    def _checkpoint(self, folder: Path, state: dict, optimizer, scheduler) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.classifier.model.save_pretrained(folder, safe_serialization=True)
        torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                    "torch_rng": torch.get_rng_state()}, folder / "optimizer.pt")
        (folder / "state.json").write_text(json.dumps(state, indent=2))

    def _restore(self, folder: Path, optimizer, scheduler) -> dict:
        from safetensors.torch import load_file

        self.classifier.model.load_state_dict(load_file(folder / "model.safetensors"), strict=False)
        saved = torch.load(folder / "optimizer.pt", weights_only=True)  # our own checkpoint; tensors only
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        torch.set_rng_state(saved["torch_rng"])
        return json.loads((folder / "state.json").read_text())


def unfinished_run(models_dir: Path, kind: str, data_hash: str) -> Path | None:
    """The newest ``models_dir/<kind>-*`` folder whose training stopped before the end (killed, crashed) on the same
    data: it holds a checkpoint but no saved model yet. Running the same command again continues it there."""
    for folder in sorted(models_dir.glob(f"{kind}-*"), reverse=True):
        state = folder / CHECKPOINT / "state.json"
        if state.is_file() and not (folder / STANCE_CONFIG).is_file():
            if json.loads(state.read_text()).get("run_key", {}).get("data_hash") == data_hash:
                return folder
    return None


def train_transformer_model(dataset, output: Path, config: TrainConfig, *, data_hash: str, resume: bool = True,
                            silver: tuple[list[str], np.ndarray, float] | None = None) -> TransformerClassifier:
    """Fine-tune on the written and real training sentences (see :func:`stance.training.mix.training_mix`),
    plus ``silver`` = (texts, labels, weight) if given; keep the best epoch by validation macro-F1; save into
    ``output``."""
    seed_everything(config.seed)
    classifier = TransformerClassifier.from_backbone(config.backbone or None, max_length=config.max_length)
    mix = training_mix(dataset, real_weight=config.real_weight)
    texts, labels, weights = mix.texts, mix.labels, mix.weights
    if silver is not None:
        texts, labels = texts + list(silver[0]), np.vstack([labels, silver[1]])
        weights = np.concatenate([weights, np.full(len(silver[0]), silver[2])])
    started = time.perf_counter()
    best = Trainer(classifier, config, output=output).fit(
        texts, labels, mix.validation_texts, mix.validation_labels, weights=weights, resume=resume,
        run_key={"data_hash": data_hash, "config": asdict(config), "silver": silver is not None})
    (output / "training_config.json").write_text(json.dumps(asdict(config), indent=2) + "\n")
    best.save(output, extra={"data_hash": data_hash, "train_seconds": round(time.perf_counter() - started, 1),
                             "trained_on": mix.describe(),
                             "training_config": asdict(config), "backbone": config.backbone or f"{BACKBONE_NAME} (packaged)",
                             "backbone_sha256": backbone_sha256(config.backbone or default_backbone())})
    shutil.rmtree(output / "best", ignore_errors=True)
    shutil.rmtree(output / CHECKPOINT, ignore_errors=True)
    return best
