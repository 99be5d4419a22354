"""Changing an organization's report template: only owners and assessors, only checked input.

A template is refused unless it compiles in the sandbox *and* renders this
profile's brief and workpaper within the render limits, without an error and
without anything that could run script or load a resource (the same checks
run again on every later render, whatever data the profile then holds); a
logo unless it really is a PNG or JPEG within the size limit. Nothing is
stored from a refused upload.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction

from csfpilot.core.errors import InputRefused
from csfpilot.reports.branding import Branding, check_colour, logo_mime
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.reports import queries, rendering
from csfpilot.webapp.reports.models import ReportTemplate


@dataclass(frozen=True)
class TemplateChange:
    """What an upload asks for; ``None`` leaves that part as it is."""

    template: str | None = None
    template_name: str = ""
    clear_template: bool = False
    logo: bytes | None = None
    logo_name: str = "logo"
    remove_logo: bool = False
    primary: str | None = None
    accent: str | None = None


def decode_template(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputRefused(
            f"the template is not UTF-8 text (byte {exc.start})", file=name, field="template"
        ) from None


@transaction.atomic
def save_template(access: Access, profile_id: int, change: TemplateChange) -> ReportTemplate:
    """Store the organization's template, logo and colours after checking them on a profile."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    rows = ReportTemplate.objects.select_for_update()
    row = rows.filter(organization=access.organization).first()
    if row is None:
        row = ReportTemplate(organization=access.organization)
    before = None if row.pk is None else _audited(row)
    if change.primary is not None:
        row.primary = check_colour(change.primary, field="primary")
    if change.accent is not None:
        row.accent = check_colour(change.accent, field="accent")
    if change.remove_logo:
        row.logo, row.logo_type = None, ""
    if change.logo is not None:
        row.logo_type = logo_mime(change.logo, name=change.logo_name)
        row.logo = change.logo
    if change.clear_template:
        row.template, row.template_name = "", ""
    if change.template is not None:
        row.template = change.template
        row.template_name = (change.template_name or "template.html")[:200]
    if row.template:
        # Jinja2's sandbox and the HTML checker only when a template is tried, not at start.
        from csfpilot.reports.html import render_html

        # Try it on this profile, both kinds, with the new branding: refused now, not later.
        branding = Branding(primary=row.primary, accent=row.accent)
        for kind in ("brief", "workpaper"):
            report = queries.report(access, profile_id, kind).with_branding(branding)
            render_html(
                report,
                template=row.template,
                template_name=row.template_name,
                limits=rendering.limits(),
            )
    row.updated_by_id = lookups.acting_user_id(access)
    row.save()
    changes = audit.diff(before or {}, _audited(row))
    if changes:
        action = audit.Action.CREATE if before is None else audit.Action.UPDATE
        audit.record(
            access, "report_template", row.pk, action, label=row.template_name, changes=changes
        )
    return row


def _audited(row: ReportTemplate) -> dict[str, object]:
    """What the audit trail records of a report template: the files by SHA-256, not content."""
    return {
        "template_name": row.template_name,
        "template_sha256": hashlib.sha256(row.template.encode()).hexdigest()
        if row.template
        else "",
        "logo_sha256": hashlib.sha256(bytes(row.logo)).hexdigest() if row.logo else "",
        "primary": row.primary,
        "accent": row.accent,
    }


@transaction.atomic
def delete_template(access: Access) -> bool:
    """Back to csfpilot's own templates and look; True when there was anything to remove."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    row = ReportTemplate.objects.filter(organization=access.organization).first()
    if row is None:
        return False
    before, pk = _audited(row), row.pk
    row.delete()
    audit.record(
        access,
        "report_template",
        pk,
        audit.Action.DELETE,
        label=before["template_name"],
        changes=audit.deleted(before),
    )
    return True
