"""The main job behind ``python train.py``: build the data, train, evaluate, compare with the last run."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stance.data.archive import sample_sentences
from stance.data.build import build_dataset
from stance.data.documents import read_documents
from stance.data.realdev import load_realdev
from stance.data.stats import format_statistics
from stance.evaluation.evaluate import evaluate_model, format_comparison, write_report
from stance.inference.predictor import Predictor
from stance.inference.scoring import ScoreOptions, score_file
from stance.labels import LABELS
from stance.metrics import format_metrics
from stance.models.baseline import TfidfBaseline
from stance.models.card import write_model_card
from stance.models.folder import latest_run, load_model, new_run_folder
from stance.models.kinds import TFIDF, TRANSFORMER
from stance.training.adaptation import fit_tfidf_student, select_silver
from stance.training.mix import TrainingMix, training_mix


@dataclass
class JobOptions:
    seeds: Path = Path("seeds")
    annotations: Path = Path("data/annotations")
    data_dir: Path = Path("data/processed")
    models_dir: Path = Path("models")
    models: tuple[str, ...] = (TFIDF, TRANSFORMER)
    output: Path | None = None
    seed: int = 13
    unlabelled: Path | None = None  # an archive of real speech to adapt to (see stance.data.archive)
    unlabelled_limit: int = 20000  # sentences sampled from it
    unlabelled_where: Callable[[dict], bool] | None = None  # which JSONL records to use
    silver_per_label: int = 600
    silver_low: float = 0.1  # a teacher probability at or below this is a sure 0
    silver_high: float = 0.9  # at or above this, a sure 1
    silver_weight: float = 0.5
    # Which adaptations run with an archive; the defaults are the ones that helped on real-dev (README):
    distill: bool = True  # the transformer's labels on the archive train a TF-IDF student
    self_train: bool = False  # the teacher's confident silver labels join its own training data
    dapt: bool = False  # continue the backbone's masked-LM pretraining on the archive, then fine-tune
    dapt_minutes: float = 20.0
    backbone: str = ""  # the transformer backbone DAPT starts from ("" = the packaged all-MiniLM-L6-v2)
    archive: Path | None = None  # the archive real annotations refer to (None: stance.data.build.default_archive)
    real_weight: float = 1.0  # one real training sentence counts this many written ones
    export: bool = True  # export each new transformer to ONNX (fp32 + int8, parity-checked) for fast scoring


def run_job(options: JobOptions, train_transformer=None, echo=print) -> dict[str, dict]:
    """Build the data set, train each requested model, evaluate on test and real-dev, print a comparison."""
    check_adaptation(options)
    built = build_dataset(options.seeds, options.annotations, seed=options.seed, archive=options.archive)
    built.save(options.data_dir)
    echo(format_statistics(built.dataset, built.info))
    dataset, data_hash = built.dataset, built.info["content_hash"]
    evaluation = {name: (dataset[name]["text"], np.array(dataset[name]["labels"], dtype=int))
                  for name in ("test", "real_test") if len(dataset[name])}
    mix = training_mix(dataset, real_weight=options.real_weight)
    realdev = load_realdev(options.data_dir / "realdev.jsonl")
    if realdev is None:
        echo("real-dev set not found (../shared/realdev is absent): the real-dev column is left empty")
    else:
        evaluation["realdev"] = realdev

    previous = {kind: latest_run(options.models_dir, kind) for kind in options.models}
    trained: dict[str, Path] = {}
    exports: dict[str, str] = {}
    for kind in options.models:
        folder = options.output if options.output and len(options.models) == 1 else None
        if folder is None and kind == TRANSFORMER:
            from stance.training.trainer import unfinished_run  # torch only when a transformer trains

            if (folder := unfinished_run(options.models_dir, kind, data_hash)) is not None:
                echo(f"\ncontinuing the unfinished training run in {folder} (same data; its checkpoint decides)")
        folder = folder or new_run_folder(options.models_dir, kind)
        started = time.perf_counter()
        if kind == TFIDF:
            model = TfidfBaseline(seed=options.seed).fit(mix.texts, mix.labels, sample_weight=mix.sample_weight,
                                                         validation=(mix.validation_texts, mix.validation_labels))
            model.save(folder, extra={"data_hash": data_hash, "train_seconds": round(time.perf_counter() - started, 1),
                                      "trained_on": mix.describe()})
        else:
            train_transformer(dataset, folder, data_hash)
            if options.export:
                exports[str(folder)] = export_fast_path(folder, mix, echo)
        echo(f"\ntrained {kind} in {time.perf_counter() - started:.0f} s -> {folder}")
        trained[kind] = folder
    if options.unlabelled is not None:
        trained.update(adapt_to_archive(options, dataset, mix, data_hash, trained, train_transformer, echo))

    results: dict[str, dict] = {}
    for name, folder in [*((f"{k} (new)", f) for k, f in trained.items()),
                         *((f"{k} (previous)", f) for k, f in previous.items() if f is not None)]:
        model = load_model(folder)
        for data_name, (texts, y) in evaluation.items():
            metrics, probabilities = evaluate_model(model, list(texts), y)
            if "(new)" in name:
                write_report(folder, metrics, y, probabilities, name=data_name)
                echo("\n" + format_metrics(metrics, title=f"{name} on {data_name}"))
            results.setdefault(data_name, {})[name] = metrics
        if "(new)" in name:
            write_model_card(folder, kind=name.split()[0], data_info=built.info,
                             metrics={data: results[data][name] for data in evaluation})
    for data_name in ("test", "real_test", "realdev"):
        echo(f"\nside by side on {data_name}:")
        echo(format_comparison(results[data_name]) if data_name in results else "  (not available: no such data here)")
    newest = trained.get(TRANSFORMER) or trained.get(TFIDF)
    if newest is not None:
        score_seeds(options.seeds, newest, options.models_dir / "seeds_scored.jsonl", echo)
    summary = options.models_dir / "comparison.json"
    summary.parent.mkdir(parents=True, exist_ok=True)
    summary.write_text(json.dumps({"data_hash": data_hash, "models": {k: str(v) for k, v in trained.items()},
                                   "onnx_export": exports, "results": results}, indent=2) + "\n")
    return results


def export_fast_path(folder: Path, mix: TrainingMix, echo=print) -> str:
    """Export ``folder`` to ONNX with the parity check on the validation sentences; a refused export leaves the
    folder on torch, and the returned line says why."""
    from stance.models.onnx_export import export_onnx  # torch.onnx and onnxruntime only when exporting

    try:
        report = export_onnx(folder, mix.validation_texts, mix.validation_labels)
    except ValueError as refused:
        line = f"ONNX export refused, {folder.name} stays on the torch backend: {refused}"
    else:
        line = f"ONNX export in {folder.name}: {report.describe()}"
    echo(line)
    return line


def check_adaptation(options: JobOptions) -> None:
    """Refuse adaptation options that cannot work, before any work is done."""
    methods = [flag for flag, on in (("--distill", options.distill), ("--self-train", options.self_train),
                                     ("--dapt", options.dapt)) if on]
    if options.unlabelled is None:
        if options.dapt or options.self_train:
            raise ValueError(f"{' and '.join(methods)} adapt to an archive: pass --unlabelled PATH.")
        return
    if not methods:
        raise ValueError("--unlabelled was given but every adaptation is switched off; keep --distill, or add "
                         "--self-train or --dapt.")
    if TRANSFORMER not in options.models and (options.dapt or not options.self_train):
        raise ValueError("--distill and --dapt need the transformer (--model transformer or all); with --model tfidf "
                         "only --self-train can use the archive.")


def adapt_to_archive(options: JobOptions, dataset, mix: TrainingMix, data_hash: str, trained: dict[str, Path], train_transformer,
                     echo=print) -> dict[str, Path]:
    """Adapt to ``options.unlabelled`` with the chosen methods; the students are written beside the new models:

    - distillation (``tfidf_distilled-*``): the transformer's labels on every sampled sentence train a TF-IDF
      baseline alongside the written corpus, at a lower weight;
    - self-training (``<kind>_selftrain-*``): the teacher's confident, balanced silver labels join its own
      training data at a lower weight;
    - DAPT (``transformer_dapt-*``, backbone in ``backbone_dapt-*``): masked-LM pretraining of the backbone
      continues on the sampled sentences, then the transformer is fine-tuned on it.
    """
    started = time.perf_counter()
    sentences = sample_sentences(options.unlabelled, limit=options.unlabelled_limit, seed=options.seed,
                                 where=options.unlabelled_where)
    teacher_kind = TRANSFORMER if TRANSFORMER in trained else TFIDF
    teacher = load_model(trained[teacher_kind])
    probabilities = teacher.predict_proba(sentences)
    echo(f"\nunlabelled archive {options.unlabelled}: {len(sentences)} sentences sampled and labelled by the "
         f"{teacher_kind} teacher in {time.perf_counter() - started:.0f} s")
    train_texts, train_labels, validation = mix.texts, mix.labels, (mix.validation_texts, mix.validation_labels)
    extra = {"data_hash": data_hash, "unlabelled": str(options.unlabelled), "silver_weight": options.silver_weight,
             "teacher": str(trained[teacher_kind])}

    def fit_tfidf(name: str, texts: list[str], labels: np.ndarray) -> Path:
        folder = new_run_folder(options.models_dir, name)
        fit_tfidf_student(train_texts, train_labels, texts, labels, weight=options.silver_weight, validation=validation,
                          seed=options.seed).save(folder, extra={**extra, "silver_sentences": len(texts)})
        return folder

    students: dict[str, Path] = {}
    if options.distill and teacher_kind == TFIDF:
        echo("distillation skipped: it needs the transformer as teacher (--model all or transformer)")
    elif options.distill:
        distilled = (probabilities >= teacher.thresholds_).astype(int)
        students[f"{TFIDF}_distilled"] = fit_tfidf(f"{TFIDF}_distilled", sentences, distilled)
    if options.self_train:
        rows, silver = select_silver(probabilities, per_label=options.silver_per_label, low=options.silver_low,
                                     high=options.silver_high)
        echo(f"self-training: {len(rows)} silver sentences (prevalence {silver.mean(axis=0).round(3).tolist()})")
        silver_texts = [sentences[i] for i in rows]
        name = f"{teacher_kind}_selftrain"
        if teacher_kind == TFIDF:
            students[name] = fit_tfidf(name, silver_texts, silver)
        else:
            students[name] = new_run_folder(options.models_dir, name)
            train_transformer(dataset, students[name], data_hash, silver=(silver_texts, silver, options.silver_weight))
    if options.dapt:
        students[f"{TRANSFORMER}_dapt"] = adapt_backbone(options, sentences, dataset, data_hash, train_transformer, echo)
    for name, folder in students.items():
        echo(f"trained {name} -> {folder}")
    return students


def adapt_backbone(options: JobOptions, sentences: list[str], dataset, data_hash: str, train_transformer,
                   echo=print) -> Path:
    """Continue the backbone's masked-LM pretraining on ``sentences`` (time-boxed), then fine-tune on it."""
    from stance.training.dapt import DaptConfig, continue_pretraining  # transformers is imported only when needed

    backbone = new_run_folder(options.models_dir, "backbone_dapt")
    report = continue_pretraining(sentences, backbone, DaptConfig(backbone=options.backbone, minutes=options.dapt_minutes,
                                                                  seed=options.seed))
    echo(f"domain-adaptive pretraining: {report['steps']} steps, {report['sentences_seen']} sentences in "
         f"{report['seconds']:.0f} s (stopped by {report['stopped_by']}); held-out masked-LM loss "
         f"{report['held_out_loss_shipped_encoder']} with the shipped encoder, {report['held_out_loss_adapted_encoder']} "
         f"adapted -> {backbone}")
    folder = new_run_folder(options.models_dir, f"{TRANSFORMER}_dapt")
    train_transformer(dataset, folder, data_hash, backbone=str(backbone))
    return folder


def score_seeds(seeds: Path, model_folder: Path, output: Path, echo=print) -> Path:
    """Score every seed document sentence by sentence into ``output`` and print the first document's labels."""
    documents = read_documents(seeds)
    source = output.with_suffix(".input.jsonl")
    source.write_text("".join(json.dumps({"doc_id": d.doc_id, "text": d.text}, ensure_ascii=False) + "\n"
                              for d in documents), encoding="utf-8")
    summary = score_file(ScoreOptions(input=str(source), output=str(output), split_sentences=True),
                         Predictor.load(model_folder), progress=False)
    source.unlink()
    echo(f"\nscored the {len(documents)} seed documents with {model_folder}: {summary.describe()} -> {output}")
    first = [json.loads(line) for line in output.open(encoding="utf-8")][: len(documents[0].sentences)]
    echo(f"{documents[0].doc_id}, sentence by sentence:")
    for row in first:
        labels = [label for label in LABELS if row[f"{label}_pred"] == 1] or ["neutral"]
        echo(f"  {'+'.join(labels):<28} {row['sentence'][:110]}")
    return output
