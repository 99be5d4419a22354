"""The buyer's side of questionnaires between instances: a questionnaire sent as a signed
package, and the supplier's signed answer package imported against it.

Sending (:func:`questionnaire_package`) signs ``questionnaire.json`` (docs/packages.md) with
the organization's key; the questionnaire gets a ``reference`` the first time, which the
answer must repeat.

Importing an answer (:func:`check_answer`, then :func:`import_answer`) refuses, storing
nothing, an answer that:

- was altered, is no package, or was imported before (a replay, by package id);
- names a questionnaire this organization did not send, one that is closed or already
  submitted, or (when imported on a questionnaire's page) another questionnaire;
- was signed by another key than the one pinned for that supplier (the key of its first
  trusted answer);
- is signed by a key this organization does not trust, unless the import is confirmed (it
  is then recorded as untrusted and pins nothing);
- holds scores only (no answer per outcome), leaves a required outcome unanswered, answers
  an outcome that was not asked, or rates on another scale.

A stored answer submits the questionnaire as a guest's submission does: the results, the
risk rating and the portfolio read it at once. One audit event per import.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.profiles.scales import Scale
from csfpilot.formats.packages import VerifiedPackage, build_package, listing, read_package
from csfpilot.formats.packages.questionnaires import (
    ANSWER,
    ANSWER_MEMBER,
    QUESTIONNAIRE,
    QUESTIONNAIRE_MEMBER,
    AnswerSheet,
    Item,
    Request,
    questionnaire_member,
    read_answer,
)
from csfpilot.formats.packages.redaction import FULL, SCORES
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.packages import services as packages
from csfpilot.webapp.packages.models import ImportedPackage, OrganizationKey
from csfpilot.webapp.profiles.storage import scale_from_json
from csfpilot.webapp.suppliers import models as m
from csfpilot.webapp.suppliers.services import (
    FRAMEWORK,
    _need,
    get_questionnaire,
    outcome_codes,
    record_results,
)


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    package_id: str
    fingerprint: str


def request_of(q: m.Questionnaire) -> Request:
    """The questionnaire as a package states it (its reference must be set)."""
    scale = scale_from_json(q.scale)
    items = []
    for item in q.items.all():
        target = scale.level(item.target, element=item.code, field="target")
        items.append(Item(item.code, target))
    return Request(
        reference=str(q.reference),
        buyer=q.organization.name[:200],
        supplier=q.supplier.name,
        cycle=q.cycle,
        due=q.due,
        language=q.language,
        guidance=q.guidance,
        framework=FRAMEWORK,
        scale=scale,
        items=tuple(items),
    )


def _filename(q: m.Questionnaire, what: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in q.supplier.name)[:60].strip("-")
    return f"{safe or 'supplier'}-{what}-{q.cycle}.csfpkg.json"


def questionnaire_package(access: Access, questionnaire_id: Any) -> Export:
    """The open questionnaire as a package signed with the organization's key (audited)."""
    _need(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        q = (
            m.Questionnaire.objects.select_for_update()
            .select_related("supplier", "organization")
            .get(pk=get_questionnaire(access, questionnaire_id).pk)
        )
        if not q.open:
            raise ConflictError("The questionnaire is no longer open; send a new one.")
        if q.reference is None:
            q.reference = uuid.uuid4()
            q.save(update_fields=["reference"])
        signer = packages.signer_for(access)
        request = request_of(q)
        data = build_package(
            QUESTIONNAIRE,
            {QUESTIONNAIRE_MEMBER: questionnaire_member(request)},
            FULL,
            signer,
            title=f"{q.supplier.name} #{q.cycle}"[:500],
            language=q.language,
        )
        package_id = read_package(data, {signer.fingerprint: ""}).package_id
        audit.record(
            access,
            "supplier-questionnaire",
            q.pk,
            audit.Action.DOWNLOAD,
            label=f"{q.supplier.name} #{q.cycle}",
            changes={
                "package": [None, package_id],
                "reference": [None, str(q.reference)],
                "fingerprint": [None, signer.fingerprint],
            },
        )
    return Export(data, _filename(q, "questionnaire"), package_id, signer.fingerprint)


# -- answers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerCheck:
    """An answer package as verified against the questionnaire it names; nothing stored.

    ``reason`` is empty when it can be imported (an untrusted one then needs confirming).
    """

    package: VerifiedPackage
    questionnaire: m.Questionnaire | None
    sheet: AnswerSheet | None
    reason: str
    rows: list[tuple[str, str, Any]]

    @property
    def importable(self) -> bool:
        return not self.reason


def _levels(scale: Scale) -> tuple[Any, ...]:
    return (scale.key, tuple((level.key, level.score) for level in scale.levels))


def _why_not(
    access: Access,
    pkg: VerifiedPackage,
    q: m.Questionnaire | None,
    sheet: AnswerSheet | None,
    questionnaire_id: Any,
) -> str:
    if ImportedPackage.objects.filter(
        organization=access.organization, package_id=pkg.package_id
    ).exists():
        return "this package was imported already (same package id): a replay is refused"
    if sheet is None or q is None:
        return "this answer names no questionnaire this organization sent"
    if questionnaire_id is not None and str(q.pk) != str(questionnaire_id):
        return (
            f"this answer is for another questionnaire ({q.supplier.name} #{q.cycle}), not this one"
        )
    own = set(
        OrganizationKey.objects.filter(organization=access.organization).values_list(
            "fingerprint", flat=True
        )
    )
    if sheet.answered.buyer_fingerprint not in own:
        return "this answer is for a questionnaire signed by another organization's key"
    pinned = q.supplier.package_fingerprint
    if pinned and pkg.fingerprint != pinned:
        return (
            f"{q.supplier.name} signs its answers with the key {pinned}; this answer is signed "
            f"by {pkg.fingerprint or 'no key'}"
        )
    if not q.open:
        return f"the questionnaire {q.supplier.name} #{q.cycle} is no longer open"
    if pkg.redaction == SCORES or sheet.answers is None:
        return "this answer holds scores only: there is no answer per outcome to store"
    scale = scale_from_json(q.scale)
    if _levels(sheet.scale) != _levels(scale):
        return (
            f"the answer rates on the {sheet.scale.key!r} scale; the questionnaire asks on "
            f"{scale.key!r}"
        )
    asked = [i.code for i in q.items.all()]
    answered = {a.code: a for a in sheet.answers}
    extra = sorted(set(answered) - set(asked))
    if extra:
        return "the answer names outcomes that were not asked: " + ", ".join(extra)
    missing = [c for c in asked if c not in answered or answered[c].answer is None]
    if missing:
        return "the answer leaves these outcomes unanswered: " + ", ".join(missing)
    return ""


def check_answer(
    access: Access, data: bytes, *, filename: str = "package", questionnaire_id: Any = None
) -> AnswerCheck:
    """Verify an answer package and match it to the questionnaire it answers; store nothing.

    An altered package, or one that is not an answer, is refused (InputRefused) here."""
    _need(access, Permission.VIEW)
    names, revoked = packages.trust_lists(access.organization)
    pkg = read_package(data, names, revoked=revoked, name=filename)
    if pkg.kind != ANSWER:
        raise InputRefused(f"a {pkg.kind} package, not a questionnaire answer", file=filename)
    sheet = read_answer(pkg.members.get(ANSWER_MEMBER), pkg.redaction, known=outcome_codes())
    q = (
        m.Questionnaire.objects.select_related("supplier")
        .filter(organization=access.organization, reference=sheet.answered.reference)
        .first()
    )
    reason = _why_not(access, pkg, q, sheet, questionnaire_id)
    return AnswerCheck(pkg, q, sheet, reason, listing(pkg.members))


def import_answer(
    access: Access,
    data: bytes,
    *,
    filename: str = "package",
    questionnaire_id: Any = None,
    confirm_untrusted: bool = False,
) -> tuple[m.Questionnaire, VerifiedPackage]:
    """Store a verified answer package as the supplier's answers for its cycle (see the
    module text for every refusal) and submit the questionnaire."""
    _need(access, Permission.EDIT_PROFILES)
    seen = check_answer(access, data, filename=filename, questionnaire_id=questionnaire_id)
    pkg = seen.package
    if not seen.importable:
        raise InputRefused(seen.reason, file=filename)
    if not pkg.trusted and not confirm_untrusted:
        raise InputRefused(
            f"{'; '.join(pkg.problems)}: confirm to import it anyway (it stays marked untrusted)",
            file=filename,
        )
    assert seen.questionnaire is not None and seen.sheet is not None and seen.sheet.answers
    answers = {a.code: a for a in seen.sheet.answers}
    with transaction.atomic():
        q = (
            m.Questionnaire.objects.select_for_update()
            .select_related("supplier")
            .get(pk=seen.questionnaire.pk)
        )
        supplier = m.Supplier.objects.select_for_update().get(pk=q.supplier_id)
        if not q.open:
            raise ConflictError("The questionnaire is no longer open; send a new one.")
        if supplier.package_fingerprint and supplier.package_fingerprint != pkg.fingerprint:
            raise InputRefused(f"{supplier.name} signs its answers with another key", file=filename)
        now = timezone.now()
        items = list(q.items.select_for_update())
        for item in items:
            got = answers[item.code]
            item.answer = got.answer.key if got.answer is not None else None
            item.comment = got.comment
            item.evidence = got.evidence
            item.answered_at = now
        m.QuestionnaireItem.objects.bulk_update(
            items, ["answer", "comment", "evidence", "answered_at"]
        )
        trust_word = "signed package" if pkg.trusted else "signed package, untrusted"
        q.state = m.QuestionnaireState.SUBMITTED
        q.submitted_at = now
        q.submitted_by = f"{pkg.producer[:200]} ({trust_word})"
        q.save(update_fields=["state", "submitted_at", "submitted_by"])
        pinned = False
        if pkg.trusted and pkg.fingerprint and not supplier.package_fingerprint:
            supplier.package_fingerprint = pkg.fingerprint
            supplier.save(update_fields=["package_fingerprint"])
            pinned = True
        result = record_results(q)
        try:
            with transaction.atomic():
                packages.record_import(access, pkg, data, at=now)
        except IntegrityError:
            raise InputRefused(
                "this package was imported already (same package id): a replay is refused",
                file=filename,
            ) from None
        audit.record(
            access,
            "supplier-questionnaire",
            q.pk,
            audit.Action.IMPORT,
            label=f"{supplier.name} #{q.cycle}",
            changes={
                "package": [None, pkg.package_id],
                "producer": [None, pkg.producer],
                "fingerprint": [None, pkg.fingerprint],
                "trusted": [None, pkg.trusted],
                "level": [None, pkg.redaction],
                "state": ["open", "submitted"],
                "risk_score": [None, result.score],
                "key_pinned": [None, pinned],
                "answers": [
                    {"code": i.code, "answer": i.answer, "comment": i.comment} for i in items
                ],
            },
        )
    return q, pkg
