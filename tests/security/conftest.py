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
# Counts that each part measures over the same whole (the same corpus files): not summed.
SAME_IN_EVERY_PART = frozenset({"files"})


def record_figure(name: str, value: dict[str, Any], *, part: str | None = None) -> None:
    """Print one figure and merge it into the shared JSON file (xdist workers run at once).

    A figure measured by several tests gives each its ``part``; the figure's
    ``total`` is then the sum of the parts' numbers (for SAME_IN_EVERY_PART, the largest).
    """
    label = f"{name} [{part}]" if part else name
    print(f"\n[figure] {label}: {json.dumps(value, sort_keys=True)}")
    FIGURES.parent.mkdir(exist_ok=True)
    with FIGURES.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            current = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
        except json.JSONDecodeError:
            current = {}
        if part is None:
            current[name] = value
        else:
            entry = current.get(name) if isinstance(current.get(name), dict) else {}
            parts = {**entry.get("parts", {}), part: value}
            total: dict[str, int | float] = {}
            for numbers in parts.values():
                for key, number in numbers.items():
                    if key in SAME_IN_EVERY_PART:
                        total[key] = max(total.get(key, 0), number)
                    elif isinstance(number, int | float):
                        total[key] = total.get(key, 0) + number
            current[name] = {"total": total, "parts": parts}
        FIGURES.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")


@pytest.fixture
def figure() -> Callable[..., None]:
    return record_figure
