"""The real-speech development set: 315 labelled UN sentences kept in ``../shared/realdev``.

It is for measuring and studying errors only: never train or tune thresholds on it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from stance.data.labelled import load_labelled


def shared_dir() -> Path:
    """``$STANCE_SHARED`` or ``../shared`` (beside the checkout)."""
    return Path(os.environ.get("STANCE_SHARED", "../shared"))


def load_realdev(cache: Path) -> tuple[list[str], np.ndarray] | None:
    """Texts and labels of the real-dev set (written once to ``cache`` by its own loader); None where absent."""
    loader = shared_dir() / "realdev" / "load.py"
    if not cache.exists():
        if not loader.exists():
            return None
        cache.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(loader), str(cache)], check=True, capture_output=True)
    return load_labelled(cache)
