import json
import logging

import pytest
from tiny_transformer import LABELS, TEXTS
from typer.testing import CliRunner

from stance.cli import app
from stance.models.baseline import TfidfBaseline
from stance.models.folder import load_model
from stance.models.kinds import ModelFolderError
from stance.models.manifest import MANIFEST, HashCache, verify_folder

runner = CliRunner()


@pytest.fixture
def folder(tmp_path):
    return TfidfBaseline(c_grid=(4.0,)).fit(TEXTS, LABELS, validation=(TEXTS, LABELS)).save(tmp_path / "tfidf-1")


def test_save_lists_every_file_with_its_size_and_hash_and_the_folder_verifies(folder):
    listed = json.loads((folder / MANIFEST).read_text())["files"]
    assert sorted(listed) == ["config.json", "vocabulary.json", "weights.safetensors"]
    assert listed["config.json"]["size"] == (folder / "config.json").stat().st_size
    assert all(len(entry["sha256"]) == 64 for entry in listed.values())
    assert verify_folder(folder).ok


@pytest.mark.parametrize("damage, status", [
    (lambda f: (f / "weights.safetensors").write_bytes((f / "weights.safetensors").read_bytes()[:-10]), "truncated"),
    (lambda f: (f / "vocabulary.json").unlink(), "missing"),
    (lambda f: (f / "model.int8.onnx").write_bytes(b"not a model"), "added"),
])
def test_a_damaged_folder_is_refused_naming_the_file_and_the_fix(folder, damage, status):
    load_model(folder)
    damage(folder)
    with pytest.raises(ModelFolderError, match=f"is {status}.*python train.py.*stance verify"):
        load_model(folder)


def test_a_changed_file_of_the_same_size_is_caught_after_a_cached_load(folder):
    load_model(folder)  # the hashes are now cached
    config = folder / "config.json"
    text = config.read_text()
    config.write_text(text.replace('"tfidf"', '"tfidF"'))  # same size, other content, new mtime
    with pytest.raises(ModelFolderError, match="config.json is changed"):
        load_model(folder)


def test_repeated_loads_read_hashes_from_the_cache_keyed_by_size_and_time(folder, tmp_path):
    cache_file = tmp_path / "cache.json"
    assert verify_folder(folder, HashCache(cache_file)).ok
    entries = json.loads(cache_file.read_text())
    key = str((folder / "weights.safetensors").resolve())
    entries[key][2] = "0" * 64  # a cache entry with the file's size and time is trusted without reading the file
    cache_file.write_text(json.dumps(entries))
    assert [c.name for c in verify_folder(folder, HashCache(cache_file)).problems] == ["weights.safetensors"]


def test_a_folder_saved_before_manifests_loads_with_a_one_line_warning(folder, caplog):
    (folder / MANIFEST).unlink()
    with caplog.at_level(logging.WARNING, logger="stance"):
        load_model(folder)
    assert len(caplog.records) == 1 and "no manifest.json" in caplog.text and "\n" not in caplog.records[0].message


def test_stance_verify_prints_the_check_and_creates_only_where_absent(folder):
    result = runner.invoke(app, ["verify", str(folder)])
    assert result.exit_code == 0 and "ok       weights.safetensors" in result.output and "verified" in result.output
    (folder / "config.json").write_text((folder / "config.json").read_text() + " ")
    result = runner.invoke(app, ["verify", str(folder)])
    assert result.exit_code == 1 and "grown    config.json" in result.output and "FAILED: 1 file(s)" in result.output
    assert runner.invoke(app, ["verify", str(folder), "--create"]).exit_code == 2  # would bless the change
    (folder / MANIFEST).unlink()
    result = runner.invoke(app, ["verify", str(folder), "--create"])
    assert result.exit_code == 0 and "verified" in result.output
