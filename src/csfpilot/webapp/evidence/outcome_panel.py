"""Each outcome's evidence where the profile pages show outcomes (questionnaire, gap list).

The pages ask once per render: :func:`states` reads every outcome's evidence
state of the profile in three queries (:func:`.queries.profile_states`), and
:func:`for_cards` adds the items linked to the outcomes shown, in one more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import page_queries, queries
from csfpilot.webapp.evidence.labels import REVIEW_LABELS, STATE_HELP, STATE_LABELS
from csfpilot.webapp.organizations.permissions import Access, can_edit_outcome
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import models as pm


@dataclass
class OutcomePanel:
    """What an outcome card shows under "Evidence"."""

    evidence: queries.OutcomeEvidence | None
    label: Any = ""
    help: Any = ""
    links: list[m.EvidenceLink] = field(default_factory=list)
    can_link: bool = False


def states(
    profile: pm.Profile,
    today: date | None = None,
    *,
    ratings: dict[str, Any] | None = None,
    inputs: queries.EvidenceInputs | None = None,
) -> dict[str, queries.OutcomeEvidence]:
    return queries.profile_states(
        profile, today=today or timezone.localdate(), ratings=ratings, inputs=inputs
    )


def badge(evidence: queries.OutcomeEvidence | None) -> dict[str, Any] | None:
    if evidence is None:
        return None
    return {
        "ev": evidence,
        "label": STATE_LABELS[evidence.state],
        "help": STATE_HELP[evidence.state],
    }


def for_cards(
    access: Access,
    profile: pm.Profile,
    shown: list[tuple[str, int | None]],
    *,
    ratings: dict[str, Any] | None = None,
) -> tuple[dict[str, OutcomePanel], dict[str, Any]]:
    """Panels for the outcomes shown ((code, owner id) pairs) and the page's shared choices.

    ``ratings``: the Current level key of each shown outcome in scope, when the page has
    read them already; only those outcomes' states are then worked out.
    """
    found = states(profile, ratings=ratings)
    links = queries.links_of_outcomes(profile, [code for code, _ in shown])
    adder = access.can(Permission.ADD_EVIDENCE) and profile.kind != "community"
    panels = {}
    any_linkable = False
    for code, owner_id in shown:
        ev = found.get(code)
        can_link = adder and can_edit_outcome(access, owner_id)
        any_linkable = any_linkable or can_link
        panels[code] = OutcomePanel(
            evidence=ev,
            label=STATE_LABELS[ev.state] if ev else "",
            help=STATE_HELP[ev.state] if ev else "",
            links=links.get(code, []),
            can_link=can_link,
        )
    shared = {
        "evidence_items": page_queries.linkable_items(access) if any_linkable else [],
        "evidence_review_labels": REVIEW_LABELS,
        "can_request_evidence": access.can(Permission.REVIEW_EVIDENCE)
        and profile.kind != "community",
    }
    return panels, shared
