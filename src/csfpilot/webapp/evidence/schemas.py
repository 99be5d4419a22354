"""What the evidence API accepts and returns.

Bodies list exactly what a client may set (an unknown key answers 422): the
organization, ids, versions of files, hashes and reviewers are never settable.
An item's ``version`` counts its saves; a change sends the version it read and
a stale one answers 409. A *version* of an item (``number``) is something else:
one immutable file, link or attestation, kept forever while the item exists.

``freshness`` is computed on the day of the request: ``current``, ``expiring``
(within 30 days), ``expired``, ``not-yet`` (takes effect later) or ``undated``
(never expires). The CLI's ``--json`` prints these same shapes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

from csfpilot.core.evidence import Confidentiality, EvidenceKind, RequestState
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import queries

Kind = Literal[tuple(k.value for k in EvidenceKind)]  # type: ignore[valid-type]
Label = Literal[tuple(c.value for c in Confidentiality)]  # type: ignore[valid-type]
Verdict = Literal["accepted", "insufficient", "rejected"]
RequestStateName = Literal[tuple(r.value for r in RequestState)]  # type: ignore[valid-type]


TEXT_MAX = 20_000  # descriptions, statements, comments: a few pages at most


def _storable(value: str) -> str:
    # PostgreSQL stores no NUL in text; refused on every database alike.
    if "\x00" in value:
        raise ValueError("text cannot contain the NUL character (\\u0000)")
    return value


Text = Annotated[str, AfterValidator(_storable)]


class Strict(Schema):
    """An input body: unknown keys are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# -- items ---------------------------------------------------------------------------------


class ItemFieldsIn(Strict):
    """What describes an item, whatever it holds."""

    title: Text = Field(max_length=300, examples=["Information security policy"])
    description: Text = Field("", max_length=TEXT_MAX)
    kind: Kind = Field("other", examples=["policy"])  # type: ignore[valid-type]
    source_kind: Literal["person", "tool"] = "person"
    source: Text = Field("", max_length=300, description="A person, or the tool and version.")
    collected_on: date | None = None
    effective_from: date | None = None
    valid_until: date | None = None
    review_interval_days: int | None = Field(
        None, description="Days from effective_from after which the item must be reviewed."
    )
    owner_id: int | None = Field(None, description="A member's user id.")
    owner_name: Text = Field("", max_length=200, description="Or a name, when not a member.")
    confidentiality: Label = "internal"  # type: ignore[valid-type]


class ItemUploadIn(ItemFieldsIn):
    """The form fields sent with an uploaded file."""

    # Other form fields (a browser's CSRF token) are not the item's business.
    model_config = ConfigDict(extra="ignore")

    # Checked by the view after the file: an upload refused as it arrived stops the body
    # there, so fields sent after the file never arrive, and the refusal is the answer.
    title: Text = Field("", max_length=300, examples=["Information security policy"])
    note: Text = Field("", max_length=TEXT_MAX, description="About this first version.")


class ItemIn(ItemFieldsIn):
    """A new link or written attestation (files go to ``…/evidence/files``)."""

    url: Text = Field(
        "",
        max_length=2000,
        description="A link (https:// or http://).",
        examples=["https://intranet.example.com/policies/infosec"],
    )
    statement: Text = Field("", max_length=TEXT_MAX, description="A written attestation.")
    note: Text = Field("", max_length=TEXT_MAX, description="About this first version.")


class ItemPatch(Strict):
    """Change an item's description; send the ``version`` you read."""

    version: int
    title: Text | None = Field(None, max_length=300, examples=["Information security policy"])
    description: Text | None = Field(None, max_length=TEXT_MAX)
    kind: Kind | None = None  # type: ignore[valid-type]
    source_kind: Literal["person", "tool"] | None = None
    source: Text | None = Field(None, max_length=300)
    collected_on: date | None = None
    effective_from: date | None = None
    valid_until: date | None = None
    review_interval_days: int | None = None
    owner_id: int | None = None
    owner_name: Text | None = Field(None, max_length=200)
    confidentiality: Label | None = None  # type: ignore[valid-type]


class VersionIn(Strict):
    """A new version of a link or attestation item."""

    url: Text = Field(
        "", max_length=2000, examples=["https://intranet.example.com/policies/infosec-2027"]
    )
    statement: Text = Field("", max_length=TEXT_MAX)
    note: Text = Field("", max_length=TEXT_MAX)


class VersionOut(Schema):
    number: int
    form: str = Field(description="file, link or attestation")
    filename: str = ""
    sha256: str | None = None
    size: int | None = None
    media_type: str | None = None
    url: str = ""
    statement: str = ""
    note: str = ""
    created_at: datetime
    created_by: str | None = None


class ItemOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    form: str
    source_kind: str
    source: str
    collected_on: date | None
    effective_from: date | None
    valid_until: date | None
    review_interval_days: int | None
    expires_on: date | None = Field(description="The last day the item proves anything.")
    freshness: str
    owner_id: int | None
    owner: str = Field(description="The owner's e-mail address, or the name given.")
    confidentiality: str
    retired: bool
    version: int = Field(description="Counts the item's saves; send it back with a change.")
    latest_version: int | None = None
    links: int = 0
    created_at: datetime
    updated_at: datetime


class LinkOut(Schema):
    id: int
    item: int
    profile: int
    profile_name: str
    outcome: str
    side: str
    statement: str
    review: str
    review_comment: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    created_at: datetime


class ItemDetailOut(ItemOut):
    versions: list[VersionOut]
    link_list: list[LinkOut] = Field(description="Every outcome the item is linked to.")


class ItemPage(Schema):
    count: int
    offset: int
    limit: int
    items: list[ItemOut]


class LinkIn(Strict):
    profile: int
    outcome: Text = Field(
        max_length=100, description="An outcome id of the profile.", examples=["GV.PO-01"]
    )
    side: Literal["current", "target"] = "current"
    statement: Text = Field(
        "", max_length=TEXT_MAX, description="What the item shows for this outcome."
    )


class ReviewIn(Strict):
    state: Verdict
    comment: Text = Field(
        "", max_length=TEXT_MAX, description="Required when insufficient or rejected."
    )


# -- outcomes and coverage -----------------------------------------------------------------


class OutcomeEvidenceOut(Schema):
    code: str
    state: str = Field(description="supported, unsupported, contradicted or no-claim")
    accepted: int = Field(description="Accepted, unexpired Current links.")
    pending: int
    expired: int
    failing: int = Field(description="Failing findings of the newest scans mapped here.")
    serious: int = Field(description="Of those, high or critical.")
    passing: int


class FunctionCoverageOut(Schema):
    function: str
    supported: int = Field(description="Rated outcomes with accepted Current evidence.")
    rated: int


class ProfileEvidenceOut(Schema):
    profile: int
    outcomes: list[OutcomeEvidenceOut]
    coverage: list[FunctionCoverageOut]
    counts: dict[str, int] = Field(description="Outcomes per evidence state.")
    expiring: dict[str, int] = Field(description="Items expiring within 30 and 90 days.")


class DueOut(Schema):
    id: int
    title: str
    kind: str
    expires_on: date
    days_left: int = Field(description="Negative once expired.")
    freshness: str
    owner: str


# -- requests ------------------------------------------------------------------------------


class RequestIn(Strict):
    profile: int
    outcomes: list[Annotated[Text, Field(max_length=100)]] = Field(
        min_length=1, max_length=200, examples=[["GV.PO-01"]]
    )
    assignee: int | None = Field(
        None,
        description="The member's user id; left out, the member the outcomes are assigned to.",
        examples=[4],
    )
    due: date
    note: Text = Field("", max_length=TEXT_MAX)


class SubmitIn(Strict):
    items: list[int] = Field(min_length=1, max_length=200, examples=[[1]])
    response: Text = Field("", max_length=TEXT_MAX)
    statement: Text = Field(
        "", max_length=TEXT_MAX, description="What the items show, for the links made."
    )


class DecideIn(Strict):
    accept: bool
    comment: Text = Field("", max_length=TEXT_MAX, description="Required when rejecting.")


class RequestOut(Schema):
    id: int
    profile: int
    profile_name: str
    outcomes: list[str]
    assignee_id: int
    assignee: str
    requested_by: str | None
    due: date
    note: str
    state: str = Field(description="open, submitted, accepted, rejected or overdue")
    items: list[int]
    response: str
    decision_comment: str
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None


# -- building the answers ------------------------------------------------------------------


def _email(user: Any) -> str | None:
    return getattr(user, "email", None) if user is not None else None


def _owner(row: m.EvidenceItem) -> str:
    return _email(row.owner) or row.owner_name


def item_out(row: m.EvidenceItem, *, today: date, latest: int | None = None) -> ItemOut:
    return ItemOut(**_item_values(row, today=today, latest=latest))


def _item_values(row: m.EvidenceItem, *, today: date, latest: int | None) -> dict[str, Any]:
    return {
        "id": row.pk,
        "title": row.title,
        "description": row.description,
        "kind": row.kind,
        "form": row.form,
        "source_kind": row.source_kind,
        "source": row.source,
        "collected_on": row.collected_on,
        "effective_from": row.effective_from,
        "valid_until": row.valid_until,
        "review_interval_days": row.review_interval_days,
        "expires_on": row.expires_on,
        "freshness": queries.item_freshness(row, today).value,
        "owner_id": row.owner_id,
        "owner": _owner(row),
        "confidentiality": row.confidentiality,
        "retired": row.retired_at is not None,
        "version": row.version,
        "latest_version": latest,
        "links": getattr(row, "link_count", 0),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def version_out(v: m.EvidenceVersion) -> VersionOut:
    stored = v.stored_file
    form = m.Form.FILE if stored is not None else (m.Form.LINK if v.url else m.Form.ATTESTATION)
    return VersionOut(
        number=v.number,
        form=form.value,
        filename=v.filename,
        sha256=stored.sha256 if stored else None,
        size=stored.size if stored else None,
        media_type=stored.media_type if stored else None,
        url=v.url,
        statement=v.statement,
        note=v.note,
        created_at=v.created_at,
        created_by=_email(v.created_by),
    )


def link_out(row: m.EvidenceLink) -> LinkOut:
    return LinkOut(
        id=row.pk,
        item=row.item_id,
        profile=row.profile_id,
        profile_name=row.profile.name,
        outcome=row.code,
        side=row.side,
        statement=row.statement,
        review=row.review,
        review_comment=row.review_comment,
        reviewed_by=_email(row.reviewed_by),
        reviewed_at=row.reviewed_at,
        created_at=row.created_at,
    )


def item_detail_out(row: m.EvidenceItem, *, today: date) -> ItemDetailOut:
    versions = list(row.versions.all())
    links = list(row.links.all())
    values = _item_values(row, today=today, latest=versions[0].number if versions else None)
    values["links"] = len(links)
    return ItemDetailOut(
        **values,
        versions=[version_out(v) for v in versions],
        link_list=[link_out(x) for x in links],
    )


def due_out(row: m.EvidenceItem, *, today: date) -> DueOut:
    assert row.expires_on is not None  # due() lists only items that expire
    return DueOut(
        id=row.pk,
        title=row.title,
        kind=row.kind,
        expires_on=row.expires_on,
        days_left=(row.expires_on - today).days,
        freshness=queries.item_freshness(row, today).value,
        owner=_owner(row),
    )


def profile_evidence_out(profile_id: int, cov: queries.Coverage, expiring: dict[int, int]) -> Any:
    return ProfileEvidenceOut(
        profile=profile_id,
        outcomes=[
            OutcomeEvidenceOut(
                code=e.code,
                state=e.state.value,
                accepted=e.accepted,
                pending=e.pending,
                expired=e.expired,
                failing=e.failing,
                serious=e.serious,
                passing=e.passing,
            )
            for e in cov.states.values()
        ],
        coverage=[
            FunctionCoverageOut(function=fn, supported=pair[0], rated=pair[1])
            for fn, pair in cov.by_function.items()
        ],
        counts=dict(sorted(cov.counts.items())),
        expiring={str(days): n for days, n in sorted(expiring.items())},
    )


def request_out(row: m.EvidenceRequest, *, today: date) -> RequestOut:
    return RequestOut(
        id=row.pk,
        profile=row.profile_id,
        profile_name=row.profile.name,
        outcomes=sorted(o.code for o in row.outcomes.all()),
        assignee_id=row.assignee_id,
        assignee=_email(row.assignee) or "",
        requested_by=_email(row.requested_by),
        due=row.due,
        note=row.note,
        state=queries.request_state(row, today).value,
        items=sorted(i.pk for i in row.items.all()),
        response=row.response,
        decision_comment=row.decision_comment,
        created_at=row.created_at,
        submitted_at=row.submitted_at,
        decided_at=row.decided_at,
    )
