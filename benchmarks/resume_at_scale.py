"""Resume at scale: kill ``stance score`` with SIGKILL at random moments, resume it, check nothing was lost.

    python benchmarks/resume_at_scale.py --model models/tfidf-YYYYmmdd-HHMMSS [--speeches 900] [--kills 3] [--chunk-size 25]

Writes real UN speeches (the first ``--speeches`` of the archive, whole speeches, one row each) to a JSONL
file, scores it once straight through with ``--split-sentences``, then again into another output, killing
the process ``--kills`` times at random moments (once a run has written a part, after a random 10-60% of the
work it has left) and rerunning it with ``--resume`` until it finishes. Prints the rows at each kill and the check: the same
(``row_index``, ``sentence_index``) keys in the same order as the straight run, none missing, none
duplicated, and the same probabilities.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from stance.data.realdev import shared_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--speeches", type=int, default=900, help="Whole speeches to score (about 120 sentences each).")
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--chunk-size", type=int, default=25, help="Speeches per part (about 3,000 sentences).")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    archive = shared_dir() / "corpora" / "ungdc" / "speeches.jsonl.gz"
    if not archive.exists():
        sys.exit(f"skipped: the archive {archive} is absent")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = tmp / "speeches.jsonl"
        with gzip.open(archive, "rt", encoding="utf-8") as f, source.open("w", encoding="utf-8") as out:
            for _, line in zip(range(args.speeches), f):
                record = json.loads(line)
                out.write(json.dumps({k: record[k] for k in ("country", "session", "text")}) + "\n")

        def command(output: Path) -> list[str]:
            return [sys.executable, "-m", "stance.cli", "score", str(source), "-o", str(output), "--model",
                    str(args.model), "--split-sentences", "--resume", "--chunk-size", str(args.chunk_size)]

        started = time.perf_counter()
        subprocess.run(command(tmp / "straight.parquet"), check=True, capture_output=True)
        straight_seconds = time.perf_counter() - started
        straight = pd.read_parquet(tmp / "straight.parquet")
        print(f"{args.speeches} speeches -> {len(straight)} sentences, straight run {straight_seconds:.0f} s "
              f"(model {args.model})")

        target, kills, runs = tmp / "killed.parquet", 0, 0
        total_parts = -(-args.speeches // args.chunk_size)

        def parts() -> int:
            return len(list(Path(f"{target}.partial").glob("part-*.parquet")))

        while not target.exists():
            runs += 1
            before = parts()
            process = subprocess.Popen(command(target), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if kills < args.kills:
                while process.poll() is None and parts() <= before:  # started and scoring
                    time.sleep(0.05)
                remaining = straight_seconds * (1 - parts() / total_parts)
                moment = rng.uniform(0.1, 0.6) * remaining  # a random moment in the rest of this run
                try:
                    process.wait(timeout=moment)
                except subprocess.TimeoutExpired:
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                    kills += 1
                    print(f"kill {kills}: SIGKILL {moment:.1f} s after run {runs} wrote its first part; "
                          f"{parts()} of {total_parts} parts on disk")
            else:
                process.wait()
        killed = pd.read_parquet(target)
        keys = ["row_index", "sentence_index"]
        same_keys = killed[keys].equals(straight[keys])
        duplicated = int(killed.duplicated(keys).sum())
        missing = len(straight.merge(killed[keys], on=keys, how="left", indicator=True).query("_merge == 'left_only'"))
        probabilities = [c for c in straight.columns if c.endswith("_prob")]
        difference = (killed[probabilities] - straight[probabilities]).abs().max().max()
        print(f"after {kills} kills and {runs} runs: {len(killed)} rows (straight {len(straight)}), missing {missing}, "
              f"duplicated {duplicated}, same keys in the same order: {same_keys}, max |dp| {difference:.1e}")


if __name__ == "__main__":
    main()
