"""Domain-adaptive pretraining: continue the backbone's masked-language-model training on an archive.

The packaged all-MiniLM-L6-v2 was trained for sentence similarity and ships without an MLM head, so a
fresh head is trained alongside the encoder (at a higher learning rate). Training stops at the time
budget or after ``epochs`` passes, whichever comes first; the adapted encoder is saved as a plain
``save_pretrained`` folder that :class:`~stance.training.trainer.TrainConfig` takes as ``backbone``.

>>> report = continue_pretraining(sentences, Path("models/backbone_dapt-X"), DaptConfig(minutes=20))  # doctest: +SKIP
>>> TrainConfig(backbone="models/backbone_dapt-X")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm
from transformers import AutoModelForMaskedLM, AutoTokenizer, DataCollatorForLanguageModeling, get_constant_schedule_with_warmup

from stance.models.transformer import default_backbone, set_threads
from stance.training.trainer import seed_everything

REPORT = "dapt_report.json"


@dataclass
class DaptConfig:
    """Everything that decides a continued-pretraining run; saved in ``dapt_report.json``."""

    backbone: str = ""  # "" = the packaged all-MiniLM-L6-v2
    minutes: float = 20.0  # time budget for the training steps
    epochs: float = 1.0  # at most this many passes over the sentences
    batch_size: int = 32
    learning_rate: float = 5e-5  # encoder
    head_learning_rate: float = 5e-4  # the fresh MLM head
    head_steps: int = 100  # first train the fresh head alone, the encoder frozen
    mlm_probability: float = 0.15
    max_length: int = 128
    held_out: int = 500  # sentences kept aside (at most a fifth) to measure the masked-LM loss
    seed: int = 13


def continue_pretraining(sentences: list[str], output: Path, config: DaptConfig) -> dict:
    """Train the backbone with masked-LM on ``sentences``; save the encoder and tokenizer into ``output``.

    The fresh head is first trained alone for ``head_steps`` batches; the held-out masked-LM loss (same
    masks each time) is measured then, with the encoder still as shipped, and at the end. Returns the
    report, also saved as ``dapt_report.json``.
    """
    if len(sentences) < 10:
        raise ValueError(f"Domain-adaptive pretraining needs at least 10 archive sentences; found {len(sentences)}. "
                         "Point --unlabelled at a larger archive or raise --unlabelled-limit.")
    seed_everything(config.seed)
    set_threads()
    source = str(config.backbone or default_backbone())
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForMaskedLM.from_pretrained(source)
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=config.mlm_probability)
    rng = np.random.default_rng(config.seed)
    order = rng.permutation(len(sentences))
    encoded = tokenizer([sentences[i] for i in order], truncation=True, max_length=config.max_length)["input_ids"]
    kept = min(config.held_out, len(sentences) // 5)
    held_out = [collator([{"input_ids": ids} for ids in encoded[i:min(i + 64, kept)]]) for i in range(0, kept, 64)]
    encoded = encoded[kept:]
    encoder = list(model.base_model.parameters())
    head = [p for p in model.parameters() if all(p is not q for q in encoder)]
    optimizer = torch.optim.AdamW([{"params": encoder, "lr": config.learning_rate},
                                   {"params": head, "lr": config.head_learning_rate}], weight_decay=0.01)
    scheduler = get_constant_schedule_with_warmup(optimizer, config.head_steps // 2)

    def held_out_loss() -> float:
        model.eval()
        with torch.inference_mode():
            loss = float(np.mean([masked_lm_loss(model, batch).item() for batch in held_out]))
        model.train()
        return loss

    def set_encoder_trainable(trainable: bool) -> None:
        for parameter in encoder:  # the word embeddings too, though the head's decoder is tied to them
            parameter.requires_grad_(trainable)

    budget = config.minutes * 60
    max_steps = config.head_steps + int(np.ceil(config.epochs * len(encoded) / config.batch_size))
    started, step, seen, losses, loss_before = time.perf_counter(), 0, 0, [], None
    set_encoder_trainable(False)
    model.train()
    with tqdm(total=max_steps, desc="domain-adaptive pretraining", unit="batch") as bar:
        while step < max_steps and time.perf_counter() - started < budget:
            permutation = rng.permutation(len(encoded))
            for start in range(0, len(encoded), config.batch_size):
                if step >= max_steps or time.perf_counter() - started >= budget:
                    break
                if step == config.head_steps:
                    loss_before = held_out_loss()
                    set_encoder_trainable(True)
                batch = collator([{"input_ids": encoded[k]} for k in permutation[start:start + config.batch_size]])
                loss = masked_lm_loss(model, batch)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                step, seen = step + 1, seen + len(batch["input_ids"])
                losses.append(loss.item())
                bar.update()
                bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
    report = {"config": asdict(config), "steps": step, "head_only_steps": min(step, config.head_steps),
              "sentences_seen": seen, "train_sentences": len(encoded),
              "seconds": round(time.perf_counter() - started, 1),
              "stopped_by": "time budget" if step < max_steps else "epochs",
              "held_out_loss_shipped_encoder": None if loss_before is None else round(loss_before, 4),
              "held_out_loss_adapted_encoder": round(held_out_loss(), 4)}
    output = Path(output)
    model.base_model.save_pretrained(output, safe_serialization=True)
    tokenizer.save_pretrained(output)
    (output / REPORT).write_text(json.dumps(report, indent=2) + "\n")
    return report


def masked_lm_loss(model, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Cross-entropy on the masked tokens, with the MLM head run on those tokens only: its projection onto
    the 30k-word vocabulary costs as much as the whole encoder when run on every token."""
    head = getattr(model, "cls", None) or getattr(model, "lm_head", None)
    if head is None:
        raise ValueError(f"{type(model).__name__} has neither a BERT (cls) nor a RoBERTa-style (lm_head) masked-LM head; "
                         "domain-adaptive pretraining supports BERT- and RoBERTa-family backbones.")
    labels = batch["labels"]
    hidden = model.base_model(**{k: v for k, v in batch.items() if k != "labels"}).last_hidden_state
    chosen = labels != -100
    if not chosen.any():
        return hidden.sum() * 0.0
    return torch.nn.functional.cross_entropy(head(hidden[chosen]), labels[chosen])
