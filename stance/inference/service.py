"""``stance serve``: the model over HTTP (FastAPI), with dynamic batching and a page for analysts.

Endpoints: ``POST /v1/predict`` (sentences), ``POST /v1/documents`` (a text, split into sentences),
``GET /healthz``, ``GET /readyz``, ``GET /v1/model``, ``GET /`` (paste or upload a speech, get its report),
``POST /report`` (the page's form) and ``GET /docs`` (OpenAPI). Requests that arrive together are scored
in one batch (:class:`~stance.inference.batching.DynamicBatcher`); bad input gets 422 naming the item, too
much gets 413 naming the limit, and on SIGTERM the requests in flight finish while new ones get 503.

>>> app = create_app(Predictor.load("models/transformer-20260101-000000"))  # doctest: +SKIP
>>> # uvicorn.run(app, host="127.0.0.1", port=8000)
"""

from __future__ import annotations

import asyncio
import json
import signal
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field, StrictBool, StrictStr

from stance.data.segment import split_sentences
from stance.inference.batching import DynamicBatcher
from stance.inference.predictor import NEUTRAL, Prediction, Predictor
from stance.inference.report import STYLE, render_report
from stance.labels import LABELS


@dataclass(frozen=True)
class ServiceLimits:
    max_sentences: int = 256  # per request
    max_body_bytes: int = 1_000_000
    max_batch: int = 32  # sentences per model call
    max_wait_ms: float = 2.0  # how long the first request of a batch waits for company


class PredictRequest(BaseModel):
    sentences: list[StrictStr] = Field(min_length=1, description="Sentences to label, in order.")
    explain: StrictBool = False


class DocumentRequest(BaseModel):
    text: StrictStr = Field(min_length=1, description="A whole document; it is split into sentences.")
    explain: StrictBool = False


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class BodyLimit:
    """Refuse a body over ``limit`` bytes with 413, whether or not the client announced its length."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        too_big = _error(413, f"The request body is over the limit of {self.limit} bytes; send fewer or shorter "
                              "sentences per request.")
        if declared is not None and int(declared) > self.limit:
            return await too_big(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await too_big(scope, receive, send)


class BodyTooLarge(Exception):
    """Raised inside a request whose streamed body passes the limit."""


def create_app(predictor: Predictor, limits: ServiceLimits = ServiceLimits()) -> FastAPI:
    """The service for one loaded model."""
    batcher = DynamicBatcher(predictor.model.predict_proba, max_batch=limits.max_batch, max_wait_ms=limits.max_wait_ms)
    state = {"ready": False, "draining": False, "in_flight": 0}

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        await batcher.start()
        await batcher.score(["We welcome the talks."])  # warm up: the first call is slow on every backend
        state["ready"] = True
        yield
        await batcher.stop()

    app = FastAPI(title="stance", description="Blame, cooperation and hedging in diplomatic speech, sentence by "
                                              "sentence.", lifespan=lifespan)
    app.state.service = state
    app.state.batcher = batcher

    @app.middleware("http")
    async def refuse_while_draining(request: Request, call_next):
        if state["draining"]:
            return _error(503, "The service is shutting down; retry on another instance.")
        state["in_flight"] += 1
        try:
            return await call_next(request)
        finally:
            state["in_flight"] -= 1

    @app.exception_handler(RequestValidationError)
    async def name_the_item(_request: Request, error: RequestValidationError):
        def where(location: tuple) -> str:  # ("body", "sentences", 3) -> "sentences[3]"
            parts = [str(part) for part in location[1:]]
            return parts[0] + "".join(f"[{part}]" for part in parts[1:]) if parts else "body"

        message = "; ".join(f"{where(e['loc'])}: {e['msg']}" for e in error.errors())
        return JSONResponse({"error": message, "detail": jsonable_encoder(error.errors())}, status_code=422)

    async def predictions(texts: list[str], explain: bool) -> list[dict]:
        probabilities = await batcher.score(texts)
        loop = asyncio.get_running_loop()
        truncated = await loop.run_in_executor(None, predictor.truncated_mask, texts)  # tokenises: off the loop
        cues = await loop.run_in_executor(None, predictor.explain, texts, probabilities) if explain else None
        out = []
        for i, (text, row) in enumerate(zip(texts, probabilities)):
            item = {"text": text, "probabilities": {label: round(float(p), 6) for label, p in zip(LABELS, row)},
                    "labels": predictor.labels_of(row), "truncated": bool(truncated[i])}
            if cues is not None:
                item["cues"] = cues[i]
            out.append(item)
        return out

    def too_many(n: int) -> JSONResponse | None:
        if n > limits.max_sentences:
            return _error(413, f"{n} sentences in one request; the limit is {limits.max_sentences}. "
                               "Split the request.")
        return None

    @app.post("/v1/predict")
    async def predict(body: PredictRequest):
        """Label each sentence; results come back in input order."""
        if (refused := too_many(len(body.sentences))) is not None:
            return refused
        return {"model": predictor.info, "predictions": await predictions(body.sentences, body.explain)}

    @app.post("/v1/documents")
    async def documents(body: DocumentRequest):
        """Split a document into sentences (the project's segmenter) and label each."""
        sentences = [s.text for s in split_sentences(body.text)]
        if not sentences:
            return _error(422, "text: no sentences found (only whitespace or punctuation).")
        if (refused := too_many(len(sentences))) is not None:
            return refused
        return {"model": predictor.info, "sentences": await predictions(sentences, body.explain)}

    @app.get("/healthz")
    async def healthz():
        return {"status": "alive"}

    @app.get("/readyz")
    async def readyz():
        if not state["ready"]:
            return _error(503, "The model is loading or warming up.")
        return {"status": "ready"}

    @app.get("/v1/model")
    async def model_info():
        metrics_file = predictor.source / "metrics.json"
        metrics = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
        return {**predictor.info, "labels": list(LABELS),
                "thresholds": {label: float(t) for label, t in zip(LABELS, predictor.thresholds)},
                "metrics": {name: {"macro_f1": m["macro_f1"], **{label: m["per_label"][label]["f1"] for label in LABELS}}
                            for name, m in metrics.items()}}

    @app.get("/", response_class=HTMLResponse)
    async def page():
        return PAGE

    @app.post("/report", response_class=HTMLResponse)
    async def report(text: Annotated[str, Form()] = "", file: Annotated[UploadFile | None, File()] = None):
        """The page's form: a pasted speech or an uploaded .txt, rendered as the report ``stance report`` writes."""
        if file is not None and file.filename:
            text = (await file.read()).decode("utf-8", errors="replace")
        sentences = [s.text for s in split_sentences(text)] if text.strip() else []
        if not sentences:
            return HTMLResponse(PAGE.replace("<!--error-->", '<p class="error" role="alert">Paste a speech or choose a '
                                                               ".txt file first.</p>"), status_code=422)
        if len(sentences) > limits.max_sentences:
            return HTMLResponse(PAGE.replace("<!--error-->", f'<p class="error" role="alert">{len(sentences)} sentences: '
                                                               f"the limit is {limits.max_sentences}.</p>"), status_code=413)
        items = await predictions(sentences, explain=True)
        shown = [Prediction(i["text"], i["probabilities"], i["labels"] or [NEUTRAL], i["cues"]) for i in items]
        return render_report(shown, title=file.filename if file is not None and file.filename else "Pasted speech",
                             model=predictor.info, created=datetime.now().strftime("%Y-%m-%d %H:%M"))

    app.add_middleware(BodyLimit, limit=limits.max_body_bytes)
    return app


PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stance</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}
textarea {{ width: 100%; min-height: 16rem; font: inherit; }} .error {{ color: #b42318; font-weight: 600; }}
button {{ font: 600 1rem system-ui, sans-serif; padding: .4rem 1rem; margin-top: .6rem; }}</style></head><body>
<h1>stance</h1><p class="meta">Blame, cooperation and hedging in diplomatic speech, sentence by sentence. Paste a
speech or choose a .txt file; the report shows each sentence's labels and the words that carry them.</p>
<!--error-->
<form method="post" action="/report" enctype="multipart/form-data">
<label for="text">Speech</label><textarea id="text" name="text"></textarea>
<label for="file">or a .txt file</label> <input id="file" name="file" type="file" accept=".txt,text/plain">
<div><button id="submit" type="submit">Show the report</button></div></form>
<p class="meta">For programs: <a href="/docs">the API</a>.</p></body></html>
"""


def serve(predictor: Predictor, *, host: str = "127.0.0.1", port: int = 8000, limits: ServiceLimits = ServiceLimits(),
          grace_seconds: int = 30) -> None:
    """Run the service with uvicorn until SIGTERM or SIGINT: requests in flight finish (up to ``grace_seconds``),
    new requests on open connections get 503, and the process exits 0."""
    import uvicorn

    app = create_app(predictor, limits)

    class DrainingServer(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            app.state.service["draining"] = True
            super().handle_exit(sig, frame)

    # uvicorn re-raises a captured SIGTERM after its graceful shutdown, under the handler that was there before;
    # with Python's default the process would then die of the signal instead of exiting 0 once drained
    signal.signal(signal.SIGTERM, lambda number, frame: None)
    DrainingServer(uvicorn.Config(app, host=host, port=port, timeout_graceful_shutdown=grace_seconds,
                                  log_level="info")).run()
