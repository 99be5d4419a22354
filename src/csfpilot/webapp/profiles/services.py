"""Use cases that change profiles; each runs in one transaction and checks the caller's role.

Every function takes the caller's
:class:`~csfpilot.webapp.organizations.permissions.Access` (from
``permissions.require`` in a view or API route, or
:func:`~csfpilot.webapp.profiles.operator.operator_access` for the command
line) and asks the permission layer again, so pages, API and CLI can never do
more than the caller's role allows:

- creating, renaming, re-scoping a profile, setting its Tiers, the action plan,
  snapshots, imports and derived targets need ``profiles.edit`` (owner,
  assessor);
- an outcome may be edited by whoever ``permissions.can_edit_outcome`` allows —
  any outcome for owners and assessors, only the outcomes assigned to them for
  contributors; (re)assigning an outcome needs ``profiles.edit``;
- exporting a file needs ``data.export``.

**No lost updates.** Saves of a profile, an outcome or an action name the
``version`` they were based on. The row is updated only if it still has that
version (one conditional ``UPDATE``, so two concurrent saves cannot both pass
the check); otherwise :class:`~csfpilot.webapp.profiles.conflicts.StaleEdit`
is raised with the stored values and nothing is saved.

File import/export, Community Profiles and snapshots are in
:mod:`csfpilot.webapp.profiles.exchange`; they are re-exported here so this
module is the one place to look.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.core.gaps import add_candidates, analyse_gaps, candidate_actions
from csfpilot.core.ids import DEFAULT_FRAMEWORK
from csfpilot.core.profiles import (
    BUILTIN_SCALES,
    TIER_ASPECTS,
    Action,
    ActionStatus,
    Priority,
    ProfileKind,
    RollUp,
    Scale,
    ScopeType,
    Tier,
    TierRating,
    Tiers,
    next_action_id,
    refuse_unknown_outcome,
)
from csfpilot.webapp import statements
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.evidence import services as evidence
from csfpilot.webapp.organizations.permissions import (
    Access,
    require_outcome_edit,
)
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import audit_trail, inputs, lookups, persist, storage
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.conflicts import StaleEdit
from csfpilot.webapp.profiles.frameworks import suggested_controls, withdrawals


def _touch(row: m.Profile, access: Access) -> None:
    """Record that the profile's content changed now, without touching its version."""
    m.Profile.objects.filter(pk=row.pk).update(
        updated_at=timezone.now(), updated_by_id=lookups.acting_user_id(access)
    )


def _who(user: Any) -> str:
    if user is None:
        return "the instance's operator (command line)"
    return getattr(user, "email", "") or user.get_username()


# -- profiles -----------------------------------------------------------------------


def resolve_scale(scale: Scale | str | None) -> Scale:
    """A scale object from a built-in key (``status``, ``maturity``) or a :class:`Scale`."""
    if scale is None:
        return BUILTIN_SCALES["status"]
    if isinstance(scale, Scale):
        return scale
    found = BUILTIN_SCALES.get(scale) if isinstance(scale, str) else None
    if found is None:
        raise InputRefused(
            f"{scale!r} is not a built-in scale; use {', '.join(BUILTIN_SCALES)}", field="scale"
        )
    return found


def create_profile(
    access: Access,
    *,
    name: str,
    framework: str = DEFAULT_FRAMEWORK,
    kind: ProfileKind | str = ProfileKind.ORGANIZATIONAL,
    scope_type: ScopeType | str = ScopeType.ORGANIZATION,
    scope_name: str = "",
    description: str = "",
    assumptions: str = "",
    scale: Scale | str | None = None,
    rollup: RollUp | str = RollUp.EQUAL,
) -> m.Profile:
    """Start a profile over every outcome of ``framework`` (106 for CSF 2.0), all included,
    none rated yet; in one transaction."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    name = inputs.name(name)
    values = {
        "name": name,
        "kind": inputs.choice(str(kind), ProfileKind, "kind"),
        "scope_type": inputs.choice(str(scope_type), ScopeType, "scope_type"),
        "scope_name": inputs.text(scope_name, "scope_name", limit=inputs.NAME_MAX),
        "description": inputs.text(description, "description"),
        "assumptions": inputs.text(assumptions, "assumptions"),
        "scale": storage.scale_to_json(resolve_scale(scale)),
        "rollup": inputs.choice(str(rollup), RollUp, "rollup"),
    }
    user_id = lookups.acting_user_id(access)
    with transaction.atomic():
        fw, taken = persist.release_and_name(access, (framework or "").strip().lower(), name)
        if fw is None:
            raise InputRefused(f"no framework {framework!r} is loaded", field="framework")
        if taken:
            raise ConflictError(f"{access.organization.slug} already has a profile named {name!r}")
        row = persist.insert_profile(access, fw, values)
        persist.insert_blank_outcomes(row, fw, user_id)
        audit.record(
            access,
            audit_trail.PROFILE,
            row.pk,
            audit.Action.CREATE,
            label=row.name,
            changes=audit.created({**values, "framework": fw.key}),
        )
    return row


PROFILE_FIELDS = (
    "name",
    "scope_type",
    "scope_name",
    "description",
    "assumptions",
    "rollup",
    "based_on",
    "scale",
)


def _save_profile(
    access: Access, row: m.Profile, values: dict[str, Any], expected: int, yours: dict[str, Any]
) -> m.Profile:
    updated = m.Profile.objects.filter(pk=row.pk, version=expected).update(
        **values,
        version=F("version") + 1,
        updated_at=timezone.now(),
        updated_by_id=lookups.acting_user_id(access),
    )
    fresh = m.Profile.objects.select_related("framework", "updated_by").get(pk=row.pk)
    if not updated:
        raise StaleEdit(
            f"profile {row.name!r}",
            sent_version=expected,
            version=fresh.version,
            current=storage.profile_values(fresh),
            yours=yours,
            changed_by=_who(fresh.updated_by),
            changed_at=fresh.updated_at,
        )
    return fresh


def update_profile(
    access: Access, profile_id: Any, changes: Mapping[str, Any], *, expected_version: int
) -> m.Profile:
    """Change profile-level fields (name, scope, description, assumptions, roll-up, scale).

    The scale can change only while no outcome is rated on it: ratings do not
    translate between scales.
    """
    lookups.ensure(access, Permission.EDIT_PROFILES)
    inputs.only(changes, PROFILE_FIELDS)
    with transaction.atomic():
        row = lookups.profile(access, profile_id, for_update=True)
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "name":
                values["name"] = inputs.name(value)
                if inputs.name_taken(access, values["name"], other_than=row.pk):
                    raise ConflictError(
                        f"{access.organization.slug} already has a profile named {values['name']!r}"
                    )
            elif key == "scope_type":
                values[key] = inputs.choice(value, ScopeType, key)
            elif key == "rollup":
                values[key] = inputs.choice(value, RollUp, key)
            elif key == "scale":
                new = storage.scale_to_json(resolve_scale(value))
                rated = m.ProfileOutcome.objects.filter(profile=row).filter(
                    Q(current__isnull=False) | Q(target__isnull=False)
                )
                if new != row.scale and rated.exists():
                    raise InputRefused(
                        "outcomes are already rated on this profile's scale; ratings do not "
                        "translate between scales, so clear them before changing the scale",
                        field="scale",
                    )
                values[key] = new
            elif key in ("scope_name", "based_on"):
                values[key] = inputs.text(value, key, limit=inputs.NAME_MAX)
            else:
                values[key] = inputs.text(value, key)
        before = {key: getattr(row, key) for key in values}
        fresh = _save_profile(access, row, values, expected_version, dict(values))
        _record_update(access, audit_trail.PROFILE, fresh, before, values)
        return fresh


def _record_update(
    access: Access, object_type: str, row: m.Profile, before: dict[str, Any], after: dict[str, Any]
) -> None:
    changes = audit.diff(before, after)
    if changes:
        audit.record(
            access, object_type, row.pk, audit.Action.UPDATE, label=row.name, changes=changes
        )


def set_tiers(
    access: Access, profile_id: Any, tiers: Tiers | Mapping[str, Any], *, expected_version: int
) -> m.Profile:
    """Set the profile's CSF Tiers (governance and management, current and target, with
    their rationale). ``tiers`` is a :class:`~csfpilot.core.profiles.Tiers` or a mapping
    ``{"governance": {"current": 2, "target": 3, "current_rationale": "..."}, ...}``;
    an aspect left out of the mapping keeps its stored values."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        row = lookups.profile(access, profile_id, for_update=True)
        if not isinstance(tiers, Tiers):
            tiers = _tiers_from(tiers, storage.tiers_of(row))
        if row.kind == ProfileKind.COMMUNITY.value:
            for aspect in TIER_ASPECTS:
                rating = tiers.aspect(aspect)
                if rating.current is not None or rating.current_rationale:
                    raise InputRefused(
                        "a Community Profile holds target Tiers only",
                        field=f"{aspect}.current",
                    )
        values = storage.tier_fields(tiers)
        before = {key: getattr(row, key) for key in values}
        fresh = _save_profile(access, row, values, expected_version, dict(values))
        _record_update(access, audit_trail.TIERS, fresh, before, values)
        return fresh


def _tiers_from(raw: Mapping[str, Any], stored: Tiers) -> Tiers:
    inputs.only(raw, TIER_ASPECTS)
    out: dict[str, TierRating] = {}
    for aspect in TIER_ASPECTS:
        if aspect not in raw or raw[aspect] is None:
            out[aspect] = stored.aspect(aspect)
            continue
        doc = raw[aspect]
        if not isinstance(doc, Mapping):
            raise InputRefused("expected current, target and rationales", field=aspect)
        keys = ("current", "target", "current_rationale", "target_rationale")
        inputs.only(doc, keys)
        base = stored.aspect(aspect)
        values: dict[str, Any] = {}
        for key in keys:
            value = doc.get(key, getattr(base, key))
            where = f"{aspect}.{key}"
            if key.endswith("rationale"):
                values[key] = inputs.text(value, where)
            elif value is None:
                values[key] = None
            elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
                valid = "; ".join(f"{t.value} {t.label}" for t in Tier)
                raise InputRefused(f"{value!r} is not a CSF Tier; Tiers are {valid}", field=where)
            else:
                values[key] = Tier(value)
        out[aspect] = TierRating(**values)
    return Tiers(**out)


def delete_profile(access: Access, profile_id: Any) -> None:
    """Delete a profile with its outcomes, actions and snapshots."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        row = lookups.profile(access, profile_id, for_update=True)
        state = audit_trail.profile_state(row)
        state["outcomes_rated"] = (
            m.ProfileOutcome.objects.filter(profile=row)
            .filter(Q(current__isnull=False) | Q(target__isnull=False))
            .count()
        )
        state["actions"] = m.Action.objects.filter(profile=row).count()
        state["snapshots"] = m.Snapshot.objects.filter(profile=row).count()
        pk = row.pk
        row.delete()
        audit.record(
            access,
            audit_trail.PROFILE,
            pk,
            audit.Action.DELETE,
            label=state["name"],
            changes=audit.deleted(state),
        )


# -- outcomes -----------------------------------------------------------------------

OUTCOME_FIELDS: tuple[str, ...] = (
    "included",
    "rationale",
    "priority",
    "current_priority",
    "current",
    "target",
    "owner_id",
    "owner_name",
    "notes",
    "considerations",
    *(f"{side}_{name}" for side in storage.SIDES for name in storage.DETAIL_FIELDS),
)
"""What a save of one outcome may change (every column of NIST's template, and the owner)."""

ASSIGNMENT_FIELDS = ("owner_id", "owner_name")


def outcome_values(row: m.ProfileOutcome) -> dict[str, Any]:
    """An outcome row's editable values, keyed as :data:`OUTCOME_FIELDS`."""
    out = {name: getattr(row, name) for name in OUTCOME_FIELDS if name != "owner_id"}
    out["owner_id"] = row.owner_id
    return out


def _outcome_changes(
    access: Access, profile_row: m.Profile, row: m.ProfileOutcome, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Checked column values for a save, validated by building the domain entry."""
    code = row.code
    inputs.only(changes, OUTCOME_FIELDS, code)
    scale = storage.scale_of(profile_row)
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "included":
            if not isinstance(value, bool):
                raise InputRefused("expected true or false", element=code, field=key)
            values[key] = value
        elif key in ("priority", "current_priority"):
            values[key] = inputs.choice(value, Priority, key, element=code, optional=True) or ""
        elif key in ("current", "target"):
            level = storage.level_of(scale, value, element=code, side=key)
            values[key] = None if level is None else level.key
        elif key == "owner_id":
            values[key] = inputs.member_id(access, value, key, element=code)
        elif key == "owner_name":
            values[key] = inputs.text(value, key, element=code, limit=inputs.NAME_MAX)
        elif key.endswith(("_references", "_evidence")):
            values[key] = inputs.text_list(value, key, element=code)
        else:
            values[key] = inputs.text(value, key, element=code)
    inputs.assignment(values, access)
    merged = {**outcome_values(row), **values}
    entry = storage.entry_from_values(code, merged, scale)
    if profile_row.kind == ProfileKind.COMMUNITY.value and entry.has_current_side():
        raise InputRefused(
            "a Community Profile holds targets only; leave the current side empty",
            element=code,
            field=next((k for k in values if k.startswith("current")), "current"),
        )
    return values


def update_outcome(
    access: Access,
    profile_id: Any,
    code: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
) -> m.ProfileOutcome:
    """Save one outcome's fields (what the questionnaire's autosave calls).

    ``changes`` holds only the fields to change (see :data:`OUTCOME_FIELDS`);
    ratings are level keys of the profile's scale, ``None`` clears one.
    Refused with :class:`StaleEdit` when the outcome is no longer at
    ``expected_version``: the error carries the stored values.
    """
    with transaction.atomic():
        row = lookups.outcome_to_save(access, profile_id, code)
        row_profile = row.profile
        require_outcome_edit(access, row.owner_id)
        if any(k in changes for k in ASSIGNMENT_FIELDS):
            # Handing an outcome to someone is the assessor's call, not the contributor's.
            lookups.ensure(access, Permission.EDIT_PROFILES)
        values = _outcome_changes(access, row_profile, row, changes)
        now = timezone.now()
        user_id = lookups.acting_user_id(access)
        stamp = {"updated_at": now, "updated_by_id": user_id}
        if not statements.update_versioned(
            m.ProfileOutcome, row.pk, expected_version, {**values, **stamp}
        ):
            raise _stale_outcome(row, expected_version, values)
        statements.update(m.Profile, row_profile.pk, stamp)  # the profile's content changed
        for side in storage.SIDES:
            lines = values.get(f"{side}_evidence")
            if lines is not None:
                evidence.adopt_lines(access, row_profile, row.code, side, lines)
        stored = outcome_values(row)
        changes = audit.diff({k: stored[k] for k in values}, values)
        if changes:
            audit.record(
                access,
                audit_trail.OUTCOME,
                row.pk,
                audit.Action.UPDATE,
                label=audit_trail.outcome_label(row_profile, row.code),
                changes=changes,
            )
    # The saved row is what was read, as it was at the version the save named (or the
    # UPDATE would have changed nothing), with the values written: not read back.
    for key, value in {**values, **stamp}.items():
        setattr(row, key, value)
    row.version = expected_version + 1
    row.updated_by = access.membership.user if user_id is not None else None
    return row


def _stale_outcome(row: m.ProfileOutcome, sent: int, yours: dict[str, Any]) -> StaleEdit:
    fresh = m.ProfileOutcome.objects.select_related("updated_by").get(pk=row.pk)
    return StaleEdit(
        fresh.code,
        sent_version=sent,
        version=fresh.version,
        current=outcome_values(fresh),
        yours=yours,
        changed_by=_who(fresh.updated_by),
        changed_at=fresh.updated_at,
    )


def assign_outcomes(access: Access, profile_id: Any, codes: list[str], user_id: int | None) -> int:
    """Assign several outcomes to one member (or unassign them); returns how many changed.

    Each assigned outcome's version moves on, so an edit based on the old
    assignment is refused rather than applied under the wrong owner.
    """
    lookups.ensure(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        row = lookups.profile(access, profile_id)
        owner_id = inputs.member_id(access, user_id, "owner_id")
        owner_name = inputs.Members(access).email_of.get(owner_id, "") if owner_id else ""
        known = set(
            m.ProfileOutcome.objects.filter(profile=row, code__in=codes).values_list(
                "code", flat=True
            )
        )
        missing = [c for c in codes if c not in known]
        if missing:
            raise NotFound(f"{row.name!r} has no outcome {missing[0]!r}")
        before = {
            o.code: (o.pk, {"owner_id": o.owner_id, "owner_name": o.owner_name})
            for o in m.ProfileOutcome.objects.filter(profile=row, code__in=codes)
        }
        after = {"owner_id": owner_id, "owner_name": owner_name}
        items = [
            audit.Item(
                audit_trail.OUTCOME,
                pk,
                audit.Action.UPDATE,
                audit_trail.outcome_label(row, code),
                audit.diff(old, after),
            )
            for code, (pk, old) in sorted(before.items())
            if audit.diff(old, after)
        ]
        changed = m.ProfileOutcome.objects.filter(profile=row, code__in=codes).update(
            owner_id=owner_id,
            owner_name=owner_name,
            version=F("version") + 1,
            updated_at=timezone.now(),
            updated_by_id=lookups.acting_user_id(access),
        )
        _touch(row, access)
        if items:
            audit.record_bulk(
                access,
                audit_trail.PROFILE,
                row.pk,
                audit.Action.UPDATE,
                items,
                label=row.name,
                summary={"assigned": len(items)},
            )
    return changed


# -- the action plan ----------------------------------------------------------------

ACTION_FIELDS = (
    "code",
    "title",
    "outcomes",
    "owner_id",
    "owner_name",
    "due",
    "milestone",
    "status",
    "cost",
    "controls",
    "notes",
)


def action_values(row: m.Action) -> dict[str, Any]:
    return {
        "code": row.code,
        "title": row.title,
        "outcomes": list(row.outcomes),
        "owner_id": row.owner_id,
        "owner_name": row.owner_name,
        "due": row.due,
        "milestone": row.milestone,
        "status": row.status,
        "cost": row.cost,
        "controls": list(row.controls),
        "notes": row.notes,
    }


def _action_changes(
    access: Access, profile_row: m.Profile, changes: Mapping[str, Any], current: dict[str, Any]
) -> dict[str, Any]:
    inputs.only(changes, ACTION_FIELDS)
    values: dict[str, Any] = {}
    framework = lookups.framework_of(profile_row)
    for key, value in changes.items():
        if key == "outcomes":
            codes = inputs.text_list(value, key)
            for i, code in enumerate(codes):
                refuse_unknown_outcome(
                    code, framework, withdrawals(framework.key), field=f"outcomes[{i}]"
                )
            values[key] = list(dict.fromkeys(codes))
        elif key == "controls":
            values[key] = inputs.text_list(value, key)
        elif key == "owner_id":
            values[key] = inputs.member_id(access, value, key)
        elif key == "due":
            values[key] = inputs.day(value, key)
        elif key == "status":
            values[key] = inputs.choice(value, ActionStatus, key)
        elif key in ("code", "owner_name", "milestone", "cost"):
            values[key] = inputs.text(value, key, limit=64 if key == "code" else inputs.NAME_MAX)
        else:
            values[key] = inputs.text(value, key)
    inputs.assignment(values, access)
    merged = {**current, **values}
    # The domain's rules for an action line (id shape, a title, at least one outcome).
    Action(
        id=merged["code"],
        title=merged["title"],
        outcomes=tuple(merged["outcomes"]),
        owner=merged["owner_name"],
        due=merged["due"],
        milestone=merged["milestone"],
        status=ActionStatus(merged["status"]),
        cost=merged["cost"],
        controls=tuple(merged["controls"]),
        notes=merged["notes"],
    )
    return values


def create_action(access: Access, profile_id: Any, data: Mapping[str, Any]) -> m.Action:
    """Add a line to the action plan; ``code`` (``A-001``) is the next free one unless given."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        row = lookups.profile(access, profile_id, for_update=True)
        existing = list(m.Action.objects.filter(profile=row).values_list("code", flat=True))
        blank = {
            "code": next_action_id(existing),
            "title": "",
            "outcomes": [],
            "owner_id": None,
            "owner_name": "",
            "due": None,
            "milestone": "",
            "status": ActionStatus.OPEN.value,
            "cost": "",
            "controls": [],
            "notes": "",
        }
        values = {**blank, **_action_changes(access, row, data, blank)}
        if values["code"] in existing:
            raise ConflictError(f"{row.name!r} already has an action {values['code']}")
        position = m.Action.objects.filter(profile=row).aggregate(p=Max("position"))["p"] or 0
        action = m.Action.objects.create(
            profile=row,
            position=position + 1,
            updated_by_id=lookups.acting_user_id(access),
            **values,
        )
        _touch(row, access)
        audit.record(
            access,
            audit_trail.ACTION,
            action.pk,
            audit.Action.CREATE,
            label=f"{action.code} · {row.name}",
            changes=audit.created(values),
        )
    return action


def update_action(
    access: Access,
    profile_id: Any,
    code: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
) -> m.Action:
    """Change an action line (status, owner, due date...); refused when stale."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        row = lookups.profile(access, profile_id)
        action = lookups.action(access, row, code)
        values = _action_changes(access, row, changes, action_values(action))
        renamed = values.get("code", action.code) != action.code
        if renamed and m.Action.objects.filter(profile=row, code=values["code"]).exists():
            raise ConflictError(f"{row.name!r} already has an action {values['code']}")
        updated = m.Action.objects.filter(pk=action.pk, version=expected_version).update(
            **values,
            version=F("version") + 1,
            updated_at=timezone.now(),
            updated_by_id=lookups.acting_user_id(access),
        )
        if not updated:
            fresh = m.Action.objects.select_related("updated_by").get(pk=action.pk)
            raise StaleEdit(
                f"action {fresh.code}",
                sent_version=expected_version,
                version=fresh.version,
                current=action_values(fresh),
                yours=values,
                changed_by=_who(fresh.updated_by),
                changed_at=fresh.updated_at,
            )
        _touch(row, access)
        old = action_values(action)
        changes = audit.diff({k: old[k] for k in values}, values)
        if changes:
            audit.record(
                access,
                audit_trail.ACTION,
                action.pk,
                audit.Action.UPDATE,
                label=f"{values.get('code', action.code)} · {row.name}",
                changes=changes,
            )
    return m.Action.objects.select_related("owner").get(pk=action.pk)


def delete_action(access: Access, profile_id: Any, code: str, *, expected_version: int) -> None:
    lookups.ensure(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        row = lookups.profile(access, profile_id)
        action = lookups.action(access, row, code)
        deleted, _ = m.Action.objects.filter(pk=action.pk, version=expected_version).delete()
        if not deleted:
            fresh = m.Action.objects.select_related("updated_by").get(pk=action.pk)
            raise StaleEdit(
                f"action {fresh.code}",
                sent_version=expected_version,
                version=fresh.version,
                current=action_values(fresh),
                yours={},
                changed_by=_who(fresh.updated_by),
                changed_at=fresh.updated_at,
            )
        _touch(row, access)
        audit.record(
            access,
            audit_trail.ACTION,
            action.pk,
            audit.Action.DELETE,
            label=f"{action.code} · {row.name}",
            changes=audit.deleted(action_values(action)),
        )


def generate_actions(
    access: Access,
    profile_id: Any,
    *,
    due: date | None = None,
    milestone: str = "",
) -> list[m.Action]:
    """Top up the action plan from the gap analysis: one open action per outcome below
    target that no open or in-progress action covers yet, in action-plan order, each
    suggesting the SP 800-53 controls NIST maps the outcome to. Returns the new actions."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    milestone = inputs.text(milestone, "milestone", limit=inputs.NAME_MAX)
    with transaction.atomic():
        row = lookups.profile(access, profile_id, for_update=True)
        outcomes = lookups.outcome_rows(row)
        actions = lookups.action_rows(row)
        profile = lookups.domain_profile(row, outcomes, actions)
        framework = lookups.framework_of(row)
        gaps = analyse_gaps(profile, framework)
        candidates = candidate_actions(profile, gaps, suggested_controls(framework.key))
        _, added = add_candidates(profile, candidates, due=due, milestone=milestone)
        owners = {o.code: o.owner_id for o in outcomes}
        position = max((a.position for a in actions), default=0)
        user_id = lookups.acting_user_id(access)
        created = [
            m.Action(
                profile=row,
                position=position + i,
                owner_id=owners.get(action.outcomes[0]),
                updated_by_id=user_id,
                **storage.action_fields(action),
            )
            for i, action in enumerate(added, start=1)
        ]
        m.Action.objects.bulk_create(created)
        if created:
            _touch(row, access)
            audit.record_bulk(
                access,
                audit_trail.PROFILE,
                row.pk,
                audit.Action.UPDATE,
                [
                    audit.Item(
                        audit_trail.ACTION,
                        a.pk,
                        audit.Action.CREATE,
                        f"{a.code} · {row.name}",
                        audit.created(action_values(a)),
                    )
                    for a in created
                ],
                label=row.name,
                summary={"generated_from": "gap analysis"},
            )
    return list(
        m.Action.objects.filter(profile=row, code__in=[a.code for a in created]).order_by(
            "position"
        )
    )


# -- file import/export, Community Profiles and snapshots (re-exported) -----------------

from csfpilot.webapp.profiles.exchange import (  # noqa: E402
    DeriveResult,
    ImportResult,
    derive_target,
    export_profile_file,
    export_snapshot_file,
    import_profile_file,
    store_profile,
    take_snapshot,
)

__all__ = [
    "ACTION_FIELDS",
    "OUTCOME_FIELDS",
    "PROFILE_FIELDS",
    "DeriveResult",
    "ImportResult",
    "StaleEdit",
    "action_values",
    "assign_outcomes",
    "create_action",
    "create_profile",
    "delete_action",
    "delete_profile",
    "derive_target",
    "export_profile_file",
    "export_snapshot_file",
    "generate_actions",
    "import_profile_file",
    "outcome_values",
    "resolve_scale",
    "set_tiers",
    "store_profile",
    "take_snapshot",
    "update_action",
    "update_outcome",
    "update_profile",
]
