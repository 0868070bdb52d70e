"""Load on ``stance serve`` over loopback: one-sentence requests at several concurrencies, bounded in count and time.

    python benchmarks/service_load.py --model models/transformer-YYYYmmdd-HHMMSS [--requests 400] [--levels 1 8 32]

Starts the service on 127.0.0.1 (a free port), waits until /readyz, then for each concurrency level sends
``--requests`` one-sentence POST /v1/predict requests (real UN sentences), ``level`` at a time, and prints
requests per second, p50 and p99 latency and errors, then the server's peak memory. In the same run it
times ``stance score`` offline on the same sentences (rows per second from its own summary, start-up
excluded) and prints each level's throughput as a share of it. The client runs on the same 2 cores as
the server, so the figures are what one machine does with both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from common import real_sentences


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def level(url: str, texts: list[str], concurrency: int, deadline_s: float) -> dict:
    """Send one request per text, ``concurrency`` at a time; stop starting new ones after ``deadline_s``."""
    latencies, errors, queue = [], 0, iter(texts)
    stop_at = time.perf_counter() + deadline_s

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for text in queue:
            if time.perf_counter() > stop_at:
                return
            started = time.perf_counter()
            try:
                response = await client.post(f"{url}/v1/predict", json={"sentences": [text]})
                ok = response.status_code == 200 and response.json()["predictions"][0]["text"] == text
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return {"requests": len(latencies), "rps": len(latencies) / wall, "p50": np.percentile(latencies, 50) * 1000,
            "p99": np.percentile(latencies, 99) * 1000, "errors": errors}


def peak_memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=400, help="Requests per concurrency level.")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--max-seconds", type=float, default=120, help="Time bound per level.")
    parser.add_argument("--max-wait-ms", type=float, default=2.0)
    parser.add_argument("--max-batch", type=int, default=32)
    args = parser.parse_args()
    texts, source = real_sentences(args.requests)
    stance = [sys.executable, "-m", "stance.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sentences.jsonl"
        path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
        offline = subprocess.run([*stance, "score", str(path), "-o", str(Path(tmp) / "out.jsonl"), "--model",
                                  str(args.model)], capture_output=True, text=True, check=True)
    offline_rate = float(re.search(r"\(([\d.]+) rows/s\)", offline.stderr).group(1))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([*stance, "serve", "--model", str(args.model), "--port", str(port), "--max-wait-ms",
                               str(args.max_wait_ms), "--max-batch", str(args.max_batch)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        print(f"{len(texts)} one-sentence requests per level from {source}; model {args.model}; "
              f"batching: up to {args.max_batch} sentences, {args.max_wait_ms} ms wait")
        print(f"offline `stance score` on the same sentences: {offline_rate:.0f} sentences/s")
        print(f"{'concurrency':>11}{'requests':>10}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'% offline':>11}")
        for concurrency in args.levels:
            r = asyncio.run(level(url, texts, concurrency, args.max_seconds))
            print(f"{concurrency:>11}{r['requests']:>10}{r['rps']:>8.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}"
                  f"{r['rps'] / offline_rate:>11.0%}")
        print(f"server peak resident memory: {peak_memory_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
