import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from stance.cli import app
from stance.data.segment import split_sentences
from stance.inference.predictor import Prediction, Predictor
from stance.inference.report import render_report

runner = CliRunner()
SPEECH = ("They attacked our border and broke the promise. We welcome the talks in Geneva. "
          "It may seem that some firms erred. The minister arrives on Monday.\n")


class Elements(HTMLParser):
    """The elements of a page with their attributes and text: enough to assert on a DOM."""

    def __init__(self):
        super().__init__()
        self.found, self.open = [], []

    def handle_starttag(self, tag, attrs):
        self.open.append({"tag": tag, **dict(attrs), "text": "", "inside": [id(e) for e in self.open]})
        self.found.append(self.open[-1])

    def handle_endtag(self, tag):
        while self.open and self.open.pop()["tag"] != tag:
            pass

    def handle_data(self, data):
        for element in self.open:
            element["text"] += data

    def select(self, tag, within=None, **attributes):
        return [e for e in self.found if e["tag"] == tag and all(e.get(k) == v for k, v in attributes.items())
                and (within is None or id(within) in e["inside"])]


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def test_the_report_escapes_text_and_marks_each_cue_with_its_labels():
    prediction = Prediction("<b>They</b> & we may attack", {"blame": 0.9, "cooperation": 0.1, "hedging": 0.7},
                            ["blame", "hedging"], {"blame": [{"text": "attack", "start": 21, "end": 27, "weight": 0.5}],
                                                   "hedging": [{"text": "may", "start": 17, "end": 20, "weight": 0.4},
                                                               {"text": "attack", "start": 21, "end": 27, "weight": 0.1}]})
    page = render_report([prediction], title="T", model={"path": "m", "data_hash": "h"}, created="now")
    assert "<b>They</b>" not in page and "&lt;b&gt;They&lt;/b&gt; &amp; we" in page
    dom = parse(page)
    marks = dom.select("mark")
    assert [(m["text"], m["data-labels"], m["data-primary"]) for m in marks] == [
        ("may", "hedging", "hedging"), ("attack", "blame hedging", "blame")]
    sentence = dom.select("p", **{"class": "sentence"})[0]
    assert [b["text"] for b in dom.select("span", within=sentence) if b.get("data-label")] == ["blame 0.90",
                                                                                              "hedging 0.70"]
    assert "http" not in page.replace("http-equiv", "") and "<script" not in page  # offline, no scripts


def test_stance_report_writes_a_page_from_a_text_or_a_table(tmp_path, tfidf_folder):
    (tmp_path / "speech.txt").write_text(SPEECH)
    result = runner.invoke(app, ["report", str(tmp_path / "speech.txt"), "-o", str(tmp_path / "r.html"),
                                 "--model", str(tfidf_folder)])
    assert result.exit_code == 0, result.output
    dom = parse((tmp_path / "r.html").read_text())
    assert len(dom.select("p", **{"class": "sentence"})) == 4 and "speech.txt" in dom.select("h1")[0]["text"]
    (tmp_path / "rows.jsonl").write_text('{"body": "We welcome the talks."}\n')
    result = runner.invoke(app, ["report", str(tmp_path / "rows.jsonl"), "-o", str(tmp_path / "r2.html"),
                                 "--model", str(tfidf_folder)])
    assert result.exit_code == 2 and "Expected a column named 'text'; found ['body']" in result.output
    result = runner.invoke(app, ["report", str(tmp_path / "rows.jsonl"), "-o", str(tmp_path / "r2.html"),
                                 "--model", str(tfidf_folder), "--text-column", "body"])
    assert result.exit_code == 0 and len(parse((tmp_path / "r2.html").read_text()).select("p", **{"class": "sentence"})) == 1


def test_the_report_renders_in_headless_chromium(tmp_path, tfidf_folder):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt-get)")
    (tmp_path / "speech.txt").write_text(SPEECH)
    assert runner.invoke(app, ["report", str(tmp_path / "speech.txt"), "-o", str(tmp_path / "r.html"),
                               "--model", str(tfidf_folder)]).exit_code == 0
    rendered = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                               (tmp_path / "r.html").as_uri()], capture_output=True, text=True, timeout=120, check=True)
    dom = parse(rendered.stdout)
    predictions = Predictor.load(tfidf_folder).predict([s.text for s in split_sentences(SPEECH)], explain=True)
    sentences = dom.select("p", **{"class": "sentence"})
    assert len(sentences) == len(predictions) == 4 and any(p.cues for p in predictions)
    for element, prediction in zip(sentences, predictions):
        badges = [b["data-label"] for b in dom.select("span", within=element) if b.get("data-label")]
        assert badges == prediction.labels
        spans = sorted({(c["start"], c["text"]) for cues in (prediction.cues or {}).values() for c in cues})
        assert [m["text"] for m in dom.select("mark", within=element)] == [text for _, text in spans]
