"""The shipped corpus meets what the project promises about it (see data/README.md)."""

from pathlib import Path

import pytest
from datasets import concatenate_datasets

from stance.data.build import build_dataset, default_archive
from stance.data.documents import read_documents
from stance.data.real_annotations import read_real_passes
from stance.data.splits import SPLITS
from stance.data.stats import corpus_breadth, split_statistics
from stance.labels import LABELS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built():
    """The written corpus alone (the real part is checked below, where the archive is present)."""
    result = build_dataset(ROOT / "seeds", ROOT / "data" / "annotations", archive=ROOT / "no-archive.jsonl.gz")
    result.dataset = {name: result.dataset[name] for name in SPLITS}
    return result


def test_size_and_breadth(built):
    breadth = corpus_breadth(built.dataset)
    assert built.info["documents"] >= 300 and built.info["sentences"] >= 5000
    assert built.info["unlabelled_documents"] == 0
    assert breadth["countries"] >= 50 and breadth["topics"] >= 20 and breadth["kinds"] >= 9


def test_label_balance(built):
    stats = split_statistics({"all": concatenate_datasets(list(built.dataset.values()))})["all"]
    for label in LABELS:
        assert 0.20 <= stats["prevalence"][label] <= 0.55, (label, stats["prevalence"])
    assert stats["neutral"] >= 0.20 and stats["two_or_more"] >= 0.12, stats


def test_agreement_and_no_templates(built):
    assert all(kappa >= 0.75 for kappa in built.info["kappa"].values()), built.info["kappa"]
    assert built.info["near_duplicate_pairs"] == []
    assert built.info["distinct_bigram_ratio"] > 0.35  # a templated corpus of this size falls far lower


def test_splits_are_by_document_and_near_the_target_shares(built):
    sizes = {name: len(split) for name, split in built.dataset.items()}
    total = sum(sizes.values())
    assert abs(sizes["train"] / total - 0.70) < 0.03
    assert abs(sizes["validation"] / total - 0.15) < 0.03 and abs(sizes["test"] / total - 0.15) < 0.03
    docs = [set(split["doc_id"]) for split in built.dataset.values()]
    assert not (docs[0] & docs[1] or docs[0] & docs[2] or docs[1] & docs[2])


def test_the_seed_document_comes_first():
    documents = read_documents(ROOT / "seeds")
    assert documents[0].doc_id == "000_cbe1cfb057bf640a"
    assert "It’s not about pointing fingers." in documents[0].text


def test_real_annotations_are_references_into_sessions_1_to_24_only():
    passes = read_real_passes(ROOT / "data" / "annotations" / "real")
    assert len(passes["first"]) >= 1500 and set(passes["first"]) == set(passes["second"])
    assert all(session <= 24 for _, session, _, _ in passes["first"]), "sessions 25+ are kept for evaluation"
    for path in (ROOT / "data" / "annotations" / "real").rglob("*.jsonl"):
        assert '"text"' not in path.read_text(encoding="utf-8"), f"{path} must hold references, not text"


@pytest.mark.skipif(not default_archive().is_file(), reason="../shared/corpora/ungdc is absent: real sentences not built")
def test_real_sentences_are_read_back_from_the_archive():
    result = build_dataset(ROOT / "seeds", ROOT / "data" / "annotations")
    real = result.info["real"]
    assert real["sentences"] == len(read_real_passes(ROOT / "data" / "annotations" / "real")["first"])
    assert all(kappa >= 0.8 for kappa in real["kappa"].values()), real["kappa"]
    assert len(result.dataset["real_test"]) >= 600
    assert set(result.dataset["real_test"]["doc_id"]).isdisjoint(result.dataset["real_train"]["doc_id"])
