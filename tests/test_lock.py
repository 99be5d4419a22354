"""The lock file is what `make run`, `make test` and CI install: it must pin every
requirement of pyproject.toml inside its range, each with hashes
(docs/development/dependencies.md)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _pins(path: Path) -> dict[str, tuple[str, int]]:
    """Each pinned package: its version and how many hashes follow it."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
        elif line and not line.startswith((" ", "#")):
            current = None
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    build = [
        line.strip()
        for line in (ROOT / "requirements/build.in").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"], *build]
    return [Requirement(r) for r in wanted]


def test_every_requirement_is_pinned_inside_its_range_with_hashes():
    pins = _pins(ROOT / "requirements/lock.txt")
    problems = []
    for req in _requirements():
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name}: not in the lock")
            continue
        version, hashes = pins[name]
        if not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}: locked {version}, pyproject.toml wants {req.specifier}")
        if hashes == 0:
            problems.append(f"{req.name}: {version} has no hash")
    assert problems == [], "run `make lock`:\n" + "\n".join(problems)
    assert all(hashes for _, hashes in pins.values())


def test_the_lock_tool_itself_is_locked_with_hashes():
    pins = _pins(ROOT / "requirements/tools.txt")
    assert "uv" in pins and pins["uv"][1] > 0
