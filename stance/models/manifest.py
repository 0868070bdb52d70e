"""A model folder's ``manifest.json``: the sha256 and size of every file, written on save, checked on load.

Every save and export rewrites the manifest; :func:`verify_folder` compares the folder with it and
:func:`check_folder` refuses a missing, truncated or changed file. Hashes are cached per file, keyed by
path, size and modification time (``$STANCE_CACHE``, default ``~/.cache/stance/file_hashes.json``), so
loading the same folder again only reads its file sizes and times; the files just written seed the cache.
The evaluation reports (``metrics.json`` and the ``*.png`` figures) are left out: ``stance evaluate``
rewrites them on purpose and nothing is loaded from them.

>>> write_manifest(Path("models/tfidf-20260101-000000"))  # doctest: +SKIP
>>> print(verify_folder(Path("models/tfidf-20260101-000000")).describe())  # doctest: +SKIP
ok       config.json (1.2 kB)
...
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from stance.models.kinds import ModelFolderError

MANIFEST = "manifest.json"
logger = logging.getLogger("stance")


def _is_report(name: str) -> bool:
    return name == "metrics.json" or name.endswith(".png")


def _cache_path() -> Path:
    root = os.environ.get("STANCE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "stance")
    return Path(root) / "file_hashes.json"


class HashCache:
    """sha256 of files, remembered by (resolved path, size, mtime_ns) across processes."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or _cache_path()
        try:
            self.entries: dict[str, list] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}  # no cache yet, or an unreadable one: hash again
        self.changed = False

    def sha256(self, file: Path) -> str:
        stat = file.stat()
        key, stamp = str(file.resolve()), [stat.st_size, stat.st_mtime_ns]
        cached = self.entries.get(key)
        if cached and cached[:2] == stamp:
            return cached[2]
        with file.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        self.entries[key] = [*stamp, digest]
        self.changed = True
        return digest

    def save(self) -> None:
        if not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self.entries), encoding="utf-8")
            temporary.replace(self.path)
        except OSError as error:  # a read-only home: verification still works, it just hashes every time
            logger.debug("could not write the hash cache %s: %s", self.path, error)


def _files(folder: Path) -> list[Path]:
    """The folder's own files (model folders are flat; working subfolders such as a checkpoint are not listed)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name != MANIFEST
                  and not _is_report(p.name) and not p.name.endswith(".tmp"))


def write_manifest(folder: Path, cache: HashCache | None = None) -> dict:
    """Write ``folder/manifest.json`` listing every file (reports aside) with its size and sha256."""
    cache = cache or HashCache()
    files = {p.name: {"size": p.stat().st_size, "sha256": cache.sha256(p)}
             for p in _files(folder)}
    manifest = {"algorithm": "sha256", "files": files}
    temporary = folder / f"{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    temporary.replace(folder / MANIFEST)
    cache.save()
    return manifest


@dataclass(frozen=True)
class FileCheck:
    name: str
    status: str  # ok, missing, truncated, grown, changed, added
    detail: str = ""


@dataclass(frozen=True)
class Verification:
    folder: Path
    has_manifest: bool
    checks: tuple[FileCheck, ...]

    @property
    def ok(self) -> bool:
        return self.has_manifest and not self.problems

    @property
    def problems(self) -> list[FileCheck]:
        return [c for c in self.checks if c.status != "ok"]

    def describe(self) -> str:
        if not self.has_manifest:
            return f"{self.folder}: no {MANIFEST}, so nothing can be verified (written before manifests existed)."
        lines = [f"{c.status:<9}{c.name}{f' ({c.detail})' if c.detail else ''}" for c in self.checks]
        verdict = "verified" if self.ok else f"FAILED: {len(self.problems)} file(s) differ from {MANIFEST}"
        return "\n".join([*lines, f"{self.folder}: {verdict}"])


def verify_folder(folder: Path, cache: HashCache | None = None) -> Verification:
    """Compare every file listed in the manifest with what is on disk (sizes first, then hashes)."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        return Verification(folder, False, ())
    try:
        listed = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError) as error:
        raise ModelFolderError(f"{path} is corrupted ({error}). Restore the folder from where it came from, "
                               "or retrain with `python train.py`.") from None
    cache = cache or HashCache()
    checks = []
    for name, expected in sorted(listed.items()):
        file = folder / name
        if not file.is_file():
            checks.append(FileCheck(name, "missing"))
            continue
        size = file.stat().st_size
        if size != expected["size"]:
            checks.append(FileCheck(name, "truncated" if size < expected["size"] else "grown",
                                    f"{size} bytes, expected {expected['size']}"))
        elif (digest := cache.sha256(file)) != expected["sha256"]:
            checks.append(FileCheck(name, "changed", f"sha256 {digest[:12]}..., expected {expected['sha256'][:12]}..."))
        else:
            checks.append(FileCheck(name, "ok", f"{size:,} bytes"))
    checks += [FileCheck(p.name, "added", "a file the manifest does not list") for p in _files(folder)
               if p.name not in listed]
    cache.save()
    return Verification(folder, True, tuple(checks))


def check_folder(folder: Path) -> None:
    """Refuse a folder whose files differ from its manifest; warn (one line) when it has none."""
    verification = verify_folder(folder)
    if not verification.has_manifest:
        logger.warning("%s has no %s (saved before manifests existed), so its files are not verified; "
                       "`stance verify %s --create` adds one.", folder, MANIFEST, folder)
        return
    if not verification.ok:
        first = verification.problems[0]
        raise ModelFolderError(
            f"{folder}/{first.name} is {first.status}{f' ({first.detail})' if first.detail else ''} since the folder "
            f"was written ({len(verification.problems)} file(s) differ from {MANIFEST}). Restore the folder from where "
            f"it came from or retrain with `python train.py`; `stance verify {folder}` lists every file.")
