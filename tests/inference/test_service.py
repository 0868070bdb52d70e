import asyncio
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from tiny_transformer import tiny_classifier

from stance.inference.batching import DynamicBatcher
from stance.inference.predictor import Predictor
from stance.inference.service import ServiceLimits, create_app
from stance.labels import LABELS

SENTENCES = ["they attacked our border and broke the promise", "we welcome the talks", "it may seem that some firms erred"]


@pytest.fixture
def predictor(tfidf_folder):
    return Predictor.load(tfidf_folder)


@pytest.fixture
def client(predictor):
    with TestClient(create_app(predictor, ServiceLimits(max_sentences=5, max_body_bytes=2000))) as client:
        yield client


def rows(predictions: list[dict]) -> np.ndarray:
    return np.array([[p["probabilities"][label] for label in LABELS] for p in predictions])


def test_predict_gives_what_predict_gives_in_input_order(client, predictor):
    body = client.post("/v1/predict", json={"sentences": SENTENCES}).json()
    assert [p["text"] for p in body["predictions"]] == SENTENCES
    np.testing.assert_allclose(rows(body["predictions"]), predictor.predict_proba(SENTENCES), atol=1e-6)
    assert [p["labels"] for p in body["predictions"]] == [[label for label in r.labels if label != "neutral"]
                                                          for r in predictor.predict(SENTENCES)]
    assert body["model"] == {"path": str(predictor.source), "data_hash": None}  # the test folder records no data
    explained = client.post("/v1/predict", json={"sentences": SENTENCES[:1], "explain": True}).json()["predictions"][0]
    assert explained["cues"] == predictor.predict(SENTENCES[:1], explain=True)[0].cues and explained["cues"]


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"sentences": []}, 422, "sentences: List should have at least 1 item"),
    ({"sentences": ["fine", 3]}, 422, "sentences[1]: Input should be a valid string"),
    ({"sentences": "one string"}, 422, "sentences: Input should be a valid list"),
    ({"text": "no sentences key"}, 422, "sentences: Field required"),
    ({"sentences": ["x"] * 6}, 413, "6 sentences in one request; the limit is 5"),
    ({"sentences": ["word " * 500]}, 413, "over the limit of 2000 bytes"),
])
def test_bad_requests_are_refused_naming_the_item_or_the_limit(client, body, status, message):
    response = client.post("/v1/predict", json=body)
    assert response.status_code == status and message in response.json()["error"]


def test_documents_are_split_into_sentences(client):
    body = client.post("/v1/documents", json={"text": "We welcome the talks. They attacked our border."}).json()
    assert [s["text"] for s in body["sentences"]] == ["We welcome the talks.", "They attacked our border."]
    assert client.post("/v1/documents", json={"text": " ... "}).status_code == 422


def test_health_readiness_and_model_information(client, predictor):
    assert client.get("/healthz").json() == {"status": "alive"}
    assert client.get("/readyz").json() == {"status": "ready"}
    info = client.get("/v1/model").json()
    assert info["labels"] == list(LABELS) and info["thresholds"]["blame"] == pytest.approx(predictor.thresholds[0])
    assert client.get("/docs").status_code == 200 and "/v1/predict" in client.get("/openapi.json").json()["paths"]


def test_the_page_and_its_report(client):
    assert '<form method="post" action="/report"' in client.get("/").text
    report = client.post("/report", data={"text": "They attacked our border. We welcome the talks."}).text
    assert report.count('class="sentence"') == 2 and 'data-label="blame"' in report
    empty = client.post("/report", data={"text": "  "})
    assert empty.status_code == 422 and "Paste a speech" in empty.text
    uploaded = client.post("/report", files={"file": ("speech.txt", b"We welcome the talks.", "text/plain")})
    assert "<h1>speech.txt</h1>" in uploaded.text


def test_a_sentence_longer_than_the_model_reads_is_scored_and_flagged(tmp_path):
    folder = tiny_classifier(tmp_path / "tok").save(tmp_path / "tiny")  # max_length 32
    with TestClient(create_app(Predictor.load(folder, "torch"))) as client:
        long = " ".join(["we welcome the talks"] * 20)
        body = client.post("/v1/predict", json={"sentences": ["we welcome the talks", long]}).json()
    assert [p["truncated"] for p in body["predictions"]] == [False, True]


def test_simultaneous_requests_share_batches_and_each_gets_its_own_answer(predictor):
    texts = [f"{SENTENCES[i % 3]} {i}" for i in range(48)]
    app = create_app(predictor, ServiceLimits(max_wait_ms=20))
    with TestClient(app) as client, ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda t: client.post("/v1/predict", json={"sentences": [t]}).json(), texts))
    assert [a["predictions"][0]["text"] for a in answers] == texts
    np.testing.assert_allclose(np.vstack([rows(a["predictions"]) for a in answers]), predictor.predict_proba(texts),
                               atol=1e-6)
    assert max(app.state.batcher.batch_sizes) > 1  # requests were scored together


def test_a_failing_request_does_not_fail_the_others_in_its_batch():
    def score(texts):
        if any("boom" in t for t in texts):
            raise ValueError("cannot score 'boom'")
        return np.array([[len(t), 0, 0] for t in texts], dtype=float)

    async def run():
        batcher = DynamicBatcher(score, max_batch=8, max_wait_ms=50)
        await batcher.start()
        results = await asyncio.gather(batcher.score(["a"]), batcher.score(["boom"]), batcher.score(["ccc", "dd"]),
                                       return_exceptions=True)
        await batcher.stop()
        return results

    first, failed, last = asyncio.run(run())
    assert first.tolist() == [[1, 0, 0]] and last.tolist() == [[3, 0, 0], [2, 0, 0]]
    assert isinstance(failed, ValueError) and "boom" in str(failed)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tfidf_folder):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "stance.cli", "serve", "--model", str(tfidf_folder),
                                "--port", str(port), "--max-sentences", "5000", "--max-body-bytes", "10000000"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield url, process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_sigterm_lets_the_request_in_flight_finish_and_exits_zero(server):
    url, process = server
    texts = [f"they attacked our border again, day {i}, and we urge talks" for i in range(1500)]
    result = {}
    slow = threading.Thread(target=lambda: result.update(response=httpx.post(
        f"{url}/v1/predict", json={"sentences": texts, "explain": True}, timeout=120)))
    slow.start()
    time.sleep(1.0)  # the request is being explained
    process.send_signal(signal.SIGTERM)
    slow.join()
    assert process.wait(timeout=60) == 0
    assert result["response"].status_code == 200 and len(result["response"].json()["predictions"]) == 1500
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/healthz")  # new connections are no longer taken


def test_the_page_end_to_end_in_headless_chromium(server):
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them with apt-get)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = server
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(url)
        driver.find_element(By.ID, "text").send_keys("They attacked our border and broke the promise. "
                                                     "We welcome the talks in Geneva.")
        driver.find_element(By.ID, "submit").click()
        WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "p.sentence")))
        sentences = driver.find_elements(By.CSS_SELECTOR, "p.sentence")
        badges = [b.get_attribute("data-label") for b in driver.find_elements(By.CSS_SELECTOR, "p.sentence .badge")]
        assert len(sentences) == 2 and "blame" in badges and "cooperation" in badges
        assert driver.find_elements(By.CSS_SELECTOR, "p.sentence mark.cue")
    finally:
        driver.quit()
