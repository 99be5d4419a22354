"""History and Community Profiles: snapshots, comparisons, trends, file import, derived targets.

A **snapshot** is a dated copy of a profile that never changes — what the
board saw at the Q2 review. Any two snapshots or profiles compare: what
changed, field by field, and how every score moved. The snapshots in a row
make the trend.

A **Community Profile** is a shared target a sector or a supply chain
publishes. It arrives as a file (YAML or JSON), and an organization derives
its own Target Profile from it: the page shows every difference first, and
nothing changes until the person applies it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.profiles import Change, ProfileKind, Scale
from csfpilot.core.scoring import Comparison
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.forms import refuse
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import (
    dashboard_charts,
    lookups,
    page_queries,
    queries,
    services,
    storage,
    uploads,
)
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.conflicts import StaleEdit
from csfpilot.webapp.profiles.exchange import export_filename
from csfpilot.webapp.profiles.forms import DeriveForm, ImportForm, SnapshotForm
from csfpilot.webapp.profiles.labels import (
    KIND_LABELS,
    PRIORITY_LABELS,
    SCOPE_LABELS,
    STATUS_LABELS,
    field_label,
    level_label,
)
from csfpilot.webapp.profiles.views import profile_context, profile_page


@profile_page(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def history(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """Snapshots of the profile with their scores, the trend, and a form to take one."""
    form = SnapshotForm(request.POST or None)
    if request.method == "POST":
        lookups.profile(access, pk)  # an unknown profile is a 404 before a missing permission
        if not access.can(Permission.EDIT_PROFILES):
            raise PermissionMissing(Permission.EDIT_PROFILES, access.role.value)
        if form.is_valid():
            try:
                snap = services.take_snapshot(access, pk, label=form.cleaned_data["label"])
            except (InputRefused, ConflictError) as exc:
                refuse(form, exc)
            else:
                messages.success(
                    request, _("Snapshot taken: %(label)s") % {"label": snap.label or snap.taken_at}
                )
                return redirect("profiles:history", slug=access.organization.slug, pk=pk)
    past = queries.history(access, pk)
    row, snaps, points = past.profile, past.snapshots, past.trend
    framework = lookups.framework_of(row)
    rows = [
        {"snapshot": s, "point": p, "ref": f"snapshot:{s.pk}"}
        for s, p in zip(snaps, points[: len(snaps)], strict=True)
    ]
    live = points[-1] if points else None
    return render(
        request,
        "profiles/history.html",
        {
            **profile_context(access, row, "history"),
            "form": form,
            "rows": list(reversed(rows)),
            "live": live,
            "trend": dashboard_charts.score_trend(points) if len(points) > 1 else None,
            "function_trend": dashboard_charts.function_trend(points, framework),
            "refs": _ref_choices(access, row, snaps),
            "default_before": f"snapshot:{snaps[-1].pk}" if snaps else "",
            "default_after": f"profile:{row.pk}",
        },
    )


def _ref_choices(access: Access, row: m.Profile, snaps: list[m.Snapshot]) -> list[tuple[str, str]]:
    """What a comparison can name: this profile's snapshots, and every live profile."""
    out = [
        (
            f"snapshot:{s.pk}",
            _("Snapshot %(date)s %(label)s")
            % {"date": s.taken_at.date().isoformat(), "label": s.label},
        )
        for s in reversed(snaps)
    ]
    for profile_pk, name in page_queries.comparable_profiles(access, row.framework_id):
        out.append((f"profile:{profile_pk}", _("%(name)s (now)") % {"name": name}))
    return out


def _show(scale: Scale, field: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field in ("current", "target"):
        return level_label(scale, value)
    if field in ("priority", "current_priority"):
        return str(PRIORITY_LABELS.get(value, value))
    # Recorded as the enum's value ("in-progress"); shown in the reader's language.
    for names, labels in (
        (("status",), STATUS_LABELS),
        (("kind",), KIND_LABELS),
        (("scope_type",), SCOPE_LABELS),
    ):
        if field in names:
            return str(next((v for k, v in labels.items() if k == value), value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def change_rows(changes: tuple[Change, ...] | list[Change], scale: Scale) -> list[dict[str, Any]]:
    """Changes as the page lists them: element, field name in words, before and after."""
    return [
        {
            "element": c.element,
            # "action A-002": the plan line's code, named in the reader's language.
            "action": c.element.removeprefix("action ") if c.element.startswith("action ") else "",
            "is_outcome": bool(c.element) and " " not in c.element,
            "field": field_label(c.field),
            "before": _show(scale, c.field, c.before),
            "after": _show(scale, c.field, c.after),
        }
        for c in changes
    ]


def _delta_rows(comparison: Comparison) -> list[dict[str, Any]]:
    rows = []
    for d in comparison.deltas:
        p = d.as_percent()
        rows.append({"d": d, "p": p, "dom": d.code.replace(".", "-")})
    return rows


@profile_page(Permission.VIEW)
@require_GET
def compare(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """Two profiles or snapshots side by side: score deltas, then every changed field."""
    row = lookups.profile(access, pk)
    snaps = queries.snapshots(access, pk)
    before = request.GET.get("before") or (f"snapshot:{snaps[-1].pk}" if snaps else "")
    after = request.GET.get("after") or f"profile:{row.pk}"
    comparison = None
    error = ""
    if before:
        try:
            comparison = queries.compare(access, before, after)
        except InputRefused as exc:
            error = exc.message
    scale = storage.scale_of(row)
    refs = _ref_choices(access, row, snaps)
    names = dict(refs)
    return render(
        request,
        "profiles/compare.html",
        {
            **profile_context(access, row, "history"),
            "refs": refs,
            "before_name": names.get(before, comparison.before if comparison else before),
            "after_name": names.get(after, comparison.after if comparison else after),
            "before": before,
            "after": after,
            "comparison": comparison,
            "error": error,
            "deltas": _delta_rows(comparison) if comparison else [],
            "changes": change_rows(comparison.changes, scale) if comparison else [],
            "changed_outcomes": len(comparison.changed_outcomes) if comparison else 0,
        },
    )


@profile_page(Permission.EXPORT)
@require_GET
def snapshot_export(request: HttpRequest, access: Access, pk: int, snapshot: int) -> HttpResponse:
    row = lookups.profile(access, pk)
    snap = lookups.snapshot(access, snapshot)
    if snap.profile_id != row.pk:
        return HttpResponse(status=404)
    text = services.export_snapshot_file(access, snapshot, "yaml")
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    name = export_filename(row, "yaml", suffix=f"-{snap.taken_at.date().isoformat()}")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit.record_download(
        access,
        "export",
        row.pk,
        label=name,
        filename=name,
        size=len(response.content),
        fmt="yaml",
    )
    return response


# -- files and Community Profiles -------------------------------------------------------------


@profile_page(Permission.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def profile_import(request: HttpRequest, access: Access) -> HttpResponse:
    """Upload a profile file: an organization's own, or a Community Profile to derive from."""
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            refusal = uploads.too_big(upload.size)
            if refusal:
                form.add_error("file", refusal)
            else:
                try:
                    result = services.import_profile_file(
                        access,
                        upload.read(uploads.import_limit() + 1),
                        filename=upload.name,
                        name=form.cleaned_data["name"] or None,
                        replace_existing=form.cleaned_data["replace"],
                    )
                except InputRefused as exc:
                    form.add_error("file", str(exc))
                except ConflictError as exc:
                    form.add_error("name", str(exc))
                else:
                    for warning in result.warnings:
                        messages.warning(request, warning)
                    messages.success(
                        request,
                        (
                            _("%(name)s is imported.")
                            if result.created
                            else _("%(name)s is replaced.")
                        )
                        % {"name": result.profile.name},
                    )
                    return redirect(
                        "profiles:overview", slug=access.organization.slug, pk=result.profile.pk
                    )
    return render(
        request,
        "profiles/import.html",
        {"access": access, "org": access.organization, "form": form},
        status=status,
    )


@profile_page(Permission.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def derive(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """Take a Community Profile's targets onto this profile: preview, then apply."""
    row = lookups.profile(access, pk)
    if row.kind == ProfileKind.COMMUNITY.value:
        messages.error(request, _("A target is derived onto an Organizational Profile."))
        return redirect("profiles:overview", slug=access.organization.slug, pk=pk)
    choices = page_queries.community_choices(access, framework_id=row.framework_id)
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "community" in request.GET else None)
    )
    form = DeriveForm(data, communities=choices)
    preview = None
    status = 200
    if data is not None and form.is_valid():
        community = form.cleaned_data["community"]
        try:
            if request.method == "POST":
                version = int(request.POST.get("version") or 0)
                services.derive_target(
                    access, community, base_id=pk, apply=True, expected_version=version
                )
                messages.success(
                    request, _("The targets of the Community Profile are applied to this profile.")
                )
                return redirect("profiles:overview", slug=access.organization.slug, pk=pk)
            preview = services.derive_target(access, community, base_id=pk, apply=False)
        except StaleEdit:
            status = 409
            form.add_error(
                None,
                _(
                    "The profile changed since the preview was made; nothing was applied. "
                    "Look at the new preview before applying."
                ),
            )
            preview = services.derive_target(access, community, base_id=pk, apply=False)
        except InputRefused as exc:
            status = 400
            form.add_error(None, str(exc))
    scale = storage.scale_of(row)
    return render(
        request,
        "profiles/derive.html",
        {
            **profile_context(access, row, ""),
            "here": _("Derive the target"),
            "form": form,
            "has_communities": bool(choices),
            "preview": preview,
            "changes": change_rows(preview.changes, scale) if preview else [],
            "outcomes_changed": len({c.element for c in preview.changes if c.element})
            if preview
            else 0,
        },
        status=status,
    )
