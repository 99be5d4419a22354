"""The report on one stored profile, in the reader's language, with the organization's look.

The domain objects come from the same reads the dashboard uses
(:mod:`csfpilot.webapp.profiles.lookups` and the snapshot history); the
report model itself is :func:`csfpilot.reports.model.build_report`, the same
one the command line builds from files.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import ProfileKind
from csfpilot.reports.branding import Branding
from csfpilot.reports.model import Provenance, Report, build_report
from csfpilot.reports.transfers import TransferView
from csfpilot.webapp.evidence.report_data import evidence_book
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.profiles.history import dated_profiles
from csfpilot.webapp.profiles.labels import SCALE_LABELS, SCOPE_LABELS, level_label
from csfpilot.webapp.reports.models import ReportTemplate
from csfpilot.webapp.reports.words import report_words
from csfpilot.webapp.site.templatetags.csf_display import FUNCTION_NAMES
from csfpilot.webapp.transfers import queries as queries_of_transfers
from csfpilot.webapp.transfers import services as transfers


@dataclass(frozen=True)
class Look:
    """The organization's stored template and branding, if it has any."""

    template: str | None
    template_name: str
    branding: Branding
    has_logo: bool
    row: ReportTemplate | None


def look(access: Access) -> Look:
    row = ReportTemplate.objects.filter(organization=access.organization).first()
    if row is None:
        return Look(None, "", Branding(), False, None)
    logo = ""
    if row.logo:
        logo = f"data:{row.logo_type};base64,{base64.b64encode(bytes(row.logo)).decode('ascii')}"
    return Look(
        row.template or None,
        row.template_name or "template.html",
        Branding(logo=logo, primary=row.primary, accent=row.accent),
        bool(row.logo),
        row,
    )


MAX_TRANSFERS = 5
"""Frameworks one report may add sections for."""


def transfer_views(access: Access, profile_id: Any, keys: Sequence[str]) -> list[TransferView]:
    """The profile's results transferred to each framework, for the report's sections."""
    wanted = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    if len(wanted) > MAX_TRANSFERS:
        raise InputRefused(f"a report adds at most {MAX_TRANSFERS} frameworks", field="transfer_to")
    views = []
    for key in wanted:
        p = transfers.preview(access, profile_id, to=key)
        fw = queries_of_transfers.target_framework(key)
        views.append(TransferView(p.transfer, f"{fw.name} {fw.version}".strip(), p.texts))
    return views


def report(
    access: Access, profile_id: Any, kind: str, *, transfer_to: Sequence[str] = ()
) -> Report:
    """The report of ``kind`` on the organization's profile, with its branding applied.

    ``transfer_to`` (framework keys) adds a section per framework with the results
    transferred to it: the workpaper's and the brief's, in every format.
    """
    lookups.ensure(access, Permission.EXPORT)
    row = lookups.profile(access, profile_id)
    if row.kind == ProfileKind.COMMUNITY.value:
        raise InputRefused(
            "reports are made for Organizational Profiles; a Community Profile holds targets only",
            field="profile",
        )
    views = transfer_views(access, profile_id, transfer_to) if transfer_to else []
    framework = lookups.framework_of(row)
    profile = lookups.domain_profile(row)
    _rows, history = dated_profiles(row)
    fw = row.framework
    scale = profile.scale
    built = build_report(
        profile,
        framework,
        kind=kind,
        provenance=Provenance(
            fw.key, fw.name, fw.version, fw.publisher, fw.source_file, fw.source_sha256
        ),
        history=history,
        today=timezone.localdate(),
        generated=timezone.localtime(),
        organization=access.organization.name,
        language=get_language() or "en",
        words=report_words(),
        group_names={k: str(v) for k, v in FUNCTION_NAMES.items()},
        level_label=level_label,
        scope_label=str(SCOPE_LABELS.get(row.scope_type, row.scope_type)),
        scale_label=str(SCALE_LABELS[scale.key]) if scale.builtin else scale.name,
        snapshot_label=lambda when: timezone.localtime(when).date().isoformat(),
        evidence=evidence_book(row, today=timezone.localdate()),
        transfers=views,
    )
    return built.with_branding(look(access).branding)
