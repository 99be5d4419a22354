"""Profiles in and out: profile files, Community Profiles, derived targets and snapshots.

**Files.** csfpilot's native profile format (YAML or JSON, see
docs/profile-format.md) is read and written by :mod:`csfpilot.formats.native`;
this module stores what it reads and exports what is stored. The round trip is
lossless: export → import → export gives the same file. A refused file names
the file, the line (YAML), the outcome and the field, and stores nothing.

**Community Profiles** are imported the same way (``kind: community``). A
Target Profile is derived from one by the domain
(:func:`csfpilot.core.profiles.derive_target`): as a new profile, or onto an
existing one (its current side stays), with the list of differences — which
can be previewed before anything is stored.

**Snapshots** are dated, immutable copies, stored as native documents.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.ids import DEFAULT_FRAMEWORK
from csfpilot.core.profiles import Change, Profile, ProfileKind, check_profile
from csfpilot.core.profiles import derive_target as derive_from_community
from csfpilot.formats.native import (
    dump_profile,
    format_of,
    parse_profile,
    to_document,
)
from csfpilot.formats.native.files import Format
from csfpilot.formats.native.yaml_reader import load_yaml
from csfpilot.formats.safe_json import decode_utf8, load_json
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.evidence import adoption as evidence_exchange
from csfpilot.webapp.evidence import services as evidence
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import audit_trail, inputs, lookups, persist, storage
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.conflicts import StaleEdit
from csfpilot.webapp.profiles.frameworks import outcome_framework, withdrawals
from csfpilot.webapp.profiles.history import document_digest, snapshot_profile
from csfpilot.webapp.profiles.uploads import import_limit

# -- profile files --------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """The stored profile, whether it was created (or its content replaced), and the
    reader's warnings (ratings on excluded outcomes, and the like)."""

    profile: m.Profile
    created: bool
    warnings: tuple[str, ...] = ()


def _framework_key(data: bytes, fmt: Format, filename: str) -> str:
    """The framework a file names, to check its outcome ids against the stored release.

    Only a hint: if the file cannot be read here, the full reader reports why.
    """
    try:
        if fmt == "yaml":
            doc, _ = load_yaml(decode_utf8(data, name=filename), name=filename)
        else:
            doc = load_json(data, name=filename, max_bytes=import_limit(), max_depth=32)
    except InputRefused:
        return DEFAULT_FRAMEWORK
    key = doc.get("framework") if isinstance(doc, dict) else None
    return key if isinstance(key, str) and key else DEFAULT_FRAMEWORK


def read_profile_file(
    data: bytes, *, filename: str, fmt: Format | None = None
) -> tuple[Profile, tuple[str, ...]]:
    """Parse and check a profile file against its stored framework; nothing is stored."""
    fmt = fmt or format_of(Path(filename))
    if len(data) > import_limit():
        raise InputRefused(
            f"the file has {len(data):,} bytes; the limit is {import_limit():,}",
            file=filename,
        )
    key = _framework_key(data, fmt, filename)
    fw = catalog.Framework.objects.filter(key=key).first()
    if fw is None:
        raise InputRefused(
            f"the file is written for {key!r}, which is not loaded here",
            file=filename,
            field="framework",
        )
    loaded = parse_profile(
        data,
        name=filename,
        fmt=fmt,
        framework=outcome_framework(fw),
        withdrawals=withdrawals(fw.key),
    )
    if loaded.profile.snapshot is not None:
        raise InputRefused(
            "this file is a snapshot (it has a snapshot block); import the live profile, "
            "or remove the snapshot block to start a profile from it",
            file=filename,
            field="snapshot",
        )
    return loaded.profile, loaded.warnings


def import_profile_file(
    access: Access,
    data: bytes,
    *,
    filename: str,
    fmt: Format | None = None,
    name: str | None = None,
    replace_existing: bool = False,
    kind: ProfileKind | None = None,
) -> ImportResult:
    """Store a profile file (YAML or JSON) as a profile of the caller's organization.

    The profile is named as in the file unless ``name`` is given. When the
    organization already has a profile of that name, the import is refused
    unless ``replace_existing``: then that profile takes the file's content
    (same framework and kind), every changed outcome and action moving to a
    new version. ``kind`` restricts what is accepted (Community Profile
    uploads). All or nothing.
    """
    lookups.ensure(access, Permission.EDIT_PROFILES)
    profile, warnings = read_profile_file(data, filename=filename, fmt=fmt)
    try:
        return store_profile(
            access,
            profile,
            name=name,
            replace_existing=replace_existing,
            kind=kind,
            warnings=warnings,
            source={"file": filename},
        )
    except InputRefused as exc:
        raise InputRefused(
            exc.message, file=filename, element=exc.element, field=exc.field
        ) from None


def store_profile(
    access: Access,
    profile: Profile,
    *,
    name: str | None = None,
    replace_existing: bool = False,
    kind: ProfileKind | None = None,
    warnings: tuple[str, ...] = (),
    source: dict[str, Any] | None = None,
) -> ImportResult:
    """Store a domain profile in the caller's organization (what a file import does once
    the file is read; also how seeded content such as the demo is stored).

    Checked against the stored framework release it names; see
    :func:`import_profile_file` for names, ``replace_existing`` and ``kind``.
    The audit trail records it as one import event; ``source`` (the file name)
    is recorded with it.
    """
    lookups.ensure(access, Permission.EDIT_PROFILES)
    fw = catalog.Framework.objects.filter(key=profile.framework).first()
    if fw is None:
        raise InputRefused(f"{profile.framework!r} is not loaded here", field="framework")
    if profile.snapshot is not None:
        raise InputRefused("a snapshot is stored with take_snapshot", field="snapshot")
    warnings = warnings or tuple(check_profile(profile, outcome_framework(fw), withdrawals(fw.key)))
    inputs.storable(to_document(profile))
    if kind is not None and profile.kind is not kind:
        raise InputRefused(
            f"expected a {kind.value} profile, not an {profile.kind.value} one", field="kind"
        )
    target_name = inputs.name(name if name is not None else profile.name)
    with transaction.atomic():
        existing = (
            m.Profile.objects.select_for_update()
            .select_related("framework")
            .filter(organization=access.organization, name__iexact=target_name)
            .first()
        )
        if existing is None:
            row = persist.store_new(access, fw, profile, name=target_name)
            audit_trail.record_content(access, row, audit.Action.IMPORT, None, summary=source)
            missing = evidence.match_refs(access, row, profile, apply=True)
            return ImportResult(row, True, (*warnings, *missing))
        if not replace_existing:
            raise ConflictError(
                f"{access.organization.slug} already has a profile named {existing.name!r}; "
                "import it under another name, or replace that profile's content"
            )
        if existing.kind != profile.kind.value:
            raise InputRefused(
                f"{existing.name!r} is an {existing.kind} profile and this one an "
                f"{profile.kind.value} one",
                field="kind",
            )
        before = audit_trail.content_state(existing)
        persist.replace_content(access, existing, profile)
        audit_trail.record_content(access, existing, audit.Action.IMPORT, before, summary=source)
        missing = evidence.match_refs(access, existing, profile, apply=True)
        return ImportResult(existing, False, (*warnings, *missing))


def export_profile_file(access: Access, profile_id: Any, fmt: Format = "yaml") -> str:
    """The profile as a native file (YAML with the outcome statements as comments, or JSON)."""
    lookups.ensure(access, Permission.EXPORT)
    row = lookups.profile(access, profile_id)
    domain = evidence_exchange.exported(row, lookups.domain_profile(row))
    return dump_profile(domain, fmt, framework=lookups.framework_of(row))


def export_filename(row: m.Profile, fmt: Format = "yaml", *, suffix: str = "") -> str:
    """A file name for an export: the profile's name, made safe for any file system."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in row.name.lower())
    safe = "-".join(p for p in safe.split("-") if p) or "profile"
    return f"{safe[:80]}{suffix}.{fmt}"


# -- snapshots --------------------------------------------------------------------------


def take_snapshot(
    access: Access, profile_id: Any, *, label: str = "", taken_at: datetime | None = None
) -> m.Snapshot:
    """Keep a dated, immutable copy of the profile as it is now (``taken_at`` records an
    earlier review's date when history is entered after the fact; never the future)."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    label = inputs.text(label, "label", limit=inputs.NAME_MAX)
    now = timezone.now()
    taken_at = taken_at or now
    if timezone.is_naive(taken_at):
        raise InputRefused("a snapshot time needs a time zone", field="taken_at")
    if taken_at > now + timedelta(minutes=5):
        raise InputRefused("a snapshot cannot be taken in the future", field="taken_at")
    with transaction.atomic():
        row = lookups.profile(access, profile_id, for_update=True)
        framework = lookups.framework_of(row)
        # The snapshot cites the library items linked now, by version and hash.
        citing = evidence_exchange.cited(row)
        live = evidence_exchange.exported(
            row, lookups.domain_profile(row), lines=False, by_side=citing
        )
        copy = live.snapshot_of(taken_at, label)
        # The document of a valid profile; exports check it against the JSON Schema.
        document = to_document(copy, order=list(framework.outcomes))
        try:
            with transaction.atomic():
                snapshot = m.Snapshot.objects.create(
                    profile=row,
                    taken_at=taken_at,
                    label=label,
                    document=document,
                    digest=document_digest(document),
                    created_by_id=lookups.acting_user_id(access),
                )
                cites = evidence.record_citations(snapshot, citing)
                audit.record(
                    access,
                    audit_trail.SNAPSHOT,
                    snapshot.pk,
                    audit.Action.CREATE,
                    label=f"{taken_at.isoformat()} · {row.name}",
                    changes=audit.created(
                        {
                            "taken_at": taken_at,
                            "label": label,
                            "digest": snapshot.digest,
                            "evidence_versions": cites,
                        }
                    ),
                )
                return snapshot
        except IntegrityError as exc:
            raise ConflictError(
                f"{row.name!r} already has a snapshot taken at {taken_at.isoformat()}"
            ) from exc


def export_snapshot_file(access: Access, snapshot_id: Any, fmt: Format = "yaml") -> str:
    lookups.ensure(access, Permission.EXPORT)
    snapshot = lookups.snapshot(access, snapshot_id)
    framework = outcome_framework(snapshot.profile.framework)
    return dump_profile(snapshot_profile(snapshot), fmt, framework=framework)


# -- Community Profiles ---------------------------------------------------------------


@dataclass(frozen=True)
class DeriveResult:
    """A Target Profile derived from a Community Profile and what that changed.

    ``profile`` is the stored profile, or None for a preview (nothing stored).
    ``changes`` lists every field that differs from the base profile (or, for a
    new profile, from an empty one), profile-level first, outcomes in document
    order.
    """

    profile: m.Profile | None
    derived: Profile
    changes: tuple[Change, ...]


def derive_target(
    access: Access,
    community_id: Any,
    *,
    base_id: Any = None,
    name: str | None = None,
    apply: bool = True,
    expected_version: int | None = None,
) -> DeriveResult:
    """Take a Community Profile's targets as the organization's Target Profile.

    Without ``base_id`` a new profile is started (named ``name``, or "Target
    from <community>"); with it, that profile's targets, target priorities and
    target details are replaced for every outcome the community includes, and
    its current side is left as it is. ``apply=False`` only previews the
    result and its differences. ``expected_version`` guards the base profile
    against a concurrent change.
    """
    lookups.ensure(access, Permission.EDIT_PROFILES if apply else Permission.VIEW)
    if name is not None:
        name = inputs.name(name)
    with transaction.atomic():
        community_row = lookups.profile(access, community_id)
        community = lookups.domain_profile(community_row)
        framework = outcome_framework(community_row.framework)
        base_row = (
            lookups.profile(access, base_id, for_update=apply) if base_id is not None else None
        )
        base = lookups.domain_profile(base_row) if base_row is not None else None
        derived, changes = derive_from_community(community, base, name=name, framework=framework)
        if not apply:
            return DeriveResult(None, derived, tuple(changes))
        if base_row is None:
            if inputs.name_taken(access, derived.name):
                raise ConflictError(
                    f"{access.organization.slug} already has a profile named {derived.name!r}"
                )
            row = persist.store_new(access, community_row.framework, derived)
            audit_trail.record_content(
                access, row, audit.Action.CREATE, None, summary={"derived_from": community_row.name}
            )
            return DeriveResult(row, derived, tuple(changes))
        if expected_version is not None and base_row.version != expected_version:
            raise StaleEdit(
                f"profile {base_row.name!r}",
                sent_version=expected_version,
                version=base_row.version,
                current=storage.profile_values(base_row),
                yours={},
            )
        fields = None
        if name is not None and name != base_row.name:
            if inputs.name_taken(access, name, other_than=base_row.pk):
                raise ConflictError(
                    f"{access.organization.slug} already has a profile named {name!r}"
                )
            fields = tuple(storage.profile_fields(derived))
        before = audit_trail.content_state(base_row)
        persist.replace_content(
            access, base_row, replace(derived, name=name or base_row.name), fields=fields
        )
        audit_trail.record_content(
            access,
            base_row,
            audit.Action.UPDATE,
            before,
            summary={"derived_from": community_row.name},
        )
        return DeriveResult(base_row, derived, tuple(changes))
