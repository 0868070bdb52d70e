"""A 3-layer student of the default transformer: how much real-dev macro-F1 it keeps, and how much faster it is.

    python benchmarks/small_student.py --teacher models/transformer-YYYYmmdd-HHMMSS [--silver 8000] [--layers 0 2 4]

The student is the teacher's encoder cut to three of its six layers (every other one, as DistilBERT is
initialised) and fine-tuned twice with the project's trainer and the teacher's seed: once on the training data
alone, once with ``--silver`` archive sentences labelled by the teacher (distillation by hard labels, weight 1).
The silver sentences come from UN General Debate sessions 1-24 only, from speeches of the real training split
(none of a speech in the real validation or test split) and from no sentence already annotated. Printed:
macro-F1 on real-dev, the real validation and test splits and the written test split for teacher and students,
then fp32 ONNX sentences/s of each in one process, alternated three times, on real sentences, with the ratio
to the teacher.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import zlib
from pathlib import Path

import numpy as np
import torch
from common import rate, real_sentences
from transformers import AutoModel, AutoTokenizer

from stance.data.archive import record_filter
from stance.data.build import load_dataset_folder
from stance.data.real import sample_candidates
from stance.data.real_annotations import annotated_keys
from stance.data.realdev import load_realdev, shared_dir
from stance.metrics import compute_metrics
from stance.models.folder import load_model
from stance.models.onnx_export import export_onnx
from stance.models.onnx_runtime import OnnxClassifier
from stance.training.mix import training_mix
from stance.training.trainer import TrainConfig, train_transformer_model

EVALUATED = ("realdev", "real_validation", "real_test", "test")


def cut_encoder(teacher: Path, layers: list[int], output: Path) -> Path:
    """Save the teacher's encoder with only ``layers`` kept, as a backbone folder the trainer can start from."""
    encoder = AutoModel.from_pretrained(str(teacher))
    encoder.encoder.layer = torch.nn.ModuleList(encoder.encoder.layer[i] for i in layers)
    encoder.config.num_hidden_layers = len(layers)
    encoder.save_pretrained(output)
    AutoTokenizer.from_pretrained(str(teacher)).save_pretrained(output)
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teacher", type=Path, required=True, help="A trained transformer folder with an ONNX export.")
    parser.add_argument("--layers", type=int, nargs="+", default=[0, 2, 4])
    parser.add_argument("--silver", type=int, default=8000, help="Archive sentences labelled by the teacher.")
    parser.add_argument("--data-dir", type=Path, default=Path("data/processed"))
    parser.add_argument("--annotations", type=Path, default=Path("data/annotations/real"),
                        help="Real annotations: their sentences are left out of the silver sample.")
    parser.add_argument("--output", type=Path, default=Path("models/students"))
    args = parser.parse_args()
    dataset, info = load_dataset_folder(args.data_dir)
    realdev = load_realdev(args.data_dir / "realdev.jsonl")
    archive = shared_dir() / "corpora" / "ungdc" / "speeches.jsonl.gz"
    if realdev is None or not archive.exists():
        raise SystemExit("needs ../shared (realdev and the UN General Debate archive).")
    evaluation = {"realdev": realdev, **{name: (list(dataset[name]["text"]), np.array(dataset[name]["labels"], dtype=int))
                                         for name in EVALUATED[1:]}}
    teacher = load_model(args.teacher)
    seed = json.loads((args.teacher / "training_config.json").read_text(encoding="utf-8"))["seed"]
    early = record_filter("session<=24")

    def allowed(record: dict) -> bool:  # sessions 1-24; one speech in four, to segment less
        return early(record) and zlib.crc32(f"{record['country']}-{record['session']}".encode()) % 4 == 0

    # speeches of the real training split only (the split is by speech), no sentence already annotated
    silver_texts = [candidate.text for candidate in sample_candidates(
        archive, limit=args.silver, seed=seed, where=allowed, splits=("train",),
        exclude=annotated_keys(args.annotations))]
    silver_labels = (teacher.predict_proba(silver_texts) >= teacher.thresholds_).astype(int)
    print(f"teacher {args.teacher} (seed {seed}); {len(silver_texts)} silver sentences from sessions 1-24, "
          f"prevalence {silver_labels.mean(axis=0).round(3).tolist()}; student layers {args.layers}")

    models = {"teacher (6 layers)": args.teacher}
    mix = training_mix(dataset)  # its validation split is what the parity check scores
    with tempfile.TemporaryDirectory() as tmp:
        backbone = cut_encoder(args.teacher, args.layers, Path(tmp) / "backbone")
        for name, silver in ((f"student ({len(args.layers)} layers)", None),
                             (f"student ({len(args.layers)} layers) + silver", (silver_texts, silver_labels, 1.0))):
            folder = args.output / name.replace(" ", "_").replace("(", "").replace(")", "").replace("+", "plus")
            train_transformer_model(dataset, folder, TrainConfig(seed=seed, backbone=str(backbone)),
                                    data_hash=info["content_hash"], silver=silver)
            print(f"{name}: {export_onnx(folder, mix.validation_texts, mix.validation_labels).describe()}", flush=True)
            models[name] = folder

    print(f"\n{'model':<34}" + "".join(f"{name:>17}" for name in EVALUATED))
    for name, folder in models.items():
        model = load_model(folder, "torch")
        scores = [compute_metrics(y, model.predict_proba(list(texts)), model.thresholds_)["macro_f1"]
                  for texts, y in evaluation.values()]
        print(f"{name:<34}" + "".join(f"{s:>17.3f}" for s in scores), flush=True)

    texts, source = real_sentences(2000)
    onnx = {name: OnnxClassifier.load(folder, "model.onnx") for name, folder in models.items()}
    rates: dict[str, list[float]] = {name: [] for name in onnx}
    for _ in range(3):
        for name, model in onnx.items():
            rates[name].append(rate(model.predict_proba, texts))
    base = float(np.median(rates["teacher (6 layers)"]))
    print(f"\nfp32 ONNX, {len(texts)} sentences of {source}, batch 16, median of 3 alternated runs:")
    for name, measured in rates.items():
        print(f"{name:<34}{np.median(measured):>9.1f} sentences/s {np.median(measured) / base:>6.2f}x teacher")


if __name__ == "__main__":
    main()
