"""Print how the installed packages differ from the lock file.

`make test-latest` installs the newest versions that pyproject.toml allows and runs this
before the suite, so that a failure in that run comes with the list of releases that are
newer than the lock (the first place to look).

Usage: python scripts/lock_drift.py requirements/lock.txt
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)(?:\s*;\s*([^\\]+))?")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _applies(marker: str | None) -> bool:
    """Whether a pin's environment marker holds here (a lock made for several Pythons pins
    some packages once per range of versions)."""
    if not marker or not marker.strip():
        return True
    from packaging.markers import Marker

    return Marker(marker.strip()).evaluate()


def locked_versions(lock: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match and _applies(match.group(3)):
            pins[canonical(match.group(1))] = match.group(2)
    return pins


def installed_versions() -> dict[str, str]:
    return {
        canonical(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions()
        if dist.metadata["Name"]
    }


def drift(locked: dict[str, str], installed: dict[str, str]) -> list[tuple[str, str, str]]:
    """(package, locked, installed) for every package whose version differs, or that is
    installed but not locked ("-" for the missing side). csfpilot itself is left out."""
    rows = []
    for name in sorted(set(locked) | set(installed)):
        if name == "csfpilot":
            continue
        old, new = locked.get(name, "-"), installed.get(name, "-")
        if old != new and new != "-":
            rows.append((name, old, new))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    rows = drift(locked_versions(Path(argv[1])), installed_versions())
    if not rows:
        print("Every installed version is the locked one.")
        return 0
    width = max(len(name) for name, _, _ in rows)
    print(f"{len(rows)} installed version(s) differ from {argv[1]}:")
    print(f"  {'package':<{width}}  {'locked':<12}  installed")
    for name, old, new in rows:
        print(f"  {name:<{width}}  {old:<12}  {new}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
