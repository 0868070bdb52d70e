"""The main job behind ``python train.py``: build the data, train, evaluate, compare with the last run."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stance.baseline import MODEL_TYPE as TFIDF
from stance.baseline import TfidfBaseline
from stance.data.build import build_dataset
from stance.data.stats import format_statistics
from stance.evaluate import evaluate_model, format_comparison, format_metrics, write_report
from stance.model_folder import TRANSFORMER, latest_run, load_model, new_run_folder
from stance.realdev import load_realdev


@dataclass
class JobOptions:
    seeds: Path = Path("seeds")
    annotations: Path = Path("data/annotations")
    data_dir: Path = Path("data/processed")
    models_dir: Path = Path("models")
    models: tuple[str, ...] = (TFIDF, TRANSFORMER)
    output: Path | None = None
    seed: int = 13


def run_job(options: JobOptions, train_transformer=None, echo=print) -> dict[str, dict]:
    """Build the data set, train each requested model, evaluate on test and real-dev, print a comparison."""
    built = build_dataset(options.seeds, options.annotations, seed=options.seed)
    built.save(options.data_dir)
    echo(format_statistics(built.dataset, built.info))
    dataset, data_hash = built.dataset, built.info["content_hash"]
    evaluation = {"test": (dataset["test"]["text"], np.array(dataset["test"]["labels"], dtype=int))}
    realdev = load_realdev(options.data_dir / "realdev.jsonl")
    if realdev is None:
        echo("real-dev set not found (../shared/realdev is absent): the real-dev column is left empty")
    else:
        evaluation["realdev"] = realdev

    previous = {kind: latest_run(options.models_dir, kind) for kind in options.models}
    trained: dict[str, Path] = {}
    for kind in options.models:
        folder = options.output if options.output and len(options.models) == 1 else new_run_folder(options.models_dir, kind)
        started = time.perf_counter()
        if kind == TFIDF:
            model = TfidfBaseline(seed=options.seed).fit(
                dataset["train"]["text"], np.array(dataset["train"]["labels"]),
                validation=(dataset["validation"]["text"], np.array(dataset["validation"]["labels"])))
            model.save(folder, extra={"data_hash": data_hash, "train_seconds": round(time.perf_counter() - started, 1)})
        else:
            train_transformer(dataset, folder, data_hash)
        echo(f"\ntrained {kind} in {time.perf_counter() - started:.0f} s -> {folder}")
        trained[kind] = folder

    results: dict[str, dict] = {}
    for name, folder in [*((f"{k} (new)", f) for k, f in trained.items()),
                         *((f"{k} (previous)", f) for k, f in previous.items() if f is not None)]:
        model = load_model(folder)
        for data_name, (texts, y) in evaluation.items():
            metrics, probabilities = evaluate_model(model, list(texts), y)
            if "(new)" in name:
                write_report(folder, metrics, y, probabilities, name=data_name)
                echo("\n" + format_metrics(metrics, title=f"{name} on {data_name}"))
            results.setdefault(data_name, {})[name] = metrics
    for data_name in ("test", "realdev"):
        echo(f"\nside by side on {data_name}:")
        echo(format_comparison(results[data_name]) if data_name in results else "  (not available: ../shared absent)")
    summary = options.models_dir / "comparison.json"
    summary.parent.mkdir(parents=True, exist_ok=True)
    summary.write_text(json.dumps({"data_hash": data_hash, "models": {k: str(v) for k, v in trained.items()},
                                   "results": results}, indent=2) + "\n")
    return results
