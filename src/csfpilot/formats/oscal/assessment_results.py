"""A profile's assessment as an OSCAL assessment-results document, and back.

OSCAL's *assessment results* model records what an assessment found: for each
objective looked at, a **finding** whose target says whether the objective is
satisfied, backed by **observations** with the evidence that was examined.
csfpilot writes one result per profile assessment:

- one finding per outcome in the profile; its target is the outcome
  (``objective-id``), ``satisfied`` when the current rating reaches the target
  rating (or the target is not applicable), ``not-satisfied`` otherwise, with
  OSCAL's implementation status derived from the current rating;
- one observation per outcome that has a current side: the current level, and
  each piece of current evidence as ``relevant-evidence`` (an evidence item
  that is a URI is also its ``href``; hrefs are data, never fetched);
- everything else — included and why, priorities, target level, practices,
  policies, roles, references, owner, notes, the scale, roll-up and Tiers — as
  csfpilot properties (:mod:`csfpilot.formats.oscal.profile_props`).

Reading it back gives the same profile, and writing that again the same JSON:
UUIDs are derived from the profile's identity, and the time is the caller's.
The action plan travels in a POA&M (:mod:`csfpilot.formats.oscal.poam`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import (
    OutcomeEntry,
    OutcomeFramework,
    Priority,
    Profile,
    WithdrawalIndex,
    check_profile,
)
from csfpilot.formats.native import from_document
from csfpilot.formats.oscal.document import read_document
from csfpilot.formats.oscal.extension import escape_line, escape_markup, unescape_markup
from csfpilot.formats.oscal.profile_props import (
    Props,
    key_prop,
    oscal_metadata,
    profile_document,
    profile_props,
    stable_uuid,
    text_prop,
    texts_prop,
    timestamp,
)

MODEL = "assessment-results"
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
_TEXT_FIELDS = ("rationale", "owner", "notes", "considerations")
_DETAIL_TEXTS = ("policies", "practices", "roles")


def objective_state(entry: OutcomeEntry) -> tuple[str, str | None]:
    """OSCAL's objective status for an outcome, and a reason when it is not plain."""
    if not entry.included:
        return "not-satisfied", "out-of-scope"
    target, current = entry.target, entry.current
    if target is not None and target.score is None:
        return "satisfied", "not-applicable"
    if current is None:
        return "not-satisfied", "not-assessed"
    if target is None:
        return ("satisfied", None) if current.score is not None else ("satisfied", "not-applicable")
    if current.score is not None and current.score >= target.score:
        return "satisfied", None
    return "not-satisfied", None


def implementation_state(entry: OutcomeEntry) -> str | None:
    current = entry.current
    if current is None:
        return None
    if current.score is None:
        return "not-applicable"
    if current.score >= 1:
        return "implemented"
    return "partial" if current.score > 0 else "planned"


def _side_props(prefix: str, entry: OutcomeEntry, side: str) -> list[dict[str, str]]:
    details = getattr(entry, f"{side}_details")
    out: list[dict[str, str]] = []
    for name in _DETAIL_TEXTS:
        out += text_prop(f"{prefix}-{name}", getattr(details, name))
    out += texts_prop(f"{prefix}-reference", details.references)
    return out


def _observation(profile: Profile, entry: OutcomeEntry, identity: str, when: str) -> dict[str, Any]:
    level = entry.current
    status = f"{level.label}" if level is not None else "not assessed"
    observation: dict[str, Any] = {
        "uuid": stable_uuid(identity, "observation", entry.outcome),
        "title": f"{entry.outcome}: current state",
        "description": escape_markup(f"Current status of {entry.outcome}: {status}."),
        "props": [
            *text_prop("outcome", entry.outcome),
            *key_prop("current-level", level.key if level else None),
            *text_prop("current-priority", _priority(entry.current_priority)),
            *_side_props("current", entry, "current"),
        ],
        "methods": ["EXAMINE"],
        "collected": when,
    }
    evidence = []
    for item in entry.current_details.evidence:
        piece: dict[str, Any] = {"description": escape_markup(item) or "\\"}
        if _URI.match(item):
            piece["href"] = item
        evidence.append(piece)
    if evidence:
        observation["relevant-evidence"] = evidence
    return observation


def _priority(priority: Priority | None) -> str:
    return priority.value if priority else ""


def _finding(
    profile: Profile,
    framework: OutcomeFramework,
    entry: OutcomeEntry,
    identity: str,
    observed: bool,
) -> dict[str, Any]:
    state, reason = objective_state(entry)
    status: dict[str, Any] = {"state": state}
    if reason:
        status["reason"] = reason
    target: dict[str, Any] = {
        "type": "objective-id",
        "target-id": entry.outcome,
        "status": status,
    }
    implementation = implementation_state(entry)
    if implementation:
        target["implementation-status"] = {"state": implementation}
    props = text_prop("outcome", entry.outcome)
    props += text_prop("included", "true" if entry.included else "false")
    props += key_prop("target-level", entry.target.key if entry.target else None)
    props += text_prop("priority", _priority(entry.priority))
    for name in _TEXT_FIELDS:
        props += text_prop(name, getattr(entry, name))
    props += _side_props("target", entry, "target")
    props += texts_prop("target-evidence", entry.target_details.evidence)
    text = framework.text(entry.outcome)
    finding: dict[str, Any] = {
        "uuid": stable_uuid(identity, "finding", entry.outcome),
        "title": entry.outcome,
        "description": escape_markup(text) if text else f"CSF outcome {entry.outcome}.",
        "props": props,
        "target": target,
    }
    if observed:
        finding["related-observations"] = [
            {"observation-uuid": stable_uuid(identity, "observation", entry.outcome)}
        ]
    return finding


def assessment_results(
    profile: Profile,
    framework: OutcomeFramework,
    *,
    identity: str | None = None,
    when: datetime | None = None,
) -> dict[str, Any]:
    """The profile's assessment as an OSCAL assessment-results document (a JSON value).

    ``identity`` names the profile for the derived UUIDs (default: its name);
    ``when`` is the assessment's time (default: now).
    """
    identity = identity or profile.name
    stamp = timestamp(when)
    codes = framework.order(profile.outcomes)
    entries = [profile.outcomes[c] for c in codes]
    observations = [
        _observation(profile, e, identity, stamp) for e in entries if e.has_current_side()
    ]
    findings = [_finding(profile, framework, e, identity, e.has_current_side()) for e in entries]
    included = [e.outcome for e in entries if e.included]
    selection: dict[str, Any] = (
        {"include-controls": [{"control-id": c} for c in included]}
        if included
        else {"include-all": {}}
    )
    resource = stable_uuid(identity, "profile")
    result: dict[str, Any] = {
        "uuid": stable_uuid(identity, "result"),
        "title": f"{profile.framework} Organizational Profile assessment",
        "description": escape_markup(
            f"Current and Target Profile of {profile.name}: "
            f"{len(included)} outcomes in scope, rated on the {profile.scale.name} scale."
        ),
        "start": stamp,
        "reviewed-controls": {"control-selections": [selection]},
    }
    if observations:
        result["observations"] = observations
    if findings:
        result["findings"] = findings
    return {
        MODEL: {
            "uuid": stable_uuid(identity, MODEL),
            "metadata": oscal_metadata(
                escape_line(f"Assessment results: {profile.name}".strip()),
                stamp,
                profile_props(profile),
            ),
            "import-ap": {
                "href": f"#{resource}",
                "remarks": "The assessment followed the csfpilot profile described in the "
                "back matter; no separate OSCAL assessment plan was written.",
            },
            "results": [result],
            "back-matter": {
                "resources": [
                    {
                        "uuid": resource,
                        "title": escape_line(f"csfpilot profile {profile.name}".strip()),
                        "description": escape_markup(profile.description)
                        or "The Organizational Profile that was assessed.",
                    }
                ]
            },
        }
    }


# -- reading ----------------------------------------------------------------------------


def _entry(finding: Mapping[str, Any], observation: Mapping[str, Any] | None) -> tuple[str, dict]:
    props = Props(finding)
    code = props.one("outcome") or str(finding["target"]["target-id"])
    entry: dict[str, Any] = {"included": props.one("included", "true") == "true"}
    for name in _TEXT_FIELDS:
        if props.has(name):
            entry[name] = props.one(name)
    if props.has("priority"):
        entry["priority"] = props.one("priority")
    if props.has("target-level"):
        entry["target"] = props.one("target-level")
    target_details = _details(props, "target")
    if props.has("target-evidence"):
        target_details["evidence"] = props.many("target-evidence")
    if target_details:
        entry["target_details"] = target_details
    if observation is not None:
        seen = Props(observation)
        if seen.has("current-level"):
            entry["current"] = seen.one("current-level")
        if seen.has("current-priority"):
            entry["current_priority"] = seen.one("current-priority")
        current_details = _details(seen, "current")
        evidence = [
            unescape_markup(e.get("description", "")) if e.get("description") != "\\" else ""
            for e in observation.get("relevant-evidence") or ()
        ]
        if evidence:
            current_details["evidence"] = evidence
        if current_details:
            entry["current_details"] = current_details
    return code, entry


def _details(props: Props, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _DETAIL_TEXTS:
        if props.has(f"{prefix}-{name}"):
            out[name] = props.one(f"{prefix}-{name}")
    if props.has(f"{prefix}-reference"):
        out["references"] = props.many(f"{prefix}-reference")
    return out


def results_document(body: Mapping[str, Any], *, file: str) -> dict[str, Any]:
    """The native profile document an assessment-results body holds (no actions)."""
    doc = profile_document(body["metadata"], file=file)
    results = body["results"]
    if len(results) != 1:
        raise InputRefused(
            f"the document has {len(results)} results; csfpilot reads one result (one "
            "profile assessment) per document",
            file=file,
            field="assessment-results.results",
        )
    result = results[0]
    observations = {o["uuid"]: o for o in result.get("observations") or ()}
    outcomes: dict[str, Any] = {}
    for i, finding in enumerate(result.get("findings") or ()):
        related = [r["observation-uuid"] for r in finding.get("related-observations") or ()]
        observation = next((observations[u] for u in related if u in observations), None)
        try:
            code, entry = _entry(finding, observation)
        except InputRefused as exc:
            raise InputRefused(
                exc.message, file=file, field=f"assessment-results.results[0].findings[{i}]"
            ) from None
        if code in outcomes:
            raise InputRefused(
                f"two findings are about {code}",
                file=file,
                element=code,
                field=f"assessment-results.results[0].findings[{i}]",
            )
        outcomes[code] = entry
    doc["outcomes"] = outcomes
    doc["actions"] = []
    return doc


def checked_profile(
    doc: Mapping[str, Any],
    *,
    file: str,
    framework: OutcomeFramework | Callable[[str], OutcomeFramework],
    withdrawals: WithdrawalIndex | None,
) -> tuple[Profile, tuple[str, ...]]:
    """The profile a csfpilot OSCAL document holds, checked against its framework; a refusal
    names the file it came from."""
    try:
        if not isinstance(framework, OutcomeFramework):
            framework = framework(str(doc["framework"]))
        profile = from_document(doc)
        warnings = check_profile(profile, framework, withdrawals)
    except InputRefused as exc:
        raise InputRefused(exc.message, file=file, element=exc.element, field=exc.field) from None
    return profile, tuple(warnings)


def read_assessment_results(
    source: Path | bytes,
    *,
    name: str | None = None,
    framework: OutcomeFramework | Callable[[str], OutcomeFramework],
    withdrawals: WithdrawalIndex | None = None,
) -> tuple[Profile, tuple[str, ...]]:
    """Read an assessment-results file csfpilot wrote: the profile it holds, and warnings.

    The document is checked against NIST's schema first (a failure names the
    JSON path); the profile's action plan is not part of it (see the POA&M).
    """
    document = read_document(source, expected=MODEL, name=name)
    doc = results_document(document.body, file=document.file)
    return checked_profile(doc, file=document.file, framework=framework, withdrawals=withdrawals)
