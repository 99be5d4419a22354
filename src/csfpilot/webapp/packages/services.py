"""Keys, trust, export and import of signed packages: the use cases, without HTTP.

Every change is audited: a package exported (``download``), imported
(``import``), a key made, rotated (``create``/``update``) or revoked
(``revoke``), a partner key trusted (``create``) or removed (``delete``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.core.profiles import ProfileKind
from csfpilot.formats.packages import (
    LEVELS,
    FileMember,
    Signer,
    VerifiedPackage,
    build_package,
    canonical,
    grouped,
    listing,
    normalize_fingerprint,
    profile_members,
    read_package,
)
from csfpilot.formats.packages.container import MAX_FILE_BYTES
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.evidence import adoption, blobs
from csfpilot.webapp.evidence import services as evidence
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.packages import received_files
from csfpilot.webapp.packages.models import ImportedPackage, OrganizationKey, TrustedKey
from csfpilot.webapp.packages.sealing import seal, unseal
from csfpilot.webapp.profiles import exchange, lookups

PROFILE_KINDS = {"profile": ProfileKind.ORGANIZATIONAL, "community-profile": ProfileKind.COMMUNITY}
MAX_PARTNER_NAME = 200


def _ensure(access: Access, permission: Permission) -> None:
    lookups.ensure(access, permission)


# -- keys -------------------------------------------------------------------------------


def _new_key(access: Access) -> OrganizationKey:
    signer = Signer.generate(access.organization.name)
    row = OrganizationKey.objects.create(
        organization=access.organization,
        fingerprint=signer.fingerprint,
        public_key=signer.public_key,
        sealed_private_key=seal(signer.raw_private(), signer.fingerprint),
        created_at=timezone.now(),
    )
    audit.record(
        access,
        "package-key",
        row.fingerprint,
        audit.Action.CREATE,
        label=grouped(row.fingerprint),
        changes=audit.created({"fingerprint": row.fingerprint, "state": "active"}),
    )
    return row


def active_key(access: Access) -> OrganizationKey:
    """The organization's active signing key, made on first use."""
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=access.organization.pk).first()
        row = OrganizationKey.objects.filter(
            organization=access.organization, retired_at__isnull=True, revoked_at__isnull=True
        ).first()
        return row or _new_key(access)


def signer_for(access: Access) -> Signer:
    row = active_key(access)
    raw = unseal(bytes(row.sealed_private_key), row.fingerprint)
    return Signer.from_raw(raw, access.organization.name)


def keys(organization: Organization) -> list[OrganizationKey]:
    return list(OrganizationKey.objects.filter(organization=organization))


def rotate(access: Access) -> OrganizationKey:
    """Retire the active key (kept to verify earlier packages) and make a new one."""
    _ensure(access, Permission.EDIT_SETTINGS)
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=access.organization.pk).first()
        now = timezone.now()
        for old in OrganizationKey.objects.filter(
            organization=access.organization, retired_at__isnull=True, revoked_at__isnull=True
        ):
            old.retired_at = now
            old.save(update_fields=["retired_at"])
            audit.record(
                access,
                "package-key",
                old.fingerprint,
                audit.Action.UPDATE,
                label=grouped(old.fingerprint),
                changes={"state": ["active", "retired"]},
            )
        return _new_key(access)


def revoke(access: Access, fingerprint: str) -> OrganizationKey:
    """Revoke one of the organization's keys; a revoked active key is replaced at once."""
    _ensure(access, Permission.EDIT_SETTINGS)
    fingerprint = normalize_fingerprint(fingerprint)
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=access.organization.pk).first()
        row = OrganizationKey.objects.filter(
            organization=access.organization, fingerprint=fingerprint
        ).first()
        if row is None:
            raise NotFound(f"{access.organization.slug} has no key {grouped(fingerprint)}")
        if row.revoked_at is not None:
            return row
        was = row.state
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        audit.record(
            access,
            "package-key",
            row.fingerprint,
            audit.Action.REVOKE,
            label=grouped(row.fingerprint),
            changes={"state": [was, "revoked"]},
        )
        if was == "active":
            _new_key(access)
        return row


# -- trust ------------------------------------------------------------------------------


def trusted(organization: Organization) -> list[TrustedKey]:
    return list(TrustedKey.objects.filter(organization=organization))


def trust(access: Access, fingerprint: str, partner: str) -> TrustedKey:
    """Trust a partner's key, compared by fingerprint, under the partner's name."""
    _ensure(access, Permission.EDIT_SETTINGS)
    fingerprint = normalize_fingerprint(fingerprint)
    partner = " ".join(partner.split())
    if not partner:
        raise InputRefused("name the partner whose key this is", field="partner")
    if len(partner) > MAX_PARTNER_NAME:
        raise InputRefused(
            f"the partner's name has at most {MAX_PARTNER_NAME} characters", field="partner"
        )
    if OrganizationKey.objects.filter(
        organization=access.organization, fingerprint=fingerprint
    ).exists():
        raise InputRefused(
            "this is one of the organization's own keys; they are trusted already",
            field="fingerprint",
        )
    try:
        with transaction.atomic():
            row = TrustedKey.objects.create(
                organization=access.organization,
                fingerprint=fingerprint,
                partner=partner,
                added_at=timezone.now(),
                added_by_id=lookups.acting_user_id(access),
            )
            audit.record(
                access,
                "trusted-key",
                fingerprint,
                audit.Action.CREATE,
                label=partner,
                changes=audit.created({"fingerprint": fingerprint, "partner": partner}),
            )
    except IntegrityError:
        raise ConflictError(f"the key {grouped(fingerprint)} is trusted already") from None
    return row


def untrust(access: Access, fingerprint: str) -> None:
    _ensure(access, Permission.EDIT_SETTINGS)
    fingerprint = normalize_fingerprint(fingerprint)
    row = TrustedKey.objects.filter(
        organization=access.organization, fingerprint=fingerprint
    ).first()
    if row is None:
        raise NotFound(f"{access.organization.slug} does not trust {grouped(fingerprint)}")
    with transaction.atomic():
        row.delete()
        audit.record(
            access,
            "trusted-key",
            fingerprint,
            audit.Action.DELETE,
            label=row.partner,
            changes=audit.deleted({"fingerprint": fingerprint, "partner": row.partner}),
        )


def trust_lists(organization: Organization) -> tuple[dict[str, str], set[str]]:
    """Fingerprints the organization trusts (partners' and its own keys) with their names,
    and its own revoked keys."""
    names = {t.fingerprint: t.partner for t in trusted(organization)}
    revoked: set[str] = set()
    for key in keys(organization):
        if key.revoked_at:
            revoked.add(key.fingerprint)
        else:
            names[key.fingerprint] = organization.name
    return names, revoked


# -- export -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    package_id: str
    fingerprint: str


def _members(access: Access, profile_id: Any, level: str) -> tuple[Any, dict[str, Any]]:
    if level not in LEVELS:
        raise InputRefused(
            f"unknown redaction level {level!r}; choose {', '.join(LEVELS)}", field="level"
        )
    row = lookups.profile(access, profile_id)
    # As a profile file carries it: each outcome names its linked evidence items by line
    # ("Title — sha256:…" for a file) and reference, so that the files chosen below link
    # to the same outcomes where the package is imported (no-text and scores drop them).
    domain = adoption.exported(row, lookups.domain_profile(row))
    framework = lookups.framework_of(row)
    return row, profile_members(domain, framework, level, order=list(framework.outcomes))


def evidence_files(access: Access, level: str, item_ids: Sequence[Any]) -> dict[str, FileMember]:
    """The current file of each evidence item chosen, checked against its stored hash.

    Files travel only at the ``full`` level, and only items chosen one by one.
    """
    if not item_ids:
        return {}
    if level != "full":
        raise InputRefused("evidence files travel only at the full level", field="evidence")
    out: dict[str, FileMember] = {}
    for raw in dict.fromkeys(item_ids):
        item = evidence.item(access, raw)
        version = item.versions.select_related("stored_file").order_by("-number").first()
        stored = version.stored_file if version else None
        if stored is None:
            raise InputRefused(
                f"evidence item {item.pk} ({item.title}) holds no file", field="evidence"
            )
        if stored.size > MAX_FILE_BYTES:
            raise InputRefused(
                f"evidence item {item.pk}: the file has {stored.size:,} bytes; a package "
                f"carries files of at most {MAX_FILE_BYTES:,}",
                field="evidence",
            )
        with blobs.open_stored(stored) as handle:
            data = handle.read(stored.size + 1)
        if len(data) != stored.size or hashlib.sha256(data).hexdigest() != stored.sha256:
            raise InputRefused(
                f"evidence item {item.pk}: the stored file no longer has its hash (damaged "
                "storage)",
                field="evidence",
            )
        out[str(item.pk)] = FileMember(
            version.filename or f"evidence-{item.pk}", stored.media_type, data
        )
    return out


def file_items(access: Access) -> list[Any]:
    """The organization's evidence items that hold a file, to choose from (at most 500)."""
    from csfpilot.webapp.evidence import models as em

    return list(
        em.EvidenceItem.objects.filter(
            organization=access.organization, form=em.Form.FILE, retired_at__isnull=True
        ).order_by("title", "id")[:500]
    )


def _file_rows(files: Mapping[str, FileMember]) -> list[tuple[str, str, Any]]:
    rows: list[tuple[str, str, Any]] = []
    for f in sorted(files.values(), key=lambda f: f.sha256):
        name = f"files/{f.sha256}"
        rows += [(name, "filename", f.filename), (name, "media_type", f.media_type)]
        rows += [(name, "size", len(f.data))]
    return rows


def preview(
    access: Access, profile_id: Any, level: str, evidence_items: Sequence[Any] = ()
) -> list[tuple[str, str, Any]]:
    """Every field that would leave in a package of the profile at ``level`` (and the
    evidence files chosen, at ``full``)."""
    _ensure(access, Permission.EXPORT)
    _, members = _members(access, profile_id, level)
    return listing(members) + _file_rows(evidence_files(access, level, evidence_items))


def kind_of(row: Any) -> str:
    return "community-profile" if row.kind == ProfileKind.COMMUNITY.value else "profile"


def export_profile(
    access: Access, profile_id: Any, level: str, evidence_items: Sequence[Any] = ()
) -> Export:
    """A signed package of the profile at redaction ``level`` (audited), with the files of
    the evidence items chosen (``full`` only)."""
    _ensure(access, Permission.EXPORT)
    row, members = _members(access, profile_id, level)
    files = evidence_files(access, level, evidence_items)
    signer = signer_for(access)
    title = row.name if level != "scores" else ""
    data = build_package(kind_of(row), members, level, signer, title=title, files=files)
    package_id = read_package(data, {signer.fingerprint: ""}).package_id
    with transaction.atomic():
        audit.record(
            access,
            "profile",
            row.pk,
            audit.Action.DOWNLOAD,
            label=row.name,
            changes={
                "package": [None, package_id],
                "level": [None, level],
                "fingerprint": [None, signer.fingerprint],
                "evidence": [None, sorted(int(k) for k in files)],
            },
        )
    filename = exchange.export_filename(row, "json", suffix=f"-{level}").replace(
        ".json", ".csfpkg.json"
    )
    return Export(data, filename, package_id, signer.fingerprint)


# -- import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Inspection:
    """What the importing organization sees before it decides."""

    package: VerifiedPackage
    already_imported: bool
    importable: bool
    reason: str  # why not importable, when it is not
    rows: list[tuple[str, str, Any]]


def inspect(access: Access, data: bytes, *, filename: str = "package") -> Inspection:
    """Verify a package against the organization's trusted keys; store nothing."""
    _ensure(access, Permission.VIEW)
    names, revoked = trust_lists(access.organization)
    pkg = read_package(data, names, revoked=revoked, name=filename)
    seen = ImportedPackage.objects.filter(
        organization=access.organization, package_id=pkg.package_id
    ).exists()
    reason = ""
    if seen:
        reason = "this package was imported already (same package id): a replay is refused"
    elif pkg.kind not in PROFILE_KINDS:
        reason = f"a {pkg.kind} package is imported where that exchange is handled"
    elif "profile.json" not in pkg.members:
        reason = "this package holds scores only; there is no profile to import"
    return Inspection(pkg, seen, not reason, reason, listing(pkg.members))


def import_package(
    access: Access,
    data: bytes,
    *,
    filename: str = "package",
    confirm_untrusted: bool = False,
    name: str | None = None,
) -> tuple[ImportedPackage, VerifiedPackage]:
    """Store a verified profile package as a new profile of the organization.

    Refused when altered (by :func:`read_package`), replayed, of another kind,
    scores-only, or untrusted without ``confirm_untrusted``. An untrusted import
    is recorded as such.
    """
    _ensure(access, Permission.EDIT_PROFILES)
    seen = inspect(access, data, filename=filename)
    pkg = seen.package
    if not seen.importable:
        raise InputRefused(seen.reason, file=filename)
    if not pkg.trusted and not confirm_untrusted:
        raise InputRefused(
            f"{'; '.join(pkg.problems)}: confirm to import it anyway (it stays marked untrusted)",
            file=filename,
        )
    profile, warnings = exchange.read_profile_file(
        canonical(pkg.members["profile.json"]), filename=f"{filename}: profile.json", fmt="json"
    )
    source = {
        "package": pkg.package_id,
        "producer": pkg.producer,
        "fingerprint": pkg.fingerprint,
        "trusted": pkg.trusted,
        "level": pkg.redaction,
    }
    with transaction.atomic():
        # Files first: storing the profile links its evidence lines to the items they name.
        items = received_files.store_files(access, pkg, filename)
        if items:
            source["evidence"] = [i.pk for i in items]
        result = exchange.store_profile(
            access,
            profile,
            name=name,
            kind=PROFILE_KINDS[pkg.kind],
            warnings=warnings,
            source=source,
        )
        try:
            with transaction.atomic():
                row = record_import(access, pkg, data, profile=result.profile)
        except IntegrityError:
            raise InputRefused(
                "this package was imported already (same package id): a replay is refused",
                file=filename,
            ) from None
        audit.record(
            access,
            "package",
            pkg.package_id,
            audit.Action.IMPORT,
            label=pkg.title or pkg.producer,
            changes=audit.created({**source, "profile": result.profile.pk}),
        )
    return row, pkg


def imported(organization: Organization) -> list[ImportedPackage]:
    return list(
        ImportedPackage.objects.filter(organization=organization).select_related("profile")[:200]
    )


def package_out(pkg: VerifiedPackage) -> Mapping[str, Any]:
    """A package's verification result as plain JSON (the API's and the CLI's form)."""
    from csfpilot.formats.packages import verification_summary

    return verification_summary(pkg)


def keys_out(organization: Organization) -> dict[str, Any]:
    """The organization's keys and trusted partner keys as plain JSON."""
    from csfpilot.formats.packages import public_key_pem

    return {
        "organization": organization.slug,
        "keys": [
            {
                "fingerprint": k.fingerprint,
                "fingerprint_grouped": grouped(k.fingerprint),
                "state": k.state,
                "created": k.created_at.isoformat(),
                "retired": k.retired_at.isoformat() if k.retired_at else None,
                "revoked": k.revoked_at.isoformat() if k.revoked_at else None,
                "public_key_pem": public_key_pem(bytes(k.public_key)),
            }
            for k in keys(organization)
        ],
        "trusted": [
            {
                "fingerprint": t.fingerprint,
                "fingerprint_grouped": grouped(t.fingerprint),
                "partner": t.partner,
                "added": t.added_at.isoformat(),
            }
            for t in trusted(organization)
        ],
    }


def record_import(
    access: Access, pkg: VerifiedPackage, data: bytes, *, at: Any = None, profile: Any = None
) -> ImportedPackage:
    """Note that ``pkg`` was imported: its package id is unique per organization, so the
    same package imported again fails here (IntegrityError) and is refused as a replay."""
    return ImportedPackage.objects.create(
        organization=access.organization,
        package_id=pkg.package_id,
        kind=pkg.kind,
        redaction=pkg.redaction,
        producer=pkg.producer[:500],
        fingerprint=pkg.fingerprint or "",
        trusted=pkg.trusted,
        sha256=hashlib.sha256(data).hexdigest(),
        imported_at=at or timezone.now(),
        profile=profile,
    )
