"""Releases of one framework, and which of them a crosswalk row refers to.

NIST revises a publication in numbered releases without changing its name:
SP 800-53 Rev. 5 has had releases 5.0.0, 5.1, 5.1.1 and 5.2.0, and release 5.2.0
added controls (SA-24, SA-15(13), SI-2(7)) that earlier releases lack. A
crosswalk is made against one release, so a row names an element of *that*
release; the catalog an installation has loaded may be an earlier one. These
helpers compare release numbers the way people read them (``5.2`` is ``5.2.0``,
``5.10`` comes after ``5.9``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBER = re.compile(r"\d+")


def release_key(release: str) -> tuple[int, ...]:
    """``"5.2.0"`` → ``(5, 2)``: numbers in order, trailing zeros dropped (5.2 == 5.2.0)."""
    numbers = [int(n) for n in _NUMBER.findall(release or "")]
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def same_release(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` name the same release (``5.2`` and ``5.2.0``)."""
    ka, kb = release_key(a), release_key(b)
    return bool(ka) and ka == kb


def in_release_order(releases: Iterable[str]) -> list[str]:
    """Distinct, non-empty releases, oldest first (``5.1.1`` before ``5.2.0``)."""
    seen: dict[tuple[int, ...], str] = {}
    for r in releases:
        if r and release_key(r) not in seen:
            seen[release_key(r)] = r
    return [seen[k] for k in sorted(seen)]
