"""Render explained predictions as one self-contained HTML report a person can read (and print).

The speech sentence by sentence, each predicted label as a badge that names it, the cue words highlighted
in the label's colour (and underlined in the label's own style, so the report reads without colour), a
header with the model, the date and the share of sentences per label, and the most blaming, most
cooperative and most hedged sentences. Inline CSS, no scripts, no external fonts or CDN: it works offline.
``stance report`` and the HTTP service both call :func:`render_report`.

>>> from stance.inference.predictor import Prediction
>>> page = render_report([Prediction("We welcome the talks.", {"blame": 0.01, "cooperation": 0.97, "hedging": 0.02},
...                                  ["cooperation"], {"cooperation": [{"text": "welcome", "start": 3, "end": 10,
...                                                                     "weight": 0.6}]})],
...                      title="Example", model={"path": "models/x", "data_hash": "abc"}, created="2026-01-01")
>>> '<mark class="cue" data-labels="cooperation" data-primary="cooperation"' in page
True
"""

from __future__ import annotations

from html import escape

from stance.inference.predictor import Prediction
from stance.labels import LABELS

HEADINGS = {"blame": "Most blaming", "cooperation": "Most cooperative", "hedging": "Most hedged"}
STYLE = """
:root { --blame: #b42318; --blame-bg: #fde2e0; --cooperation: #1b6e3a; --cooperation-bg: #daf2e2;
        --hedging: #8a5a00; --hedging-bg: #fdf0cc; }
body { font: 16px/1.55 Georgia, 'Times New Roman', serif; color: #1a1a1a; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.meta, .legend { color: #444; font-size: .9rem; }
.badge { display: inline-block; font: 600 .75rem/1.4 system-ui, sans-serif; padding: 0 .45em; margin-right: .3em;
         border-radius: .3em; border: 1px solid; vertical-align: .1em; }
.badge.blame { color: var(--blame); background: var(--blame-bg); }
.badge.cooperation { color: var(--cooperation); background: var(--cooperation-bg); }
.badge.hedging { color: var(--hedging); background: var(--hedging-bg); }
.badge.neutral { color: #555; background: #f1f1f1; }
mark.cue { color: inherit; padding: 0 .1em; text-underline-offset: .2em; text-decoration-thickness: 2px; }
mark.cue[data-primary=blame] { background: var(--blame-bg); text-decoration: underline solid var(--blame); }
mark.cue[data-primary=cooperation] { background: var(--cooperation-bg);
                                     text-decoration: underline double var(--cooperation); }
mark.cue[data-primary=hedging] { background: var(--hedging-bg); text-decoration: underline dotted var(--hedging); }
.shares { list-style: none; padding: 0; display: flex; gap: 1.5rem; flex-wrap: wrap; }
.sentence { margin: .35rem 0; } .sentence .number { color: #777; font-size: .8rem; margin-right: .4em; }
.top ol { padding-left: 1.4rem; } .top li { margin: .3rem 0; }
@media print { * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } body { margin: 0; max-width: none; }
               a { color: inherit; text-decoration: none; } }
"""


def _highlighted(prediction: Prediction) -> str:
    """The sentence, escaped, with each cue word wrapped in a ``mark`` naming its labels (strongest first)."""
    spans: dict[tuple[int, int], list[tuple[float, str]]] = {}
    for label, cues in (prediction.cues or {}).items():
        for cue in cues:
            spans.setdefault((cue["start"], cue["end"]), []).append((cue["weight"], label))
    text, parts, position = prediction.text, [], 0
    for (start, end), weighted in sorted(spans.items()):
        labels = [label for _, label in sorted(weighted, reverse=True)]
        title = ", ".join(f"{label} cue ({weight:.2f})" for weight, label in sorted(weighted, reverse=True))
        parts += [escape(text[position:start]),
                  f'<mark class="cue" data-labels="{" ".join(labels)}" data-primary="{labels[0]}" '
                  f'title="{title}">{escape(text[start:end])}</mark>']
        position = end
    return "".join(parts) + escape(text[position:])


def _badges(prediction: Prediction) -> str:
    return "".join(f'<span class="badge {label}" data-label="{label}">{label}'
                   f'{f" {prediction.probabilities[label]:.2f}" if label in prediction.probabilities else ""}</span>'
                   for label in prediction.labels)


def render_report(predictions: list[Prediction], *, title: str, model: dict, created: str, top: int = 3) -> str:
    """One HTML page for ``predictions`` (in speech order); ``model`` holds ``path`` and ``data_hash``."""
    n = len(predictions)
    shares = "".join(f'<li><span class="badge {label}">{label}</span> {sum(label in p.labels for p in predictions)} of '
                     f'{n} sentences ({sum(label in p.labels for p in predictions) / max(n, 1):.0%})</li>'
                     for label in LABELS)
    tops = []
    for label in LABELS:
        ranked = sorted((i for i, p in enumerate(predictions) if label in p.labels),
                        key=lambda i: -predictions[i].probabilities[label])[:top]
        items = "".join(f'<li><a href="#s{i}">{escape(predictions[i].text)}</a> '
                        f'<span class="badge {label}">{label} {predictions[i].probabilities[label]:.2f}</span></li>'
                        for i in ranked) or "<li>none</li>"
        tops.append(f'<section class="top" data-label="{label}"><h2>{HEADINGS[label]}</h2><ol>{items}</ol></section>')
    sentences = "".join(f'<p class="sentence" id="s{i}" data-labels="{" ".join(p.labels)}"><span class="number">{i + 1}'
                        f'</span>{_badges(p)} {_highlighted(p)}</p>' for i, p in enumerate(predictions))
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head><body>'
            f'<header><h1>{escape(title)}</h1><p class="meta">Model <code>{escape(str(model.get("path")))}</code>, '
            f'data hash <code>{escape(str(model.get("data_hash")))}</code>; generated {escape(created)}; {n} sentences.'
            f'</p><ul class="shares">{shares}</ul><p class="legend">Each badge names a label and its probability. '
            'Highlighted words carry the label of their colour: blame underlined solid, cooperation double, '
            'hedging dotted; hover a word for its weight.</p></header>'
            f'{"".join(tops)}<section class="speech"><h2>Sentence by sentence</h2>{sentences}</section></body></html>\n')
