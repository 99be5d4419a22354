"""Pages of questionnaires between instances: the buyer's questionnaire as a signed package,
and the supplier's side (customers' questionnaires received, answered, returned signed).

Packages of either kind are imported on the one import page (packages/views.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.formats.packages.redaction import LEVELS
from csfpilot.webapp.organizations.decorators import org_page, org_view
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.packages.forms import LEVEL_CHOICES
from csfpilot.webapp.profiles.labels import level_label
from csfpilot.webapp.profiles.storage import scale_from_json
from csfpilot.webapp.suppliers import exchange, received
from csfpilot.webapp.suppliers.received import MAX_COMMENT

P = Permission


def _download(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@org_page(P.EDIT_PROFILES)
@require_GET
def questionnaire_package(
    request: HttpRequest, access: Access, questionnaire_id: int
) -> HttpResponse:
    try:
        result = exchange.questionnaire_package(access, questionnaire_id)
    except ConflictError:
        # The one conflict: the questionnaire was answered or closed since the page was drawn.
        messages.error(request, _("The questionnaire is no longer open; send a new one."))
        return redirect(
            "suppliers:questionnaire",
            slug=access.organization.slug,
            questionnaire_id=questionnaire_id,
        )
    return _download(result.data, result.filename)


@org_view(P.VIEW)
@require_GET
def received_list(request: HttpRequest, access: Access) -> HttpResponse:
    return render(
        request,
        "suppliers/received_list.html",
        {
            "access": access,
            "org": access.organization,
            "rows": received.received_list(access),
            "can_edit": access.can(P.EDIT_PROFILES),
        },
    )


def _level(request: HttpRequest) -> str:
    level = request.GET.get("level", "no-text")
    return level if level in LEVELS else "no-text"


@org_page(P.VIEW)
@require_GET
def received_detail(request: HttpRequest, access: Access, received_id: int) -> HttpResponse:
    row = received.get_received(access, received_id)
    level = _level(request)
    can_export = access.can(P.EXPORT)
    preview: list = []
    if can_export:
        preview = received.answer_preview(access, row.pk, level)
    scale = scale_from_json(row.scale)
    rows = received.answer_rows(row, translation.get_language() or "")
    return render(
        request,
        "suppliers/received.html",
        {
            "access": access,
            "org": access.organization,
            "r": row,
            "rows": rows,
            "levels": [(lv.key, level_label(scale, lv.key)) for lv in scale.levels],
            "profiles": received.candidate_profiles(access),
            "can_edit": access.can(P.EDIT_PROFILES),
            "can_export": can_export,
            "level": level,
            "level_choices": LEVEL_CHOICES,
            "preview": preview,
            "members": sorted({mb for mb, _f, _v in preview}),
            "missing": [x.code for x in rows if x.answer is None],
            "below": sum(1 for x in rows if x.below),
            "max_comment": MAX_COMMENT,
        },
    )


def _back(access: Access, received_id: int) -> HttpResponse:
    return redirect("suppliers:received", slug=access.organization.slug, received_id=received_id)


@org_page(P.EDIT_PROFILES)
@require_POST
def received_profile(request: HttpRequest, access: Access, received_id: int) -> HttpResponse:
    received.get_received(access, received_id)  # another organization's: 404
    try:
        received.use_profile(
            access,
            received_id,
            request.POST.get("profile", ""),
            expected_version=_version(request),
        )
    except (InputRefused, ConflictError) as exc:
        messages.error(request, str(exc))
    except NotFound:
        messages.error(request, _("Choose one of the organization's profiles."))
    else:
        messages.success(
            request, _("Every answer is taken from the profile; check and change them below.")
        )
    return _back(access, received_id)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@org_page(P.EDIT_PROFILES)
@require_POST
def received_answers(request: HttpRequest, access: Access, received_id: int) -> HttpResponse:
    row = received.get_received(access, received_id)
    changes = {
        item["code"]: {
            "answer": request.POST.get(f"answer-{item['code']}", "") or None,
            "comment": request.POST.get(f"comment-{item['code']}", ""),
            "evidence": request.POST.get(f"evidence-{item['code']}", ""),
        }
        for item in row.items
        if f"answer-{item['code']}" in request.POST
    }
    try:
        received.save_answers(access, row.pk, changes, expected_version=_version(request))
    except (InputRefused, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The answers are saved."))
    return _back(access, received_id)


@org_page(P.EXPORT)
@require_GET
def received_package(request: HttpRequest, access: Access, received_id: int) -> HttpResponse:
    level = request.GET.get("level", "")
    if level not in LEVELS:
        messages.error(request, _("Choose a redaction level."))
        return _back(access, received_id)
    try:
        result = received.answer_package(access, received_id, level)
    except InputRefused as exc:
        messages.error(request, str(exc))
        return _back(access, received_id)
    return _download(result.data, result.filename)
