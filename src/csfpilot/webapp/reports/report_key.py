"""A report's cache key from the state of what it is made from, read without making it.

Building a report's model reads the whole profile, its snapshots, evidence and action
plan (tens of milliseconds) before the report cache (:mod:`.render_cache`) can tell
that the file was made before. This key is read instead, with one statement (two with
transfer sections), so that a report whose inputs are as they were is served at once:

- the profile row (every column: its version, last change, scale, Tiers, name), its
  release (id and content digest) and the organization's row (its name);
- per table a profile's report reads, what changes with any write to it: the outcome
  rows and the action plan (count, sum of versions, highest id, last change; every save
  bumps a version), the snapshots (count, sum and highest id, newest), the evidence
  links (count, sum and highest id, last review, newest), the evidence items they cite
  (count, sum of versions, last change, last retirement), their versions (count, highest
  id), the organization's latest scan tallies (count, sum and highest id), the e-mails
  of the people the evidence names (owners, reviewers) and every column of the
  organization's report template (its text and logo by digest);
- the last event of the organization's audit trail and of the instance's that changed
  anything (downloads and sign-ins left out): every change of an organization's data
  writes one in the change's own transaction, so this moves with changes the counts
  above could miss, such as a reviewed crosswalk or a renamed project;
- with transfer sections, the loaded releases and crosswalk datasets and the
  organization's reviewed crosswalks (counts, sums, highest ids, last load and review);
- what is not in the database: the report's kind, format, language, the transfer
  sections asked for, the day and the time zone (a report shows the date, and evidence
  expires by it), and a digest of csfpilot's own code, templates and translations and
  the versions of the libraries that lay the file out.

A stale report is worse than a slow one: when in doubt a part is in the key, and a
change that the key missed would still only ever cost a render, never serve another
report, if the key were read after the report is made. It is read before: a file stored
under a key is never older than the state the key describes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language

import csfpilot
from csfpilot.webapp import statements
from csfpilot.webapp.audit.models import QUIET_ACTIONS, AuditEvent
from csfpilot.webapp.catalog.models import Framework, MappingDataset
from csfpilot.webapp.evidence import models as ev
from csfpilot.webapp.mapping import models as mapping
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.reports.models import ReportTemplate

# The libraries whose output is the file itself.
_LAYOUT_LIBRARIES = ("jinja2", "weasyprint", "openpyxl", "python-docx", "pydyf", "fonttools")
_SKIPPED = {"__pycache__", "data"}  # NIST's files: their content is in the database's digests


@cache
def code_digest() -> str:
    """csfpilot's code, templates and translations and the layout libraries' versions:
    read once per process (a few hundredths of a second)."""
    root = Path(csfpilot.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        parts = set(path.relative_to(root).parts)
        if not path.is_file() or parts & _SKIPPED or path.suffix == ".pyc":
            continue
        data = path.read_bytes()
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    for name in _LAYOUT_LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=-".encode())
    return digest.hexdigest()


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _col(model: Any, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _emails() -> str:
    """The e-mails (with ids) of the people a profile's evidence names, as one text."""
    users = pm.ProfileOutcome._meta.get_field("updated_by").related_model
    pair = f"CAST(u.id AS TEXT) || ':' || u.{_col(users, 'email')}"
    people = (
        f"SELECT {pair} AS who FROM {_table(users)} u "  # noqa: S608 - model names
        f"WHERE u.id IN (SELECT {_col(ev.EvidenceItem, 'owner')} FROM {_table(ev.EvidenceItem)} "
        f"WHERE id IN (SELECT {_col(ev.EvidenceLink, 'item')} FROM {_table(ev.EvidenceLink)} "
        f"WHERE {_col(ev.EvidenceLink, 'profile')} = %(profile)s)) "
        f"OR u.id IN (SELECT {_col(ev.EvidenceLink, 'reviewed_by')} FROM "
        f"{_table(ev.EvidenceLink)} WHERE {_col(ev.EvidenceLink, 'profile')} = %(profile)s)"
    )
    if connection.vendor == "postgresql":
        return f"(SELECT string_agg(who, ',' ORDER BY who) FROM ({people}) w)"  # noqa: S608
    return f"(SELECT group_concat(who, ',') FROM ({people} ORDER BY who) w)"  # noqa: S608


def _last_change(where: str) -> str:
    quiet = ", ".join(f"'{a}'" for a in QUIET_ACTIONS)
    # Written as the index's condition (audit_last_change), so that the index serves it.
    return (
        f"(SELECT {_col(AuditEvent, 'hash')} FROM {_table(AuditEvent)} "  # noqa: S608
        f"WHERE {_col(AuditEvent, 'organization')} {where} "
        f"AND NOT ({_col(AuditEvent, 'action')} IN ({quiet})) "
        f"ORDER BY {_col(AuditEvent, 'seq')} DESC LIMIT 1)"
    )


def _rows(model: Any, where: str, *aggregates: str) -> str:
    named = ", ".join(f"{a} AS a{i}" for i, a in enumerate(aggregates))
    return f"(SELECT {named} FROM {_table(model)} WHERE {where})"  # noqa: S608 - model names


@cache
def _state_sql(vendor: str, transfers: bool) -> str:
    """The key's statement, written once per process from the models' tables and columns.

    Every aggregate is over an indexed column (the profile's, the organization's);
    parameters by name: the profile's id and the organization's.
    """
    del vendor  # part of the cache key: quoting and string aggregation differ
    link_profile = _col(ev.EvidenceLink, "profile")
    items = (
        f"(SELECT {_col(ev.EvidenceLink, 'item')} FROM {_table(ev.EvidenceLink)} "  # noqa: S608
        f"WHERE {link_profile} = %(profile)s)"
    )
    of_profile = "profile_id = %(profile)s"
    of_org = "organization_id = %(org)s"
    parts = [
        _rows(
            pm.ProfileOutcome, of_profile, "COUNT(*)", "SUM(version)", "MAX(id)", "MAX(updated_at)"
        ),
        _rows(pm.Action, of_profile, "COUNT(*)", "SUM(version)", "MAX(id)", "MAX(updated_at)"),
        _rows(pm.Snapshot, of_profile, "COUNT(*)", "SUM(id)", "MAX(id)", "MAX(taken_at)"),
        _rows(
            ev.EvidenceLink,
            f"{link_profile} = %(profile)s",
            "COUNT(*)",
            "SUM(id)",
            "MAX(id)",
            "MAX(reviewed_at)",
            "MAX(created_at)",
        ),
        _rows(
            ev.EvidenceItem,
            f"id IN {items}",
            "COUNT(*)",
            "SUM(version)",
            "MAX(updated_at)",
            "MAX(retired_at)",
        ),
        _rows(
            ev.EvidenceVersion,
            f"{_col(ev.EvidenceVersion, 'item')} IN {items}",
            "COUNT(*)",
            "MAX(id)",
        ),
        _rows(ev.ScanOutcome, f"{of_org} AND latest = %(yes)s", "COUNT(*)", "SUM(id)", "MAX(id)"),
    ]
    if transfers:
        projects = (
            f"{_col(mapping.Pair, 'project')} IN "  # noqa: S608
            f"(SELECT id FROM {_table(mapping.MappingProject)} WHERE {of_org})"
        )
        parts += [
            _rows(Framework, "1 = 1", "COUNT(*)", "SUM(id)", "MAX(loaded_at)"),
            _rows(
                MappingDataset,
                "1 = 1",
                "COUNT(*)",
                "SUM(id)",
                "MAX(loaded_at)",
                "MAX(reviewed_at)",
            ),
            _rows(mapping.MappingProject, of_org, "COUNT(*)", "SUM(id)", "MAX(id)"),
            _rows(
                mapping.Pair,
                projects,
                "COUNT(*)",
                "SUM(version)",
                "MAX(id)",
                "MAX(reviewed_at)",
            ),
        ]
    # Each part is a one-row aggregate: joined beside the profile's row, they add columns.
    return (
        f"SELECT {statements.columns(pm.Profile, 'p', connection)}, "  # noqa: S608 - names
        "f.id, f.content_digest, "
        f"{statements.columns(Organization, 'org', connection)}, "
        f"{statements.columns(ReportTemplate, 't', connection)}, "
        f"{_emails()}, {_last_change('= %(org)s')}, {_last_change('IS NULL')}, "
        + ", ".join(f"x{i}.*" for i in range(len(parts)))
        + f" FROM {_table(pm.Profile)} p "
        f"JOIN {_table(Framework)} f ON f.id = p.framework_id "
        f"JOIN {_table(Organization)} org ON org.id = p.organization_id "
        f"LEFT JOIN {_table(ReportTemplate)} t ON t.organization_id = p.organization_id "
        + "".join(f"CROSS JOIN {part} x{i} " for i, part in enumerate(parts))
        + "WHERE p.id = %(profile)s AND p.organization_id = %(org)s"
    )


def state(access: Access, profile_id: Any, *, transfers: bool = False) -> tuple[Any, ...] | None:
    """The state of everything a report on the profile reads (one statement); None when
    the organization has no such profile."""
    try:
        pk = int(profile_id)
    except (TypeError, ValueError):
        return None
    with connection.cursor() as cur:
        cur.execute(
            _state_sql(connection.vendor, transfers),
            {"profile": pk, "org": access.organization.pk, "yes": True},
        )
        found = cur.fetchone()
    if found is None:
        return None
    # The template's logo and text are in the key by digest (a logo is up to a megabyte).
    return tuple(_digest(v) if isinstance(v, bytes | memoryview | str) else v for v in found)


def _digest(value: bytes | memoryview | str) -> str:
    data = value.encode() if isinstance(value, str) else bytes(value)
    if len(data) <= 64:
        return repr(value)
    return hashlib.sha256(data).hexdigest()


def key(
    access: Access, profile_id: Any, kind: str, fmt: str, transfer_to: Sequence[str] = ()
) -> str | None:
    """The key of the report file of ``kind`` as ``fmt`` on the profile, in the language
    active now; None when the organization has no such profile (the report is then
    refused the ordinary way)."""
    wanted = tuple(dict.fromkeys(k.strip() for k in transfer_to if k.strip()))
    found = state(access, profile_id, transfers=bool(wanted))
    if found is None:
        return None
    parts = (
        code_digest(),
        kind,
        fmt,
        get_language() or "en",
        wanted,
        timezone.localdate().isoformat(),
        timezone.get_current_timezone_name(),
        found,
    )
    return "report-inputs:" + hashlib.sha256(repr(parts).encode()).hexdigest()
