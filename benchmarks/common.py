"""What the benchmarks share: a fixed sample of real sentences to time on.

>>> texts, source = real_sentences(100)  # doctest: +SKIP
"""

from __future__ import annotations

import gzip
import json
import random
import time
from pathlib import Path

from stance.data.documents import read_documents
from stance.data.realdev import shared_dir
from stance.data.segment import split_sentences


def real_sentences(n: int, seed: int = 0, speeches: int = 200) -> tuple[list[str], str]:
    """``n`` sentences sampled (fixed seed) from the UN General Debate archive, or the project's corpus.

    Every 20th speech of all sessions is read and ``speeches`` of them sampled: scoring later sessions is
    allowed (they are only kept out of annotation and training)."""
    archive = shared_dir() / "corpora" / "ungdc" / "speeches.jsonl.gz"
    rng = random.Random(seed)
    if archive.exists():
        with gzip.open(archive, "rt", encoding="utf-8") as f:
            texts = [json.loads(line)["text"] for i, line in enumerate(f) if i % 20 == 0]
        chosen = rng.sample(texts, min(len(texts), speeches))
        sentences = [s.text for speech in chosen for s in split_sentences(speech)]
        source = f"{archive} (every 20th speech, {len(chosen)} sampled)"
    else:
        sentences = [s.text for d in read_documents(Path("seeds")) for s in d.sentences]
        source = "the project's corpus (../shared absent)"
    rng.shuffle(sentences)
    return sentences[:n], source


def rate(fn, texts: list[str], warm_up: int = 64) -> float:
    """Sentences per second of ``fn(texts)``, after a warm-up call on the first ``warm_up`` texts."""
    fn(texts[:warm_up])
    started = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - started)
