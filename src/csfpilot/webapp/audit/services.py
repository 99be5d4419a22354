"""Recording audit events: the only way rows are added to the trail.

Every service that changes an organization's data calls :func:`record` (one
object changed) or :func:`record_bulk` (an import or another change of many
objects at once: one event listing them) **inside its own transaction**, after
the change. The event and the change commit together or not at all: a refused
change leaves no event, and no change is stored without one. Explicit calls
rather than model signals, because signals do not fire for the bulk queries the
services use and do not know who is acting.

Appending is serialized per organization: the organization's row is locked
(``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL, which does not block inserts
that merely reference the organization; SQLite's IMMEDIATE transactions let
one writer in at a time), then the chain head is read and the next entry
written. Two concurrent changes therefore get consecutive sequence numbers,
each linked to the other's hash.

``changes`` is the field-level difference ``{"field": [before, after]}``
(:func:`diff`); values are stored as JSON (dates and times as ISO 8601).
Secrets are never recorded: an API token's event names the token, its prefix,
role and expiry, never the token.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from csfpilot.webapp import statements
from csfpilot.webapp.audit.chain import GENESIS, entry_hash, entry_mac
from csfpilot.webapp.audit.models import ActorKind, AuditEvent
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.organizations.permissions import Access


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    IMPORT = "import"
    REVOKE = "revoke"
    BACKUP = "backup"
    RESTORE = "restore"
    DOWNLOAD = "download"
    SIGN_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in-failed"


@dataclass(frozen=True)
class Who:
    """The actor an event names: a user (id and name at the time), the CLI, or the system."""

    kind: str
    id: int | None = None
    name: str = ""


CLI = Who(ActorKind.CLI.value, None, "command line")
SYSTEM = Who(ActorKind.SYSTEM.value, None, "system")


def user_actor(user: Any) -> Who:
    if user is None or not getattr(user, "pk", None):
        return CLI
    name = getattr(user, "email", "") or user.get_username()
    return Who(ActorKind.USER.value, int(user.pk), name)


def actor_of(access: Access) -> Who:
    """Who acts through ``access``: its member, or the CLI operator (a membership without user)."""
    if access.membership.user_id is None:
        return CLI
    return user_actor(access.membership.user)


def jsonable(value: Any) -> Any:
    """``value`` as the JSON an event stores: the same on SQLite and PostgreSQL."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    return str(value)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{"field": [before, after]}`` for every field whose value differs (absent = None)."""
    out: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = jsonable(before.get(key)), jsonable(after.get(key))
        if old != new:
            out[key] = [old, new]
    return out


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The changes of a created object: every field from nothing to its value."""
    return diff({}, {k: v for k, v in values.items() if jsonable(v) not in (None, "", [], {})})


def deleted(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    return diff({k: v for k, v in values.items() if jsonable(v) not in (None, "", [], {})}, {})


INSTANCE_LOCK = 0x6373667061756469  # PostgreSQL advisory lock key of the instance chain


def _lock_chain(organization: Organization | None) -> None:
    """Serialize appends to one chain (see the module docstring).

    On SQLite there is nothing to lock: every transaction begins IMMEDIATE (the
    database's settings), so the one that appends already holds the only write lock.
    """
    if connection.vendor == "sqlite":
        return
    if organization is not None:
        list(
            Organization.objects.select_for_update(no_key=True)
            .filter(pk=organization.pk)
            .values_list("pk", flat=True)
        )
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INSTANCE_LOCK])


def _head(organization: Organization | None) -> tuple[int, str] | None:
    """The chain's last (seq, hash): a statement written once per process, as it runs on
    every change (the ORM compiled it anew each time, for more than it took to run)."""
    global _HEAD_SQL
    if _HEAD_SQL is None:
        q = connection.ops.quote_name
        meta = AuditEvent._meta
        _HEAD_SQL = (
            f"SELECT {q('seq')}, {q('hash')} FROM {q(meta.db_table)} "  # noqa: S608 - names
            f"WHERE {q(meta.get_field('organization').column)} {{}} "
            f"ORDER BY {q('seq')} DESC LIMIT 1"
        )
    with connection.cursor() as cursor:
        if organization is not None:
            cursor.execute(_HEAD_SQL.format("= %s"), [organization.pk])
        else:
            cursor.execute(_HEAD_SQL.format("IS NULL"))
        found = cursor.fetchone()
    return (int(found[0]), str(found[1])) if found else None


_HEAD_SQL: str | None = None


def append(
    organization: Organization | None,
    who: Who,
    *,
    object_type: str,
    object_id: Any,
    action: str,
    label: str = "",
    changes: Mapping[str, Any] | None = None,
    at: datetime | None = None,
    org_slug: str | None = None,
) -> AuditEvent:
    """Add one entry to ``organization``'s chain (None: the instance chain, where
    ``org_slug`` names the organization concerned); call inside the change's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit events are recorded inside the transaction of the change")
    # No savepoint of its own: an event that cannot be written fails the whole change,
    # which is what the trail promises (no change without its event).
    with transaction.atomic(savepoint=False):
        _lock_chain(organization)
        head = _head(organization)
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
        event = AuditEvent(
            organization_id=organization.pk if organization is not None else None,
            seq=seq,
            prev_hash=prev,
            at=at or timezone.now(),
            actor_kind=who.kind,
            actor_id=who.id,
            actor_name=who.name[:254],
            org_slug=organization.slug if organization is not None else (org_slug or ""),
            object_type=object_type,
            object_id="" if object_id is None else str(object_id),
            object_label=label,
            action=str(action),
            changes=jsonable(dict(changes or {})),
        )
        event.hash = entry_hash(event.hashed_fields())
        event.mac = entry_mac(settings.AUDIT_KEY, event.hash)
        statements.insert(event)
    return event


def record(
    access: Access,
    object_type: str,
    object_id: Any,
    action: str,
    *,
    label: str = "",
    changes: Mapping[str, Any] | None = None,
    who: Who | None = None,
) -> AuditEvent:
    """Record one change made through ``access`` (who acts is taken from it)."""
    return append(
        access.organization,
        who or actor_of(access),
        object_type=object_type,
        object_id=object_id,
        action=action,
        label=label,
        changes=changes,
    )


@dataclass(frozen=True)
class Item:
    """One object a bulk change touched, for :func:`record_bulk`."""

    object_type: str
    object_id: Any
    action: str
    label: str = ""
    changes: Mapping[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.object_type,
            "id": "" if self.object_id is None else str(self.object_id),
            "label": self.label,
            "action": str(self.action),
            "changes": jsonable(dict(self.changes or {})),
        }


def record_bulk(
    access: Access,
    object_type: str,
    object_id: Any,
    action: str,
    items: Iterable[Item],
    *,
    label: str = "",
    summary: Mapping[str, Any] | None = None,
    who: Who | None = None,
) -> AuditEvent:
    """Record a change of many objects (a file import, a derived target) as ONE event.

    ``object_type``/``object_id`` name what the change was applied to (the
    profile a file was imported into); ``items`` list every object it created,
    changed or deleted, each with its own field-level changes; ``summary``
    adds what the import was (a file name, a format). Importers call this once,
    inside their transaction, after storing everything.
    """
    listed = [item.as_json() for item in items]
    changes = {"objects": listed, "count": len(listed), **jsonable(dict(summary or {}))}
    return record(access, object_type, object_id, action, label=label, changes=changes, who=who)


def rows_diff(
    object_type: str,
    before: Mapping[Any, Mapping[str, Any]],
    after: Mapping[Any, Mapping[str, Any]],
    *,
    label: Any = None,
) -> list[Item]:
    """The :class:`Item` list of a bulk change, from the rows' values before and after.

    ``before`` and ``after`` map each object's key (an id, an outcome code) to
    its field values. Objects only in ``after`` were created, only in
    ``before`` deleted; the others are listed when a field changed.
    ``label(key)`` names an object (default: its key).
    """
    name = label or str
    items: list[Item] = []
    for key in list(before) + [k for k in after if k not in before]:
        if key not in after:
            items.append(Item(object_type, key, Action.DELETE, name(key), deleted(before[key])))
        elif key not in before:
            items.append(Item(object_type, key, Action.CREATE, name(key), created(after[key])))
        else:
            changes = diff(before[key], after[key])
            if changes:
                items.append(Item(object_type, key, Action.UPDATE, name(key), changes))
    return items


def record_download(
    access: Access,
    object_type: str,
    object_id: Any,
    *,
    label: str,
    filename: str,
    size: int,
    fmt: str = "",
) -> AuditEvent:
    """Record that a member took data out of csfpilot (a report, an export, a backup).

    Downloads change nothing, so no change's transaction is open: the event gets its own.
    """
    changes: dict[str, Any] = {"file": filename, "bytes": size}
    if fmt:
        changes["format"] = fmt
    with transaction.atomic():
        return record(access, object_type, object_id, Action.DOWNLOAD, label=label, changes=changes)
