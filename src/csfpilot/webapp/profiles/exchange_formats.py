"""Profiles to and from other tools: the NIST-template workbook and OSCAL.

Three exchange formats sit beside csfpilot's own profile file
(:mod:`.exchange`):

- ``xlsx`` — a workbook laid out like NIST's Organizational Profile Template,
  for the colleague who lives in Excel; it holds the whole profile;
- ``assessment-results`` — OSCAL assessment results: the assessment (every
  outcome's finding, with the current state and its evidence); the action plan
  is not part of it and stays as it is on import;
- ``poam`` — an OSCAL plan of action and milestones: the action plan; on
  import it replaces the profile's action plan and nothing else.

Importing onto an existing profile is a preview first (every field that would
change, from :func:`csfpilot.core.profiles.profile_changes`), then an apply
that names the profile version the preview was made on: a profile changed in
between is refused (409), and the apply is one transaction through the same
storage as every other edit, so nothing is ever half applied. A file can also
start a new profile.

Exported documents are deterministic: OSCAL UUIDs derive from the
organization and the profile id, and the time is the profile's last change,
so exporting an unchanged profile twice gives the same bytes (for OSCAL).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any, Literal

from django.db import transaction

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.ids import DEFAULT_FRAMEWORK
from csfpilot.core.profiles import Change, OutcomeFramework, Profile, profile_changes
from csfpilot.formats.native import to_document
from csfpilot.formats.oscal.assessment_results import assessment_results, read_assessment_results
from csfpilot.formats.oscal.document import MAX_OSCAL_BYTES, model_of
from csfpilot.formats.oscal.poam import poam, read_poam
from csfpilot.formats.profile_xlsx import (
    Choice,
    profile_workbook,
    read_profile_workbook,
)
from csfpilot.formats.profile_xlsx.layout import ABOUT_SHEET, ACTIONS_SHEET, SHEETS, TIERS_SHEET
from csfpilot.formats.safe_json import load_json
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.evidence import adoption as evidence_exchange
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import audit_trail, inputs, lookups, persist, storage
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.conflicts import StaleEdit
from csfpilot.webapp.profiles.exchange import ImportResult, export_filename, store_profile
from csfpilot.webapp.profiles.frameworks import outcome_framework, withdrawals
from csfpilot.webapp.profiles.uploads import import_limit

ExchangeFormat = Literal["xlsx", "assessment-results", "poam"]
FORMATS: tuple[ExchangeFormat, ...] = ("xlsx", "assessment-results", "poam")
WORKBOOK_PARTS = SHEETS[1:]
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "assessment-results": "application/json",
    "poam": "application/json",
}
_SUFFIXES = {
    "xlsx": ("-nist-template", "xlsx"),
    "assessment-results": ("-oscal-ar", "json"),
    "poam": ("-oscal-poam", "json"),
}
_MODELS = {"assessment-results": "assessment-results", "plan-of-action-and-milestones": "poam"}


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    content_type: str


def identity(row: m.Profile) -> str:
    """What the OSCAL UUIDs of a stored profile derive from: stable across renames."""
    return f"csfpilot:{row.organization_id}:profile:{row.pk}"


def document_for(row: m.Profile, fmt: ExchangeFormat) -> bytes:
    citing = evidence_exchange.cited(row)
    profile = evidence_exchange.exported(
        row, lookups.domain_profile(row), lines=_item_lines(fmt), by_side=citing
    )
    framework = lookups.framework_of(row)
    if fmt == "xlsx":
        return profile_workbook(profile, framework)
    if fmt == "assessment-results":
        doc = assessment_results(
            profile,
            framework,
            identity=identity(row),
            when=row.updated_at,
            evidence_href=evidence_exchange.href_for(row, citing),
            scans=evidence_exchange.scan_tallies(row),
        )
    else:
        doc = poam(profile, framework, identity=identity(row), when=row.updated_at)
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _item_lines(fmt: ExchangeFormat) -> bool:
    """Whether linked items are written as evidence lines too: in the workbook, which has
    no other place for them; OSCAL cites them as relevant evidence instead."""
    return fmt == "xlsx"


def export_exchange(access: Access, profile_id: Any, fmt: ExchangeFormat) -> Export:
    """The profile as a NIST-template workbook, OSCAL assessment results or an OSCAL POA&M."""
    lookups.ensure(access, Permission.EXPORT)
    if fmt not in FORMATS:
        raise InputRefused(f"{fmt!r} is not an exchange format ({', '.join(FORMATS)})")
    row = lookups.profile(access, profile_id)
    suffix, ext = _SUFFIXES[fmt]
    data = document_for(row, fmt)
    return Export(data, export_filename(row, ext, suffix=suffix), CONTENT_TYPES[fmt])  # type: ignore[arg-type]


# -- reading a file ------------------------------------------------------------------------


def format_of(data: bytes, filename: str) -> ExchangeFormat:
    """Which exchange format a file is: a workbook by its bytes, OSCAL by its root key."""
    if data[:4] == b"PK\x03\x04" or PurePath(filename).suffix.lower() == ".xlsx":
        return "xlsx"
    try:
        value = load_json(data, name=filename, max_bytes=MAX_OSCAL_BYTES, max_depth=64)
    except InputRefused:
        raise InputRefused(
            "not a workbook (.xlsx) nor an OSCAL JSON document; profile files (.yaml, "
            ".json) are imported on the organization's import page",
            file=filename,
        ) from None
    model = model_of(value)
    if model not in _MODELS:
        what = f"an OSCAL {model}" if model else "JSON, but not OSCAL"
        raise InputRefused(
            f"this is {what}; csfpilot imports OSCAL assessment results and "
            "plans of action and milestones",
            file=filename,
        )
    return _MODELS[model]  # type: ignore[return-value]


def _framework(key: str) -> OutcomeFramework:
    fw = catalog.Framework.objects.filter(key=key).first()
    if fw is None:
        raise InputRefused(
            f"the file is written for {key!r}, which is not loaded here", field="framework"
        )
    return outcome_framework(fw)


@dataclass(frozen=True)
class ReadFile:
    """A file in an exchange format, read: the profile it holds and what reading it said.

    ``choices`` are the free-text values of a filled-in NIST template, each
    with the value proposed or chosen for it; ``parts`` the parts of a profile
    the file holds beside the outcomes (a bare NIST template holds none: the
    stored profile keeps its details, scale, Tiers and action plan).
    """

    format: ExchangeFormat
    profile: Profile
    warnings: tuple[str, ...]
    choices: tuple[Choice, ...] = ()
    parts: frozenset[str] = frozenset(WORKBOOK_PARTS)


def read_exchange_file(
    data: bytes,
    filename: str,
    *,
    onto: Profile | None = None,
    choices: Mapping[str, str] | None = None,
    undecided_ok: bool = False,
    name: str | None = None,
) -> ReadFile:
    """Read a file in any exchange format. A workbook without csfpilot's own sheets
    (NIST's template as people fill it) is read against ``onto``'s framework and
    scale, or CSF 2.0 on the implementation-status scale for a new profile."""
    limit = import_limit()
    if len(data) > limit:
        raise InputRefused(
            f"the file has {len(data):,} bytes; the limit is {limit:,}",
            file=filename,
        )
    fmt = format_of(data, filename)
    marks = withdrawals(DEFAULT_FRAMEWORK)
    if fmt == "xlsx":
        result = read_profile_workbook(
            data,
            name=filename,
            framework=_framework_for(onto),
            withdrawals=marks,
            scale=onto.scale if onto else None,
            profile_name=name,
            choices=choices,
            undecided_ok=undecided_ok,
        )
        return ReadFile(fmt, result.profile, result.warnings, result.choices, result.parts)
    read = read_assessment_results if fmt == "assessment-results" else read_poam
    profile, warnings = read(data, name=filename, framework=_framework, withdrawals=marks)
    return ReadFile(fmt, profile, warnings)


def _framework_for(onto: Profile | None) -> Callable[[str], OutcomeFramework]:
    if onto is None:
        return _framework

    def framework(key: str) -> OutcomeFramework:
        # A workbook naming no framework is read against the profile's own.
        return _framework(key if key != DEFAULT_FRAMEWORK else onto.framework)

    return framework


def merged(read: ReadFile, stored: Profile) -> Profile:
    """What the stored profile becomes: a full workbook is all of it; a bare NIST
    template only the outcomes on its filled rows (and Tiers, when its rows give
    them); assessment
    results keep the stored action plan; a POA&M changes only the action plan."""
    fmt, incoming = read.format, read.profile
    if fmt == "assessment-results":
        incoming = incoming.with_actions(stored.actions)
    elif fmt == "poam":
        incoming = stored.with_actions(incoming.actions)
    elif fmt == "xlsx":
        if ABOUT_SHEET not in read.parts:
            # NIST's template leaves the rows it does not assess blank: those
            # outcomes stay as the profile has them; a row that says something wins.
            outcomes = {**stored.outcomes, **incoming.outcomes}
            incoming = replace(stored, outcomes=outcomes, tiers=incoming.tiers)
        if TIERS_SHEET not in read.parts:
            incoming = replace(incoming, tiers=stored.tiers)
        if ACTIONS_SHEET not in read.parts:
            incoming = incoming.with_actions(stored.actions)
    return replace(incoming, name=stored.name)


# -- preview and apply -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExchangePreview:
    """What importing a file onto a profile would change; nothing is stored."""

    format: ExchangeFormat
    profile: Profile
    changes: tuple[Change, ...]
    warnings: tuple[str, ...]
    version: int
    choices: tuple[Choice, ...] = ()
    whole: bool = True  # False for NIST's bare template: only outcomes (and Tiers)

    @property
    def undecided(self) -> tuple[Choice, ...]:
        return tuple(c for c in self.choices if c.chosen is None)


def preview_exchange(
    access: Access,
    profile_id: Any,
    data: bytes,
    *,
    filename: str,
    choices: Mapping[str, str] | None = None,
    undecided_ok: bool = False,
) -> ExchangePreview:
    """Read a file against a stored profile: every field that importing it would change."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    row = lookups.profile(access, profile_id)
    read = read_exchange_file(
        data,
        filename,
        onto=lookups.domain_profile(row),
        choices=choices,
        undecided_ok=undecided_ok,
    )
    preview = _compare(row, read, filename=filename)
    # Library references the file names but this organization lacks: said before applying.
    missing = evidence_exchange.match_refs(access, row, preview.profile, apply=False)
    return replace(preview, warnings=(*preview.warnings, *missing))


def _compare(row: m.Profile, read: ReadFile, *, filename: str) -> ExchangePreview:
    # As an export shows it, so that re-importing an unchanged export changes nothing.
    stored = evidence_exchange.exported(
        row, lookups.domain_profile(row), lines=_item_lines(read.format)
    )
    incoming = read.profile
    if incoming.framework != stored.framework:
        raise InputRefused(
            f"the file is written for {incoming.framework}; {row.name!r} assesses "
            f"{stored.framework}",
            file=filename,
            field="framework",
        )
    after = merged(read, stored)
    inputs.storable(to_document(after))
    order = list(lookups.framework_of(row).outcomes)
    changes = profile_changes(stored, after, order=order)
    return ExchangePreview(
        read.format,
        after,
        tuple(changes),
        read.warnings,
        row.version,
        read.choices,
        whole=read.format != "xlsx" or ABOUT_SHEET in read.parts,
    )


def _fresh(row: m.Profile, expected_version: int) -> None:
    if row.version != expected_version:
        raise StaleEdit(
            f"profile {row.name!r}",
            sent_version=expected_version,
            version=row.version,
            current=storage.profile_values(row),
            yours={},
        )


def apply_exchange(
    access: Access,
    profile_id: Any,
    data: bytes,
    *,
    filename: str,
    expected_version: int,
    choices: Mapping[str, str] | None = None,
) -> ExchangePreview:
    """Import a file onto a stored profile, all or nothing, if it is still at
    ``expected_version`` (the version its preview was made on). Free-text
    values take ``choices`` where given, else their proposals."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    # parsed before the profile is locked
    onto = lookups.domain_profile(lookups.profile(access, profile_id))
    read = read_exchange_file(data, filename, onto=onto, choices=choices)
    with transaction.atomic():
        row = lookups.profile(access, profile_id, for_update=True)
        _fresh(row, expected_version)
        preview = _compare(row, read, filename=filename)
        if preview.changes:
            before = audit_trail.content_state(row)
            persist.replace_content(access, row, preview.profile)
            audit_trail.record_content(
                access, row, audit.Action.IMPORT, before, summary={"file": filename}
            )
        missing = evidence_exchange.match_refs(access, row, preview.profile, apply=True)
    return replace(preview, warnings=(*preview.warnings, *missing))


def apply_previewed(
    access: Access, profile_id: Any, after: Profile, *, expected_version: int
) -> m.Profile:
    """Store a previewed profile onto the stored one in one transaction, refusing (409)
    when the stored profile moved past ``expected_version`` since the preview."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        row = lookups.profile(access, profile_id, for_update=True)
        _fresh(row, expected_version)
        after = replace(after, name=row.name)
        inputs.storable(to_document(after))
        # An import that changes nothing leaves the profile (and its version) alone.
        if profile_changes(lookups.domain_profile(row), after):
            before = audit_trail.content_state(row)
            persist.replace_content(access, row, after)
            audit_trail.record_content(
                access, row, audit.Action.IMPORT, before, summary={"file": "previewed import"}
            )
        evidence_exchange.match_refs(access, row, after, apply=True)
    return row


def import_exchange_new(
    access: Access,
    data: bytes,
    *,
    filename: str,
    name: str | None = None,
    choices: Mapping[str, str] | None = None,
) -> ImportResult:
    """Start a new profile from a file (a workbook, assessment results or a POA&M).

    Free-text values of a filled-in template take ``choices`` where given,
    else their proposals; each one is reported among the warnings."""
    lookups.ensure(access, Permission.EDIT_PROFILES)
    read = read_exchange_file(data, filename, choices=choices, name=name)
    warnings = (*read.warnings, *(describe_choice(c) for c in read.choices))
    try:
        return store_profile(access, read.profile, name=name, warnings=warnings)
    except ConflictError:
        raise
    except InputRefused as exc:
        raise InputRefused(
            exc.message, file=filename, element=exc.element, field=exc.field
        ) from None


def _document(profile: Profile) -> dict[str, Any]:
    return to_document(profile)


def describe_choice(choice: Choice) -> str:
    """A free-text value and what was stored for it, for a list of warnings."""
    stored = choice.chosen if choice.chosen else "blank"
    where = ", ".join(choice.cells[:3]) + (" …" if len(choice.cells) > 3 else "")
    return f"{choice.text or '(blank)'!r} read as {stored} ({choice.kind}; {where})"
