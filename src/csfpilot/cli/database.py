"""The CLI's only door to the database: configures Django on first use.

Commands that work on files (profiles, catalogs read straight from NIST's
files) never call this, so they start fast and need no database. The catalog
reads below answer with plain JSON-ready dicts shaped by the API's schemas, so
``csfpilot catalog show X --json`` prints what ``GET /api/.../nodes/X`` returns.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csfpilot.core.errors import NotFound

if TYPE_CHECKING:
    from csfpilot.core.catalog import Catalog, ImportBundle, MappingSet
    from csfpilot.reports.model import Report

JsonObject = dict[str, Any]


def _configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csfpilot.webapp.config.settings")
    import django

    django.setup()


@cache
def setup(*, migrate: bool = True, load_catalogs: bool = True) -> None:
    """Configure Django; apply pending migrations and load NIST's catalogs when missing.

    Both are checked before they are run, so that a command on a prepared database
    neither re-runs ``migrate`` nor imports every file reader.
    """
    _configure()
    from django.conf import settings

    if migrate and _pending_migrations():
        from django.core.management import call_command

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
    if load_catalogs and settings.CSFPILOT_AUTOLOAD_CATALOGS and not _catalogs_loaded():
        from csfpilot.webapp.catalog.services import ensure_bundled_catalogs

        ensure_bundled_catalogs()


def _pending_migrations() -> int:
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _catalogs_loaded() -> bool:
    # The same test ensure_bundled_catalogs() makes, without importing the readers.
    from csfpilot.webapp.catalog.models import Framework, MappingDataset

    return Framework.objects.filter(key="csf-2.0").exists() and MappingDataset.objects.exists()


def location() -> str:
    """Where the database is, for messages: a file path, or host and name (never a password)."""
    _configure()
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return str(db["NAME"])
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"database {db['NAME']} on {host}{port}"


def pending_work() -> list[str]:
    """What the first use still has to do: apply migrations, load NIST's catalogs."""
    _configure()
    from django.conf import settings

    work: list[str] = []
    pending = _pending_migrations()
    if pending:
        work.append(f"apply {pending} migration(s)")
    if settings.CSFPILOT_AUTOLOAD_CATALOGS and (pending or not _catalogs_loaded()):
        work.append("load NIST's catalogs and crosswalks")
    return work


def ready(announce: Callable[[str], None] | None = None) -> None:
    """Prepare the database; tell ``announce`` first when that takes more than a moment."""
    if announce is not None:
        work = pending_work()
        if work:
            announce(f"Preparing {location()}: {' and '.join(work)} (first use only)…")
    setup()


def manage(*args: str) -> None:
    """Run a Django management command (``csfpilot manage migrate``)."""
    setup(migrate=False, load_catalogs=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["csfpilot manage", *args])


def ensure_demo() -> None:
    """Create the demo organization once (a no-op until profiles exist)."""
    setup()
    try:
        from csfpilot.webapp.demo import ensure_demo as _ensure
    except ImportError:
        return
    _ensure()


def demo_login() -> tuple[str, str] | None:
    try:
        from csfpilot.webapp.demo import DEMO_LOGIN
    except ImportError:
        return None
    return DEMO_LOGIN


@contextmanager
def one_at_a_time(name: str) -> Iterator[None]:
    """Hold a database-wide lock while the block runs, on PostgreSQL.

    Several app servers started together against one PostgreSQL database would
    otherwise all apply the same migrations at once; with the lock, the first
    prepares the database and the others wait, then find nothing left to do.
    SQLite needs none: its writers already queue on the database file.
    """
    _configure()
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    digest = hashlib.sha256(f"csfpilot:{name}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [key])


def collect_static() -> bool:
    """Copy the static files into STATIC_ROOT under content-hashed, compressed names.

    Runs only when the files differ from the last copy (a fingerprint of every
    source file's path, size and modification time is kept beside them), so a
    restart costs a directory listing. Returns whether it copied.
    """
    import fcntl

    _configure()
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.core.management import call_command

    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    fingerprint = digest.hexdigest()
    # Kept beside the folder, not in it: collectstatic empties the folder first.
    stamp = root.with_name(root.name + ".fingerprint")
    # Two servers sharing a data folder must not write the same files at once.
    with root.with_name(root.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == fingerprint:
            return False
        call_command("collectstatic", interactive=False, verbosity=0, clear=True)
        stamp.write_text(fingerprint)
    return True


def wsgi_application() -> Any:
    """The app, loaded once in the server's main process before it forks workers."""
    _configure()
    from django.db import connections
    from django.urls import get_resolver

    from csfpilot.webapp.config.wsgi import application

    # Every page's view module imported here, before the fork, rather than by each worker's
    # first request: the workers share it and answer their first request sooner.
    get_resolver().url_patterns  # noqa: B018
    # A connection opened while preparing must not be shared by the forked workers.
    connections.close_all()
    return application


def start_report_processes() -> None:
    """Start a web worker's report processes (see ``csfpilot.webapp.reports.processes``)."""
    from csfpilot.webapp.reports import processes

    processes.start()


# --- Catalog reads for `csfpilot frameworks / catalog / crosswalk`. ---


def frameworks() -> list[JsonObject]:
    setup()
    from csfpilot.webapp.catalog import queries, schemas

    counts = queries.framework_level_counts()
    return [
        schemas.framework_out(fw, counts.get(fw.id, {})).model_dump(mode="json")
        for fw in queries.frameworks()
    ]


def nodes(framework: str | None, *, level: str | None = None) -> list[JsonObject]:
    """Active elements of a framework in NIST's order, optionally of one level."""
    setup()
    from csfpilot.webapp.catalog import queries, schemas

    fw = queries.framework(framework)
    if level and level not in fw.levels:
        raise NotFound(f"{fw.key} has no level {level!r} (its levels: {', '.join(fw.levels)})")
    _, rows = queries.node_page(fw, level=level or None)
    return [schemas.listed_node(n, fw.key).model_dump(mode="json") for n in rows]


def node(framework: str | None, code: str) -> JsonObject:
    setup()
    from csfpilot.webapp.catalog import queries, schemas

    view = queries.node_view(queries.node(framework, code))
    return schemas.node_detail(view).model_dump(mode="json")


def search(text: str, *, framework: str | None, limit: int) -> tuple[int, list[JsonObject]]:
    setup()
    from csfpilot.webapp.catalog import queries, schemas

    total, rows = queries.search_page(text, framework_key=framework, limit=limit)
    return total, [schemas.listed_node(n, n.framework.key).model_dump(mode="json") for n in rows]


def crosswalk(
    code: str,
    *,
    to: str,
    source: str | None,
    release: str | None = None,
    dataset: str | None = None,
) -> tuple[str, list[JsonObject], str]:
    """What the element ``code`` of ``source`` maps to in framework ``to``, both directions,
    optionally only rows of crosswalks for one ``release`` or from one ``dataset``.

    Answers the element's canonical id, the references, and a note when the loaded
    release of ``source`` lacks the element that a crosswalk for a later release names.
    """
    setup()
    from csfpilot.core.catalog.releases import same_release
    from csfpilot.webapp.catalog import queries, schemas
    from csfpilot.webapp.catalog.pending import pending_element

    to_key = to.strip().lower()
    known = queries.crosswalk_keys()
    if to_key not in known:
        raise NotFound(
            f"no framework {to!r} is loaded or mapped (known: {', '.join(sorted(known))})"
        )
    if dataset is not None:
        queries.dataset(dataset)  # an unknown key is named, not answered with no rows
    note = ""
    try:
        n = queries.node(source, code)
        found, refs = n.code, queries.references(n, to=to_key)
    except NotFound:
        pending = pending_element(queries.framework(source), code)
        if pending is None:
            raise
        fw = pending.framework
        note = (
            f"{pending.code} is part of release {pending.release} of {fw.name}; the loaded "
            f"{fw.key} is release {fw.version}, which does not have it."
        )
        found = pending.code
        elsewhere = pending.loaded_elsewhere
        if elsewhere is not None:
            note += (
                f" Release {elsewhere.framework.version} is loaded as {elsewhere.framework.key}."
            )
            refs = queries.references(elsewhere, to=to_key)
        else:
            note += f" Load release {pending.release} to see its text."
            refs = [r for r in pending.rows if to_key in (r.dataset_end, r.framework)]
    if release:
        refs = [r for r in refs if same_release(r.release, release)]
    if dataset is not None:
        refs = [r for r in refs if r.dataset_key == dataset.strip()]
    return found, [schemas.reference_out(r).model_dump(mode="json") for r in refs], note


def load_bundle(bundle: ImportBundle) -> JsonObject:
    """Store what an importer read, in one transaction; report what was created or unchanged."""
    setup()
    from csfpilot.webapp.catalog.services import load_bundle as store

    report = store(bundle)
    return {
        "created": list(report.created),
        "unchanged": list(report.unchanged),
        "warnings": list(report.warnings),
    }


# --- Framework and crosswalk exports, for `csfpilot export`. ---


def export_catalog(key: str) -> Catalog:
    """A loaded framework as the domain object the exporters write."""
    setup()
    from csfpilot.webapp.catalog import export_queries

    return export_queries.catalog(key)


def export_crosswalk(key: str) -> tuple[MappingSet, Catalog | None, Catalog | None]:
    """A loaded crosswalk dataset, with the catalogs of its two ends when they are loaded."""
    setup()
    from csfpilot.webapp.catalog import export_queries

    ms = export_queries.mapping_set(key)
    return (
        ms,
        export_queries.loaded_catalog(ms.info.source_framework),
        export_queries.loaded_catalog(ms.info.target_framework),
    )


# --- The mapping assistant's inputs, for `csfpilot map suggest`. ---


def mapping_inputs(source: str, target: str) -> tuple[Catalog, Catalog, list[MappingSet]]:
    """The two frameworks as loaded, and every loaded crosswalk dataset (for paths)."""
    setup()
    from csfpilot.webapp.catalog import export_queries
    from csfpilot.webapp.catalog.models import MappingDataset

    keys = MappingDataset.objects.order_by("key").values_list("key", flat=True)
    return (
        export_queries.catalog(source),
        export_queries.catalog(target),
        [export_queries.mapping_set(key) for key in keys],
    )


# --- Profiles in the database, for `csfpilot profile import / export / list`. ---
# These act as the instance's operator (see csfpilot/webapp/profiles/operator.py).


def profile_list(org: str) -> list[JsonObject]:
    setup()
    from csfpilot.webapp.profiles import operator

    return operator.list_profiles(org)


def profile_import(
    org: str, data: bytes, *, filename: str, name: str | None, replace: bool
) -> JsonObject:
    setup()
    from csfpilot.webapp.profiles import operator

    return operator.import_file(org, data, filename=filename, name=name, replace=replace)


def community_import(org: str, data: bytes, **kwargs: Any) -> JsonObject:
    """Read a sector's Community Profile workbook through a mapping file; store unless dry."""
    setup()
    from csfpilot.webapp.intake import operator

    return operator.import_community(org, data, **kwargs)


def csf11_migration(org: str, data: bytes, **kwargs: Any) -> JsonObject:
    """Propose a CSF 2.0 draft from a CSF 1.1 assessment; store it when asked to."""
    setup()
    from csfpilot.webapp.intake import operator

    return operator.migrate_csf11(org, data, **kwargs)


def profile_export(org: str, profile: str, fmt: Any) -> tuple[str, str]:
    setup()
    from csfpilot.webapp.profiles import operator

    return operator.export_file(org, profile, fmt)


def profile_move_release(org: str, profile: str, to: str, *, apply: bool) -> JsonObject:
    """What moving the profile to release ``to`` changes; with ``apply``, move it."""
    setup()
    from csfpilot.webapp.profiles import operator

    return operator.move_release(org, profile, to, apply=apply)


# --- Reports on stored profiles, for `csfpilot report ... --org`. ---


def report(org: str, profile: str, kind: str, language: str) -> tuple[Report, str | None]:
    """The report on an organization's profile, and the organization's own template."""
    setup()
    from csfpilot.webapp.reports import operator

    return operator.report(org, profile, kind, language)


# --- Background jobs and sector benchmarks, for `csfpilot worker / jobs / sectors`. ---


def run_worker(
    *,
    burst: bool = False,
    interval: float = 1.0,
    max_jobs: int | None = None,
    on_event: Callable[[Any], None] | None = None,
    parent_pid: int | None = None,
) -> None:
    """Run queued jobs until stopped (SIGINT/SIGTERM finish the current job first)."""
    setup()
    from csfpilot.webapp.jobs.worker import run_worker as run

    run(
        burst=burst,
        interval=interval,
        max_jobs=max_jobs,
        on_event=on_event,
        handle_signals=True,
        parent_pid=parent_pid,
    )


def _job_json(job: Any) -> JsonObject:
    from csfpilot.webapp.jobs.schemas import job_out

    out = job_out(job).model_dump(mode="json")
    out["organization"] = job.organization.slug if job.organization_id else None
    return out


def jobs(org: str | None = None, *, limit: int = 50) -> list[JsonObject]:
    """The instance's most recent jobs (or one organization's), newest first."""
    setup()
    from csfpilot.webapp.jobs import queries

    return [_job_json(j) for j in queries.all_jobs(organization=org, limit=limit)]


def job(job_id: int) -> JsonObject:
    setup()
    from csfpilot.webapp.jobs import queries

    return _job_json(queries.job_by_id(job_id))


def prune_jobs(older_than_days: int) -> int:
    """Delete jobs that ended more than ``older_than_days`` days ago; returns how many."""
    setup()
    from datetime import timedelta

    from csfpilot.webapp.jobs.services import prune_finished

    return prune_finished(timedelta(days=older_than_days))


def enqueue_sector_recompute(sector: str | None, *, only_stale: bool = False) -> JsonObject:
    """Queue a recompute of every organization's stored sector scores (or one sector's)."""
    setup()
    from csfpilot.webapp.jobs import services
    from csfpilot.webapp.organizations.sectors import Sector
    from csfpilot.webapp.sectors.jobs import recompute_sector

    if sector is not None and sector not in Sector.values:
        from csfpilot.core.errors import InputRefused

        raise InputRefused(f"{sector!r} is not a sector (sectors: {', '.join(Sector.values)})")
    label = f"Recompute sector scores: {sector or 'all sectors'}"
    queued = services.enqueue(recompute_sector, label=label, sector=sector, only_stale=only_stale)
    return job(queued.pk)


# --- The audit trail, for `csfpilot audit verify`. ---


def audit_verify(org: str | None) -> tuple[list[JsonObject], list[str]]:
    """Each organization's audit chain checked (keyed hashes and the latest signed
    checkpoint of its head): entries checked and the first break if any; then what is
    wrong with the checkpoint file itself (lines not signed with this instance's key)."""
    setup()
    from csfpilot.webapp.audit.queries import read_checkpoints, verify_chains

    read = read_checkpoints()
    out: list[JsonObject] = []
    for slug, verdict in verify_chains(org, read):
        broken = verdict.broken
        latest = read.latest.get(slug)
        out.append(
            {
                "organization": slug,
                "checked": verdict.checked,
                "ok": verdict.ok,
                "head": verdict.head,
                "checkpoint": None
                if latest is None
                else {"seq": latest.seq, "head": latest.head, "at": latest.at},
                "broken": None
                if broken is None
                else {"seq": broken.seq, "id": broken.entry_id, "problem": broken.problem},
            }
        )
    return out, read.problems


def audit_checkpoint() -> list[JsonObject]:
    """Append a signed checkpoint of every chain whose head moved (see docs/audit.md)."""
    setup()
    from csfpilot.webapp.audit import checkpoints

    return [
        {"chain": c.chain, "seq": c.seq, "head": c.head, "at": c.at} for c in checkpoints.write()
    ]


# --- Backup and restore, for `csfpilot backup / restore`. ---


def backup(org: str | None) -> tuple[bytes, JsonObject]:
    """The backup archive of one organization or the whole instance, and what it holds.

    The backup is recorded in the instance's audit chain, as taken by the command line.
    """
    setup()
    from csfpilot.webapp.audit.services import CLI
    from csfpilot.webapp.backup.services import make_backup, record_backup

    made = make_backup(org)
    record_backup(made, CLI)
    return made.data, {
        "scope": made.scope,
        "organizations": list(made.organizations),
        "sha256": made.sha256,
        "bytes": len(made.data),
    }


def restore(data: bytes, *, name: str) -> JsonObject:
    """Restore a backup archive in one transaction; what was restored."""
    setup()
    from csfpilot.webapp.backup.services import restore_backup

    done = restore_backup(data, name=name)
    return {
        "scope": done.scope,
        "organizations": list(done.organizations),
        "users_created": done.users_created,
        "profiles": done.profiles,
        "audit_events": done.audit_events,
    }


# --- Workbooks and OSCAL, for `csfpilot export/import profile-xlsx|assessment-results|poam`. ---


def exchange_export(org: str, profile: str, fmt: Any) -> tuple[bytes, str]:
    setup()
    from csfpilot.webapp.profiles import exchange_formats, lookups, operator

    access = operator.operator_access(org)
    row = lookups.profile_by_ref(access, profile)
    export = exchange_formats.export_exchange(access, row.pk, fmt)
    return export.data, export.filename


def _expect_format(found: str, fmt: str, filename: str) -> None:
    if found != fmt:
        from csfpilot.core.errors import InputRefused

        raise InputRefused(f"this file is {found}, not {fmt}", file=filename)


def _choices_out(choices: Any) -> list[JsonObject]:
    return [
        {
            "kind": c.kind,
            "text": c.text,
            "proposed": c.proposed,
            "chosen": c.chosen,
            "cells": list(c.cells),
        }
        for c in choices
    ]


def exchange_preview(
    org: str,
    profile: str,
    data: bytes,
    *,
    filename: str,
    fmt: str,
    apply: bool,
    choices: dict[str, str] | None = None,
) -> JsonObject:
    setup()
    from csfpilot.webapp.profiles import exchange_formats, lookups, operator

    access = operator.operator_access(org)
    row = lookups.profile_by_ref(access, profile)
    _expect_format(exchange_formats.format_of(data, filename), fmt, filename)
    if apply:
        preview = exchange_formats.apply_exchange(
            access,
            row.pk,
            data,
            filename=filename,
            expected_version=row.version,
            choices=choices,
        )
    else:
        preview = exchange_formats.preview_exchange(
            access, row.pk, data, filename=filename, choices=choices
        )
    row.refresh_from_db()
    return {
        "format": preview.format,
        "applied": apply and bool(preview.changes),
        "version": row.version,
        "changes": [
            {"element": c.element, "field": c.field, "before": c.before, "after": c.after}
            for c in preview.changes
        ],
        "warnings": list(preview.warnings),
        "choices": _choices_out(preview.choices),
    }


def exchange_import(
    org: str,
    data: bytes,
    *,
    filename: str,
    name: str | None,
    fmt: str,
    choices: dict[str, str] | None = None,
) -> JsonObject:
    setup()
    from csfpilot.webapp.profiles import exchange_formats, operator, queries, schemas

    access = operator.operator_access(org)
    _expect_format(exchange_formats.format_of(data, filename), fmt, filename)
    result = exchange_formats.import_exchange_new(
        access, data, filename=filename, name=name, choices=choices
    )
    out = schemas.ImportOut(
        profile=schemas.profile_out(queries.profile(access, result.profile.pk)),
        created=True,
        warnings=list(result.warnings),
    )
    return out.model_dump(mode="json")


# --- Accounts, organizations and API tokens, for `csfpilot accounts / org / tokens`. ---
# These act as the instance's operator (see csfpilot/webapp/accounts/operator.py).


def account_create(email: str, password: str, name: str) -> JsonObject:
    setup()
    from csfpilot.webapp.accounts import operator

    return operator.create_account(email, password, name)


def org_create(name: str, *, owner: str, slug: str | None) -> JsonObject:
    setup()
    from csfpilot.webapp.accounts import operator

    return operator.create_organization(name, owner, slug)


def org_members(org: str) -> list[JsonObject]:
    setup()
    from csfpilot.webapp.accounts import operator

    return operator.members(org)


def org_add_member(org: str, email: str, role: str) -> JsonObject:
    setup()
    import sys
    from contextlib import redirect_stdout

    from csfpilot.webapp.accounts import operator

    # Without an SMTP server the notice is printed; on stderr, so that stdout stays JSON.
    with redirect_stdout(sys.stderr):
        return operator.add_member(org, email, role)


def token_create(email: str, org: str, *, role: str, name: str, days: int) -> JsonObject:
    setup()
    from csfpilot.core.errors import InputRefused
    from csfpilot.webapp.accounts import operator
    from csfpilot.webapp.accounts.services import TokenScopeRefused

    try:
        return operator.create_token(email, org, role, name, days)
    except TokenScopeRefused as exc:
        raise InputRefused(str(exc), field="role") from None


def token_list(org: str | None, email: str | None) -> list[JsonObject]:
    setup()
    from csfpilot.webapp.accounts import operator

    return operator.tokens(org, email)


def token_revoke(token_id: int) -> JsonObject:
    setup()
    from csfpilot.webapp.accounts import operator

    return operator.revoke_token(token_id)


# --- Evidence, for `csfpilot evidence import-scan`. ---


def evidence_import_scan(org: str, path: Any, **options: Any) -> JsonObject:
    setup()
    from csfpilot.webapp.evidence import operator

    return operator.import_scan_file(org, path, **options)


# --- The evidence library, for `csfpilot evidence …`. ---
# These act as the instance's operator (see csfpilot/webapp/evidence/operator.py).


def evidence_add(org: str, **kwargs: Any) -> JsonObject:
    setup()
    from csfpilot.webapp.evidence import operator

    return operator.add(org, **kwargs)


def evidence_version(org: str, item_id: int, **kwargs: Any) -> JsonObject:
    setup()
    from csfpilot.webapp.evidence import operator

    return operator.new_version(org, item_id, **kwargs)


def evidence_list(org: str, *, text: str, kind: str, retired: bool) -> list[JsonObject]:
    setup()
    from csfpilot.webapp.evidence import operator

    return operator.items(org, text=text, kind=kind, retired=retired)


def evidence_show(org: str, item_id: int) -> JsonObject:
    setup()
    from csfpilot.webapp.evidence import operator

    return operator.show(org, item_id)


def evidence_link(org: str, item_id: int, **kwargs: Any) -> list[JsonObject]:
    setup()
    from csfpilot.webapp.evidence import operator

    return operator.link(org, item_id, **kwargs)


def evidence_review(org: str, link_id: int, *, state: str, comment: str) -> JsonObject:
    setup()
    from csfpilot.webapp.evidence import operator

    return operator.review(org, link_id, state=state, comment=comment)


def evidence_due(org: str, *, days: int) -> list[JsonObject]:
    setup()
    from csfpilot.webapp.evidence import operator

    return operator.due(org, days=days)


# --- Sector membership: who counts in a sector's benchmark (`csfpilot sectors ...`). ---


def _member_json(row: Any) -> JsonObject:
    from csfpilot.webapp.sectors.schemas import member_out

    return member_out(row).model_dump(mode="json")


def sector_members(sector: str, status: str | None = None) -> list[JsonObject]:
    setup()
    from csfpilot.webapp.sectors import stewardship

    sector = stewardship.known_sector(sector)
    return [_member_json(r) for r in stewardship.members(sector, status=status or None)]


def sector_decide(sector: str, org: str, status: str) -> JsonObject:
    """Approve or revoke ``org`` in ``sector`` as the instance's operator."""
    setup()
    from csfpilot.webapp.sectors import stewardship

    decided = stewardship.decide(None, sector, org, status)
    rows = stewardship.members(decided.sector)
    return _member_json(next(r for r in rows if r.organization.pk == decided.organization_id))


def sector_stewards(sector: str | None) -> list[JsonObject]:
    setup()
    from csfpilot.webapp.sectors import stewardship

    return [
        {"sector": r.sector, "email": r.user.email, "appointed_at": r.appointed_at.isoformat()}
        for r in stewardship.stewards(sector)
    ]


def sector_steward_add(sector: str, email: str) -> JsonObject:
    setup()
    from csfpilot.webapp.sectors import stewardship

    row = stewardship.appoint(sector, email)
    return {
        "sector": row.sector,
        "email": row.user.email,
        "appointed_at": row.appointed_at.isoformat(),
    }


def sector_steward_remove(sector: str, email: str) -> bool:
    setup()
    from csfpilot.webapp.sectors import stewardship

    return stewardship.dismiss(sector, email)


# --- Signed packages and keys, for `csfpilot package ...` and `csfpilot keys ...`. ---


def package_export(
    org: str, profile: str, level: str, *, preview: bool = False, evidence: list[int] | None = None
) -> JsonObject:
    setup()
    from csfpilot.webapp.packages import services
    from csfpilot.webapp.profiles import lookups, operator

    access = operator.operator_access(org)
    row = lookups.profile_by_ref(access, profile)
    if preview:
        rows = services.preview(access, row.pk, level, evidence or [])
        return {"rows": [{"member": m, "field": f, "value": v} for m, f, v in rows]}
    export = services.export_profile(access, row.pk, level, evidence or [])
    return {
        "data": export.data,
        "filename": export.filename,
        "package_id": export.package_id,
        "fingerprint": export.fingerprint,
    }


def package_inspect(org: str, data: bytes, *, filename: str) -> JsonObject:
    setup()
    from csfpilot.webapp.packages import services
    from csfpilot.webapp.profiles import operator

    seen = services.inspect(operator.operator_access(org), data, filename=filename)
    return {
        **services.package_out(seen.package),
        "already_imported": seen.already_imported,
        "importable": seen.importable,
        "reason": seen.reason,
        "listing": [{"member": m, "field": f, "value": v} for m, f, v in seen.rows],
    }


def package_import(
    org: str, data: bytes, *, filename: str, accept_untrusted: bool, name: str | None
) -> JsonObject:
    setup()
    from csfpilot.webapp.packages import services
    from csfpilot.webapp.profiles import operator

    row, pkg = services.import_package(
        operator.operator_access(org),
        data,
        filename=filename,
        confirm_untrusted=accept_untrusted,
        name=name,
    )
    return {
        **services.package_out(pkg),
        "profile": {"id": row.profile_id, "name": row.profile.name if row.profile else None},
    }


def keys_command(org: str, action: str, fingerprint: str = "", partner: str = "") -> JsonObject:
    """Show, rotate, revoke, trust or untrust; answers the organization's keys afterwards."""
    setup()
    from csfpilot.webapp.packages import services
    from csfpilot.webapp.profiles import operator

    access = operator.operator_access(org)
    if action == "rotate":
        services.rotate(access)
    elif action == "revoke":
        services.revoke(access, fingerprint)
    elif action == "trust":
        services.trust(access, fingerprint, partner)
    elif action == "untrust":
        services.untrust(access, fingerprint)
    else:
        services.active_key(access)
    return services.keys_out(access.organization)


# --- Sector benchmarks between instances (`csfpilot sectors contribute|publish|...`). ---


def sector_contribute(org: str, sector: str) -> tuple[bytes, JsonObject]:
    setup()
    from csfpilot.webapp.profiles.operator import operator_access
    from csfpilot.webapp.sectors import exchange

    signed = exchange.contribution_package(operator_access(org), sector)
    return signed.data, {
        "package_id": signed.package_id,
        "fingerprint": signed.fingerprint,
        "organization": signed.organization,
        "sector": sector,
    }


def sector_member_key_add(sector: str, name: str, fingerprint: str) -> JsonObject:
    setup()
    from csfpilot.webapp.sectors import exchange

    row = exchange.add_member(sector, name, fingerprint)
    return {
        "sector": row.sector,
        "name": row.name,
        "fingerprint": row.fingerprint,
        "status": row.status,
    }


def sector_member_key_revoke(sector: str, fingerprint: str) -> JsonObject:
    setup()
    from csfpilot.webapp.sectors import exchange

    row = exchange.revoke_member(sector, fingerprint)
    return {
        "sector": row.sector,
        "name": row.name,
        "fingerprint": row.fingerprint,
        "status": row.status,
    }


def sector_import_contribution(sector: str, data: bytes, filename: str) -> JsonObject:
    setup()
    from csfpilot.webapp.sectors import exchange

    row = exchange.import_contribution(data, sector, filename=filename)
    return {
        "sector": sector,
        "member": row.member.name,
        "fingerprint": row.member.fingerprint,
        "package_id": str(row.package_id),
        "signed": row.created.isoformat(),
    }


def sector_publish(org: str, sector: str) -> tuple[bytes, JsonObject]:
    setup()
    from csfpilot.webapp.profiles.operator import operator_access
    from csfpilot.webapp.sectors import exchange

    signed = exchange.aggregate_package(operator_access(org), sector)
    contributors, _ = exchange.aggregate_rows(sector)
    return signed.data, {
        "package_id": signed.package_id,
        "fingerprint": signed.fingerprint,
        "source": signed.organization,
        "sector": sector,
        "contributors": contributors,
    }


def sector_import_aggregate(org: str, data: bytes, filename: str) -> JsonObject:
    setup()
    from csfpilot.webapp.profiles.operator import operator_access
    from csfpilot.webapp.sectors import exchange

    row = exchange.import_aggregate(operator_access(org), data, filename=filename)
    return {
        "organization": org,
        "sector": row.sector,
        "source": row.source,
        "fingerprint": row.fingerprint,
        "published": row.published.isoformat(),
        "contributors": row.contributors,
        "package_id": str(row.package_id),
    }


# --- Questionnaires between instances (`csfpilot questionnaire ...`). ---


def questionnaire_exchange(action: str, org: str, *args: Any, **kwargs: Any) -> Any:
    """Run one of :mod:`csfpilot.webapp.suppliers.operator`'s functions as the operator."""
    setup()
    from csfpilot.webapp.suppliers import operator

    return getattr(operator, action)(org, *args, **kwargs)
