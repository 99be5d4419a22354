"""Signed checkpoints of the audit chains' heads, kept outside the database.

The keyed hashes (:mod:`.chain`) stop anyone without the audit key from rewriting an
entry, but deleting the newest entries leaves a shorter chain that still links and
still verifies. A checkpoint records, for one chain, the sequence number and hash of
its newest entry at a moment, signed with the audit key (HMAC-SHA256), as one JSON line
appended to a file outside the database (``CSFPILOT_AUDIT_CHECKPOINT_FILE``) and, when
addresses are set, sent by e-mail (``CSFPILOT_AUDIT_CHECKPOINT_EMAIL``), so that a copy
sits where a database administrator cannot reach. ``csfpilot audit verify`` then checks
that each chain still holds, unchanged, the entry its latest checkpoint saw.

Checkpoints are written by ``csfpilot audit checkpoint``, by the worker every
``CSFPILOT_AUDIT_CHECKPOINT_MINUTES`` and after every backup; a chain whose head has
not moved since its last checkpoint gets no new line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from csfpilot.webapp.audit.chain import canonical_json, timestamp
from csfpilot.webapp.audit.models import AuditEvent

INSTANCE = "(instance)"
CONTEXT = b"csfpilot audit checkpoint v1\n"
SIGNED = ("v", "chain", "seq", "head", "at")


@dataclass(frozen=True)
class Checkpoint:
    chain: str  # the organization's short name, or "(instance)"
    seq: int
    head: str
    at: str
    line: int = 0  # where it was read, for messages

    def signed_fields(self) -> dict[str, Any]:
        return {"v": 1, "chain": self.chain, "seq": self.seq, "head": self.head, "at": self.at}


def signature(key: bytes, fields: dict[str, Any]) -> str:
    return hmac.new(key, CONTEXT + canonical_json(fields), hashlib.sha256).hexdigest()


def as_line(key: bytes, checkpoint: Checkpoint) -> str:
    fields = checkpoint.signed_fields()
    return json.dumps({**fields, "mac": signature(key, fields)}, sort_keys=True) + "\n"


@dataclass(frozen=True)
class ReadCheckpoints:
    latest: dict[str, Checkpoint]  # per chain, the last correctly signed one
    problems: list[str]  # lines that are unreadable or not signed with this key


def read(path: Path, key: bytes) -> ReadCheckpoints:
    latest: dict[str, Checkpoint] = {}
    problems: list[str] = []
    if not path.exists():
        return ReadCheckpoints(latest, problems)
    with path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                doc = json.loads(text)
                fields = {k: doc[k] for k in SIGNED}
                mac = doc["mac"]
                checkpoint = Checkpoint(
                    str(fields["chain"]), int(fields["seq"]), str(fields["head"]), str(fields["at"])
                )
            except (ValueError, KeyError, TypeError):
                problems.append(f"{path.name} line {number}: not a checkpoint")
                continue
            if not isinstance(mac, str) or not hmac.compare_digest(mac, signature(key, fields)):
                problems.append(
                    f"{path.name} line {number}: not signed with this instance's audit key "
                    "(forged, changed, or written by another instance)"
                )
                continue
            latest[checkpoint.chain] = Checkpoint(
                checkpoint.chain, checkpoint.seq, checkpoint.head, checkpoint.at, number
            )
    return ReadCheckpoints(latest, problems)


def _heads() -> Iterator[tuple[str, int, str]]:
    """(chain name, seq, hash) of every chain's newest entry, organizations by short name."""
    newest = (
        AuditEvent.objects.filter(organization_id=OuterRef("organization_id"))
        .order_by("-seq")
        .values("seq")[:1]
    )
    rows = (
        AuditEvent.objects.filter(organization__isnull=False, seq=Subquery(newest))
        .order_by("organization__slug")
        .values_list("organization__slug", "seq", "hash")
    )
    yield from rows.iterator()
    instance = (
        AuditEvent.objects.filter(organization__isnull=True)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    if instance is not None:
        yield INSTANCE, instance[0], instance[1]


def write(now: datetime | None = None) -> list[Checkpoint]:
    """Append a signed checkpoint for every chain whose head moved since its last one."""
    key = settings.AUDIT_KEY
    path = Path(settings.CSFPILOT_AUDIT_CHECKPOINT_FILE)
    known = read(path, key).latest
    at = timestamp(now or timezone.now())
    new = [
        Checkpoint(chain, seq, head, at)
        for chain, seq, head in _heads()
        if (chain not in known or (known[chain].seq, known[chain].head) != (seq, head))
    ]
    if not new:
        return []
    text = "".join(as_line(key, c) for c in new)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, text.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if settings.CSFPILOT_AUDIT_CHECKPOINT_EMAIL:
        send_mail(
            f"csfpilot audit checkpoint {at}",
            "Signed heads of the audit chains. Keep this message: `csfpilot audit verify` "
            "checks the trail against these lines.\n\n" + text,
            None,
            settings.CSFPILOT_AUDIT_CHECKPOINT_EMAIL,
        )
    return new


def check(checkpoint: Checkpoint | None, org_id: int | None) -> str | None:
    """What is wrong with a chain (``org_id``; None: the instance's) against its latest
    checkpoint (None: it holds)."""
    if checkpoint is None:
        return None
    events = AuditEvent.objects.filter(organization_id=org_id)
    if org_id is None:
        events = AuditEvent.objects.filter(organization__isnull=True)
    stored = events.filter(seq=checkpoint.seq).values_list("hash", flat=True).first()
    if stored is None:
        last = events.order_by("-seq").values_list("seq", flat=True).first() or 0
        return (
            f"the newest entries were deleted: the checkpoint of {checkpoint.at} saw entry "
            f"{checkpoint.seq}, the chain now ends at entry {last}"
        )
    if stored != checkpoint.head:
        return (
            f"entry {checkpoint.seq} is not the one the checkpoint of {checkpoint.at} saw "
            "(the chain was rewritten)"
        )
    return None
