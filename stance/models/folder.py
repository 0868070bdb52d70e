"""Find and load trained model folders of either kind, told apart by ``config.json``.

Every training run writes ``models/<kind>-<YYYYmmdd-HHMMSS>/``; the newest of a kind is the current one.
"""

from __future__ import annotations

import json
import logging
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np

from stance.labels import LABELS
from stance.models.kinds import TFIDF, TRAIN_HINT, TRANSFORMER, ModelFolderError
from stance.models.manifest import check_folder

logger = logging.getLogger("stance")
STANCE_CONFIG = "stance_config.json"  # what a transformer folder adds to its Hugging Face files


def new_run_folder(models_dir: Path, kind: str) -> Path:
    """``models/<kind>-<timestamp>``, a fresh folder name for a training run."""
    return models_dir / f"{kind}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def latest_run(models_dir: Path, kind: str) -> Path | None:
    """The newest complete run folder of ``kind`` under ``models_dir``, or None."""
    runs = sorted(p for p in models_dir.glob(f"{kind}-*") if p.is_dir() and _complete(p))
    return runs[-1] if runs else None


def _complete(folder: Path) -> bool:
    try:
        return model_kind(folder) is not None
    except ModelFolderError:
        return False


def model_kind(folder: Path) -> str:
    """Read which kind of model a folder holds; raise a clear error if it is not a model folder."""
    if not folder.is_dir():
        raise ModelFolderError(f"Model folder {folder} does not exist. {TRAIN_HINT}")
    config = folder / STANCE_CONFIG if (folder / STANCE_CONFIG).is_file() else folder / "config.json"
    if not config.is_file():
        raise ModelFolderError(f"{folder} has neither {STANCE_CONFIG} nor config.json, so it is not a stance "
                               f"model folder. {TRAIN_HINT}")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelFolderError(f"{config} is corrupted ({error}). {TRAIN_HINT}") from None
    kind = data.get("model_type")
    if kind not in (TFIDF, TRANSFORMER):
        raise ModelFolderError(f"{config} names model_type {kind!r}; expected {TFIDF!r} or {TRANSFORMER!r}.")
    return kind


def read_transformer_settings(folder: Path) -> dict:
    """What every transformer backend needs from a folder, read without torch: thresholds, maximum length and
    metadata from ``stance_config.json``; raises a clear error for a missing file or other labels."""
    missing = [name for name in (STANCE_CONFIG, "config.json", "model.safetensors") if not (folder / name).is_file()]
    if missing:
        raise ModelFolderError(f"{folder} is not a complete transformer model folder: missing {', '.join(missing)}. "
                               "Train one with `python train.py --model transformer`.")
    try:
        config = json.loads((folder / STANCE_CONFIG).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelFolderError(f"{folder}: the model files are corrupted or incomplete ({error}). "
                               "Retrain with `python train.py --model transformer`.") from None
    if config.get("labels") != list(LABELS):
        raise ModelFolderError(f"{folder}: labels {config.get('labels')} do not match {list(LABELS)}; "
                               "this folder was trained for other labels.")
    metadata = {k: v for k, v in config.items() if k not in ("model_type", "labels", "thresholds", "max_length")}
    return {"thresholds": np.array(config["thresholds"]), "max_length": config.get("max_length", 128),
            "metadata": metadata}


BACKENDS = ("auto", "onnx", "torch")
ONNX_FILES = ("model.int8.onnx", "model.onnx")  # fastest first


def load_model(folder: Path | str, backend: str = "auto"):
    """Load a TF-IDF or transformer model folder; both expose ``predict_proba``, ``predict``, ``thresholds_``.

    A transformer runs on ONNX Runtime when an export is in the folder (``auto``: the fastest present,
    int8 before fp32) and on torch otherwise; ``onnx`` insists on the export, ``torch`` ignores it.
    """
    folder = Path(folder)
    if backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}; use one of {', '.join(BACKENDS)}.")
    if folder.is_dir():
        check_folder(folder)  # before anything is read from it
    kind = model_kind(folder)
    if kind == TFIDF:
        from stance.models.baseline import TfidfBaseline  # scikit-learn only on this path

        return TfidfBaseline.load(folder)
    if backend != "torch":
        exported = next((name for name in ONNX_FILES if (folder / name).is_file()), None)
        try:
            from stance.models.onnx_runtime import OnnxClassifier
        except ImportError as error:
            if backend == "onnx":
                raise ModelFolderError(f"--backend onnx needs onnxruntime ({error}); pip install onnxruntime.") from None
            if exported:
                warnings.warn(f"onnxruntime is not importable ({error}); using the slower torch backend for {folder}.",
                              stacklevel=2)
            exported = None
        if exported:
            return OnnxClassifier.load(folder, exported)
        if backend == "onnx":
            raise ModelFolderError(f"{folder} has no ONNX export ({' or '.join(ONNX_FILES)}). "
                                   f"Run `stance export --model {folder}` first, or use --backend torch.")
        logger.info("no ONNX export in %s; using the torch backend (run `stance export` for speed)", folder)
    from stance.models.transformer import TransformerClassifier  # torch and transformers only on this path

    return TransformerClassifier.load(folder)
