"""The ray engine against the local engine on this machine: the same sentences, whole processes, one run each.

    python benchmarks/ray_engine.py --model models/transformer-YYYYmmdd-HHMMSS [--sentences 50000] [--workers 2]

Writes ``--sentences`` real UN sentences to Parquet, then times ``stance score`` (local engine) and
``stance score --engine ray`` (a local Ray started by the command, ``--workers`` model actors) as whole
processes, and prints sentences per second, the ray engine's overhead against the local engine, and the
peak resident memory of each command's own process (Ray's worker processes are not counted there).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import pandas as pd
from common import real_sentences
from fast_path import timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--sentences", type=int, default=50000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    texts, source = real_sentences(args.sentences, speeches=max(200, args.sentences // 100))
    stance = [sys.executable, "-m", "stance.cli", "score"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pd.DataFrame({"text": texts}).to_parquet(tmp / "in.parquet")
        runs = {"local engine": timed([*stance, str(tmp / "in.parquet"), "-o", str(tmp / "local.parquet"), "--model",
                                       str(args.model)], tmp / "local.log"),
                f"ray engine ({args.workers} actors)": timed(
                    [*stance, str(tmp / "in.parquet"), "-o", str(tmp / "ray"), "--engine", "ray", "--workers",
                     str(args.workers), "--model", str(args.model)], tmp / "ray.log")}
        rows = {"local engine": len(pd.read_parquet(tmp / "local.parquet")),
                f"ray engine ({args.workers} actors)": len(pd.read_parquet(tmp / "ray"))}
    print(f"{len(texts)} sentences from {source}; model {args.model}")
    print(f"{'engine':<24}{'rows':>8}{'wall s':>9}{'sent/s':>9}{'x local':>9}{'peak MB':>9}")
    base = runs["local engine"][0]
    for name, (wall, memory) in runs.items():
        print(f"{name:<24}{rows[name]:>8}{wall:>9.1f}{len(texts) / wall:>9.0f}{base / wall:>9.2f}{memory:>9.0f}")
    print(json.dumps({name: {"wall_s": round(w, 1), "rows": rows[name]} for name, (w, _) in runs.items()}))


if __name__ == "__main__":
    main()
