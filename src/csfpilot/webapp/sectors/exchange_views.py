"""Pages of the sector benchmark between instances (docs/sectors.md), over :mod:`.exchange`.

A member organization previews and downloads its signed contribution and imports the
sector body's aggregate; the sector's steward (or the operator) keeps the member key list,
uploads contributions and publishes the aggregate. The rules are :mod:`.exchange`'s, the
same the command line applies.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.formats.packages import MAX_PACKAGE_BYTES, grouped
from csfpilot.webapp.organizations.decorators import body_permission, org_view
from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.organizations.permissions import Access, require
from csfpilot.webapp.organizations.roles import Permission, permissions_of
from csfpilot.webapp.organizations.sectors import Sector
from csfpilot.webapp.packages import services as packages
from csfpilot.webapp.sectors import disclosure, exchange, queries, stewardship
from csfpilot.webapp.sectors.forms import (
    AggregateUploadForm,
    ContributionForm,
    MemberKeyForm,
    PublishForm,
)
from csfpilot.webapp.sectors.views import _signed_in

# A sector body receives contributions in batches; more than this per upload is refused
# so that one request cannot keep the server verifying signatures for minutes.
MAX_UPLOADS = 50


def _attachment(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _read(upload: Any) -> bytes:
    if upload.size > MAX_PACKAGE_BYTES:
        raise InputRefused(
            f"the file has {upload.size:,} bytes; a package has at most {MAX_PACKAGE_BYTES:,}",
            file=upload.name,
        )
    return bytes(upload.read())


# -- a member organization ---------------------------------------------------------------------


def _contribution_form(request: HttpRequest, access: Access) -> ContributionForm:
    profiles = queries.profile_choices(access)
    data = request.GET if "sector" in request.GET else None
    initial = {"sector": access.organization.sector}
    return ContributionForm(data, initial=initial, profiles=profiles)


@org_view(Permission.EXPORT)
@require_GET
def contribution(request: HttpRequest, access: Access) -> HttpResponse:
    """The contribution's exact content before it is signed and downloaded."""
    form = _contribution_form(request, access)
    rows: list[tuple[str, str, Any]] = []
    refused = ""
    sector = form.cleaned_data["sector"] if form.is_valid() else access.organization.sector
    profile = form.cleaned_data.get("profile") if form.is_bound and form.is_valid() else None
    if sector:
        try:
            rows = exchange.contribution_preview(access, sector, profile or None)
        except (InputRefused, NotFound) as exc:
            refused = str(exc)
    key = next((k for k in packages.keys(access.organization) if k.state == "active"), None)
    return render(
        request,
        "sectors/contribution.html",
        {
            "access": access,
            "org": access.organization,
            "form": form,
            "rows": rows,
            "refused": refused,
            "sector": sector,
            "profile": profile or "",
            "fingerprint": grouped(key.fingerprint) if key else "",
        },
    )


@org_view(Permission.EXPORT)
@require_GET
def contribution_download(request: HttpRequest, access: Access) -> HttpResponse:
    form = _contribution_form(request, access)
    back = redirect("sectors:contribution", slug=access.organization.slug)
    if not form.is_valid():
        messages.error(request, _("Choose a sector."))
        return back
    try:
        signed = exchange.contribution_package(
            access, form.cleaned_data["sector"], form.cleaned_data["profile"] or None
        )
    except (InputRefused, NotFound) as exc:
        messages.error(request, str(exc))
        return back
    filename = f"{access.organization.slug}-{form.cleaned_data['sector']}.contribution.json"
    return _attachment(signed.data, filename)


@body_permission(Permission.EDIT_SETTINGS)
@org_view(Permission.EDIT_SETTINGS)
@require_POST
def import_aggregate(request: HttpRequest, access: Access) -> HttpResponse:
    """Keep the sector body's signed aggregate; a refusal says why (untrusted key, altered
    member, replay, older than the one kept)."""
    form = AggregateUploadForm(request.POST, request.FILES)
    back = redirect("sectors:benchmark", slug=access.organization.slug)
    if not form.is_valid():
        messages.error(request, _("Choose the aggregate package file."))
        return back
    upload = form.cleaned_data["file"]
    try:
        row = exchange.import_aggregate(access, _read(upload), filename=upload.name)
    except (InputRefused, NotFound) as exc:
        messages.error(request, _("Refused: %(reason)s") % {"reason": exc})
        return back
    messages.success(
        request,
        _(
            "The aggregate published by %(source)s is imported: signed with %(fp)s, "
            "which you trust as %(name)s."
        )
        % {"source": row.source, "fp": grouped(row.fingerprint), "name": row.trusted_as},
    )
    return back


# -- the sector body: its steward or the operator ---------------------------------------------


def _publishers(request: HttpRequest) -> list[Any]:
    """The organizations whose key the signed-in account may sign an aggregate with."""
    rows = Membership.objects.filter(user=request.user).select_related("organization")
    return sorted(
        (m.organization for m in rows if Permission.EXPORT in permissions_of(m.role)),
        key=lambda o: o.name,
    )


def _exchange_page(
    request: HttpRequest, sector: str, received: list[exchange.Received] | None = None
) -> HttpResponse:
    contributors, rows = exchange.aggregate_rows(sector)
    return render(
        request,
        "sectors/exchange.html",
        {
            "sector": sector,
            "sector_label": Sector(sector).label,
            "members": exchange.remote_members(sector),
            "key_form": MemberKeyForm(),
            "publish_form": PublishForm(orgs=_publishers(request)),
            "received": received,
            "contributors": contributors,
            "rows": rows,
            "k": disclosure.min_orgs(),
            "max_uploads": MAX_UPLOADS,
        },
    )


@_signed_in
@require_GET
def sector_exchange(request: HttpRequest, sector: str) -> HttpResponse:
    return _exchange_page(request, stewardship.require_steward(request.user, sector))


@_signed_in
@require_POST
def member_key_add(request: HttpRequest, sector: str) -> HttpResponse:
    sector = stewardship.require_steward(request.user, sector)
    form = MemberKeyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the member's name and its key's fingerprint."))
    else:
        try:
            row = exchange.add_member(
                sector, form.cleaned_data["name"], form.cleaned_data["fingerprint"], request.user
            )
        except InputRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s is on the member list: contributions signed by %(fp)s count.")
                % {"name": row.name, "fp": grouped(row.fingerprint)},
            )
    return redirect("sectors:exchange", sector=sector)


@_signed_in
@require_POST
def member_key_remove(request: HttpRequest, sector: str, fingerprint: str) -> HttpResponse:
    sector = stewardship.require_steward(request.user, sector)
    row = exchange.revoke_member(sector, fingerprint, request.user)
    messages.success(
        request,
        _("%(name)s is off the member list: its contribution no longer counts.")
        % {"name": row.name},
    )
    return redirect("sectors:exchange", sector=sector)


@_signed_in
@require_http_methods(["POST"])
def contributions_upload(request: HttpRequest, sector: str) -> HttpResponse:
    """Verify each uploaded contribution; the page lists what was kept and what was refused."""
    sector = stewardship.require_steward(request.user, sector)
    uploads = request.FILES.getlist("file")
    if not uploads:
        messages.error(request, _("Choose one or more contribution files."))
        return redirect("sectors:exchange", sector=sector)
    if len(uploads) > MAX_UPLOADS:
        messages.error(request, _("At most %(n)s files at a time.") % {"n": MAX_UPLOADS})
        return redirect("sectors:exchange", sector=sector)
    batch: list[tuple[bytes, str]] = []
    early: list[exchange.Received] = []
    for upload in uploads:
        try:
            batch.append((_read(upload), upload.name))
        except InputRefused as exc:
            early.append(exchange.Received(upload.name, reason=str(exc)))
    received = early + exchange.import_contributions(batch, sector, user=request.user)
    return _exchange_page(request, sector, received)


@_signed_in
@require_POST
def publish(request: HttpRequest, sector: str) -> HttpResponse:
    """The signed aggregate, signed with the key of an organization the account may export."""
    sector = stewardship.require_steward(request.user, sector)
    form = PublishForm(request.POST, orgs=_publishers(request))
    if not form.is_valid():
        messages.error(
            request,
            _("Choose the sector body's organization: one where you may export packages."),
        )
        return redirect("sectors:exchange", sector=sector)
    access = require(request, form.cleaned_data["org"], Permission.EXPORT)
    signed = exchange.aggregate_package(access, sector)
    return _attachment(signed.data, f"{sector}.aggregate.json")
