"""Transfer a stored profile to another framework: preview, then apply as one change.

The preview is the domain transfer (:mod:`csfpilot.core.crosswalks`) of the
stored profile, with, when an existing profile on the target framework is
chosen, what that profile holds today for each reached outcome. Applying
writes the accepted values — all proposals, some, or edited ones — into a new
draft profile or into the chosen one, in one transaction and one audit event.

Nothing is overwritten silently. A value the target profile already holds is
replaced only when the caller names that outcome in its choices (the page
shows the stored value beside the proposal and leaves such rows unticked) or
asks for it with ``replace_existing``; every written outcome must still be at
the version the preview showed, so a change made meanwhile is never lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from csfpilot.core.crosswalks import (
    CombineRule,
    Transfer,
    apply_transfer,
    find_route,
    route_through,
    transfer_profile,
)
from csfpilot.core.crosswalks.routes import chain_order
from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.profiles import Level, OutcomeEntry, Profile, Scale, Side
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import audit_trail, inputs, lookups, persist, storage
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.profiles.frameworks import outcome_framework
from csfpilot.webapp.transfers import queries

MAX_VIA = 5
"""Longest chain a person may name (found chains are as short as the crosswalks allow)."""


@dataclass(frozen=True, slots=True)
class Existing:
    """What the target profile holds for one outcome today."""

    current: Level | None
    target: Level | None
    version: int


@dataclass(frozen=True)
class Preview:
    source: pm.Profile
    transfer: Transfer
    onto: pm.Profile | None
    existing: Mapping[str, Existing]
    texts: Mapping[str, str]  # the target framework's outcome statements, when known

    @property
    def scale(self) -> Scale:
        return self.transfer.target_scale

    def replaces(self, code: str) -> bool:
        """Whether accepting the proposal would change a value the target already holds."""
        found = self.existing.get(code)
        proposal = self.transfer.proposal(code)
        if found is None or proposal is None:
            return False
        for side in Side:
            held = found.current if side is Side.CURRENT else found.target
            new = proposal.side(side).level
            if held is not None and new is not None and held != new:
                return True
        return False


def _rule(value: Any) -> CombineRule:
    return CombineRule(inputs.choice(str(value or CombineRule.WEAKEST.value), CombineRule, "rule"))


def _via(values: Iterable[Any]) -> list[str]:
    keys = [str(v).strip() for v in values if str(v).strip()]
    if len(keys) > MAX_VIA:
        raise InputRefused(f"name at most {MAX_VIA} crosswalk datasets", field="via")
    return keys


def _onto(access: Access, onto_id: Any, to: str, *, for_update: bool = False) -> pm.Profile:
    row = lookups.profile(access, onto_id, for_update=for_update)
    if row.framework.key != to:
        raise InputRefused(f"{row.name!r} assesses {row.framework.key}, not {to}", field="onto")
    if row.kind == "community":
        raise InputRefused(
            "a transfer writes current and target values; pick an Organizational Profile",
            field="onto",
        )
    return row


def _existing(onto: pm.Profile, codes: Iterable[str]) -> dict[str, Existing]:
    scale = storage.scale_of(onto)
    rows = pm.ProfileOutcome.objects.filter(profile=onto, code__in=list(codes)).values_list(
        "code", "current", "target", "version"
    )
    return {
        code: Existing(
            storage.level_of(scale, current, element=code, side="current"),
            storage.level_of(scale, target, element=code, side="target"),
            version,
        )
        for code, current, target, version in rows
    }


def _transfer(
    source_row: pm.Profile,
    source: Profile,
    to: str,
    via: list[str],
    rule: CombineRule,
    scale: Scale,
) -> Transfer:
    fw = queries.target_framework(to)
    target = queries.assessable(fw)
    if target is None:
        raise InputRefused(f"{to} has no outcomes to assess", field="to")
    rows = queries.headers(source_row.organization)
    datasets = queries.mapping_sets(rows)
    if via:
        ordered = chain_order(datasets, source_row.framework.key, via)
        route = route_through(datasets, source_row.framework.key, to, ordered)
    else:
        keys = {ds.source_framework_key for ds in rows} | {ds.target_framework_key for ds in rows}
        outcomes = queries.outcome_sets(queries.frameworks_by_key(keys))
        route = find_route(datasets, source_row.framework.key, to, outcomes=outcomes)
    return transfer_profile(source, route, target_framework=target, target_scale=scale, rule=rule)


def preview(
    access: Access,
    profile_id: Any,
    *,
    to: str,
    via: Iterable[Any] = (),
    rule: Any = None,
    onto_id: Any = None,
) -> Preview:
    """The proposals for ``to``, and what the chosen target profile holds (read only)."""
    lookups.ensure(access, Permission.VIEW)
    source_row = lookups.profile(access, profile_id)
    source = lookups.rated_profile(source_row)
    onto = _onto(access, onto_id, to) if onto_id not in (None, "") else None
    scale = storage.scale_of(onto) if onto is not None else source.scale
    result = _transfer(source_row, source, to, _via(via), _rule(rule), scale)
    existing = _existing(onto, (p.outcome for p in result.proposals)) if onto else {}
    target = queries.assessable(queries.target_framework(to))
    return Preview(source_row, result, onto, existing, target.texts if target else {})


Choices = Mapping[str, Mapping[str, Any]]
Chosen = dict[str, tuple[Level | None, Level | None]]


def _chosen(result: Transfer, scale: Scale, choices: Choices | None) -> Chosen:
    if choices is None:
        return {p.outcome: (p.current.level, p.target.level) for p in result.proposals}
    out: Chosen = {}
    for code, sides in choices.items():
        if result.proposal(code) is None:
            raise InputRefused("the transfer proposes nothing for this outcome", element=code)
        unknown = set(sides) - {"current", "target"}
        if unknown:
            raise InputRefused(f"unknown field {sorted(unknown)[0]!r}", element=code)
        out[code] = (
            storage.level_of(scale, sides.get("current"), element=code, side="current"),
            storage.level_of(scale, sides.get("target"), element=code, side="target"),
        )
    return out


def _keep_existing(chosen: Chosen, base: Profile) -> Chosen:
    """Accept-all on an existing profile fills empty sides only."""
    out = {}
    for code, (current, target) in chosen.items():
        entry = base.entry(code)
        if entry is not None:
            current = current if entry.current is None else None
            target = target if entry.target is None else None
        out[code] = (current, target)
    return out


def apply(
    access: Access,
    profile_id: Any,
    *,
    to: str,
    via: Iterable[Any] = (),
    rule: Any = None,
    onto_id: Any = None,
    name: str | None = None,
    choices: Choices | None = None,
    versions: Mapping[str, int] | None = None,
    replace_existing: bool = False,
) -> pm.Profile:
    """Write the accepted values into a new draft profile, or into ``onto_id``.

    ``choices`` maps outcome → ``{"current": level key, "target": level key}``
    as accepted (and possibly edited); a side left out or null is not
    written. Without ``choices`` every proposal is taken, and on an existing
    profile only its empty sides are filled unless ``replace_existing``.
    ``versions`` (outcome → version, as the preview showed) guards each written
    outcome of an existing profile; a newer one refuses the whole transfer.
    """
    lookups.ensure(access, Permission.EDIT_PROFILES)
    via_keys, combine = _via(via), _rule(rule)
    with transaction.atomic():
        source_row = lookups.profile(access, profile_id)
        source = lookups.rated_profile(source_row)
        if onto_id in (None, ""):
            fw = queries.target_framework(to)
            result = _transfer(source_row, source, to, via_keys, combine, source.scale)
            draft_name = inputs.name(name or f"{source_row.name} → {fw.name}"[: inputs.NAME_MAX])
            if inputs.name_taken(access, draft_name):
                raise ConflictError(
                    f"{access.organization.slug} already has a profile named {draft_name!r}"
                )
            base = Profile(
                name=draft_name,
                framework=to,
                scope=source.scope,
                scale=source.scale,
                rollup=source.rollup,
                description=(
                    f"Transferred from {source_row.name!r} ({source_row.framework.key}) "
                    f"through {', '.join(result.datasets)}; several sources combined by the "
                    f"{result.rule.label} rule."
                ),
            )
            chosen = _chosen(result, source.scale, choices)
            written = apply_transfer(result, base, choices=chosen)
            row = persist.store_new(access, fw, _all_outcomes(written, fw))
            audit_trail.record_content(
                access,
                row,
                audit.Action.CREATE,
                None,
                summary=_summary(source_row, result, chosen),
            )
            return row
        onto = _onto(access, onto_id, to, for_update=True)
        base = lookups.domain_profile(onto)
        result = _transfer(source_row, source, to, via_keys, combine, base.scale)
        chosen = _chosen(result, base.scale, choices)
        if choices is None and not replace_existing:
            chosen = _keep_existing(chosen, base)
        _check_versions(onto, chosen, versions or {})
        before = audit_trail.content_state(onto)
        written = apply_transfer(result, base, choices=chosen)
        persist.replace_content(access, onto, written, fields=())
        summary = _summary(source_row, result, chosen)
        audit_trail.record_content(access, onto, audit.Action.UPDATE, before, summary=summary)
        return onto


def _all_outcomes(profile: Profile, fw: Any) -> Profile:
    """Every outcome of the framework, included, so the draft reads like any new profile."""

    entries = {
        code: profile.entry(code) or OutcomeEntry(code) for code in outcome_framework(fw).outcomes
    }
    return profile.replace(outcomes=entries)


def _check_versions(
    onto: pm.Profile,
    chosen: Chosen,
    versions: Mapping[str, int],
) -> None:
    rows = dict(
        pm.ProfileOutcome.objects.select_for_update()
        .filter(profile=onto, code__in=list(chosen))
        .values_list("code", "version")
    )
    stale = sorted(
        code for code, sent in versions.items() if code in chosen and rows.get(code) != sent
    )
    if stale:
        raise ConflictError(
            f"{len(stale)} outcome(s) of {onto.name!r} changed since the preview "
            f"({', '.join(stale[:10])}); nothing was written — look at the new preview"
        )


def _summary(source_row: pm.Profile, result: Transfer, chosen: Chosen) -> dict[str, Any]:
    return {
        "outcomes_written": len(chosen),
        "transferred_from": source_row.name,
        "from_framework": source_row.framework.key,
        "to_framework": result.target_framework,
        "datasets": list(result.datasets),
        "rule": result.rule.value,
    }
