"""Real-dev macro-F1 against corpus size: does more written data still pay?

    python benchmarks/learning_curve.py [--model tfidf|transformer] [--seeds 3] [--fractions 0.25 0.5 1.0]

For each fraction, a seeded random subset of the training split's documents trains a model (thresholds
tuned on the full validation split); it is scored on the test split and on the real-dev set. Printed as
mean and spread over the seeds. Needs `stance data build` first and ../shared/realdev.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from datasets import DatasetDict

from stance.data.build import load_dataset_folder
from stance.data.realdev import load_realdev
from stance.metrics import compute_metrics
from stance.models.baseline import TfidfBaseline


def subset(dataset: DatasetDict, fraction: float, seed: int) -> DatasetDict:
    documents = sorted(set(dataset["train"]["doc_id"]))
    rng = np.random.default_rng(seed)
    keep = set(rng.choice(documents, size=max(1, round(fraction * len(documents))), replace=False).tolist())
    return DatasetDict({**dataset, "train": dataset["train"].filter(lambda row: row["doc_id"] in keep)})


def train(kind: str, dataset: DatasetDict, seed: int):
    if kind == "tfidf":
        return TfidfBaseline(seed=seed).fit(list(dataset["train"]["text"]), np.array(dataset["train"]["labels"]),
                                            validation=(list(dataset["validation"]["text"]),
                                                        np.array(dataset["validation"]["labels"])))
    from stance.training.trainer import TrainConfig, train_transformer_model

    return train_transformer_model(dataset, Path(tempfile.mkdtemp()), TrainConfig(seed=seed), data_hash="subset")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=("tfidf", "transformer"), default="tfidf")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    parser.add_argument("--data-dir", type=Path, default=Path("data/processed"))
    args = parser.parse_args()
    dataset, _ = load_dataset_folder(args.data_dir)
    realdev = load_realdev(args.data_dir / "realdev.jsonl")
    if realdev is None:
        raise SystemExit("../shared/realdev is absent: the learning curve is measured on it.")
    test = (list(dataset["test"]["text"]), np.array(dataset["test"]["labels"], dtype=int))
    print(f"{args.model}: macro-F1 by share of training documents, mean ± std over {args.seeds} seeds")
    print(f"{'share':>6}{'docs':>6}{'sents':>7}{'test':>16}{'real-dev':>16}   real-dev per label (blame / coop / hedge)")
    for fraction in args.fractions:
        scores = []
        for seed in range(args.seeds):
            part = subset(dataset, fraction, seed)
            model = train(args.model, part, seed)
            row = [compute_metrics(y, model.predict_proba(list(texts)), model.thresholds_) for texts, y in (test, realdev)]
            scores.append((len(set(part["train"]["doc_id"])), len(part["train"]), row[0]["macro_f1"], row[1]["macro_f1"],
                           [row[1]["per_label"][label]["f1"] for label in ("blame", "cooperation", "hedging")]))
            print(f"  {fraction:.0%} seed {seed}: test {row[0]['macro_f1']:.3f}, real-dev {row[1]['macro_f1']:.3f}", flush=True)
        docs, sents = scores[0][0], int(np.mean([s[1] for s in scores]))
        test_f1, real_f1 = np.array([s[2] for s in scores]), np.array([s[3] for s in scores])
        per_label = np.mean([s[4] for s in scores], axis=0)
        print(f"{fraction:>6.0%}{docs:>6}{sents:>7}{test_f1.mean():>10.3f} ± {test_f1.std():.3f}"
              f"{real_f1.mean():>10.3f} ± {real_f1.std():.3f}   " + " / ".join(f"{v:.3f}" for v in per_label), flush=True)


if __name__ == "__main__":
    main()
