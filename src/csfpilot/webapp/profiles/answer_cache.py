"""Reuse of the full outcome list's answer while the profile's outcomes stay as they are.

Opening a profile reads all of its outcomes; building that answer costs several
times more than checking whether it can have changed. Every write to an outcome
row bumps its ``version`` (optimistic locking depends on it), and rows are only
ever added or removed with new ids, so the count, the sum of versions and the
highest id of a profile's rows change with any write (and so does the time of
the last write, which with the profile's creation time tells apart a profile
made anew where a deleted one was and got its ids back). Together with the
release's digest, the e-mails of who last changed each row (shown in the
answer) and what the caller may edit, they make the key: a cached answer is
never served after a change, on this server or another, because the key is
read from the database on every request. The key is read before the answer is
built, so an answer stored under a key is never older than the state the key
describes.

Answers worked out from the outcome rows and the profile row alone (scores,
gaps, the questionnaire's progress) are kept the same way, with every column of
the profile row in the key: the API's as the JSON it sends, the pages' as the
domain's objects they draw (:func:`computed_answers` reads the key once for all
of a page's answers).

The cache is the ``answers`` cache: per process by default, shared through
Redis when it is configured.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import caches
from django.db import connection

from csfpilot.webapp.organizations.permissions import Access, outcome_edit_scope
from csfpilot.webapp.profiles import models as m

# Bumped whenever the shape of a cached answer changes, so old entries are never read.
_SHAPE = "2"

T = TypeVar("T")


def _state_sql() -> str:
    """The rows-state query, written once per process from the models' tables and columns.

    Hand-written rather than built by the ORM: it runs on every cached read, where
    compiling the equivalent queryset cost more than running it. Grouped by primary
    keys, on which every other selected column depends (PostgreSQL accepts that).
    """
    global _STATE_SQL
    if _STATE_SQL is None:
        q = connection.ops.quote_name
        profile_columns = ", ".join(f"p.{q(f.column)}" for f in m.Profile._meta.concrete_fields)
        outcomes, profiles = q(m.ProfileOutcome._meta.db_table), q(m.Profile._meta.db_table)
        frameworks = q(m.Profile._meta.get_field("framework").related_model._meta.db_table)
        users = q(m.ProfileOutcome._meta.get_field("updated_by").related_model._meta.db_table)
        # Names from the models, values as parameters.
        _STATE_SQL = (
            f"SELECT {profile_columns}, f.content_digest, o.updated_by_id, u.email, "  # noqa: S608
            "COUNT(o.id), SUM(o.version), MAX(o.id), MAX(o.updated_at) "
            f"FROM {outcomes} o JOIN {profiles} p ON p.id = o.profile_id "
            f"JOIN {frameworks} f ON f.id = p.framework_id "
            f"LEFT JOIN {users} u ON u.id = o.updated_by_id "
            "WHERE o.profile_id = %s AND p.organization_id = %s "
            "GROUP BY p.id, f.id, o.updated_by_id, u.id"
        )
    return _STATE_SQL


_STATE_SQL: str | None = None


def _rows_state(access: Access, profile_id: Any) -> list[tuple[Any, ...]]:
    """What identifies the state of a profile and its outcome rows (one query; empty: no
    such profile in the caller's organization, or no outcome rows).

    One row per last editor: every column of the profile row (its scale, roll-up, name,
    creation time: a profile made where a deleted one was can get its ids back, as SQLite
    reuses them), its release's digest, the e-mail of the editor (shown in the answers),
    and per editor the rows' count, sum of versions, highest id and last write.
    """
    try:
        pk = int(profile_id)
    except (TypeError, ValueError):
        return []
    with connection.cursor() as cur:
        cur.execute(_state_sql(), [pk, access.organization.pk])
        rows = cur.fetchall()
    return sorted((tuple(r) for r in rows), key=repr)


def _key(*parts: Any) -> str:
    return "profile:" + hashlib.sha256(repr((_SHAPE, *parts)).encode()).hexdigest()


def outcome_list_key(access: Access, profile_id: int) -> str | None:
    """The key of a profile's outcome list as this caller sees it now (one query).

    None when the organization has no such profile or it has no outcome rows:
    the caller then builds the answer (or its refusal) the ordinary way.
    """
    state = _rows_state(access, profile_id)
    if not state:
        return None
    return _key("outcomes", profile_id, state, outcome_edit_scope(access))


def _cached(key: str | None, build: Callable[[], T]) -> T:
    if key is None:
        return build()
    cache = caches["answers"]
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body)
    return body


def outcome_list(access: Access, profile_id: int, build: Callable[[], bytes]) -> bytes:
    """The cached answer under the current key, or ``build()``'s, stored for the next reader."""
    return _cached(outcome_list_key(access, profile_id), build)


class ProfileAnswers:
    """The answers worked out from one profile's row and outcome rows, as they are now.

    The rows' state is read once (one query) when this is made; each answer is then
    found under its name and parameters, or built and stored for the next reader.
    """

    def __init__(self, base: tuple[Any, ...] | None) -> None:
        self._base = base

    def get(self, name: str, params: tuple[Any, ...], build: Callable[[], T]) -> T:
        if self._base is None:
            return build()
        return _cached(_key(name, params, *self._base), build)


def computed_answers(access: Access, row: m.Profile) -> ProfileAnswers:
    """What :func:`computed` finds, for several answers of one profile with one query.

    Every column of the profile row (its scale, roll-up, name…) is part of the key,
    with the rows' state, each answer's name and its parameters (all read by one query).
    """
    return answers_of(access, row.pk)


def answers_of(access: Access, profile_id: Any) -> ProfileAnswers:
    """:func:`computed_answers` by the profile's id: a cached answer is found with no
    other query than the state's; the profile row is read only to build one."""
    state = _rows_state(access, profile_id)
    return ProfileAnswers((int(profile_id), state) if state else None)


def computed(
    access: Access,
    profile_id: Any,
    name: str,
    params: tuple[Any, ...],
    build: Callable[[], bytes],
) -> bytes:
    """An answer worked out from the profile's row and its outcome rows only (scores, gaps,
    progress). ``build`` reads the profile itself (and refuses an unknown one): on a
    cached read nothing but the state is read."""
    return answers_of(access, profile_id).get(name, params, build)
