"""The supplier's side of questionnaires between instances: a customer's questionnaire
imported from a signed package, answered from the organization's own profile, and returned
as a signed answer package.

1. :func:`receive` verifies the package (signer, trust, tamper, replay) and keeps the
   questionnaire; an untrusted buyer's only when confirmed (it stays marked untrusted);
2. :func:`use_profile` fills every answer from a profile of the organization's choosing:
   its Current level of each outcome asked (mapped by score when the profile rates on
   another scale); :func:`answer_rows` shows, per outcome, the buyer's target beside the
   profile's Current and where the profile has no answer;
3. :func:`save_answers` changes answers, comments and evidence offered (refused when
   someone saved in between);
4. :func:`answer_preview` lists every field that would leave at a redaction level, from
   the same members :func:`answer_package` then signs.

Reading needs ``org.view``; importing and answering ``profiles.edit``; returning the
signed answer ``data.export``. Each change is one audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.core.profiles.scales import Level, Scale
from csfpilot.formats.native.document import scale_to_document
from csfpilot.formats.packages import VerifiedPackage, build_package, listing, read_package
from csfpilot.formats.packages.questionnaires import (
    ANSWER,
    MAX_COMMENT,
    QUESTIONNAIRE,
    QUESTIONNAIRE_MEMBER,
    Answer,
    Answered,
    Item,
    Request,
    answer_members,
    read_request,
)
from csfpilot.formats.packages.redaction import LEVELS, SCORES
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.packages import services as packages
from csfpilot.webapp.packages.models import ImportedPackage
from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.profiles.frameworks import outcome_framework
from csfpilot.webapp.profiles.labels import level_label
from csfpilot.webapp.profiles.storage import scale_from_json, scale_of
from csfpilot.webapp.suppliers import models as m
from csfpilot.webapp.suppliers.queries import outcome_texts
from csfpilot.webapp.suppliers.services import FRAMEWORK, _need, outcome_codes


def get_received(access: Access, received_id: Any) -> m.ReceivedQuestionnaire:
    """The organization's own received questionnaire; another tenant's is as unknown."""
    try:
        pk = int(received_id)
    except (TypeError, ValueError):
        raise NotFound(f"No received questionnaire {received_id!r}.") from None
    row = (
        m.ReceivedQuestionnaire.objects.select_related("profile")
        .filter(pk=pk, organization=access.organization)
        .first()
    )
    if row is None:
        raise NotFound(f"No received questionnaire {received_id!r}.")
    return row


def received_list(access: Access) -> list[m.ReceivedQuestionnaire]:
    _need(access, Permission.VIEW)
    return list(m.ReceivedQuestionnaire.objects.filter(organization=access.organization)[:200])


def candidate_profiles(access: Access) -> list[pm.Profile]:
    """The organization's own Organizational Profiles on CSF 2.0, to answer from."""
    return list(
        pm.Profile.objects.filter(
            organization=access.organization, kind="organizational", framework__key=FRAMEWORK
        ).order_by("name", "id")
    )


def _request(row: m.ReceivedQuestionnaire) -> Request:
    scale = scale_from_json(row.scale)
    return Request(
        reference=str(row.reference),
        buyer=row.buyer,
        supplier=row.supplier_name,
        cycle=row.cycle,
        due=row.due,
        language=row.language,
        guidance=row.guidance,
        framework=row.framework,
        scale=scale,
        items=tuple(Item(i["code"], scale.level(i["target"])) for i in row.items),
    )


# -- 1. receiving ----------------------------------------------------------------------------


def receive(
    access: Access, data: bytes, *, filename: str = "package", confirm_untrusted: bool = False
) -> tuple[m.ReceivedQuestionnaire, VerifiedPackage]:
    """Verify a questionnaire package and keep it for answering; refused (nothing stored)
    when altered, replayed, of another kind, or untrusted and not confirmed."""
    _need(access, Permission.EDIT_PROFILES)
    names, revoked = packages.trust_lists(access.organization)
    pkg = read_package(data, names, revoked=revoked, name=filename)
    if pkg.kind != QUESTIONNAIRE:
        raise InputRefused(f"a {pkg.kind} package, not a questionnaire", file=filename)
    request = read_request(
        pkg.members.get(QUESTIONNAIRE_MEMBER), known=outcome_codes(), framework=FRAMEWORK
    )
    if not pkg.trusted and not confirm_untrusted:
        raise InputRefused(
            f"{'; '.join(pkg.problems)}: confirm to import it anyway (it stays marked untrusted)",
            file=filename,
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            if ImportedPackage.objects.filter(
                organization=access.organization, package_id=pkg.package_id
            ).exists():
                raise IntegrityError("replayed")
            if m.ReceivedQuestionnaire.objects.filter(
                organization=access.organization, reference=request.reference
            ).exists():
                raise InputRefused(
                    f"this questionnaire ({request.buyer} #{request.cycle}) was imported "
                    "already: answer it there",
                    file=filename,
                )
            packages.record_import(access, pkg, data, at=now)
            row = m.ReceivedQuestionnaire.objects.create(
                organization=access.organization,
                package_id=pkg.package_id,
                reference=request.reference,
                buyer=request.buyer,
                buyer_fingerprint=pkg.fingerprint or "",
                trusted=pkg.trusted,
                trusted_as=(pkg.trusted_as or "")[:200],
                supplier_name=request.supplier,
                cycle=request.cycle,
                due=request.due,
                language=request.language,
                guidance=request.guidance,
                framework=request.framework,
                scale=scale_to_document(request.scale),
                items=[{"code": i.code, "target": i.target.key} for i in request.items],
                received_at=now,
            )
            audit.record(
                access,
                "received-questionnaire",
                row.pk,
                audit.Action.IMPORT,
                label=f"{row.buyer} #{row.cycle}",
                changes=audit.created(
                    {
                        "package": pkg.package_id,
                        "buyer": row.buyer,
                        "fingerprint": pkg.fingerprint,
                        "trusted": pkg.trusted,
                        "due": row.due,
                        "outcomes": len(row.items),
                    }
                ),
            )
    except IntegrityError:
        raise InputRefused(
            "this package was imported already (same package id): a replay is refused",
            file=filename,
        ) from None
    return row, pkg


# -- 2. answering from a profile -------------------------------------------------------------


def _same_level(level: Level | None, scale: Scale) -> Level | None:
    """``level`` of another scale as a level of ``scale``: the same key on the same scale,
    else the level with the same score (not applicable to not applicable); else none."""
    if level is None:
        return None
    for candidate in scale.levels:
        if candidate.score == level.score:
            return candidate
    return None


def profile_levels(row: m.ReceivedQuestionnaire, profile: pm.Profile) -> dict[str, Level | None]:
    """The profile's Current level of each outcome asked, on the questionnaire's scale;
    an outcome missing here is not in the profile."""
    scale = scale_from_json(row.scale)
    own_scale = scale_of(profile)
    codes = [i["code"] for i in row.items]
    rows = pm.ProfileOutcome.objects.filter(profile=profile, code__in=codes).values_list(
        "code", "included", "current"
    )
    out: dict[str, Level | None] = {}
    for code, included, current in rows:
        if not included:
            continue
        level = own_scale.get(current) if current is not None else None
        out[code] = (
            scale.get(level.key)
            if level and own_scale.key == scale.key
            else _same_level(level, scale)
        )
    return out


def _check_version(row: m.ReceivedQuestionnaire, expected_version: int | None) -> None:
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(
            f"The answers were changed by someone else (version {row.version}, you had "
            f"{expected_version}); reload them and apply your change again."
        )


def use_profile(
    access: Access, received_id: Any, profile_id: Any, *, expected_version: int | None = None
) -> m.ReceivedQuestionnaire:
    """Answer every outcome from the profile's Current levels (comments and evidence kept)."""
    _need(access, Permission.EDIT_PROFILES)
    # The questionnaire first: another organization's id is unknown whatever the profile.
    received_pk = get_received(access, received_id).pk
    profile = lookups.profile(access, profile_id)
    if profile.framework.key != FRAMEWORK:
        raise InputRefused(f"the profile is on {profile.framework.key}, not {FRAMEWORK}")
    with transaction.atomic():
        row = m.ReceivedQuestionnaire.objects.select_for_update().get(pk=received_pk)
        _check_version(row, expected_version)
        levels = profile_levels(row, profile)
        answers = dict(row.answers or {})
        for item in row.items:
            level = levels.get(item["code"])
            kept = answers.get(item["code"], {})
            answers[item["code"]] = {
                "answer": None if level is None else level.key,
                "comment": kept.get("comment", ""),
                "evidence": kept.get("evidence", ""),
            }
        before = row.profile_id
        row.profile, row.answers = profile, answers
        row.version += 1
        row.save(update_fields=["profile", "answers", "version"])
        audit.record(
            access,
            "received-questionnaire",
            row.pk,
            audit.Action.UPDATE,
            label=f"{row.buyer} #{row.cycle}",
            changes={
                "profile": [before, profile.pk],
                "answered": [None, sum(1 for a in answers.values() if a["answer"] is not None)],
            },
        )
    return row


def save_answers(
    access: Access,
    received_id: Any,
    changes: dict[str, dict[str, Any]],
    *,
    expected_version: int | None = None,
) -> m.ReceivedQuestionnaire:
    """Change answers: code → any of ``answer`` (a level key, or None), ``comment``,
    ``evidence``. An outcome that was not asked, or a level the scale lacks, is refused."""
    _need(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        row = m.ReceivedQuestionnaire.objects.select_for_update().get(
            pk=get_received(access, received_id).pk
        )
        _check_version(row, expected_version)
        scale = scale_from_json(row.scale)
        asked = {i["code"] for i in row.items}
        answers = dict(row.answers or {})
        diff: dict[str, list[Any]] = {}
        for code, change in changes.items():
            if code not in asked:
                raise InputRefused(f"{code} was not asked in this questionnaire", field=code)
            entry = dict(answers.get(code) or {"answer": None, "comment": "", "evidence": ""})
            before = dict(entry)
            if "answer" in change:
                raw = change["answer"]
                if raw in (None, ""):
                    entry["answer"] = None
                else:
                    if isinstance(raw, str) and raw.isdigit() and scale.get(int(raw)):
                        raw = int(raw)
                    entry["answer"] = scale.level(raw, element=code, field="answer").key
            for key in ("comment", "evidence"):
                if key in change:
                    text = change[key] or ""
                    if not isinstance(text, str) or len(text) > MAX_COMMENT:
                        raise InputRefused(
                            f"at most {MAX_COMMENT:,} characters", element=code, field=key
                        )
                    entry[key] = text
            if entry != before:
                answers[code] = entry
                diff[code] = [before, entry]
        if diff:
            row.answers = answers
            row.version += 1
            row.save(update_fields=["answers", "version"])
            audit.record(
                access,
                "received-questionnaire",
                row.pk,
                audit.Action.UPDATE,
                label=f"{row.buyer} #{row.cycle}",
                changes=diff,
            )
    return row


@dataclass(frozen=True)
class AnswerRow:
    """One outcome asked, with the buyer's target, the profile's Current and the answer."""

    code: str
    text: str
    target: Any
    target_label: str
    own: Any  # the profile's Current level key; None: not assessed or not in the profile
    own_label: str
    in_profile: bool
    answer: Any
    answer_label: str
    comment: str
    evidence: str
    below: bool  # the answer falls short of the target
    changed: bool  # the answer is not the profile's Current


def answer_rows(row: m.ReceivedQuestionnaire, language: str = "") -> list[AnswerRow]:
    scale = scale_from_json(row.scale)
    own = profile_levels(row, row.profile) if row.profile_id else {}
    texts = outcome_texts([i["code"] for i in row.items], language or row.language)
    out = []
    for item in row.items:
        code = item["code"]
        target = scale.get(item["target"])
        got = (row.answers or {}).get(code) or {}
        answer = scale.get(got.get("answer")) if got.get("answer") is not None else None
        mine = own.get(code)
        below = bool(
            target is not None
            and target.score is not None
            and (answer is None or (answer.score is not None and answer.score < target.score))
        )
        out.append(
            AnswerRow(
                code=code,
                text=texts.get(code, ""),
                target=item["target"],
                target_label=level_label(scale, item["target"]) if target else str(item["target"]),
                own=None if mine is None else mine.key,
                own_label=level_label(scale, mine.key) if mine else "",
                in_profile=code in own,
                answer=None if answer is None else answer.key,
                answer_label=level_label(scale, answer.key) if answer else "",
                comment=got.get("comment", ""),
                evidence=got.get("evidence", ""),
                below=below,
                changed=bool(row.profile_id)
                and (None if mine is None else mine.key)
                != (None if answer is None else answer.key),
            )
        )
    return out


# -- 3. returning the signed answer ----------------------------------------------------------


def _members(row: m.ReceivedQuestionnaire, level: str) -> dict[str, Any]:
    if level not in LEVELS:
        raise InputRefused(
            f"unknown redaction level {level!r}; choose {', '.join(LEVELS)}", field="level"
        )
    request = _request(row)
    answers = []
    for item in request.items:
        got = (row.answers or {}).get(item.code) or {}
        key = got.get("answer")
        answers.append(
            Answer(
                code=item.code,
                answer=request.scale.get(key) if key is not None else None,
                comment=got.get("comment", ""),
                evidence=got.get("evidence", ""),
            )
        )
    answered = Answered(
        reference=str(row.reference),
        package_id=str(row.package_id),
        buyer_fingerprint=row.buyer_fingerprint or None,
        cycle=row.cycle,
    )
    framework = outcome_framework(catalog.Framework.objects.get(key=FRAMEWORK))
    return answer_members(answered, request, answers, level, framework)


def answer_preview(access: Access, received_id: Any, level: str) -> list[tuple[str, str, Any]]:
    """Every field that would leave in the answer package at ``level``."""
    _need(access, Permission.EXPORT)
    return listing(_members(get_received(access, received_id), level))


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    package_id: str
    fingerprint: str


def answer_package(access: Access, received_id: Any, level: str) -> Export:
    """The answers signed with the organization's key at ``level`` (audited). Every outcome
    needs an answer (or not applicable) first, as the buyer's questionnaire asks."""
    _need(access, Permission.EXPORT)
    row = get_received(access, received_id)
    missing = [
        i["code"]
        for i in row.items
        if ((row.answers or {}).get(i["code"]) or {}).get("answer") is None
    ]
    if missing and level != SCORES:
        raise InputRefused(
            "answer every outcome first (or choose not applicable): " + ", ".join(missing),
            field="answers",
        )
    members = _members(row, level)
    signer = packages.signer_for(access)
    title = f"{access.organization.name} → {row.buyer} #{row.cycle}"[:500]
    data = build_package(ANSWER, members, level, signer, title=title, language=row.language)
    package_id = read_package(data, {signer.fingerprint: ""}).package_id
    with transaction.atomic():
        locked = m.ReceivedQuestionnaire.objects.select_for_update().get(pk=row.pk)
        locked.returned_at = timezone.now()
        locked.returned_level = level
        locked.returned_package_id = package_id
        locked.save(update_fields=["returned_at", "returned_level", "returned_package_id"])
        audit.record(
            access,
            "received-questionnaire",
            row.pk,
            audit.Action.DOWNLOAD,
            label=f"{row.buyer} #{row.cycle}",
            changes={
                "package": [None, package_id],
                "level": [None, level],
                "fingerprint": [None, signer.fingerprint],
            },
        )
    safe = "".join(c if c.isalnum() else "-" for c in row.buyer)[:60].strip("-")
    filename = f"{safe or 'buyer'}-answer-{row.cycle}-{level}.csfpkg.json"
    return Export(data, filename, package_id, signer.fingerprint)
