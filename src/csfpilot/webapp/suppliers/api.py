"""``/api/organizations/{slug}/suppliers``: the supplier register, questionnaires, portfolio.

Reading needs ``org.view``; changing suppliers, sending questionnaires, issuing and
revoking guest links and requesting remediation need ``profiles.edit``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router

from csfpilot.webapp.accounts.api_auth import api_auth
from csfpilot.webapp.organizations.permissions import needs, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.suppliers import guest, queries, services
from csfpilot.webapp.suppliers import schemas as s

router = Router(tags=["suppliers"], auth=api_auth)
BASE = "/organizations/{slug}/suppliers"
QBASE = "/organizations/{slug}/questionnaires/{questionnaire_id}"
P = Permission


def _data(payload: s.SupplierIn) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    raw = payload.model_dump(exclude_unset=True)
    raw.pop("version", None)
    contacts = raw.pop("contacts", None)
    if raw.get("tier_override") is None and "tier_override" in raw:
        raw["tier_override"] = ""
    return raw, contacts


@router.get(
    BASE, response=list[s.SupplierRow], summary="The supplier register", openapi_extra=needs(P.VIEW)
)
def supplier_list(request: HttpRequest, slug: str) -> Any:
    access = require(request, slug, P.VIEW)
    return [
        s.SupplierRow(
            id=r.pk,
            name=r.name,
            tier=r.tier,
            country=r.country,
            risk_score=r.risk_score,
            risk_rating=r.risk_rating,
            next_assessment_due=r.next_assessment_due,
        )
        for r in queries.suppliers(access)
    ]


@router.post(
    BASE,
    response={201: s.SupplierOut},
    summary="Add a supplier",
    openapi_extra=needs(P.EDIT_PROFILES),
)
def supplier_create(request: HttpRequest, slug: str, payload: s.SupplierIn) -> Any:
    access = require(request, slug, P.EDIT_PROFILES)
    data, contacts = _data(payload)
    return 201, s.supplier_out(services.create_supplier(access, data, contacts))


@router.get(
    BASE + "/portfolio",
    response=s.PortfolioOut,
    summary="Suppliers × Functions, overdue questionnaires, highest risk",
    openapi_extra=needs(P.VIEW),
)
def portfolio(request: HttpRequest, slug: str) -> Any:
    access = require(request, slug, P.VIEW)
    data = queries.portfolio(access)

    def heat(r: dict[str, Any]) -> s.HeatRow:
        return s.HeatRow(
            id=r["id"],
            name=r["name"],
            tier=r["tier"],
            risk_score=r["risk_score"],
            risk_rating=r["risk_rating"],
            attainment=dict(r["cells"]),
        )

    return s.PortfolioOut(
        functions=list(data.functions),
        suppliers=[heat(r) for r in data.rows],
        overdue=[
            s.OverdueOut(
                questionnaire_id=q["id"],
                supplier_id=q["supplier_id"],
                supplier=q["supplier__name"],
                cycle=q["cycle"],
                due=q["due"],
                days_late=q["days"],
            )
            for q in data.overdue
        ],
        highest_risk=[heat(r) for r in data.highest],
        counts=data.counts,
    )


@router.get(
    BASE + "/{supplier_id}",
    response=s.SupplierOut,
    summary="One supplier",
    openapi_extra=needs(P.VIEW),
)
def supplier_get(request: HttpRequest, slug: str, supplier_id: int) -> Any:
    access = require(request, slug, P.VIEW)
    return s.supplier_out(services.get_supplier(access, supplier_id))


@router.patch(
    BASE + "/{supplier_id}",
    response=s.SupplierOut,
    summary="Change a supplier",
    openapi_extra=needs(P.EDIT_PROFILES),
)
def supplier_update(
    request: HttpRequest, slug: str, supplier_id: int, payload: s.SupplierPatch
) -> Any:
    access = require(request, slug, P.EDIT_PROFILES)
    data, contacts = _data(payload)
    row = services.update_supplier(
        access, supplier_id, data, expected_version=payload.version, contacts=contacts
    )
    return s.supplier_out(row)


@router.delete(
    BASE + "/{supplier_id}",
    response={204: None},
    summary="Remove a supplier",
    openapi_extra=needs(P.EDIT_PROFILES),
)
def supplier_delete(request: HttpRequest, slug: str, supplier_id: int) -> Any:
    access = require(request, slug, P.EDIT_PROFILES)
    services.delete_supplier(access, supplier_id)
    return 204, None


def _questionnaire_out(q: Any) -> s.QuestionnaireOut:
    return s.QuestionnaireOut(
        id=q.pk,
        supplier_id=q.supplier_id,
        cycle=q.cycle,
        state=q.state,
        language=q.language,
        due=q.due,
        sent_at=q.sent_at,
        submitted_at=q.submitted_at,
        submitted_by=q.submitted_by,
        risk_score=q.risk_score,
        risk_rating=q.risk_rating,
        gap=q.gap,
        attainment=q.attainment,
        items=[
            s.QuestionnaireItemOut(
                code=r.code,
                target=r.target,
                answer=r.answer,
                comment=r.comment,
                evidence=r.evidence,
                below_target=r.short,
            )
            for r in queries.questionnaire_rows(q)
        ],
    )


@router.post(
    BASE + "/{supplier_id}/questionnaires",
    response={201: s.QuestionnaireOut},
    summary="Open the supplier's next assessment cycle",
    openapi_extra=needs(P.EDIT_PROFILES),
)
def questionnaire_send(request: HttpRequest, slug: str, supplier_id: int, payload: s.SendIn) -> Any:
    access = require(request, slug, P.EDIT_PROFILES)
    q = services.send_questionnaire(
        access, supplier_id, due=payload.due, guidance=payload.guidance, language=payload.language
    )
    return 201, _questionnaire_out(q)


@router.get(
    QBASE,
    response=s.QuestionnaireOut,
    summary="A questionnaire and its answers",
    openapi_extra=needs(P.VIEW),
)
def questionnaire_get(request: HttpRequest, slug: str, questionnaire_id: int) -> Any:
    access = require(request, slug, P.VIEW)
    return _questionnaire_out(services.get_questionnaire(access, questionnaire_id))


@router.post(
    QBASE + "/links",
    response={201: s.GuestLinkOut},
    summary="Send a guest link to a supplier's contact",
    openapi_extra=needs(P.EDIT_PROFILES),
)
def link_issue(
    request: HttpRequest, slug: str, questionnaire_id: int, payload: s.GuestLinkIn
) -> Any:
    access = require(request, slug, P.EDIT_PROFILES)
    link, token = guest.issue_link(
        access, questionnaire_id, payload.email, absolute=request.build_absolute_uri
    )
    url = request.build_absolute_uri(reverse("suppliers:guest", args=[token]))
    return 201, s.GuestLinkOut(id=link.pk, email=link.email, expires_at=link.expires_at, url=url)


@router.delete(
    QBASE + "/links/{link_id}",
    response={204: None},
    summary="Revoke a guest link",
    openapi_extra=needs(P.EDIT_PROFILES),
)
def link_revoke(request: HttpRequest, slug: str, questionnaire_id: int, link_id: int) -> Any:
    access = require(request, slug, P.EDIT_PROFILES)
    guest.revoke_link(access, questionnaire_id, link_id)
    return 204, None


@router.post(
    BASE + "/{supplier_id}/remediation",
    response={201: s.RemediationOut},
    summary="Ask the supplier to fix something by a day",
    openapi_extra=needs(P.EDIT_PROFILES),
)
def remediation(request: HttpRequest, slug: str, supplier_id: int, payload: s.RemediationIn) -> Any:
    access = require(request, slug, P.EDIT_PROFILES)
    row = services.request_remediation(
        access, supplier_id, request=payload.request, due=payload.due, code=payload.code
    )
    return 201, s.RemediationOut(
        id=row.pk, code=row.code, request=row.request, due=row.due, state=row.state
    )
