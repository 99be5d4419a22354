"""Questionnaire and answer packages as plain JSON: the API's and the command line's form."""

from __future__ import annotations

from typing import Any

from csfpilot.formats.packages import verification_summary
from csfpilot.webapp.suppliers import exchange, received
from csfpilot.webapp.suppliers import models as m


def check_out(seen: exchange.AnswerCheck) -> dict[str, Any]:
    """What verifying an answer package found, with the questionnaire it answers."""
    q = seen.questionnaire
    return {
        **verification_summary(seen.package),
        "questionnaire_id": q.pk if q else None,
        "supplier": q.supplier.name if q else None,
        "cycle": q.cycle if q else None,
        "importable": seen.importable,
        "reason": seen.reason,
        "listing": [{"member": mb, "field": f, "value": v} for mb, f, v in seen.rows],
    }


def received_out(row: m.ReceivedQuestionnaire, language: str = "") -> dict[str, Any]:
    """A received questionnaire with a row per outcome asked, as plain JSON."""
    return {
        "id": row.pk,
        "buyer": row.buyer,
        "buyer_fingerprint": row.buyer_fingerprint,
        "trusted": row.trusted,
        "trusted_as": row.trusted_as,
        "supplier_name": row.supplier_name,
        "cycle": row.cycle,
        "due": row.due,
        "language": row.language,
        "guidance": row.guidance,
        "scale": row.scale,
        "profile_id": row.profile_id,
        "version": row.version,
        "received_at": row.received_at,
        "returned_at": row.returned_at,
        "returned_level": row.returned_level,
        "rows": [
            {
                "code": r.code,
                "text": r.text,
                "target": r.target,
                "own": r.own,
                "in_profile": r.in_profile,
                "answer": r.answer,
                "comment": r.comment,
                "evidence": r.evidence,
                "below_target": r.below,
                "changed_from_profile": r.changed,
            }
            for r in received.answer_rows(row, language)
        ],
    }
