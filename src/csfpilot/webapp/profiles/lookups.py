"""Finding one profile, outcome, action or snapshot — only ever inside the caller's organization.

Every lookup filters by the organization of the caller's
:class:`~csfpilot.webapp.organizations.permissions.Access`, so an id belonging
to another tenant is as unknown as one that was never issued (the same
:class:`~csfpilot.core.errors.NotFound`, the same message).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from csfpilot.core.errors import NotFound
from csfpilot.core.profiles import Profile
from csfpilot.webapp import statements
from csfpilot.webapp.catalog.models import Framework
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import storage
from csfpilot.webapp.profiles.frameworks import outcome_framework


def ensure(access: Access, permission: Permission) -> None:
    """Refuse (403) unless the caller's access includes ``permission``."""
    if not access.can(permission):
        raise PermissionMissing(permission, access.role.value)


def acting_user_id(access: Access) -> int | None:
    """Who the change is recorded against; None for the instance's operator (the CLI)."""
    return access.membership.user_id


def profile(access: Access, profile_id: Any, *, for_update: bool = False) -> m.Profile:
    """The organization's profile ``profile_id`` with its framework, or NotFound."""
    qs = m.Profile.objects.select_related("framework")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        pk = int(profile_id)
    except (TypeError, ValueError):
        pk = None
    found = qs.filter(organization=access.organization, pk=pk).first() if pk else None
    if found is None:
        raise NotFound(f"no profile {profile_id} in {access.organization.slug}")
    return found


def profile_by_ref(access: Access, ref: str) -> m.Profile:
    """A profile by id or by name (case-insensitive), for the command line."""
    ref = (ref or "").strip()
    if ref.isdigit():
        found = (
            m.Profile.objects.select_related("framework")
            .filter(organization=access.organization, pk=int(ref))
            .first()
        )
        if found is not None:
            return found
    found = (
        m.Profile.objects.select_related("framework")
        .filter(organization=access.organization, name__iexact=ref)
        .first()
    )
    if found is None:
        raise NotFound(f"no profile {ref!r} in {access.organization.slug}")
    return found


def outcome(
    access: Access, row: m.Profile, code: str, *, for_update: bool = False
) -> m.ProfileOutcome:
    """One outcome row of a profile by its id (``GV.OC-01``)."""
    qs = m.ProfileOutcome.objects.filter(profile=row, code=(code or "").strip())
    if for_update:
        qs = qs.select_for_update()
    found = qs.select_related("owner", "updated_by").first()
    if found is None:
        raise NotFound(f"{row.name!r} has no outcome {code!r}")
    return found


def outcome_to_save(access: Access, profile_id: Any, code: str) -> m.ProfileOutcome:
    """One outcome row with its profile and the profile's release attached: one query.

    What a save of one outcome reads (inside its transaction), by a statement written
    once per process (:mod:`csfpilot.webapp.statements`); refused as :func:`profile` and
    :func:`outcome` refuse (the same :class:`NotFound`), which are asked only then.
    """
    try:
        pk = int(profile_id)
    except (TypeError, ValueError):
        pk = 0
    conn = statements.connection_for(m.ProfileOutcome)
    with conn.cursor() as cur:
        cur.execute(_outcome_to_save_sql(conn), [pk, access.organization.pk, (code or "").strip()])
        found = cur.fetchone()
    if found is None:
        # No such profile in the organization, or no such outcome: refused as the other
        # lookups refuse (they raise; a row found now was made meanwhile, and is loaded).
        return outcome(access, profile(access, profile_id), code)
    row = statements.instance(m.ProfileOutcome, found, 0, conn)
    at = statements.width(m.ProfileOutcome)
    profile_row = statements.instance(m.Profile, found, at, conn)
    profile_row.framework = statements.instance(
        Framework, found, at + statements.width(m.Profile), conn
    )
    row.profile = profile_row
    return row


def _outcome_to_save_sql(conn: Any) -> str:
    key = conn.vendor
    sql = _OUTCOME_TO_SAVE.get(key)
    if sql is None:
        q = conn.ops.quote_name
        sql = _OUTCOME_TO_SAVE[key] = (
            f"SELECT {statements.columns(m.ProfileOutcome, 'o', conn)}, "  # noqa: S608
            f"{statements.columns(m.Profile, 'p', conn)}, "
            f"{statements.columns(Framework, 'f', conn)} "
            f"FROM {q(m.ProfileOutcome._meta.db_table)} o "
            f"JOIN {q(m.Profile._meta.db_table)} p ON p.id = o.profile_id "
            f"JOIN {q(Framework._meta.db_table)} f ON f.id = p.framework_id "
            "WHERE p.id = %s AND p.organization_id = %s AND o.code = %s"
        )
    return sql


_OUTCOME_TO_SAVE: dict[str, str] = {}


def action(access: Access, row: m.Profile, code: str) -> m.Action:
    found = m.Action.objects.filter(profile=row, code=(code or "").strip()).first()
    if found is None:
        raise NotFound(f"{row.name!r} has no action {code!r}")
    return found


def snapshot(access: Access, snapshot_id: Any) -> m.Snapshot:
    try:
        pk = int(snapshot_id)
    except (TypeError, ValueError):
        pk = None
    found = (
        m.Snapshot.objects.select_related("profile", "profile__framework")
        .filter(profile__organization=access.organization, pk=pk)
        .first()
        if pk
        else None
    )
    if found is None:
        raise NotFound(f"no snapshot {snapshot_id} in {access.organization.slug}")
    return found


def outcome_rows(row: m.Profile) -> list[m.ProfileOutcome]:
    """All outcome rows in document order (one query)."""
    return list(m.ProfileOutcome.objects.filter(profile=row).order_by("position"))


def action_rows(row: m.Profile) -> list[m.Action]:
    return list(m.Action.objects.filter(profile=row).order_by("position", "id"))


def domain_profile(
    row: m.Profile,
    outcomes: list[m.ProfileOutcome] | None = None,
    actions: list[m.Action] | None = None,
) -> Profile:
    """The stored profile as a domain :class:`~csfpilot.core.profiles.Profile` (two queries)."""
    return storage.to_domain(
        row,
        outcome_rows(row) if outcomes is None else outcomes,
        action_rows(row) if actions is None else actions,
        framework_key=row.framework.key,
    )


_RATING_COLUMNS = ("code", "included", "priority", "current", "target", "owner_name")
_UNREAD = storage.blank_entry_fields()


def rated_profile(row: m.Profile, actions: list[m.Action] | None = None) -> Profile:
    """The stored profile with only what scores, gaps and the action plan read (two queries).

    Each included outcome carries its ratings, priority and owner; texts, details
    and excluded outcomes are left out. Scoring, gap analysis and plan candidates
    give exactly what they give on :func:`domain_profile`, for a fraction of the
    reading: six columns instead of every column of NIST's template.
    """
    scale = storage.scale_of(row)
    rows = (
        m.ProfileOutcome.objects.filter(profile=row, included=True)
        .order_by("position")
        .values(*_RATING_COLUMNS)
    )
    entries = {
        values["code"]: storage.entry_from_values(values["code"], {**_UNREAD, **values}, scale)
        for values in rows
    }
    profile = storage.to_domain(
        row, (), action_rows(row) if actions is None else actions, framework_key=row.framework.key
    )
    return replace(profile, outcomes=entries)


def framework_of(row: m.Profile) -> Any:
    """The profile's :class:`~csfpilot.core.profiles.OutcomeFramework`."""
    return outcome_framework(row.framework)
