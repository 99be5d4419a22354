"""Questionnaires as workbooks in NIST's Organizational Profile Template layout.

For a supplier who answers in a spreadsheet and returns it by e-mail: the buyer downloads
the questionnaire as a workbook (the layout of :mod:`csfpilot.formats.profile_xlsx`: one
row per outcome, the required level in the Target columns, the supplier's answers go in
the Current columns, comments in Notes), sends it, and imports the returned file. Reading
goes through the same reader as every profile workbook (size limit, zip and formula
checks, a refusal naming sheet, row and column); the buyer sees every answer beside its
target before anything is stored, then applies it, which submits the questionnaire as a
guest's submission does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.profiles import OutcomeEntry, Profile
from csfpilot.formats.profile_xlsx import profile_workbook, read_profile_workbook
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles.frameworks import outcome_framework
from csfpilot.webapp.profiles.storage import scale_from_json
from csfpilot.webapp.profiles.uploads import import_limit
from csfpilot.webapp.suppliers import models as m
from csfpilot.webapp.suppliers.services import (
    FRAMEWORK,
    _need,
    get_questionnaire,
    record_results,
)

MAX_COMMENT = 10_000


def _framework():  # type: ignore[no-untyped-def]
    return outcome_framework(catalog.Framework.objects.get(key=FRAMEWORK))


def filename(q: m.Questionnaire) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in q.supplier.name)[:60].strip("-")
    return f"{safe or 'supplier'}-questionnaire-{q.cycle}.xlsx"


def questionnaire_workbook(access: Access, questionnaire_id: Any) -> tuple[m.Questionnaire, bytes]:
    """The questionnaire as a workbook: required levels as the Target, answers so far as
    the Current side."""
    _need(access, Permission.EDIT_PROFILES)
    q = get_questionnaire(access, questionnaire_id)
    scale = scale_from_json(q.scale)
    outcomes = {
        item.code: OutcomeEntry(
            outcome=item.code,
            target=scale.get(item.target),
            current=scale.get(item.answer) if item.answer is not None else None,
            notes=item.comment,
        )
        for item in q.items.all()
    }
    profile = Profile(
        name=f"{q.supplier.name} — {q.cycle}"[:200],
        scale=scale,
        description=q.guidance,
        outcomes=outcomes,
    )
    return q, profile_workbook(profile, _framework())


@dataclass(frozen=True)
class Returned:
    """One required outcome as the returned workbook answers it."""

    code: str
    target: Any
    answer: Any  # a level key, or None when the row was left blank
    comment: str
    before: Any  # the answer stored now


def read_returned(
    access: Access, questionnaire_id: Any, data: bytes, name: str
) -> tuple[m.Questionnaire, list[Returned], tuple[str, ...]]:
    """What a returned workbook answers, for the preview; nothing is stored."""
    _need(access, Permission.EDIT_PROFILES)
    q = get_questionnaire(access, questionnaire_id)
    if not q.open:
        raise ConflictError("The questionnaire is no longer open; send a new one.")
    limit = import_limit()
    if len(data) > limit:
        raise InputRefused(f"the file has {len(data):,} bytes; the limit is {limit:,}", file=name)
    scale = scale_from_json(q.scale)
    read = read_profile_workbook(
        data, name=name, framework=_framework(), scale=scale, profile_name=name
    )
    if read.profile.scale.key != scale.key:
        raise InputRefused(
            f"the workbook rates on the {read.profile.scale.key!r} scale; this questionnaire "
            f"asks on {scale.key!r}",
            file=name,
        )
    rows = []
    for item in q.items.all():
        entry = read.profile.outcomes.get(item.code)
        rows.append(
            Returned(
                code=item.code,
                target=item.target,
                answer=entry.current.key if entry and entry.current else None,
                comment=(entry.notes if entry else "")[:MAX_COMMENT],
                before=item.answer,
            )
        )
    return q, rows, read.warnings


def apply_returned(
    access: Access,
    questionnaire_id: Any,
    answers: dict[str, tuple[Any, str]],
    *,
    sender: str,
    filename: str,
) -> m.Questionnaire:
    """Store the previewed answers (code → level key, comment) and submit the questionnaire.

    Every required outcome must be answered (or not applicable), as in the browser."""
    _need(access, Permission.EDIT_PROFILES)
    sender = (sender or "").strip()[:254] or "workbook"
    with transaction.atomic():
        q = m.Questionnaire.objects.select_for_update().get(
            pk=get_questionnaire(access, questionnaire_id).pk
        )
        if not q.open:
            raise ConflictError("The questionnaire is no longer open; send a new one.")
        scale = scale_from_json(q.scale)
        items = list(q.items.select_for_update())
        missing = [i.code for i in items if answers.get(i.code, (None, ""))[0] in (None, "")]
        if missing:
            raise InputRefused(
                "the workbook leaves these outcomes unanswered: " + ", ".join(missing),
                file=filename,
            )
        now = timezone.now()
        for item in items:
            raw, comment = answers[item.code]
            if isinstance(raw, str) and raw.isdigit() and scale.get(int(raw)):
                raw = int(raw)
            item.answer = scale.level(raw, element=item.code, field="answer").key
            item.comment = (comment or "")[:MAX_COMMENT]
            item.answered_at = now
        m.QuestionnaireItem.objects.bulk_update(items, ["answer", "comment", "answered_at"])
        q.state = m.QuestionnaireState.SUBMITTED
        q.submitted_at = now
        q.submitted_by = f"{sender} (workbook)"
        q.save(update_fields=["state", "submitted_at", "submitted_by"])
        result = record_results(q)
        audit.record(
            access,
            "supplier-questionnaire",
            q.pk,
            audit.Action.IMPORT,
            label=f"{q.supplier.name} #{q.cycle}",
            changes={
                "file": filename,
                "state": ["open", "submitted"],
                "risk_score": [None, result.score],
                "answers": [
                    {"code": i.code, "answer": i.answer, "comment": i.comment} for i in items
                ],
            },
        )
    return q
