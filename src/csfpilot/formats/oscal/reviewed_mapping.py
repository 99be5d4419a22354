"""An organization's reviewed crosswalk as an OSCAL 1.2 mapping collection.

The mapping assistant proposes pairs, a person accepts or changes each: OSCAL's
mapping model says exactly that with ``method: hybrid`` (made by automation,
decided by people) on the collection's provenance and on the mapping. The
``status`` is ``complete`` once every requirement of the source framework has
been reviewed and ``not-complete`` before. Each map carries

- the relationship the reviewer chose (OSCAL's own tokens: ``equivalent-to``,
  ``subset-of``, ``superset-of``, ``intersects-with``),
- ``confidence-score`` with the assistant's score (0–1) for a pair accepted as
  proposed; a pair a reviewer changed to another target carries none, since the
  score was for the target the assistant proposed,
- csfpilot's props: ``review-state`` (accepted or changed), ``proposed-target``,
  ``assistant-rank``, ``reviewed-by``, ``reviewed-at``.

Everything else (ids, labels, resources, the dataset key) is written by
:func:`csfpilot.formats.oscal.mapping_writer.mapping_document`, so csfpilot's
crosswalk import reads the file back as any other crosswalk.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csfpilot.core.catalog import Catalog, MappingSet
from csfpilot.core.errors import InputRefused
from csfpilot.formats.oscal.catalog_writer import timestamp
from csfpilot.formats.oscal.extension import escape_markup, prop
from csfpilot.formats.oscal.mapping_writer import mapping_document

HYBRID = "hybrid"


@dataclass(frozen=True)
class Review:
    """How one row of the crosswalk was made, in the crosswalk's row order."""

    state: str  # "accepted" (as proposed) or "changed" (another target or relationship)
    score: float | None  # the assistant's score for the proposed target, 0–1
    proposed: str  # the target the assistant proposed
    rank: int | None  # its place among the assistant's candidates (1 = best)
    reviewed_by: str
    reviewed_at: datetime | None


def _confidence(score: float | None) -> dict[str, Any] | None:
    if score is None:
        return None
    # A score outside 0–1 is not a percentage; OSCAL then takes none rather than a wrong one.
    if not 0 <= score <= 1:
        return None
    return {"percentage": round(float(score), 4)}


def reviewed_mapping_document(
    ms: MappingSet,
    reviews: Sequence[Review],
    *,
    complete: bool,
    source: Catalog | None = None,
    target: Catalog | None = None,
    generated_at: datetime | None = None,
) -> dict[str, Any]:
    """The reviewed crosswalk as an OSCAL 1.2.1 mapping collection (parsed JSON)."""
    if len(reviews) != len(ms.mappings):
        raise ValueError("one review per crosswalk row")
    if not ms.mappings:
        raise InputRefused(
            "cannot be written as OSCAL: no pair has been accepted yet", file=ms.info.key
        )
    doc = mapping_document(ms, source=source, target=target, generated_at=generated_at)
    body = doc["mapping-collection"]
    status = "complete" if complete else "not-complete"
    body["provenance"].update(
        {
            "method": HYBRID,
            "matching-rationale": "semantic",
            "status": status,
            "mapping-description": escape_markup(ms.info.description or ms.info.name),
        }
    )
    if ms.info.reviewed_by:
        body["provenance"]["props"] = [prop("reviewed-by", ms.info.reviewed_by)]
    mapping = body["mappings"][0]
    mapping["method"] = HYBRID
    mapping["matching-rationale"] = "semantic"
    mapping["status"] = status
    # mapping_document writes one map per row that names a target, in row order; every
    # reviewed row names one.
    for entry, review in zip(mapping["maps"], reviews, strict=True):
        props = entry.setdefault("props", [])
        props.append(prop("review-state", review.state))
        if review.proposed:
            props.append(prop("proposed-target", review.proposed))
        if review.rank is not None:
            props.append(prop("assistant-rank", str(review.rank)))
        if review.reviewed_by:
            props.append(prop("reviewed-by", review.reviewed_by))
        if review.reviewed_at is not None:
            props.append(prop("reviewed-at", timestamp(review.reviewed_at)))
        confidence = _confidence(review.score) if review.state == "accepted" else None
        if confidence is not None:
            entry["confidence-score"] = confidence
    return doc


def reviewed_mapping_json(
    ms: MappingSet,
    reviews: Sequence[Review],
    *,
    complete: bool,
    source: Catalog | None = None,
    target: Catalog | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    doc = reviewed_mapping_document(
        ms, reviews, complete=complete, source=source, target=target, generated_at=generated_at
    )
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
