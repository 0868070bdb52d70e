"""Are the cue words faithful, and what do explanations cost?

    python benchmarks/explanations.py --model models/transformer-YYYYmmdd-HHMMSS [--tfidf models/tfidf-...]

Faithfulness on real-dev: for every sentence and every label the model predicts for it (sentences of at
least 6 words), delete the label's top-3 cue words and, separately, 3 words drawn at random from the same
sentence (5 draws, averaged); report the mean fall of that label's probability for each, and their ratio.
Plausibility (``--cues data/annotations/cues``): token-level F1 of the model's cue words against the
adjudicated cue words that two annotators marked on 200 written-test sentences, over every (sentence, gold
label) pair (a label the model does not predict contributes its human cues as misses); the two annotators'
F1 against each other is printed beside it as the ceiling.
Cost: explained sentences per second on each backend of the folder (and the TF-IDF baseline if given),
beside plain scoring, on the same 200 real-dev sentences.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np
from common import rate

from stance.data.annotations import read_jsonl
from stance.data.realdev import load_realdev
from stance.inference.explain import explain, without, word_spans
from stance.inference.predictor import Predictor
from stance.labels import LABELS


def delete(sentence: str, spans: list[tuple[int, int]]) -> str:
    """``sentence`` without the words at ``spans`` (deleted from the end, so earlier offsets stay valid)."""
    for start, end in sorted(spans, reverse=True):
        sentence = without(sentence, start, end)
    return sentence


def faithfulness(predictor: Predictor, texts: list[str], seed: int = 0, draws: int = 5) -> dict[str, tuple[float, float, int]]:
    """Per label (and ``all``): (mean fall deleting the top-3 cues, mean fall deleting 3 random words, pairs)."""
    rng = random.Random(seed)
    probabilities = predictor.predict_proba(texts)
    cues = explain(predictor.model.predict_proba, texts, predictor.thresholds, probabilities=probabilities,
                   max_cues=3, min_weight=-1.0, min_share=0.0)  # the 3 strongest words, whatever their weight
    falls: dict[str, list[tuple[float, float]]] = {label: [] for label in LABELS}
    for i, text in enumerate(texts):
        words = word_spans(text)
        if len(words) < 6:
            continue
        for label, found in cues[i].items():
            j = LABELS.index(label)
            top = [(c["start"], c["end"]) for c in found]
            randoms = [delete(text, rng.sample(words, 3)) for _ in range(draws)]
            scored = predictor.predict_proba([delete(text, top), *randoms])[:, j]
            falls[label].append((probabilities[i, j] - scored[0], float(np.mean(probabilities[i, j] - scored[1:]))))
    falls["all"] = [pair for label in LABELS for pair in falls[label]]
    return {label: (float(np.mean([a for a, _ in pairs])), float(np.mean([b for _, b in pairs])), len(pairs))
            for label, pairs in falls.items() if pairs}


def token_f1(pairs: list[tuple[set, set]]) -> tuple[float, float, float]:
    """Micro precision, recall and F1 of predicted word sets against reference word sets."""
    hits = sum(len(predicted & reference) for predicted, reference in pairs)
    predicted, reference = sum(len(p) for p, _ in pairs), sum(len(r) for _, r in pairs)
    precision, recall = hits / max(predicted, 1), hits / max(reference, 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-12)


def plausibility(predictor: Predictor, folder: Path) -> None:
    tasks = read_jsonl(folder / "tasks.jsonl")
    gold = {row["id"]: row["cues"] for row in read_jsonl(folder / "adjudicated.jsonl")}
    first = {row["id"]: row["cues"] for row in read_jsonl(folder / "first.jsonl")}
    second = {row["id"]: row["cues"] for row in read_jsonl(folder / "second.jsonl")}
    texts = [task["text"] for task in tasks]
    model_cues = predictor.explain(texts)
    pairs: dict[str, list] = {"model": [], "annotator A vs B": []}
    per_label: dict[str, list] = {label: [] for label in LABELS}
    for task, cues in zip(tasks, model_cues):
        spans = word_spans(task["text"])
        for label in task["labels"]:
            found = {spans.index((c["start"], c["end"])) for c in cues.get(label, [])}
            pair = (found, set(gold[task["id"]][label]))
            pairs["model"].append(pair)
            per_label[label].append(pair)
            pairs["annotator A vs B"].append((set(first[task["id"]][label]), set(second[task["id"]][label])))
    print(f"\nplausibility on {len(tasks)} written-test sentences ({len(pairs['model'])} sentence-label pairs), "
          "token-level against the adjudicated cue words:")
    for name, measured in [*pairs.items(), *((f"model, {label}", p) for label, p in per_label.items())]:
        precision, recall, f1 = token_f1(measured)
        print(f"{name:<22} precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="A transformer folder.")
    parser.add_argument("--tfidf", type=Path, help="A TF-IDF folder, timed beside it.")
    parser.add_argument("--data-dir", type=Path, default=Path("data/processed"))
    parser.add_argument("--cost-sentences", type=int, default=200)
    parser.add_argument("--cues", type=Path, help="Folder of cue-word annotations (tasks, first, second, adjudicated).")
    args = parser.parse_args()
    loaded = load_realdev(args.data_dir / "realdev.jsonl")
    if loaded is None:
        raise SystemExit("real-dev is absent (../shared/realdev): nothing to measure faithfulness on")
    texts = list(loaded[0])
    predictor = Predictor.load(args.model)
    print(f"faithfulness on real-dev ({len(texts)} sentences), model {args.model} ({type(predictor.model).__name__}):")
    print(f"{'label':<13}{'pairs':>7}{'top-3 cues':>12}{'3 random':>10}{'ratio':>8}")
    for label, (cue, random_fall, n) in faithfulness(predictor, texts).items():
        print(f"{label:<13}{n:>7}{cue:>12.3f}{random_fall:>10.3f}{cue / random_fall:>8.2f}")

    if args.cues:
        plausibility(predictor, args.cues)

    sample = texts[: args.cost_sentences]
    folders = {"onnx": args.model, "torch": args.model, **({"tfidf": args.tfidf} if args.tfidf else {})}
    print(f"\ncost on {len(sample)} real-dev sentences (sentences per second):")
    print(f"{'backend':<10}{'scoring':>10}{'explained':>11}{'ratio':>8}")
    for backend, folder in folders.items():
        try:
            model = Predictor.load(folder, "auto" if backend == "tfidf" else backend)
        except ValueError as error:  # e.g. a folder without an ONNX export
            print(f"{backend:<10} skipped: {error}")
            continue
        plain = rate(model.predict_proba, sample)
        explained = rate(lambda t, m=model: m.predict(t, explain=True), sample)
        print(f"{backend:<10}{plain:>10.1f}{explained:>11.1f}{plain / explained:>8.1f}")


if __name__ == "__main__":
    main()
