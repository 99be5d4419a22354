"""API shapes of questionnaires between instances (signed questionnaire and answer packages)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from csfpilot.webapp.packages.schemas import FieldOut, PackageOut


class AnswerCheckOut(PackageOut):
    questionnaire_id: int | None = Field(description="The questionnaire the answer is for.")
    supplier: str | None
    cycle: int | None
    importable: bool
    reason: str = Field(description="Why the answer cannot be imported; empty when it can.")
    listing: list[FieldOut] = Field(description="Every field the package holds.")


class AnswerImportedOut(PackageOut):
    questionnaire_id: int
    supplier_id: int
    state: str
    risk_score: int | None
    risk_rating: str
    gap_percent: float | None
    key_pinned: str = Field(description="The key the supplier's answers must now be signed by.")


class ReceivedRowOut(Schema):
    code: str
    text: str = Field(description="NIST's outcome statement, in the questionnaire's language.")
    target: Any = Field(description="The level the buyer requires.")
    own: Any = Field(description="The chosen profile's Current level; null when it has none.")
    in_profile: bool = Field(description="The outcome is in the chosen profile's scope.")
    answer: Any
    comment: str
    evidence: str
    below_target: bool
    changed_from_profile: bool


class ReceivedOut(Schema):
    id: int
    buyer: str
    buyer_fingerprint: str
    trusted: bool = Field(description="Signed by a key this organization trusts.")
    trusted_as: str
    supplier_name: str
    cycle: int
    due: date
    language: str
    guidance: str
    scale: Any
    profile_id: int | None
    version: int
    received_at: datetime
    returned_at: datetime | None
    returned_level: str
    rows: list[ReceivedRowOut]


class ReceivedListOut(Schema):
    id: int
    buyer: str
    trusted: bool
    cycle: int
    due: date
    outcomes: int
    profile_id: int | None
    returned_at: datetime | None


class UseProfileIn(Schema):
    profile_id: int = Field(description="One of the organization's Organizational Profiles.")
    version: int | None = Field(None, description="The version read; a stale one answers 409.")


class AnswerChangeIn(Schema):
    answer: str | int | None = Field(None, description="A level key of the scale, or null.")
    comment: str | None = Field(None, max_length=10_000)
    evidence: str | None = Field(None, max_length=10_000)


class AnswersIn(Schema):
    version: int | None = Field(None, description="The version read; a stale one answers 409.")
    answers: dict[str, AnswerChangeIn] = Field(description="Outcome code → what changes.")
