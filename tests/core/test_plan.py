"""Candidate actions from gaps, suggested controls, and topping up a POA&M."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from csfpilot.core.gaps import (
    add_candidates,
    analyse_gaps,
    candidate_actions,
    natural_key,
    references_from_mapping_set,
)
from csfpilot.core.ids import sp800_53_canonical
from csfpilot.core.profiles import Action, ActionStatus, Priority, Profile, Side, next_action_id
from csfpilot.formats.nist.shipped import REFERENCE_TOOL_JSON, shipped_file


def profile_with_gaps() -> Profile:
    p = Profile("Plan")
    for code, current, priority, owner in (
        ("GV.OC-01", "not", Priority.HIGH, "CISO"),
        ("PR.AA-01", "partially", Priority.MEDIUM, "IAM team"),
        ("DE.CM-01", "largely", Priority.LOW, ""),
    ):
        p = p.with_rating(code, Side.CURRENT, current).with_rating(code, Side.TARGET, "fully")
        p = p.with_entry(replace(p.entry(code), priority=priority, owner=owner))
    return p


def test_candidates_follow_the_plan_order_and_suggest_controls(csf):
    p = profile_with_gaps()
    refs = {"GV.OC-01": ["PM-11", "SA-2", "PM-11"], "DE.CM-01": ["SI-4"]}
    candidates = candidate_actions(p, analyse_gaps(p, csf), refs)
    assert [(c.outcome, c.title, c.suggested_controls) for c in candidates] == [
        ("GV.OC-01", "Raise GV.OC-01 from Not implemented to Fully implemented", ("PM-11", "SA-2")),
        ("PR.AA-01", "Raise PR.AA-01 from Partially implemented to Fully implemented", ()),
        ("DE.CM-01", "Raise DE.CM-01 from Largely implemented to Fully implemented", ("SI-4",)),
    ]


def test_open_actions_cover_a_gap_and_closed_ones_do_not(csf):
    p = profile_with_gaps().with_actions(
        (
            Action("A-001", "Write the mission statement", ("GV.OC-01",)),
            Action("A-002", "Roll out SSO", ("PR.AA-01",), status=ActionStatus.DONE),
            Action(
                "A-003",
                "Accept the residual risk",
                ("DE.CM-01",),
                status=ActionStatus.RISK_ACCEPTED,
            ),
        )
    )
    covered = {c.outcome: c.covered_by for c in candidate_actions(p, analyse_gaps(p, csf))}
    assert covered == {"GV.OC-01": ("A-001",), "PR.AA-01": (), "DE.CM-01": ()}


def test_add_candidates_appends_open_actions_for_uncovered_gaps(csf):
    p = profile_with_gaps().with_actions(
        (Action("A-007", "Write the mission statement", ("GV.OC-01",)),)
    )
    candidates = candidate_actions(p, analyse_gaps(p, csf), {"PR.AA-01": ["IA-2", "AC-2"]})
    updated, added = add_candidates(p, candidates, due=date(2025, 9, 30), milestone="Q3")
    assert [
        (a.id, a.outcomes, a.owner, a.controls, a.due, a.milestone, a.status) for a in added
    ] == [
        (
            "A-008",
            ("PR.AA-01",),
            "IAM team",
            ("IA-2", "AC-2"),
            date(2025, 9, 30),
            "Q3",
            ActionStatus.OPEN,
        ),
        ("A-009", ("DE.CM-01",), "", (), date(2025, 9, 30), "Q3", ActionStatus.OPEN),
    ]
    assert [a.id for a in updated.actions] == ["A-007", "A-008", "A-009"]


def test_next_action_id_continues_the_highest_number():
    assert next_action_id([]) == "A-001"
    assert next_action_id(["A-002", "A-010", "other"]) == "A-011"


def test_natural_order_of_control_ids():
    ids = ["AC-10", "AC-2(1)", "AC-2", "AC-1"]
    assert sorted(ids, key=natural_key) == ["AC-1", "AC-2", "AC-2(1)", "AC-10"]


def test_references_from_nists_csf_to_sp800_53_crosswalk(nist):
    refs = references_from_mapping_set(nist.mapping_set("olir-sp800-53r5-5.2.0"))
    # The same rows read straight from NIST's file.
    raw = json.loads(shipped_file(REFERENCE_TOOL_JSON).read_text(encoding="utf-8"))
    expected: dict[str, set[str]] = {}

    def walk(node):
        if node.get("elementTypeIdentifier") == "withdraw_reason":
            return
        for rel in node.get("externalRelationships") or []:
            if rel.get("olirName") == "Cybersecurity-Framework-v2.0-to-SP-800-53-Rev-5-2-0":
                control = sp800_53_canonical(rel["elementIdentifier"])
                expected.setdefault(node["elementIdentifier"], set()).add(control)
        for child in node.get("elements") or []:
            walk(child)

    for fn in raw["response"]["elements"]:
        walk(fn)
    assert {k: set(v) for k, v in refs.items()} == expected
    assert refs["GV.OC-01"] == ("PM-11",)
    assert len(refs) == 108  # the 106 Subcategories plus the Categories RS.MA and RC.RP
    assert all(v == tuple(sorted(v, key=natural_key)) for v in refs.values())
