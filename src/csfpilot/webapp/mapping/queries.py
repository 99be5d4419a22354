"""Reads of mapping projects: the list, the review queue, and the organization's crosswalks.

Each read is a fixed number of queries whatever the number of requirements
(the review page's rows, their pairs and both frameworks' texts come in four).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from csfpilot.core.catalog import DatasetInfo, Mapping, MappingSet, Relationship
from csfpilot.core.errors import NotFound
from csfpilot.webapp.catalog import models as cm
from csfpilot.webapp.mapping import models as m
from csfpilot.webapp.mapping.labels import REASON_DETAILS, REASON_LABELS
from csfpilot.webapp.organizations.models import Organization

FILTERS = ("all", "unreviewed", "accepted", "rejected")
PAGE_SIZE = 25
METHOD_NOTE = "made by automation, reviewed by a person"


def projects(org: Organization) -> list[m.MappingProject]:
    """The organization's projects, newest first, with their pairs counted by state."""
    states = {
        f"n_{state}": Count("pairs", filter=Q(pairs__state=state), distinct=True)
        for state in m.PairState.values
    }
    return list(
        m.MappingProject.objects.filter(organization=org)
        .select_related("source_framework", "target_framework", "organization")
        .annotate(n_requirements=Count("requirements", distinct=True), **states)
        .order_by("-created_at", "-id")
    )


def project(org: Organization, project_id: int) -> m.MappingProject:
    """One project of ``org``; NotFound for another organization's (the same answer as none)."""
    found = (
        m.MappingProject.objects.select_related(
            "source_framework", "target_framework", "organization", "job"
        )
        .filter(organization=org, pk=project_id)
        .first()
    )
    if found is None:
        raise NotFound(f"no mapping project {project_id} in {org.slug}")
    return found


def state_counts(p: m.MappingProject) -> dict[str, int]:
    counts = dict.fromkeys(m.PairState.values, 0)
    for state, n in p.pairs.values_list("state").annotate(n=Count("id")).order_by():
        counts[state] = n
    counts["requirements"] = p.requirements.count()
    counts["in_crosswalk"] = counts["accepted"] + counts["changed"]
    return counts


# Where the bulk accept starts: the score the best proposals of the top quarter of untouched
# requirements reach. The combined score's scale follows the evidence a framework offers:
# measured on NIST's held-out crosswalks (docs/mapping-assistant.md), best proposals score
# 0.30-0.43 when no crosswalk path leads to the target and 0.50-0.84 when one does, so any
# one fixed number selects nothing for one framework and nearly everything for another.
BULK_TOP_SHARE = 0.25
BULK_FALLBACK = 0.5


def suggested_threshold(p: m.MappingProject) -> float:
    """The bulk accept's starting score for this project's proposals (see BULK_TOP_SHARE)."""
    touched = m.Pair.objects.filter(project=p).exclude(state=m.PairState.PROPOSED)
    best = (
        m.Pair.objects.filter(project=p, state=m.PairState.PROPOSED, rank=1)
        .exclude(requirement_id__in=touched.values("requirement_id"))
        .order_by("-score")
        .values_list("score", flat=True)
    )
    n = best.count()
    if not n:
        return BULK_FALLBACK
    at = best[max(0, math.ceil(n * BULK_TOP_SHARE) - 1)]
    # Rounded down to what the form shows, so the requirement at the cut is included.
    return math.floor(float(at) * 100) / 100


def _outcome_level(fw: cm.Framework) -> str:
    return fw.outcome_level or (fw.levels[-1] if fw.levels else "")


def target_codes(fw: cm.Framework) -> list[str]:
    """The framework's assessable elements (its outcome level, not withdrawn), in order."""
    return list(
        cm.Node.objects.filter(framework=fw, level=_outcome_level(fw), withdrawn=False)
        .order_by("order")
        .values_list("code", flat=True)
    )


def target_choices(fw: cm.Framework) -> list[tuple[str, str]]:
    """(code, "code — title or start of text") for the change form's list."""
    rows = cm.Node.objects.filter(framework=fw, level=_outcome_level(fw), withdrawn=False)
    out = []
    for code, title, text in rows.order_by("order").values_list("code", "title", "text"):
        words = title or text
        short = words if len(words) <= 90 else words[:89] + "…"
        out.append((code, f"{code} — {short}" if short else code))
    return out


def target_node_id(p: m.MappingProject, code: str) -> int | None:
    return (
        cm.Node.objects.filter(framework_id=p.target_framework_id, code=code)
        .values_list("id", flat=True)
        .first()
    )


def _filtered(p: m.MappingProject, which: str) -> QuerySet[m.Requirement]:
    qs = m.Requirement.objects.filter(project=p)
    pairs = m.Pair.objects.filter(requirement=OuterRef("pk"))
    reviewed = Exists(pairs.exclude(state=m.PairState.PROPOSED))
    kept = Exists(pairs.filter(state__in=m.IN_CROSSWALK))
    if which == "unreviewed":
        return qs.filter(~reviewed)
    if which == "accepted":
        return qs.filter(kept)
    if which == "rejected":
        return qs.filter(reviewed, ~kept)
    return qs


def filter_counts(p: m.MappingProject) -> dict[str, int]:
    return {which: _filtered(p, which).count() for which in FILTERS}


@dataclass
class ReviewRow:
    """One requirement on the review page, with its pairs in the assistant's order."""

    requirement: m.Requirement
    title: str
    text: str
    pairs: list[m.Pair] = field(default_factory=list)

    @property
    def state(self) -> str:
        states = {p.state for p in self.pairs}
        if states & set(m.IN_CROSSWALK):
            return "accepted"
        if states - {m.PairState.PROPOSED}:
            return "rejected"
        return "unreviewed"


@dataclass(frozen=True)
class TargetText:
    code: str
    title: str
    text: str
    context: str  # the Category above it, as "PR.AA — Identity Management..."


def target_texts_for(p: m.MappingProject, codes: set[str]) -> dict[str, TargetText]:
    rows = cm.Node.objects.filter(framework_id=p.target_framework_id, code__in=codes).values_list(
        "code", "title", "text", "parent__code", "parent__title"
    )
    return {
        code: TargetText(code, title, text, f"{pc} — {pt}" if pc and pt else (pc or ""))
        for code, title, text, pc, pt in rows
    }


def _attach(found: list[m.Pair], texts: dict[str, TargetText]) -> None:
    """Each pair's target texts, as the templates show them beside it."""
    for pair in found:
        pair.target_text = texts.get(pair.target_code)  # type: ignore[attr-defined]
        pair.proposed_text = texts.get(pair.proposed_code)  # type: ignore[attr-defined]
        pair.reason_rows = [  # type: ignore[attr-defined]
            reason_row(str(r.get("kind", "")), str(r.get("detail", "")))
            for r in pair.reasons or ()
            if isinstance(r, dict)
        ]


# The assistant starts a reason with its kind in English ("shared terms: backup, restore");
# the page names the kind itself, in the reader's language.
_KIND_PREFIX = re.compile(r"^[a-z][a-z -]{2,30}:\s+")


def reason_row(kind: str, detail: str) -> tuple[str, str]:
    """(the kind in words, the detail) of one reason, as the review page shows it."""
    if kind in REASON_DETAILS:
        return str(REASON_LABELS[kind]), str(REASON_DETAILS[kind])
    if kind in REASON_LABELS:
        return str(REASON_LABELS[kind]), _KIND_PREFIX.sub("", detail, count=1)
    return kind, detail


def review_page(
    p: m.MappingProject, which: str = "all", page: int = 1
) -> tuple[list[ReviewRow], dict[str, TargetText], int, int]:
    """The rows of one page of the review queue, the target texts they show, the page and
    the number of pages."""
    qs = _filtered(p, which if which in FILTERS else "all").order_by("order")
    total = qs.count()
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(max(1, page), pages)
    reqs = list(qs.select_related("node")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    rows = {
        r.pk: ReviewRow(r, r.node.title if r.node else "", r.node.text if r.node else "")
        for r in reqs
    }
    codes: set[str] = set()
    for pair in m.Pair.objects.filter(requirement_id__in=rows).order_by("requirement_id", "rank"):
        row = rows[pair.requirement_id]
        pair.requirement = row.requirement  # already read: no query per pair
        row.pairs.append(pair)
        codes |= {pair.target_code, pair.proposed_code}
    texts = target_texts_for(p, codes)
    for row in rows.values():
        _attach(row.pairs, texts)
    return list(rows.values()), texts, page, pages


def pair_row(p: m.MappingProject, pair_id: int) -> tuple[ReviewRow, dict[str, TargetText]]:
    """The one requirement a pair belongs to, as the review page shows it (after a decision)."""
    pair = m.Pair.objects.filter(project=p, pk=pair_id).select_related("requirement__node").first()
    if pair is None:
        raise NotFound(f"no pair {pair_id} in mapping project {p.pk}")
    req = pair.requirement
    row = ReviewRow(req, req.node.title if req.node else "", req.node.text if req.node else "")
    row.pairs = list(m.Pair.objects.filter(requirement=req).order_by("rank"))
    for x in row.pairs:
        x.requirement = req
    codes = {x.target_code for x in row.pairs} | {x.proposed_code for x in row.pairs}
    texts = target_texts_for(p, codes)
    _attach(row.pairs, texts)
    return row, texts


def pairs(p: m.MappingProject, state: str | None = None) -> QuerySet[m.Pair]:
    qs = m.Pair.objects.filter(project=p).select_related("requirement")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("requirement__order", "rank")


# -- the organization's crosswalk ----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewedRow:
    """A crosswalk row with how it was made: for the OSCAL export and the crosswalk page."""

    state: str
    score: float
    rank: int
    proposed: str
    reviewed_by: str
    reviewed_at: Any


def dataset_info(p: m.MappingProject, reviewers: list[str]) -> DatasetInfo:
    org = p.organization
    return DatasetInfo(
        key=p.dataset_key,
        name=f"{org.name}: {p.name}",
        publisher=org.name,
        version=(p.suggested_at.strftime("%Y-%m-%d") if p.suggested_at else ""),
        source_framework=p.source_framework.key,
        target_framework=p.target_framework.key,
        description=(
            f"{p.source_framework.name} {p.source_framework.version} to "
            f"{p.target_framework.name} {p.target_framework.version}, {METHOD_NOTE}: "
            f"csfpilot's mapping assistant proposed each pair, and a member of {org.name} "
            "accepted it or changed it. Proposals nobody reviewed are not part of it."
        ),
        reviewed_by=", ".join(reviewers)[:200],
    )


def crosswalk(p: m.MappingProject) -> tuple[MappingSet, list[ReviewedRow]]:
    """The project's reviewed pairs (accepted and changed) as a crosswalk, in requirement
    order, and beside each row how it was made."""
    rows = list(pairs(p).filter(state__in=m.IN_CROSSWALK))
    reviewers = list(dict.fromkeys(r.reviewed_by_name for r in rows if r.reviewed_by_name))
    mappings = tuple(
        Mapping(
            source=r.requirement.code,
            target=r.target_code,
            relationship=Relationship(r.relationship),
            comment=r.note,
        )
        for r in rows
    )
    made = [
        ReviewedRow(r.state, r.score, r.rank, r.proposed_code, r.reviewed_by_name, r.reviewed_at)
        for r in rows
    ]
    return MappingSet(info=dataset_info(p, reviewers), mappings=mappings), made


def organization_crosswalks(org: Organization) -> list[MappingSet]:
    """Every reviewed crosswalk of the organization that has a row: what a transfer of the
    organization's profiles may go through beside NIST's datasets (keyed
    ``<org>-mapping-<id>``, published by the organization)."""
    out = []
    by_project: dict[int, list[m.Pair]] = defaultdict(list)
    for pair in (
        m.Pair.objects.filter(project__organization=org, state__in=m.IN_CROSSWALK)
        .select_related("requirement")
        .order_by("requirement__order", "rank")
    ):
        by_project[pair.project_id].append(pair)
    for proj in m.MappingProject.objects.filter(pk__in=by_project).select_related(
        "organization", "source_framework", "target_framework"
    ):
        rows = by_project[proj.pk]
        reviewers = list(dict.fromkeys(r.reviewed_by_name for r in rows if r.reviewed_by_name))
        out.append(
            MappingSet(
                info=dataset_info(proj, reviewers),
                mappings=tuple(
                    Mapping(
                        source=r.requirement.code,
                        target=r.target_code,
                        relationship=Relationship(r.relationship),
                        comment=r.note,
                    )
                    for r in rows
                ),
            )
        )
    return out
