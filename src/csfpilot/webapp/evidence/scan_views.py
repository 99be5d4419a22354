"""Scanner results pages: the imports, importing a file, one import's summary and findings.

An import keeps the tool's file as evidence, maps each finding to CSF 2.0
outcomes and flags the outcomes rated largely or fully that failing high or
critical findings contradict (:mod:`.scans`). Owners and assessors import;
every member reads.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import scans, uploads
from csfpilot.webapp.evidence.views import base_context, evidence_page
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import models as pm

FINDINGS_SHOWN = 200
STATUS_LABELS = {
    "pass": gettext_lazy("pass"),
    "fail": gettext_lazy("fail"),
    "manual": gettext_lazy("manual check"),
    "error": gettext_lazy("error"),
    "not-applicable": gettext_lazy("not applicable"),
}
SEVERITY_LABELS = {
    "critical": gettext_lazy("critical"),
    "high": gettext_lazy("high"),
    "medium": gettext_lazy("medium"),
    "low": gettext_lazy("low"),
    "info": gettext_lazy("informational"),
    "unknown": gettext_lazy("unknown"),
}
UNMAPPED_REASONS = {
    "no-ids": gettext_lazy("the finding names no SP 800-53, CSF or CCI id and no rule matches it"),
    "not-in-crosswalk": gettext_lazy(
        "its SP 800-53 control has no CSF 2.0 outcome in the crosswalk"
    ),
    "unknown-sp800-53-id": gettext_lazy("an SP 800-53 id that does not exist"),
    "unknown-csf-id": gettext_lazy("a CSF id that is not in the Core"),
    "ambiguous-id": gettext_lazy("an id that could mean more than one outcome"),
    "cci-list-not-imported": gettext_lazy("CCI ids only, and DISA's CCI list is not loaded"),
}


def _profiles(access: Access) -> list[pm.Profile]:
    return list(
        pm.Profile.objects.filter(organization=access.organization, kind="organizational")
        .order_by("name")
        .only("pk", "name")
    )


@require_GET
@evidence_page(Permission.VIEW)
def scan_list(request: HttpRequest, access: Access) -> HttpResponse:
    rows = (
        m.ScanImport.objects.filter(organization=access.organization)
        .select_related("profile", "item")
        .order_by("-imported_at", "-id")[:200]
    )
    return render(
        request,
        "evidence/scans.html",
        {
            **base_context(access, "scans"),
            "here": _("Scanner results"),
            "rows": rows,
            "can_import": access.can(Permission.EDIT_PROFILES)
            and access.can(Permission.ADD_EVIDENCE),
            "profiles": _profiles(access),
            "chosen_profile": request.GET.get("profile", ""),
        },
    )


@require_POST
@evidence_page(Permission.EDIT_PROFILES)
def scan_import(request: HttpRequest, access: Access) -> HttpResponse:
    slug = access.organization.slug
    if "file" not in request.FILES:
        messages.error(request, _("Choose the tool's results file to import."))
        return redirect("evidence:scans", slug=slug)
    profile = request.POST.get("profile") or None
    try:
        spooled, name = uploads.spool_upload(request, "file", access.organization, unread=True)
        result = scans.import_spooled(access, spooled, name, profile_id=profile)
    except (InputRefused, NotFound) as exc:
        messages.error(request, str(exc))
        return redirect("evidence:scans", slug=slug)
    summary = result.to_json()
    messages.success(
        request,
        _("Imported %(findings)s findings, %(mapped)s mapped to outcomes.")
        % {"findings": summary["findings"], "mapped": summary["mapped"]},
    )
    return redirect("evidence:scan", slug=slug, scan=result.scan.pk)


@require_GET
@evidence_page(Permission.VIEW)
def scan_page(request: HttpRequest, access: Access, scan: int) -> HttpResponse:
    row = (
        m.ScanImport.objects.filter(organization=access.organization, pk=scan)
        .select_related("profile", "item", "version__stored_file")
        .first()
    )
    if row is None:
        raise NotFound(f"no scan import {scan}")
    summary = row.summary or {}
    contradicted = set(summary.get("contradicted", []))
    outcomes = [
        {
            "code": code,
            "passed": counts.get("pass", 0),
            "failed": counts.get("fail", 0),
            "other": sum(n for k, n in counts.items() if k not in ("pass", "fail")),
            "contradicted": code in contradicted,
        }
        for code, counts in summary.get("outcomes", {}).items()
    ]
    outcomes.sort(key=lambda o: (not o["contradicted"], -o["failed"], o["code"]))
    chosen = (request.GET.get("outcome") or "").strip().upper()
    status = request.GET.get("status", "")
    if status not in STATUS_LABELS:
        status = ""
    findings = scans.findings(row, outcome=chosen, status=status)
    total = findings.count()
    return render(
        request,
        "evidence/scan.html",
        {
            **base_context(access, "scans"),
            "here": row.tool,
            "scan": row,
            "summary": summary,
            "unmapped": [
                (reason, n, UNMAPPED_REASONS.get(reason, ""))
                for reason, n in summary.get("unmapped", {}).items()
            ],
            "outcomes": outcomes,
            "contradicted": sorted(contradicted),
            "findings": list(findings[:FINDINGS_SHOWN]),
            "findings_total": total,
            "shown": min(total, FINDINGS_SHOWN),
            "chosen": chosen,
            "status": status,
            "status_labels": STATUS_LABELS,
            "severity_labels": SEVERITY_LABELS,
            "series_count": m.ScanImport.objects.filter(
                organization=access.organization, series=row.series
            ).count(),
        },
    )
