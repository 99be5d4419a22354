"""Rows to canonical JSON values and back, by each model's fields.

Database ids never go into a backup: a row that refers to a user names the
user by username, a profile names its framework by key, and the rows of a
profile sit inside it. Times are written in UTC with microseconds, which both
SQLite and PostgreSQL keep exactly, so a row read back writes the same JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from threading import Lock, local
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from csfpilot.core.errors import InputRefused

_TIMESTAMP_LOCK = Lock()
_restoring = local()


def value_out(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(field, models.DateField):
        return value.isoformat()
    return value


def value_in(field: models.Field, value: Any, where: str) -> Any:
    if value is None:
        return None
    try:
        if isinstance(field, models.DateTimeField):
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError("no time zone")
            return parsed
        if isinstance(field, models.DateField):
            return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise InputRefused(f"not a valid time: {value!r} ({exc})", field=where) from None
    return value


class Users:
    """Users named by username in a backup, and their ids in this database."""

    def __init__(self) -> None:
        model = get_user_model()
        self._name_of: dict[int, str] = dict(model.objects.values_list("pk", "username"))
        self._id_of: dict[str, int] = {v: k for k, v in self._name_of.items()}
        self.used: set[str] = set()

    def key(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        name = self._name_of[user_id]
        self.used.add(name)
        return name

    def id_for(self, username: str | None, where: str) -> int | None:
        if username is None:
            return None
        try:
            return self._id_of[username]
        except KeyError:
            raise InputRefused(
                f"names user {username!r}, who is not in the backup", field=where
            ) from None

    def add(self, username: str, user_id: int) -> None:
        self._id_of[username] = user_id
        self._name_of[user_id] = username


def _is_user_fk(field: models.Field) -> bool:
    return field.is_relation and field.related_model is get_user_model()


def dump_row(obj: models.Model, users: Users, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The row's fields as JSON values: no id, users by username, ``skip`` left out."""
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in skip:
            continue
        value = getattr(obj, field.attname)
        if _is_user_fk(field):
            out[field.name] = users.key(value)
        elif field.is_relation:
            raise ValueError(f"{obj._meta.label}.{field.name} needs explicit handling")
        else:
            out[field.name] = value_out(field, value)
    return out


def load_row(
    model: type[models.Model],
    data: Any,
    users: Users,
    *,
    where: str,
    skip: tuple[str, ...] = (),
    **set_values: Any,
) -> models.Model:
    """An unsaved row from :func:`dump_row`'s output; unknown fields are refused."""
    if not isinstance(data, dict):
        raise InputRefused("expected an object", field=where)
    fields = {
        f.name: f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in skip and f.name not in set_values
    }
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise InputRefused(
            f"unknown field {unknown[0]!r} for {model._meta.verbose_name}", field=where
        )
    values: dict[str, Any] = dict(set_values)
    for name, value in data.items():
        field = fields[name]
        if _is_user_fk(field):
            values[field.attname] = users.id_for(value, f"{where}.{name}")
        else:
            values[field.attname] = value_in(field, value, f"{where}.{name}")
    return model(**values)


def _keeps_stored_times(field: models.DateTimeField) -> None:
    """Make ``field`` keep the value a row already holds while this thread restores.

    Only the restoring thread is affected: the app server's other threads go on
    stamping their saves with the clock while a restore runs beside them.
    """
    if getattr(field, "_csfpilot_keeps_stored_times", False):
        return
    stamp = field.pre_save

    def pre_save(model_instance: models.Model, add: bool) -> Any:
        if getattr(_restoring, "active", False):
            return getattr(model_instance, field.attname)
        return stamp(model_instance, add)

    field.pre_save = pre_save  # type: ignore[method-assign]
    field._csfpilot_keeps_stored_times = True  # type: ignore[attr-defined]


@contextmanager
def stored_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Store ``created_at``/``updated_at`` as the backup has them, not as "now".

    ``auto_now`` fields set the clock's time on every save; a restore must keep
    the recorded times, so in the restoring thread they keep what the row holds
    (restores run one at a time per process; other threads are not affected).
    """
    with _TIMESTAMP_LOCK:
        for model in model_classes:
            for field in model._meta.concrete_fields:
                if isinstance(field, models.DateTimeField) and (
                    field.auto_now or field.auto_now_add
                ):
                    _keeps_stored_times(field)
        _restoring.active = True
        try:
            yield
        finally:
            _restoring.active = False


def sorted_rows(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> list[dict]:
    return sorted(rows, key=key)
