"""Score a whole table of texts: every row comes out, in order, with its columns and the model's outputs.

Rows are read and scored in chunks, so memory stays bounded. A file output is written as numbered part
files in ``OUTPUT.partial/`` and joined into ``OUTPUT`` only when complete; ``resume`` continues after
the last complete part of an interrupted run with the same input and options.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from stance.data.segment import split_sentences
from stance.inference.output_guard import OutputLock, writing
from stance.inference.predictor import Predictor
from stance.inference.table_io import STDIO, DecodingReport, concatenate, detect_format, read_chunks, write_stdout, write_table
from stance.labels import LABELS

PROB_COLUMNS = [f"{label}_prob" for label in LABELS]
PRED_COLUMNS = [f"{label}_pred" for label in LABELS]
CUE_COLUMNS = [f"{label}_cues" for label in LABELS]


@dataclass
class ScoreOptions:
    input: str
    output: str = STDIO
    text_column: str = "text"
    input_format: str | None = None
    batch_size: int = 16  # measured fastest on the ONNX path on 2 cores (sentences sorted by length in each chunk)
    chunk_size: int = 2048
    split_sentences: bool = False
    resume: bool = False
    strict: bool = False
    explain: bool = False  # add <label>_cues columns: JSON lists of the cue words of each predicted label


@dataclass
class ScoreSummary:
    rows_in: int = 0
    rows_out: int = 0
    errors: int = 0
    truncated: int = 0
    undecodable_lines: list[int] = field(default_factory=list)
    seconds: float = 0.0
    resumed_rows: int = 0

    def describe(self) -> str:
        rate = self.rows_out / self.seconds if self.seconds else 0.0
        text = (f"{self.rows_in} input rows -> {self.rows_out} output rows, {self.errors} with errors, "
                f"{self.truncated} truncated at the model's maximum length, in {self.seconds:.1f} s "
                f"({rate:.1f} rows/s)")
        if self.resumed_rows:
            text += f"; resumed after {self.resumed_rows} rows already scored"
        if self.undecodable_lines:
            shown = ", ".join(map(str, self.undecodable_lines[:10]))
            text += (f"\n{len(self.undecodable_lines)} line(s) had bytes that are not UTF-8, replaced by U+FFFD: "
                     f"line {shown}{' ...' if len(self.undecodable_lines) > 10 else ''}")
        return text


def check_paths(options: ScoreOptions) -> tuple[str, str]:
    """Refuse, before any work, what cannot succeed: returns the input and output formats."""
    in_format = detect_format(options.input, options.input_format)
    if options.input != STDIO and not Path(options.input).is_file():
        raise FileNotFoundError(f"Input {options.input} does not exist.")
    out_format = detect_format(options.output, output=True) if options.output != STDIO else "jsonl"
    if options.output != STDIO:
        output = Path(options.output)
        if not output.parent.exists():
            raise FileNotFoundError(f"The output folder {output.parent} does not exist; create it or choose another -o.")
        if options.input != STDIO and output.resolve() == Path(options.input).resolve():
            raise ValueError(f"The output {output} is the input file; choose another -o so the input is not overwritten.")
    check_batch_size(options.batch_size)
    if options.chunk_size < 1:
        raise ValueError(f"--chunk-size must be at least 1; found {options.chunk_size}.")
    return in_format, out_format


def check_batch_size(batch_size: int) -> None:
    """Refuse a batch size below 1 (both engines check it before any work)."""
    if batch_size < 1:
        raise ValueError(f"--batch-size must be at least 1; found {batch_size}.")


def row_error(value) -> str | None:
    """Why a cell cannot be scored, or None when it can."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "text is missing"
    if not isinstance(value, str):
        return f"text is a {type(value).__name__}, not a string"
    if not value.strip():
        return "text is empty" if not value else "text is only whitespace"
    return None


def split_rows(chunk: pd.DataFrame, text_column: str) -> pd.DataFrame:
    """One row per sentence, keeping the other columns (the input row number ``row_index`` among them) and adding
    the sentence's position and text; a row with no sentences stays, to carry its error."""
    records = []
    for record in chunk.to_dict("records"):
        text = record.pop(text_column, None)
        sentences = split_sentences(text) if row_error(text) is None else []
        if not sentences:
            records.append({**record, "sentence_index": 0, "sentence": text})
        records += [{**record, "sentence_index": s.index, "sentence": s.text} for s in sentences]
    return pd.DataFrame.from_records(records)


def score_frame(predictor: Predictor, frame: pd.DataFrame, text_column: str, batch_size: int,
                explain: bool = False) -> pd.DataFrame:
    """Add probability, prediction and error columns to ``frame`` (a copy), scoring the valid rows; ``explain`` adds
    the cue columns (a JSON list per label, ``[]`` for a label not predicted, missing for a row not scored)."""
    errors = [row_error(v) for v in frame[text_column]] if len(frame) else []
    if "error" in frame.columns:  # rows the reader could not parse keep their reason
        errors = [own if isinstance(own, str) else mine for own, mine in zip(frame["error"], errors)]
    valid = [i for i, error in enumerate(errors) if error is None]
    probabilities = np.full((len(frame), len(LABELS)), np.nan)
    if valid:
        probabilities[valid] = predictor.predict_proba([frame[text_column].iloc[i] for i in valid], batch_size)
    scored = frame.copy()
    for j, prob in enumerate(PROB_COLUMNS):
        scored[prob] = probabilities[:, j]
    for j, pred in enumerate(PRED_COLUMNS):
        decided = pd.array(np.where(np.isnan(probabilities[:, j]), 0, probabilities[:, j] >= predictor.thresholds[j]),
                           dtype="Int8")
        decided[np.isnan(probabilities[:, j])] = pd.NA
        scored[pred] = decided
    if explain:
        cues = dict(zip(valid, predictor.explain([frame[text_column].iloc[i] for i in valid], probabilities[valid])))
        for label, column in zip(LABELS, CUE_COLUMNS):
            scored[column] = pd.array([json.dumps(cues[i].get(label, []), ensure_ascii=False) if i in cues else None
                                       for i in range(len(frame))], dtype="string")
    scored["error"] = pd.array(errors, dtype="string")
    return scored


def _state(options: ScoreOptions, predictor: Predictor) -> dict:
    source = Path(options.input)
    stat = source.stat()
    return {"input": str(source.resolve()), "size": stat.st_size, "mtime": stat.st_mtime,
            "model": str(predictor.source.resolve()),
            **{k: v for k, v in asdict(options).items() if k in ("text_column", "chunk_size", "split_sentences", "explain")}}


def score_file(options: ScoreOptions, predictor: Predictor, *, progress: bool = True) -> ScoreSummary:
    """Score ``options.input`` into ``options.output``; see the module docstring for the guarantees."""
    in_format, out_format = check_paths(options)
    if options.output == STDIO:
        return _score(options, predictor, in_format, out_format, None, 0, progress)
    partial = Path(f"{options.output}.partial")
    lock = OutputLock(partial)
    lock.check()  # before anything in the folder is touched: another run may be writing it
    state = _state(options, predictor) if options.input != STDIO else {}
    saved = partial / "state.json"
    with writing(partial, partial):
        if options.resume and saved.exists() and json.loads(saved.read_text()) == state:
            skip_chunks = len(list(partial.glob(f"part-*.{out_format}")))
        else:
            skip_chunks = 0
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            saved.write_text(json.dumps(state))
    with lock.acquire():
        summary = _score(options, predictor, in_format, out_format, partial, skip_chunks, progress)
        final_tmp = Path(f"{options.output}.tmp")
        with writing(Path(options.output), partial):
            try:
                concatenate(sorted(partial.glob(f"part-*.{out_format}")), final_tmp, out_format)
                final_tmp.replace(options.output)
            finally:
                final_tmp.unlink(missing_ok=True)
    shutil.rmtree(partial)
    return summary


def _score(options: ScoreOptions, predictor: Predictor, in_format: str, out_format: str, partial: Path | None,
           skip_chunks: int, progress: bool) -> ScoreSummary:
    """Read, score and write chunk by chunk: into numbered parts in ``partial``, or to stdout when it is None."""
    summary, report = ScoreSummary(), DecodingReport(strict=options.strict, source=options.input)
    started = time.perf_counter()
    truncated_before = predictor.truncated
    bar = tqdm(unit="rows", desc="scoring", file=sys.stderr, disable=not progress, dynamic_ncols=True)
    for number, chunk in enumerate(read_chunks(options.input, in_format, options.chunk_size, report)):
        if number == 0 and options.text_column not in chunk.columns:
            raise ValueError(f"Expected a column named {options.text_column!r}; found {list(chunk.columns)}. "
                             f"Pass --text-column with one of them.")
        first_row = summary.rows_in
        summary.rows_in += len(chunk)
        if number < skip_chunks:
            summary.resumed_rows += len(chunk)
            bar.update(len(chunk))
            continue
        if options.text_column not in chunk.columns:  # JSONL chunks may lack a key the first one had
            chunk[options.text_column] = None
        if options.split_sentences:
            chunk = split_rows(chunk.assign(row_index=range(first_row, first_row + len(chunk))), options.text_column)
            text_column = "sentence"
        else:
            text_column = options.text_column
        scored = score_frame(predictor, chunk, text_column, options.batch_size, options.explain)
        summary.rows_out += len(scored)
        summary.errors += int(scored["error"].notna().sum())
        if partial is None:
            write_stdout(scored)
        else:
            part = partial / f"part-{number:06d}.{out_format}"
            with writing(part, partial):
                try:
                    write_table(scored, part.with_suffix(".tmp"), out_format)
                    part.with_suffix(".tmp").rename(part)
                finally:
                    part.with_suffix(".tmp").unlink(missing_ok=True)
        bar.update(summary.rows_in - first_row)
    bar.close()
    summary.truncated = predictor.truncated - truncated_before
    summary.undecodable_lines = report.lines
    summary.seconds = time.perf_counter() - started
    return summary
