import json

from stance.model_folder import latest_run
from stance.workflow import JobOptions, run_job


def test_the_main_job_trains_evaluates_and_compares_with_the_previous_run(tiny_corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCE_SHARED", str(tmp_path / "no_shared"))
    seeds, annotations = tiny_corpus
    options = JobOptions(seeds=seeds, annotations=annotations, data_dir=tmp_path / "processed",
                         models_dir=tmp_path / "models", models=("tfidf",))
    printed = []
    first = run_job(options, echo=printed.append)
    assert "tfidf (new)" in first["test"] and "realdev" not in first
    assert any("real-dev set not found" in line for line in printed)
    folder = latest_run(tmp_path / "models", "tfidf")
    config = json.loads((folder / "config.json").read_text())
    built = json.loads((tmp_path / "processed" / "info.json").read_text())
    assert config["data_hash"] == built["content_hash"]
    assert (folder / "metrics.json").exists()
    scored = [json.loads(line) for line in (tmp_path / "models" / "seeds_scored.jsonl").open()]
    assert len(scored) == 17 and scored[0]["doc_id"] == "001_briefing"
    assert any("001_briefing, sentence by sentence:" in line for line in printed)
    import time

    time.sleep(1.1)  # run folders are named by the second
    second = run_job(options, echo=printed.append)
    assert set(second["test"]) == {"tfidf (new)", "tfidf (previous)"}
