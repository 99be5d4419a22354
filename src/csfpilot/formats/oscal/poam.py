"""A profile's action plan as an OSCAL plan-of-action-and-milestones (POA&M), and back.

A POA&M lists what will be done about the risks an assessment found. For each
action of the profile csfpilot writes:

- a **risk** (the gap the action closes, on its outcomes) whose status follows
  the action's (open → open, in progress → remediating, done → closed, risk
  accepted → deviation-approved), with the due date as its deadline and one
  planned remediation whose milestone task falls on that date and names the
  owner through the ``action-owner`` role and a party in the metadata;
- a **poam-item** linked to that risk and to a **finding** per outcome the
  action addresses (the same finding UUIDs as the assessment results, so a
  tool that reads both can join them);
- the action's own fields (id, status, milestone, cost, controls, notes) as
  csfpilot properties, so that the plan reads back exactly.

The profile's name, scope, scale and Tiers travel in the metadata (as in the
assessment results), so a POA&M alone can start a profile.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import (
    Action,
    ActionStatus,
    OutcomeFramework,
    Profile,
    WithdrawalIndex,
)
from csfpilot.formats.oscal.assessment_results import checked_profile, objective_state
from csfpilot.formats.oscal.document import read_document
from csfpilot.formats.oscal.extension import escape_line, escape_markup, is_string
from csfpilot.formats.oscal.profile_props import (
    Props,
    oscal_metadata,
    profile_document,
    profile_props,
    stable_uuid,
    text_prop,
    texts_prop,
    timestamp,
)

MODEL = "plan-of-action-and-milestones"
OWNER_ROLE = "action-owner"
RISK_STATUS = {
    ActionStatus.OPEN: "open",
    ActionStatus.IN_PROGRESS: "remediating",
    ActionStatus.DONE: "closed",
    ActionStatus.RISK_ACCEPTED: "deviation-approved",
}


def _deadline(action: Action) -> str | None:
    return f"{action.due.isoformat()}T23:59:59Z" if action.due else None


def _risk(action: Action, identity: str, owner_party: str | None) -> dict[str, Any]:
    outcomes = ", ".join(action.outcomes)
    task: dict[str, Any] = {
        "uuid": stable_uuid(identity, "task", action.id),
        "type": "milestone",
        "title": escape_line(action.milestone or f"{action.id} done"),
    }
    deadline = _deadline(action)
    if deadline:
        task["timing"] = {"on-date": {"date": deadline}}
    if owner_party:
        task["responsible-roles"] = [{"role-id": OWNER_ROLE, "party-uuids": [owner_party]}]
    risk: dict[str, Any] = {
        "uuid": stable_uuid(identity, "risk", action.id),
        "title": escape_line(action.title),
        "description": escape_markup(f"The gap on {outcomes} that action {action.id} closes."),
        "statement": escape_markup(
            f"Until {action.id} is done, {outcomes} stay short of the Target Profile."
        ),
        "status": RISK_STATUS[action.status],
    }
    if deadline:
        risk["deadline"] = deadline
    risk["remediations"] = [
        {
            "uuid": stable_uuid(identity, "remediation", action.id),
            "lifecycle": "planned",
            "title": escape_line(action.title),
            "description": escape_markup(action.notes) or escape_line(action.title),
            "tasks": [task],
        }
    ]
    return risk


def _item(action: Action, identity: str) -> dict[str, Any]:
    props = text_prop("action-id", action.id)
    props += text_prop("title", action.title)
    props += text_prop("status", action.status.value)
    props += text_prop("owner", action.owner)
    props += text_prop("due", action.due.isoformat() if action.due else "")
    props += text_prop("milestone", action.milestone)
    props += text_prop("cost", action.cost)
    props += texts_prop("outcome", action.outcomes)
    props += texts_prop("control", action.controls)
    props += text_prop("notes", action.notes)
    return {
        "uuid": stable_uuid(identity, "poam-item", action.id),
        "title": escape_line(action.title),
        "description": escape_markup(action.notes) or escape_line(action.title),
        "props": props,
        "related-findings": [
            {"finding-uuid": stable_uuid(identity, "finding", code)} for code in action.outcomes
        ],
        "related-risks": [{"risk-uuid": stable_uuid(identity, "risk", action.id)}],
    }


def _finding(profile: Profile, framework: OutcomeFramework, code: str, identity: str) -> dict:
    entry = profile.entry(code)
    status: dict[str, Any] = {"state": "not-satisfied"}
    if entry is not None:
        state, reason = objective_state(entry)
        status = {"state": state} | ({"reason": reason} if reason else {})
    else:
        status["reason"] = "not-assessed"
    text = framework.text(code)
    return {
        "uuid": stable_uuid(identity, "finding", code),
        "title": code,
        "description": escape_markup(text) if text else f"CSF outcome {code}.",
        "target": {"type": "objective-id", "target-id": code, "status": status},
    }


def poam(
    profile: Profile,
    framework: OutcomeFramework,
    *,
    identity: str | None = None,
    when: datetime | None = None,
) -> dict[str, Any]:
    """The profile's action plan as an OSCAL POA&M document (a JSON value).

    A profile without actions is refused: OSCAL's POA&M needs at least one item.
    """
    if not profile.actions:
        # OSCAL requires at least one poam-item; an empty plan is not a POA&M.
        raise InputRefused(
            f"{profile.name!r} has no action plan yet: a POA&M needs at least one action",
            field="actions",
        )
    identity = identity or profile.name
    stamp = timestamp(when)
    owners = list(dict.fromkeys(a.owner for a in profile.actions if is_string(a.owner)))
    parties = {
        owner: {
            "uuid": stable_uuid(identity, "party", owner),
            "type": "person",
            "name": owner,
        }
        for owner in owners
    }
    metadata = oscal_metadata(
        escape_line(f"Plan of action and milestones: {profile.name}".strip()),
        stamp,
        profile_props(profile),
    )
    if parties:
        metadata["roles"] = [{"id": OWNER_ROLE, "title": "Action owner"}]
        metadata["parties"] = list(parties.values())
    codes = framework.order({c for a in profile.actions for c in a.outcomes})
    body: dict[str, Any] = {
        "uuid": stable_uuid(identity, MODEL),
        "metadata": metadata,
    }
    body["risks"] = [
        _risk(a, identity, parties[a.owner]["uuid"] if a.owner in parties else None)
        for a in profile.actions
    ]
    body["findings"] = [_finding(profile, framework, c, identity) for c in codes]
    body["poam-items"] = [_item(a, identity) for a in profile.actions]
    return {MODEL: body}


# -- reading ----------------------------------------------------------------------------


def _action(item: Mapping[str, Any], owners: dict[str, str], risks: dict[str, Any]) -> dict:
    props = Props(item)
    if not props.has("action-id"):
        raise InputRefused(
            "this POA&M item has no csfpilot action-id property; csfpilot reads the POA&Ms it wrote"
        )
    action: dict[str, Any] = {
        "id": props.one("action-id"),
        "title": props.one("title") or str(item.get("title", "")),
        "outcomes": props.many("outcome"),
        "status": props.one("status", "open"),
    }
    owner = props.one("owner", None)
    if owner is None:
        # The owner is the party the milestone task names, when the prop is missing.
        for ref in item.get("related-risks") or ():
            risk = risks.get(ref.get("risk-uuid"), {})
            for remediation in risk.get("remediations") or ():
                for task in remediation.get("tasks") or ():
                    for role in task.get("responsible-roles") or ():
                        for party in role.get("party-uuids") or ():
                            owner = owner or owners.get(party)
    if owner:
        action["owner"] = owner
    for name in ("due", "milestone", "cost", "notes"):
        if props.has(name):
            action[name] = props.one(name)
    if props.has("control"):
        action["controls"] = props.many("control")
    return action


def poam_document(body: Mapping[str, Any], *, file: str) -> dict[str, Any]:
    """The native profile document a POA&M body holds: the profile's facts and actions."""
    doc = profile_document(body["metadata"], file=file)
    owners = {
        p["uuid"]: p.get("name", "")
        for p in body["metadata"].get("parties") or ()
        if isinstance(p, Mapping)
    }
    risks = {r["uuid"]: r for r in body.get("risks") or ()}
    actions = []
    for i, item in enumerate(body.get("poam-items") or ()):
        try:
            actions.append(_action(item, owners, risks))
        except InputRefused as exc:
            raise InputRefused(
                exc.message, file=file, field=f"plan-of-action-and-milestones.poam-items[{i}]"
            ) from None
    doc["outcomes"] = {}
    doc["actions"] = actions
    return doc


def read_poam(
    source: Path | bytes,
    *,
    name: str | None = None,
    framework: OutcomeFramework | Callable[[str], OutcomeFramework],
    withdrawals: WithdrawalIndex | None = None,
) -> tuple[Profile, tuple[str, ...]]:
    """Read a POA&M csfpilot wrote: a profile with its facts and action plan (no outcomes)."""
    document = read_document(source, expected=MODEL, name=name)
    doc = poam_document(document.body, file=document.file)
    return checked_profile(doc, file=document.file, framework=framework, withdrawals=withdrawals)
