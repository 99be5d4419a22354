"""The sector benchmark page, and the owner's forms on it."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.webapp.jobs import services as jobs
from csfpilot.webapp.organizations.decorators import org_view
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.organizations.sectors import Sector
from csfpilot.webapp.sectors import disclosure, exchange, queries, services, stewardship
from csfpilot.webapp.sectors.forms import AggregateUploadForm, CountedProfileForm, SectorForm
from csfpilot.webapp.sectors.jobs import recompute_sector
from csfpilot.webapp.sectors.models import MemberStatus

SIDES = ("current", "target")


@org_view(Permission.VIEW)
@require_http_methods(["GET"])
def benchmark(request: HttpRequest, access: Access) -> HttpResponse:
    side = request.GET.get("side", "current")
    if side not in SIDES:
        side = "current"
    data = queries.benchmark(access)
    published = exchange.latest_aggregate(access)
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
            "published": published,
            "published_rows": exchange.published_rows(published, data, side),
            "can_edit": can_edit,
            "can_export": access.can(Permission.EXPORT),
            "aggregate_form": AggregateUploadForm(),
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


# -- the sector's steward (or the operator): which organizations count --------------------------


def _signed_in(view):  # type: ignore[no-untyped-def]
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc

    return wrapper


@_signed_in
@require_http_methods(["GET"])
def stewardship_home(request: HttpRequest) -> HttpResponse:
    """The sectors the signed-in account stewards, with how many organizations wait."""
    sectors = stewardship.stewarded_sectors(request.user)
    if not sectors:
        raise PermissionDenied(_("You are not the steward of any sector."))
    return render(
        request,
        "sectors/stewardship.html",
        {
            "sectors": [(key, Sector(key).label, stewardship.counts(key)) for key in sectors],
            "operator": stewardship.is_operator(request.user),
        },
    )


@_signed_in
@require_http_methods(["GET"])
def sector_members(request: HttpRequest, sector: str) -> HttpResponse:
    sector = stewardship.require_steward(request.user, sector)
    status = request.GET.get("status", "")
    if status not in MemberStatus.values:
        status = ""
    counts = stewardship.counts(sector)
    return render(
        request,
        "sectors/members.html",
        {
            "sector": sector,
            "sector_label": Sector(sector).label,
            "rows": stewardship.members(sector, status=status or None),
            "tabs": [(key, label, counts[key]) for key, label in MemberStatus.choices],
            "status": status,
            "k": disclosure.min_orgs(),
        },
    )


def _decide(request: HttpRequest, sector: str, slug: str, status: str) -> HttpResponse:
    sector = stewardship.require_steward(request.user, sector)
    row = stewardship.decide(request.user, sector, slug, status)
    name = row.organization.name
    if status == MemberStatus.APPROVED:
        messages.success(request, _("%(name)s is approved: its scores count.") % {"name": name})
    else:
        messages.success(
            request, _("%(name)s is revoked: its scores no longer count.") % {"name": name}
        )
    return redirect("sectors:members", sector=sector)


@_signed_in
@require_POST
def approve_member(request: HttpRequest, sector: str, slug: str) -> HttpResponse:
    return _decide(request, sector, slug, MemberStatus.APPROVED)


@_signed_in
@require_POST
def revoke_member(request: HttpRequest, sector: str, slug: str) -> HttpResponse:
    return _decide(request, sector, slug, MemberStatus.REVOKED)
