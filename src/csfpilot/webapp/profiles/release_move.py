"""Moving a profile to a newer release of its framework, previewed first.

A profile stays on the release it was started on until someone moves it: a
newer release (``csf-2.1``) is loaded beside the old one and profiles tied to
the old one keep working. :func:`preview_move` shows what would change (see
:mod:`csfpilot.core.catalog.release_changes`); :func:`move_release` applies it
in one transaction: outcomes that carry over keep every answer (the same rows,
now on the new release's elements), outcomes the new release adds start not
assessed, outcomes whose answers cannot be carried are removed, the action
plan's outcome ids follow, snapshots stay as they were taken. The move is one
entry of the organization's audit trail.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from csfpilot.core.catalog import Mapping, Relationship
from csfpilot.core.catalog.release_changes import ReleaseChanges, release_changes
from csfpilot.core.catalog.releases import release_key
from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog import export_queries
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import audit_trail, lookups, persist
from csfpilot.webapp.profiles import models as m

_MIGRATIONS = ("incorporated_into", "moved_to")


def _target(row: m.Profile, new_key: str) -> catalog.Framework:
    old = row.framework
    new = catalog.Framework.objects.filter(key=(new_key or "").strip().lower()).first()
    if new is None:
        raise InputRefused(f"no framework {new_key!r} is loaded", field="to")
    if new.pk == old.pk:
        raise InputRefused(f"the profile is already on {old.key}", field="to")
    if not old.family or new.family != old.family:
        raise InputRefused(
            f"{new.key} is not a release of the profile's framework ({old.key})", field="to"
        )
    if release_key(new.version) <= release_key(old.version):
        raise InputRefused(
            f"{new.key} (release {new.version}) is not newer than {old.key} "
            f"(release {old.version})",
            field="to",
        )
    return new


def _moves(old_key: str, new_key: str) -> list[Any]:
    """NIST's migration rows from the old release's ids to the new one's."""
    rows = catalog.Mapping.objects.filter(
        dataset__source_framework_key=old_key,
        dataset__target_framework_key=new_key,
        relationship__in=_MIGRATIONS,
    ).values_list("source_code", "target_code")
    return [Mapping(s, t, Relationship.MOVED_TO) for s, t in rows]


def preview_move(access: Access, profile_id: Any, new_key: str) -> ReleaseChanges:
    """What moving the profile to ``new_key`` would change; nothing is stored."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    row = lookups.profile(access, profile_id)
    new = _target(row, new_key)
    old_cat = export_queries.catalog(row.framework.key)
    new_cat = export_queries.catalog(new.key)
    return release_changes(old_cat, new_cat, _moves(row.framework.key, new.key))


def move_release(
    access: Access, profile_id: Any, new_key: str, *, expected_version: int
) -> ReleaseChanges:
    """Move the profile to ``new_key`` as :func:`preview_move` showed (see the module
    docstring); refused if the profile changed since ``expected_version``."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        row = lookups.profile(access, profile_id, for_update=True)
        if row.version != expected_version:
            raise ConflictError(
                f"the profile changed since the preview (version {row.version}, not "
                f"{expected_version}); look at the preview again"
            )
        old_key = row.framework.key
        changes = preview_move(access, row.pk, new_key)
        new = catalog.Framework.objects.get(key=new_key.strip().lower())
        nodes = {code: (node_id, order) for node_id, code, order in persist.outcome_nodes(new)}
        carried = changes.carried()
        outcomes = {o.code: o for o in m.ProfileOutcome.objects.filter(profile=row)}
        m.ProfileOutcome.objects.filter(
            profile=row, code__in=[c for c in outcomes if c not in carried]
        ).delete()
        kept = [outcomes[c] for c in carried if c in outcomes]
        before = {o.pk: o.code for o in kept}
        # Two steps: a carried outcome may take an id another one is leaving.
        for o in kept:
            o.code = f"~{o.pk}"
        m.ProfileOutcome.objects.bulk_update(kept, ["code"], batch_size=500)
        for o in kept:
            o.code = carried[before[o.pk]]
            o.node_id, o.position = nodes[o.code]
        m.ProfileOutcome.objects.bulk_update(kept, ["code", "node", "position"], batch_size=500)
        m.ProfileOutcome.objects.filter(pk__in=[o.pk for o in kept]).update(
            version=F("version") + 1
        )
        user_id = lookups.acting_user_id(access)
        m.ProfileOutcome.objects.bulk_create(
            [
                m.ProfileOutcome(
                    profile=row,
                    node_id=nodes[code][0],
                    code=code,
                    position=nodes[code][1],
                    updated_by_id=user_id,
                )
                for code in changes.added
            ],
            batch_size=500,
        )
        actions = list(m.Action.objects.filter(profile=row))
        for a in actions:
            a.outcomes = list(dict.fromkeys(carried[c] for c in a.outcomes if c in carried))
        m.Action.objects.bulk_update(actions, ["outcomes"], batch_size=500)
        m.Profile.objects.filter(pk=row.pk).update(
            framework=new, version=F("version") + 1, updated_by_id=user_id
        )
        audit.record(
            access,
            audit_trail.PROFILE,
            row.pk,
            audit.Action.UPDATE,
            label=row.name,
            changes={
                "framework": [old_key, new.key],
                "outcomes_carried": [None, len(kept)],
                "outcomes_added": [None, len(changes.added)],
                "outcomes_removed": [None, len(outcomes) - len(kept)],
            },
        )
    return changes
