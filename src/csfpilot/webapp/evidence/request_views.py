"""Evidence requests: an assessor asks a member for evidence on outcomes, by a due day.

The member asked sees their open requests, answers with items from the library
or a new upload, and submits; the assessor accepts (the links are then
accepted too) or rejects with a comment, which sends it back to the member.
An open request past its due day shows as overdue.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.core.evidence import RequestState
from csfpilot.webapp.evidence import forms, page_queries, queries, services, uploads
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence.labels import REQUEST_LABELS
from csfpilot.webapp.evidence.views import base_context, evidence_page
from csfpilot.webapp.organizations.forms import refuse
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission

FILTERS = ("open", "submitted", "overdue", "accepted", "rejected", "all")


@evidence_page(Permission.VIEW)
@require_GET
def request_list(request: HttpRequest, access: Access) -> HttpResponse:
    """Requests by state; a contributor sees those addressed to them unless asking for all."""
    state = request.GET.get("state") or "open"
    if state not in FILTERS:
        state = "open"
    default_mine = not access.can(Permission.REVIEW_EVIDENCE)
    mine = request.GET.get("mine", "1" if default_mine else "") == "1"
    today = timezone.localdate()
    qs = queries.requests_for(
        access.organization, assignee_id=access.membership.user_id if mine else None
    ).order_by("due", "id")
    rows = []
    for row in qs:
        shown = queries.request_state(row, today)
        if (
            state == "all"
            or shown.value == state
            or (state == "open" and shown in (RequestState.OVERDUE,))
        ):
            rows.append((row, shown))
    return render(
        request,
        "evidence/requests.html",
        {
            **base_context(access, "requests"),
            "here": _("Evidence requests"),
            "rows": rows,
            "state": state,
            "mine": mine,
            "filters": [(f, _filter_label(f)) for f in FILTERS],
            "request_labels": REQUEST_LABELS,
        },
    )


def _filter_label(key: str) -> Any:
    if key == "all":
        return _("All")
    return REQUEST_LABELS[RequestState(key)]


@evidence_page(Permission.REVIEW_EVIDENCE)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, access: Access) -> HttpResponse:
    """Ask a member for evidence; ``?profile=…&outcome=…`` fills the form from an outcome."""
    profiles = page_queries.profile_choices(access)
    members = page_queries.members(access)
    initial = {
        "profile": request.GET.get("profile", ""),
        "outcomes": request.GET.get("outcome", ""),
        "due": timezone.localdate() + timedelta(days=14),
    }
    form = forms.RequestForm(
        request.POST if request.method == "POST" else None,
        profiles=profiles,
        members=members,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                row = services.ask(
                    access,
                    d["profile"],
                    form.codes(),
                    assignee_id=int(d["assignee"]),
                    due=d["due"],
                    note=d["note"],
                )
            except InputRefused as exc:
                refuse(form, exc)
            except NotFound as exc:
                form.add_error("outcomes", str(exc))
            else:
                messages.success(request, _("The request is sent."))
                return redirect("evidence:request", slug=access.organization.slug, req=row.pk)
    return render(
        request,
        "evidence/request_new.html",
        {
            **base_context(access, "requests"),
            "here": _("New evidence request"),
            "form": form,
            "has_profiles": bool(profiles),
        },
        status=status,
    )


def _render_request(
    request: HttpRequest,
    access: Access,
    row: m.EvidenceRequest,
    *,
    submit_form: forms.SubmitForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    me = access.membership.user_id
    may_answer = access.can(Permission.ADD_EVIDENCE) and (
        row.assignee_id == me or access.can(Permission.REVIEW_EVIDENCE)
    )
    shown = queries.request_state(row, today)
    codes = [o.code for o in row.outcomes.all().order_by("code")]
    return render(
        request,
        "evidence/request.html",
        {
            **base_context(access, "requests"),
            "here": _("Request %(n)s") % {"n": row.pk},
            "req": row,
            "shown_state": shown,
            "state_label": REQUEST_LABELS[shown],
            "codes": codes,
            "items": list(row.items.all().order_by("title")),
            "may_answer": may_answer and row.state in (RequestState.OPEN, RequestState.REJECTED),
            "may_decide": access.can(Permission.REVIEW_EVIDENCE)
            and row.state == RequestState.SUBMITTED,
            "submit_form": submit_form
            or forms.SubmitForm(items=page_queries.linkable_items(access)),
            "decide_form": forms.DecideForm(),
            "assignee": page_queries.person(row.assignee),
            "requested_by": page_queries.person(row.requested_by),
        },
        status=status,
    )


def _request_or_404(access: Access, req: int) -> m.EvidenceRequest:
    return (
        m.EvidenceRequest.objects.filter(pk=services.request(access, req).pk)
        .select_related("assignee", "requested_by", "profile", "decided_by")
        .get()
    )


@evidence_page(Permission.VIEW)
@require_GET
def request_page(request: HttpRequest, access: Access, req: int) -> HttpResponse:
    return _render_request(request, access, _request_or_404(access, req))


@evidence_page(Permission.ADD_EVIDENCE)
@require_POST
def request_submit(request: HttpRequest, access: Access, req: int) -> HttpResponse:
    """The member asked answers with chosen items and, optionally, a new upload."""
    row = _request_or_404(access, req)
    form = forms.SubmitForm(request.POST, items=page_queries.linkable_items(access))
    if not form.is_valid():
        return _render_request(request, access, row, submit_form=form, status=400)
    chosen = [int(i) for i in form.cleaned_data["items"]]
    try:
        if request.FILES.get("file") is not None:
            spooled, name = uploads.spool_upload(request, "file", access.organization)
            title = form.cleaned_data["title"] or name
            new = services.add_item(
                access,
                services.ItemFields(
                    title=title,
                    kind=form.cleaned_data["kind"],
                    owner_id=access.membership.user_id,
                    collected_on=timezone.localdate(),
                ),
                services.Content(spooled=spooled, filename=name),
            )
            chosen.append(new.pk)
        services.submit(access, row.pk, chosen, response=form.cleaned_data["response"])
    except (InputRefused, ConflictError) as exc:
        form.add_error(None, getattr(exc, "message", None) or str(exc))
        return _render_request(request, access, row, submit_form=form, status=400)
    messages.success(request, _("Your answer is sent to the assessor."))
    return redirect("evidence:request", slug=access.organization.slug, req=row.pk)


@evidence_page(Permission.REVIEW_EVIDENCE)
@require_POST
def request_decide(request: HttpRequest, access: Access, req: int) -> HttpResponse:
    """Accept a submitted request (its links are accepted too) or send it back with a reason."""
    row = _request_or_404(access, req)
    form = forms.DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or to reject the answer."))
        return redirect("evidence:request", slug=access.organization.slug, req=row.pk)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.decide(access, row.pk, accept=accept, comment=form.cleaned_data["comment"])
    except InputRefused:
        messages.error(request, _("Say in the comment why the answer is rejected."))
    except ConflictError:
        messages.error(request, _("Only a submitted answer can be accepted or rejected."))
    else:
        messages.success(
            request,
            _("The answer is accepted.") if accept else _("The answer is sent back to the member."),
        )
    return redirect("evidence:request", slug=access.organization.slug, req=row.pk)
