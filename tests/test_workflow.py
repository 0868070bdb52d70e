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
    card = (folder / "README.md").read_text()
    assert "# stance tfidf model" in card and "on test" in card and "## Limits" in card
    scored = [json.loads(line) for line in (tmp_path / "models" / "seeds_scored.jsonl").open()]
    assert len(scored) == 17 and scored[0]["doc_id"] == "001_briefing"
    assert any("001_briefing, sentence by sentence:" in line for line in printed)
    import time

    time.sleep(1.1)  # run folders are named by the second
    second = run_job(options, echo=printed.append)
    assert set(second["test"]) == {"tfidf (new)", "tfidf (previous)"}


def test_an_unlabelled_archive_adds_a_self_trained_student(tiny_corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCE_SHARED", str(tmp_path / "no_shared"))
    archive = tmp_path / "archive.jsonl"
    speeches = ["The racist regime continues its aggression against the front-line States. We welcome the solidarity "
                "of the Assembly. It would seem that some Powers prefer trade to principle.",
                "The Ministers met in Bangkok. We stand ready to work with all parties to end the attacks."]
    archive.write_text("".join(json.dumps({"session": s, "text": t}) + "\n" for s, t in zip((10, 40), speeches)))
    seeds, annotations = tiny_corpus
    options = JobOptions(seeds=seeds, annotations=annotations, data_dir=tmp_path / "processed",
                         models_dir=tmp_path / "models", models=("tfidf",), unlabelled=archive,
                         unlabelled_where=lambda record: record["session"] <= 24, silver_per_label=2,
                         silver_low=0.5, silver_high=0.5)
    printed = []
    results = run_job(options, echo=printed.append)
    assert set(results["test"]) == {"tfidf (new)", "tfidf_selftrain (new)"}
    student = latest_run(tmp_path / "models", "tfidf_selftrain")
    config = json.loads((student / "config.json").read_text())
    assert config["unlabelled"] == str(archive) and 0 < config["silver_sentences"] <= 3
    assert any("3 sentences sampled" in line for line in printed)  # only the session-10 speech
