"""The ``stance`` command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="Blame, cooperation and hedging in diplomatic speech.", no_args_is_help=True)
data_app = typer.Typer(help="Build and inspect the labelled corpus.", no_args_is_help=True)
app.add_typer(data_app, name="data")
annotate_app = typer.Typer(help="Label real speech: choose sentences, record labels.", no_args_is_help=True)
app.add_typer(annotate_app, name="annotate")
ARCHIVE_HELP = ("The speech archive that real annotations refer to (default: "
                "../shared/corpora/ungdc/speeches.jsonl.gz, or $STANCE_SHARED/corpora/ungdc/...).")


@data_app.command("sentences")
def data_sentences(path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A document in seeds/.")) -> None:
    """Print a document's sentences as JSON lines, ready to label."""
    from stance.data.documents import parse_document

    document = _or_exit(lambda: parse_document(path.read_text(encoding="utf-8"), source=str(path)))
    for sentence in document.sentences:
        typer.echo(json.dumps({"doc_id": document.doc_id, "text": sentence.text,
                               "blame": None, "cooperation": None, "hedging": None}, ensure_ascii=False))


@data_app.command("build")
def data_build(
    seeds: Path = typer.Option(Path("seeds"), help="Folder of raw documents."),
    annotations: Path = typer.Option(Path("data/annotations"), help="Folder holding writer/, second/, adjudicated/."),
    output: Path = typer.Option(Path("data/processed"), "--output", "-o", help="Where the Parquet splits go."),
    seed: int = typer.Option(13, help="Seed for the document split."),
    archive: Path = typer.Option(None, help=ARCHIVE_HELP),
) -> None:
    """Validate and join the corpus, split it by document, write Parquet splits and print statistics."""
    from stance.data.build import build_dataset
    from stance.data.stats import format_statistics

    result = _or_exit(lambda: build_dataset(seeds, annotations, seed=seed, archive=archive))
    result.save(output)
    typer.echo(format_statistics(result.dataset, result.info))
    written = [f"{name}.parquet" for name in result.dataset if (output / f"{name}.parquet").exists()]
    typer.echo(f"\nwrote {', '.join(written)} and info.json to {output}")


@data_app.command("stats")
def data_stats(
    folder: Path = typer.Option(Path("data/processed"), help="Folder written by `stance data build`."),
) -> None:
    """Print counts, prevalence, co-occurrence, sentence lengths and agreement of the built data set."""
    from stance.data.build import load_dataset_folder
    from stance.data.stats import format_statistics

    dataset, info = _or_exit(lambda: load_dataset_folder(folder))
    typer.echo(format_statistics(dataset, info))


@annotate_app.command("suggest")
def annotate_suggest(
    output: Path = typer.Option(..., "--output", "-o", help="Where the tasks go (JSONL)."),
    n: int = typer.Option(500, "-n", help="How many sentences to suggest."),
    model: Path = typer.Option(None, help="The current model folder (needed by --strategy uncertainty)."),
    strategy: str = typer.Option("uncertainty", help="uncertainty (near a threshold, spread over clusters and "
                                                     "speeches) or random."),
    archive: Path = typer.Option(None, help=ARCHIVE_HELP),
    where: str = typer.Option("session<=24", help="Which archive records to draw from: FIELD<=NUMBER (or >=, ==). "
                                                  "The default keeps UN sessions 25+ for evaluation."),
    annotations: Path = typer.Option(Path("data/annotations/real"), help="Real annotations (already labelled "
                                                                          "sentences are never suggested again)."),
    splits: str = typer.Option("train", help="Speech splits to draw from, comma-separated (train, validation, test)."),
    pool_size: int = typer.Option(20000, help="Random sentences scored to choose from (uncertainty only)."),
    round_number: int = typer.Option(0, "--round", help="The round number written into each task."),
    seed: int = typer.Option(13, help="Seed for sampling and clustering."),
) -> None:
    """Write the next sentences to label as JSONL tasks: reference, split, the sentence before it, the text."""
    from stance.data.archive import record_filter
    from stance.data.build import default_archive
    from stance.data.real_annotations import annotated_keys
    from stance.training.active_learning import suggest, to_tasks

    chosen = _or_exit(lambda: suggest(
        archive or default_archive(), n=n, strategy=strategy, model_dir=model, where=record_filter(where),
        exclude=annotated_keys(annotations), splits=tuple(s.strip() for s in splits.split(",")), pool_size=pool_size,
        seed=seed))
    output.parent.mkdir(parents=True, exist_ok=True)
    tasks = to_tasks(chosen, round_number=round_number, strategy=strategy)
    output.write_text("".join(json.dumps(task, ensure_ascii=False) + "\n" for task in tasks), encoding="utf-8")
    typer.echo(f"wrote {len(tasks)} tasks to {output}")


@annotate_app.command("record")
def annotate_record(
    tasks: Path = typer.Argument(..., exists=True, dir_okay=False, help="The tasks file from `annotate suggest`."),
    labels: Path = typer.Argument(..., exists=True, dir_okay=False, help="One line per task: id and 0/1 labels."),
    output: Path = typer.Option(..., "--output", "-o", help="The pass file, e.g. data/annotations/real/first/round1.jsonl."),
) -> None:
    """Turn an annotator's labels into annotation lines by reference (no sentence text is stored)."""
    from stance.data.annotations import read_jsonl
    from stance.data.real_annotations import record_labels

    lines = _or_exit(lambda: record_labels(read_jsonl(tasks), read_jsonl(labels), where=str(labels)))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    typer.echo(f"recorded {len(lines)} annotations in {output}")


def _or_exit(action):
    """Run ``action``; turn the project's input errors into a one-line message and exit status 2."""
    from stance.inference.output_guard import OutputWriteError

    try:
        return action()
    except (ValueError, FileNotFoundError, OutputWriteError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


@app.command("train")
def train(
    model: str = typer.Option("all", help="Which model to train: tfidf, transformer or all."),
    backbone: str = typer.Option("", help="Transformer backbone: a local model folder (default: the packaged "
                                          "all-MiniLM-L6-v2) or a hub id where a hub is reachable."),
    epochs: float = typer.Option(0, help="Transformer epochs (0: the configuration's default)."),
    batch_size: int = typer.Option(0, help="Transformer batch size (0: the configuration's default)."),
    config: Path = typer.Option(None, help="A YAML or TOML file of transformer training options."),
    output: Path = typer.Option(None, help="Output folder (only with a single --model); default models/<kind>-<time>."),
    seeds: Path = typer.Option(Path("seeds"), help="Folder of raw documents."),
    annotations: Path = typer.Option(Path("data/annotations"), help="Folder of annotation passes."),
    data_dir: Path = typer.Option(Path("data/processed"), help="Where the built splits go."),
    models_dir: Path = typer.Option(Path("models"), help="Where trained model folders go."),
    seed: int = typer.Option(13, help="One seed for the split and for training."),
    unlabelled: Path = typer.Option(None, help="An archive of real speech (plain text, JSONL with a text field, "
                                               "either gzipped) to adapt to (see --distill, --self-train, --dapt)."),
    unlabelled_limit: int = typer.Option(20000, help="Sentences sampled from --unlabelled."),
    unlabelled_where: str = typer.Option("", help="Keep only JSONL records matching FIELD<=NUMBER (or >=, ==), "
                                                  "e.g. 'session<=24'."),
    distill: bool = typer.Option(True, help="With --unlabelled: train a TF-IDF student on the transformer's labels "
                                            "for the archive (tfidf_distilled-*)."),
    self_train: bool = typer.Option(False, help="With --unlabelled: retrain on the teacher's confident silver labels "
                                                "(<kind>_selftrain-*)."),
    dapt: bool = typer.Option(False, help="With --unlabelled: continue the backbone's masked-LM pretraining on the "
                                          "archive's sentences, then fine-tune (transformer_dapt-*)."),
    dapt_minutes: float = typer.Option(20.0, help="Time budget of --dapt's pretraining, in minutes."),
    archive: Path = typer.Option(None, help=ARCHIVE_HELP),
    export: bool = typer.Option(True, help="Export the new transformer to ONNX (fp32, and int8 where it passes parity) so that "
                                           "`stance score` and `predict` use the fast path."),
    real_weight: float = typer.Option(None, help="How much one real training sentence counts against a written one "
                                                 "(default 1, or the --config file's real_weight)."),
) -> None:
    """Build the data set, train the model(s), evaluate on test and real-dev, and compare with the last run."""
    from stance.data.archive import record_filter
    from stance.training.job import JobOptions, run_job

    kinds = {"all": ("tfidf", "transformer"), "tfidf": ("tfidf",), "transformer": ("transformer",)}
    if model not in kinds:
        _fail(f"--model {model!r} is not known; use tfidf, transformer or all.")
    if output is not None and model == "all":
        _fail("--output names one folder, so it needs a single --model (tfidf or transformer).")

    def train_transformer(dataset, folder, data_hash, silver=None, backbone=backbone):
        from stance.training.trainer import TrainConfig, train_transformer_model

        overrides = {"seed": seed, **({"real_weight": real_weight} if real_weight is not None else {}),
                     **({"backbone": backbone} if backbone else {}),
                     **({"epochs": epochs} if epochs else {}), **({"batch_size": batch_size} if batch_size else {})}
        train_config = TrainConfig.from_file(config, **overrides) if config else TrainConfig(**overrides)
        train_transformer_model(dataset, folder, train_config, data_hash=data_hash, silver=silver)

    options = JobOptions(seeds=seeds, annotations=annotations, data_dir=data_dir, models_dir=models_dir,
                         models=kinds[model], output=output, seed=seed, unlabelled=unlabelled,
                         unlabelled_limit=unlabelled_limit, distill=distill, self_train=self_train, dapt=dapt,
                         dapt_minutes=dapt_minutes, backbone=backbone, archive=archive, export=export,
                         real_weight=1.0 if real_weight is None else real_weight,
                         unlabelled_where=_or_exit(lambda: record_filter(unlabelled_where)) if unlabelled_where else None)
    _or_exit(lambda: run_job(options, train_transformer=train_transformer, echo=typer.echo))


def train_main() -> None:
    """Entry point of ``python train.py``: the ``train`` command on its own."""
    typer.run(train)


def _load_data(split: str, data: Path | None, data_dir: Path, text_column: str = "text"):
    import numpy as np

    from stance.data.build import load_dataset_folder
    from stance.data.labelled import load_labelled

    if data is not None:
        return data.stem, *load_labelled(data, text_column=text_column)
    if split == "realdev":
        from stance.data.realdev import load_realdev

        loaded = load_realdev(data_dir / "realdev.jsonl")
        if loaded is None:
            _fail("the real-dev set is not available: ../shared/realdev is absent (set STANCE_SHARED to its parent).")
        return "realdev", *loaded
    dataset, _ = load_dataset_folder(data_dir)
    if split not in dataset:
        _fail(f"--split {split!r} is not known; use train, validation, test or realdev.")
    return split, dataset[split]["text"], np.array(dataset[split]["labels"], dtype=int)


@app.command("evaluate")
def evaluate(
    model: Path = typer.Option(..., help="A trained model folder."),
    data: Path = typer.Option(None, help="A labelled JSONL/CSV/TSV/Parquet file (instead of --split)."),
    split: str = typer.Option("test", help="train, validation, test or realdev."),
    text_column: str = typer.Option("text", help="The text column of --data."),
    data_dir: Path = typer.Option(Path("data/processed"), help="Folder written by `stance data build`."),
    errors: int = typer.Option(0, help="Print the N most confident mistakes per label."),
) -> None:
    """Score a model folder: a metrics table, metrics.json and figures in the folder, and optionally its errors."""
    from stance.evaluation.evaluate import confident_errors, evaluate_model, format_errors, write_report
    from stance.metrics import format_metrics
    from stance.models.folder import load_model

    name, texts, y = _or_exit(lambda: _load_data(split, data, data_dir, text_column))
    loaded = _or_exit(lambda: load_model(model))
    metrics, probabilities = evaluate_model(loaded, list(texts), y)
    figures = write_report(model, metrics, y, probabilities, name=name)
    typer.echo(format_metrics(metrics, title=f"{model} on {name}"))
    typer.echo(f"wrote {model / 'metrics.json'} and {len(figures)} figures")
    if errors:
        typer.echo(format_errors(confident_errors(list(texts), y, probabilities, loaded.thresholds_, errors)))


@app.command("compare")
def compare(
    models: list[Path] = typer.Argument(..., help="Two or more model folders."),
    data: Path = typer.Option(None, help="A labelled JSONL/CSV/TSV/Parquet file (instead of --split)."),
    split: str = typer.Option("test", help="train, validation, test or realdev."),
    data_dir: Path = typer.Option(Path("data/processed"), help="Folder written by `stance data build`."),
) -> None:
    """Put models side by side on the same data in one table."""
    from stance.evaluation.evaluate import evaluate_model, format_comparison
    from stance.models.folder import load_model

    name, texts, y = _or_exit(lambda: _load_data(split, data, data_dir))
    results = {str(folder): evaluate_model(_or_exit(lambda f=folder: load_model(f)), list(texts), y)[0] for folder in models}
    typer.echo(f"on {name} ({len(texts)} sentences):")
    typer.echo(format_comparison(results))


BACKEND_HELP = "Transformer backend: auto (the fastest present: ONNX int8, ONNX fp32, torch), onnx or torch."


def _predictor(model: Path | None, backend: str = "auto"):
    from stance.inference.predictor import Predictor, default_model_folder

    return _or_exit(lambda: Predictor.load(model or default_model_folder(), backend))


@app.command("predict")
def predict(
    sentences: list[str] = typer.Argument(..., help="One or more sentences."),
    model: Path = typer.Option(None, help="A trained model folder (default: $STANCE_MODEL or the newest in models/)."),
    backend: str = typer.Option("auto", help=BACKEND_HELP),
    explain: bool = typer.Option(False, "--explain", help="Add the cue words of each predicted label (word ablation)."),
) -> None:
    """Print one JSON line per sentence: probabilities and labels (and cues with --explain)."""
    predictor = _predictor(model, backend)
    for result in predictor.predict(list(sentences), explain=explain):
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))


@app.command("score")
def score(
    input: str = typer.Argument(..., help="CSV, TSV, JSONL or Parquet file, or - for JSONL on stdin."),
    output: str = typer.Option("-", "--output", "-o", help="Output file (format by extension), or - for JSONL on stdout."),
    text_column: str = typer.Option("text", help="The column that holds the text."),
    model: Path = typer.Option(None, help="A trained model folder (default: $STANCE_MODEL or the newest in models/)."),
    batch_size: int = typer.Option(16, help="Sentences per model batch (16 measured fastest on the ONNX path, 2 cores)."),
    input_format: str = typer.Option(None, "--format", help="Input format when the extension does not tell: "
                                                            "csv, tsv, jsonl or parquet."),
    split: bool = typer.Option(False, "--split-sentences", help="Split each row's text into sentences and score each."),
    resume: bool = typer.Option(False, help="Continue an interrupted run into the same output."),
    strict: bool = typer.Option(False, help="Fail on bytes that are not UTF-8 instead of replacing them."),
    chunk_size: int = typer.Option(2048, help="Rows read and written at a time (bounds memory)."),
    backend: str = typer.Option("auto", help=BACKEND_HELP),
    explain: bool = typer.Option(False, "--explain", help="Add blame_cues, cooperation_cues, hedging_cues: JSON lists of "
                                                         "the words that carry each predicted label (slower: each "
                                                         "word is deleted and the sentence scored again)."),
    engine: str = typer.Option("local", help="local (this process) or ray (Ray Data: -o is a folder of Parquet parts; "
                                             "pip install 'stance[ray]')."),
    ray_address: str = typer.Option(None, help="With --engine ray: the cluster to join (default: start a local Ray)."),
    workers: int = typer.Option(None, help="With --engine ray: model actors (default: one per CPU)."),
) -> None:
    """Score every row of a table, in order, keeping its columns and adding *_prob, *_pred and error."""
    if engine == "ray":
        return _score_on_ray(input, output, model, text_column, input_format, split, batch_size, workers, ray_address,
                             explain)
    if engine != "local":
        _fail(f"--engine {engine!r} is not known; use local or ray.")
    from stance.inference.scoring import ScoreOptions, check_paths, score_file

    options = ScoreOptions(input=input, output=output, text_column=text_column, input_format=input_format,
                           batch_size=batch_size, chunk_size=chunk_size, split_sentences=split, resume=resume,
                           strict=strict, explain=explain)
    _or_exit(lambda: check_paths(options))
    predictor = _predictor(model, backend)
    summary = _or_exit(lambda: score_file(options, predictor))
    typer.echo(summary.describe(), err=True)


def _score_on_ray(input, output, model, text_column, input_format, split, batch_size, workers, address, explain):
    """`stance score --engine ray`: the same refusals as the local engine, before Ray starts."""
    from stance.inference.predictor import default_model_folder
    from stance.inference.table_io import detect_format

    if output == "-" or input == "-":
        _fail("--engine ray reads a file or folder and writes a folder of Parquet parts: pass a path, and -o FOLDER.")
    if explain:
        _fail("--explain runs on the local engine only; drop --engine ray or --explain.")
    fmt = _or_exit(lambda: detect_format(input, input_format))
    if not Path(input).exists():
        _fail(f"Input {input} does not exist.")
    if Path(output).exists():
        _fail(f"The output folder {output} exists; choose another -o or remove it.")
    try:
        from stance.inference.distributed import score_files
    except ImportError as error:
        _fail(f"--engine ray needs Ray Data ({error}); pip install 'stance[ray]'.")
    folder = _or_exit(lambda: Path(model) if model else default_model_folder())
    rows = _or_exit(lambda: score_files(input, output, folder, fmt=fmt, text_column=text_column,
                                        split_sentences=split, batch_size=batch_size, workers=workers, address=address))
    typer.echo(f"wrote {rows} rows as Parquet parts into {output}", err=True)


@app.command("report")
def report(
    input: Path = typer.Argument(..., exists=True, dir_okay=False, help="A speech as .txt, or a .jsonl/.csv/.tsv/.parquet "
                                                                        "table whose text column is read row by row."),
    output: Path = typer.Option(..., "--output", "-o", help="The HTML file to write."),
    model: Path = typer.Option(None, help="A trained model folder (default: $STANCE_MODEL or the newest in models/)."),
    text_column: str = typer.Option("text", help="The text column of a table input."),
    title: str = typer.Option(None, help="The report's title (default: the input's file name)."),
) -> None:
    """Write one self-contained HTML report: every sentence with its labels and the words that carry them."""
    from datetime import datetime

    from stance.data.segment import split_sentences
    from stance.inference.report import render_report
    from stance.inference.table_io import DecodingReport, detect_format, read_chunks

    if input.suffix.lower() == ".txt":
        texts = [input.read_text(encoding="utf-8", errors="replace")]
    else:
        fmt = _or_exit(lambda: detect_format(str(input)))
        frames = list(read_chunks(str(input), fmt, 4096, DecodingReport(strict=False, source=str(input))))
        if not frames or text_column not in frames[0].columns:
            _fail(f"Expected a column named {text_column!r}; found {list(frames[0].columns) if frames else []}. "
                  "Pass --text-column with one of them.")
        texts = [t for frame in frames for t in frame[text_column] if isinstance(t, str)]
    sentences = [s.text for text in texts for s in split_sentences(text)]
    if not sentences:
        _fail(f"{input} holds no sentences to report on.")
    predictor = _predictor(model)
    predictions = predictor.predict(sentences, explain=True)
    output.write_text(render_report(predictions, title=title or input.name, model=predictor.info,
                                    created=datetime.now().strftime("%Y-%m-%d %H:%M")), encoding="utf-8")
    typer.echo(f"wrote {output}: {len(predictions)} sentences", err=True)


@app.command("serve")
def serve(
    model: Path = typer.Option(None, help="A trained model folder (default: $STANCE_MODEL or the newest in models/)."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on (the default: this machine only)."),
    port: int = typer.Option(8000, help="Port to listen on."),
    max_sentences: int = typer.Option(256, help="Most sentences in one request (more: 413)."),
    max_body_bytes: int = typer.Option(1_000_000, help="Largest request body in bytes (more: 413)."),
    max_batch: int = typer.Option(32, help="Most sentences scored in one model batch across requests."),
    max_wait_ms: float = typer.Option(2.0, help="How long a request waits for others to share its batch."),
) -> None:
    """Serve the model over HTTP: /v1/predict, /v1/documents, /v1/model, /healthz, /readyz, a page at / and /docs."""
    from stance.inference.service import ServiceLimits
    from stance.inference.service import serve as run_service

    predictor = _predictor(model)
    run_service(predictor, host=host, port=port, limits=ServiceLimits(
        max_sentences=max_sentences, max_body_bytes=max_body_bytes, max_batch=max_batch, max_wait_ms=max_wait_ms))


@app.command("export")
def export(
    model: Path = typer.Option(..., help="A trained transformer folder."),
    data_dir: Path = typer.Option(Path("data/processed"), help="Folder written by `stance data build` (its written "
                                                                 "and real validation splits are the parity check's data)."),
) -> None:
    """Export a transformer to ONNX beside its weights: fp32, and int8 where it passes the parity check."""
    from stance.data.build import load_dataset_folder
    from stance.models.onnx_export import export_onnx
    from stance.training.mix import training_mix

    dataset, _ = _or_exit(lambda: load_dataset_folder(data_dir))
    mix = training_mix(dataset)  # the same validation sentences that train.py's export checks
    report = _or_exit(lambda: export_onnx(model, mix.validation_texts, mix.validation_labels))
    typer.echo(report.describe())
    typer.echo(f"wrote {model / 'model.onnx'}" + (f" and {model / 'model.int8.onnx'}" if report.passed else ""))


@app.command("verify")
def verify(
    folder: Path = typer.Argument(..., help="A model folder."),
    create: bool = typer.Option(False, help="Write a manifest for a folder saved before manifests existed "
                                            "(refused where one exists: that would bless a changed file)."),
) -> None:
    """Check every file of a model folder against its manifest.json (sha256 and size); exit 1 on a difference."""
    from stance.models.folder import model_kind
    from stance.models.manifest import MANIFEST, verify_folder, write_manifest

    _or_exit(lambda: model_kind(folder))
    if create:
        if (folder / MANIFEST).exists():
            _fail(f"{folder} already has {MANIFEST}; `stance verify {folder}` checks it. Delete it first only if you "
                  "trust every file in the folder as it is.")
        write_manifest(folder)
    verification = _or_exit(lambda: verify_folder(folder))
    typer.echo(verification.describe())
    if not verification.ok:
        raise typer.Exit(1)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


if __name__ == "__main__":
    app()
