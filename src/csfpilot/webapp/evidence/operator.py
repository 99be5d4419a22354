"""What ``csfpilot evidence …`` does, as the instance's operator, answering JSON-ready data.

Like ``csfpilot profile import/export`` (see :mod:`csfpilot.webapp.profiles.operator`),
these run on the machine that holds the database, with an organization owner's
permissions and no sign-in; changes are recorded in the audit trail without a
user name. Every answer has the shape the REST API gives for the same thing
(:mod:`.schemas`), so ``--json`` prints what ``GET /api/…/evidence/…`` returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.webapp.evidence import blobs, queries, scans, services
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import schemas as s
from csfpilot.webapp.evidence.scan_index import scan_index
from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.profiles.operator import operator_access

Json = dict[str, Any]


def _content(
    access: Access, *, file: Path | None, url: str, statement: str, note: str
) -> services.Content:
    """A version's content; a file is streamed from disk and checked like an upload."""
    if file is None:
        return services.Content(url=url, statement=statement, note=note)
    if url or statement:
        raise InputRefused("give exactly one of a file, a link or a written attestation")
    try:
        with file.open("rb") as handle:
            spooled = blobs.spool(
                blobs.chunks_of(handle), filename=file.name, organization=access.organization
            )
    except OSError as exc:
        raise InputRefused(f"cannot read: {exc.strerror or exc}", file=str(file)) from None
    return services.Content(spooled=spooled, filename=file.name, note=note)


def _owner(access: Access, owner: str) -> tuple[int | None, str]:
    """A member named by e-mail address becomes the owner; any other text is a name."""
    text = (owner or "").strip()
    if not text:
        return None, ""
    member = (
        Membership.objects.filter(organization=access.organization, user__email__iexact=text)
        .values_list("user_id", flat=True)
        .first()
    )
    return (member, "") if member is not None else (None, text)


def _detail(access: Access, item_id: int) -> Json:
    row = queries.item_detail(access.organization, item_id)
    if row is None:  # pragma: no cover - callers looked it up already
        raise NotFound(f"no evidence item {item_id} in {access.organization.slug}")
    return s.item_detail_out(row, today=timezone.localdate()).model_dump(mode="json")


def add(
    org: str,
    *,
    fields: dict[str, Any],
    owner: str = "",
    file: Path | None = None,
    url: str = "",
    statement: str = "",
    note: str = "",
) -> Json:
    """A new item with its first version; the item as ``GET …/evidence/{id}`` shows it."""
    access = operator_access(org)
    owner_id, owner_name = _owner(access, owner)
    values = services.ItemFields(**fields, owner_id=owner_id, owner_name=owner_name)
    content = _content(access, file=file, url=url, statement=statement, note=note)
    row = services.add_item(access, values, content)
    return _detail(access, row.pk)


def new_version(
    org: str,
    item_id: int,
    *,
    file: Path | None = None,
    url: str = "",
    statement: str = "",
    note: str = "",
) -> Json:
    access = operator_access(org)
    services.item(access, item_id)  # another organization's id: not found, nothing read
    content = _content(access, file=file, url=url, statement=statement, note=note)
    version = services.add_version(access, item_id, content)
    stored = queries.version_of(version.item, version.number)
    assert stored is not None  # just added
    return s.version_out(stored).model_dump(mode="json")


def items(org: str, *, text: str = "", kind: str = "", retired: bool = False) -> list[Json]:
    access = operator_access(org)
    today = timezone.localdate()
    rows = queries.library(access.organization, today=today, text=text, kind=kind, retired=retired)
    return [s.item_out(r, today=today, latest=r.latest).model_dump(mode="json") for r in rows]


def show(org: str, item_id: int) -> Json:
    access = operator_access(org)
    services.item(access, item_id)
    return _detail(access, item_id)


def link(
    org: str,
    item_id: int,
    *,
    profile: str,
    outcomes: Sequence[str],
    side: str = m.Side.CURRENT,
    statement: str = "",
) -> list[Json]:
    """Link an item to outcomes of one profile (by id or name): all of them or none."""
    access = operator_access(org)
    if not outcomes:
        raise InputRefused("name at least one outcome", field="outcome")
    row = lookups.profile_by_ref(access, profile)
    with transaction.atomic():
        made = [
            services.link(access, item_id, row.pk, code, side=side, statement=statement)
            for code in outcomes
        ]
    links = m.EvidenceLink.objects.filter(pk__in=[x.pk for x in made]).select_related(
        "profile", "reviewed_by"
    )
    return [s.link_out(x).model_dump(mode="json") for x in links]


def review(org: str, link_id: int, *, state: str, comment: str = "") -> Json:
    access = operator_access(org)
    services.review(access, link_id, state, comment)
    row = queries.link_detail(access.organization, link_id)
    assert row is not None  # just reviewed
    return s.link_out(row).model_dump(mode="json")


def due(org: str, *, days: int) -> list[Json]:
    """Items that expire within ``days``, and those already expired, soonest first."""
    access = operator_access(org)
    today = timezone.localdate()
    rows = queries.due(access.organization, days=days, today=today)
    return [s.due_out(r, today=today).model_dump(mode="json") for r in rows]


def import_scan_file(
    org_slug: str,
    path: Path,
    *,
    profile: str | None = None,
    format: str | None = None,
    rules: Path | None = None,
    valid_days: int = scans.DEFAULT_VALID_DAYS,
) -> dict[str, Any]:
    """Import one scanner file; the summary as ``--json`` prints it, plus where it went.

    ``rules`` is the user's rule file: its ``mode`` says whether it extends the
    shipped rule table or replaces it (docs/evidence-scanners.md).
    """
    access = operator_access(org_slug)
    profile_id = lookups.profile_by_ref(access, profile).pk if profile else None
    table = None
    if rules is not None:
        from csfpilot.scanners.rules import load_rules  # the scanner readers load lxml

        table = load_rules(
            rules.read_bytes(),
            name=str(rules),
            outcomes=scan_index().outcomes,
        )
    with path.open("rb") as handle:
        result = scans.import_scan(
            access,
            blobs.chunks_of(handle),
            path.name,
            profile_id=profile_id,
            format=format,
            rules=table,
            valid_days=valid_days,
        )
    return result.to_json() | {
        "item": result.scan.item_id,
        "version": result.scan.version.number,
        "sha256": result.scan.version.stored_file.sha256,
        "tool": f"{result.scan.tool} {result.scan.tool_version}".strip(),
        "scope": result.scan.scope,
        "normalised": {
            f"{a} -> {b}": n for (a, b), n in sorted(result.mapping.summary.normalised.items())
        },
        "skipped": result.mapping.summary.skipped,
    }
