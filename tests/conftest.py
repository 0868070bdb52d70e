from pathlib import Path

import pytest

from corpus_fixture import write_corpus


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A four-document corpus with both annotation passes agreeing; returns (seeds, annotations)."""
    return write_corpus(tmp_path)
