"""What the mapping API accepts and returns.

A *project* maps one framework's requirements onto another framework (CSF 2.0
by default). A *pair* is one requirement and one target: proposed by the
assistant (``rank``, ``score`` in 0–1, ``reasons``), then ``accepted``,
``rejected`` or ``changed`` by a reviewer. A review sends the pair's
``version`` as read; a stale one answers 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from csfpilot.webapp.mapping import models as m

Relationship = Literal[tuple(m.PairRelationship.values)]  # type: ignore[valid-type]
Filter = Literal["all", "unreviewed", "accepted", "rejected"]
Method = Literal["combined", "lexical", "crosswalk", "semantic"]


class Counts(Schema):
    requirements: int
    proposed: int
    accepted: int
    rejected: int
    changed: int
    in_crosswalk: int


class ProjectOut(Schema):
    id: int
    name: str
    source_framework: str
    target_framework: str
    top: int
    method: str
    run_state: str = Field(description="new, queued, ready or failed")
    run_error: str
    job_id: int | None
    suggested_at: datetime | None
    created_at: datetime
    dataset_key: str = Field(description="The reviewed crosswalk's key in exports")
    counts: Counts


class ProjectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=200)
    source_framework: str = Field(..., max_length=64, description="A loaded framework's key")
    target_framework: str = Field("csf-2.0", max_length=64)
    top: int = Field(5, ge=1, le=10, description="Proposals per requirement")
    method: Method = "combined"  # type: ignore[valid-type]


class ReasonOut(Schema):
    kind: str = Field(description="terms, crosswalk-path, semantic or review-cycle")
    detail: str


class PairOut(Schema):
    id: int
    requirement: str
    rank: int
    proposed: str
    score: float
    reasons: list[ReasonOut]
    target: str
    state: str = Field(description="proposed, accepted, rejected or changed")
    relationship: str
    note: str
    reviewed_by: str
    reviewed_at: datetime | None
    version: int


class RequirementOut(Schema):
    code: str
    title: str
    text: str
    state: str = Field(description="unreviewed, accepted (a pair in the crosswalk) or rejected")
    pairs: list[PairOut]


class ProposalPage(Schema):
    count: int
    page: int
    pages: int
    requirements: list[RequirementOut]


class PairReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Literal["accept", "reject", "change", "reset"]
    relationship: Relationship | None = Field(  # type: ignore[valid-type]
        None, description="accept: default intersects_with; change: required"
    )
    target: str = Field("", max_length=100, description="change: the target element")
    note: str = Field("", max_length=500)
    version: int | None = Field(None, ge=1, description="The pair's version as read")


class BulkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(..., ge=0, le=1)
    best_only: bool = True
    expected: int | None = Field(
        None, ge=0, description="The previewed count; another count now answers 409"
    )
    relationship: Relationship = "intersects_with"  # type: ignore[valid-type]


class BulkPreviewOut(Schema):
    threshold: float
    best_only: bool
    pairs: int
    requirements: int


class BulkOut(Schema):
    accepted: int


def pair_out(p: m.Pair) -> PairOut:
    return PairOut(
        id=p.pk,
        requirement=p.requirement.code,
        rank=p.rank,
        proposed=p.proposed_code,
        score=p.score,
        reasons=[
            ReasonOut(kind=str(r.get("kind", "")), detail=str(r.get("detail", "")))
            for r in p.reasons or ()
            if isinstance(r, dict)
        ],
        target=p.target_code,
        state=p.state,
        relationship=p.relationship,
        note=p.note,
        reviewed_by=p.reviewed_by_name,
        reviewed_at=p.reviewed_at,
        version=p.version,
    )


def project_out(p: m.MappingProject, counts: dict[str, int]) -> ProjectOut:
    return ProjectOut(
        id=p.pk,
        name=p.name,
        source_framework=p.source_framework.key,
        target_framework=p.target_framework.key,
        top=p.top,
        method=p.method,
        run_state=p.run_state,
        run_error=p.run_error,
        job_id=p.job_id,
        suggested_at=p.suggested_at,
        created_at=p.created_at,
        dataset_key=p.dataset_key,
        counts=Counts(**{k: counts[k] for k in Counts.model_fields}),
    )
