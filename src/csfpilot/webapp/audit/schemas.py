from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema


class ActorOut(Schema):
    kind: str
    id: int | None
    name: str


class ObjectOut(Schema):
    type: str
    id: str
    label: str


class EventOut(Schema):
    """One audit event: every field its hash covers, its database id and its hash."""

    id: int
    seq: int
    at: str
    actor: ActorOut
    organization: str
    object: ObjectOut
    action: str
    changes: dict[str, Any]
    prev_hash: str
    hash: str


class EventPage(Schema):
    count: int
    offset: int
    limit: int
    events: list[EventOut]


class EventQuery(Schema):
    type: str = ""
    actor: int | None = None
    since: date | None = None
    until: date | None = None
    offset: int = 0
    limit: int = 100


class ChainOut(Schema):
    organization: str
    checked: int
    ok: bool
    head: str
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str = ""
