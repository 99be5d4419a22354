"""The hash chain that makes the audit trail tamper-evident; plain Python, no database.

Each organization has its own chain. Entry *n* stores its sequence number
``seq`` (1, 2, 3... with no gaps), the hash of entry *n − 1* (``prev_hash``;
64 zeros for the first) and its own hash: SHA-256 over the canonical JSON of
what it records (:func:`entry_hash`). Changing any recorded field of an entry
breaks its hash; deleting an entry leaves a gap in the sequence; swapping two
entries breaks the ``prev_hash`` links. :func:`verify` walks a chain and names
the first entry where any of that happened.

A chain per organization (rather than one per instance) means the backup of one
organization carries a chain that verifies on its own, and one tenant's
activity never shows in another's sequence numbers.

Canonical JSON: keys sorted, no insignificant whitespace, UTF-8, times as ISO
8601 in UTC with microseconds. It is the same on SQLite and PostgreSQL, so a
chain restored into either database still verifies.

The SHA-256 chain alone only shows a naive edit: whoever can write to the database
can also recompute every later hash. So each entry also carries a **keyed hash**
(:func:`entry_mac`: HMAC-SHA256 over its hash, with the instance's audit key, which
lives outside the database, in a setting or derived from the secret key in the data
folder). Rewriting an entry then needs the key as well. Deleting the newest entries
leaves a chain that still links; that is caught by the signed checkpoints of each
chain's head written outside the database (:mod:`.checkpoints`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "prev_hash", "at", "actor", "organization", "object", "action", "changes")


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value that hashes are taken over."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def timestamp(at: datetime) -> str:
    """A time as the chain writes it: UTC, microseconds, ``+00:00``."""
    if at.tzinfo is None:
        raise ValueError("audit times carry a time zone")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of an entry's recorded fields, ``prev_hash`` and ``seq`` included."""
    missing = [k for k in HASHED_FIELDS if k not in entry]
    if missing:
        raise ValueError(f"an audit entry needs {', '.join(missing)}")
    return hashlib.sha256(canonical_json({k: entry[k] for k in HASHED_FIELDS})).hexdigest()


MAC_CONTEXT = b"csfpilot audit entry v1\n"


def entry_mac(key: bytes, entry_hash_hex: str) -> str:
    """The keyed hash (HMAC-SHA256, hex) of an entry, over its SHA-256 hash."""
    return hmac.new(key, MAC_CONTEXT + entry_hash_hex.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first place a chain does not hold: which entry, and what is wrong with it."""

    seq: int
    entry_id: Any
    problem: str

    def __str__(self) -> str:
        return f"entry {self.seq} (id {self.entry_id}): {self.problem}"


@dataclass(frozen=True)
class Verdict:
    checked: int
    head: str
    broken: Break | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(
    entries: Iterable[tuple[Any, Mapping[str, Any], str] | tuple[Any, Mapping[str, Any], str, str]],
    key: bytes | None = None,
) -> Verdict:
    """Check one chain, given as ``(id, hashed fields, stored hash[, stored keyed hash])``
    in ``seq`` order; with ``key``, every entry's keyed hash is checked too.

    Four kinds of damage are told apart, in the order a reader meets them:
    a missing entry (the sequence jumps), a reordered or re-linked entry (its
    ``prev_hash`` is not the previous entry's hash), an edited entry (its
    content no longer hashes to what is stored), and an entry rewritten with
    its hashes recomputed by someone without the audit key (its keyed hash is
    missing or wrong).
    """
    expected_seq = 1
    prev = GENESIS
    checked = 0
    for entry_id, fields, stored, *rest in entries:
        seq = fields["seq"]
        if seq != expected_seq:
            problem = (
                f"missing entry: the sequence jumps from {expected_seq - 1} to {seq}"
                if seq > expected_seq
                else f"sequence number {seq} where {expected_seq} was expected (duplicate or "
                "reordered entry)"
            )
            return Verdict(checked, prev, Break(seq, entry_id, problem))
        if fields["prev_hash"] != prev:
            return Verdict(
                checked,
                prev,
                Break(
                    seq,
                    entry_id,
                    "previous-hash mismatch: it does not link to entry "
                    f"{seq - 1} (entries reordered or replaced)",
                ),
            )
        actual = entry_hash(fields)
        if actual != stored:
            return Verdict(
                checked,
                prev,
                Break(
                    seq,
                    entry_id,
                    f"hash mismatch: its content hashes to {actual[:12]}…, "
                    f"{stored[:12]}… is stored (the entry was changed)",
                ),
            )
        if key is not None:
            mac = rest[0] if rest else ""
            if not hmac.compare_digest(mac or "", entry_mac(key, stored)):
                return Verdict(
                    checked,
                    prev,
                    Break(
                        seq,
                        entry_id,
                        "keyed-hash mismatch: its hashes were recomputed without the audit "
                        "key (the entry was rewritten in the database)"
                        if mac
                        else "keyed hash missing: the entry was written without the audit key "
                        "(inserted or rewritten in the database)",
                    ),
                )
        prev = stored
        expected_seq += 1
        checked += 1
    return Verdict(checked, prev)
