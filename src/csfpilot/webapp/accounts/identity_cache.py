"""Who is calling, remembered between requests: sessions, users, API tokens, memberships.

Every request used to read its session, its user, its API token and its membership
(with the organization and the role) from the database: three or four queries before
any work. They are now kept in the ``identity`` cache under a *generation*: a random
value in a one-row table (``csfpilot_identity_generation``) that database triggers
replace whenever a row of those tables is added, removed or changed in a way that
matters (a role, a revocation, an expiry, a password, a session's data; not a token's
``last_used`` or a user's ``last_login``). Each request reads the generation once (one
primary-key query, no ORM) and looks its identity up under it, so:

- a sign-out, a revoked token, a removed member or a changed role on any worker or
  server, by the web app, the API, the command line or plain SQL, changes the
  generation in the same transaction, and the next request anywhere reads the new one
  and misses every older entry;
- entries are per process by default (``locmem``), and shared by every worker and server
  through Redis when ``CSFPILOT_REDIS_URL`` is set (the generation stays in the database,
  where the triggers keep it in step with the rows).

The value is random rather than a counter so that a database restored from a backup or
rolled back in a test never meets entries cached for another state under the same value.
Without the row (a table emptied by hand) nothing is cached. A request that itself
changes one of those rows (signals below) reads the generation again afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse

TABLE = "csfpilot_identity_generation"
ALIAS = "identity"
T = TypeVar("T")

_OUTSIDE = object()  # not in a request: read the generation at every lookup
_UNREAD = object()  # in a request that has not read it yet
_MISS = object()
_current: ContextVar[object] = ContextVar("csfpilot_identity_generation", default=_OUTSIDE)


def _read() -> str | None:
    with connection.cursor() as cur:
        cur.execute(f"SELECT value FROM {TABLE} WHERE id = 1")  # noqa: S608 - a constant
        row = cur.fetchone()
    return row[0] if row else None


def generation() -> str | None:
    """The identity generation, read once per request (None: do not cache)."""
    value = _current.get()
    if value is _OUTSIDE:
        return _read()
    if value is _UNREAD:
        value = _read()
        _current.set(value)
    return value  # type: ignore[return-value]


def changed() -> None:
    """This request changed an identity row: read the generation again at the next lookup."""
    if _current.get() is not _OUTSIDE:
        _current.set(_UNREAD)


def secret_key(secret: str) -> str:
    """A cache key part for a secret (a session key): never the secret itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _key(kind: str, generation_value: str, ident: str) -> str:
    return f"{kind}:{generation_value}:{ident}"


def cached(kind: str, ident: str, load: Callable[[], T]) -> T:
    """``load()``'s answer for ``(kind, ident)`` as of the current generation (None included)."""
    gen = generation()
    if gen is None:
        return load()
    cache = caches[ALIAS]
    key = _key(kind, gen, ident)
    found = cache.get(key, _MISS)
    if found is not _MISS:
        return found  # type: ignore[return-value]
    value = load()
    cache.set(key, value)
    return value


def remember(kind: str, ident: str, value: Any) -> None:
    """Replace an entry of the current generation (a token's ``last_used`` after a write)."""
    gen = generation()
    if gen is not None:
        caches[ALIAS].set(_key(kind, gen, ident), value)


class IdentityGenerationMiddleware:
    """Marks the start and end of a request, so the generation is read at most once in it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(_UNREAD)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
