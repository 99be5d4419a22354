"""The command line acts as the instance's operator.

``csfpilot profile import/export/list`` run on the machine that holds the
database, by whoever may read and write its files — the person who installed
and runs the instance. They could change any row with ``csfpilot manage
dbshell`` anyway, so the command line does not pretend to sign in: it acts
with an organization owner's permissions, as nobody in particular. Changes it
makes are recorded without a user ("the instance's operator"), and contributor
limits do not apply to it.

The web pages and the REST API never use this: they go through
``permissions.require`` with the signed-in person or their API token.
"""

from __future__ import annotations

from typing import Any

from csfpilot.core.errors import NotFound
from csfpilot.formats.native.files import Format
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Role, permissions_of
from csfpilot.webapp.profiles import exchange, lookups, queries, schemas, services


def operator_access(org_slug: str) -> Access:
    """Owner-level access to ``org_slug`` for the instance's operator (the CLI)."""
    org = Organization.objects.filter(slug=(org_slug or "").strip().lower()).first()
    if org is None:
        known = ", ".join(Organization.objects.order_by("slug").values_list("slug", flat=True))
        raise NotFound(f"no organization {org_slug!r} (organizations: {known or 'none yet'})")
    # An unsaved membership without a user: the operator is not a member of anything.
    membership = Membership(organization=org, role=Role.OWNER)
    return Access(org, membership, permissions_of(Role.OWNER))


# -- what `csfpilot profile list / import / export` do, as JSON-ready data --------------------


def list_profiles(org_slug: str) -> list[dict[str, Any]]:
    """The organization's profiles with their scores, shaped as the API's profile list."""
    access = operator_access(org_slug)
    return [schemas.summary_out(s).model_dump(mode="json") for s in queries.profile_list(access)]


def import_file(
    org_slug: str, data: bytes, *, filename: str, name: str | None = None, replace: bool = False
) -> dict[str, Any]:
    """Store a profile file in the organization; the API's import answer as a dict."""
    access = operator_access(org_slug)
    result = services.import_profile_file(
        access, data, filename=filename, name=name, replace_existing=replace
    )
    out = schemas.ImportOut(
        profile=schemas.profile_out(queries.profile(access, result.profile.pk)),
        created=result.created,
        warnings=list(result.warnings),
    )
    return out.model_dump(mode="json")


def export_file(org_slug: str, profile_ref: str, fmt: Format) -> tuple[str, str]:
    """The profile (by id or name) as file text, and a file name for it."""
    access = operator_access(org_slug)
    row = lookups.profile_by_ref(access, profile_ref)
    return exchange.export_profile_file(access, row.pk, fmt), exchange.export_filename(row, fmt)


def move_release(org_slug: str, profile_ref: str, to: str, *, apply: bool) -> dict[str, Any]:
    """What moving the profile to release ``to`` changes (moved too, with ``apply``)."""
    from csfpilot.webapp.profiles import release_move

    access = operator_access(org_slug)
    row = lookups.profile_by_ref(access, profile_ref)
    old = row.framework.key
    if apply:
        changes = release_move.move_release(access, row.pk, to, expected_version=row.version)
    else:
        changes = release_move.preview_move(access, row.pk, to)
    return {
        "profile": row.pk,
        "from": old,
        "to": changes.new_key,
        "applied": apply,
        "same": changes.same,
        "text_changed": [code for code, _, _ in changes.text_changed],
        "moved": {k: list(v) for k, v in changes.moved.items()},
        "carried": changes.carried(),
        "not_carried": changes.not_carried(),
        "added": changes.added,
    }
