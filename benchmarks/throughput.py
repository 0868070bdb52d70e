"""Inference speed of one trained transformer, measured every way in one run, on the same sentences.

    python benchmarks/throughput.py --model models/transformer-YYYYmmdd-HHMMSS [--sentences 5000]

Reports sentences per second for transformers.pipeline (batch 32, the reference), the project's torch
path, its ONNX fp32 path and its ONNX int8 path, each as a ratio to the pipeline; single-sentence
`predict` latency (p50/p95) on the fastest backend; and peak resident memory of this process.
Input: a fixed sample of real sentences from ../shared/corpora/ungdc/ (the project's corpus if absent).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from pathlib import Path

import numpy as np
import torch
from common import rate, real_sentences

from stance.inference.predictor import Predictor
from stance.models.folder import load_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="A trained transformer folder (exported to ONNX).")
    parser.add_argument("--sentences", type=int, default=5000)
    parser.add_argument("--latency-runs", type=int, default=300)
    args = parser.parse_args()
    texts, source = real_sentences(args.sentences)
    print(f"{len(texts)} sentences from {source}; mean {np.mean([len(t.split()) for t in texts]):.1f} words")
    print(f"machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads")

    from transformers import pipeline

    reference = pipeline("text-classification", model=str(args.model), top_k=None, device="cpu")
    reference.tokenizer.model_max_length = json.loads((args.model / "stance_config.json").read_text())["max_length"]
    results = {"transformers.pipeline (batch 32)": rate(lambda t: reference(t, batch_size=32, truncation=True), texts)}
    backends = {"stance torch (length-sorted)": "torch"}
    if (args.model / "model.onnx").exists():
        backends["stance ONNX fp32"] = ("onnx", "model.onnx")
    if (args.model / "model.int8.onnx").exists():
        backends["stance ONNX int8"] = ("onnx", "model.int8.onnx")
    for name, backend in backends.items():
        if backend == "torch":
            model = load_model(args.model, "torch")
        else:
            from stance.models.onnx_runtime import OnnxClassifier

            model = OnnxClassifier.load(args.model, backend[1])
        results[name] = rate(lambda t, m=model: m.predict_proba(t, batch_size=32), texts)
    base = results["transformers.pipeline (batch 32)"]
    print(f"\n{'path':<36}{'sentences/s':>12}{'x pipeline':>12}")
    for name, value in results.items():
        print(f"{name:<36}{value:>12.1f}{value / base:>12.2f}")

    predictor = Predictor.load(args.model)  # auto: the fastest backend present
    timings = []
    for text in texts[: args.latency_runs]:
        started = time.perf_counter()
        predictor.predict(text)
        timings.append((time.perf_counter() - started) * 1000)
    print(f"\nsingle-sentence predict ({type(predictor.model).__name__}): p50 {np.percentile(timings, 50):.2f} ms, "
          f"p95 {np.percentile(timings, 95):.2f} ms over {len(timings)} sentences")
    print(f"peak resident memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
