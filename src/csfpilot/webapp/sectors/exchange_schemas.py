"""API shapes of the sector benchmark between instances (signed contributions, aggregates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from csfpilot.webapp.sectors.exchange import Received
from csfpilot.webapp.sectors.models import ReceivedAggregate, RemoteMember


class ContributionFieldOut(Schema):
    member: str = Field(description="the package member: contribution.json or scores.json")
    field: str
    value: Any


class RemoteMemberIn(Schema):
    name: str = Field(description="the member organization, as the sector body knows it")
    fingerprint: str = Field(description="its key's fingerprint, 40 hex digits (spaces ignored)")


class RemoteMemberOut(Schema):
    name: str
    fingerprint: str
    status: str = Field(description='"approved" (on the list) or "revoked" (removed)')
    added_at: datetime
    contribution_signed: datetime | None = Field(
        description="when the member signed its latest accepted contribution; null: none yet"
    )
    counted: bool = Field(description="its latest contribution counts in the aggregate")


def remote_member_out(row: RemoteMember) -> RemoteMemberOut:
    latest = getattr(row, "contribution", None)
    return RemoteMemberOut(
        name=row.name,
        fingerprint=row.fingerprint,
        status=row.status,
        added_at=row.added_at,
        contribution_signed=latest.created if latest else None,
        counted=latest is not None and row.status == "approved",
    )


class ReceivedContributionOut(Schema):
    filename: str
    accepted: bool
    member: str | None = Field(description="the member it counts for, when accepted")
    package_id: str | None
    reason: str = Field(description="why it was refused (the file is then not kept at all)")


def received_out(r: Received) -> ReceivedContributionOut:
    return ReceivedContributionOut(
        filename=r.filename,
        accepted=r.row is not None,
        member=r.row.member.name if r.row else None,
        package_id=str(r.row.package_id) if r.row else None,
        reason=r.reason,
    )


class ReceivedAggregateOut(Schema):
    sector: str
    source: str = Field(description="the sector body, as its package names it")
    fingerprint: str
    trusted_as: str = Field(description="the name this organization gave the signing key")
    published: datetime
    contributors: int
    package_id: str


def aggregate_out(row: ReceivedAggregate) -> ReceivedAggregateOut:
    return ReceivedAggregateOut(
        sector=row.sector,
        source=row.source,
        fingerprint=row.fingerprint,
        trusted_as=row.trusted_as,
        published=row.published,
        contributors=row.contributors,
        package_id=str(row.package_id),
    )
