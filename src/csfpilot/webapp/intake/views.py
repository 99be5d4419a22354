"""The two wizards' pages: upload, choose the sheet and columns, preview, store.

Each wizard is one address. The uploaded file is held for the person
(:func:`.services.hold`), so the later steps post only their choices. The
preview posts a digest of what it was made from (the file, the mapping and
the value choices); storing with a different digest shows the new preview
instead of storing what nobody looked at.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.profiles import Level, Scale, Side
from csfpilot.formats.community_workbook.reader import ValueChoice, scale_named
from csfpilot.webapp.intake import services
from csfpilot.webapp.intake.forms import (
    AssessmentColumnsForm,
    AssessmentUploadForm,
    CommunityMappingForm,
    MigrationNameForm,
    SheetForm,
    UploadForm,
)
from csfpilot.webapp.intake.models import HeldUpload, Purpose
from csfpilot.webapp.organizations.decorators import org_view
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles.labels import PRIORITY_LABELS, level_label

NOT_RATED = "-"


def _digest(upload: HeldUpload, *parts: Any) -> str:
    blob = json.dumps([upload.sha256, *parts], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _posted_choices(post: QueryDict) -> dict[str, Any]:
    """The value choices of the preview: ``vt-N`` the typed text, ``vc-N`` the level chosen."""
    choices: dict[str, Any] = {}
    for key, text in post.items():
        if key.startswith("vt-"):
            chosen = post.get("vc-" + key[3:], NOT_RATED)
            choices[text] = None if chosen == NOT_RATED else chosen
    return choices


def _typed_key(scale: Scale, posted: Any) -> Any:
    """A posted level key in the scale's own type (``"3"`` is 3 on the maturity scale)."""
    for level in scale.levels:
        if str(level.key) == str(posted):
            return level.key
    return posted


def _effective(values: tuple[ValueChoice, ...]) -> dict[str, Any]:
    """How each typed text was read: what a preview shows, so what its digest covers."""
    return {v.text: v.chosen for v in values}


def _typed_choices(scale: Scale, choices: dict[str, Any]) -> dict[str, Any]:
    return {k: None if v is None else _typed_key(scale, v) for k, v in choices.items()}


def _value_rows(values: tuple[ValueChoice, ...], scale: Scale) -> list[dict[str, Any]]:
    options = [(str(lv.key), level_label(scale, lv.key)) for lv in scale.levels]
    return [
        {
            "index": i,
            "text": v.text,
            "cells": v.cells,
            "proposed": level_label(scale, v.proposed) if v.proposed is not None else "",
            "chosen": NOT_RATED if v.chosen is None else str(v.chosen),
            "options": options,
            "needs_choice": v.needs_choice,
        }
        for i, v in enumerate(values)
    ]


def _upload_step(
    request: HttpRequest, access: Access, purpose: str, form_class: type, template: str
) -> HttpResponse | None:
    """Handle the upload and start-over posts; None when the request is for a later step."""
    action = request.POST.get("action", "")
    if action == "discard":
        services.discard(access, purpose)
        return redirect(request.path)
    if action != "upload":
        return None
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > services.upload_max():
                raise InputRefused(
                    _("The file has %(n)d bytes; at most %(max)d are read.")
                    % {"n": upload.size, "max": services.upload_max()}
                )
            services.hold(access, purpose, upload.read(services.upload_max() + 1), upload.name)
        except InputRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect(request.path)
    return render(
        request,
        template,
        {"access": access, "org": access.organization, "upload_form": form},
        status=400,
    )


@org_view(Permission.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def community_workbook(request: HttpRequest, access: Access) -> HttpResponse:
    """A sector's Community Profile workbook: map its columns, preview the targets, store."""
    template = "intake/community.html"
    done = _upload_step(request, access, Purpose.COMMUNITY, UploadForm, template)
    if done is not None:
        return done
    context: dict[str, Any] = {"access": access, "org": access.organization}
    upload = services.held(access, Purpose.COMMUNITY)
    if upload is None:
        return render(request, template, {**context, "upload_form": UploadForm()})
    workbook = services.workbook_of(upload)
    action = request.POST.get("action", "")
    source = request.POST if action in ("preview", "store") else request.GET
    sheets = list(workbook.tables)
    sheet = source.get("sheet") if source.get("sheet") in workbook.tables else sheets[0]
    mapping_sheet = source.get("mapping_sheet", "")
    mapping_sheet = mapping_sheet if mapping_sheet in workbook.tables else ""
    sheet_form = SheetForm(
        initial={"sheet": sheet, "mapping_sheet": mapping_sheet}, workbook=workbook
    )
    form = CommunityMappingForm(
        request.POST if action in ("preview", "store") else None,
        initial={
            "sheet": sheet,
            "mapping_sheet": mapping_sheet,
            "name": upload.filename.rsplit(".", 1)[0],
            "scale": "status",
        },
        workbook=workbook,
        sheet=sheet,
        mapping_sheet=mapping_sheet,
        auto_id="col_%s",
    )
    status = 200
    preview = None
    digest = ""
    if action in ("preview", "store"):
        status = 400
        if form.is_valid():
            choices = _posted_choices(request.POST)
            try:
                spec = form.spec()
                choices = _typed_choices(scale_named(spec.scale), choices)
                read = services.read_community_workbook(
                    access, bytes(upload.data), upload.filename, spec, choices
                )
                digest = _digest(upload, spec.as_dict(), _effective(read.values))
                if action == "store" and request.POST.get("previewed") == digest:
                    stored = services.store_community_workbook(
                        access, bytes(upload.data), upload.filename, spec, choices
                    )
                    services.discard(access, Purpose.COMMUNITY)
                    for warning in stored.result.warnings:
                        messages.warning(request, warning)
                    messages.success(
                        request,
                        _("%(name)s is stored as a Community Profile.")
                        % {"name": stored.result.profile.name},
                    )
                    return redirect(
                        "profiles:overview",
                        slug=access.organization.slug,
                        pk=stored.result.profile.pk,
                    )
                if action == "store":
                    status = 409
                    form.add_error(
                        None,
                        _(
                            "The mapping or the value choices changed since the preview; "
                            "nothing was stored. Look at the new preview before storing."
                        ),
                    )
                else:
                    status = 200
                preview = read
            except InputRefused as exc:
                form.add_error(None, str(exc))
            except ConflictError as exc:
                form.add_error("name", str(exc))
    context.update(
        upload=upload,
        sheet_form=sheet_form,
        form=form,
        sheet=sheet,
        mapping_sheet=mapping_sheet,
        preview=preview,
        digest=digest,
    )
    if preview is not None:
        scale = preview.profile.scale
        context["value_rows"] = _value_rows(preview.values, scale)
        context["target_rows"] = [
            {
                "code": code,
                "target": level_label(scale, e.target.key) if e.target else "",
                "priority": PRIORITY_LABELS.get(e.priority, "") if e.priority else "",
                "included": e.included,
                "cites": preview.citations.get(code, ()),
            }
            for code, e in preview.profile.outcomes.items()
        ]
        context["unrated"] = sum(1 for e in preview.profile.outcomes.values() if e.target is None)
    return render(request, template, context, status=status)


@org_view(Permission.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def csf11_migration(request: HttpRequest, access: Access) -> HttpResponse:
    """A CSF 1.1 assessment: read it, see a proposed CSF 2.0 rating per outcome, store a draft."""
    template = "intake/csf11.html"
    done = _upload_step(request, access, Purpose.CSF11, AssessmentUploadForm, template)
    if done is not None:
        return done
    context: dict[str, Any] = {"access": access, "org": access.organization}
    upload = services.held(access, Purpose.CSF11)
    if upload is None:
        return render(request, template, {**context, "upload_form": AssessmentUploadForm()})
    action = request.POST.get("action", "")
    posted = request.POST if action in ("preview", "store") else None
    source = request.POST if posted is not None else request.GET
    stem = upload.filename.rsplit(".", 1)[0]
    name_form = MigrationNameForm(posted, initial={"name": f"{stem} (CSF 2.0)"})
    columns_form = None
    sheet_form = None
    if services.is_workbook(upload.filename):
        workbook = services.workbook_of(upload)
        sheets = list(workbook.tables)
        sheet = source.get("sheet") if source.get("sheet") in workbook.tables else sheets[0]
        sheet_form = SheetForm(initial={"sheet": sheet}, workbook=workbook, mapping=False)
        columns_form = AssessmentColumnsForm(
            posted,
            initial={"sheet": sheet, "scale": "status"},
            workbook=workbook,
            sheet=sheet,
            auto_id="col_%s",
        )
    status = 200
    migration = None
    digest = ""
    errors: list[str] = []
    wants_read = action in ("preview", "store") or (columns_form is None and action == "")
    if wants_read:
        valid = (columns_form is None or columns_form.is_valid()) and (
            posted is None or name_form.is_valid()
        )
        if not valid:
            status = 400
        else:
            choices = _posted_choices(request.POST)
            columns = columns_form.columns() if columns_form is not None else None
            try:
                if columns is not None:
                    choices = _typed_choices(scale_named(columns.scale), choices)
                migration = services.plan_migration(
                    access, bytes(upload.data), upload.filename, columns, choices, name=stem
                )
                scale = migration.assessment.profile.scale
                digest = _digest(
                    upload,
                    columns.as_dict() if columns else None,
                    _effective(migration.assessment.values),
                )
                if action == "store":
                    if request.POST.get("previewed") != digest:
                        status = 409
                        errors.append(
                            _(
                                "The columns or the value choices changed since the preview; "
                                "nothing was stored. Look at the new preview before storing."
                            )
                        )
                    else:
                        result = services.store_migration(
                            access,
                            migration,
                            name=name_form.cleaned_data["name"],
                            decisions=_decisions(request.POST, migration, scale),
                            filename=upload.filename,
                        )
                        services.discard(access, Purpose.CSF11)
                        messages.success(
                            request,
                            _("%(name)s is stored as a CSF 2.0 profile.")
                            % {"name": result.profile.name},
                        )
                        return redirect(
                            "profiles:overview", slug=access.organization.slug, pk=result.profile.pk
                        )
            except InputRefused as exc:
                status = 400
                errors.append(str(exc))
                migration = None
            except ConflictError as exc:
                status = 400
                errors.append(str(exc))
    context.update(
        upload=upload,
        sheet_form=sheet_form,
        columns_form=columns_form,
        name_form=name_form,
        migration=migration,
        digest=digest,
        errors=errors,
    )
    if migration is not None:
        scale = migration.assessment.profile.scale
        context["value_rows"] = _value_rows(migration.assessment.values, scale)
        context["proposal_rows"] = _proposal_rows(migration, scale)
        context["rated"] = len({p.outcome for p in migration.plan.rated()})
        context["unrouted"] = migration.plan.unrouted
    return render(request, template, context, status=status)


def _proposal_rows(migration: services.Migration, scale: Scale) -> list[dict[str, Any]]:
    options = [("", _("Not assessed"))] + [
        (str(lv.key), level_label(scale, lv.key)) for lv in scale.levels
    ]
    rows = []
    for outcome in migration.plan.framework.outcomes:
        sides = []
        for side in Side:
            p = migration.plan.proposal(outcome, side)
            sides.append(
                {
                    "side": side.value,
                    "chosen": "" if p is None or p.level is None else str(p.level.key),
                    "label": level_label(scale, p.level.key) if p and p.level else "",
                }
            )
        current = migration.plan.proposal(outcome, Side.CURRENT)
        rows.append(
            {
                "code": outcome,
                "sides": sides,
                "options": options,
                "explanation": current.explanation() if current else "",
                "proposed": any(s["chosen"] for s in sides),
            }
        )
    return rows


def _decisions(
    post: QueryDict, migration: services.Migration, scale: Scale
) -> dict[tuple[str, Side], Level | None]:
    """What the person chose in each select: ``d-<outcome>-<side>``, empty for not assessed."""
    decisions: dict[tuple[str, Side], Level | None] = {}
    for outcome in migration.plan.framework.outcomes:
        for side in Side:
            field = f"d-{outcome}-{side.value}"
            if field not in post:
                continue
            posted = post[field]
            if posted == "":
                decisions[(outcome, side)] = None
                continue
            level = scale.get(_typed_key(scale, posted))
            if level is None:
                raise InputRefused(
                    f"{posted!r} is not a level of the {scale.key!r} scale",
                    element=outcome,
                    field=side.value,
                )
            decisions[(outcome, side)] = level
    return decisions
