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
from stance.data.documents import read_documents
from stance.data.stats import format_statistics
from stance.evaluate import evaluate_model, format_comparison, format_metrics, write_report
from stance.labels import LABELS
from stance.model_folder import TRANSFORMER, latest_run, load_model, new_run_folder
from stance.predictor import Predictor
from stance.realdev import load_realdev
from stance.scoring import ScoreOptions, score_file


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
    newest = trained.get(TRANSFORMER) or trained.get(TFIDF)
    if newest is not None:
        score_seeds(options.seeds, newest, options.models_dir / "seeds_scored.jsonl", echo)
    summary = options.models_dir / "comparison.json"
    summary.parent.mkdir(parents=True, exist_ok=True)
    summary.write_text(json.dumps({"data_hash": data_hash, "models": {k: str(v) for k, v in trained.items()},
                                   "results": results}, indent=2) + "\n")
    return results


def score_seeds(seeds: Path, model_folder: Path, output: Path, echo=print) -> Path:
    """Score every seed document sentence by sentence into ``output`` and print the first document's labels."""
    documents = read_documents(seeds)
    source = output.with_suffix(".input.jsonl")
    source.write_text("".join(json.dumps({"doc_id": d.doc_id, "text": d.text}, ensure_ascii=False) + "\n"
                              for d in documents), encoding="utf-8")
    summary = score_file(ScoreOptions(input=str(source), output=str(output), split_sentences=True),
                         Predictor.load(model_folder), progress=False)
    source.unlink()
    echo(f"\nscored the {len(documents)} seed documents with {model_folder}: {summary.describe()} -> {output}")
    first = [json.loads(line) for line in output.open(encoding="utf-8")][: len(documents[0].sentences)]
    echo(f"{documents[0].doc_id}, sentence by sentence:")
    for row in first:
        labels = [label for label in LABELS if row[f"{label}_pred"] == 1] or ["neutral"]
        echo(f"  {'+'.join(labels):<28} {row['sentence'][:110]}")
    return output
