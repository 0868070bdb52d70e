"""The ``stance`` command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="Blame, cooperation and hedging in diplomatic speech.", no_args_is_help=True)
data_app = typer.Typer(help="Build and inspect the labelled corpus.", no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("sentences")
def data_sentences(path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A document in seeds/.")) -> None:
    """Print a document's sentences as JSON lines, ready to label."""
    from stance.data.documents import parse_document

    document = parse_document(path.read_text(encoding="utf-8"), source=str(path))
    for sentence in document.sentences:
        typer.echo(json.dumps({"doc_id": document.doc_id, "text": sentence.text,
                               "blame": None, "cooperation": None, "hedging": None}, ensure_ascii=False))


@data_app.command("build")
def data_build(
    seeds: Path = typer.Option(Path("seeds"), help="Folder of raw documents."),
    annotations: Path = typer.Option(Path("data/annotations"), help="Folder holding writer/, second/, adjudicated/."),
    output: Path = typer.Option(Path("data/processed"), "--output", "-o", help="Where the Parquet splits go."),
    seed: int = typer.Option(13, help="Seed for the document split."),
) -> None:
    """Validate and join the corpus, split it by document, write Parquet splits and print statistics."""
    from stance.data.build import build_dataset
    from stance.data.stats import format_statistics

    result = _or_exit(lambda: build_dataset(seeds, annotations, seed=seed))
    result.save(output)
    typer.echo(format_statistics(result.dataset, result.info))
    typer.echo(f"\nwrote {', '.join(f'{name}.parquet' for name in result.dataset)} and info.json to {output}")


@data_app.command("stats")
def data_stats(
    folder: Path = typer.Option(Path("data/processed"), help="Folder written by `stance data build`."),
) -> None:
    """Print counts, prevalence, co-occurrence, sentence lengths and agreement of the built data set."""
    from stance.data.build import load_dataset_folder
    from stance.data.stats import format_statistics

    dataset, info = _or_exit(lambda: load_dataset_folder(folder))
    typer.echo(format_statistics(dataset, info))


def _or_exit(action):
    """Run ``action``; turn the project's input errors into a one-line message and exit status 2."""
    try:
        return action()
    except (ValueError, FileNotFoundError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


@app.command("train")
def train(
    seeds: Path = typer.Option(Path("seeds"), help="Folder of raw documents."),
    annotations: Path = typer.Option(Path("data/annotations"), help="Folder of annotation passes."),
    data_dir: Path = typer.Option(Path("data/processed"), help="Where the built splits go."),
    seed: int = typer.Option(13, help="Seed for the split and for training."),
) -> None:
    """Build the data set (the models plug in here as they land)."""
    data_build(seeds=seeds, annotations=annotations, output=data_dir, seed=seed)


def train_main() -> None:
    """Entry point of ``python train.py``: the ``train`` command on its own."""
    typer.run(train)


if __name__ == "__main__":
    app()
