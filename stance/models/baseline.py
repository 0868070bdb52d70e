"""The TF-IDF baseline: word 1-2-gram and character 3-5-gram features, one logistic regression per label.

It is stored as plain data (``config.json``, ``vocabulary.json``, ``weights.safetensors``), so loading
a folder runs no code, whoever wrote it.

>>> model = TfidfBaseline().fit(["They attacked us.", "We welcome the talks.", "It may rain."] * 4,
...                              [[1, 0, 0], [0, 1, 0], [0, 0, 1]] * 4)
>>> model.predict(["We welcome this."]).tolist()
[[0, 1, 0]]
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from stance import __version__
from stance.labels import LABELS
from stance.metrics import tune_thresholds
from stance.models.inputs import check_labels, check_texts
from stance.models.kinds import TFIDF as MODEL_TYPE
from stance.models.kinds import ModelFolderError
from stance.models.manifest import write_manifest

FILES = ("config.json", "vocabulary.json", "weights.safetensors")


@dataclass(frozen=True)
class TfidfConfig:
    c_grid: tuple[float, ...] = (0.25, 1.0, 4.0, 16.0)
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (3, 5)
    min_df: int = 2
    seed: int = 13


class TfidfBaseline:
    """``fit(texts, labels, validation=(texts, labels))`` picks C and thresholds on the validation split."""

    def __init__(self, *, c_grid: tuple[float, ...] = TfidfConfig.c_grid, min_df: int = TfidfConfig.min_df,
                 seed: int = TfidfConfig.seed) -> None:
        self.c_grid = c_grid
        self.min_df = min_df
        self.seed = seed

    # -- training -----------------------------------------------------------------------------------
    def fit(self, texts, labels, *, validation: tuple | None = None,
            sample_weight: np.ndarray | None = None) -> TfidfBaseline:
        """Fit on ``(texts, labels)``; ``sample_weight`` (e.g. lower for silver labels) weighs each sentence."""
        texts = check_texts(texts)
        y = check_labels(labels, len(texts))
        if sample_weight is not None and len(sample_weight) != len(texts):
            raise ValueError(f"Expected one sample weight per sentence ({len(texts)}); found {len(sample_weight)}.")
        for j, label in enumerate(LABELS):
            if len(set(y[:, j])) < 2:
                raise ValueError(f"Label {label!r} has only one class in the training data; "
                                 "add sentences with and without it.")
        config = TfidfConfig(c_grid=tuple(self.c_grid), min_df=self.min_df, seed=self.seed)
        self.word_ = TfidfVectorizer(ngram_range=config.word_ngrams, sublinear_tf=True, min_df=1)
        self.char_ = TfidfVectorizer(analyzer="char_wb", ngram_range=config.char_ngrams, sublinear_tf=True,
                                     min_df=min(config.min_df, len(texts)))
        features = sp.hstack([self.word_.fit_transform(texts), self.char_.fit_transform(texts)]).tocsr()
        if validation is not None:
            val_texts = check_texts(validation[0])
            val_y = check_labels(validation[1], len(val_texts))
            val_features = self._features(val_texts)
        self.c_, coefs, intercepts = [], [], []
        for j in range(len(LABELS)):
            best = None
            for c in (config.c_grid if validation is not None else (1.0,)):
                classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, solver="liblinear",
                                                random_state=config.seed).fit(features, y[:, j],
                                                                              sample_weight=sample_weight)
                score = (average_precision_score(val_y[:, j], classifier.decision_function(val_features))
                         if validation is not None and 0 < val_y[:, j].sum() < len(val_y) else 0.0)
                if best is None or score > best[0]:
                    best = (score, c, classifier)
            self.c_.append(best[1])
            coefs.append(best[2].coef_[0])
            intercepts.append(best[2].intercept_[0])
        self.coef_ = np.vstack(coefs)
        self.intercept_ = np.array(intercepts)
        self.thresholds_ = (tune_thresholds(val_y, self.predict_proba(val_texts)) if validation is not None
                            else np.full(len(LABELS), 0.5))
        self.config_ = config
        return self

    # -- inference ----------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise RuntimeError("This TfidfBaseline is not fitted yet. Call fit(texts, labels) first, "
                               "or TfidfBaseline.load(folder) to use a trained one.")

    def _features(self, texts: list[str]) -> sp.csr_matrix:
        return sp.hstack([self.word_.transform(texts), self.char_.transform(texts)]).tocsr()

    def predict_proba(self, texts, batch_size: int | None = None) -> np.ndarray:
        """Probabilities, shape ``(n, 3)``, columns in the order of ``stance.labels.LABELS``.

        ``batch_size`` is accepted so every model has one signature; TF-IDF scores all texts at once."""
        self._check_fitted()
        scores = self._features(check_texts(texts)) @ self.coef_.T + self.intercept_
        return 1.0 / (1.0 + np.exp(-scores))

    def predict(self, texts) -> np.ndarray:
        """0/1 decisions, shape ``(n, 3)``, from the thresholds tuned on validation."""
        return (self.predict_proba(texts) >= self.thresholds_).astype(int)

    # -- storage ------------------------------------------------------------------------------------
    def save(self, folder: Path | str, *, extra: dict | None = None) -> Path:
        """Write the model as plain data into ``folder``; ``extra`` goes into ``config.json``."""
        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        config = {"model_type": MODEL_TYPE, "labels": list(LABELS), "thresholds": self.thresholds_.tolist(),
                  "c_per_label": self.c_, "hyperparameters": asdict(self.config_),
                  "stance_version": __version__, **(extra or {})}
        (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        vocabulary = {"word": self.word_.vocabulary_, "char": self.char_.vocabulary_}
        (folder / "vocabulary.json").write_text(json.dumps({k: {t: int(i) for t, i in v.items()}
                                                            for k, v in vocabulary.items()}), encoding="utf-8")
        save_file({"word_idf": self.word_.idf_, "char_idf": self.char_.idf_, "coef": self.coef_,
                   "intercept": self.intercept_}, str(folder / "weights.safetensors"))
        write_manifest(folder)
        return folder

    @classmethod
    def load(cls, folder: Path | str) -> TfidfBaseline:
        """Load a folder written by :meth:`save`; reads JSON and safetensors only, never pickle."""
        folder = Path(folder)
        missing = [name for name in FILES if not (folder / name).is_file()]
        if missing:
            raise ModelFolderError(f"{folder} is not a complete TF-IDF model folder: missing {', '.join(missing)}. "
                                   "Train one with `python train.py --model tfidf`.")
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
            weights = load_file(str(folder / "weights.safetensors"))
        except (UnicodeDecodeError, json.JSONDecodeError, SafetensorError, OSError) as error:
            raise ModelFolderError(f"{folder}: a model file is corrupted or not in the expected format ({error}). "
                                   "Retrain with `python train.py --model tfidf`.") from None
        if config.get("model_type") != MODEL_TYPE or config.get("labels") != list(LABELS):
            raise ModelFolderError(f"{folder}/config.json describes model_type {config.get('model_type')!r} with labels "
                                   f"{config.get('labels')}; expected {MODEL_TYPE!r} with {list(LABELS)}.")
        hyper = config["hyperparameters"]
        model = cls(c_grid=tuple(hyper["c_grid"]), min_df=hyper["min_df"], seed=hyper["seed"])
        model.config_ = TfidfConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in hyper.items()})
        model.word_ = _vectorizer(vocabulary["word"], weights["word_idf"], ngram_range=model.config_.word_ngrams)
        model.char_ = _vectorizer(vocabulary["char"], weights["char_idf"], analyzer="char_wb",
                                  ngram_range=model.config_.char_ngrams)
        n_features = len(vocabulary["word"]) + len(vocabulary["char"])
        if weights["coef"].shape != (len(LABELS), n_features) or weights["intercept"].shape != (len(LABELS),):
            raise ModelFolderError(f"{folder}: weights of shape {weights['coef'].shape} do not match the vocabulary "
                                   f"({n_features} features); the folder was tampered with or mixed. Retrain.")
        model.coef_, model.intercept_ = weights["coef"], weights["intercept"]
        model.c_ = config["c_per_label"]
        model.thresholds_ = np.array(config["thresholds"])
        return model


def _vectorizer(vocabulary: dict[str, int], idf: np.ndarray, **options) -> TfidfVectorizer:
    if len(vocabulary) != len(idf) or sorted(vocabulary.values()) != list(range(len(idf))):
        raise ModelFolderError("vocabulary.json and weights.safetensors disagree on the features; "
                               "the folder was tampered with or mixed. Retrain.")
    vectorizer = TfidfVectorizer(sublinear_tf=True, **options)
    vectorizer.vocabulary_ = vocabulary
    vectorizer.idf_ = idf
    return vectorizer
