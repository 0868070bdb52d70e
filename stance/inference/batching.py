"""Dynamic batching: sentences from requests that arrive together are scored in one model batch.

Requests queue their sentences; a single worker takes the first waiting request, gathers more until the
batch holds ``max_batch`` sentences or ``max_wait_ms`` have passed, scores them in one call on a worker
thread (off the event loop) and hands each request its own rows, in order, as Triton and
text-embeddings-inference do. If a joined batch fails, each request is scored alone, so one bad request
fails only itself.

>>> batcher = DynamicBatcher(model.predict_proba, max_batch=32, max_wait_ms=2)  # doctest: +SKIP
>>> await batcher.start(); rows = await batcher.score(["We welcome the talks."])  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np


class DynamicBatcher:
    def __init__(self, score: Callable[[list[str]], np.ndarray], *, max_batch: int = 32, max_wait_ms: float = 2.0) -> None:
        self.score_fn = score
        self.max_batch = max_batch
        self.max_wait_ms = max_wait_ms
        self.batch_sizes: list[int] = []  # sentences per model call, for measurement
        self._queue: asyncio.Queue | None = None
        self._worker: asyncio.Task | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stance-model")

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._worker = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        self._executor.shutdown(wait=True)

    async def score(self, texts: list[str]) -> np.ndarray:
        """The probabilities ``(len(texts), 3)`` of these sentences, scored together with whatever else is waiting."""
        if self._queue is None:
            raise RuntimeError("The batcher is not started; call `await batcher.start()` first.")
        future = asyncio.get_running_loop().create_future()
        await self._queue.put((texts, future))
        return await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            pending = [await self._queue.get()]
            size, deadline = len(pending[0][0]), loop.time() + self.max_wait_ms / 1000
            while size < self.max_batch and (left := deadline - loop.time()) > 0:
                try:
                    pending.append(await asyncio.wait_for(self._queue.get(), left))
                except TimeoutError:
                    break
                size += len(pending[-1][0])
            await self._score_together([(texts, future) for texts, future in pending if not future.done()])

    async def _score_together(self, pending: list[tuple[list[str], asyncio.Future]]) -> None:
        if not pending:
            return
        loop = asyncio.get_running_loop()
        joined = [text for texts, _ in pending for text in texts]
        try:
            probabilities = await loop.run_in_executor(self._executor, self.score_fn, joined)
        except Exception:  # noqa: BLE001 - not swallowed: each request is retried alone and gets its own error
            for texts, future in pending:
                await self._score_alone(texts, future)
            return
        self.batch_sizes.append(len(joined))
        offset = 0
        for texts, future in pending:
            if not future.done():
                future.set_result(probabilities[offset:offset + len(texts)])
            offset += len(texts)

    async def _score_alone(self, texts: list[str], future: asyncio.Future) -> None:
        try:
            result = await asyncio.get_running_loop().run_in_executor(self._executor, self.score_fn, texts)
        except Exception as error:  # noqa: BLE001 - handed to the one request it belongs to
            if not future.done():
                future.set_exception(error)
            return
        self.batch_sizes.append(len(texts))
        if not future.done():
            future.set_result(result)
