"""Reading snapshots back: their domain profiles and score trends, kept by content.

A snapshot never changes, and its row carries the SHA-256 digest of its
document. So the profile a document holds, and the scores of a series of
snapshots, are computed once per process and found again by digest: a
dashboard with years of quarterly snapshots costs no more than one with
three. Keyed by content, a cached answer can never be stale, whatever
happens to the rows.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Any

from csfpilot.core.profiles import OutcomeFramework, Profile
from csfpilot.core.scoring import TrendPoint, trend
from csfpilot.formats.native import from_document
from csfpilot.webapp.profiles import models as m

CACHE_SIZE = 512


class _Lru:
    def __init__(self, size: int) -> None:
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_profiles = _Lru(CACHE_SIZE)
_trends = _Lru(CACHE_SIZE)


def document_digest(document: dict[str, Any]) -> str:
    """SHA-256 of the document's canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot_profile(snapshot: m.Snapshot) -> Profile:
    """The domain profile a snapshot holds (marked as a snapshot: it cannot be edited)."""
    key = snapshot.digest or document_digest(snapshot.document)
    found = _profiles.get(key)
    if found is None:
        found = from_document(snapshot.document)
        _profiles.put(key, found)
    return found


def dated_profiles(profile: m.Profile) -> tuple[list[m.Snapshot], list[Profile]]:
    """The profile's snapshots, oldest first, and what each holds (two queries at most:
    documents are read only for snapshots not seen before)."""
    rows = list(
        m.Snapshot.objects.filter(profile=profile).defer("document").order_by("taken_at", "id")
    )
    cached = {s.pk: _profiles.get(s.digest) if s.digest else None for s in rows}
    missing = [pk for pk, found in cached.items() if found is None]
    documents = (
        dict(m.Snapshot.objects.filter(pk__in=missing).values_list("pk", "document"))
        if missing
        else {}
    )
    out = []
    for s in rows:
        found = cached[s.pk]
        if found is None:
            found = from_document(documents[s.pk])
            if s.digest:
                _profiles.put(s.digest, found)
        out.append(found)
    return rows, out


def snapshot_trend(
    rows: Sequence[m.Snapshot], dated: Sequence[Profile], framework: OutcomeFramework
) -> list[TrendPoint]:
    """The domain's trend over the snapshots, computed once per series of documents."""
    if not all(s.digest for s in rows):
        return trend(list(dated), framework)
    key = (framework.key, framework.outcomes, tuple(s.digest for s in rows))
    found = _trends.get(key)
    if found is None:
        found = trend(list(dated), framework)
        _trends.put(key, found)
    return list(found)
