"""Use cases of the spreadsheet wizards: hold a file, read it, store the result (all or nothing).

Reading never stores anything: the pages and ``--dry-run`` show what a read
gives. Storing reads the same file again with the same mapping and choices,
so what is stored is what the preview showed, and goes through the profile
import (:func:`csfpilot.webapp.profiles.exchange.store_profile`), which
checks it against the stored framework and records one import event in the
audit trail.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from csfpilot.core.catalog import ImportBundle
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import CSF_2_0
from csfpilot.core.profiles import Level, OutcomeFramework, ProfileKind, Side
from csfpilot.core.profiles.migration import (
    CSF_1_1,
    MigrationPlan,
    draft_profile,
    migration_routes,
    propose,
)
from csfpilot.formats.community_workbook import (
    CommunityRead,
    CommunitySpec,
    read_community,
    read_workbook,
    statements_as_framework,
)
from csfpilot.formats.community_workbook.reader import ValueKey
from csfpilot.formats.community_workbook.sheets import Workbook
from csfpilot.formats.csf11_assessment import (
    AssessmentColumns,
    AssessmentRead,
    read_assessment_file,
    read_assessment_sheet,
)
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.catalog.services import load_bundle
from csfpilot.webapp.intake import models as m
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import exchange, lookups
from csfpilot.webapp.profiles.exchange import ImportResult
from csfpilot.webapp.profiles.frameworks import outcome_framework, withdrawals

HELD_FOR = timedelta(days=1)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
PROFILE_SUFFIXES = (".yaml", ".yml", ".json")

Choices = Mapping[str, ValueKey | None]


def _framework(key: str) -> OutcomeFramework:
    fw = catalog.Framework.objects.filter(key=key).first()
    if fw is None:
        raise InputRefused(
            f"{key} is not loaded here; load NIST's catalogs first", field="framework"
        )
    return outcome_framework(fw)


# -- holding the uploaded file between steps --------------------------------------------------


def upload_max() -> int:
    """The one import limit (``CSFPILOT_IMPORT_MAX_MB``), read when asked so tests can set it."""
    return int(settings.CSFPILOT_IMPORT_MAX_BYTES)


def hold(access: Access, purpose: str, data: bytes, filename: str) -> m.HeldUpload:
    """Keep an uploaded file for the caller's wizard, replacing what they uploaded before."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    if len(data) > upload_max():
        raise InputRefused(
            f"the file has {len(data):,} bytes; at most {upload_max():,} are read", file=filename
        )
    suffixes = WORKBOOK_SUFFIXES + (PROFILE_SUFFIXES if purpose == m.Purpose.CSF11 else ())
    if not filename.lower().endswith(suffixes):
        raise InputRefused(f"expected {' or '.join(suffixes)}", file=filename, field="file")
    if filename.lower().endswith(WORKBOOK_SUFFIXES):
        read_workbook(data, name=filename)  # refuse a damaged or hostile workbook now
    m.HeldUpload.objects.filter(created_at__lt=timezone.now() - HELD_FOR).delete()
    held, _ = m.HeldUpload.objects.update_or_create(
        organization=access.organization,
        user_id=lookups.acting_user_id(access),
        purpose=purpose,
        defaults={
            "filename": filename[:255],
            "sha256": hashlib.sha256(data).hexdigest(),
            "data": data,
        },
    )
    return held


def held(access: Access, purpose: str) -> m.HeldUpload | None:
    """The caller's held file for a wizard, if any (never another person's)."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    return m.HeldUpload.objects.filter(
        organization=access.organization,
        user_id=lookups.acting_user_id(access),
        purpose=purpose,
        created_at__gte=timezone.now() - HELD_FOR,
    ).first()


def discard(access: Access, purpose: str) -> None:
    lookups.ensure(access, Permission.EDIT_PROFILES)
    m.HeldUpload.objects.filter(
        organization=access.organization, user_id=lookups.acting_user_id(access), purpose=purpose
    ).delete()


def workbook_of(upload: m.HeldUpload) -> Workbook:
    return read_workbook(bytes(upload.data), name=upload.filename)


# -- Community Profiles from a sector's workbook -----------------------------------------------


def read_community_workbook(
    access: Access, data: bytes, filename: str, spec: CommunitySpec, choices: Choices | None = None
) -> CommunityRead:
    """What the workbook gives as a Community Profile over CSF 2.0 (nothing stored)."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    return read_community(
        read_workbook(data, name=filename),
        spec,
        _framework(CSF_2_0),
        withdrawals(CSF_2_0),
        choices=choices,
    )


@dataclass(frozen=True)
class StoredCommunity:
    result: ImportResult
    read: CommunityRead
    statements_framework: str = ""


def store_community_workbook(
    access: Access,
    data: bytes,
    filename: str,
    spec: CommunitySpec,
    choices: Choices | None = None,
    *,
    name: str | None = None,
    statements_key: str = "",
) -> StoredCommunity:
    """Store the Community Profile the workbook gives, with its publisher, version and terms.

    ``statements_key`` also loads the sector's own statements as a framework of
    that key with their crosswalk to CSF 2.0. Frameworks are shared by the whole
    instance, so only the instance's operator (the command line) may: an
    organization's member is refused.
    """
    read = read_community_workbook(access, data, filename, spec, choices)
    if statements_key and lookups.acting_user_id(access) is not None:
        raise InputRefused(
            "a framework is shared by every organization of this instance; only the "
            "instance's operator loads one (csfpilot profile import-community --keep-statements)",
            field="statements_key",
        )
    with transaction.atomic():
        if statements_key:
            framework, crosswalk = statements_as_framework(
                read, statements_key, source_file=filename
            )
            load_bundle(ImportBundle(catalogs=[framework], mapping_sets=[crosswalk]))
        result = exchange.store_profile(
            access,
            read.profile,
            name=name,
            kind=ProfileKind.COMMUNITY,
            warnings=read.warnings,
            source={"file": filename, "sheet": spec.sheet},
        )
        decided = {v.text: v.chosen for v in read.values}
        m.CommunitySource.objects.update_or_create(
            profile=result.profile,
            defaults={
                "publisher": spec.publisher,
                "version": spec.version,
                "terms": spec.terms,
                "source_file": filename[:255],
                "source_sha256": hashlib.sha256(data).hexdigest(),
                "spec": {**spec.as_dict(), "values": decided},
                "citations": {k: list(v) for k, v in read.citations.items()},
                "statements_framework": statements_key,
            },
        )
    return StoredCommunity(result, read, statements_key)


# -- a CSF 1.1 assessment carried into CSF 2.0 --------------------------------------------------


@dataclass(frozen=True)
class Migration:
    assessment: AssessmentRead
    plan: MigrationPlan


def is_workbook(filename: str) -> bool:
    return filename.lower().endswith(WORKBOOK_SUFFIXES)


def plan_migration(
    access: Access,
    data: bytes,
    filename: str,
    columns: AssessmentColumns | None = None,
    choices: Choices | None = None,
    *,
    name: str = "",
) -> Migration:
    """Read a CSF 1.1 assessment and propose CSF 2.0 ratings (nothing stored)."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    old = _framework(CSF_1_1)
    new = _framework(CSF_2_0)
    if is_workbook(filename):
        if columns is None:
            raise InputRefused("name the sheet and the columns to read", file=filename)
        read = read_assessment_sheet(
            read_workbook(data, name=filename),
            columns,
            old,
            name=name or filename.rsplit(".", 1)[0],
            choices=choices,
        )
    else:
        read = read_assessment_file(data, name=filename, framework=old)
    routes = migration_routes(old, new, withdrawals(CSF_2_0))
    return Migration(read, propose(read.profile, new, routes))


def store_migration(
    access: Access,
    migration: Migration,
    *,
    name: str,
    decisions: Mapping[tuple[str, Side], Level | None] | None = None,
    filename: str = "",
) -> ImportResult:
    """Store the CSF 2.0 draft the person confirmed as a new Organizational Profile."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    if not name.strip():
        raise InputRefused("the new profile needs a name", field="name")
    draft = draft_profile(migration.plan, name=name, decisions=decisions)
    return exchange.store_profile(
        access,
        draft,
        kind=ProfileKind.ORGANIZATIONAL,
        source={"file": filename, "migrated_from": CSF_1_1},
    )


def community_source(access: Access, profile_id: int) -> m.CommunitySource | None:
    """Where a Community Profile of the organization came from, when it was read from a workbook."""
    row = lookups.profile(access, profile_id)
    try:
        return row.community_source  # type: ignore[attr-defined,no-any-return]
    except m.CommunitySource.DoesNotExist:
        return None
