"""What ``csfpilot questionnaire ...`` does, as the instance's operator (see
:mod:`csfpilot.webapp.profiles.operator`), answering plain JSON."""

from __future__ import annotations

from typing import Any

from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.profiles.operator import operator_access
from csfpilot.webapp.suppliers import exchange, exchange_out, received
from csfpilot.webapp.suppliers import models as m
from csfpilot.webapp.suppliers.exchange_schemas import ReceivedOut


def _received(row: m.ReceivedQuestionnaire) -> dict[str, Any]:
    """As the API answers it, with dates and times as ISO texts."""
    return ReceivedOut.model_validate(exchange_out.received_out(row)).model_dump(mode="json")


def send_package(org: str, questionnaire: int) -> dict[str, Any]:
    result = exchange.questionnaire_package(operator_access(org), questionnaire)
    return {
        "data": result.data,
        "filename": result.filename,
        "package_id": result.package_id,
        "fingerprint": result.fingerprint,
    }


def check_answer(org: str, data: bytes, *, filename: str, questionnaire: int | None) -> Any:
    seen = exchange.check_answer(
        operator_access(org), data, filename=filename, questionnaire_id=questionnaire
    )
    return exchange_out.check_out(seen)


def import_answer(
    org: str, data: bytes, *, filename: str, questionnaire: int | None, accept_untrusted: bool
) -> dict[str, Any]:
    q, pkg = exchange.import_answer(
        operator_access(org),
        data,
        filename=filename,
        questionnaire_id=questionnaire,
        confirm_untrusted=accept_untrusted,
    )
    supplier = m.Supplier.objects.get(pk=q.supplier_id)
    return {
        "questionnaire_id": q.pk,
        "supplier": supplier.name,
        "cycle": q.cycle,
        "state": q.state,
        "trusted": pkg.trusted,
        "fingerprint": pkg.fingerprint,
        "risk_score": q.risk_score,
        "risk_rating": q.risk_rating,
        "gap_percent": None if q.gap is None else round(q.gap * 100, 1),
        "key_pinned": supplier.package_fingerprint,
    }


def receive(org: str, data: bytes, *, filename: str, accept_untrusted: bool) -> dict[str, Any]:
    row, _pkg = received.receive(
        operator_access(org), data, filename=filename, confirm_untrusted=accept_untrusted
    )
    return _received(row)


def show(org: str, received_id: int) -> dict[str, Any]:
    return _received(received.get_received(operator_access(org), received_id))


def answer(
    org: str, received_id: int, *, profile: str | None, changes: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    access = operator_access(org)
    if profile:
        row = lookups.profile_by_ref(access, profile)
        received.use_profile(access, received_id, row.pk)
    if changes:
        received.save_answers(access, received_id, changes)
    return _received(received.get_received(access, received_id))


def return_answer(org: str, received_id: int, level: str, *, preview: bool) -> dict[str, Any]:
    access = operator_access(org)
    if preview:
        rows = received.answer_preview(access, received_id, level)
        return {"rows": [{"member": mb, "field": f, "value": v} for mb, f, v in rows]}
    result = received.answer_package(access, received_id, level)
    return {
        "data": result.data,
        "filename": result.filename,
        "package_id": result.package_id,
        "fingerprint": result.fingerprint,
    }
