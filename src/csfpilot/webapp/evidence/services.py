"""Use cases that change the evidence library; each runs in one transaction and checks the role.

- adding items and versions, and linking items to outcomes, need
  ``evidence.add`` (owners, assessors, contributors); a contributor may link
  only to outcomes assigned to them (the same rule as editing an outcome);
- editing, retiring and removing an item needs ``evidence.add`` too, and a
  contributor may change only items they added or own;
- reviews and evidence requests need ``evidence.review`` (owners, assessors);
  the member a request is addressed to answers it.

Every change is one audit event. Versions are never changed: a new upload is a
new version. An item a frozen snapshot cites cannot be removed, only retired.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.core.evidence import (
    Confidentiality,
    EvidenceKind,
    RequestState,
    ReviewState,
    valid_until,
)
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.evidence import blobs
from csfpilot.webapp.evidence import models as m

# Profile files carry evidence as text lines and references (adoption.py); their use cases
# are offered here with the library's others.
from csfpilot.webapp.evidence.adoption import (  # noqa: F401
    adopt_lines,
    adopt_profile,
    match_refs,
    record_citations,
)
from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.organizations.permissions import (
    Access,
    PermissionMissing,
    require_outcome_edit,
)
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import models as pm

MAX_TITLE = 300


@dataclass
class ItemFields:
    """What describes an item, whatever its form. Dates are ISO days or None."""

    title: str
    description: str = ""
    kind: str = EvidenceKind.OTHER.value
    source_kind: str = m.SourceKind.PERSON.value
    source: str = ""
    collected_on: date | None = None
    effective_from: date | None = None
    valid_until: date | None = None
    review_interval_days: int | None = None
    owner_id: int | None = None
    owner_name: str = ""
    confidentiality: str = Confidentiality.INTERNAL.value

    def cleaned(self, access: Access) -> dict[str, Any]:
        title = (self.title or "").strip()
        if not title:
            raise InputRefused("an evidence item needs a title", field="title")
        if len(title) > MAX_TITLE:
            raise InputRefused(f"the title is longer than {MAX_TITLE} characters", field="title")
        _one_of(self.kind, EvidenceKind, "kind")
        _one_of(self.confidentiality, Confidentiality, "confidentiality")
        if self.source_kind not in m.SourceKind.values:
            raise InputRefused(f"unknown source kind {self.source_kind!r}", field="source_kind")
        if self.review_interval_days is not None and not 1 <= self.review_interval_days <= 3660:
            raise InputRefused(
                "the review interval must be between 1 and 3660 days",
                field="review_interval_days",
            )
        if self.effective_from and self.valid_until and self.valid_until < self.effective_from:
            raise InputRefused("valid until is before effective from", field="valid_until")
        if (
            self.owner_id is not None
            and not Membership.objects.filter(
                organization=access.organization, user_id=self.owner_id
            ).exists()
        ):
            raise InputRefused("the owner must be a member of the organization", field="owner")
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["title"] = title
        try:
            values["expires_on"] = valid_until(
                effective_from=self.effective_from,
                until=self.valid_until,
                review_days=self.review_interval_days,
            )
        except OverflowError:
            raise InputRefused(
                "the review interval ends after the last date the calendar holds",
                field="review_interval_days",
            ) from None
        return values


def _one_of(value: str, enum: Any, name: str) -> None:
    allowed = [e.value for e in enum]
    if value not in allowed:
        raise InputRefused(f"unknown {name} {value!r}; one of: {', '.join(allowed)}", field=name)


@dataclass(frozen=True)
class Content:
    """What a new version holds: a spooled file, a link or a written attestation."""

    spooled: blobs.Spooled | None = None
    filename: str = ""
    url: str = ""
    statement: str = ""
    note: str = ""

    @property
    def form(self) -> str:
        if self.spooled is not None:
            return m.Form.FILE
        return m.Form.LINK if self.url else m.Form.ATTESTATION

    def check(self) -> None:
        given = sum(bool(x) for x in (self.spooled is not None, self.url, self.statement))
        if given != 1:
            raise InputRefused("give exactly one of a file, a link or a written attestation")
        if self.url and not self.url.lower().startswith(("https://", "http://")):
            raise InputRefused("a link must start with https:// or http://", field="url")
        if self.url and len(self.url) > 2000:
            raise InputRefused("the link is longer than 2000 characters", field="url")


def _user(access: Access) -> int | None:
    return access.membership.user_id


def _require(access: Access, permission: Permission) -> None:
    if not access.can(permission):
        raise PermissionMissing(permission, access.role.value)


def _may_change(access: Access, item: m.EvidenceItem) -> None:
    _require(access, Permission.ADD_EVIDENCE)
    if access.can(Permission.EDIT_PROFILES):
        return
    me = _user(access)
    if me is None or me not in (item.created_by_id, item.owner_id):
        raise PermissionMissing(Permission.EDIT_PROFILES, access.role.value)


def item(access: Access, item_id: Any, *, for_update: bool = False) -> m.EvidenceItem:
    """The organization's item ``item_id``, or NotFound (another tenant's id is not found)."""
    found = _own(m.EvidenceItem, access, item_id, for_update=for_update)
    if found is None:
        raise NotFound(f"no evidence item {item_id} in {access.organization.slug}")
    return found


def _own(model: Any, access: Access, raw_id: Any, *, for_update: bool = False) -> Any:
    """The row ``raw_id`` of ``model`` in the caller's organization, or None: an id that is
    no number, or another tenant's, is simply not there."""
    try:
        pk = int(raw_id)
    except (TypeError, ValueError):
        return None
    qs = model.objects.filter(organization=access.organization, pk=pk)
    if for_update:
        qs = qs.select_for_update()
    return qs.first()


def store_version(
    access: Access, row: m.EvidenceItem, content: Content, number: int
) -> m.EvidenceVersion:
    """Write version ``number`` of ``row`` (the caller checked permissions and audits)."""
    stored = blobs.keep(access.organization, content.spooled) if content.spooled else None
    return m.EvidenceVersion.objects.create(
        item=row,
        number=number,
        stored_file=stored,
        filename=_display_name(content.filename) if stored else "",
        url=content.url,
        statement=content.statement,
        note=content.note,
        created_by_id=_user(access),
    )


def _display_name(name: str) -> str:
    """The uploaded name as shown: its last part, without control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:255] or "file"


def add_item(access: Access, values: ItemFields, content: Content) -> m.EvidenceItem:
    """A new item with its first version."""
    _require(access, Permission.ADD_EVIDENCE)
    content.check()
    cleaned = values.cleaned(access)
    with transaction.atomic():
        row = m.EvidenceItem.objects.create(
            organization=access.organization,
            form=content.form,
            created_by_id=_user(access),
            updated_by_id=_user(access),
            **cleaned,
        )
        version = store_version(access, row, content, 1)
        audit.record(
            access,
            "evidence",
            row.pk,
            audit.Action.CREATE,
            label=row.title,
            changes=audit.created({**_audit_values(row), **_version_values(version)}),
        )
    return row


def add_version(access: Access, item_id: Any, content: Content) -> m.EvidenceVersion:
    """A new version of an item; earlier versions stay as they were."""
    content.check()
    with transaction.atomic():
        row = item(access, item_id, for_update=True)
        _may_change(access, row)
        if row.retired_at is not None:
            raise ConflictError(f"{row.title} is retired; restore it before adding a version")
        if content.form != row.form:
            raise InputRefused(f"{row.title} is a {row.form} item; a new version must be one too")
        latest = row.versions.aggregate(n=Max("number"))["n"] or 0
        version = store_version(access, row, content, latest + 1)
        m.EvidenceItem.objects.filter(pk=row.pk).update(
            version=F("version") + 1, updated_by_id=_user(access), updated_at=timezone.now()
        )
        audit.record(
            access,
            "evidence",
            row.pk,
            audit.Action.UPDATE,
            label=row.title,
            changes=audit.created(_version_values(version)),
        )
    return version


def update_item(
    access: Access, item_id: Any, values: ItemFields, *, version: int
) -> m.EvidenceItem:
    """Change an item's description; refused if someone saved it since ``version``."""
    cleaned = values.cleaned(access)
    with transaction.atomic():
        row = item(access, item_id, for_update=True)
        _may_change(access, row)
        if row.version != version:
            raise ConflictError(
                f"{row.title} was changed by someone else (version {row.version}, "
                f"yours {version}); reload and try again"
            )
        before = _audit_values(row)
        for name, value in cleaned.items():
            setattr(row, name, value)
        row.version += 1
        row.updated_by_id = _user(access)
        row.save()
        changes = audit.diff(before, _audit_values(row))
        if changes:
            audit.record(
                access, "evidence", row.pk, audit.Action.UPDATE, label=row.title, changes=changes
            )
    return row


def retire(access: Access, item_id: Any, *, restore: bool = False) -> m.EvidenceItem:
    """Retire an item (it stops supporting any rating) or bring it back."""
    with transaction.atomic():
        row = item(access, item_id, for_update=True)
        _may_change(access, row)
        before = {"retired": row.retired_at is not None}
        row.retired_at = None if restore else timezone.now()
        row.retired_by_id = None if restore else _user(access)
        row.version += 1
        row.save()
        audit.record(
            access,
            "evidence",
            row.pk,
            audit.Action.UPDATE,
            label=row.title,
            changes=audit.diff(before, {"retired": not restore}),
        )
    return row


def remove(access: Access, item_id: Any) -> None:
    """Remove an item and its versions, unless a snapshot or a scan import cites it."""
    with transaction.atomic():
        row = item(access, item_id, for_update=True)
        _may_change(access, row)
        if m.SnapshotEvidence.objects.filter(item=row).exists():
            raise ConflictError(
                f"{row.title} is cited by a frozen snapshot and cannot be removed; retire it"
            )
        if m.ScanImport.objects.filter(item=row).exists():
            raise ConflictError(
                f"{row.title} holds an imported scan and cannot be removed; retire it"
            )
        values = _audit_values(row)
        row.delete()
        audit.record(
            access,
            "evidence",
            item_id,
            audit.Action.DELETE,
            label=values["title"],
            changes=audit.deleted(values),
        )
    blobs.sweep(access.organization)


def link(
    access: Access,
    item_id: Any,
    profile_id: Any,
    code: str,
    *,
    side: str = m.Side.CURRENT,
    statement: str = "",
) -> m.EvidenceLink:
    """Tie an item to one outcome of a profile; a second link on the same side is refused."""
    _require(access, Permission.ADD_EVIDENCE)
    if side not in m.Side.values:
        raise InputRefused(f"side must be current or target, not {side!r}", field="side")
    with transaction.atomic():
        row = item(access, item_id)
        if row.retired_at is not None:
            raise ConflictError(f"{row.title} is retired and cannot be linked")
        outcome = _outcome(access, profile_id, code)
        require_outcome_edit(access, outcome.owner_id)
        if m.EvidenceLink.objects.filter(item=row, outcome=outcome, side=side).exists():
            raise ConflictError(f"{row.title} is already linked to {outcome.code} ({side})")
        created = m.EvidenceLink.objects.create(
            item=row,
            outcome=outcome,
            profile_id=outcome.profile_id,
            code=outcome.code,
            side=side,
            statement=statement.strip(),
            created_by_id=_user(access),
        )
        audit.record(
            access,
            "evidence-link",
            created.pk,
            audit.Action.CREATE,
            label=f"{row.title} → {outcome.code}",
            changes=audit.created(
                {
                    "item": row.pk,
                    "profile": outcome.profile_id,
                    "outcome": outcome.code,
                    "side": side,
                    "statement": created.statement,
                }
            ),
        )
    return created


def _outcome(access: Access, profile_id: Any, code: str) -> pm.ProfileOutcome:
    try:
        pk = int(profile_id)
    except (TypeError, ValueError):
        pk = 0
    found = (
        pm.ProfileOutcome.objects.filter(
            profile__organization=access.organization, profile_id=pk, code=(code or "").strip()
        )
        .select_related("profile")
        .first()
    )
    if found is None:
        raise NotFound(f"no outcome {code} in profile {profile_id}")
    return found


def _link(access: Access, link_id: Any) -> m.EvidenceLink:
    try:
        pk = int(link_id)
    except (TypeError, ValueError):
        pk = 0
    found = (
        m.EvidenceLink.objects.filter(item__organization=access.organization, pk=pk)
        .select_related("item", "outcome")
        .first()
    )
    if found is None:
        raise NotFound(f"no evidence link {link_id}")
    return found


def unlink(access: Access, link_id: Any) -> None:
    _require(access, Permission.ADD_EVIDENCE)
    with transaction.atomic():
        row = _link(access, link_id)
        require_outcome_edit(access, row.outcome.owner_id)
        if not access.can(Permission.REVIEW_EVIDENCE) and row.review != ReviewState.PENDING:
            raise PermissionMissing(Permission.REVIEW_EVIDENCE, access.role.value)
        label = f"{row.item.title} → {row.code}"
        values = {"item": row.item_id, "outcome": row.code, "side": row.side}
        row.delete()
        audit.record(
            access,
            "evidence-link",
            link_id,
            audit.Action.DELETE,
            label=label,
            changes=audit.deleted(values),
        )


def review(access: Access, link_id: Any, state: str, comment: str = "") -> m.EvidenceLink:
    """An assessor's verdict on what an item shows for one outcome."""
    _require(access, Permission.REVIEW_EVIDENCE)
    _one_of(state, ReviewState, "review")
    if state in (ReviewState.INSUFFICIENT, ReviewState.REJECTED) and not comment.strip():
        raise InputRefused("say why the evidence is insufficient or rejected", field="comment")
    with transaction.atomic():
        row = _link(access, link_id)
        before = {"review": row.review, "comment": row.review_comment}
        row.review = state
        row.review_comment = comment.strip()
        row.reviewed_by_id = _user(access)
        row.reviewed_at = timezone.now()
        row.save()
        audit.record(
            access,
            "evidence-link",
            row.pk,
            audit.Action.UPDATE,
            label=f"{row.item.title} → {row.code}",
            changes=audit.diff(before, {"review": state, "comment": row.review_comment}),
        )
    return row


# --- evidence requests -------------------------------------------------------------------


def ask(
    access: Access,
    profile_id: Any,
    codes: Sequence[str],
    *,
    assignee_id: int,
    due: date,
    note: str = "",
) -> m.EvidenceRequest:
    """Ask a member for evidence on one or more outcomes of a profile."""
    _require(access, Permission.REVIEW_EVIDENCE)
    wanted = [c.strip() for c in codes if c.strip()]
    if not wanted:
        raise InputRefused("name at least one outcome", field="outcomes")
    if not Membership.objects.filter(
        organization=access.organization, user_id=assignee_id
    ).exists():
        raise InputRefused("the request must go to a member of the organization", field="assignee")
    with transaction.atomic():
        outcomes = list(
            pm.ProfileOutcome.objects.filter(
                profile__organization=access.organization, profile_id=profile_id, code__in=wanted
            )
        )
        missing = sorted(set(wanted) - {o.code for o in outcomes})
        if missing:
            raise NotFound(f"no outcome {', '.join(missing)} in profile {profile_id}")
        row = m.EvidenceRequest.objects.create(
            organization=access.organization,
            profile_id=outcomes[0].profile_id,
            assignee_id=assignee_id,
            requested_by_id=_user(access),
            due=due,
            note=note.strip(),
        )
        row.outcomes.set(outcomes)
        audit.record(
            access,
            "evidence-request",
            row.pk,
            audit.Action.CREATE,
            label=", ".join(sorted(wanted)),
            changes=audit.created(
                {"outcomes": sorted(wanted), "assignee": assignee_id, "due": due, "note": row.note}
            ),
        )
    return row


def request(access: Access, request_id: Any, *, for_update: bool = False) -> m.EvidenceRequest:
    found = _own(m.EvidenceRequest, access, request_id, for_update=for_update)
    if found is None:
        raise NotFound(f"no evidence request {request_id}")
    return found


def submit(
    access: Access,
    request_id: Any,
    item_ids: Iterable[Any],
    *,
    response: str = "",
    statement: str = "",
) -> m.EvidenceRequest:
    """The member asked answers: the items are linked to every outcome of the request."""
    _require(access, Permission.ADD_EVIDENCE)
    with transaction.atomic():
        row = request(access, request_id, for_update=True)
        if row.assignee_id != _user(access) and not access.can(Permission.REVIEW_EVIDENCE):
            raise PermissionMissing(Permission.REVIEW_EVIDENCE, access.role.value)
        if row.state not in (RequestState.OPEN, RequestState.REJECTED):
            raise ConflictError(f"request {row.pk} is {row.state}; it cannot be answered again")
        items = [item(access, i) for i in item_ids]
        if not items:
            raise InputRefused("choose at least one evidence item", field="items")
        for evidence in items:
            for outcome in row.outcomes.all():
                exists = m.EvidenceLink.objects.filter(
                    item=evidence, outcome=outcome, side=m.Side.CURRENT
                ).exists()
                if not exists:
                    m.EvidenceLink.objects.create(
                        item=evidence,
                        outcome=outcome,
                        profile_id=outcome.profile_id,
                        code=outcome.code,
                        side=m.Side.CURRENT,
                        statement=statement.strip(),
                        created_by_id=_user(access),
                    )
        row.items.add(*items)
        row.state = RequestState.SUBMITTED.value
        row.response = response.strip()
        row.submitted_at = timezone.now()
        row.save()
        audit.record(
            access,
            "evidence-request",
            row.pk,
            audit.Action.UPDATE,
            label=f"request {row.pk}",
            changes=audit.diff(
                {"state": RequestState.OPEN.value, "items": []},
                {"state": row.state, "items": [i.pk for i in items]},
            ),
        )
    return row


def decide(
    access: Access, request_id: Any, *, accept: bool, comment: str = ""
) -> m.EvidenceRequest:
    """Close a submitted request; accepting it accepts its items' pending links too."""
    _require(access, Permission.REVIEW_EVIDENCE)
    if not accept and not comment.strip():
        raise InputRefused("say why the submission is rejected", field="comment")
    with transaction.atomic():
        row = request(access, request_id, for_update=True)
        if row.state != RequestState.SUBMITTED:
            raise ConflictError(f"request {row.pk} is {row.state}, not submitted")
        row.state = (RequestState.ACCEPTED if accept else RequestState.REJECTED).value
        row.decision_comment = comment.strip()
        row.decided_by_id = _user(access)
        row.decided_at = timezone.now()
        row.save()
        if accept:
            m.EvidenceLink.objects.filter(
                item__in=row.items.all(),
                outcome__in=row.outcomes.all(),
                review=ReviewState.PENDING,
            ).update(
                review=ReviewState.ACCEPTED.value,
                reviewed_by_id=_user(access),
                reviewed_at=timezone.now(),
                review_comment=row.decision_comment,
            )
        audit.record(
            access,
            "evidence-request",
            row.pk,
            audit.Action.UPDATE,
            label=f"request {row.pk}",
            changes=audit.diff(
                {"state": RequestState.SUBMITTED.value},
                {"state": row.state, "comment": row.decision_comment},
            ),
        )
    return row


def _audit_values(row: m.EvidenceItem) -> dict[str, Any]:
    return {
        "title": row.title,
        "description": row.description,
        "kind": row.kind,
        "form": row.form,
        "source": row.source,
        "collected_on": row.collected_on,
        "effective_from": row.effective_from,
        "valid_until": row.valid_until,
        "review_interval_days": row.review_interval_days,
        "owner": row.owner_id,
        "owner_name": row.owner_name,
        "confidentiality": row.confidentiality,
    }


def _version_values(version: m.EvidenceVersion) -> dict[str, Any]:
    values: dict[str, Any] = {"version": version.number}
    if version.stored_file_id:
        values["file"] = version.filename
        values["sha256"] = version.stored_file.sha256
        values["bytes"] = version.stored_file.size
    if version.url:
        values["url"] = version.url
    if version.statement:
        values["statement"] = version.statement
    return values
