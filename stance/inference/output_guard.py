"""Guard an output: one writer at a time, and a failed write that stops cleanly.

One writer per output: a lock file in ``OUTPUT.partial/`` holding the writer's pid and host.

A second ``stance score`` aimed at the same output while the first runs is refused. A lock whose
process is gone (a run killed with ``kill -9``) is stale and is taken over: with ``--resume`` the new
run continues after the finished parts, without it the run starts over. A lock held from another host
(a shared file system) cannot be checked, so it is refused with the path to delete.

A write that fails (disk full, read-only folder, permission) raises :class:`OutputWriteError`: one line
naming the path, with the finished parts kept for ``--resume``.

>>> with OutputLock(Path("out.jsonl.partial")).acquire():  # doctest: +SKIP
...     with writing(Path("out.jsonl.partial/part-000000.jsonl"), Path("out.jsonl.partial")):
...         ...  # write a part
"""

from __future__ import annotations

import json
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path

LOCK = "lock.json"


class OutputLockedError(ValueError):
    """Another run is writing the same output."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, it belongs to someone else
        return True
    return True


class OutputLock:
    def __init__(self, partial: Path) -> None:
        self.partial = Path(partial)
        self.path = self.partial / LOCK

    def holder(self) -> dict | None:
        """Who holds the lock (pid, host, started), or None when nobody does."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError:  # a lock cut short by a crash mid-write: its writer is gone
            return {"pid": -1, "host": socket.gethostname(), "started": "unknown"}

    def check(self) -> None:
        """Refuse if another live run holds the lock (a stale one is left to be taken over)."""
        holder = self.holder()
        if holder is None:
            return
        output = self.partial.name.removesuffix(".partial")
        who = f"pid {holder['pid']} on {holder['host']}, started {holder['started']}"
        if holder["host"] != socket.gethostname():
            raise OutputLockedError(f"Another stance score ({who}) holds {self.path}; it may still be writing {output} "
                                    f"from that machine. Wait for it, or delete {self.path} if you know it has stopped.")
        if _alive(holder["pid"]):
            raise OutputLockedError(f"Another stance score ({who}) is writing {output}. Wait for it to finish, stop it, "
                                    "or choose another -o.")

    @contextmanager
    def acquire(self):
        """Hold the lock for the ``with`` block (``self.partial`` must exist); release it however the block ends."""
        self.check()
        record = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
        self.path.unlink(missing_ok=True)  # a stale lock, checked above
        try:
            with os.fdopen(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY), "w") as f:
                json.dump(record, f)
        except FileExistsError:  # another run took it between our check and now
            self.check()
            raise
        try:
            yield self
        finally:
            if self.holder() == record:
                self.path.unlink(missing_ok=True)


class OutputWriteError(RuntimeError):
    """Writing the output failed (disk full, read-only folder, permission); finished parts are kept for --resume."""


@contextmanager
def writing(path: Path, partial: Path):
    """Turn a failed write into one line that names the path, what is kept and how to finish the run."""
    try:
        yield
    except OSError as error:
        kept = len(list(partial.glob("part-*"))) if partial.is_dir() else 0
        raise OutputWriteError(
            f"Could not write {path}: {error.strerror or error}. {kept} finished part(s) are kept in {partial}; "
            "free space or fix the folder's permissions, then rerun the same command with --resume.") from None
