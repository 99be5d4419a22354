"""Backing up and restoring organizations, as a portable archive of canonical JSON.

**What a backup holds.** ``users.json`` (the people the backup refers to) and
one ``organizations/<slug>.json`` per organization: the organization, its
members, its profiles with every outcome, action and snapshot, and its whole
audit trail (which therefore verifies on its own after a restore). NIST's
catalogs are not copied: ``manifest.json`` names each framework release the
profiles use by key and content digest, and a restore refuses to run unless
this instance has exactly that release loaded.

A backup of the whole instance (``scope: instance``, made from the command
line by the instance's operator) holds every user with their password hash
and e-mail addresses, so people sign in as before. A backup of one
organization (``scope: organization``, which its owners can download) holds
only the names and e-mail addresses of the people it mentions — never a
password hash. API tokens and MFA devices are credentials and are never in
a backup: people issue new tokens and enrol their devices again.

**Byte for byte.** No database ids, rows in a fixed order, times in UTC; the
manifest's ``data_as_of`` is the time of the newest audit event in the backup
(taken from the data, not the clock). So backup → restore → backup gives the
same file, on SQLite, on PostgreSQL and from one to the other. Backups and
restores are recorded in the instance's audit chain, not the organization's,
so that recording them does not change the next backup.

**Restore** is one transaction: a refused archive or a conflict stores
nothing. A whole-instance backup restores into an empty database (no users,
no organizations); an organization restores into an instance that lacks it.
A check (``check_only``) runs the very same restore and rolls it back, so what
it reports is exactly what the restore would store, or the reason it refuses;
the operator's restore page shows it before anything is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from csfpilot import __version__
from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.formats import backup_archive as fmt
from csfpilot.webapp.audit import checkpoints
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.audit.chain import entry_mac
from csfpilot.webapp.audit.chain import verify as verify_chain
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.backup import evidence_rows
from csfpilot.webapp.backup.rows import Users, dump_row, load_row, stored_timestamps
from csfpilot.webapp.catalog.models import Framework, Node
from csfpilot.webapp.intake.models import CommunitySource
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.profiles import models as m

INSTANCE = "instance"
ORGANIZATION = "organization"
USERS = "users.json"
_USER_SKIP_ALWAYS = ("last_login",)
_USER_SECRETS = ("password", "is_superuser", "is_staff", "date_joined")


def org_member(slug: str) -> str:
    return f"organizations/{slug}.json"


# -- backup -------------------------------------------------------------------------------


def _profile(row: m.Profile, users: Users, frameworks: dict[str, str]) -> dict[str, Any]:
    frameworks[row.framework.key] = row.framework.content_digest
    doc = dump_row(row, users, skip=("organization", "framework"))
    doc["framework"] = row.framework.key
    try:
        source = row.community_source
    except ObjectDoesNotExist:
        source = None
    if source is not None:
        # Where a Community Profile read from a workbook came from (version 3 on). Its
        # statements framework is named by key: frameworks are the instance's, not backed up.
        doc["community_source"] = dump_row(source, users, skip=("profile",))
    doc["outcomes"] = [
        dump_row(o, users, skip=("profile", "node"))
        for o in m.ProfileOutcome.objects.filter(profile=row).order_by("position", "code")
    ]
    doc["actions"] = [
        dump_row(a, users, skip=("profile",))
        for a in m.Action.objects.filter(profile=row).order_by("position", "code")
    ]
    doc["snapshots"] = [
        dump_row(s, users, skip=("profile",))
        for s in m.Snapshot.objects.filter(profile=row).order_by("taken_at")
    ]
    return doc


def _organization(
    org: Organization,
    users: Users,
    frameworks: dict[str, str],
    files: dict[str, fmt.FileSource],
) -> dict[str, Any]:
    members = [
        dump_row(ms, users, skip=("organization",))
        for ms in Membership.objects.filter(organization=org)
    ]
    profiles = [
        _profile(p, users, frameworks)
        for p in m.Profile.objects.filter(organization=org).select_related(
            "framework", "community_source"
        )
    ]
    events = [
        # The keyed hash stays behind: it is made with this instance's audit key, and the
        # instance that restores the archive keys the entries with its own.
        dump_row(e, users, skip=("organization", "mac"))
        for e in AuditEvent.objects.filter(organization=org).order_by("seq")
    ]
    return {
        "organization": dump_row(org, users),
        "members": sorted(members, key=lambda r: r["user"] or ""),
        "profiles": sorted(profiles, key=lambda p: (p["name"].lower(), p["name"])),
        "evidence": evidence_rows.dump_evidence(org, users, files),
        "audit": events,
    }


def _users(users: Users, *, scope: str) -> list[dict[str, Any]]:
    from allauth.account.models import EmailAddress

    model = get_user_model()
    qs = model.objects.order_by("username")
    if scope != INSTANCE:
        qs = qs.filter(username__in=users.used)
    skip = _USER_SKIP_ALWAYS + (() if scope == INSTANCE else _USER_SECRETS)
    out = []
    for user in qs:
        doc = dump_row(user, users, skip=skip)
        if scope == INSTANCE:
            doc["emails"] = [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user).order_by("email")
            ]
        out.append(doc)
    return out


@dataclass(frozen=True)
class Backup:
    data: bytes
    scope: str
    organizations: tuple[str, ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def make_backup(org_slug: str | None = None) -> Backup:
    """The archive of one organization, or of the whole instance (``org_slug`` None).

    Read inside one transaction, so the archive is one consistent state even
    while people keep working.
    """
    scope = INSTANCE if org_slug is None else ORGANIZATION
    users = Users()
    frameworks: dict[str, str] = {}
    members: dict[str, bytes] = {}
    files: dict[str, fmt.FileSource] = {}
    with transaction.atomic():
        orgs = Organization.objects.order_by("slug")
        if org_slug is not None:
            orgs = orgs.filter(slug=org_slug)
            if not orgs.exists():
                raise InputRefused(f"no organization {org_slug!r}", field="org")
        latest = None
        for org in orgs:
            doc = _organization(org, users, frameworks, files)
            members[org_member(org.slug)] = fmt.canonical(doc)
            if doc["audit"]:
                at = doc["audit"][-1]["at"]
                latest = at if latest is None or at > latest else latest
        members[USERS] = fmt.canonical(_users(users, scope=scope))
    manifest = {
        "generator": f"csfpilot {__version__}",
        "scope": scope,
        "organizations": sorted(
            o.removeprefix("organizations/").removesuffix(".json")
            for o in members
            if o.startswith("organizations/")
        ),
        "frameworks": [{"key": k, "content_digest": v} for k, v in sorted(frameworks.items())],
        "data_as_of": latest,
    }
    slugs = tuple(manifest["organizations"])
    return Backup(fmt.write_archive(manifest, members, files), scope, slugs)


def record_backup(backup: Backup, who: audit.Who) -> None:
    """Note in the instance's audit chain that a backup was taken, and by whom."""
    with transaction.atomic():
        audit.append(
            None,
            who,
            object_type="backup",
            object_id=backup.sha256[:16],
            action=audit.Action.BACKUP,
            label=", ".join(backup.organizations) or backup.scope,
            changes={"scope": backup.scope, "sha256": backup.sha256, "bytes": len(backup.data)},
            org_slug=backup.organizations[0] if backup.scope == ORGANIZATION else "",
        )
    # The archive carries the chains as they are now: anchor them outside the database too.
    checkpoints.write()


# -- restore ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldOrganization:
    """One organization of an archive, as restored (or as a check would restore it)."""

    slug: str
    name: str
    members: int
    profiles: int
    audit_events: int


@dataclass(frozen=True)
class Restored:
    scope: str
    organizations: tuple[str, ...]
    users_created: int
    profiles: int
    audit_events: int
    held: tuple[HeldOrganization, ...] = ()
    frameworks: tuple[str, ...] = ()  # the releases the profiles assess, by key
    generator: str = ""
    data_as_of: str | None = None
    sha256: str = ""
    size: int = 0


def _check_frameworks(manifest: dict[str, Any], name: str) -> dict[str, Framework]:
    found: dict[str, Framework] = {}
    for entry in manifest.get("frameworks") or []:
        key, digest = entry.get("key"), entry.get("content_digest")
        fw = Framework.objects.filter(key=key).first()
        if fw is None:
            raise InputRefused(
                f"the backup's profiles assess {key!r}, which is not loaded here; load that "
                "framework release first (csfpilot import-framework)",
                file=name,
                field="frameworks",
            )
        if fw.content_digest != digest:
            raise InputRefused(
                f"the backup was made with another release of {key!r} (content digest "
                f"{digest[:12]}…, here {fw.content_digest[:12]}…)",
                file=name,
                field="frameworks",
            )
        found[key] = fw
    return found


def _restore_users(docs: Any, users: Users, scope: str, name: str) -> int:
    from allauth.account.models import EmailAddress

    model = get_user_model()
    if not isinstance(docs, list):
        raise InputRefused("expected a list of users", file=name, field=USERS)
    created = 0
    for i, doc in enumerate(docs):
        where = f"users[{i}]"
        if not isinstance(doc, dict) or not isinstance(doc.get("username"), str):
            raise InputRefused("a user needs a username", file=name, field=where)
        emails = doc.pop("emails", []) if scope == INSTANCE else []
        existing = model.objects.filter(username=doc["username"]).first()
        if existing is None and doc.get("email"):
            existing = model.objects.filter(email__iexact=doc["email"]).first()
        if existing is not None:
            if scope == INSTANCE:
                raise ConflictError(f"user {doc['username']!r} already exists")
            users.add(doc["username"], existing.pk)
            continue
        user = load_row(model, doc, users, where=where, skip=_USER_SKIP_ALWAYS)
        if scope != INSTANCE:
            user.set_unusable_password()
        user.creation_audited = True  # the restore's own event counts the accounts it made
        user.save(force_insert=True)
        users.add(doc["username"], user.pk)
        created += 1
        for e in emails:
            EmailAddress.objects.create(
                user=user,
                email=e["email"],
                verified=bool(e["verified"]),
                primary=bool(e["primary"]),
            )
    return created


_ORG_KEYS = {"organization", "members", "profiles", "audit"}


def _restore_organization(
    doc: Any,
    users: Users,
    frameworks: dict[str, Framework],
    slug: str,
    name: str,
    *,
    archive: fmt.Archive,
    written: evidence_rows.Written,
    store_files: bool,
) -> HeldOrganization:
    where = org_member(slug)
    # Version 1 archives have no evidence part.
    if not isinstance(doc, dict) or set(doc) - {"evidence"} != _ORG_KEYS:
        raise InputRefused(
            "expected organization, members, profiles, evidence and audit", file=name, field=where
        )
    org = load_row(Organization, doc["organization"], users, where=f"{where}: organization")
    if org.slug != slug:
        raise InputRefused(f"holds organization {org.slug!r}", file=name, field=where)
    if Organization.objects.filter(slug=slug).exists():
        raise ConflictError(
            f"organization {slug!r} already exists here; a backup restores into an instance "
            "that lacks it"
        )
    org.save(force_insert=True)
    Membership.objects.bulk_create(
        [
            load_row(Membership, r, users, where=f"{where}: members[{i}]", organization=org)
            for i, r in enumerate(doc["members"])
        ]
    )
    for i, p in enumerate(doc["profiles"]):
        _restore_profile(p, org, users, frameworks, f"{where}: profiles[{i}]", name)
    if "evidence" in doc:
        evidence_rows.restore_evidence(
            archive,
            doc["evidence"],
            org,
            users,
            name=name,
            written=written,
            store_files=store_files,
        )
    events = [
        load_row(AuditEvent, e, users, where=f"{where}: audit[{i}]", organization=org)
        for i, e in enumerate(doc["audit"])
    ]
    # The archive's trail must hold before this instance vouches for it with its key.
    verdict = verify_chain((e.pk, e.hashed_fields(), e.hash) for e in events)
    if not verdict.ok:
        raise InputRefused(
            f"the audit trail does not verify at {verdict.broken}", file=name, field=where
        )
    for event in events:
        event.mac = entry_mac(settings.AUDIT_KEY, event.hash)
    AuditEvent.objects.bulk_create(events, batch_size=500)
    return HeldOrganization(slug, org.name, len(doc["members"]), len(doc["profiles"]), len(events))


def _restore_profile(
    doc: Any,
    org: Organization,
    users: Users,
    frameworks: dict[str, Framework],
    where: str,
    name: str,
) -> None:
    if not isinstance(doc, dict):
        raise InputRefused("expected a profile", file=name, field=where)
    doc = dict(doc)
    parts = {k: doc.pop(k, []) for k in ("outcomes", "actions", "snapshots")}
    source = doc.pop("community_source", None)
    fw = frameworks.get(doc.pop("framework", None))
    if fw is None:
        raise InputRefused("names a framework the manifest does not list", file=name, field=where)
    row = load_row(m.Profile, doc, users, where=where, organization=org, framework=fw)
    row.save(force_insert=True)
    nodes = dict(
        Node.objects.filter(
            framework=fw, code__in=[o.get("code") for o in parts["outcomes"]]
        ).values_list("code", "pk")
    )
    outcomes = []
    for i, o in enumerate(parts["outcomes"]):
        node_id = nodes.get(o.get("code"))
        if node_id is None:
            raise InputRefused(
                f"outcome {o.get('code')!r} is not in {fw.key}",
                file=name,
                field=f"{where}.outcomes[{i}]",
            )
        outcomes.append(
            load_row(
                m.ProfileOutcome,
                o,
                users,
                where=f"{where}.outcomes[{i}]",
                profile=row,
                node_id=node_id,
            )
        )
    m.ProfileOutcome.objects.bulk_create(outcomes, batch_size=500)
    m.Action.objects.bulk_create(
        [
            load_row(m.Action, a, users, where=f"{where}.actions[{i}]", profile=row)
            for i, a in enumerate(parts["actions"])
        ]
    )
    m.Snapshot.objects.bulk_create(
        [
            load_row(m.Snapshot, s, users, where=f"{where}.snapshots[{i}]", profile=row)
            for i, s in enumerate(parts["snapshots"])
        ]
    )
    if source is not None:
        if row.kind != "community":
            raise InputRefused(
                "only a Community Profile has a community_source", file=name, field=where
            )
        load_row(
            CommunitySource, source, users, where=f"{where}.community_source", profile=row
        ).save(force_insert=True)


def restore_backup(
    data: bytes, *, name: str, who: audit.Who = audit.CLI, check_only: bool = False
) -> Restored:
    """Restore an archive; all or nothing. See the module docstring for what goes where.

    ``check_only``: make every check and every row, then roll back and record
    nothing; the answer says what a restore would store.
    """
    archive = fmt.read_archive(data, name=name)
    manifest = archive.manifest
    scope = manifest.get("scope")
    if scope not in (INSTANCE, ORGANIZATION):
        raise InputRefused(f"unknown scope {scope!r}", file=name, field="scope")
    slugs = manifest.get("organizations")
    expected = {USERS, *(org_member(s) for s in slugs or [])}
    if not isinstance(slugs, list) or set(archive.members) != expected:
        raise InputRefused(
            "the manifest's organizations do not match the archive's members", file=name
        )
    docs = {slug: fmt.load_member(archive, org_member(slug), name=name) for slug in slugs}
    # Every evidence file is checked against its record before anything is stored.
    named: set[str] = set()
    for slug, doc in docs.items():
        if isinstance(doc, dict) and "evidence" in doc:
            named.update(evidence_rows.check_files(archive, slug, doc["evidence"], name))
    if set(archive.files) != named:
        extra = sorted(set(archive.files) - named)
        raise InputRefused(f"file {extra[0]!r} is not named by any record", file=name)
    digest = hashlib.sha256(data).hexdigest()
    written = evidence_rows.Written()
    try:
        return _restore(archive, docs, name, who, check_only, written, digest, len(data))
    except BaseException:
        written.undo()
        raise


def _restore(
    archive: fmt.Archive,
    docs: dict[str, Any],
    name: str,
    who: audit.Who,
    check_only: bool,
    written: evidence_rows.Written,
    digest: str,
    size: int,
) -> Restored:
    manifest = archive.manifest
    scope = manifest["scope"]
    slugs = manifest["organizations"]
    user_model = get_user_model()
    with (
        transaction.atomic(),
        stored_timestamps(
            user_model,
            Organization,
            Membership,
            m.Profile,
            m.ProfileOutcome,
            m.Action,
            m.Snapshot,
            CommunitySource,
            *evidence_rows.MODELS,
        ),
    ):
        if scope == INSTANCE and (Organization.objects.exists() or user_model.objects.exists()):
            raise ConflictError(
                "a whole-instance backup restores into an empty database, and this one has "
                f"{user_model.objects.count()} user(s) and {Organization.objects.count()} "
                "organization(s); restore into a new database"
            )
        frameworks = _check_frameworks(manifest, name)
        users = Users()
        created = _restore_users(fmt.load_member(archive, USERS, name=name), users, scope, name)
        held = tuple(
            _restore_organization(
                docs[slug],
                users,
                frameworks,
                slug,
                name,
                archive=archive,
                written=written,
                store_files=not check_only,
            )
            for slug in slugs
        )
        profiles = sum(h.profiles for h in held)
        events = sum(h.audit_events for h in held)
        if check_only:
            transaction.set_rollback(True)
        else:
            audit.append(
                None,
                who,
                object_type="backup",
                object_id=digest[:16],
                action=audit.Action.RESTORE,
                label=", ".join(slugs) or scope,
                changes={
                    "scope": scope,
                    "sha256": digest,
                    "organizations": slugs,
                    "profiles": profiles,
                    "audit_events": events,
                    "users_created": created,
                },
                org_slug=slugs[0] if scope == ORGANIZATION and slugs else "",
            )
    if not check_only:
        # The restored chains are now the ones to hold: anchor them, so that a trail restored
        # from an older backup is not taken for one whose newest entries were deleted.
        checkpoints.write()
    generator = manifest.get("generator")
    as_of = manifest.get("data_as_of")
    return Restored(
        scope,
        tuple(slugs),
        created,
        profiles,
        events,
        held=held,
        frameworks=tuple(sorted(frameworks)),
        generator=generator if isinstance(generator, str) else "",
        data_as_of=as_of if isinstance(as_of, str) else None,
        sha256=digest,
        size=size,
    )
