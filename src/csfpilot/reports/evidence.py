"""What a report says about evidence: per outcome, and the register of every item cited.

An auditor reading a workpaper asks, for each rating, *what proves it*: the
items linked to the outcome (kind, dates, until when they are valid, the
SHA-256 of the file, who reviewed them and what they decided) and what the
organization's own scanners reported for it (passing and failing checks,
the high and critical failures that contradict a "largely" or "fully"
rating). The *evidence register* lists every item cited once, with what it
supports, so the auditor can ask for the files by hash.

The web app reads these facts from its database and hands them in as plain
values (:class:`EvidenceBook`); nothing here knows where they came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# How much of a hash an outcome's entry shows; the register shows all of it.
SHORT_HASH = 12


@dataclass(frozen=True, slots=True)
class EvidenceEntry:
    """One library item as cited, at its newest version."""

    id: int
    title: str
    kind: str
    form: str  # file, link or attestation
    version: int
    sha256: str = ""  # the file's; empty for a link or an attestation
    url: str = ""
    collected: date | None = None
    effective: date | None = None
    valid_until: date | None = None
    owner: str = ""
    confidentiality: str = ""
    expired: bool = False


@dataclass(frozen=True, slots=True)
class EvidenceCitation:
    """One link of an item to an outcome side, with its review."""

    item: int
    code: str
    side: str  # current or target
    statement: str = ""
    review: str = "pending"
    reviewer: str = ""
    reviewed: date | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class EvidenceBook:
    """A profile's evidence as a report reads it.

    ``states`` maps an outcome to its evidence state (supported, unsupported,
    contradicted, no-claim); ``findings`` to the newest scans' tally
    ``(passed, failed, serious)``.
    """

    items: Mapping[int, EvidenceEntry] = field(default_factory=dict)
    citations: Sequence[EvidenceCitation] = ()
    states: Mapping[str, str] = field(default_factory=dict)
    findings: Mapping[str, tuple[int, int, int]] = field(default_factory=dict)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _word(w: Mapping[str, str], prefix: str, value: str) -> str:
    return w.get(f"{prefix}_{value}", value)


def outcome_evidence(book: EvidenceBook, code: str, w: Mapping[str, str]) -> dict[str, Any]:
    """One outcome's evidence: its state, the linked items with their reviews, its findings."""
    rows = []
    for c in book.citations:
        if c.code != code or c.item not in book.items:
            continue
        item = book.items[c.item]
        rows.append(
            {
                "id": item.id,
                "title": item.title,
                "kind": _word(w, "kind", item.kind),
                "side": w["current"] if c.side == "current" else w["target"],
                "statement": c.statement,
                "version": item.version,
                "collected": _day(item.collected),
                "effective": _day(item.effective),
                "valid_until": _day(item.valid_until),
                "expired": item.expired,
                "sha256": item.sha256,
                "sha256_short": item.sha256[:SHORT_HASH],
                "url": item.url,
                "review": _word(w, "review", c.review),
                "review_key": c.review,
                "reviewer": c.reviewer,
                "reviewed": _day(c.reviewed),
                "comment": c.comment,
            }
        )
    passed, failed, serious = book.findings.get(code, (0, 0, 0))
    state = book.states.get(code, "")
    return {
        "state": _word(w, "state", state) if state else "",
        "state_key": state,
        "entries": rows,
        "findings": (
            w["findings_summary"] % {"passed": passed, "failed": failed, "serious": serious}
            if passed or failed
            else ""
        ),
        "passed": passed,
        "failed": failed,
        "serious": serious,
    }


def register(book: EvidenceBook, w: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every cited item once, in title order, with the outcomes it supports and their reviews."""
    supports: dict[int, list[str]] = {}
    for c in book.citations:
        side = w["current"] if c.side == "current" else w["target"]
        review = _word(w, "review", c.review)
        by = f", {c.reviewer}" if c.reviewer else ""
        supports.setdefault(c.item, []).append(f"{c.code} ({side}): {review}{by}")
    rows = []
    for item in sorted(book.items.values(), key=lambda i: (i.title.lower(), i.id)):
        if item.id not in supports:
            continue
        rows.append(
            {
                "id": item.id,
                "title": item.title,
                "kind": _word(w, "kind", item.kind),
                "version": item.version,
                "collected": _day(item.collected),
                "effective": _day(item.effective),
                "valid_until": _day(item.valid_until),
                "expired": item.expired,
                "owner": item.owner,
                "confidentiality": _word(w, "confidentiality", item.confidentiality),
                "sha256": item.sha256,
                "url": item.url,
                "supports": sorted(supports[item.id]),
            }
        )
    return rows


def state_counts(book: EvidenceBook) -> dict[str, int]:
    counts = {"supported": 0, "unsupported": 0, "contradicted": 0}
    for state in book.states.values():
        if state in counts:
            counts[state] += 1
    return counts
