"""The sector benchmark page, and the owner's forms on it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.jobs import services as jobs
from csfpilot.webapp.organizations.decorators import org_view
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.sectors import queries, services
from csfpilot.webapp.sectors.forms import CountedProfileForm, SectorForm
from csfpilot.webapp.sectors.jobs import recompute_sector

SIDES = ("current", "target")


@org_view(Permission.VIEW)
@require_http_methods(["GET"])
def benchmark(request: HttpRequest, access: Access) -> HttpResponse:
    side = request.GET.get("side", "current")
    if side not in SIDES:
        side = "current"
    data = queries.benchmark(access)
    profiles = queries.profile_choices(access)
    can_edit = access.can(Permission.EDIT_SETTINGS)
    designated = services.designated_profile_id(access.organization)
    return render(
        request,
        "sectors/benchmark.html",
        {
            "access": access,
            "org": access.organization,
            "bench": data,
            "side": side,
            "rows": [(row, row.side(side)) for row in data.rows],
            "can_edit": can_edit,
            "sector_form": SectorForm(initial={"sector": access.organization.sector}),
            "profile_form": CountedProfileForm(
                profiles=profiles, initial={"profile": str(designated or "")}
            ),
        },
    )


@org_view(Permission.EDIT_SETTINGS)
@require_POST
def set_sector(request: HttpRequest, access: Access) -> HttpResponse:
    form = SectorForm(request.POST)
    if form.is_valid():
        services.set_sector(access, form.cleaned_data["sector"])
        messages.success(request, _("The sector is saved."))
    else:
        messages.error(request, _("Choose a sector from the list."))
    return redirect("sectors:benchmark", slug=access.organization.slug)


@org_view(Permission.EDIT_SETTINGS)
@require_POST
def set_profile(request: HttpRequest, access: Access) -> HttpResponse:
    form = CountedProfileForm(request.POST, profiles=queries.profile_choices(access))
    if not form.is_valid():
        messages.error(request, _("Choose one of the organization's Organizational Profiles."))
    else:
        try:
            services.designate_profile(access, form.cleaned_data["profile"] or None)
        except InputRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The profile that counts in the benchmark is saved."))
    return redirect("sectors:benchmark", slug=access.organization.slug)


@org_view(Permission.EDIT_SETTINGS)
@require_POST
def recompute(request: HttpRequest, access: Access) -> HttpResponse:
    job = jobs.enqueue(
        recompute_sector,
        access=access,
        label=_("Recompute sector scores"),
    )
    messages.success(request, _("The recompute is queued."))
    return redirect("jobs:detail", slug=access.organization.slug, job_id=job.pk)
