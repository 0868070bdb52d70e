import os
import tempfile
from pathlib import Path

import pytest

from corpus_fixture import write_corpus

# model-file hashes are cached per user; tests keep theirs apart from the user's cache
os.environ["STANCE_CACHE"] = tempfile.mkdtemp(prefix="stance-cache-")


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A four-document corpus with both annotation passes agreeing; returns (seeds, annotations)."""
    return write_corpus(tmp_path)


@pytest.fixture(scope="session")
def tfidf_folder(tmp_path_factory) -> Path:
    """A small trained TF-IDF model folder, shared by the predictor and scoring tests."""
    from tiny_transformer import LABELS, TEXTS

    from stance.models.baseline import TfidfBaseline

    folder = tmp_path_factory.mktemp("models") / "tfidf-20260101-000000"
    TfidfBaseline(c_grid=(4.0,)).fit(TEXTS, LABELS, validation=(TEXTS, LABELS)).save(folder)
    return folder
