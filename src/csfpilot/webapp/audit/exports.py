"""The audit trail as files: CSV for a spreadsheet, JSON that can be re-verified offline.

The CSV goes through the one spreadsheet writer
(:mod:`csfpilot.formats.spreadsheet_safety`), so a label or note that starts
with ``=``, ``+``, ``-`` or ``@`` cannot run as a formula in whoever opens it.
The JSON holds every hashed field and both hashes, so the chain can be checked
outside csfpilot (:func:`csfpilot.webapp.audit.chain.verify`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from csfpilot.formats.spreadsheet_safety import Column, csv_bytes
from csfpilot.webapp.audit.chain import canonical_json, timestamp
from csfpilot.webapp.audit.models import AuditEvent

CSV_COLUMNS = [
    Column("seq"),
    Column("at (UTC)"),
    Column("actor kind"),
    Column("actor id"),
    Column("actor"),
    Column("object type"),
    Column("object id"),
    Column("object"),
    Column("action"),
    Column("changes", wrap=True),
    Column("prev_hash"),
    Column("hash"),
]


def event_json(event: AuditEvent) -> dict[str, Any]:
    """One event as exported and as the API answers: what is hashed, plus ids and hashes."""
    return {**event.hashed_fields(), "id": event.pk, "hash": event.hash}


def _rows(events: Iterable[AuditEvent]) -> Iterator[list[Any]]:
    for e in events:
        yield [
            e.seq,
            timestamp(e.at),
            e.actor_kind,
            e.actor_id,
            e.actor_name,
            e.object_type,
            e.object_id,
            e.object_label,
            e.action,
            canonical_json(e.changes).decode("utf-8"),
            e.prev_hash,
            e.hash,
        ]


def csv_export(events: Iterable[AuditEvent]) -> bytes:
    return csv_bytes(CSV_COLUMNS, _rows(events))


def json_export(org_slug: str, events: Iterable[AuditEvent]) -> bytes:
    doc = {
        "format": "csfpilot-audit-trail",
        "version": 1,
        "organization": org_slug,
        "events": [event_json(e) for e in events],
    }
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
