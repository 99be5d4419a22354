"""The transfer page of a profile: pick a framework, review every proposal, apply.

GET with a target framework shows the preview: per target outcome the
proposed values, the coverage, the sources with their values and the
relationship path, and the datasets. POST applies the ticked rows with the
values as the reviewer left them, into a new draft or an existing profile on
the target framework, then opens the written profile.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from csfpilot.core.crosswalks import Contribution
from csfpilot.core.errors import ConflictError, CsfpilotError, InputRefused
from csfpilot.core.profiles import Level, Scale
from csfpilot.webapp.organizations.decorators import org_page
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.profiles.labels import level_label
from csfpilot.webapp.profiles.views import profile_context
from csfpilot.webapp.transfers import queries, services
from csfpilot.webapp.transfers.forms import (
    COVERAGE_LABELS,
    RELATIONSHIP_LABELS,
    RULE_LABELS,
    TransferForm,
)


def _profiles_on(access: Access, framework_key: str) -> list[tuple[str, str]]:
    return [
        (str(pk), name)
        for pk, name in pm.Profile.objects.filter(
            organization=access.organization,
            framework__key=framework_key,
            kind="organizational",
        )
        .order_by("name")
        .values_list("pk", "name")
    ]


def _key_of(scale: Scale, raw: str) -> Any:
    """A level key as the select sent it (text), back to the scale's own key ("3" → 3)."""
    if not raw:
        return None
    for level in scale.levels:
        if str(level.key) == raw:
            return level.key
    raise InputRefused(f"{raw!r} is not a level of the {scale.key!r} scale")


def _choices(
    request: HttpRequest, preview: services.Preview
) -> tuple[dict[str, Any], dict[str, int]]:
    scale = preview.scale
    choices: dict[str, Any] = {}
    versions: dict[str, int] = {}
    for code in request.POST.getlist("accept"):
        if preview.transfer.proposal(code) is None:
            raise InputRefused("the transfer proposes nothing for this outcome", element=code)
        choices[code] = {
            "current": _key_of(scale, request.POST.get(f"current-{code}", "")),
            "target": _key_of(scale, request.POST.get(f"target-{code}", "")),
        }
        raw = request.POST.get(f"version-{code}")
        if raw and raw.isdigit():
            versions[code] = int(raw)
    return choices, versions


@org_page(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    row = lookups.profile(access, pk)
    if request.method == "POST" and not access.can(Permission.EDIT_PROFILES):
        raise PermissionDenied
    crosswalks = queries.headers(access.organization)  # read once for both menus
    targets = queries.target_choices(row.framework.key, rows=crosswalks)
    data = (
        request.POST if request.method == "POST" else (request.GET if "to" in request.GET else None)
    )
    to = (data or {}).get("to") or ""
    form = TransferForm(
        data,
        targets=targets,
        datasets=queries.dataset_choices(rows=crosswalks),
        profiles=_profiles_on(access, to) if to else [],
    )
    preview = None
    status = 200
    if data is not None and form.is_valid():
        args = {
            "to": form.cleaned_data["to"],
            "via": form.cleaned_data["via"],
            "rule": form.cleaned_data["rule"],
            "onto_id": form.cleaned_data["onto"] or None,
        }
        try:
            preview = services.preview(access, pk, **args)
            if request.method == "POST":
                choices, versions = _choices(request, preview)
                if not choices:
                    raise InputRefused(_("Tick at least one outcome to write."))
                written = services.apply(
                    access,
                    pk,
                    **args,
                    name=request.POST.get("name") or None,
                    choices=choices,
                    versions=versions,
                )
                messages.success(
                    request,
                    _("%(count)s outcomes were written into %(name)s.")
                    % {"count": len(choices), "name": written.name},
                )
                return redirect("profiles:overview", slug=access.organization.slug, pk=written.pk)
        except ConflictError as exc:
            status = 409
            form.add_error(None, str(exc))
            preview = services.preview(access, pk, **args)
        except CsfpilotError as exc:
            status = 400
            form.add_error(None, str(exc))
    return render(
        request,
        "transfers/transfer.html",
        {
            **profile_context(access, row, ""),
            "here": _("Transfer to another framework"),
            "form": form,
            "has_targets": bool(targets),
            "preview": preview,
            "rows": _rows(preview) if preview else [],
            "route_datasets": _route_datasets(access, preview, crosswalks) if preview else [],
            "draft_name": f"{row.name} → {queries.target_framework(to).name}" if preview else "",
            "rule_label": RULE_LABELS[preview.transfer.rule.value] if preview else "",
            "can_edit": access.can(Permission.EDIT_PROFILES),
        },
        status=status,
    )


def _route_datasets(
    access: Access, preview: services.Preview, crosswalks: list[Any]
) -> list[dict[str, Any]]:
    """The datasets the route crosses, by name; the organization's own crosswalk is labelled
    as such and links to its page, since its key alone says little to a reader."""
    by_key = {ds.key: ds for ds in crosswalks}
    out = []
    for key in preview.transfer.datasets:
        ds = by_key.get(key)
        own = isinstance(ds, queries.OwnCrosswalk)
        out.append(
            {
                "key": key,
                "name": ds.name if ds is not None else key,
                "own": own,
                "url": reverse("mapping:crosswalk", args=[access.organization.slug, ds.project_id])
                if own
                else "",
            }
        )
    return out


def _label(scale: Scale, level: Level | None) -> str:
    return "—" if level is None else level_label(scale, level.key)


def _source(c: Contribution, scale: Scale) -> dict[str, Any]:
    return {
        "code": c.source,
        "current": _label(scale, c.current),
        "target": _label(scale, c.target),
        "relationship": RELATIONSHIP_LABELS[c.relationship.value],
        "chain": len(c.path) > 1,
        "path": " → ".join([c.source, *(s.target for s in c.path)]),
    }


def _rows(preview: services.Preview) -> list[dict[str, Any]]:
    scale = preview.scale
    source_scale = preview.transfer.source_scale
    options = [(str(lv.key), level_label(scale, lv.key)) for lv in scale.levels]
    rows = []
    for p in preview.transfer.proposals:
        rated = [c for c in p.contributions if c.current is not None or c.target is not None]
        found = preview.existing.get(p.outcome)
        replaces = preview.replaces(p.outcome)
        proposed = p.current.level is not None or p.target.level is not None
        rows.append(
            {
                "code": p.outcome,
                "coverage": p.coverage.value,
                "coverage_label": COVERAGE_LABELS[p.coverage.value],
                "capped": p.current.capped or p.target.capped,
                "current": "" if p.current.level is None else str(p.current.level.key),
                "target": "" if p.target.level is None else str(p.target.level.key),
                "options": options,
                "existing": found,
                "existing_current": _label(scale, found.current) if found else "",
                "existing_target": _label(scale, found.target) if found else "",
                "replaces": replaces,
                # Ticked by default: a proposal that fills only empty values.
                "ticked": proposed and not replaces,
                "text": preview.texts.get(p.outcome, ""),
                "sources": [_source(c, source_scale) for c in rated],
                "unrated": [c.source for c in p.contributions if c not in rated],
                "datasets": p.datasets,
            }
        )
    return rows
