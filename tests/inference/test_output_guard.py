import errno
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from interrupting import Interrupting

from stance.inference import scoring
from stance.inference.output_guard import LOCK, OutputLockedError, OutputWriteError
from stance.inference.predictor import Predictor
from stance.inference.scoring import ScoreOptions, score_file
from stance.inference.table_io import write_table

ROWS = pd.DataFrame({"id": range(40), "text": [f"we welcome the talks, round {i}" for i in range(40)]})


@pytest.fixture
def model(tfidf_folder):
    return Predictor.load(tfidf_folder)


def options(tmp_path, **changes) -> ScoreOptions:
    source = tmp_path / "in.csv"
    if not source.exists():
        write_table(ROWS, source, "csv")
    return ScoreOptions(**{"input": str(source), "output": str(tmp_path / "out.jsonl"), "chunk_size": 5, **changes})


def lock(tmp_path, pid: int, host: str | None = None) -> Path:
    partial = tmp_path / "out.jsonl.partial"
    partial.mkdir(exist_ok=True)
    (partial / "part-000000.jsonl").write_text("{}\n")  # another run's finished part
    (partial / LOCK).write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(), "started": "then"}))
    return partial


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_second_run_on_the_same_output_is_refused_and_touches_nothing(tmp_path, model):
    partial = lock(tmp_path, os.getpid())  # a live process on this host holds it
    with pytest.raises(OutputLockedError, match=f"pid {os.getpid()} .* is writing .*out.jsonl. Wait"):
        score_file(options(tmp_path), model, progress=False)
    assert (partial / "part-000000.jsonl").read_text() == "{}\n" and (partial / LOCK).exists()


def test_a_lock_from_another_host_is_refused_with_the_path_to_delete(tmp_path, model):
    lock(tmp_path, os.getpid(), host="elsewhere")
    with pytest.raises(OutputLockedError, match="from that machine.*delete .*lock.json"):
        score_file(options(tmp_path, resume=True), model, progress=False)


def test_a_stale_lock_left_by_a_killed_run_is_taken_over_by_resume(tmp_path, model):
    with pytest.raises(KeyboardInterrupt):
        score_file(options(tmp_path), Interrupting(model, limit=3), progress=False)
    (tmp_path / "out.jsonl.partial" / LOCK).write_text(json.dumps({"pid": dead_pid(), "host": socket.gethostname(),
                                                                   "started": "then"}))  # as kill -9 leaves it
    summary = score_file(options(tmp_path, resume=True), model, progress=False)
    assert summary.resumed_rows == 15 and read(tmp_path / "out.jsonl")["id"].tolist() == list(range(40))
    assert not (tmp_path / "out.jsonl.partial").exists()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_failed_write_stops_with_one_line_and_resume_completes_once_it_can_write(tmp_path, model, monkeypatch, code):
    real_write, calls = scoring.write_table, []

    def failing(frame, path, fmt):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(code, os.strerror(code))
        real_write(frame, path, fmt)

    monkeypatch.setattr(scoring, "write_table", failing)
    with pytest.raises(OutputWriteError) as raised:
        score_file(options(tmp_path), model, progress=False)
    message = str(raised.value)
    assert "\n" not in message and "part-000002" in message and os.strerror(code) in message
    assert "2 finished part(s) are kept" in message and "--resume" in message
    partial = tmp_path / "out.jsonl.partial"
    assert sorted(p.name for p in partial.iterdir()) == ["part-000000.jsonl", "part-000001.jsonl", "state.json"]
    monkeypatch.setattr(scoring, "write_table", real_write)  # space freed
    summary = score_file(options(tmp_path, resume=True), model, progress=False)
    assert summary.resumed_rows == 10 and read(tmp_path / "out.jsonl")["id"].tolist() == list(range(40))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; the failing-writer test covers it")
def test_a_read_only_output_folder_is_named(tmp_path, model):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputWriteError, match=r"Could not write .*ro/out.jsonl.partial: Permission denied"):
            score_file(options(tmp_path, output=str(folder / "out.jsonl")), model, progress=False)
    finally:
        folder.chmod(0o755)


def read(path: Path) -> pd.DataFrame:
    return pd.read_json(path, lines=True)


def test_killed_at_random_moments_and_resumed_loses_and_duplicates_nothing(tmp_path, tfidf_folder):
    """kill -9 a real `stance score` process at random moments, three times, then resume it to the end."""
    rows = pd.DataFrame({"text": [f"We welcome the talks. They attacked our border, day {i}. It may rain."
                                  for i in range(6000)]})
    write_table(rows, tmp_path / "in.csv", "csv")
    command = [sys.executable, "-m", "stance.cli", "score", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.jsonl"),
               "--model", str(tfidf_folder), "--split-sentences", "--chunk-size", "100", "--resume"]
    parts = lambda: len(list((tmp_path / "out.jsonl.partial").glob("part-*.jsonl")))  # noqa: E731
    rng, killed = random.Random(7), []
    for _ in range(3):
        before = parts()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while process.poll() is None and parts() <= before:  # wait until this run has scored something
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.0))  # then kill it at a random moment, mid-chunk or mid-write
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed.append(parts())
        process.wait()
    assert len(killed) == 3 and killed == sorted(killed), f"parts at each kill: {killed}"
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "resumed after" in finished.stderr
    out = read(tmp_path / "out.jsonl")
    keys = list(zip(out["row_index"], out["sentence_index"]))
    assert keys == [(row, sentence) for row in range(6000) for sentence in range(3)]  # 0 lost, 0 duplicated, in order
