"""Pages that tie evidence to outcomes: linking, reviewing, unlinking, and outcomes by state.

A link says that one item shows something about one outcome of one profile,
on the Current side (it is in place) or the Target side (what is expected once
the target is met). Only owners and assessors review a link; contributors link
items to the outcomes assigned to them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.core.evidence import EvidenceState
from csfpilot.webapp.evidence import forms, page_queries, queries, services
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence.labels import STATE_HELP, STATE_LABELS
from csfpilot.webapp.evidence.views import _item_or_404, _render_item, base_context, evidence_page
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import lookups


def _back(request: HttpRequest, fallback: str) -> str:
    """Where a form posted from another page (the questionnaire) returns to."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@evidence_page(Permission.ADD_EVIDENCE)
@require_POST
def item_link(request: HttpRequest, access: Access, item: int) -> HttpResponse:
    """Link an item to one or more outcomes of a profile, on one side, with what it shows."""
    row = _item_or_404(access, item)
    return _link(request, access, row)


@evidence_page(Permission.ADD_EVIDENCE)
@require_POST
def link_new(request: HttpRequest, access: Access) -> HttpResponse:
    """The outcome panel's "Link existing evidence": the item is chosen in the form."""
    row = _item_or_404(access, _int(request.POST.get("item")))
    return _link(request, access, row)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _link(request: HttpRequest, access: Access, row: m.EvidenceItem) -> HttpResponse:
    form = forms.LinkOutcomesForm(request.POST, profiles=page_queries.profile_choices(access))
    if not form.is_valid():
        return _render_item(request, access, row, link_form=form, status=400)
    done: list[str] = []
    refused: list[str] = []
    for code in form.codes():
        try:
            services.link(
                access,
                row.pk,
                form.cleaned_data["profile"],
                code,
                side=form.cleaned_data["side"],
                statement=form.cleaned_data["statement"],
            )
        except NotFound:
            refused.append(_("%(code)s: no such outcome in this profile") % {"code": code})
        except ConflictError:
            refused.append(_("%(code)s: already linked on this side") % {"code": code})
        except PermissionMissing:
            refused.append(_("%(code)s: not assigned to you") % {"code": code})
        except InputRefused as exc:
            refused.append(f"{code}: {exc.message}")
        else:
            done.append(code)
    if done:
        messages.success(request, _("Linked to %(codes)s.") % {"codes": ", ".join(done)})
    if refused:
        if not done:
            form.add_error("outcomes", "; ".join(refused))
            return _render_item(request, access, row, link_form=form, status=400)
        messages.error(request, _("Not linked: %(reasons)s.") % {"reasons": "; ".join(refused)})
    fallback = reverse("evidence:item", args=[access.organization.slug, row.pk])
    return redirect(_back(request, fallback))


def _link_or_404(access: Access, link: int) -> m.EvidenceLink:
    found = (
        m.EvidenceLink.objects.filter(item__organization=access.organization, pk=link)
        .select_related("item")
        .first()
    )
    if found is None:
        raise NotFound(f"no evidence link {link}")
    return found


@evidence_page(Permission.REVIEW_EVIDENCE)
@require_POST
def link_review(request: HttpRequest, access: Access, link: int) -> HttpResponse:
    """An assessor's verdict on what the item shows for one outcome."""
    row = _link_or_404(access, link)
    form = forms.ReviewForm(request.POST)
    fallback = reverse("evidence:item", args=[access.organization.slug, row.item_id])
    if not form.is_valid():
        messages.error(request, _("Choose accepted, insufficient or rejected."))
        return redirect(_back(request, fallback))
    try:
        services.review(access, row.pk, form.cleaned_data["state"], form.cleaned_data["comment"])
    except InputRefused:
        messages.error(
            request,
            _("Say in the comment why the evidence for %(code)s is insufficient or rejected.")
            % {"code": row.code},
        )
    else:
        messages.success(request, _("The review of %(code)s is saved.") % {"code": row.code})
    return redirect(_back(request, fallback))


@evidence_page(Permission.ADD_EVIDENCE)
@require_POST
def link_remove(request: HttpRequest, access: Access, link: int) -> HttpResponse:
    """Take an item off an outcome (a reviewed link only by a reviewer)."""
    row = _link_or_404(access, link)
    services.unlink(access, row.pk)
    messages.success(
        request,
        _("%(title)s no longer shows for %(code)s.") % {"title": row.item.title, "code": row.code},
    )
    fallback = reverse("evidence:item", args=[access.organization.slug, row.item_id])
    return redirect(_back(request, fallback))


# -- outcomes by evidence state -------------------------------------------------------------


@evidence_page(Permission.VIEW)
@require_GET
def outcomes(request: HttpRequest, access: Access) -> HttpResponse:
    """A profile's outcomes with their evidence state, filtered by state (the dashboard's links)."""
    profiles = page_queries.profile_choices(access)
    try:
        wanted = int(request.GET.get("profile") or (profiles[0][0] if profiles else 0))
    except ValueError:
        wanted = 0
    profile = lookups.profile(access, wanted) if wanted else None
    state = request.GET.get("state") or ""
    if state not in {s.value for s in EvidenceState}:
        state = ""
    rows: list[Any] = []
    counts: dict[str, int] = {}
    if profile is not None:
        states = queries.profile_states(profile, today=timezone.localdate())
        for s in states.values():
            counts[s.state.value] = counts.get(s.state.value, 0) + 1
        rows = [s for s in states.values() if not state or s.state.value == state]
    return render(
        request,
        "evidence/outcomes.html",
        {
            **base_context(access, "outcomes"),
            "here": _("Outcomes by evidence state"),
            "profiles": profiles,
            "profile": profile,
            "state": state,
            "rows": rows,
            "counts": counts,
            "states": [(s.value, STATE_LABELS[s], STATE_HELP[s]) for s in EvidenceState],
            "state_labels": STATE_LABELS,
        },
    )
