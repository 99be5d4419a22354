"""Use cases of the supplier register: suppliers, requirement sets, questionnaires sent,
results, remediation requests. Each change is one transaction with its audit event.

Managing suppliers needs ``profiles.edit`` (owners and assessors: the people who run
assessments); reading needs ``org.view``; the CSV export needs ``data.export``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.core.profiles.scales import Scale
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog.models import Node
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.profiles.storage import scale_from_json, scale_of, scale_to_json
from csfpilot.webapp.suppliers import models as m
from csfpilot.webapp.suppliers import risk, tiering

FRAMEWORK = "csf-2.0"
DEFAULT_SCALE = "status"
FIELDS = (
    "name",
    "services",
    "data_access",
    "system_access",
    "service_dependency",
    "country",
    "tier_override",
    "tier_reason",
    "contract_start",
    "contract_end",
    "requirement_profile_id",
    "requirements",
    "language",
    "next_assessment_due",
    "notes",
)
MAX_CONTACTS = 20
MAX_REQUIREMENTS = 500


def _need(access: Access, permission: Permission) -> None:
    if not access.can(permission):
        raise PermissionMissing(permission, access.role.value)


def get_supplier(access: Access, supplier_id: Any) -> m.Supplier:
    """The organization's own supplier; another tenant's id is as unknown as a made-up one."""
    try:
        pk = int(supplier_id)
    except (TypeError, ValueError):
        raise NotFound(f"No supplier {supplier_id!r} in this organization.") from None
    row = m.Supplier.objects.filter(pk=pk, organization=access.organization).first()
    if row is None:
        raise NotFound(f"No supplier {supplier_id!r} in this organization.")
    return row


def get_questionnaire(access: Access, questionnaire_id: Any) -> m.Questionnaire:
    try:
        pk = int(questionnaire_id)
    except (TypeError, ValueError):
        raise NotFound(f"No questionnaire {questionnaire_id!r} in this organization.") from None
    row = (
        m.Questionnaire.objects.select_related("supplier")
        .filter(pk=pk, organization=access.organization)
        .first()
    )
    if row is None:
        raise NotFound(f"No questionnaire {questionnaire_id!r} in this organization.")
    return row


# -- requirement sets ------------------------------------------------------------------------


def outcome_codes() -> dict[str, int]:
    """CSF 2.0's assessable outcomes (Subcategories), code → order."""
    return dict(
        Node.objects.filter(
            framework__key=FRAMEWORK, level="subcategory", withdrawn=False
        ).values_list("code", "order")
    )


LINE = re.compile(r"^\s*([A-Za-z]{2}\.[A-Za-z]{2}-\d{2})\s*[:,;\s]\s*(\S+)\s*$")


def parse_requirements(text: str, scale: Scale | None = None) -> list[dict[str, Any]]:
    """Requirement lines as typed (``GV.SC-05 fully``, one per line) → stored items.

    Refuses an unknown outcome, an unknown level or an outcome named twice, naming the line.
    """
    scale = scale or scale_from_json(DEFAULT_SCALE)
    known = outcome_codes()
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip() or raw.strip().startswith("#"):
            continue
        match = LINE.match(raw)
        if not match:
            raise InputRefused(
                "write an outcome and its target level, e.g. 'GV.SC-05 fully', "
                f"not {raw.strip()!r}",
                field="requirements",
                line=number,
            )
        code, key = match.group(1).upper(), match.group(2)
        if code not in known:
            raise InputRefused(
                f"{code} is not a CSF 2.0 outcome", field="requirements", line=number
            )
        if code in seen:
            raise InputRefused(f"{code} is named twice", field="requirements", line=number)
        value: Any = int(key) if key.isdigit() and scale.get(int(key)) else key
        scale.level(value, element=code, field="requirements")
        seen.add(code)
        items.append({"code": code, "target": value})
    if len(items) > MAX_REQUIREMENTS:
        raise InputRefused(f"at most {MAX_REQUIREMENTS} requirements", field="requirements")
    items.sort(key=lambda item: known[item["code"]])
    return items


def requirements_text(items: list[Mapping[str, Any]]) -> str:
    return "\n".join(f"{item['code']} {item['target']}" for item in items)


@dataclass(frozen=True)
class RequirementSet:
    scale: Scale
    items: list[dict[str, Any]]  # {"code", "target"} in Core order
    source: str  # "profile" | "list" | ""


def requirement_set(supplier: m.Supplier) -> RequirementSet:
    """What the supplier must meet: the Community Profile's targets, or the listed outcomes."""
    if supplier.requirement_profile_id:
        profile = pm.Profile.objects.get(pk=supplier.requirement_profile_id)
        rows = (
            pm.ProfileOutcome.objects.filter(profile=profile, included=True, target__isnull=False)
            .order_by("position")
            .values_list("code", "target")
        )
        return RequirementSet(
            scale_of(profile), [{"code": c, "target": t} for c, t in rows], "profile"
        )
    if supplier.requirements:
        return RequirementSet(scale_from_json(DEFAULT_SCALE), list(supplier.requirements), "list")
    return RequirementSet(scale_from_json(DEFAULT_SCALE), [], "")


def community_profiles(access: Access) -> list[pm.Profile]:
    return list(
        pm.Profile.objects.filter(organization=access.organization, kind="community").order_by(
            "name", "id"
        )
    )


# -- suppliers -------------------------------------------------------------------------------


def _values(row: m.Supplier) -> dict[str, Any]:
    return {f: getattr(row, f) for f in FIELDS} | {"tier": row.tier}


def _clean(access: Access, data: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: data[k] for k in FIELDS if k in data}
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            raise InputRefused("Give the supplier a name.", field="name")
        if len(out["name"]) > 200:
            raise InputRefused("The name is longer than 200 characters.", field="name")
    for key, choices in (
        ("data_access", m.DataAccess),
        ("system_access", m.SystemAccess),
        ("service_dependency", m.ServiceDependency),
        ("language", m.Language),
    ):
        if key in out and out[key] not in choices.values:
            raise InputRefused(f"{out[key]!r} is not one of {', '.join(choices.values)}", field=key)
    if out.get("tier_override") and out["tier_override"] not in m.TierChoice.values:
        raise InputRefused(
            f"{out['tier_override']!r} is not one of {', '.join(m.TierChoice.values)}",
            field="tier_override",
        )
    if "country" in out:
        country = (out["country"] or "").strip().upper()
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            raise InputRefused("Write the country as its two-letter ISO code.", field="country")
        out["country"] = country
    start, end = out.get("contract_start"), out.get("contract_end")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        raise InputRefused("The contract ends before it starts.", field="contract_end")
    profile_id = out.get("requirement_profile_id")
    if profile_id:
        if not pm.Profile.objects.filter(
            pk=profile_id, organization=access.organization, kind="community"
        ).exists():
            raise InputRefused(
                "Choose one of the organization's Community Profiles.",
                field="requirement_profile_id",
            )
    elif "requirement_profile_id" in out:
        out["requirement_profile_id"] = None
    if "requirements" in out:
        reqs = out["requirements"]
        if isinstance(reqs, str):
            out["requirements"] = parse_requirements(reqs)
        else:
            out["requirements"] = parse_requirements(requirements_text(list(reqs or [])))
    return out


def _retier(row: m.Supplier) -> None:
    row.derived_tier = tiering.derived_tier(
        row.data_access, row.system_access, row.service_dependency
    ).value
    row.tier = tiering.effective_tier(row.derived_tier, row.tier_override).value


def _set_contacts(row: m.Supplier, contacts: list[Mapping[str, Any]]) -> None:
    if len(contacts) > MAX_CONTACTS:
        raise InputRefused(f"at most {MAX_CONTACTS} contacts", field="contacts")
    clean: list[m.Contact] = []
    for i, c in enumerate(contacts):
        name = (c.get("name") or "").strip()
        email = (c.get("email") or "").strip()
        if not name and not email:
            continue
        if not email or "@" not in email or len(email) > 254:
            raise InputRefused("Enter the contact's e-mail address.", field=f"contacts[{i}].email")
        clean.append(
            m.Contact(
                supplier=row,
                name=(name or email)[:200],
                email=email,
                role=(c.get("role") or "").strip()[:200],
                position=i,
            )
        )
    m.Contact.objects.filter(supplier=row).delete()
    m.Contact.objects.bulk_create(clean)


def _contact_values(row: m.Supplier) -> list[str]:
    return [f"{c.name} <{c.email}>" for c in row.contacts.all()]


def create_supplier(
    access: Access, data: Mapping[str, Any], contacts: list[Mapping[str, Any]] | None = None
) -> m.Supplier:
    _need(access, Permission.EDIT_PROFILES)
    values = _clean(access, data)
    if "name" not in values:
        raise InputRefused("Give the supplier a name.", field="name")
    with transaction.atomic():
        row = m.Supplier(organization=access.organization, **values)
        _retier(row)
        row.save()
        _set_contacts(row, list(contacts or []))
        audit.record(
            access,
            "supplier",
            row.pk,
            audit.Action.CREATE,
            label=row.name,
            changes=audit.created(_values(row) | {"contacts": _contact_values(row)}),
        )
    return row


def update_supplier(
    access: Access,
    supplier_id: Any,
    data: Mapping[str, Any],
    *,
    expected_version: int,
    contacts: list[Mapping[str, Any]] | None = None,
) -> m.Supplier:
    """Change a supplier; refused (409) if someone saved it since ``expected_version``."""
    _need(access, Permission.EDIT_PROFILES)
    values = _clean(access, data)
    with transaction.atomic():
        row = (
            m.Supplier.objects.select_for_update()
            .filter(pk=get_supplier(access, supplier_id).pk)
            .get()
        )
        if row.version != expected_version:
            raise ConflictError(
                f"{row.name} was changed by someone else (version {row.version}, you had "
                f"{expected_version}); reload it and apply your change again."
            )
        before = _values(row) | {"contacts": _contact_values(row)}
        for key, value in values.items():
            setattr(row, key, value)
        _retier(row)
        row.version += 1
        row.save()
        if contacts is not None:
            _set_contacts(row, contacts)
        after = _values(row) | {"contacts": _contact_values(row)}
        audit.record(
            access,
            "supplier",
            row.pk,
            audit.Action.UPDATE,
            label=row.name,
            changes=audit.diff(before, after),
        )
    return row


def delete_supplier(access: Access, supplier_id: Any) -> None:
    _need(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        row = get_supplier(access, supplier_id)
        audit.record(
            access,
            "supplier",
            row.pk,
            audit.Action.DELETE,
            label=row.name,
            changes=audit.deleted(_values(row)),
        )
        row.delete()


# -- questionnaires --------------------------------------------------------------------------


def send_questionnaire(
    access: Access, supplier_id: Any, *, due: date, guidance: str = "", language: str = ""
) -> m.Questionnaire:
    """Open the supplier's next assessment cycle with a copy of its requirement set."""
    _need(access, Permission.EDIT_PROFILES)
    if not isinstance(due, date):
        raise InputRefused("Give the day the answers are due.", field="due")
    if due < timezone.localdate():
        raise InputRefused("The due day is in the past.", field="due")
    if len(guidance or "") > 20_000:
        raise InputRefused("The guidance is longer than 20,000 characters.", field="guidance")
    with transaction.atomic():
        supplier = (
            m.Supplier.objects.select_for_update()
            .filter(pk=get_supplier(access, supplier_id).pk)
            .get()
        )
        reqs = requirement_set(supplier)
        if not reqs.items:
            raise InputRefused(
                "The supplier has no requirements yet: choose a Community Profile or list "
                "outcomes with target levels first.",
                field="requirements",
            )
        language = language or supplier.language
        if language not in m.Language.values:
            raise InputRefused(f"{language!r} is not en or zh-hant", field="language")
        last = supplier.questionnaires.aggregate(top=Max("cycle"))["top"] or 0
        # A new cycle closes an earlier one still open: its links stop working.
        for old in supplier.questionnaires.filter(
            state__in=[m.QuestionnaireState.SENT, m.QuestionnaireState.IN_PROGRESS]
        ):
            old.state = m.QuestionnaireState.CLOSED
            old.save(update_fields=["state"])
        q = m.Questionnaire.objects.create(
            organization=access.organization,
            supplier=supplier,
            cycle=last + 1,
            language=language,
            scale=scale_to_json(reqs.scale),
            guidance=guidance or "",
            due=due,
            sent_at=timezone.now(),
            sent_by=access.user if getattr(access.user, "pk", None) else None,
        )
        m.QuestionnaireItem.objects.bulk_create(
            m.QuestionnaireItem(questionnaire=q, code=i["code"], position=n, target=i["target"])
            for n, i in enumerate(reqs.items)
        )
        audit.record(
            access,
            "supplier-questionnaire",
            q.pk,
            audit.Action.CREATE,
            label=f"{supplier.name} #{q.cycle}",
            changes=audit.created(
                {
                    "supplier": supplier.pk,
                    "cycle": q.cycle,
                    "due": due,
                    "language": language,
                    "outcomes": len(reqs.items),
                }
            ),
        )
    return q


def lines_of(q: m.Questionnaire, items: list[m.QuestionnaireItem]) -> list[risk.Line]:
    scale = scale_from_json(q.scale)
    out = []
    for item in items:
        target = scale.get(item.target)
        answer = scale.get(item.answer) if item.answer is not None else None
        out.append(
            risk.Line(
                code=item.code,
                target=target.score if target else None,
                answer=answer.score if answer else None,
                answered=answer is not None,
                applicable=answer is None or answer.applicable,
            )
        )
    return out


def record_results(q: m.Questionnaire) -> risk.Result:
    """Score a submitted questionnaire and copy the results onto the supplier.

    Called inside the submission's transaction."""
    supplier = m.Supplier.objects.select_for_update().get(pk=q.supplier_id)
    result = risk.assess(lines_of(q, list(q.items.all())), supplier.tier)
    q.risk_score, q.risk_rating = result.score, result.rating
    q.gap, q.attainment = result.gap, result.attainment
    q.save(update_fields=["risk_score", "risk_rating", "gap", "attainment"])
    latest = supplier.questionnaires.filter(state=m.QuestionnaireState.SUBMITTED).first()
    if latest is None or latest.pk == q.pk or latest.cycle <= q.cycle:
        supplier.risk_score, supplier.risk_rating = result.score, result.rating
        supplier.gap, supplier.attainment = result.gap, result.attainment
        supplier.assessed_at = q.submitted_at
        supplier.save(
            update_fields=["risk_score", "risk_rating", "gap", "attainment", "assessed_at"]
        )
    return result


def close_questionnaire(access: Access, questionnaire_id: Any) -> m.Questionnaire:
    _need(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        q = get_questionnaire(access, questionnaire_id)
        if not q.open:
            raise ConflictError("The questionnaire is no longer open.")
        q.state = m.QuestionnaireState.CLOSED
        q.save(update_fields=["state"])
        audit.record(
            access,
            "supplier-questionnaire",
            q.pk,
            audit.Action.UPDATE,
            label=f"{q.supplier.name} #{q.cycle}",
            changes={"state": ["open", "closed"]},
        )
    return q


# -- remediation -----------------------------------------------------------------------------


def request_remediation(
    access: Access, supplier_id: Any, *, request: str, due: date, code: str = ""
) -> m.Remediation:
    _need(access, Permission.EDIT_PROFILES)
    request = (request or "").strip()
    if not request:
        raise InputRefused("Say what the supplier must fix.", field="request")
    if len(request) > 5000:
        raise InputRefused("The request is longer than 5,000 characters.", field="request")
    if not isinstance(due, date):
        raise InputRefused("Give the day the fix is due.", field="due")
    code = (code or "").strip().upper()
    if code and code not in outcome_codes():
        raise InputRefused(f"{code} is not a CSF 2.0 outcome", field="code")
    with transaction.atomic():
        supplier = get_supplier(access, supplier_id)
        latest = supplier.questionnaires.filter(state=m.QuestionnaireState.SUBMITTED).first()
        row = m.Remediation.objects.create(
            organization=access.organization,
            supplier=supplier,
            questionnaire=latest,
            code=code,
            request=request,
            due=due,
        )
        audit.record(
            access,
            "supplier-remediation",
            row.pk,
            audit.Action.CREATE,
            label=f"{supplier.name} {code}".strip(),
            changes=audit.created({"code": code, "request": request, "due": due}),
        )
    return row


def close_remediation(
    access: Access, supplier_id: Any, remediation_id: Any, state: str
) -> m.Remediation:
    _need(access, Permission.EDIT_PROFILES)
    if state not in (m.RemediationState.DONE, m.RemediationState.CANCELLED):
        raise InputRefused("Mark the request done or cancelled.", field="state")
    with transaction.atomic():
        supplier = get_supplier(access, supplier_id)
        try:
            pk = int(remediation_id)
        except (TypeError, ValueError):
            raise NotFound(f"No remediation request {remediation_id!r}.") from None
        row = m.Remediation.objects.select_for_update().filter(pk=pk, supplier=supplier).first()
        if row is None:
            raise NotFound(f"No remediation request {remediation_id!r}.")
        if row.state != m.RemediationState.OPEN:
            raise ConflictError("The request is already closed.")
        row.state = state
        row.closed_at = timezone.now()
        row.save(update_fields=["state", "closed_at"])
        audit.record(
            access,
            "supplier-remediation",
            row.pk,
            audit.Action.UPDATE,
            label=f"{supplier.name} {row.code}".strip(),
            changes={"state": ["open", state]},
        )
    return row


def default_due() -> date:
    return timezone.localdate() + timedelta(days=30)
