"""Profile pages: the list, a new profile, the overview, the dashboard, an outcome, the Tiers.

An Organizational Profile says, for a scope (the whole organization, a
business unit, a system, a product), where the organization stands on each
CSF outcome (the Current Profile) and where it must be (the Target Profile).
These pages show it and let people change it. Each view is thin: the
permission layer admits the caller (``@profile_page``: 404 outside their
organization, 403 without the permission), one query or service does the
work, a template shows it. The questionnaire is in
:mod:`.questionnaire`, the action plan in :mod:`.plan_views`, history and
Community Profiles in :mod:`.history_views`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.profiles import TIER_ASPECTS, ActionStatus, ProfileKind, Tier, plan_progress
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.context import SESSION_KEY
from csfpilot.webapp.organizations.decorators import org_page
from csfpilot.webapp.organizations.forms import refuse
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing, find_access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import (
    dashboard_charts,
    fragments,
    lookups,
    page_queries,
    queries,
    services,
    storage,
)
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.conflicts import StaleEdit
from csfpilot.webapp.profiles.exchange import export_filename
from csfpilot.webapp.profiles.forms import (
    DeleteForm,
    ProfileForm,
    ProfileSettingsForm,
    TiersForm,
)
from csfpilot.webapp.profiles.labels import (
    KIND_LABELS,
    PRIORITY_LABELS,
    SCALE_NAMES,
    SCOPE_LABELS,
    STATUS_LABELS,
    level_label,
)
from csfpilot.webapp.profiles.page_cache import kept_page
from csfpilot.webapp.profiles.tier_texts import TIER_NAMES, tier_text

# 404 for an object the organization does not have (see organizations.decorators).
profile_page = org_page


TABS = (
    ("overview", "profiles:overview"),
    ("assess", "profiles:assess"),
    ("dashboard", "profiles:dashboard"),
    ("plan", "profiles:plan"),
    ("history", "profiles:history"),
    ("tiers", "profiles:tiers"),
    ("reports", "reports:page"),
)


def profile_context(access: Access, profile: m.Profile, tab: str) -> dict[str, Any]:
    """What every page of one profile shows around its content: header, tabs, rights."""
    community = profile.kind == ProfileKind.COMMUNITY.value
    labels = {
        "overview": _("Overview"),
        "assess": _("Questionnaire"),
        "dashboard": _("Dashboard"),
        "plan": _("Action plan"),
        "history": _("History"),
        "tiers": _("Tiers"),
        "reports": _("Reports"),
    }
    hidden = {"dashboard", "plan", "reports"} if community else set()
    slug = access.organization.slug
    return {
        "access": access,
        "org": access.organization,
        "profile": profile,
        "tab": tab,
        "tabs": [
            (key, labels[key], reverse(name, args=[slug, profile.pk]))
            for key, name in TABS
            if key not in hidden
        ],
        "community": community,
        # The framework's top level names the per-group charts (Functions, families...).
        "top_level": profile.framework.levels[0] if profile.framework.levels else "",
        "kind_label": KIND_LABELS[ProfileKind(profile.kind)],
        "scope_label": SCOPE_LABELS.get(profile.scope_type, profile.scope_type),
        "can_edit": access.can(Permission.EDIT_PROFILES),
        "can_export": access.can(Permission.EXPORT),
    }


# -- the list, a new profile ---------------------------------------------------------------


@login_required
@require_GET
def my_profiles(request: HttpRequest) -> HttpResponse:
    """The main navigation's "Profiles": the profiles of the organization last worked in."""
    slug = request.session.get(SESSION_KEY)
    if slug and find_access(request, slug) is not None:
        return redirect("profiles:list", slug=slug)
    return redirect("organizations:list")


@profile_page(Permission.VIEW)
@require_GET
def profile_list(request: HttpRequest, access: Access) -> HttpResponse:
    summaries = queries.profile_list(access)
    return render(
        request,
        "profiles/list.html",
        {
            "access": access,
            "org": access.organization,
            "organizational": [s for s in summaries if s.profile.kind != "community"],
            "communities": [s for s in summaries if s.profile.kind == "community"],
            "can_edit": access.can(Permission.EDIT_PROFILES),
            "scope_labels": {k.value: v for k, v in SCOPE_LABELS.items()},
        },
    )


@profile_page(Permission.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def profile_create(request: HttpRequest, access: Access) -> HttpResponse:
    communities = page_queries.community_choices(access)
    form = ProfileForm(
        request.POST or None,
        frameworks=page_queries.framework_choices(),
        communities=communities,
        initial={"start": request.GET.get("from", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = _create(access, data)
        except InputRefused as exc:
            refuse(form, exc)
        except ConflictError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, _("%(name)s is created.") % {"name": row.name})
            if row.kind == ProfileKind.COMMUNITY.value or not data["start"]:
                return redirect("profiles:assess", slug=access.organization.slug, pk=row.pk)
            return redirect("profiles:overview", slug=access.organization.slug, pk=row.pk)
    return render(
        request,
        "profiles/create.html",
        {
            "access": access,
            "org": access.organization,
            "form": form,
            "has_communities": bool(communities),
        },
    )


def _create(access: Access, data: dict[str, Any]) -> m.Profile:
    """A blank profile, or one whose targets come from a Community Profile."""
    details = {
        "scope_type": data["scope_type"],
        "scope_name": data["scope_name"],
        "description": data["description"],
        "assumptions": data["assumptions"],
    }
    if data["start"] and data["kind"] == ProfileKind.ORGANIZATIONAL.value:
        result = services.derive_target(access, data["start"], name=data["name"], apply=True)
        row = result.profile
        assert row is not None  # applied, so stored
        return services.update_profile(access, row.pk, details, expected_version=row.version)
    return services.create_profile(
        access,
        name=data["name"],
        framework=data["framework"],
        kind=data["kind"],
        scale=data["scale"],
        **details,
    )


# -- one profile ---------------------------------------------------------------------------


@profile_page(Permission.VIEW)
@require_GET
@kept_page("overview")
def profile_overview(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    detail = queries.profile_overview(access, pk)
    community = detail.profile.kind == ProfileKind.COMMUNITY.value
    answers = detail.figures.answers
    # The figures the cards show, apart from the whole analysis they are taken from.
    scores, gap, with_gap = answers.get(
        "page-overview-cards",
        (),
        lambda: (detail.scores.profile, detail.gaps.profile, len(detail.gaps.with_gap())),
    )
    resume = detail.next_unanswered("target" if community else "current")
    tiers = [
        (aspect, detail.domain.tiers.aspect(aspect), _aspect_name(aspect))
        for aspect in TIER_ASPECTS
    ]
    return render(
        request,
        "profiles/overview.html",
        {
            **profile_context(access, detail.profile, "overview"),
            "detail": detail,
            "scores": scores,
            "gap": gap,
            "with_gap": with_gap,
            "progress_html": fragments.progress(answers, detail.progress, community=community),
            "resume": resume,
            "plan": plan_progress(detail.actions, timezone.localdate()),
            "tiers": tiers,
            "tier_names": TIER_NAMES,
            "scale_name": SCALE_NAMES.get(detail.domain.scale.key, detail.domain.scale.name),
            "bars": fragments.drawn(
                answers,
                "function-bars",
                (),
                lambda: dashboard_charts.function_bars(detail.scores, detail.framework),
            ),
        },
    )


def _aspect_name(aspect: str) -> str:
    return (
        _("Cybersecurity risk governance")
        if aspect == "governance"
        else _("Cybersecurity risk management")
    )


@profile_page(Permission.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def profile_settings(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """Rename or re-scope a profile, or delete it; saved against the profile's version."""
    row = lookups.profile(access, pk)
    current = {name: getattr(row, name) for name in ProfileSettingsForm.FIELDS}
    form = ProfileSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"version": row.version, **current},
    )
    status = 200
    conflict = None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            changes = {
                k: form.cleaned_data[k] for k in form.FIELDS if form.cleaned_data[k] != current[k]
            }
            try:
                if changes:
                    services.update_profile(
                        access, pk, changes, expected_version=form.cleaned_data["version"]
                    )
            except StaleEdit as exc:
                conflict, status = exc, 409
            except InputRefused as exc:
                refuse(form, exc)
            except ConflictError as exc:
                form.add_error("name", str(exc))
            else:
                messages.success(request, _("The profile is saved."))
                return redirect("profiles:overview", slug=access.organization.slug, pk=pk)
    return render(
        request,
        "profiles/settings.html",
        {
            **profile_context(access, row, ""),
            "here": _("Settings"),
            "form": form,
            "conflict": conflict,
            "delete_form": DeleteForm(),
        },
        status=status,
    )


@profile_page(Permission.EDIT_PROFILES)
@require_POST
def profile_delete(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    row = lookups.profile(access, pk)
    form = DeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm the deletion; nothing was deleted."))
        return redirect("profiles:settings", slug=access.organization.slug, pk=pk)
    services.delete_profile(access, pk)
    messages.success(request, _("%(name)s is deleted.") % {"name": row.name})
    return redirect("profiles:list", slug=access.organization.slug)


@profile_page(Permission.EXPORT)
@require_GET
def profile_export(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """The profile as a csfpilot profile file (YAML by default, ``?format=json``)."""
    fmt = "json" if request.GET.get("format") == "json" else "yaml"
    text = services.export_profile_file(access, pk, fmt)
    row = _row(access, pk)
    response = HttpResponse(
        text,
        content_type="application/json" if fmt == "json" else "application/yaml; charset=utf-8",
    )
    name = export_filename(row, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit.record_download(
        access, "export", row.pk, label=name, filename=name, size=len(response.content), fmt=fmt
    )
    return response


def _row(access: Access, pk: int) -> m.Profile:
    return lookups.profile(access, pk)


# -- one outcome -----------------------------------------------------------------------------


@profile_page(Permission.VIEW)
@require_GET
def outcome_page(request: HttpRequest, access: Access, pk: int, code: str) -> HttpResponse:
    """One outcome: both sides with everything recorded, its actions, history, NIST's help."""
    found = queries.outcome_detail(access, pk, code)
    scale = storage.scale_of(found.profile)
    help_by_code = page_queries.outcome_help(found.profile.framework, [found.outcome.code])
    entry = found.outcome.entry
    history = [
        {
            "point": h,
            "current": level_label(scale, h.current) if h.current is not None else None,
            "target": level_label(scale, h.target) if h.target is not None else None,
        }
        for h in found.history
    ]
    return render(
        request,
        "profiles/outcome.html",
        {
            **profile_context(access, found.profile, "overview"),
            "found": found,
            "o": found.outcome,
            "entry": entry,
            "current_label": level_label(scale, entry.current.key) if entry.current else None,
            "target_label": level_label(scale, entry.target.key) if entry.target else None,
            "priority_label": PRIORITY_LABELS.get(entry.priority) if entry.priority else None,
            "help": help_by_code[found.outcome.code],
            "history": history,
            "category_title": lookups.framework_of(found.profile).text(found.outcome.category),
            "action_items": [
                (a, STATUS_LABELS[ActionStatus(a.status)], is_overdue(a)) for a in found.actions
            ],
        },
    )


def is_overdue(action: m.Action) -> bool:
    """Past its due date and neither done nor risk-accepted."""
    today = timezone.localdate()
    return action.due is not None and action.due < today and not ActionStatus(action.status).closed


# -- Tiers -------------------------------------------------------------------------------


@profile_page(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def tiers(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """The profile's CSF Tiers for risk governance and risk management, current and target."""
    row = _row(access, pk)
    community = row.kind == ProfileKind.COMMUNITY.value
    can_edit = access.can(Permission.EDIT_PROFILES)
    initial = {"version": row.version}
    for aspect in TIER_ASPECTS:
        for side in ("current", "target"):
            value = getattr(row, f"{aspect}_{side}")
            initial[f"{aspect}_{side}"] = "" if value is None else str(value)
            initial[f"{aspect}_{side}_rationale"] = getattr(row, f"{aspect}_{side}_rationale")
    form = TiersForm(
        request.POST if request.method == "POST" else None, initial=initial, community=community
    )
    conflict = None
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionMissing(Permission.EDIT_PROFILES, access.role.value)
        if form.is_valid():
            try:
                services.set_tiers(
                    access, pk, form.tiers(), expected_version=form.cleaned_data["version"]
                )
            except StaleEdit as exc:
                conflict, status = exc, 409
            except InputRefused as exc:
                refuse(form, exc)
                status = 400
            else:
                messages.success(request, _("The Tiers are saved."))
                return redirect("profiles:tiers", slug=access.organization.slug, pk=pk)
        else:
            status = 400
    if not can_edit:
        for f in form.fields.values():
            f.disabled = True
    aspects = []
    for aspect in TIER_ASPECTS:
        sides = []
        for side in ("target",) if community else ("current", "target"):
            name = f"{aspect}_{side}"
            chosen = form[name].value() if name in form.fields else None
            sides.append(
                {
                    "side": side,
                    "name": name,
                    "field": form[name],
                    "rationale": form[f"{name}_rationale"],
                    "options": [
                        {
                            "value": str(int(t)),
                            "name": TIER_NAMES[t],
                            "text": tier_text(aspect, t),
                            "checked": str(chosen or "") == str(int(t)),
                        }
                        for t in Tier
                    ],
                    "none_checked": not chosen,
                }
            )
        rating = (
            getattr(row, f"{aspect}_current"),
            getattr(row, f"{aspect}_target"),
        )
        aspects.append(
            {
                "key": aspect,
                "title": _aspect_name(aspect),
                "sides": sides,
                "ladder": [
                    {
                        "tier": t,
                        "name": TIER_NAMES[t],
                        "current": rating[0] == int(t),
                        "target": rating[1] == int(t),
                    }
                    for t in Tier
                ],
            }
        )
    return render(
        request,
        "profiles/tiers.html",
        {
            **profile_context(access, row, "tiers"),
            "form": form,
            "aspects": aspects,
            "conflict": conflict,
        },
        status=status,
    )
