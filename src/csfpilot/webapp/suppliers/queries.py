"""Reads of the supplier register: lists, one supplier's picture, the portfolio."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone, translation

from csfpilot.core.catalog.csf2 import FUNCTION_IDS
from csfpilot.webapp.catalog.models import Node, NodeTranslation
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.profiles.labels import level_label
from csfpilot.webapp.profiles.storage import scale_from_json
from csfpilot.webapp.suppliers import models as m
from csfpilot.webapp.suppliers import tiering
from csfpilot.webapp.suppliers.services import FRAMEWORK, lines_of, requirement_set

FUNCTIONS: tuple[str, ...] = tuple(FUNCTION_IDS)
OPEN_STATES = (m.QuestionnaireState.SENT, m.QuestionnaireState.IN_PROGRESS)


def suppliers(access: Access, *, q: str = "", tier: str = "") -> Any:
    rows = m.Supplier.objects.filter(organization=access.organization).annotate(
        open_questionnaires=Count("questionnaires", filter=Q(questionnaires__state__in=OPEN_STATES))
    )
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(services__icontains=q))
    if tier in m.TierChoice.values:
        rows = rows.filter(tier=tier)
    # A grouped query drops the model's ordering; pages need a stable one.
    return rows.order_by(*m.Supplier._meta.ordering)


@dataclass(frozen=True)
class Row:
    """One requirement of a questionnaire: target, answer and what falls short."""

    code: str
    text: str  # NIST's outcome statement, translated when a translation is loaded
    target: Any
    target_label: str
    answer: Any
    answer_label: str
    comment: str
    evidence: str
    short: bool
    answered: bool


def outcome_texts(codes: list[str], language: str) -> dict[str, str]:
    """NIST's statement of each outcome, in ``language`` where NIST's translation is loaded."""
    nodes = dict(
        Node.objects.filter(framework__key=FRAMEWORK, code__in=codes).values_list("code", "text")
    )
    if language and language != "en":
        nodes.update(
            NodeTranslation.objects.filter(
                node__framework__key=FRAMEWORK, node__code__in=codes, language=language
            )
            .exclude(text="")
            .values_list("node__code", "text")
        )
    return nodes


def questionnaire_rows(q: m.Questionnaire, language: str = "") -> list[Row]:
    scale = scale_from_json(q.scale)
    items = list(q.items.all())
    texts = outcome_texts([i.code for i in items], language or q.language)
    out = []
    for item, line in zip(items, lines_of(q, items), strict=True):
        target = scale.get(item.target)
        answer = scale.get(item.answer) if item.answer is not None else None
        short = bool(
            line.applicable
            and line.target
            and (line.answer if line.answered and line.answer is not None else 0) < line.target
        )
        out.append(
            Row(
                code=item.code,
                text=texts.get(item.code, ""),
                target=item.target,
                target_label=level_label(scale, item.target) if target else str(item.target),
                answer=item.answer,
                answer_label=level_label(scale, item.answer) if answer else "",
                comment=item.comment,
                evidence=item.evidence,
                short=short,
                answered=item.answer is not None,
            )
        )
    return out


@dataclass
class SupplierPicture:
    supplier: m.Supplier
    contacts: list[m.Contact]
    questionnaires: list[m.Questionnaire]
    latest: m.Questionnaire | None  # the latest submitted one
    rows: list[Row]
    remediations: list[m.Remediation]
    requirements: list[dict[str, Any]]
    requirement_source: str
    points: int
    weight: int
    today: date = field(default_factory=timezone.localdate)


def picture(supplier: m.Supplier) -> SupplierPicture:
    questionnaires = list(supplier.questionnaires.all())
    latest = next((q for q in questionnaires if q.state == m.QuestionnaireState.SUBMITTED), None)
    reqs = requirement_set(supplier)
    return SupplierPicture(
        supplier=supplier,
        contacts=list(supplier.contacts.all()),
        questionnaires=questionnaires,
        latest=latest,
        rows=questionnaire_rows(latest, translation.get_language()) if latest else [],
        remediations=list(supplier.remediations.select_related("questionnaire")),
        requirements=reqs.items,
        requirement_source=reqs.source,
        points=tiering.points(
            supplier.data_access, supplier.system_access, supplier.service_dependency
        ),
        weight=tiering.weight(supplier.tier),
    )


# -- the portfolio ---------------------------------------------------------------------------


@dataclass
class Portfolio:
    rows: list[dict[str, Any]]  # each supplier: id, name, tier, risk, attainment per Function
    overdue: list[dict[str, Any]]  # questionnaires past due, not submitted
    highest: list[dict[str, Any]]  # the ten highest risk scores
    counts: dict[str, int]  # suppliers per risk rating
    functions: tuple[str, ...] = FUNCTIONS


def portfolio(access: Access, *, limit_highest: int = 10) -> Portfolio:
    """Every supplier with its latest results; three queries whatever the number."""
    today = timezone.localdate()
    rows = list(
        m.Supplier.objects.filter(organization=access.organization)
        # Not yet assessed last on both databases (PostgreSQL puts NULL first when descending).
        .order_by(F("risk_score").desc(nulls_last=True), "name", "id")
        .values("id", "name", "tier", "risk_score", "risk_rating", "attainment", "country")
    )
    counts = {"high": 0, "medium": 0, "low": 0, "unknown": 0}
    for row in rows:
        counts[row["risk_rating"]] = counts.get(row["risk_rating"], 0) + 1
        att = row["attainment"] or {}
        row["cells"] = [(fn, att.get(fn)) for fn in FUNCTIONS]
    overdue = list(
        m.Questionnaire.objects.filter(
            organization=access.organization, state__in=OPEN_STATES, due__lt=today
        )
        .order_by("due", "id")
        .values("id", "supplier_id", "supplier__name", "cycle", "due")
    )
    for row in overdue:
        row["days"] = (today - row["due"]).days
    highest = [r for r in rows if r["risk_score"] is not None][:limit_highest]
    return Portfolio(rows=rows, overdue=overdue, highest=highest, counts=counts)


# -- CSV -------------------------------------------------------------------------------------

CSV_HEADER = [
    "id",
    "name",
    "services",
    "country",
    "data_access",
    "system_access",
    "service_dependency",
    "derived_tier",
    "tier",
    "tier_reason",
    "contract_start",
    "contract_end",
    "requirement_profile",
    "requirements",
    "language",
    "next_assessment_due",
    "contacts",
    "risk_score",
    "risk_rating",
    "gap_percent",
    "assessed_at_utc",
]


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet must not run a cell as a formula (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def csv_lines(access: Access) -> Iterator[str]:
    """The register as CSV, one line at a time (UTF-8; times in UTC)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return value

    writer.writerow(CSV_HEADER)
    yield flush()
    rows = (
        m.Supplier.objects.filter(organization=access.organization)
        .select_related("requirement_profile")
        .prefetch_related("contacts")
    )
    for s in rows:
        writer.writerow(
            _cell(v)
            for v in (
                s.pk,
                s.name,
                s.services,
                s.country,
                s.data_access,
                s.system_access,
                s.service_dependency,
                s.derived_tier,
                s.tier,
                s.tier_reason,
                s.contract_start,
                s.contract_end,
                s.requirement_profile.name if s.requirement_profile else "",
                "; ".join(f"{r['code']} {r['target']}" for r in s.requirements),
                s.language,
                s.next_assessment_due,
                "; ".join(f"{c.name} <{c.email}>" for c in s.contacts.all()),
                s.risk_score,
                s.risk_rating,
                "" if s.gap is None else round(s.gap * 100, 1),
                s.assessed_at.astimezone(UTC).isoformat() if s.assessed_at else "",
            )
        )
        yield flush()
