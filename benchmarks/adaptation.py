"""Adapting to an unlabelled archive, measured on the real-dev set (mean of seeds).

    python benchmarks/adaptation.py --teacher models/transformer-YYYYmmdd-HHMMSS [--seeds 3] [--transformer-student]

Archive: UN General Debate sessions 1-24 (1946-1969) from ../shared/corpora/ungdc/ (later sessions are
reserved for evaluation). Each seed draws its own sample of archive sentences. Compared:
  tfidf                 the baseline on the written corpus alone
  tfidf self-trained    + the baseline's own confident, balanced silver labels (weight 0.5)
  tfidf distilled       + the transformer teacher's labels on every sampled sentence (weight 0.5)
  transformer self-trained (optional, slow)  + the teacher's confident, balanced silver labels
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from stance.baseline import TfidfBaseline
from stance.data.build import load_dataset_folder
from stance.metrics import compute_metrics
from stance.model_folder import load_model
from stance.realdev import load_realdev, shared_dir
from stance.unlabelled import sample_sentences, select_silver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teacher", type=Path, required=True, help="A trained transformer folder.")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--sentences", type=int, default=20000, help="Archive sentences sampled per seed.")
    parser.add_argument("--per-label", type=int, default=600, help="Silver positives (and negatives) per label.")
    parser.add_argument("--weight", type=float, default=0.5)
    parser.add_argument("--transformer-student", action="store_true", help="Also self-train a transformer (slow).")
    parser.add_argument("--data-dir", type=Path, default=Path("data/processed"))
    args = parser.parse_args()
    archive = shared_dir() / "corpora" / "ungdc" / "speeches.jsonl.gz"
    realdev = load_realdev(args.data_dir / "realdev.jsonl")
    if realdev is None or not archive.exists():
        raise SystemExit("needs ../shared (the archive and the real-dev set)")
    dataset, _ = load_dataset_folder(args.data_dir)
    texts, labels = list(dataset["train"]["text"]), np.array(dataset["train"]["labels"], dtype=int)
    validation = (list(dataset["validation"]["text"]), np.array(dataset["validation"]["labels"], dtype=int))
    teacher = load_model(args.teacher)
    results: dict[str, list[float]] = {}

    def record(name: str, model) -> None:
        metrics = compute_metrics(realdev[1], model.predict_proba(realdev[0]), model.thresholds_)
        results.setdefault(name, []).append(metrics["macro_f1"])
        print(f"  {name:<26} real-dev macro-F1 {metrics['macro_f1']:.3f}  "
              + " / ".join(f"{metrics['per_label'][k]['f1']:.3f}" for k in ("blame", "cooperation", "hedging")), flush=True)

    baseline = TfidfBaseline().fit(texts, labels, validation=validation)
    record("teacher (transformer)", teacher)
    for seed in range(args.seeds):
        started = time.perf_counter()
        sample = sample_sentences(archive, limit=args.sentences, seed=seed, where=lambda r: r["session"] <= 24)
        print(f"seed {seed}: {len(sample)} archive sentences sampled in {time.perf_counter() - started:.0f} s", flush=True)
        record("tfidf", baseline)
        rows, silver = select_silver(baseline.predict_proba(sample), per_label=args.per_label)
        weights = np.r_[np.ones(len(texts)), np.full(len(rows), args.weight)]
        record("tfidf self-trained", TfidfBaseline().fit(texts + [sample[i] for i in rows], np.vstack([labels, silver]),
                                                         validation=validation, sample_weight=weights))
        probabilities = teacher.predict_proba(sample)
        distilled = (probabilities >= teacher.thresholds_).astype(int)
        weights = np.r_[np.ones(len(texts)), np.full(len(sample), args.weight)]
        record("tfidf distilled", TfidfBaseline().fit(texts + sample, np.vstack([labels, distilled]),
                                                      validation=validation, sample_weight=weights))
        if args.transformer_student:
            from stance.trainer import TrainConfig, train_transformer_model

            rows, silver = select_silver(probabilities, per_label=args.per_label)
            student = train_transformer_model(dataset, Path(tempfile.mkdtemp()), TrainConfig(seed=13 + seed),
                                              data_hash="adaptation", silver=([sample[i] for i in rows], silver, args.weight))
            record("transformer self-trained", student)
    print("\nmean real-dev macro-F1 over seeds:")
    for name, values in results.items():
        print(f"  {name:<26} {np.mean(values):.3f} ± {np.std(values):.3f}  (n={len(values)})")


if __name__ == "__main__":
    main()
