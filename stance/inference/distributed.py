"""Score on a Ray cluster: Ray Data reads, segments and scores; each worker loads the model folder once.

``score_dataset`` takes any Ray Dataset with a text column and returns one with the local engine's columns
(``stance score``: the input's columns, ``*_prob``, ``*_pred``, ``error``; ``sentence_index`` and
``sentence`` when splitting) plus a stable ``row_index``: the input row's position, numbered before any
work is spread out. Scoring runs in ``map_batches`` on an actor class that loads the folder once (the
ONNX path where the folder has an export: no torch) and reuses :func:`stance.inference.scoring.score_frame`,
so every row, bad ones included, comes out as the local engine writes it. Install with
``pip install "stance[ray]"``.

>>> import ray
>>> ds = ray.data.read_parquet("speeches.parquet")  # doctest: +SKIP
>>> score_dataset(ds, Path("models/transformer-20260101-000000"), split_sentences=True).write_parquet("out/")  # doctest: +SKIP
"""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import ray
import ray.data

from stance.inference.scoring import check_batch_size, score_frame, split_rows
from stance.models.folder import model_kind
from stance.models.manifest import check_folder

FORMATS = ("parquet", "jsonl", "csv", "tsv")


def read(source: str, fmt: str) -> ray.data.Dataset:
    """Read ``source`` (a file or folder, local or any filesystem Arrow knows) as the local engine reads it:
    CSV and TSV cells stay strings, an empty cell stays an empty string."""
    if fmt == "parquet":
        return ray.data.read_parquet(source)
    if fmt == "jsonl":
        return ray.data.read_json(source, lines=True)
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.fs as pafs

    filesystem, path = pafs.FileSystem.from_uri(source) if "://" in source else (pafs.LocalFileSystem(), source)
    info = filesystem.get_file_info(path)
    first = path if info.type == pafs.FileType.File else sorted(
        f.path for f in filesystem.get_file_info(pafs.FileSelector(path)) if f.type == pafs.FileType.File)[0]
    delimiter = "\t" if fmt == "tsv" else ","
    with filesystem.open_input_stream(first) as stream:
        header = pacsv.open_csv(stream, parse_options=pacsv.ParseOptions(delimiter=delimiter)).schema
    return ray.data.read_csv(source, parse_options=pacsv.ParseOptions(delimiter=delimiter),
                             convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in header.names},
                                                                  strings_can_be_null=False),
                             file_extensions=None)


def check_inputs(ds: ray.data.Dataset, model_dir: Path, text_column: str, batch_size: int) -> None:
    """Refuse, before any task starts, what the local engine refuses: a bad model folder, a missing text column,
    a batch size below 1."""
    check_batch_size(batch_size)
    model_kind(Path(model_dir))
    check_folder(Path(model_dir))
    columns = ds.schema().names
    if text_column not in columns:
        raise ValueError(f"Expected a column named {text_column!r}; found {columns}. Pass --text-column with one of them.")


def number_rows(ds: ray.data.Dataset) -> ray.data.Dataset:
    """Add ``row_index``, the row's position in ``ds``: blocks are tagged, counted in order, then offset."""
    def tag(block: pd.DataFrame) -> pd.DataFrame:
        return block.assign(_block=uuid.uuid4().hex)

    tagged = ds.map_batches(tag, batch_size=None, batch_format="pandas").materialize()
    counts = tagged.map_batches(lambda b: pd.DataFrame({"_block": b["_block"].iloc[:1], "n": [len(b)]}),
                                batch_size=None, batch_format="pandas").to_pandas()
    offsets = dict(zip(counts["_block"], np.concatenate([[0], np.cumsum(counts["n"])[:-1]]).tolist()))

    def offset(block: pd.DataFrame) -> pd.DataFrame:
        start = offsets[block["_block"].iloc[0]]
        return block.drop(columns="_block").assign(row_index=np.arange(start, start + len(block)))

    return tagged.map_batches(offset, batch_size=None, batch_format="pandas")


class Scorer:
    """A Ray actor: loads the model folder once, then scores batches as the local engine does."""

    def __init__(self, model_dir: str, text_column: str, batch_size: int) -> None:
        from stance.inference.predictor import Predictor

        self.predictor = Predictor.load(model_dir)
        self.text_column, self.batch_size = text_column, batch_size

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        scored = score_frame(self.predictor, batch, self.text_column, self.batch_size)
        for column in scored.columns:  # Arrow needs one type per column: nullable ints and strings as such
            if scored[column].dtype == object and scored[column].map(lambda v: v is None or isinstance(v, str)).all():
                scored[column] = scored[column].astype("string")
        return scored


def score_dataset(ds: ray.data.Dataset, model_dir: Path | str, *, text_column: str = "text",
                  split_sentences: bool = False, batch_size: int = 16, workers: int | None = None,
                  rows_per_batch: int = 512) -> ray.data.Dataset:
    """Scored rows of ``ds`` (lazy; write or iterate it); see the module docstring for the columns."""
    check_inputs(ds, Path(model_dir), text_column, batch_size)
    ds = number_rows(ds)
    if split_sentences:
        ds = ds.map_batches(split_rows, fn_kwargs={"text_column": text_column}, batch_format="pandas",
                            batch_size=rows_per_batch)
        text_column = "sentence"
    workers = workers or max(1, int(ray.available_resources().get("CPU", 1)))
    return ds.map_batches(Scorer, fn_constructor_args=(str(model_dir), text_column, batch_size), batch_format="pandas",
                          batch_size=rows_per_batch, concurrency=workers, num_cpus=1)


def score_files(source: str, output: str, model_dir: Path, *, fmt: str, text_column: str = "text",
                split_sentences: bool = False, batch_size: int = 16, workers: int | None = None,
                address: str | None = None) -> int:
    """``stance score --engine ray``: read ``source`` with Ray Data, score, write Parquet parts into ``output``;
    starts a local Ray unless ``address`` names a cluster. Returns the rows written."""
    if fmt not in FORMATS:
        raise ValueError(f"The ray engine reads {', '.join(FORMATS)}; found {fmt!r}. Convert the input first.")
    if not ray.is_initialized():
        ray.init(address=address, num_cpus=None if address else workers, include_dashboard=False,
                 log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    scored = score_dataset(read(source, fmt), model_dir, text_column=text_column, split_sentences=split_sentences,
                           batch_size=batch_size, workers=workers).materialize()
    scored.write_parquet(output)
    return scored.count()

