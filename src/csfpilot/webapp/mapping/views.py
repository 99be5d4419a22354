"""Mapping pages: the projects, the review queue, bulk accept, the reviewed crosswalk.

The review page works with plain forms (each pair has its own small form:
accept, reject, change) and, with JavaScript, from the keyboard and through
HTMX, which swaps only the requirement that was decided. Views are thin: the
permission layer admits the caller (404 outside their organization or for
another organization's project or pair, 403 without the permission), one
service or query does the work.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from csfpilot.core.errors import ConflictError, CsfpilotError, InputRefused, NotFound
from csfpilot.webapp.mapping import exports, forms, queries, services
from csfpilot.webapp.mapping import models as m
from csfpilot.webapp.mapping.labels import (
    FILTER_LABELS,
    REASON_LABELS,
    RELATIONSHIP_LABELS,
    STATE_LABELS,
)
from csfpilot.webapp.organizations.decorators import body_permission, org_page
from csfpilot.webapp.organizations.forms import refuse
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing
from csfpilot.webapp.organizations.roles import Permission


def _base(access: Access) -> dict[str, Any]:
    return {
        "access": access,
        "org": access.organization,
        "can_review": access.can(Permission.EDIT_PROFILES),
        "can_export": access.can(Permission.EXPORT),
    }


@org_page(Permission.VIEW)
@require_safe
def project_list(request: HttpRequest, access: Access) -> HttpResponse:
    form = forms.ProjectForm(
        initial={"target": services.DEFAULT_TARGET, "top": 5, "method": "combined"}
    )
    return _list(request, access, form)


def _list(request: HttpRequest, access: Access, form: forms.ProjectForm) -> HttpResponse:
    return render(
        request,
        "mapping/projects.html",
        {**_base(access), "projects": queries.projects(access.organization), "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@org_page(Permission.EDIT_PROFILES)
@require_POST
def project_new(request: HttpRequest, access: Access) -> HttpResponse:
    form = forms.ProjectForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            project = services.create_project(
                access,
                name=data["name"],
                source_key=data["source"],
                target_key=data["target"],
                top=data["top"],
                method=data["method"],
            )
        except (InputRefused, ConflictError) as exc:
            refuse(form, exc)
        else:
            messages.success(request, _("The mapping project is created. Make its proposals."))
            return redirect("mapping:project", slug=access.organization.slug, project=project.pk)
    return _list(request, access, form)


def _query(request: HttpRequest) -> tuple[str, int]:
    which = request.GET.get("show", "all")
    if which not in queries.FILTERS:
        which = "all"
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    return which, page


def _review_url(access: Access, project: int, which: str, page: int, anchor: str = "") -> str:
    url = reverse("mapping:project", args=[access.organization.slug, project])
    query = {k: v for k, v in (("show", which), ("page", page)) if v not in ("all", 1)}
    return url + (f"?{urlencode(query)}" if query else "") + (f"#{anchor}" if anchor else "")


def _row_context(project: m.MappingProject) -> dict[str, Any]:
    return {
        "project": project,
        "state_labels": STATE_LABELS,
        "reason_labels": REASON_LABELS,
        "relationship_labels": RELATIONSHIP_LABELS,
        "relationships": forms.RELATIONSHIP_CHOICES,
    }


@org_page(Permission.VIEW)
@require_safe
def project_page(request: HttpRequest, access: Access, project: int) -> HttpResponse:
    p = queries.project(access.organization, project)
    which, page = _query(request)
    rows, texts, page, pages = queries.review_page(p, which, page)
    bulk = forms.BulkForm(initial={"threshold": queries.suggested_threshold(p), "best_only": True})
    return render(
        request,
        "mapping/review.html",
        {
            **_base(access),
            **_row_context(p),
            "rows": rows,
            "texts": texts,
            "which": which,
            "filters": [(k, FILTER_LABELS[k], n) for k, n in queries.filter_counts(p).items()],
            "counts": queries.state_counts(p),
            "page": page,
            "pages": pages,
            "targets": queries.target_choices(p.target_framework),
            "bulk": bulk,
            "inline_limit": services.inline_limit(),
        },
    )


@org_page(Permission.EDIT_PROFILES)
@require_POST
def propose(request: HttpRequest, access: Access, project: int) -> HttpResponse:
    queries.project(access.organization, project)  # another organization's: 404
    try:
        p = services.request_proposals(access, project)
    except (InputRefused, ConflictError) as exc:
        messages.error(request, str(exc))
        return redirect("mapping:project", slug=access.organization.slug, project=project)
    except NotFound:
        raise
    except CsfpilotError as exc:  # the assistant could not answer: the project shows why too
        messages.error(request, _("The proposals could not be made: %(error)s") % {"error": exc})
        return redirect("mapping:project", slug=access.organization.slug, project=project)
    if p.run_state == m.RunState.QUEUED and p.job_id:
        messages.success(request, _("The proposals are being made in the background."))
        return redirect("jobs:detail", slug=access.organization.slug, job_id=p.job_id)
    messages.success(request, _("The proposals are ready to review."))
    return redirect("mapping:project", slug=access.organization.slug, project=project)


_SAFE_ANCHOR = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@org_page(Permission.EDIT_PROFILES)
@require_POST
def review(request: HttpRequest, access: Access, project: int, pair: int) -> HttpResponse:
    p = queries.project(access.organization, project)
    form = forms.DecisionForm(request.POST)
    which, page = _query(request)
    error = ""
    if not form.is_valid():
        error = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
    else:
        data = form.cleaned_data
        decision = services.Decision(
            data["action"], data["relationship"] or "", data["target"] or "", data["note"] or ""
        )
        try:
            services.review(access, p.pk, pair, decision, version=data["version"])
        except (InputRefused, ConflictError) as exc:
            error = str(exc)
    if request.htmx:
        row, texts = queries.pair_row(p, pair)
        response = render(
            request,
            "mapping/_requirement.html",
            {
                **_base(access),
                **_row_context(p),
                "row": row,
                "texts": texts,
                "error": error,
                "which": which,
                "page": page,
            },
        )
        return response
    if error:
        messages.error(request, error)
    anchor = request.POST.get("anchor", "")
    return redirect(
        _review_url(access, p.pk, which, page, anchor if _SAFE_ANCHOR.match(anchor) else "")
    )


@body_permission(Permission.EDIT_PROFILES)
@org_page(Permission.VIEW)
@require_http_methods(["GET", "HEAD", "POST"])
def bulk(request: HttpRequest, access: Access, project: int) -> HttpResponse:
    """GET: how many pairs a threshold would accept; POST (reviewers): accept them."""
    p = queries.project(access.organization, project)
    data = request.POST if request.method == "POST" else request.GET
    form = forms.BulkForm(data)
    preview = None
    if request.method == "POST" and not access.can(Permission.EDIT_PROFILES):
        raise PermissionMissing(Permission.EDIT_PROFILES, access.role.value)
    if form.is_valid():
        c = form.cleaned_data
        try:
            if request.method == "POST":
                done = services.bulk_accept(
                    access, p.pk, c["threshold"], best_only=c["best_only"], expected=c["expected"]
                )
                messages.success(
                    request,
                    _("%(n)s pairs accepted (score at least %(t)s).")
                    % {"n": done, "t": c["threshold"]},
                )
                return redirect("mapping:project", slug=access.organization.slug, project=p.pk)
            preview = services.bulk_preview(access, p.pk, c["threshold"], best_only=c["best_only"])
        except (InputRefused, ConflictError) as exc:
            refuse(form, exc)
    template = "mapping/_bulk_preview.html" if request.htmx else "mapping/bulk.html"
    return render(
        request,
        template,
        {**_base(access), "project": p, "form": form, "preview": preview},
        status=400 if form.errors else 200,
    )


@org_page(Permission.VIEW)
@require_safe
def crosswalk(request: HttpRequest, access: Access, project: int) -> HttpResponse:
    p = queries.project(access.organization, project)
    ms, made = queries.crosswalk(p)
    texts = queries.target_texts_for(p, {r.target for r in ms.mappings})
    return render(
        request,
        "mapping/crosswalk.html",
        {
            **_base(access),
            **_row_context(p),
            "info": ms.info,
            "rows": [
                {
                    "row": row,
                    "made": how,
                    "text": texts.get(row.target),
                    "rel": RELATIONSHIP_LABELS.get(str(row.relationship), row.relationship),
                    "how": STATE_LABELS.get(how.state, how.state),
                }
                for row, how in zip(ms.mappings, made, strict=True)
            ],
            "counts": queries.state_counts(p),
            "formats": exports.FORMATS,
        },
    )


@org_page(Permission.EXPORT)
@require_safe
def export(request: HttpRequest, access: Access, project: int, fmt: str) -> HttpResponse:
    try:
        file = exports.export(access, project, fmt)
    except InputRefused as exc:
        messages.error(request, str(exc))
        return redirect("mapping:crosswalk", slug=access.organization.slug, project=project)
    response = HttpResponse(file.content, content_type=file.media_type)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", file.filename)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Length"] = str(len(file.content))
    return response


@org_page(Permission.EDIT_PROFILES)
@require_POST
def delete(request: HttpRequest, access: Access, project: int) -> HttpResponse:
    services.delete_project(access, project)
    messages.success(request, _("The mapping project is deleted."))
    return redirect("mapping:projects", slug=access.organization.slug)
