"""Loop-chosen against random real sentences, at equal counts; and how real and written data should mix.

    python benchmarks/active_learning.py --model tfidf --seeds 0 1 2 --counts 0 600 1000 1400 1800
    python benchmarks/active_learning.py --model transformer --seeds 0 1 2 --counts 1800 --arms loop random
    python benchmarks/active_learning.py --model transformer --seeds 13 --counts 1800 --arms loop --real-weights 1 2 3
    python benchmarks/active_learning.py --model transformer --seeds 13 --counts 1800 --arms loop --no-written

Both arms start from the first round's random sentences of training speeches. At a count N the ``random``
arm adds randomly chosen sentences (rounds whose ``selected_by`` is random), the ``loop`` arm the sentences
the loop chose (``uncertainty`` rounds, in round order), until N real training sentences are reached; the
order inside each pool is shuffled by the seed. Every model also trains on the written corpus (unless
``--no-written``) and tunes thresholds on the written + real validation splits, as ``train.py`` does.

Printed per run and as mean ± std over seeds: macro-F1 on real-dev, the real validation split, the real test
split and the written test split. Decisions (weight, mix) are read from real-dev and real validation only:
the real test split is reported, never chosen on. ``--plot`` saves the curve. Needs `stance data build`.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
from datasets import DatasetDict

from stance.data.build import load_dataset_folder
from stance.data.realdev import load_realdev
from stance.labels import LABELS
from stance.metrics import compute_metrics
from stance.models.baseline import TfidfBaseline
from stance.training.mix import training_mix

EVALUATED = ("realdev", "real_validation", "real_test", "test")


def real_subset(dataset: DatasetDict, arm: str, count: int, seed: int) -> DatasetDict:
    """``dataset`` with ``real_train`` cut to ``count`` sentences: round 1, then the arm's pool in seeded order."""
    real = dataset["real_train"]
    topics = real["topic"]
    first = [i for i, t in enumerate(topics) if t.startswith("round 1 ")]
    wanted = "random" if arm == "random" else "uncertainty"
    pool = [i for i, t in enumerate(topics) if not t.startswith("round 1 ") and t.endswith(wanted)]
    rng = np.random.default_rng(seed)
    if arm == "random":
        pool = rng.permutation(pool).tolist()
    else:  # loop rounds in the order they were chosen; shuffled inside a round
        rounds = sorted({topics[i] for i in pool}, key=lambda t: int(t.split()[1]))
        pool = [i for r in rounds for i in rng.permutation([j for j in pool if topics[j] == r]).tolist()]
    keep = (rng.permutation(first).tolist() + pool)[:count]
    if len(keep) < count:
        raise SystemExit(f"the {arm} arm has only {len(keep)} real training sentences; asked for {count}.")
    return DatasetDict({**dataset, "real_train": real.select(sorted(keep))})


def train(kind: str, dataset: DatasetDict, seed: int, real_weight: float):
    if kind == "tfidf":
        mix = training_mix(dataset, real_weight=real_weight)
        return TfidfBaseline(seed=seed).fit(mix.texts, mix.labels, sample_weight=mix.sample_weight,
                                            validation=(mix.validation_texts, mix.validation_labels))
    from stance.training.trainer import TrainConfig, train_transformer_model

    return train_transformer_model(dataset, Path(tempfile.mkdtemp()), TrainConfig(seed=seed, real_weight=real_weight),
                                   data_hash="subset")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=("tfidf", "transformer"), default="tfidf")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--counts", type=int, nargs="+", default=[0, 600, 1000, 1400, 1800])
    parser.add_argument("--arms", nargs="+", choices=("loop", "random"), default=["loop", "random"])
    parser.add_argument("--real-weights", type=float, nargs="+", default=[1.0])
    parser.add_argument("--no-written", action="store_true", help="Train on real sentences alone.")
    parser.add_argument("--data-dir", type=Path, default=Path("data/processed"))
    parser.add_argument("--plot", type=Path, help="Save the loop-vs-random curve (PNG).")
    args = parser.parse_args()
    dataset, info = load_dataset_folder(args.data_dir)
    realdev = load_realdev(args.data_dir / "realdev.jsonl")
    if realdev is None or not len(dataset["real_test"]):
        raise SystemExit("needs ../shared/realdev and real annotations built into data/processed (stance data build).")
    if args.no_written:
        empty = dataset["train"].select([])
        dataset = DatasetDict({**dataset, "train": empty, "validation": empty})
    evaluation = {"realdev": realdev, **{name: (list(dataset[name]["text"]), np.array(dataset[name]["labels"], dtype=int))
                                         for name in EVALUATED[1:]}}
    print(f"{args.model}, data hash {info['content_hash'][:16]}, written corpus {'off' if args.no_written else 'on'}; "
          f"macro-F1 by run")
    results: dict[tuple, list] = defaultdict(list)
    for weight in args.real_weights:
        for count in args.counts:
            for arm in (args.arms if count else ["none"]):
                for seed in args.seeds:
                    part = real_subset(dataset, arm, count, seed) if count else replace_real(dataset)
                    model = train(args.model, part, seed, weight)
                    scores = {name: compute_metrics(y, model.predict_proba(list(texts)), model.thresholds_)
                              for name, (texts, y) in evaluation.items()}
                    results[(weight, count, arm)].append(scores)
                    print(f"  weight {weight:g} real {count:>5} {arm:<7} seed {seed}: "
                          + "  ".join(f"{name} {s['macro_f1']:.3f}" for name, s in scores.items()), flush=True)
    print(f"\n{'weight':>6}{'real':>6} {'arm':<7}" + "".join(f"{name:>18}" for name in EVALUATED)
          + "   real_test per label (blame / coop / hedge), blame precision")
    for (weight, count, arm), runs in results.items():
        cells = []
        for name in EVALUATED:
            values = np.array([r[name]["macro_f1"] for r in runs])
            cells.append(f"{values.mean():>11.3f} ± {values.std():.3f}")
        per_label = np.mean([[r["real_test"]["per_label"][label]["f1"] for label in LABELS] for r in runs], axis=0)
        precision = np.mean([r["real_test"]["per_label"]["blame"]["precision"] for r in runs])
        print(f"{weight:>6g}{count:>6} {arm:<7}" + "".join(cells) + "   "
              + " / ".join(f"{v:.3f}" for v in per_label) + f", {precision:.3f}")
    if args.plot:
        plot(results, args.plot, args.model)


def replace_real(dataset: DatasetDict) -> DatasetDict:
    """The written corpus alone: no real training sentences (real validation still tunes thresholds)."""
    return DatasetDict({**dataset, "real_train": dataset["real_train"].select([])})


def plot(results: dict, path: Path, kind: str) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    for arm, colour in (("loop", "tab:blue"), ("random", "tab:orange")):
        for name, style in (("real_test", "-"), ("realdev", "--")):
            points = sorted((count, np.mean([r[name]["macro_f1"] for r in runs]), np.std([r[name]["macro_f1"] for r in runs]))
                            for (_, count, a), runs in results.items() if a in (arm, "none"))
            if len(points) > 1:
                x, y, e = map(np.array, zip(*points))
                axes.errorbar(x, y, yerr=e, fmt=style + "o", color=colour, capsize=3, label=f"{arm}, {name}")
    axes.set_xlabel("real training sentences (plus the written corpus)")
    axes.set_ylabel("macro-F1")
    axes.set_title(f"{kind}: sentences chosen by the loop vs at random")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    print(f"plot saved to {path}")


if __name__ == "__main__":
    main()
