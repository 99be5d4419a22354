"""Security tests: each figure the closing note quotes is printed and collected in
``test-artifacts/security-figures.json`` (one key per figure, merged across workers)."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

FIGURES = Path(__file__).resolve().parents[2] / "test-artifacts" / "security-figures.json"


def record_figure(name: str, value: dict[str, Any]) -> None:
    """Print one figure and merge it into the shared JSON file (xdist workers run at once)."""
    print(f"\n[figure] {name}: {json.dumps(value, sort_keys=True)}")
    FIGURES.parent.mkdir(exist_ok=True)
    with FIGURES.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            current = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
        except json.JSONDecodeError:
            current = {}
        current[name] = value
        FIGURES.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")


@pytest.fixture
def figure() -> Callable[[str, dict[str, Any]], None]:
    return record_figure
