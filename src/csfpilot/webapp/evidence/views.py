"""Evidence library pages: the list, adding an item, one item, its versions and downloads.

An item is what proves a rating (a policy, a log export, a signed statement);
its versions are kept for ever, each downloadable. Each view is thin: the
permission layer admits the caller (``@evidence_page``: 404 outside their
organization or for another tenant's item, 403 without the permission), one
service or query does the work, a template shows it. Links, reviews and the
outcome lists are in :mod:`.link_views`, requests in :mod:`.request_views`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.core.evidence import EvidenceKind, Freshness
from csfpilot.webapp.evidence import downloads, forms, page_queries, queries, services, uploads
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence.labels import (
    CONFIDENTIALITY_LABELS,
    FORM_LABELS,
    FRESHNESS_LABELS,
    KIND_LABELS,
    REVIEW_LABELS,
    SIDE_LABELS,
)
from csfpilot.webapp.organizations.decorators import org_page
from csfpilot.webapp.organizations.forms import refuse
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing
from csfpilot.webapp.organizations.roles import Permission

# 404 for an object the organization does not have (see organizations.decorators).
evidence_page = org_page


def labels() -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "freshness_labels": FRESHNESS_LABELS,
        "review_labels": REVIEW_LABELS,
        "side_labels": SIDE_LABELS,
        "form_labels": FORM_LABELS,
        "confidentiality_labels": CONFIDENTIALITY_LABELS,
    }


def base_context(access: Access, section: str) -> dict[str, Any]:
    return {
        "access": access,
        "org": access.organization,
        "section": section,
        "can_add": access.can(Permission.ADD_EVIDENCE),
        "can_review": access.can(Permission.REVIEW_EVIDENCE),
        **labels(),
    }


# -- the library ---------------------------------------------------------------------------

PAGE_SIZE = 200


@evidence_page(Permission.VIEW)
@require_GET
def library(request: HttpRequest, access: Access) -> HttpResponse:
    """The library: search, a kind filter, live or retired items, each with its freshness."""
    text = (request.GET.get("q") or "").strip()[:200]
    kind = request.GET.get("kind") or ""
    if kind not in {k.value for k in EvidenceKind}:
        kind = ""
    retired = request.GET.get("tab") == "retired"
    rows = list(
        queries.items(access.organization, text=text, kind=kind, retired=retired)[: PAGE_SIZE + 1]
    )
    today = timezone.localdate()
    return render(
        request,
        "evidence/library.html",
        {
            **base_context(access, "library"),
            "rows": page_queries.library_rows(rows[:PAGE_SIZE], today),
            "more": len(rows) > PAGE_SIZE,
            "q": text,
            "kind": kind,
            "retired": retired,
            "kinds": [(k.value, KIND_LABELS[k]) for k in EvidenceKind],
            "expiring": queries.expiring_counts(access.organization, today=today),
        },
    )


# -- adding an item ------------------------------------------------------------------------

ADD_FORMS = ("file", "link", "attestation")


def _add_forms(access: Access, data: Any = None, which: str = "") -> dict[str, Any]:
    members = page_queries.members(access)
    out = {}
    for name in ADD_FORMS:
        bound = data if name == which else None
        out[name] = forms.ItemForm(
            bound, members=members, prefix=name, initial={"kind": _default_kind(name)}
        )
    out["file_content"] = forms.FileContentForm(data if which == "file" else None, prefix="file")
    out["link_content"] = forms.LinkContentForm(data if which == "link" else None, prefix="link")
    out["attestation_content"] = forms.AttestationContentForm(
        data if which == "attestation" else None, prefix="attestation"
    )
    return out


def _default_kind(name: str) -> str:
    return EvidenceKind.ATTESTATION.value if name == "attestation" else EvidenceKind.OTHER.value


def _render_add(
    request: HttpRequest, access: Access, forms_: dict[str, Any], which: str, status: int = 200
) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    link_to = {
        "profile": (source.get("link_profile") or source.get("profile") or "")[:20],
        "outcome": (source.get("link_outcome") or source.get("outcome") or "")[:40],
    }
    return render(
        request,
        "evidence/add.html",
        {
            **base_context(access, "library"),
            "f": forms_,
            "which": which or "file",
            "link_to": link_to if link_to["profile"] and link_to["outcome"] else None,
        },
        status=status,
    )


@evidence_page(Permission.ADD_EVIDENCE)
@require_GET
def add(request: HttpRequest, access: Access) -> HttpResponse:
    """One page, three forms: upload a file, record a link, write an attestation."""
    which = request.GET.get("form") if request.GET.get("form") in ADD_FORMS else ""
    return _render_add(request, access, _add_forms(access), which)


def _add(request: HttpRequest, access: Access, which: str) -> HttpResponse:
    f = _add_forms(access, request.POST, which)
    item_form, content_form = f[which], f[f"{which}_content"]
    if item_form.is_valid() and content_form.is_valid():
        note = content_form.cleaned_data["note"]
        try:
            if which == "file":
                spooled, name = uploads.spool_upload(request, "file", access.organization)
                content = services.Content(spooled=spooled, filename=name, note=note)
            elif which == "link":
                content = services.Content(url=content_form.cleaned_data["url"], note=note)
            else:
                content = services.Content(
                    statement=content_form.cleaned_data["statement"], note=note
                )
            row = services.add_item(access, item_form.item_fields(), content)
            _link_new_item(request, access, row)
        except InputRefused as exc:
            field = getattr(exc, "field", None)
            target = content_form if field in content_form.fields else item_form
            if field == "file":
                item_form.add_error(None, exc.message)
            else:
                refuse(target, exc)
        else:
            messages.success(
                request, _("%(title)s is added to the library.") % {"title": row.title}
            )
            return redirect("evidence:item", slug=access.organization.slug, item=row.pk)
    return _render_add(request, access, f, which, status=400)


def _link_new_item(request: HttpRequest, access: Access, row: m.EvidenceItem) -> None:
    """An item added from an outcome's "Upload" is linked to that outcome at once."""
    profile, code = request.POST.get("link_profile"), request.POST.get("link_outcome")
    if not profile or not code:
        return
    try:
        services.link(access, row.pk, profile, code)
    except (InputRefused, ConflictError, NotFound, PermissionMissing):
        messages.error(
            request,
            _("%(title)s is added but not linked to %(code)s.")
            % {"title": row.title, "code": code},
        )
    else:
        messages.success(request, _("Linked to %(codes)s.") % {"codes": code})


@evidence_page(Permission.ADD_EVIDENCE)
@require_POST
def add_file(request: HttpRequest, access: Access) -> HttpResponse:
    return _add(request, access, "file")


@evidence_page(Permission.ADD_EVIDENCE)
@require_POST
def add_link(request: HttpRequest, access: Access) -> HttpResponse:
    return _add(request, access, "link")


@evidence_page(Permission.ADD_EVIDENCE)
@require_POST
def add_attestation(request: HttpRequest, access: Access) -> HttpResponse:
    return _add(request, access, "attestation")


# -- one item ------------------------------------------------------------------------------


def _item_or_404(access: Access, item: int) -> m.EvidenceItem:
    row = queries.item_detail(access.organization, item)
    if row is None:
        raise Http404(f"no evidence item {item}")
    return row


def _version_form(row: m.EvidenceItem, data: Any = None) -> Any:
    if row.form == m.Form.LINK:
        return forms.LinkContentForm(data, prefix="version")
    if row.form == m.Form.ATTESTATION:
        return forms.AttestationContentForm(data, prefix="version")
    return forms.FileContentForm(data, prefix="version")


def _render_item(
    request: HttpRequest,
    access: Access,
    row: m.EvidenceItem,
    *,
    edit_form: forms.EditForm | None = None,
    version_form: Any = None,
    link_form: forms.LinkOutcomesForm | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    members = page_queries.members(access)
    profiles = page_queries.profile_choices(access)
    may_change = page_queries.may_change(access, row)
    fresh = queries.item_freshness(row, today)
    return render(
        request,
        "evidence/item.html",
        {
            **base_context(access, "library"),
            "item": row,
            "here": row.title,
            "freshness": fresh,
            "versions": list(row.versions.all()),
            "links": page_queries.link_rows(access, row),
            "may_change": may_change,
            "can_link": access.can(Permission.ADD_EVIDENCE) and row.retired_at is None,
            "edit_form": edit_form
            or forms.EditForm(initial=forms.ItemForm.initial_of(row), members=members),
            "version_form": version_form or _version_form(row),
            "link_form": link_form or forms.LinkOutcomesForm(profiles=profiles),
            "review_form": forms.ReviewForm(),
            "has_profiles": bool(profiles),
            "conflict": conflict,
            "cited_by_snapshots": row.snapshots.count(),
            "cited_by_scans": row.scan_imports.count(),
            "expired": fresh is Freshness.EXPIRED,
        },
        status=status,
    )


@evidence_page(Permission.VIEW)
@require_GET
def item_page(request: HttpRequest, access: Access, item: int) -> HttpResponse:
    """An item: its facts and freshness, every version, the outcomes it is linked to."""
    return _render_item(request, access, _item_or_404(access, item))


@evidence_page(Permission.ADD_EVIDENCE)
@require_POST
def item_edit(request: HttpRequest, access: Access, item: int) -> HttpResponse:
    """Save an item's description against the version the form was opened at."""
    row = _item_or_404(access, item)
    form = forms.EditForm(request.POST, members=page_queries.members(access))
    if not form.is_valid():
        return _render_item(request, access, row, edit_form=form, status=400)
    try:
        services.update_item(
            access, row.pk, form.item_fields(), version=form.cleaned_data["version"]
        )
    except ConflictError as exc:
        return _render_item(request, access, row, edit_form=form, conflict=str(exc), status=409)
    except InputRefused as exc:
        refuse(form, exc)
        return _render_item(request, access, row, edit_form=form, status=400)
    messages.success(request, _("%(title)s is saved.") % {"title": form.cleaned_data["title"]})
    return redirect("evidence:item", slug=access.organization.slug, item=row.pk)


@evidence_page(Permission.ADD_EVIDENCE)
@require_POST
def item_version(request: HttpRequest, access: Access, item: int) -> HttpResponse:
    """A new version: the earlier ones stay, unchanged and downloadable."""
    row = _item_or_404(access, item)
    form = _version_form(row, request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if row.form == m.Form.FILE:
                spooled, name = uploads.spool_upload(request, "file", access.organization)
                content = services.Content(spooled=spooled, filename=name, note=note)
            elif row.form == m.Form.LINK:
                content = services.Content(url=form.cleaned_data["url"], note=note)
            else:
                content = services.Content(statement=form.cleaned_data["statement"], note=note)
            version = services.add_version(access, row.pk, content)
        except (InputRefused, ConflictError) as exc:
            form.add_error(None, getattr(exc, "message", None) or str(exc))
        else:
            messages.success(
                request,
                _("Version %(n)s of %(title)s is kept.")
                % {"n": version.number, "title": row.title},
            )
            return redirect("evidence:item", slug=access.organization.slug, item=row.pk)
    return _render_item(request, access, row, version_form=form, status=400)


@evidence_page(Permission.ADD_EVIDENCE)
@require_POST
def item_retire(request: HttpRequest, access: Access, item: int) -> HttpResponse:
    """Retire an item (it stops supporting any rating, and stays) or restore it."""
    restore = request.POST.get("restore") == "1"
    row = services.retire(access, item, restore=restore)
    if restore:
        messages.success(request, _("%(title)s is back in the library.") % {"title": row.title})
    else:
        messages.success(
            request,
            _("%(title)s is retired: it no longer supports any rating.") % {"title": row.title},
        )
    return redirect("evidence:item", slug=access.organization.slug, item=row.pk)


@evidence_page(Permission.ADD_EVIDENCE)
@require_POST
def item_remove(request: HttpRequest, access: Access, item: int) -> HttpResponse:
    """Remove an item with its versions, unless a snapshot or an imported scan cites it."""
    row = services.item(access, item)
    if request.POST.get("confirm") != "on":
        messages.error(request, _("Tick the box to confirm the removal; nothing was removed."))
        return redirect("evidence:item", slug=access.organization.slug, item=row.pk)
    try:
        services.remove(access, row.pk)
    except ConflictError:
        messages.error(
            request,
            _(
                "%(title)s cannot be removed: a frozen snapshot or an imported scan cites it. "
                "Retire it instead; it then supports no rating but stays for the record."
            )
            % {"title": row.title},
        )
        return redirect("evidence:item", slug=access.organization.slug, item=row.pk)
    messages.success(request, _("%(title)s is removed.") % {"title": row.title})
    return redirect("evidence:library", slug=access.organization.slug)


@evidence_page(Permission.VIEW)
@require_GET
def download(request: HttpRequest, access: Access, item: int, number: int) -> HttpResponse:
    """One version's file, as an attachment, recorded in the audit trail."""
    version = (
        m.EvidenceVersion.objects.filter(
            item__organization=access.organization, item_id=item, number=number
        )
        .select_related("item", "stored_file")
        .first()
    )
    if version is None or version.stored_file is None:
        raise Http404("no such file")
    try:
        return downloads.file_response(access, version)
    except FileNotFoundError as exc:
        raise Http404("the stored file is missing") from exc


# -- what expires --------------------------------------------------------------------------


@evidence_page(Permission.VIEW)
@require_GET
def due(request: HttpRequest, access: Access) -> HttpResponse:
    """Items that expire within 30 or 90 days, and those already expired, soonest first."""
    days = 90 if request.GET.get("days") == "90" else 30
    today = timezone.localdate()
    rows = queries.due(access.organization, days=days, today=today)
    return render(
        request,
        "evidence/due.html",
        {
            **base_context(access, "due"),
            "here": _("Due for renewal"),
            "days": days,
            "expired": [
                r
                for r in page_queries.library_rows(rows, today)
                if r.freshness is Freshness.EXPIRED
            ],
            "expiring": [
                r
                for r in page_queries.library_rows(rows, today)
                if r.freshness is not Freshness.EXPIRED
            ],
            "today": today,
        },
    )
