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

**Library evidence.** A profile exported from a csfpilot server cites items of
its evidence library (:class:`~csfpilot.core.evidence.EvidenceRef`). Each
current-side item is one more ``relevant-evidence`` of the outcome's
observation: ``href`` is where the item is (its download path or its link),
``description`` its title, and csfpilot properties give its id, version,
SHA-256 (``evidence-sha256``), kind, review and validity. Target-side items
go on a second observation ("evidence expected"). The newest scans' tally
for an outcome is an observation of type ``finding`` (method ``TEST``) with
the passing, failing and high-or-critical counts, related from the outcome's
finding. All of it reads back as it was written (:func:`scan_tallies` for
the tallies).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence import EvidenceRef
from csfpilot.core.profiles import (
    OutcomeEntry,
    OutcomeFramework,
    Priority,
    Profile,
    WithdrawalIndex,
    check_profile,
)
from csfpilot.formats.native import from_document
from csfpilot.formats.native.evidence_refs import refs_out
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
# Where a cited library item is: its download path or its link.
Href = Callable[[EvidenceRef], str]


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


def _observation(
    profile: Profile, entry: OutcomeEntry, identity: str, when: str, href: Href | None = None
) -> dict[str, Any]:
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
    evidence += [_ref_evidence(ref, href) for ref in entry.current_details.evidence_items]
    if evidence:
        observation["relevant-evidence"] = evidence
    return observation


def _ref_evidence(ref: EvidenceRef, href: Href | None) -> dict[str, Any]:
    """One library item as OSCAL relevant evidence: where it is, its hash, its review."""
    until = ref.valid_until
    piece: dict[str, Any] = {
        "description": escape_markup(ref.title) or f"Evidence item {ref.id}",
        "props": [
            *key_prop("evidence-item", ref.id),
            *key_prop("evidence-version", ref.version),
            *text_prop("evidence-sha256", ref.sha256),
            *text_prop("evidence-title", ref.title),
            *text_prop("evidence-kind", ref.kind),
            *text_prop("evidence-review", ref.review),
            *text_prop("evidence-valid-until", until.isoformat() if until else ""),
        ],
    }
    location = href(ref) if href else ""
    if location:
        piece["href"] = location
    return piece


def _read_ref(piece: Mapping[str, Any]) -> EvidenceRef | None:
    props = Props(piece)
    if not props.has("evidence-item"):
        return None
    until = props.one("evidence-valid-until")
    try:
        return EvidenceRef(
            id=int(props.one("evidence-item")),
            version=int(props.one("evidence-version", 1)),
            sha256=str(props.one("evidence-sha256")),
            title=props.one("evidence-title"),
            kind=props.one("evidence-kind"),
            review=props.one("evidence-review"),
            valid_until=date.fromisoformat(until) if until else None,
        )
    except (TypeError, ValueError) as exc:
        raise InputRefused(f"an evidence item reference is not readable: {exc}") from None


def _expected_observation(entry: OutcomeEntry, identity: str, when: str, href: Href | None) -> dict:
    return {
        "uuid": stable_uuid(identity, "observation", entry.outcome, "target-evidence"),
        "title": f"{entry.outcome}: evidence expected",
        "description": escape_markup(f"Evidence expected once {entry.outcome} meets its target."),
        "props": [*text_prop("outcome", entry.outcome), *text_prop("evidence-side", "target")],
        "methods": ["EXAMINE"],
        "collected": when,
        "relevant-evidence": [
            _ref_evidence(ref, href) for ref in entry.target_details.evidence_items
        ],
    }


def _scan_observation(code: str, tally: tuple[int, int, int], identity: str, when: str) -> dict:
    passed, failed, serious = tally
    return {
        "uuid": stable_uuid(identity, "observation", code, "scans"),
        "title": f"{code}: scanner findings",
        "description": escape_markup(
            f"The newest scans mapped to {code}: {passed} passing, {failed} failing "
            f"({serious} high or critical)."
        ),
        "props": [
            *text_prop("outcome", code),
            *key_prop("scan-passed", passed),
            *key_prop("scan-failed", failed),
            *key_prop("scan-serious", serious),
        ],
        "methods": ["TEST"],
        "types": ["finding"],
        "collected": when,
    }


def _priority(priority: Priority | None) -> str:
    return priority.value if priority else ""


def _finding(
    profile: Profile,
    framework: OutcomeFramework,
    entry: OutcomeEntry,
    identity: str,
    observed: bool,
    related: tuple[str, ...] = (),
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
    uuids = [stable_uuid(identity, "observation", entry.outcome)] if observed else []
    uuids += [stable_uuid(identity, "observation", entry.outcome, part) for part in related]
    if uuids:
        finding["related-observations"] = [{"observation-uuid": u} for u in uuids]
    return finding


def assessment_results(
    profile: Profile,
    framework: OutcomeFramework,
    *,
    identity: str | None = None,
    when: datetime | None = None,
    evidence_href: Href | None = None,
    scans: Mapping[str, tuple[int, int, int]] | None = None,
) -> dict[str, Any]:
    """The profile's assessment as an OSCAL assessment-results document (a JSON value).

    ``identity`` names the profile for the derived UUIDs (default: its name);
    ``when`` is the assessment's time (default: now). ``evidence_href`` gives
    a cited library item's location; ``scans`` the newest scans' tally
    ``(passed, failed, serious)`` per outcome.
    """
    identity = identity or profile.name
    stamp = timestamp(when)
    scans = scans or {}
    codes = framework.order(profile.outcomes)
    entries = [profile.outcomes[c] for c in codes]
    observations: list[dict[str, Any]] = []
    findings = []
    for e in entries:
        related: list[str] = []
        if e.has_current_side():
            observations.append(_observation(profile, e, identity, stamp, evidence_href))
        if e.target_details.evidence_items:
            observations.append(_expected_observation(e, identity, stamp, evidence_href))
            related.append("target-evidence")
        if e.outcome in scans:
            observations.append(_scan_observation(e.outcome, scans[e.outcome], identity, stamp))
            related.append("scans")
        findings.append(
            _finding(profile, framework, e, identity, e.has_current_side(), tuple(related))
        )
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


def _entry(
    finding: Mapping[str, Any],
    observation: Mapping[str, Any] | None,
    expected: Mapping[str, Any] | None = None,
) -> tuple[str, dict]:
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
    if expected is not None:
        refs = [r for r in map(_read_ref, expected.get("relevant-evidence") or ()) if r]
        if refs:
            target_details["evidence_items"] = refs_out(tuple(refs))
    if target_details:
        entry["target_details"] = target_details
    if observation is not None:
        seen = Props(observation)
        if seen.has("current-level"):
            entry["current"] = seen.one("current-level")
        if seen.has("current-priority"):
            entry["current_priority"] = seen.one("current-priority")
        current_details = _details(seen, "current")
        pieces = observation.get("relevant-evidence") or ()
        evidence = [
            unescape_markup(e.get("description", "")) if e.get("description") != "\\" else ""
            for e in pieces
            if _read_ref(e) is None
        ]
        if evidence:
            current_details["evidence"] = evidence
        refs = [r for r in map(_read_ref, pieces) if r]
        if refs:
            current_details["evidence_items"] = refs_out(tuple(refs))
        if current_details:
            entry["current_details"] = current_details
    return code, entry


def _kind(observation: Mapping[str, Any]) -> str:
    """What an observation of csfpilot's holds: the current state, target evidence, or scans."""
    if "finding" in (observation.get("types") or ()):
        return "scans"
    return "target" if Props(observation).one("evidence-side") == "target" else "current"


def scan_tallies(body: Mapping[str, Any]) -> dict[str, tuple[int, int, int]]:
    """Each outcome's scan tally ``(passed, failed, serious)`` in an assessment-results body."""
    out: dict[str, tuple[int, int, int]] = {}
    for result in body.get("results") or ():
        for observation in result.get("observations") or ():
            if _kind(observation) != "scans":
                continue
            props = Props(observation)
            out[str(props.one("outcome"))] = (
                int(props.one("scan-passed", 0)),
                int(props.one("scan-failed", 0)),
                int(props.one("scan-serious", 0)),
            )
    return out


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
        related = [
            observations[r["observation-uuid"]]
            for r in finding.get("related-observations") or ()
            if r["observation-uuid"] in observations
        ]
        observation = next((o for o in related if _kind(o) == "current"), None)
        expected = next((o for o in related if _kind(o) == "target"), None)
        try:
            code, entry = _entry(finding, observation, expected)
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
