"""Reports kept by the content they show, so an unchanged report is not made twice.

The key is the SHA-256 of everything the file is made from: the report model
(every figure, outcome, evidence item, snapshot and word it shows, in the
reader's language, with the organization's branding), the organization's
template, the format and the version of csfpilot that lays it out. Any change
to the data, the look or the language gives another key, so a stale report is
never served; nothing needs to be told to forget anything. The report model is
built on every request (it is the permission-checked read of the profile); only
the layout, which costs ten to a thousand times more, is saved.

Two things are left out of the key: the minute the report was made
(``meta.generated``), so that the same content is one entry all day (the file
then says when it was first made that day, which is when its content was read),
and nothing else. The report's date (``meta.today``) is in the key: a report
made on another day is made again.

The entries live in the ``reports`` cache: files in the data folder shared by
every worker on the machine (Redis when it is configured), at most
``CSFPILOT_REPORT_CACHE_ENTRIES`` of them, none larger than
``CSFPILOT_REPORT_CACHE_MAX_MB``.
"""

from __future__ import annotations

import hashlib
import pickle  # nosec B403: only dumps, to digest the report; nothing is ever loaded
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import caches

import csfpilot.reports
from csfpilot.reports.model import Report

if TYPE_CHECKING:
    from csfpilot.webapp.reports.queries import Look


@cache
def _layout_code() -> str:
    """A digest of the report layer's modules and templates, read once per process."""
    root = Path(csfpilot.reports.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key(report: Report, fmt: str, look: Look) -> str:
    """The cache key of ``report`` laid out as ``fmt`` with the organization's template."""
    # Pickled rather than dumped as JSON: five times quicker on a workpaper. The model is
    # built in the same order from the same data, so equal content gives equal bytes (a
    # difference could only cost a second render, never serve another report).
    content = replace(report, meta={k: v for k, v in report.meta.items() if k != "generated"})
    digest = hashlib.sha256()
    for part in (
        _layout_code(),
        fmt,
        look.template_name,
        look.template or "",
    ):
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    digest.update(pickle.dumps(content, protocol=5))
    return "report:" + digest.hexdigest()


def get(cache_key: str) -> bytes | None:
    found = caches["reports"].get(cache_key)
    return found if isinstance(found, bytes) else None


def put(cache_key: str, data: bytes) -> None:
    if len(data) <= settings.CSFPILOT_REPORT_CACHE_MAX_MB * 1024 * 1024:
        caches["reports"].set(cache_key, data)


def get_file(cache_key: str) -> tuple[str, bytes] | None:
    """A file kept under a key of its inputs (:mod:`.report_key`): its name and bytes."""
    found = caches["reports"].get(cache_key)
    if (
        isinstance(found, tuple)
        and len(found) == 2
        and isinstance(found[0], str)
        and isinstance(found[1], bytes)
    ):
        return found
    return None


def put_file(cache_key: str, name: str, data: bytes) -> None:
    if len(data) <= settings.CSFPILOT_REPORT_CACHE_MAX_MB * 1024 * 1024:
        caches["reports"].set(cache_key, (name, data))
