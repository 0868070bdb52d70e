"""The package's layout: one folder per stage, and imports that run one way only."""

import ast
from pathlib import Path

import stance

# What each part of the package may import (besides itself and the package root, for __version__).
ALLOWED = {
    "labels": set(),
    "metrics": {"labels"},
    "data": {"labels"},
    "models": {"data", "labels", "metrics"},
    "evaluation": {"models", "data", "labels", "metrics"},
    "inference": {"models", "data", "labels", "metrics"},
    "training": {"evaluation", "inference", "models", "data", "labels", "metrics"},
    "cli": {"training", "evaluation", "inference", "models", "data", "labels", "metrics"},
    "__init__": {"inference"},
}
STAGES = ("data", "models", "training", "evaluation", "inference")


def part_of(module: str) -> str | None:
    """``stance.models.baseline`` -> ``models``; ``stance`` -> None; anything else -> None."""
    parts = module.split(".")
    return parts[1] if parts[0] == "stance" and len(parts) > 1 else None


def wrong_way_imports(package: Path) -> list[str]:
    """Every import (module level or inside a function) that ``ALLOWED`` does not permit, as ``file:line``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package.parent).with_suffix("")
        here = relative.parts[1] if len(relative.parts) > 1 else None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module] + ([f"{node.module}.{a.name}" for a in node.names] if node.module == "stance"
                                           else [])
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                there = part_of(target)
                if there is None or there == here or there == "__version__":
                    continue
                if there not in ALLOWED.get(here, set()):
                    found.append(f"{relative}.py:{node.lineno} imports {target} ({here} may import only "
                                 f"{sorted(ALLOWED.get(here, set()))})")
    return found


def test_imports_run_one_way():
    assert wrong_way_imports(Path(stance.__file__).parent) == []


def test_the_check_catches_an_import_against_the_direction(tmp_path):
    package = tmp_path / "stance"
    (package / "models").mkdir(parents=True)
    (package / "models" / "baseline.py").write_text("def f():\n    from stance.training.job import run_job\n")
    (package / "data").mkdir()
    (package / "data" / "build.py").write_text("from stance import metrics\nfrom stance.labels import LABELS\n")
    assert wrong_way_imports(package) == [
        "stance/data/build.py:1 imports stance.metrics (data may import only ['labels'])",
        "stance/models/baseline.py:2 imports stance.training.job (models may import only ['data', 'labels', 'metrics'])",
    ]


def test_every_stage_is_a_folder_that_says_what_it_may_import():
    root = Path(stance.__file__).parent
    for stage in STAGES:
        doc = ast.get_docstring(ast.parse((root / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "import" in doc, f"stance/{stage}/__init__.py needs a docstring saying what it may import"
