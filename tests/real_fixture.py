"""A tiny speech archive in the UN General Debate format, and real annotations that refer into it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

SPEECHES = [
    ("GHA", 3, 1948, "The Assembly meets at a grave moment.\nWe welcome the talks in Geneva,\nand we stand ready to "
                     "help. Certain Powers continue to arm the aggressor. It may be that the figures were inflated."),
    ("PER", 10, 1955, "My delegation congratulates you, Sir, on your election. The colonial Power has refused every "
                      "appeal of the people of the Territory. We believe that dialogue between the parties can "
                      "still succeed. Hunger kills thousands of children every year in the region."),
    ("GHA", 9, 1954, "We thank the Government of Norway for its generous support to the mission. The Council has "
                      "been paralysed for eleven months by the threat of a veto. Perhaps the delay was unavoidable."),
    ("FRA", 30, 1975, "This sentence comes from a session kept for evaluation. It must never be suggested for "
                      "labelling by the default filter."),
]


def write_archive(path: Path) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for country, session, year, text in SPEECHES:
            f.write(json.dumps({"country": country, "session": session, "year": year, "text": text}) + "\n")
    return path
