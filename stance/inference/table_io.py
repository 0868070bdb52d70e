"""Read and write tables in chunks: CSV, TSV, JSONL (also on stdin/stdout as ``-``) and Parquet.

Undecodable bytes are replaced and their line numbers recorded (or, strict, refused with the first line).
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("csv", "tsv", "jsonl", "parquet")
SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
STDIO = "-"


def detect_format(path: str, given: str | None = None, *, output: bool = False) -> str:
    """The table format named by ``given`` or by the file's extension; ``-`` means JSONL.

    >>> detect_format("speeches.jsonl.gz"), detect_format("out.parquet", output=True)
    ('jsonl', 'parquet')
    """
    if not output and path.lower().endswith(".jsonl.gz"):
        return "jsonl"
    if given:
        if given not in FORMATS:
            raise ValueError(f"Unknown format {given!r}; use one of {', '.join(FORMATS)}.")
        return given
    if path == STDIO:
        return "jsonl"
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"Cannot tell the format of {path!r} from its extension {suffix or '(none)'}; "
                         f"use .csv, .tsv, .jsonl{'' if output else ', .jsonl.gz'} or .parquet"
                         f"{'' if output else f', or pass --format {chr(124).join(FORMATS)}'}.")
    return SUFFIXES[suffix]


class DecodingReport:
    """Lines whose bytes were not valid UTF-8 (replaced by U+FFFD)."""

    def __init__(self, *, strict: bool, source: str) -> None:
        self.strict = strict
        self.source = source
        self.lines: list[int] = []

    def decode(self, raw: bytes, number: int) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if self.strict:
                raise ValueError(f"{self.source}:{number}: bytes that are not UTF-8 ({error.reason} at byte "
                                 f"{error.start}). Fix the file, or drop --strict to replace them.") from None
            self.lines.append(number)
            return raw.decode("utf-8", errors="replace")


def _binary_lines(path: str):
    if path == STDIO:
        return sys.stdin.buffer
    return gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")


def read_chunks(path: str, fmt: str, chunk_size: int, report: DecodingReport) -> Iterator[pd.DataFrame]:
    """Yield the table ``chunk_size`` rows at a time, columns and values as they are in the file."""
    if fmt == "parquet":
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
            yield batch.to_pandas()
        return
    if fmt == "jsonl":
        yield from _jsonl_chunks(path, chunk_size, report)
        return
    with open(path, "rb") as scan:  # first pass: find and record undecodable lines
        for number, raw in enumerate(scan, start=1):
            report.decode(raw, number)
    sep = "\t" if fmt == "tsv" else ","
    yield from pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, chunksize=chunk_size,
                           encoding="utf-8", encoding_errors="replace")


def _jsonl_chunks(path: str, chunk_size: int, report: DecodingReport) -> Iterator[pd.DataFrame]:
    stream = _binary_lines(path)
    rows: list[dict] = []
    try:
        for number, raw in enumerate(stream, start=1):
            line = report.decode(raw, number).strip()
            if not line:
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError(f"a JSON {type(row).__name__}, not an object")
            except ValueError as error:
                row = {"error": f"line {number} is not a JSON object ({error}); kept as an empty row"}
            rows.append(row)
            if len(rows) == chunk_size:
                yield pd.DataFrame.from_records(rows)
                rows = []
        if rows:
            yield pd.DataFrame.from_records(rows)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def write_table(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write one frame as a whole file of ``fmt``."""
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_csv(path, sep="\t" if fmt == "tsv" else ",", index=False)


def write_stdout(frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_json(buffer, orient="records", lines=True, force_ascii=False)
    sys.stdout.write(buffer.getvalue() if buffer.getvalue().endswith("\n") else buffer.getvalue() + "\n")
    sys.stdout.flush()


def concatenate(parts: list[Path], output: Path, fmt: str) -> None:
    """Join part files written by :func:`write_table` into ``output``, in order, header once."""
    if fmt == "parquet":
        writer = None
        for part in parts:
            table = pq.read_table(part)
            if writer is None:
                writer = pq.ParquetWriter(output, table.schema)
            writer.write_table(table.cast(writer.schema) if table.schema != writer.schema else table)
        if writer is None:
            pq.write_table(pa.table({}), output)
        else:
            writer.close()
        return
    with open(output, "wb") as out:
        for index, part in enumerate(parts):
            with open(part, "rb") as f:
                if fmt in ("csv", "tsv") and index > 0:
                    f.readline()  # the header, written once
                while block := f.read(1 << 20):
                    out.write(block)
