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

from django.db import IntegrityError, transaction
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.profiles import Profile
from csfpilot.webapp import statements
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


def release_and_name(access: Access, key: str, name: str) -> tuple[catalog.Framework | None, bool]:
    """The release a new profile is for (None: not loaded) and whether ``name`` is taken.

    One statement, written once per process; the name is compared as the database's
    one-name-per-organization constraint compares it (lower case). Call inside the
    creating transaction, so the answer holds until the profile is written.
    """
    conn = statements.connection_for(m.Profile)
    sql = _RELEASE_AND_NAME.get(conn.vendor)
    if sql is None:
        q = conn.ops.quote_name
        sql = _RELEASE_AND_NAME[conn.vendor] = (
            f"SELECT {statements.columns(catalog.Framework, 'f', conn)}, "  # noqa: S608
            f"EXISTS (SELECT 1 FROM {q(m.Profile._meta.db_table)} p "
            "WHERE p.organization_id = %s AND LOWER(p.name) = LOWER(%s)) "
            f"FROM {q(catalog.Framework._meta.db_table)} f WHERE f.{q('key')} = %s"
        )
    with conn.cursor() as cur:
        cur.execute(sql, [access.organization.pk, name, key])
        found = cur.fetchone()
    if found is None:
        return None, False
    return statements.instance(catalog.Framework, found, 0, conn), bool(found[-1])


_RELEASE_AND_NAME: dict[str, str] = {}


def insert_profile(access: Access, fw: catalog.Framework, values: dict[str, Any]) -> m.Profile:
    """A new profile row (one statement), with its release and its author attached.

    Call inside the creating transaction: a name taken meanwhile (the constraint) is a
    conflict that undoes the whole creation.
    """
    user_id = acting_user_id(access)
    row = m.Profile(
        organization=access.organization,
        framework=fw,
        created_by_id=user_id,
        updated_by_id=user_id,
        **values,
    )
    try:
        statements.insert(row)
    except IntegrityError as exc:
        raise ConflictError(
            f"{access.organization.slug} already has a profile named {values['name']!r}"
        ) from exc
    if user_id is not None:
        row.created_by = row.updated_by = access.membership.user
    return row


def insert_blank_outcomes(row: m.Profile, fw: catalog.Framework, user_id: int | None) -> None:
    """A new profile's outcome rows, none rated yet: one ``INSERT … SELECT`` over the release.

    The rows differ only in their outcome (node, code, position), read by the same
    statement from the release's assessable outcomes (:func:`outcome_nodes`' rows);
    every other column is prepared once, by the model's own fields (defaults, the write
    time, the database's form of each value). Building and compiling 106 model
    instances for ``bulk_create`` was most of creating a profile.
    """
    outcome_framework(fw)  # refuses a release without an outcome level (kept per process)
    level = fw.outcome_level or (fw.levels[-1] if fw.levels else "")
    fields = [f for f in m.ProfileOutcome._meta.concrete_fields if not f.primary_key]
    template = m.ProfileOutcome(profile=row, node_id=0, code="", position=0, updated_by_id=user_id)
    conn = statements.connection_for(m.ProfileOutcome)
    from_node = {
        "node_id": "n.id",
        "code": "n.code",
        "position": f"n.{conn.ops.quote_name('order')}",
    }
    params = [
        f.get_db_prep_save(f.pre_save(template, add=True), conn)
        for f in fields
        if f.attname not in from_node
    ]
    with conn.cursor() as cur:
        cur.execute(_blank_outcomes_sql(conn, fields, from_node), [*params, fw.pk, level, False])


def _blank_outcomes_sql(conn: Any, fields: list[Any], from_node: dict[str, str]) -> str:
    sql = _BLANK_OUTCOMES.get(conn.vendor)
    if sql is None:
        q = conn.ops.quote_name
        # PostgreSQL types a bare parameter in a select list as text: each is cast to its column.
        typed = conn.vendor == "postgresql"
        chosen = [
            from_node.get(f.attname) or (f"CAST(%s AS {f.cast_db_type(conn)})" if typed else "%s")
            for f in fields
        ]
        node = catalog.Node._meta
        sql = _BLANK_OUTCOMES[conn.vendor] = (
            f"INSERT INTO {q(m.ProfileOutcome._meta.db_table)} "  # noqa: S608 - model names
            f"({', '.join(q(f.column) for f in fields)}) "
            f"SELECT {', '.join(chosen)} FROM {q(node.db_table)} n "
            f"WHERE n.framework_id = %s AND n.{q('level')} = %s AND n.withdrawn = %s "
            f"ORDER BY n.{q('order')}"
        )
    return sql


_BLANK_OUTCOMES: dict[str, str] = {}


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
