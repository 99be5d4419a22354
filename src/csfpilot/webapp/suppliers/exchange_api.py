"""``/api/organizations/{slug}/...``: questionnaires between instances, as signed packages.

The buyer:

- ``GET questionnaires/{id}/package`` — the open questionnaire as a signed package;
- ``POST questionnaire-answers/verify`` — verify a supplier's answer package and match it to
  the questionnaire it answers (nothing stored);
- ``POST questionnaire-answers`` — import it (``accept_untrusted`` for an untrusted signer;
  ``questionnaire_id`` to refuse an answer to any other questionnaire).

The supplier:

- ``GET``/``POST received-questionnaires`` — the questionnaires received; import one;
- ``GET received-questionnaires/{id}`` — each outcome asked: target, the chosen profile's
  Current, the answer;
- ``POST received-questionnaires/{id}/profile`` — answer from a profile;
- ``PATCH received-questionnaires/{id}/answers`` — change answers, comments, evidence;
- ``GET received-questionnaires/{id}/package/preview?level=`` and ``…/package?level=`` —
  every field that would leave, and the signed answer package.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import File, Form, Router
from ninja.files import UploadedFile

from csfpilot.formats.packages import verification_summary
from csfpilot.webapp.accounts.api_auth import api_auth, upload_auth
from csfpilot.webapp.organizations.permissions import needs, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.packages.api import PACKAGE_FILE, _read
from csfpilot.webapp.packages.schemas import FieldOut
from csfpilot.webapp.profiles import schemas as ps
from csfpilot.webapp.suppliers import exchange, exchange_out, received
from csfpilot.webapp.suppliers import exchange_schemas as s
from csfpilot.webapp.suppliers import models as m

router = Router(tags=["supplier packages"], auth=api_auth)
ORG = "/organizations/{slug}"
RQ = ORG + "/received-questionnaires/{int:received_id}"
P = Permission
Level = Literal["full", "no-text", "scores"]
REFUSED = {400: ps.RefusedOut, 409: ps.ConflictOut}


def _package_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    ORG + "/questionnaires/{int:questionnaire_id}/package",
    response={200: str, **REFUSED},
    summary="The open questionnaire as a package signed with the organization's key",
    openapi_extra={**PACKAGE_FILE, **needs(P.EDIT_PROFILES)},
)
def questionnaire_package(request: HttpRequest, slug: str, questionnaire_id: int) -> Any:
    access = require(request, slug, P.EDIT_PROFILES)
    result = exchange.questionnaire_package(access, questionnaire_id)
    return _package_response(result.data, result.filename)


@router.post(
    ORG + "/questionnaire-answers/verify",
    response={200: s.AnswerCheckOut, **REFUSED, 413: ps.RefusedOut},
    summary="Verify a supplier's answer package and match it to its questionnaire "
    "(nothing is stored)",
    openapi_extra=needs(P.VIEW),
    auth=upload_auth(P.VIEW),
)
def answer_verify(
    request: HttpRequest, slug: str, file: File[UploadedFile], questionnaire_id: Form[int] = 0
) -> Any:
    access = require(request, slug, P.VIEW)
    seen = exchange.check_answer(
        access,
        _read(file),
        filename=file.name or "package",
        questionnaire_id=questionnaire_id or None,
    )
    return exchange_out.check_out(seen)


@router.post(
    ORG + "/questionnaire-answers",
    response={201: s.AnswerImportedOut, **REFUSED, 413: ps.RefusedOut},
    summary="Import a supplier's signed answer as its answers for that cycle "
    "(untrusted signers need accept_untrusted)",
    openapi_extra=needs(P.EDIT_PROFILES),
    auth=upload_auth(P.EDIT_PROFILES),
)
def answer_import(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    accept_untrusted: Form[bool] = False,
    questionnaire_id: Form[int] = 0,
) -> Any:
    access = require(request, slug, P.EDIT_PROFILES)
    q, pkg = exchange.import_answer(
        access,
        _read(file),
        filename=file.name or "package",
        questionnaire_id=questionnaire_id or None,
        confirm_untrusted=accept_untrusted,
    )
    supplier = m.Supplier.objects.get(pk=q.supplier_id)
    return 201, {
        **verification_summary(pkg),
        "questionnaire_id": q.pk,
        "supplier_id": supplier.pk,
        "state": q.state,
        "risk_score": q.risk_score,
        "risk_rating": q.risk_rating,
        "gap_percent": None if q.gap is None else round(q.gap * 100, 1),
        "key_pinned": supplier.package_fingerprint,
    }


# -- the supplier's side ---------------------------------------------------------------------


@router.get(
    ORG + "/received-questionnaires",
    response=list[s.ReceivedListOut],
    summary="Customers' questionnaires this organization imported to answer",
    openapi_extra=needs(P.VIEW),
)
def received_list(request: HttpRequest, slug: str) -> Any:
    access = require(request, slug, P.VIEW)
    return [
        {
            "id": r.pk,
            "buyer": r.buyer,
            "trusted": r.trusted,
            "cycle": r.cycle,
            "due": r.due,
            "outcomes": len(r.items),
            "profile_id": r.profile_id,
            "returned_at": r.returned_at,
        }
        for r in received.received_list(access)
    ]


@router.post(
    ORG + "/received-questionnaires",
    response={201: s.ReceivedOut, **REFUSED, 413: ps.RefusedOut},
    summary="Import a customer's questionnaire package (untrusted signers need accept_untrusted)",
    openapi_extra=needs(P.EDIT_PROFILES),
    auth=upload_auth(P.EDIT_PROFILES),
)
def received_import(
    request: HttpRequest, slug: str, file: File[UploadedFile], accept_untrusted: Form[bool] = False
) -> Any:
    access = require(request, slug, P.EDIT_PROFILES)
    row, _pkg = received.receive(
        access, _read(file), filename=file.name or "package", confirm_untrusted=accept_untrusted
    )
    return 201, exchange_out.received_out(row, translation.get_language() or "")


@router.get(
    RQ,
    response=s.ReceivedOut,
    summary="A received questionnaire: each outcome's target, the profile's Current, the answer",
    openapi_extra=needs(P.VIEW),
)
def received_get(request: HttpRequest, slug: str, received_id: int) -> Any:
    access = require(request, slug, P.VIEW)
    row = received.get_received(access, received_id)
    return exchange_out.received_out(row, translation.get_language() or "")


@router.post(
    RQ + "/profile",
    response={200: s.ReceivedOut, **REFUSED},
    summary="Answer every outcome from a profile's Current levels",
    openapi_extra=needs(P.EDIT_PROFILES),
)
def received_use_profile(
    request: HttpRequest, slug: str, received_id: int, payload: s.UseProfileIn
) -> Any:
    access = require(request, slug, P.EDIT_PROFILES)
    row = received.use_profile(
        access, received_id, payload.profile_id, expected_version=payload.version
    )
    return exchange_out.received_out(row, translation.get_language() or "")


@router.patch(
    RQ + "/answers",
    response={200: s.ReceivedOut, **REFUSED},
    summary="Change answers, comments and evidence offered",
    openapi_extra=needs(P.EDIT_PROFILES),
)
def received_answers(
    request: HttpRequest, slug: str, received_id: int, payload: s.AnswersIn
) -> Any:
    access = require(request, slug, P.EDIT_PROFILES)
    changes = {code: c.model_dump(exclude_unset=True) for code, c in payload.answers.items()}
    row = received.save_answers(access, received_id, changes, expected_version=payload.version)
    return exchange_out.received_out(row, translation.get_language() or "")


@router.get(
    RQ + "/package/preview",
    response={200: list[FieldOut], **REFUSED},
    summary="Every field the answer package would hold at a redaction level",
    openapi_extra=needs(P.EXPORT),
)
def received_preview(
    request: HttpRequest, slug: str, received_id: int, level: Level = "no-text"
) -> Any:
    access = require(request, slug, P.EXPORT)
    return [
        {"member": mb, "field": f, "value": v}
        for mb, f, v in received.answer_preview(access, received_id, level)
    ]


@router.get(
    RQ + "/package",
    response={200: str, **REFUSED},
    summary="The answers as a package signed with the organization's key",
    openapi_extra={**PACKAGE_FILE, **needs(P.EXPORT)},
)
def received_package(
    request: HttpRequest, slug: str, received_id: int, level: Level = "no-text"
) -> Any:
    access = require(request, slug, P.EXPORT)
    result = received.answer_package(access, received_id, level)
    return _package_response(result.data, result.filename)
