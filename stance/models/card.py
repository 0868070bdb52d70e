"""Write a model card (``README.md``) into a trained model folder."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from stance.metrics import format_metrics
from stance.models.kinds import BACKBONE_NAME
from stance.models.manifest import write_manifest

DATA_NAMES = {"test": "written test split", "real_test": "real UN speech test split (1946-1969)",
              "realdev": "real-dev (315 real UN sentences)"}
LIMITS = """\
- Trained on a corpus written for the project (see `data/README.md` of the stance repository), not on
  real transcripts; real speech differs, and the real-dev figures above are the honest guide.
- English only. Other scripts are scored but the scores mean little.
- Labels are per sentence and read the sentence alone: irony, context beyond the previous sentence,
  and who is speaking are not modelled.
- Sentences longer than the maximum length are cut (the batch scorer counts them)."""


def _real_part(real: dict, trained_on: dict) -> str:
    """One paragraph on the real sentences: how many trained the model, and how they were labelled."""
    if real.get("skipped"):
        return f"Real sentences: none used ({real['skipped']}).\n"
    if not real.get("sentences"):
        return "Real sentences: none; the model saw written text only.\n"
    kappa = ", ".join(f"{k} {v:.2f}" for k, v in real["kappa"].items())
    return (f"Real sentences: {real['sentences']} from UN General Debate speeches of 1946-1969, labelled by reference "
            f"in two blind passes (kappa {kappa}) and adjudicated, split by speech {real['by_split']}; "
            f"{trained_on.get('real_sentences', 0)} of them trained the model, each weighted "
            f"{trained_on.get('real_weight', 1.0)}, and the real test split was used for nothing but the figures below.\n")


def card_header(*, kind: str, config: dict, metrics: dict[str, dict]) -> str:
    """The Hugging Face model-card YAML header (license, language, tags, base model, data, model-index)."""
    results = [{"task": {"type": "text-classification", "name": "Multi-label sentence classification"},
                "dataset": {"name": DATA_NAMES.get(name, name), "type": "stance", "split": name},
                "metrics": [{"type": "f1", "name": "macro-F1", "value": round(m["macro_f1"], 4)},
                            *({"type": "f1", "name": f"{label} F1", "value": round(values["f1"], 4)}
                              for label, values in m["per_label"].items())]}
               for name, m in metrics.items()]
    header = {"license": "apache-2.0", "language": ["en"],
              "library_name": "transformers" if kind == "transformer" else "stance",
              "pipeline_tag": "text-classification",
              "tags": ["text-classification", "multi-label-classification", "diplomacy", "political-speech", "stance"],
              **({"base_model": BACKBONE_NAME, "base_model_sha256": config.get("backbone_sha256")}
                 if kind == "transformer" else {}),
              "datasets": ["stance written corpus (data/ of the stance repository)",
                           "UN General Debate Corpus, sessions 1-24, by reference (CC0)"],
              "model-index": [{"name": f"stance-{kind}", "results": results}]}
    return f"---\n{yaml.safe_dump(header, sort_keys=False, allow_unicode=True)}---\n"


def write_model_card(folder: Path, *, kind: str, metrics: dict[str, dict], data_info: dict) -> Path:
    """``metrics`` maps a data name (``test``, ``realdev``) to :func:`stance.metrics.compute_metrics` output."""
    config_name = "stance_config.json" if (folder / "stance_config.json").exists() else "config.json"
    config = json.loads((folder / config_name).read_text())
    figures = sorted(p.name for p in folder.glob("*.png"))
    usage = (f'stance predict --model {folder} "We welcome the talks."' if kind != "transformer" else
             f'python -c \'from transformers import pipeline; print(pipeline("text-classification", '
             f'model="{folder}", top_k=None)("We welcome the talks."))\'')
    sections = [
        card_header(kind=kind, config=config, metrics=metrics),
        f"# stance {kind} model\n",
        "Labels every sentence of diplomatic speech for **blame**, **cooperation** and **hedging**: three "
        "independent yes/no labels with a probability each; a sentence with none is neutral. "
        "Intended use: analysing press briefings, interviews, UN speeches and statements sentence by sentence, "
        "in bulk, with the `stance` package.\n",
        f"```bash\n{usage}\n```\n",
        "## Labels and thresholds\n",
        "\n".join(f"- `{label}`: decision threshold {threshold:.3f} (tuned for F1 on the validation split)"
                  for label, threshold in zip(config["labels"], config["thresholds"])) + "\n",
        "## Data\n",
        f"Data hash `{data_info['content_hash'][:16]}`: {data_info['documents']} documents, "
        f"{data_info['sentences']} sentences, split by document 70/15/15; annotation agreement (Cohen's kappa) "
        + ", ".join(f"{k} {v:.2f}" for k, v in data_info["kappa"].items()) + ".\n",
        _real_part(data_info.get("real", {}), config.get("trained_on", {})),
        (f"Backbone: {config['backbone']}, `model.safetensors` sha256 `{config.get('backbone_sha256')}`.\n"
         if "backbone" in config else ""),
        "## Results\n",
        *(f"```\n{format_metrics(m, title=f'on {name}')}\n```\n" for name, m in metrics.items()),
        "Figures: " + ", ".join(f"[{name}]({name})" for name in figures) + "\n" if figures else "",
        "## Limits\n", LIMITS + "\n",
    ]
    path = folder / "README.md"
    path.write_text("\n".join(sections), encoding="utf-8")
    write_manifest(folder)
    return path
