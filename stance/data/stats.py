"""Describe a built data set: counts, prevalence, co-occurrence, lengths and agreement."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from datasets import DatasetDict

from stance.labels import LABELS


def split_statistics(dataset: DatasetDict) -> dict[str, dict]:
    """Per split: sentences, documents, label prevalence, neutral and multi-label shares, co-occurrence, lengths."""
    stats = {}
    for name, split in dataset.items():
        if len(split) == 0:
            continue
        labels = np.array([split[label] for label in LABELS], dtype=int).T.reshape(-1, len(LABELS))
        n = max(len(split), 1)
        per_sentence = labels.sum(axis=1)
        words = np.array([len(text.split()) for text in split["text"]] or [0])
        stats[name] = {
            "sentences": len(split),
            "documents": len(set(split["doc_id"])),
            "prevalence": {label: round(float(labels[:, i].sum()) / n, 3) for i, label in enumerate(LABELS)},
            "neutral": round(float((per_sentence == 0).sum()) / n, 3),
            "two_or_more": round(float((per_sentence >= 2).sum()) / n, 3),
            "co_occurrence": {f"{a}+{b}": int((labels[:, i] & labels[:, j]).sum())
                              for (i, a), (j, b) in combinations(enumerate(LABELS), 2)},
            "words": {q: int(np.percentile(words, p)) for q, p in
                      (("min", 0), ("p25", 25), ("median", 50), ("p75", 75), ("p95", 95), ("max", 100))},
        }
    return stats


def corpus_breadth(dataset: DatasetDict) -> dict[str, int]:
    """How many distinct documents, countries, topics and kinds the whole corpus holds."""
    return {
        key: len({value for split in dataset.values() for value in split[column]})
        for key, column in (("documents", "doc_id"), ("countries", "country"), ("topics", "topic"), ("kinds", "kind"))
    }


def format_statistics(dataset: DatasetDict, info: dict) -> str:
    """A readable report of :func:`split_statistics`, the corpus breadth and the build info."""
    stats = split_statistics(dataset)
    lines = [f"data hash {info['content_hash'][:16]}  seed {info['seed']}  "
             f"breadth {corpus_breadth(dataset)}  unlabelled documents skipped {info['unlabelled_documents']}", ""]
    header = f"{'split':<16}{'docs':>6}{'sents':>7}" + "".join(f"{label:>13}" for label in LABELS) + \
        f"{'neutral':>9}{'2+ labels':>11}"
    lines += [header, "-" * len(header)]
    for name, s in stats.items():
        lines.append(f"{name:<16}{s['documents']:>6}{s['sentences']:>7}"
                     + "".join(f"{s['prevalence'][label]:>13.1%}" for label in LABELS)
                     + f"{s['neutral']:>9.1%}{s['two_or_more']:>11.1%}")
    lines += ["", "co-occurrence (sentences with both labels):"]
    for name, s in stats.items():
        lines.append(f"  {name:<16}" + "  ".join(f"{pair} {count}" for pair, count in s["co_occurrence"].items()))
    lines += ["", "sentence length in words (min / p25 / median / p75 / p95 / max):"]
    for name, s in stats.items():
        lines.append(f"  {name:<16}" + " / ".join(str(v) for v in s["words"].values()))
    kappa = "  ".join(f"{label} {value:.3f}" for label, value in info["kappa"].items())
    lines += ["", f"agreement between the two passes (Cohen's kappa): {kappa}",
              f"sentences the passes disagreed on (adjudicated): {info['disagreements']} of {info['sentences']}",
              f"near-duplicate sentence pairs (TF-IDF cosine >= 0.9): {len(info['near_duplicate_pairs'])}",
              f"distinct-bigram ratio: {info['distinct_bigram_ratio']:.3f}"]
    real = info.get("real", {})
    if real.get("skipped"):
        lines.append(f"real sentences: {real['skipped']}")
    elif real.get("sentences"):
        kappa = "  ".join(f"{label} {value:.3f}" for label, value in real["kappa"].items())
        lines += [f"real sentences: {real['sentences']} by reference into {real['archive']} "
                  f"({real['by_selection']}), kappa {kappa}, disagreements adjudicated {real['disagreements']}"]
    return "\n".join(lines)
