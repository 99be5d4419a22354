"""The Reports tab of a profile: a download for each report and format, and the organization's
own template. Thin views: the permission layer admits the caller, :mod:`.queries` builds the
report, :func:`csfpilot.reports.render.render` writes the file."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.reports.branding import MAX_LOGO_BYTES
from csfpilot.reports.render import FORMATS, KINDS, MAX_TEMPLATE_BYTES, check_format
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.decorators import body_permission
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.profiles.views import profile_context, profile_page
from csfpilot.webapp.reports import queries, rendering, services
from csfpilot.webapp.reports.forms import TemplateForm
from csfpilot.webapp.reports.responses import VIEWABLE, check_disposition, report_response
from csfpilot.webapp.transfers import queries as transfer_queries

FORMAT_NAMES = {"html": "HTML", "pdf": "PDF", "xlsx": "Excel", "md": "Markdown", "docx": "Word"}


def _downloads(access: Access, pk: int, transfer_to: list[str]) -> list[dict[str, object]]:
    slug = access.organization.slug
    # Every link carries the frameworks chosen for the transfer sections.
    extra = urlencode([("transfer_to", k) for k in transfer_to])
    descriptions = {
        "brief": _(
            "One or two pages for the board: the Tiers, the score per Function, the largest "
            "gaps, the trend since the last snapshot and how far the action plan has come."
        ),
        "workpaper": _(
            "For the auditor: every included outcome with both sides, rationale, practices, "
            "references, evidence, owner and notes; every gap; the full action plan; the method "
            "and the data provenance."
        ),
    }
    titles = {"brief": _("Board brief"), "workpaper": _("Detailed workpaper")}
    return [
        {
            "kind": kind,
            "title": titles[kind],
            "text": descriptions[kind],
            "view": reverse("reports:download", args=[slug, pk, kind, VIEWABLE[0]])
            + "?disposition=inline"
            + (f"&{extra}" if extra else ""),
            "links": [
                (
                    FORMAT_NAMES[fmt],
                    reverse("reports:download", args=[slug, pk, kind, fmt])
                    + (f"?{extra}" if extra else ""),
                )
                for fmt, spec in FORMATS.items()
                if kind in spec.kinds
            ],
        }
        for kind in KINDS
    ]


@body_permission(Permission.EDIT_PROFILES)  # uploads: refused before they are read
@profile_page(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def reports_page(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    row = lookups.profile(access, pk)
    targets = transfer_queries.target_choices(row.framework.key, access.organization)
    known = {key for key, _name in targets}
    chosen = [k for k in request.GET.getlist("transfer_to") if k in known][: queries.MAX_TRANSFERS]
    look = queries.look(access)
    can_upload = access.can(Permission.EDIT_PROFILES)
    initial = {"primary": look.branding.primary, "accent": look.branding.accent}
    form = TemplateForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not can_upload:
            raise PermissionMissing(Permission.EDIT_PROFILES, access.role.value)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            template_file, logo_file = data["template"], data["logo"]
            try:
                change = services.TemplateChange(
                    template=services.decode_template(
                        _read(template_file, MAX_TEMPLATE_BYTES), template_file.name
                    )
                    if template_file
                    else None,
                    template_name=template_file.name if template_file else "",
                    clear_template=data["clear_template"],
                    logo=_read(logo_file, MAX_LOGO_BYTES) if logo_file else None,
                    logo_name=logo_file.name if logo_file else "logo",
                    remove_logo=data["remove_logo"],
                    primary=data["primary"],
                    accent=data["accent"],
                )
                services.save_template(access, pk, change)
            except InputRefused as exc:
                field = "logo" if exc.file and logo_file and exc.file == logo_file.name else None
                form.add_error(field or ("template" if template_file else None), str(exc))
            else:
                messages.success(request, _("The report template is saved."))
                return redirect("reports:page", slug=access.organization.slug, pk=pk)
    return render(
        request,
        "reports/page.html",
        {
            **profile_context(access, row, "reports"),
            "downloads": _downloads(access, pk, chosen) if access.can(Permission.EXPORT) else [],
            "transfer_targets": targets,
            "transfer_chosen": chosen,
            "look": look,
            "form": form,
            "can_upload": can_upload,
            "extends_example": '{% extends "brief.html" %}',
        },
        status=status,
    )


def _read(upload, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes, so that an oversized file is refused by its real size."""
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise InputRefused(f"the file has more than {limit} bytes", file=upload.name)
    return data


@profile_page(Permission.EXPORT)
@require_GET
def download(request: HttpRequest, access: Access, pk: int, kind: str, fmt: str) -> HttpResponse:
    """One report in one format, made now from the stored profile.

    A download by default; ``?disposition=inline`` opens an HTML report in the browser.
    """
    try:
        spec = check_format(kind, fmt)
        disposition = check_disposition(request.GET.get("disposition") or "attachment", fmt)
    except InputRefused as exc:
        raise Http404(str(exc)) from exc
    try:
        name, data = rendering.made_file(access, pk, kind, fmt, request.GET.getlist("transfer_to"))
    except (rendering.ReportRefused, NotFound) as exc:  # a Community Profile has no report
        raise Http404(str(exc)) from exc
    except rendering.Busy as exc:
        return busy(request, exc, reverse("reports:page", args=[access.organization.slug, pk]))
    except InputRefused as exc:  # the organization's template fails on this profile
        messages.error(request, _("The report could not be made: %(reason)s") % {"reason": exc})
        return redirect("reports:page", slug=access.organization.slug, pk=pk)
    audit.record_download(access, "report", pk, label=name, filename=name, size=len(data), fmt=fmt)
    return report_response(data, spec, name, disposition)


def busy(request: HttpRequest, exc: rendering.Busy, back: str) -> HttpResponse:
    """429 with Retry-After: the report is not queued, the caller asks again later."""
    response = render(
        request, "reports/busy.html", {"reason": exc.reason(), "back": back}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response
