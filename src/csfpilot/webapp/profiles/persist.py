"""Writing whole profiles: a new profile with a row for every outcome, or new content
for an existing one.

A profile always has one row per assessable outcome of its framework (106 for
CSF 2.0), so the questionnaire, the scores and the permission checks never
meet a missing row. An outcome a file or a derived target leaves out is
stored as *not included* and empty — which is what a missing outcome means
in a profile file — and is left out again when the profile is exported.

Replacing content never loses a concurrent edit: the outcome and action rows
are locked, and every row that changes moves to a new version, so a save
based on the old content is refused afterwards.

Evidence lines stored here are adopted into the organization's evidence
library in the same transaction (:func:`csfpilot.webapp.evidence.services.adopt_profile`):
each line gets its item, linked to the outcome side that has it.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.profiles import Profile
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.evidence import services as evidence
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import storage
from csfpilot.webapp.profiles.frameworks import outcome_framework
from csfpilot.webapp.profiles.inputs import Members
from csfpilot.webapp.profiles.lookups import acting_user_id


def outcome_nodes(fw: catalog.Framework) -> list[tuple[int, str, int]]:
    """(node id, code, order) of every assessable outcome of ``fw``, in document order."""
    codes = set(outcome_framework(fw).outcomes)
    level = fw.outcome_level or (fw.levels[-1] if fw.levels else "")
    rows = (
        catalog.Node.objects.filter(framework=fw, level=level, withdrawn=False)
        .order_by("order")
        .values_list("id", "code", "order")
    )
    return [r for r in rows if r[1] in codes]


def insert_blank_outcomes(
    row: m.Profile, nodes: list[tuple[int, str, int]], user_id: int | None
) -> None:
    """A new profile's outcome rows, none rated yet: one prepared statement for them all.

    The rows differ only in their outcome (node, code, position), so every other column
    is prepared once, by the model's own fields (defaults, the write time, the database's
    form of each value), and the statement is run for all rows at once. Building and
    compiling 106 model instances for ``bulk_create`` was most of creating a profile.
    """
    if not nodes:
        return
    fields = [f for f in m.ProfileOutcome._meta.concrete_fields if not f.primary_key]
    template = m.ProfileOutcome(profile=row, node_id=0, code="", position=0, updated_by_id=user_id)
    conn = connections[m.ProfileOutcome.objects.db]
    prepared = [f.get_db_prep_save(f.pre_save(template, add=True), conn) for f in fields]
    where = {f.attname: i for i, f in enumerate(fields)}
    node_at, code_at, position_at = where["node_id"], where["code"], where["position"]
    rows = []
    for node_id, code, order in nodes:
        values = list(prepared)
        values[node_at], values[code_at], values[position_at] = node_id, code, order
        rows.append(values)
    q = conn.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        q(m.ProfileOutcome._meta.db_table),
        ", ".join(q(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with conn.cursor() as cur:
        cur.executemany(sql, rows)


def create_row(access: Access, fw: catalog.Framework, values: dict[str, Any]) -> m.Profile:
    """The profile row; a name another profile of the organization has is a conflict."""
    user_id = acting_user_id(access)
    try:
        with transaction.atomic():
            return m.Profile.objects.create(
                organization=access.organization,
                framework=fw,
                created_by_id=user_id,
                updated_by_id=user_id,
                **values,
            )
    except IntegrityError as exc:
        raise ConflictError(
            f"{access.organization.slug} already has a profile named {values['name']!r}"
        ) from exc


def _outcome_values(
    profile: Profile, code: str, members: Members, blank: dict[str, Any]
) -> dict[str, Any]:
    entry = profile.entry(code)
    if entry is None:
        return {**blank, "owner_id": None}
    values = storage.entry_fields(entry)
    values["owner_id"] = members.id_for(entry.owner)
    return values


def store_new(
    access: Access,
    fw: catalog.Framework,
    profile: Profile,
    *,
    name: str | None = None,
    members: Members | None = None,
) -> m.Profile:
    """Store a domain profile as a new profile of the caller's organization.

    Call inside a transaction. Owners written as a member's e-mail are assigned
    to that member.
    """
    members = members or Members(access)
    values = storage.profile_fields(profile)
    if name is not None:
        values["name"] = name
    row = create_row(access, fw, values)
    user_id = acting_user_id(access)
    blank = storage.blank_entry_fields()
    m.ProfileOutcome.objects.bulk_create(
        [
            m.ProfileOutcome(
                profile=row,
                node_id=node_id,
                code=code,
                position=order,
                updated_by_id=user_id,
                **_outcome_values(profile, code, members, blank),
            )
            for node_id, code, order in outcome_nodes(fw)
        ],
        batch_size=500,
    )
    m.Action.objects.bulk_create(
        [
            m.Action(
                profile=row,
                position=i,
                owner_id=members.id_for(action.owner),
                updated_by_id=user_id,
                **storage.action_fields(action),
            )
            for i, action in enumerate(profile.actions, start=1)
        ]
    )
    evidence.adopt_profile(access, row)
    return row


def replace_content(
    access: Access,
    row: m.Profile,
    profile: Profile,
    *,
    fields: tuple[str, ...] | None = None,
    members: Members | None = None,
) -> m.Profile:
    """Make a stored profile hold ``profile``: its fields, every outcome, every action.

    ``fields`` limits which profile-level columns are taken (default: all but
    the name). Call inside a transaction, with ``row`` locked. Unchanged rows
    keep their version; changed ones move on; actions the new content lacks
    are deleted. An owner whose written name did not change stays assigned to
    the same member.
    """
    if profile.framework != row.framework.key:
        raise InputRefused(
            f"the profile is written for {profile.framework}; {row.name!r} assesses "
            f"{row.framework.key}",
            field="framework",
        )
    members = members or Members(access)
    user_id = acting_user_id(access)
    now = timezone.now()
    blank = storage.blank_entry_fields()
    stored = list(m.ProfileOutcome.objects.select_for_update().filter(profile=row))
    for o in stored:
        values = _outcome_values(profile, o.code, members, blank)
        if values["owner_name"] == o.owner_name:
            values["owner_id"] = o.owner_id
        changed = {k: v for k, v in values.items() if getattr(o, k) != v}
        if changed:
            # One UPDATE of the changed columns per changed row: far cheaper than a bulk
            # update's CASE over every column, and the rows are locked, so the version is
            # safely the next one.
            m.ProfileOutcome.objects.filter(pk=o.pk).update(
                **changed, version=o.version + 1, updated_at=now, updated_by_id=user_id
            )

    existing = {a.code: a for a in m.Action.objects.select_for_update().filter(profile=row)}
    keep: set[str] = set()
    new_actions: list[m.Action] = []
    for i, action in enumerate(profile.actions, start=1):
        values = {**storage.action_fields(action), "position": i}
        found = existing.get(action.id)
        values["owner_id"] = (
            found.owner_id
            if found is not None and found.owner_name == action.owner
            else members.id_for(action.owner)
        )
        if found is None:
            new_actions.append(m.Action(profile=row, updated_by_id=user_id, **values))
            continue
        keep.add(action.id)
        changed = {k: v for k, v in values.items() if getattr(found, k) != v}
        if changed:
            m.Action.objects.filter(pk=found.pk).update(
                **changed, version=found.version + 1, updated_at=now, updated_by_id=user_id
            )
    m.Action.objects.filter(profile=row).exclude(code__in=keep).delete()
    m.Action.objects.bulk_create(new_actions)

    values = storage.profile_fields(profile)
    wanted = fields if fields is not None else tuple(k for k in values if k != "name")
    for key in wanted:
        setattr(row, key, values[key])
    row.version += 1
    row.updated_by_id = user_id
    row.save()
    evidence.adopt_profile(access, row)
    return row
