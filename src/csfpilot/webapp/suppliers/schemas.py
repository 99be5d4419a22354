"""API shapes of the supplier register."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from csfpilot.webapp.suppliers import models as m


class ContactIO(Schema):
    name: str = Field("", max_length=200)
    email: str = Field(..., max_length=254)
    role: str = Field("", max_length=200)


class RequirementIO(Schema):
    code: str = Field(..., max_length=20, description="A CSF 2.0 outcome, e.g. GV.SC-05")
    target: str | int = Field(..., description="A level of the implementation status scale")


class SupplierIn(Schema):
    name: str | None = Field(None, max_length=200)
    services: str | None = Field(None, max_length=20_000)
    country: str | None = Field(None, max_length=2, description="ISO 3166-1 alpha-2")
    data_access: str | None = Field(None, description="none | internal | confidential | personal")
    system_access: str | None = Field(None, description="none | user | privileged")
    service_dependency: str | None = Field(None, description="supporting | important | essential")
    tier_override: str | None = Field(
        None, description="critical | high | moderate | low, or '' to derive it"
    )
    tier_reason: str | None = Field(None, max_length=5000)
    contract_start: date | None = None
    contract_end: date | None = None
    requirement_profile_id: int | None = Field(None, description="A Community Profile's id")
    requirements: list[RequirementIO] | None = None
    language: str | None = Field(None, description="en | zh-hant")
    next_assessment_due: date | None = None
    notes: str | None = Field(None, max_length=20_000)
    contacts: list[ContactIO] | None = Field(None, max_length=20)


class SupplierPatch(SupplierIn):
    version: int = Field(..., description="The version read; a newer one on the server is a 409")


class SupplierOut(Schema):
    id: int
    name: str
    services: str
    country: str
    data_access: str
    system_access: str
    service_dependency: str
    derived_tier: str
    tier: str
    tier_override: str
    tier_reason: str
    contract_start: date | None
    contract_end: date | None
    requirement_profile_id: int | None
    requirements: list[RequirementIO]
    language: str
    next_assessment_due: date | None
    notes: str
    contacts: list[ContactIO]
    risk_score: int | None
    risk_rating: str
    gap: float | None
    attainment: dict[str, float]
    assessed_at: datetime | None
    version: int


class SupplierRow(Schema):
    id: int
    name: str
    tier: str
    country: str
    risk_score: int | None
    risk_rating: str
    next_assessment_due: date | None


def supplier_out(row: m.Supplier) -> SupplierOut:
    return SupplierOut(
        **{f: getattr(row, f) for f in SupplierOut.model_fields if f not in ("contacts",)},
        contacts=[ContactIO(name=c.name, email=c.email, role=c.role) for c in row.contacts.all()],
    )


class SendIn(Schema):
    due: date
    guidance: str = Field("", max_length=20_000)
    language: str = Field("", description="en | zh-hant; the supplier's when empty")


class QuestionnaireItemOut(Schema):
    code: str
    target: Any
    answer: Any
    comment: str
    evidence: str
    below_target: bool


class QuestionnaireOut(Schema):
    id: int
    supplier_id: int
    cycle: int
    state: str
    language: str
    due: date
    sent_at: datetime
    submitted_at: datetime | None
    submitted_by: str
    risk_score: int | None
    risk_rating: str
    gap: float | None
    attainment: dict[str, float]
    items: list[QuestionnaireItemOut]


class GuestLinkIn(Schema):
    email: str = Field(..., max_length=254)


class GuestLinkOut(Schema):
    id: int
    email: str
    expires_at: datetime
    url: str = Field(..., description="The link, returned once; only its hash is kept")


class HeatRow(Schema):
    id: int
    name: str
    tier: str
    risk_score: int | None
    risk_rating: str
    attainment: dict[str, float | None]


class OverdueOut(Schema):
    questionnaire_id: int
    supplier_id: int
    supplier: str
    cycle: int
    due: date
    days_late: int


class PortfolioOut(Schema):
    functions: list[str]
    suppliers: list[HeatRow]
    overdue: list[OverdueOut]
    highest_risk: list[HeatRow]
    counts: dict[str, int]


class RemediationIn(Schema):
    code: str = Field("", max_length=20)
    request: str = Field(..., max_length=5000)
    due: date


class RemediationOut(Schema):
    id: int
    code: str
    request: str
    due: date
    state: str
