"""Adapting to an unlabelled archive, measured on the real-dev set (mean of seeds).

    python benchmarks/adaptation.py --teacher models/transformer-A [models/transformer-B ...] [--seeds 3]
        [--variants tfidf_selftrain tfidf_distilled transformer_selftrain transformer_dapt] [--dapt-minutes 10]

Archive: UN General Debate sessions 1-24 (1946-1969) from ../shared/corpora/ungdc/ (later sessions are
reserved for evaluation). Seed i draws its own sample of archive sentences and uses the i-th teacher
(cycling), so pass one transformer per seed, each trained with seed i, to pair the students with them.
Compared (each printed per seed, then as mean ± std):
  tfidf                  the baseline on the written corpus alone
  teacher                the transformer on the written corpus alone
  tfidf_selftrain        + the baseline's own confident, balanced silver labels (weight 0.5)
  tfidf_distilled        + the transformer teacher's labels on every sampled sentence (weight 0.5)
  transformer_selftrain  + the teacher's confident, balanced silver labels (slow: a fine-tuning run)
  transformer_dapt       fine-tuned on a backbone whose masked-LM training continued on the sample
                         for --dapt-minutes (slow: pretraining plus a fine-tuning run)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from stance.data.archive import sample_sentences
from stance.data.build import load_dataset_folder
from stance.data.realdev import load_realdev, shared_dir
from stance.metrics import compute_metrics
from stance.models.baseline import TfidfBaseline
from stance.models.folder import load_model
from stance.training.adaptation import fit_tfidf_student, select_silver

VARIANTS = ("tfidf_selftrain", "tfidf_distilled", "transformer_selftrain", "transformer_dapt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teacher", type=Path, nargs="+", required=True, help="Trained transformer folder(s).")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=["tfidf_selftrain", "tfidf_distilled"])
    parser.add_argument("--sentences", type=int, default=20000, help="Archive sentences sampled per seed.")
    parser.add_argument("--per-label", type=int, default=600, help="Silver positives (and negatives) per label.")
    parser.add_argument("--weight", type=float, default=0.5)
    parser.add_argument("--dapt-minutes", type=float, default=10.0)
    parser.add_argument("--data-dir", type=Path, default=Path("data/processed"))
    args = parser.parse_args()
    archive = shared_dir() / "corpora" / "ungdc" / "speeches.jsonl.gz"
    realdev = load_realdev(args.data_dir / "realdev.jsonl")
    if realdev is None or not archive.exists():
        raise SystemExit("needs ../shared (the archive and the real-dev set)")
    dataset, _ = load_dataset_folder(args.data_dir)
    texts, labels = list(dataset["train"]["text"]), np.array(dataset["train"]["labels"], dtype=int)
    validation = (list(dataset["validation"]["text"]), np.array(dataset["validation"]["labels"], dtype=int))
    results: dict[str, list[float]] = {}

    def record(name: str, model) -> None:
        metrics = compute_metrics(realdev[1], model.predict_proba(realdev[0]), model.thresholds_)
        results.setdefault(name, []).append(metrics["macro_f1"])
        print(f"  {name:<24} real-dev macro-F1 {metrics['macro_f1']:.3f}  "
              + " / ".join(f"{metrics['per_label'][k]['f1']:.3f}" for k in ("blame", "cooperation", "hedging")),
              flush=True)

    baseline = TfidfBaseline().fit(texts, labels, validation=validation)
    for seed in range(args.seeds):
        started = time.perf_counter()
        sample = sample_sentences(archive, limit=args.sentences, seed=seed, where=lambda r: r["session"] <= 24)
        print(f"seed {seed}: {len(sample)} archive sentences sampled in {time.perf_counter() - started:.0f} s", flush=True)
        teacher = load_model(args.teacher[seed % len(args.teacher)])
        record("tfidf", baseline)
        record("teacher", teacher)
        probabilities = teacher.predict_proba(sample)
        if "tfidf_selftrain" in args.variants:
            rows, silver = select_silver(baseline.predict_proba(sample), per_label=args.per_label)
            record("tfidf_selftrain", fit_tfidf_student(texts, labels, [sample[i] for i in rows], silver,
                                                        weight=args.weight, validation=validation))
        if "tfidf_distilled" in args.variants:
            distilled = (probabilities >= teacher.thresholds_).astype(int)
            record("tfidf_distilled", fit_tfidf_student(texts, labels, sample, distilled, weight=args.weight,
                                                        validation=validation))
        if "transformer_selftrain" in args.variants or "transformer_dapt" in args.variants:
            from stance.training.dapt import DaptConfig, continue_pretraining
            from stance.training.trainer import TrainConfig, train_transformer_model
        if "transformer_selftrain" in args.variants:
            rows, silver = select_silver(probabilities, per_label=args.per_label)
            folder = Path(tempfile.mkdtemp(prefix=f"selftrain{seed}-"))
            print(f"  transformer_selftrain -> {folder}", flush=True)
            student = train_transformer_model(dataset, folder, TrainConfig(seed=seed),
                                              data_hash="adaptation", silver=([sample[i] for i in rows], silver, args.weight))
            record("transformer_selftrain", student)
        if "transformer_dapt" in args.variants:
            backbone, folder = Path(tempfile.mkdtemp(prefix=f"backbone{seed}-")), Path(tempfile.mkdtemp(prefix=f"dapt{seed}-"))
            print(f"  transformer_dapt -> {backbone}, {folder}", flush=True)
            report = continue_pretraining(sample, backbone, DaptConfig(minutes=args.dapt_minutes, seed=seed))
            print(f"  dapt: {report['steps']} steps, {report['sentences_seen']} sentences, {report['seconds']:.0f} s, "
                  f"held-out MLM loss {report['held_out_loss_shipped_encoder']} -> {report['held_out_loss_adapted_encoder']}",
                  flush=True)
            student = train_transformer_model(dataset, folder, TrainConfig(seed=seed, backbone=str(backbone)),
                                              data_hash="adaptation")
            record("transformer_dapt", student)
    print("\nmean real-dev macro-F1 over seeds:")
    for name, values in results.items():
        print(f"  {name:<24} {np.mean(values):.3f} ± {np.std(values):.3f}  (n={len(values)})")


if __name__ == "__main__":
    main()
