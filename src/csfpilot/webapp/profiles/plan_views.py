"""The action plan (a POA&M) of a profile: generate actions from the gaps, track them.

Each outcome below its target can become an action, ordered the way the gap
analysis ranks the work (priority × gap). An action has an owner, a due date,
a milestone, a status (open, in progress, done, risk accepted) and an effort;
past its due date and not closed, it is overdue. Lines are edited in place
(HTMX swaps one table row) and, like outcomes, saved against their
``version`` so two people editing the same action never overwrite each other.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.profiles import ActionStatus
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import lookups, queries, services
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.conflicts import StaleEdit
from csfpilot.webapp.profiles.forms import ActionForm, GenerateForm, NewActionForm
from csfpilot.webapp.profiles.labels import STATUS_LABELS
from csfpilot.webapp.profiles.views import is_overdue, profile_context, profile_page


def _summary(plan: queries.ActionPlan) -> dict[str, Any]:
    return {
        "plan": plan,
        "items": [
            {
                "action": v.action,
                "overdue": v.overdue,
                "status_label": STATUS_LABELS[ActionStatus(v.action.status)],
            }
            for v in plan.actions
        ],
        "status_counts": [
            (status, STATUS_LABELS[status], plan.counts.get(status.value, 0))
            for status in ActionStatus
        ],
        "percent_closed": round(100 * plan.closed / plan.total) if plan.total else 0,
    }


@profile_page(Permission.VIEW)
@require_GET
def plan(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in {s.value for s in ActionStatus}:
        status = None
    action_plan = queries.action_plan(access, pk, status=status)
    return render(
        request,
        "profiles/plan.html",
        {
            **profile_context(access, action_plan.profile, "plan"),
            **_summary(action_plan),
            "status": status,
            "status_choices": [(s.value, STATUS_LABELS[s]) for s in ActionStatus],
            "generate_form": GenerateForm(),
            "new_form": NewActionForm(),
        },
    )


@profile_page(Permission.EDIT_PROFILES)
@require_POST
def plan_generate(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """Add one open action per outcome below target that no open action covers yet."""
    form = GenerateForm(request.POST)
    if form.is_valid():
        try:
            added = services.generate_actions(
                access,
                pk,
                due=form.cleaned_data["due"],
                milestone=form.cleaned_data["milestone"],
            )
        except InputRefused as exc:
            messages.error(request, exc.message)
        else:
            if added:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d action is added to the plan.",
                        "%(n)d actions are added to the plan.",
                        len(added),
                    )
                    % {"n": len(added)},
                )
            else:
                messages.info(request, _("Every outcome below target already has an open action."))
    else:
        messages.error(request, _("Check the due date: it must be a date."))
    return redirect("profiles:plan", slug=access.organization.slug, pk=pk)


_CODES = re.compile(r"[\s,;]+")


@profile_page(Permission.EDIT_PROFILES)
@require_POST
def action_add(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    form = NewActionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            action = services.create_action(
                access,
                pk,
                {
                    "title": data["title"],
                    "outcomes": [c for c in _CODES.split(data["outcomes"]) if c],
                    "owner_name": data["owner_name"],
                    "due": data["due"],
                },
            )
        except (InputRefused, ConflictError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(code)s is added.") % {"code": action.code})
    else:
        messages.error(
            request,
            _("An action needs a title and at least one outcome id, e.g. GV.OC-01."),
        )
    return redirect("profiles:plan", slug=access.organization.slug, pk=pk)


def _row_context(access: Access, action: m.Action, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "org": access.organization,
        "profile_pk": action.profile_id,
        "a": action,
        "overdue": is_overdue(action),
        "status_label": STATUS_LABELS[ActionStatus(action.status)],
        "can_edit": access.can(Permission.EDIT_PROFILES),
        **extra,
    }


def _edit_form(action: m.Action, data: Any = None) -> ActionForm:
    return ActionForm(
        data,
        initial={
            "version": action.version,
            "title": action.title,
            "owner_name": action.owner_name,
            "due": action.due,
            "milestone": action.milestone,
            "status": action.status,
            "cost": action.cost,
        },
    )


@profile_page(Permission.VIEW)
@require_GET
def action_row(request: HttpRequest, access: Access, pk: int, code: str) -> HttpResponse:
    """One line of the plan as shown (what "Cancel" puts back)."""
    action = lookups.action(access, lookups.profile(access, pk), code)
    return render(request, "profiles/_action_row.html", _row_context(access, action))


@profile_page(Permission.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, access: Access, pk: int, code: str) -> HttpResponse:
    """Edit one line: in place with HTMX, or as a page of its own without JavaScript."""
    row = lookups.profile(access, pk)
    action = lookups.action(access, row, code)
    form = _edit_form(action, request.POST if request.method == "POST" else None)
    status = 200
    error = ""
    conflict: StaleEdit | None = None
    if request.method == "POST":
        if form.is_valid():
            current = services.action_values(action)
            changes = {
                k: v for k, v in form.values().items() if (current.get(k) or None) != (v or None)
            }
            try:
                if changes:
                    action = services.update_action(
                        access, pk, code, changes, expected_version=form.cleaned_data["version"]
                    )
            except StaleEdit as exc:
                conflict, status = exc, 409
                error = _(
                    "Someone else changed this action since you opened it; nothing was saved. "
                    "Their values are in the form now — apply your change again if it still holds."
                )
                action = lookups.action(access, row, code)
                form = _edit_form(action)
            except (InputRefused, ConflictError) as exc:
                error, status = str(exc), 400
            else:
                if not request.htmx:
                    messages.success(request, _("%(code)s is saved.") % {"code": code})
                    return redirect("profiles:plan", slug=access.organization.slug, pk=pk)
                plan_now = queries.action_plan(access, pk)
                return render(
                    request,
                    "profiles/_action_saved.html",
                    {**_row_context(access, action, saved=True), **_summary(plan_now)},
                )
        else:
            status = 400
    template = "profiles/_action_edit_row.html" if request.htmx else "profiles/action_edit.html"
    context = {
        **_row_context(access, action, form=form, error=error, conflict=conflict),
        **(profile_context(access, row, "plan") if not request.htmx else {}),
    }
    return render(request, template, context, status=status)


@profile_page(Permission.EDIT_PROFILES)
@require_POST
def action_delete(request: HttpRequest, access: Access, pk: int, code: str) -> HttpResponse:
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    try:
        services.delete_action(access, pk, code, expected_version=version)
    except StaleEdit:
        messages.error(
            request,
            _("%(code)s was changed by someone else; it is not deleted. Look at it again first.")
            % {"code": code},
        )
    else:
        messages.success(request, _("%(code)s is deleted.") % {"code": code})
    return redirect("profiles:plan", slug=access.organization.slug, pk=pk)
