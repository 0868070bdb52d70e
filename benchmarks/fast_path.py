"""The fast path as a user meets it: whole processes, right after ``python train.py``, beside the pipeline.

    python benchmarks/fast_path.py --model models/transformer-YYYYmmdd-HHMMSS [--sentences 4000] [--repeats 3]

Prints, in one run, on the same real sentences:

- whole process, file in and file out: a script running ``transformers.pipeline`` (batch 32, the
  reference) against ``stance score IN.jsonl -o OUT.jsonl --model DIR``; median wall time of
  ``--repeats`` alternating runs, each process's peak resident memory, and the largest difference between
  their probabilities (the two must compute the same model);
- cold start: ``stance --help`` and ``stance predict "..." --model DIR``, median wall time;
- in process: single-sentence ``Predictor.predict`` p50/p95 beside ``pipeline(sentence)`` p50/p95.

Nothing is done to the folder first: it is timed as ``python train.py`` left it (ONNX int8 where it passed
the parity check, else fp32, else torch).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import real_sentences

from stance.data.annotations import read_jsonl
from stance.labels import LABELS

PIPELINE_SCRIPT = """
import json, sys
from transformers import pipeline
model, source, target = sys.argv[1:]
texts = [json.loads(line)["text"] for line in open(source, encoding="utf-8")]
pipe = pipeline("text-classification", model=model, top_k=None, device="cpu", function_to_apply="sigmoid")
pipe.tokenizer.model_max_length = json.load(open(f"{model}/stance_config.json"))["max_length"]  # the same cut as stance
with open(target, "w", encoding="utf-8") as f:
    for text, scores in zip(texts, pipe(texts, batch_size=32, truncation=True)):
        f.write(json.dumps({"text": text, **{s["label"]: s["score"] for s in scores}}) + "\\n")
"""
SENTENCE = "We call on both parties to return to the negotiating table without delay."


def timed(command: list[str], log: Path) -> tuple[float, float]:
    """Run ``command`` to completion: (wall seconds, peak resident memory in MB); raise if it fails.

    Memory comes from GNU time run as the command's parent: a child forked from this (large) process would
    report this process's memory as its own peak."""
    gnu_time = shutil.which("time") or "/usr/bin/time"
    with log.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.run([gnu_time, "-f", "%M", "-o", str(log.with_suffix(".rss")), *command],
                                 stdout=subprocess.DEVNULL, stderr=err)
        wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{log.read_text(errors='replace')[-2000:]}")
    return wall, int(log.with_suffix(".rss").read_text().split()[-1]) / 1024


def read_probabilities(path: Path, columns: list[str]) -> np.ndarray:
    rows = read_jsonl(path)
    return np.array([[row[c] for c in columns] for row in rows], dtype=float)


def percentiles(fn, texts: list[str]) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``fn(text)`` over ``texts``, after two warm-up calls."""
    fn(texts[0])
    fn(texts[1])
    timings = []
    for text in texts:
        started = time.perf_counter()
        fn(text)
        timings.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(timings, 50)), float(np.percentile(timings, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="A transformer folder as python train.py left it.")
    parser.add_argument("--sentences", type=int, default=4000)
    parser.add_argument("--repeats", type=int, default=3, help="Alternating runs of each whole process.")
    parser.add_argument("--latency-runs", type=int, default=300)
    args = parser.parse_args()
    stance = [str(Path(sys.executable).with_name("stance"))]
    if not Path(stance[0]).exists():
        stance = [sys.executable, "-m", "stance.cli"]
    onnx = next((name for name in ("model.int8.onnx", "model.onnx") if (args.model / name).exists()), "none (torch)")
    texts, source = real_sentences(args.sentences)
    print(f"{len(texts)} sentences from {source}; model {args.model}, ONNX file used by default: {onnx}")
    print(f"machine: {os.cpu_count()} CPUs")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source_file = tmp / "sentences.jsonl"
        source_file.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
        (tmp / "pipeline.py").write_text(PIPELINE_SCRIPT)
        commands = {
            "transformers.pipeline (batch 32)": [sys.executable, str(tmp / "pipeline.py"), str(args.model),
                                                 str(source_file), str(tmp / "pipeline.jsonl")],
            "stance score": [*stance, "score", str(source_file), "-o", str(tmp / "stance.jsonl"),
                             "--model", str(args.model)],
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, command in commands.items():
                runs[name].append(timed(command, tmp / "stderr.log"))
        ours = read_probabilities(tmp / "stance.jsonl", [f"{label}_prob" for label in LABELS])
        reference = read_probabilities(tmp / "pipeline.jsonl", list(LABELS))
        if len(ours) != len(texts):
            raise RuntimeError(f"stance score wrote {len(ours)} rows for {len(texts)} sentences")

        print(f"\nwhole process on {len(texts)} sentences (median of {args.repeats}, alternating):")
        print(f"{'command':<36}{'wall s':>9}{'sent/s':>9}{'x pipeline':>12}{'peak MB':>10}")
        base = statistics.median(wall for wall, _ in runs["transformers.pipeline (batch 32)"])
        for name, measured in runs.items():
            wall = statistics.median(w for w, _ in measured)
            print(f"{name:<36}{wall:>9.2f}{len(texts) / wall:>9.0f}{base / wall:>12.2f}"
                  f"{max(m for _, m in measured):>10.0f}")
        thresholds = np.array(json.loads((args.model / "stance_config.json").read_text())["thresholds"])
        agree = ((ours >= thresholds) == (reference >= thresholds)).all(axis=1).mean()
        difference = np.abs(ours - reference)
        print(f"stance score vs pipeline: mean |dp| {difference.mean():.4f}, max {difference.max():.3f}, "
              f"same labels on {agree:.2%} of sentences ({onnx} against the pipeline's fp32 torch)")

        starts = {"stance --help": [*stance, "--help"],
                  "stance predict (cold)": [*stance, "predict", SENTENCE, "--model", str(args.model)]}
        print(f"\ncold start (median of {args.repeats + 2}):")
        for name, command in starts.items():
            measured = [timed(command, tmp / "stderr.log") for _ in range(args.repeats + 2)]
            print(f"{name:<36}{statistics.median(w for w, _ in measured):>9.2f} s{max(m for _, m in measured):>10.0f} MB")

    from transformers import pipeline

    from stance.inference.predictor import Predictor

    sample = texts[: args.latency_runs]
    predictor = Predictor.load(args.model)
    pipe = pipeline("text-classification", model=str(args.model), top_k=None, device="cpu", function_to_apply="sigmoid")
    pipe.tokenizer.model_max_length = predictor.model.max_length  # the same cut as stance: the same work
    latency = {f"stance predict() ({type(predictor.model).__name__}, {onnx})": percentiles(predictor.predict, sample),
               "transformers.pipeline(sentence)": percentiles(lambda t: pipe(t, truncation=True), sample)}
    print(f"\nsingle sentence in process, {len(sample)} sentences:")
    for name, (p50, p95) in latency.items():
        print(f"{name:<60} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main()
