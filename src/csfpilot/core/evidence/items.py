"""The vocabulary of an evidence library, and when an item stops proving anything.

An item is dated three ways: when it was *collected*, the day it *takes effect*
(a policy approved today may apply from next month), and either a *valid until*
day or a *review interval* counted from the day it took effect (a yearly access
review proves nothing thirteen months later). An item with neither never
expires; an item past its validity is *expired* and no longer supports a rating.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# An item counts as "expiring" this many days before its end, unless asked otherwise.
EXPIRING_DAYS = 30


class EvidenceKind(StrEnum):
    POLICY = "policy"
    PROCEDURE = "procedure"
    PLAN = "plan"
    RECORD = "record"  # a record or log
    CONFIGURATION = "configuration"
    SCREENSHOT = "screenshot"
    SCAN_RESULT = "scan-result"
    ATTESTATION = "attestation"
    CONTRACT = "contract"
    TRAINING_RECORD = "training-record"
    OTHER = "other"


class Confidentiality(StrEnum):
    """Who may see an item outside the organization (labels, as on the document)."""

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


class ReviewState(StrEnum):
    """An assessor's verdict on what one item shows for one outcome."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    INSUFFICIENT = "insufficient"
    REJECTED = "rejected"


class RequestState(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    # Never stored: an open request past its due day is shown as overdue.
    OVERDUE = "overdue"


class Freshness(StrEnum):
    NOT_YET = "not-yet"  # takes effect later
    CURRENT = "current"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    UNDATED = "undated"  # no end: never expires


def valid_until(
    *,
    effective_from: date | None,
    until: date | None,
    review_days: int | None,
) -> date | None:
    """The last day an item proves anything, or None when it never expires.

    An explicit *valid until* wins; otherwise the review interval counts from
    the day the item took effect. An interval without a start cannot end.
    """
    if until is not None:
        return until
    if review_days and effective_from is not None:
        return effective_from + timedelta(days=review_days)
    return None


def freshness(
    *,
    effective_from: date | None,
    until: date | None,
    today: date,
    expiring_days: int = EXPIRING_DAYS,
) -> Freshness:
    """Where an item stands on ``today``; ``until`` is :func:`valid_until`'s answer."""
    if effective_from is not None and effective_from > today:
        return Freshness.NOT_YET
    if until is None:
        return Freshness.UNDATED
    if until < today:
        return Freshness.EXPIRED
    if until <= today + timedelta(days=expiring_days):
        return Freshness.EXPIRING
    return Freshness.CURRENT


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    """A profile file's reference to one version of a library item.

    ``id`` and ``sha256`` identify it: the file's SHA-256, or for a link or an
    attestation the SHA-256 of its address or statement. The other fields say
    what the item was when the file was written, for a reader without the
    library; importing matches the reference back by id and hash only.
    """

    id: int
    version: int
    sha256: str
    title: str = ""
    kind: str = ""
    review: str = ""
    valid_until: date | None = None
