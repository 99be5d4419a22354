"""``evidence_items``: a profile file's references to items of an evidence library.

Each side of an outcome may list the library items that prove it, as a csfpilot
server exported them::

    current_details:
      evidence:
        - Access control policy — sha256:9f2c…
      evidence_items:
        - {id: 41, version: 3, sha256: 9f2c…, title: Access control policy,
           kind: policy, review: accepted, valid_until: 2027-03-31}

Only ``id``, ``version`` and ``sha256`` are required; the others describe the
item for a reader without the library. Commands that work on files alone
carry the references through unchanged; a server matches them back by id and
hash within the same organization.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Protocol

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence import EvidenceRef

REF_KEYS = ("id", "version", "sha256", "title", "kind", "review", "valid_until")
MAX_REFS = 200
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class Where(Protocol):
    def key(self, name: str) -> Where: ...
    def index(self, i: int) -> Where: ...
    def refuse(self, message: str) -> InputRefused: ...


def _whole(value: Any, where: Where, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise where.refuse(f"{what} is a whole number from 1, found {value!r}")
    return value


def _text(value: Any, where: Where) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise where.refuse(f"expected text, found {type(value).__name__}")
    return value


def _day(value: Any, where: Where) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise where.refuse(f"expected a date as YYYY-MM-DD, found {value!r}")


def read_refs(value: Any, where: Where) -> tuple[EvidenceRef, ...]:
    """The references of one side; refused with the index and key of a bad entry."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise where.refuse("expected a list of evidence item references")
    if len(value) > MAX_REFS:
        raise where.refuse(f"at most {MAX_REFS} evidence item references per side")
    refs = []
    for i, entry in enumerate(value):
        at = where.index(i)
        if not isinstance(entry, dict):
            raise at.refuse("expected a mapping with id, version and sha256")
        for key in entry:
            if key not in REF_KEYS:
                raise at.key(key).refuse(f"unknown key {key!r}; allowed: {', '.join(REF_KEYS)}")
        for key in ("id", "version", "sha256"):
            if key not in entry:
                raise at.key(key).refuse(f"the key {key!r} is required")
        sha = _text(entry["sha256"], at.key("sha256")).lower()
        if not _SHA256.match(sha):
            raise at.key("sha256").refuse("expected a SHA-256 as 64 hexadecimal digits")
        refs.append(
            EvidenceRef(
                id=_whole(entry["id"], at.key("id"), "id"),
                version=_whole(entry["version"], at.key("version"), "version"),
                sha256=sha,
                title=_text(entry.get("title"), at.key("title")),
                kind=_text(entry.get("kind"), at.key("kind")),
                review=_text(entry.get("review"), at.key("review")),
                valid_until=_day(entry.get("valid_until"), at.key("valid_until")),
            )
        )
    return tuple(refs)


def refs_out(refs: tuple[EvidenceRef, ...]) -> list[dict[str, Any]]:
    return [
        {
            "id": ref.id,
            "version": ref.version,
            "sha256": ref.sha256,
            "title": ref.title,
            "kind": ref.kind,
            "review": ref.review,
            "valid_until": ref.valid_until.isoformat() if ref.valid_until else None,
        }
        for ref in refs
    ]
