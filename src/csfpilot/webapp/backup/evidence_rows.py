"""An organization's evidence library in a backup: rows as canonical JSON, files by hash.

The library's rows sit in the organization's member under ``evidence``; the
stored files are archive members ``evidence/<slug>/<sha256>``, streamed in and
out (see :mod:`csfpilot.formats.backup_archive`). As everywhere in a backup
there are no database ids: an item is named by its position in the backup
(items in the order they were created), a version by its item and number, an
outcome by its profile's name and its code, a snapshot by its profile's name
and the time it was taken, a stored file by its hash.

A restore checks every file twice: against the manifest when the archive is
read, and against the hash its record names before it is stored; a file that
fails either is refused by name and nothing is restored.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from typing import IO, Any

from django.core.files import File

from csfpilot.core.errors import InputRefused
from csfpilot.formats import backup_archive as fmt
from csfpilot.webapp.backup.rows import Users, dump_row, load_row, value_in
from csfpilot.webapp.evidence import blobs
from csfpilot.webapp.evidence import models as e
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.profiles import models as m

KEYS = ("files", "items", "requests", "scans", "citations")
# The models whose recorded times a restore keeps (see rows.stored_timestamps).
MODELS = (
    e.StoredFile,
    e.EvidenceItem,
    e.EvidenceVersion,
    e.EvidenceLink,
    e.EvidenceRequest,
    e.ScanImport,
)


def file_member(slug: str, sha256: str) -> str:
    return f"{fmt.FILES}{slug}/{sha256}"


def _opener(stored: e.StoredFile) -> Callable[[], IO[bytes]]:
    return lambda: blobs.open_stored(stored)


# -- backup ---------------------------------------------------------------------------------


def dump_evidence(
    org: Organization, users: Users, files: dict[str, fmt.FileSource]
) -> dict[str, Any]:
    """The organization's library as JSON; its files are added to ``files`` to stream."""
    stored = list(e.StoredFile.objects.filter(organization=org).order_by("sha256"))
    for row in stored:
        files[file_member(org.slug, row.sha256)] = fmt.FileSource(
            row.sha256, row.size, _opener(row)
        )
    items = list(e.EvidenceItem.objects.filter(organization=org).order_by("created_at", "id"))
    key_of = {item.pk: i for i, item in enumerate(items)}
    versions: dict[int, list[dict[str, Any]]] = {item.pk: [] for item in items}
    version_key: dict[int, tuple[int, int]] = {}
    for v in (
        e.EvidenceVersion.objects.filter(item__organization=org)
        .select_related("stored_file")
        .order_by("item_id", "number")
    ):
        doc = dump_row(v, users, skip=("item", "stored_file"))
        doc["sha256"] = v.stored_file.sha256 if v.stored_file_id else None
        versions[v.item_id].append(doc)
        version_key[v.pk] = (key_of[v.item_id], v.number)
    links: dict[int, list[dict[str, Any]]] = {item.pk: [] for item in items}
    for link in (
        e.EvidenceLink.objects.filter(item__organization=org)
        .select_related("profile")
        .order_by("item_id", "profile__name", "code", "side")
    ):
        doc = dump_row(link, users, skip=("item", "outcome", "profile"))
        doc["profile"] = link.profile.name
        links[link.item_id].append(doc)
    item_docs = []
    for item in items:
        doc = dump_row(item, users, skip=("organization",))
        doc["versions"] = versions[item.pk]
        doc["links"] = links[item.pk]
        item_docs.append(doc)
    requests = []
    for req in (
        e.EvidenceRequest.objects.filter(organization=org)
        .select_related("profile")
        .prefetch_related("outcomes", "items")
        .order_by("created_at", "id")
    ):
        doc = dump_row(req, users, skip=("organization", "profile"))
        doc["profile"] = req.profile.name
        doc["outcomes"] = sorted(o.code for o in req.outcomes.all())
        doc["items"] = sorted(key_of[i.pk] for i in req.items.all())
        requests.append(doc)
    scans = []
    for scan in (
        e.ScanImport.objects.filter(organization=org)
        .select_related("profile")
        .order_by("imported_at", "id")
    ):
        doc = dump_row(scan, users, skip=("organization", "profile", "item", "version"))
        doc["profile"] = scan.profile.name if scan.profile_id else None
        doc["version"] = list(version_key[scan.version_id])
        doc["findings"] = [dump_row(f, users, skip=("scan",)) for f in scan.findings.order_by("id")]
        doc["tallies"] = [
            dump_row(t, users, skip=("scan", "organization")) for t in scan.tallies.order_by("code")
        ]
        scans.append(doc)
    citations = [
        {
            "profile": c.snapshot.profile.name,
            "taken_at": dump_row(c.snapshot, users, skip=("profile",))["taken_at"],
            "version": list(version_key[c.version_id]),
        }
        for c in e.SnapshotEvidence.objects.filter(item__organization=org).select_related(
            "snapshot__profile"
        )
    ]
    citations.sort(key=lambda c: (c["profile"], c["taken_at"], c["version"]))
    return {
        "files": [dump_row(f, users, skip=("organization", "storage_name")) for f in stored],
        "items": item_docs,
        "requests": requests,
        "scans": scans,
        "citations": citations,
    }


# -- restore --------------------------------------------------------------------------------


def _list(doc: dict[str, Any], key: str, where: str, name: str) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise InputRefused(f"expected a list of {key}", file=name, field=f"{where}.{key}")
    return value


def check_files(archive: fmt.Archive, slug: str, doc: Any, name: str) -> list[str]:
    """The archive members the ``evidence`` part names, each checked against its record."""
    where = f"organizations/{slug}.json: evidence"
    if not isinstance(doc, dict) or set(doc) != set(KEYS):
        raise InputRefused(f"expected {', '.join(KEYS)}", file=name, field=where)
    members = []
    for i, f in enumerate(_list(doc, "files", where, name)):
        sha = f.get("sha256") if isinstance(f, dict) else None
        if not isinstance(sha, str) or len(sha) != 64:
            raise InputRefused(
                "a stored file needs its sha256", file=name, field=f"{where}.files[{i}]"
            )
        member = file_member(slug, sha)
        if member not in archive.files:
            raise InputRefused(f"file {member!r} is missing from the archive", file=name)
        digest = hashlib.sha256()
        with archive.open_file(member) as stream:
            while chunk := stream.read(blobs.CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha:
            raise InputRefused(
                f"file {member!r} does not have the SHA-256 its record names (changed or "
                "damaged); nothing was restored",
                file=name,
            )
        members.append(member)
    return members


class Written:
    """Storage names this restore wrote, so that a failed restore removes them again."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def undo(self) -> None:
        store = blobs.storage()
        for written in self.names:
            store.delete(written)


def restore_evidence(
    archive: fmt.Archive,
    doc: dict[str, Any],
    org: Organization,
    users: Users,
    *,
    name: str,
    written: Written,
    store_files: bool,
) -> int:
    """Store the library of a restored organization; returns the number of items."""
    where = f"organizations/{org.slug}.json: evidence"
    store = blobs.storage()
    by_sha: dict[str, e.StoredFile] = {}
    for i, f in enumerate(doc["files"]):
        row = load_row(
            e.StoredFile,
            f,
            users,
            where=f"{where}.files[{i}]",
            organization=org,
            storage_name=blobs.storage_name(org.pk, f["sha256"]),
        )
        if store_files and not store.exists(row.storage_name):
            with (
                tempfile.TemporaryFile() as spool,
                archive.open_file(file_member(org.slug, row.sha256)) as stream,
            ):
                while chunk := stream.read(blobs.CHUNK):
                    spool.write(chunk)
                spool.seek(0)
                saved = store.save(row.storage_name, File(spool, name=row.sha256))
            written.names.append(saved)
        row.save(force_insert=True)
        by_sha[row.sha256] = row
    profiles = {p.name: p for p in m.Profile.objects.filter(organization=org)}
    outcomes = {
        (o.profile_id, o.code): o
        for o in m.ProfileOutcome.objects.filter(profile__organization=org)
    }

    def profile(value: Any, at: str) -> m.Profile:
        found = profiles.get(value)
        if found is None:
            raise InputRefused(
                f"names profile {value!r}, which the backup lacks", file=name, field=at
            )
        return found

    def outcome(p: m.Profile, code: Any, at: str) -> m.ProfileOutcome:
        found = outcomes.get((p.pk, code))
        if found is None:
            raise InputRefused(f"names outcome {code!r} of {p.name!r}", file=name, field=at)
        return found

    items: list[e.EvidenceItem] = []
    versions: dict[tuple[int, int], e.EvidenceVersion] = {}
    for i, raw in enumerate(doc["items"]):
        at = f"{where}.items[{i}]"
        raw = dict(raw)
        parts = {k: raw.pop(k, []) for k in ("versions", "links")}
        item = load_row(e.EvidenceItem, raw, users, where=at, organization=org)
        item.save(force_insert=True)
        items.append(item)
        for j, v in enumerate(parts["versions"]):
            v = dict(v)
            sha = v.pop("sha256", None)
            stored = by_sha.get(sha) if sha else None
            if sha and stored is None:
                raise InputRefused(
                    f"names file {sha} the backup lacks", file=name, field=f"{at}.versions[{j}]"
                )
            version = load_row(
                e.EvidenceVersion,
                v,
                users,
                where=f"{at}.versions[{j}]",
                item=item,
                stored_file=stored,
            )
            version.save(force_insert=True)
            versions[(i, version.number)] = version
        for j, raw_link in enumerate(parts["links"]):
            raw_link = dict(raw_link)
            p = profile(raw_link.pop("profile", None), f"{at}.links[{j}]")
            o = outcome(p, raw_link.get("code"), f"{at}.links[{j}]")
            load_row(
                e.EvidenceLink,
                raw_link,
                users,
                where=f"{at}.links[{j}]",
                item=item,
                profile=p,
                outcome=o,
            ).save(force_insert=True)

    def version_of(value: Any, at: str) -> e.EvidenceVersion:
        key = tuple(value) if isinstance(value, list) else None
        found = versions.get(key) if key else None  # type: ignore[arg-type]
        if found is None:
            raise InputRefused(
                f"names item version {value!r}, which the backup lacks", file=name, field=at
            )
        return found

    for i, raw in enumerate(doc["requests"]):
        at = f"{where}.requests[{i}]"
        raw = dict(raw)
        codes, keys = raw.pop("outcomes", []), raw.pop("items", [])
        p = profile(raw.pop("profile", None), at)
        req = load_row(e.EvidenceRequest, raw, users, where=at, organization=org, profile=p)
        req.save(force_insert=True)
        req.outcomes.set([outcome(p, c, at) for c in codes])
        try:
            req.items.set([items[k] for k in keys])
        except (IndexError, TypeError):
            raise InputRefused("names an item the backup lacks", file=name, field=at) from None
    for i, raw in enumerate(doc["scans"]):
        at = f"{where}.scans[{i}]"
        raw = dict(raw)
        findings, tallies = raw.pop("findings", []), raw.pop("tallies", [])
        pname = raw.pop("profile", None)
        version = version_of(raw.pop("version", None), at)
        scan = load_row(
            e.ScanImport,
            raw,
            users,
            where=at,
            organization=org,
            profile=profile(pname, at) if pname is not None else None,
            item=version.item,
            version=version,
        )
        scan.save(force_insert=True)
        e.ScanFinding.objects.bulk_create(
            [
                load_row(e.ScanFinding, f, users, where=f"{at}.findings[{j}]", scan=scan)
                for j, f in enumerate(findings)
            ],
            batch_size=500,
        )
        e.ScanOutcome.objects.bulk_create(
            [
                load_row(
                    e.ScanOutcome, t, users, where=f"{at}.tallies[{j}]", scan=scan, organization=org
                )
                for j, t in enumerate(tallies)
            ]
        )
    snapshots = {
        (s.profile.name, s.taken_at): s
        for s in m.Snapshot.objects.filter(profile__organization=org).select_related("profile")
    }
    for i, c in enumerate(doc["citations"]):
        at = f"{where}.citations[{i}]"
        taken = value_in(m.Snapshot._meta.get_field("taken_at"), c.get("taken_at"), at)
        snap = snapshots.get((c.get("profile"), taken))
        if snap is None:
            raise InputRefused("names a snapshot the backup lacks", file=name, field=at)
        version = version_of(c.get("version"), at)
        e.SnapshotEvidence.objects.create(snapshot=snap, item=version.item, version=version)
    return len(items)
