"""Rows read, inserted and updated by statements written once per process, for the hot writes.

Saving a rating and creating a profile are the writes a client makes most. The ORM
compiles every queryset anew on each call (the select with its joins, the update, the
insert), and on these paths compiling cost more than running the statements. The
statements here are written from the models' own tables, columns and fields the first
time they are needed and kept for the life of the process. Values still go through each
field's own conversions, both ways (``get_db_prep_save`` on the way in, the backend's and
the field's converters on the way out), as the ORM's would: what is stored and what is
read back are the same as through a queryset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

M = TypeVar("M", bound=models.Model)

_Converters = list[tuple[Any, list[Any]]]
# Per connection: its converters bind to the connection's own operations object.
_converters: WeakKeyDictionary[BaseDatabaseWrapper, dict[type, _Converters]] = WeakKeyDictionary()
_sql: dict[tuple[Any, ...], str] = {}


def connection_for(model: type[models.Model]) -> BaseDatabaseWrapper:
    # The database routers are settings: a model's database is asked once per process.
    alias = _aliases.get(model)
    if alias is None:
        alias = _aliases[model] = model.objects.db
    return connections[alias]


_aliases: dict[type[models.Model], str] = {}


def q(name: str, conn: BaseDatabaseWrapper) -> str:
    return conn.ops.quote_name(name)


def columns(model: type[models.Model], alias: str, conn: BaseDatabaseWrapper) -> str:
    """Every concrete column of ``model`` under ``alias``, in the order :func:`instance` reads."""
    return ", ".join(f"{alias}.{q(f.column, conn)}" for f in model._meta.concrete_fields)


def width(model: type[models.Model]) -> int:
    return len(model._meta.concrete_fields)


def _converters_of(model: type[models.Model], conn: BaseDatabaseWrapper) -> _Converters:
    per_model = _converters.setdefault(conn, {})
    found = per_model.get(model)
    if found is None:
        found = []
        for field in model._meta.concrete_fields:
            col = field.get_col(model._meta.db_table)
            found.append((col, conn.ops.get_db_converters(col) + col.get_db_converters(conn)))
        per_model[model] = found
    return found


def instance(
    model: type[M], row: Sequence[Any], start: int = 0, conn: BaseDatabaseWrapper | None = None
) -> M:
    """The model instance of the columns ``row[start:]`` that :func:`columns` selected."""
    conn = conn or connection_for(model)
    values = []
    for i, (col, converters) in enumerate(_converters_of(model, conn)):
        value = row[start + i]
        for convert in converters:
            value = convert(value, col, conn)
        values.append(value)
    return model.from_db(conn.alias, None, values)


def _prepared(model: type[models.Model], name: str, value: Any, conn: BaseDatabaseWrapper) -> Any:
    return model._meta.get_field(name).get_db_prep_save(value, conn)


def update_versioned(
    model: type[models.Model], pk: int, expected_version: int, values: Mapping[str, Any]
) -> bool:
    """``UPDATE … SET <values>, version = version + 1 WHERE id = pk AND version = expected``.

    True when the row was at ``expected_version`` and is now changed; False (nothing
    changed) when another save came first. ``values`` are keyed by field name or attname.
    """
    conn = connection_for(model)
    names = tuple(values)
    key = ("update", model, conn.vendor, names)
    sql = _sql.get(key)
    if sql is None:
        meta = model._meta
        sets = [f"{q(meta.get_field(n).column, conn)} = %s" for n in names]
        version = q(meta.get_field("version").column, conn)
        sql = _sql[key] = (
            f"UPDATE {q(meta.db_table, conn)} SET {', '.join(sets)}, "  # noqa: S608 - model names
            f"{version} = {version} + 1 WHERE {q(meta.pk.column, conn)} = %s AND {version} = %s"
        )
    params = [_prepared(model, n, values[n], conn) for n in names]
    with conn.cursor() as cur:
        cur.execute(sql, [*params, pk, expected_version])
        return cur.rowcount == 1


def update(model: type[models.Model], pk: int, values: Mapping[str, Any]) -> None:
    """``UPDATE … SET <values> WHERE id = pk`` (no version check: for stamps)."""
    conn = connection_for(model)
    names = tuple(values)
    key = ("stamp", model, conn.vendor, names)
    sql = _sql.get(key)
    if sql is None:
        meta = model._meta
        sets = ", ".join(f"{q(meta.get_field(n).column, conn)} = %s" for n in names)
        sql = _sql[key] = (
            f"UPDATE {q(meta.db_table, conn)} SET {sets} "  # noqa: S608 - model names
            f"WHERE {q(meta.pk.column, conn)} = %s"
        )
    params = [_prepared(model, n, values[n], conn) for n in names]
    with conn.cursor() as cur:
        cur.execute(sql, [*params, pk])


def insert(obj: models.Model) -> None:
    """Insert ``obj`` (every concrete column but the id) and set its id: one statement.

    The fields fill themselves in as on ``save()`` (``pre_save``: creation and change
    stamps, defaults); no signals are sent (the models written here have none).
    """
    model = type(obj)
    conn = connection_for(model)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    returning = conn.features.can_return_columns_from_insert
    key = ("insert", model, conn.vendor, returning)
    sql = _sql.get(key)
    if sql is None:
        sql = _sql[key] = (
            f"INSERT INTO {q(meta.db_table, conn)} "  # noqa: S608 - model names
            f"({', '.join(q(f.column, conn) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
            + (f" RETURNING {q(meta.pk.column, conn)}" if returning else "")
        )
    params = [f.get_db_prep_save(f.pre_save(obj, add=True), conn) for f in fields]
    with conn.cursor() as cur:
        cur.execute(sql, params)
        # SQLite before 3.35 has no RETURNING; its cursor knows the new row's id.
        pk = cur.fetchone()[0] if returning else cur.lastrowid
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = conn.alias
