"""Read a labelled file: texts and the three 0/1 label columns, from JSONL, CSV, TSV or Parquet.

>>> load_labelled(Path("missing.jsonl"))
Traceback (most recent call last):
...
FileNotFoundError: missing.jsonl does not exist; pass a labelled JSONL/CSV/TSV/Parquet file or --split test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from stance.labels import LABELS

READERS = {".jsonl": lambda p: pd.read_json(p, lines=True), ".json": lambda p: pd.read_json(p, lines=True),
           ".csv": pd.read_csv, ".tsv": lambda p: pd.read_csv(p, sep="\t"), ".parquet": pd.read_parquet}


def load_labelled(path: Path, *, text_column: str = "text") -> tuple[list[str], np.ndarray]:
    """Read texts and the three 0/1 label columns from a JSONL, CSV, TSV or Parquet file."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist; pass a labelled JSONL/CSV/TSV/Parquet file "
                                "or --split test.")
    if path.suffix not in READERS:
        raise ValueError(f"{path}: unknown format {path.suffix!r}; use one of {', '.join(READERS)}.")
    frame = READERS[path.suffix](path)
    missing = [c for c in (text_column, *LABELS) if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} lacks the column(s) {missing}; found {list(frame.columns)}. A labelled file needs "
                         f"a text column and 0/1 columns {list(LABELS)} (see data/GUIDELINES.md).")
    return frame[text_column].astype(str).tolist(), frame[list(LABELS)].to_numpy().astype(int)
