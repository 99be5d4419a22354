"""A profile's evidence as plain data for the reports (see csfpilot.reports.evidence).

Four queries whatever the profile's size: the outcome states (three, via
:func:`queries.profile_states`), and the links with their items, newest
versions and reviewers.
"""

from __future__ import annotations

from datetime import date

from csfpilot.core.evidence import Freshness
from csfpilot.reports.evidence import EvidenceBook, EvidenceCitation, EvidenceEntry
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import queries
from csfpilot.webapp.profiles import models as pm


def _person(user: object | None, fallback: str = "") -> str:
    if user is None:
        return fallback
    return getattr(user, "email", "") or getattr(user, "username", "") or fallback


def evidence_book(profile: pm.Profile, *, today: date) -> EvidenceBook:
    """The items the profile's live links cite, their reviews, states and scan tallies."""
    states = queries.profile_states(profile, today=today)
    links = list(
        m.EvidenceLink.objects.filter(profile=profile, item__retired_at__isnull=True)
        .select_related("item__owner", "reviewed_by")
        .order_by("code", "side", "item__title", "item_id")
    )
    latest: dict[int, m.EvidenceVersion] = {}
    for version in (
        m.EvidenceVersion.objects.filter(item_id__in={link.item_id for link in links})
        .select_related("stored_file")
        .order_by("item_id", "number")
    ):
        latest[version.item_id] = version
    items: dict[int, EvidenceEntry] = {}
    for link in links:
        item = link.item
        if item.pk in items or item.pk not in latest:
            continue
        version = latest[item.pk]
        items[item.pk] = EvidenceEntry(
            id=item.pk,
            title=item.title,
            kind=item.kind,
            form=item.form,
            version=version.number,
            sha256=version.stored_file.sha256 if version.stored_file_id else "",
            url=version.url,
            collected=item.collected_on,
            effective=item.effective_from,
            valid_until=item.expires_on,
            owner=_person(item.owner, item.owner_name),
            confidentiality=item.confidentiality,
            expired=queries.item_freshness(item, today) is Freshness.EXPIRED,
        )
    citations = [
        EvidenceCitation(
            item=link.item_id,
            code=link.code,
            side=link.side,
            statement=link.statement,
            review=link.review,
            reviewer=_person(link.reviewed_by),
            reviewed=link.reviewed_at.date() if link.reviewed_at else None,
            comment=link.review_comment,
        )
        for link in links
        if link.item_id in items
    ]
    return EvidenceBook(
        items=items,
        citations=citations,
        states={code: s.state.value for code, s in states.items()},
        findings={
            code: (s.passing, s.failing, s.serious)
            for code, s in states.items()
            if s.passing or s.failing
        },
    )
