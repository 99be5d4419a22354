"""Recognising a framework file by its content and handing it to the right reader.

A user who downloads a framework from NIST gets one of several shapes, and
file names say little (``csf2.json``, ``export.json``, ``catalog.json``). This
module looks inside instead: the first bytes tell a workbook (an ``.xlsx`` is
a zip archive) from JSON; the JSON's top-level keys, or the workbook's sheet
names, tell which of NIST's formats it is. Anything else is refused with the
list of formats csfpilot reads. The size limit applies before a byte is read.

:func:`read_framework_file` backs ``csfpilot import-framework FILE`` and the
operator's import page; the readers it calls are the same ones that load the
files shipped inside csfpilot. Crosswalk files come back as pending crosswalks
(their frameworks are looked up when stored), and a framework that claims to be
one of NIST's releases is compared with NIST's (:mod:`csfpilot.formats.core_copies`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from csfpilot.core.catalog import ImportBundle
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import SP800_53_R5
from csfpilot.formats.cisoassistant import looks_like_library, read_ciso_assistant_library
from csfpilot.formats.core_copies import recognise_copies
from csfpilot.formats.crosswalks.oscal_mapping import crosswalks_from_document
from csfpilot.formats.crosswalks.spreadsheet import (
    crosswalk_from_workbook,
    crosswalk_sheet,
    looks_like_crosswalk_csv,
    read_crosswalk_csv,
)
from csfpilot.formats.custom_framework import (
    looks_like_framework_csv,
    read_custom_csv,
    read_custom_xlsx,
    workbook_has_framework_sheet,
)
from csfpilot.formats.nist.concept_crosswalk import SHEET as CROSSWALK_SHEET
from csfpilot.formats.nist.concept_crosswalk import read_concept_crosswalk
from csfpilot.formats.nist.cprt import read_cprt
from csfpilot.formats.nist.csf11 import SHEET as CSF11_SHEET
from csfpilot.formats.nist.csf11 import read_csf11_workbook
from csfpilot.formats.nist.reftool import read_reference_tool
from csfpilot.formats.oscal.catalog import catalog_from_document, is_sp800_53_r5
from csfpilot.formats.oscal.csf_catalog import is_csf_catalog
from csfpilot.formats.oscal.document import MAX_OSCAL_DEPTH, from_parsed, model_of
from csfpilot.formats.oscal.extension import is_csfpilot_export
from csfpilot.formats.oscal.profile import baseline_from_document
from csfpilot.formats.safe_json import load_json, read_limited
from csfpilot.formats.xlsx_safety import workbook

MiB = 1024 * 1024
MAX_FRAMEWORK_BYTES = 64 * MiB

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
_UTF8_BOM = b"\xef\xbb\xbf"
_PROFILE_TEMPLATE_SHEET = "Current and Target Profile"


@dataclass(frozen=True, slots=True)
class FileFormat:
    """One kind of file csfpilot can import."""

    key: str
    description: str


REFERENCE_TOOL = FileFormat(
    "csf-reference-tool", "NIST CSF 2.0 Reference Tool JSON export (Core, examples, references)"
)
CPRT = FileFormat("cprt", "NIST CPRT JSON export of a CSF release")
OSCAL_CATALOG = FileFormat("oscal-catalog", "OSCAL catalog in JSON (e.g. NIST SP 800-53 Rev. 5)")
OSCAL_PROFILE = FileFormat(
    "oscal-profile", "OSCAL profile in JSON selecting controls by id (e.g. SP 800-53 baselines)"
)
CSF11_WORKBOOK = FileFormat(
    "csf-1.1-workbook", "NIST's CSF 1.1 to SP 800-53 Rev. 5 mapping workbook (.xlsx)"
)
CONCEPT_CROSSWALK = FileFormat(
    "olir-concept-crosswalk", "NIST OLIR concept crosswalk workbook, CSF 2.0 to SP 800-53 (.xlsx)"
)

OSCAL_MAPPING = FileFormat(
    "oscal-mapping", "OSCAL 1.2 mapping collection in JSON (a crosswalk between two catalogs)"
)
CISO_ASSISTANT = FileFormat(
    "ciso-assistant",
    "CISO Assistant library (.yaml): a framework (objects.framework) or a crosswalk "
    "(objects.requirement_mapping_set)",
)
CROSSWALK_CSV = FileFormat(
    "crosswalk-csv",
    "a crosswalk in CSV (columns Source framework, Source ID, Relationship, Target framework, "
    "Target ID), e.g. csfpilot's crosswalk export",
)
CROSSWALK_XLSX = FileFormat(
    "crosswalk-xlsx", "a crosswalk in Excel with the same columns, e.g. csfpilot's crosswalk export"
)
CUSTOM_CSV = FileFormat(
    "custom-csv", "a framework of your own in CSV (columns ID, Parent, Title, Text)"
)
CUSTOM_XLSX = FileFormat(
    "custom-xlsx", "a framework of your own in Excel (first sheet: ID, Parent, Title, Text)"
)

SUPPORTED_FORMATS: tuple[FileFormat, ...] = (
    REFERENCE_TOOL,
    CPRT,
    OSCAL_CATALOG,
    OSCAL_PROFILE,
    CSF11_WORKBOOK,
    CONCEPT_CROSSWALK,
    OSCAL_MAPPING,
    CISO_ASSISTANT,
    CROSSWALK_CSV,
    CROSSWALK_XLSX,
    CUSTOM_CSV,
    CUSTOM_XLSX,
)
_YAML_SUFFIXES = (".yaml", ".yml")
# Whose format a file is in: NIST's own (trusted as NIST's publication), NIST's CSF OSCAL
# catalog (another edition of the shipped Core, compared with it) or anyone's.
NIST_FILE, NIST_COPY, OTHER_FILE = "nist", "nist-copy", "other"
_CSV_SUFFIXES = (".csv", ".tsv")


def _supported() -> str:
    return "csfpilot imports: " + "; ".join(f.description for f in SUPPORTED_FORMATS)


def _unknown(file: str, what: str) -> InputRefused:
    return InputRefused(f"{what}. {_supported()}", file=file)


def _json_format(value: Any) -> FileFormat | None:
    model = model_of(value)
    if model == "catalog":
        return OSCAL_CATALOG
    if model == "profile":
        return OSCAL_PROFILE
    if model == "mapping-collection":
        return OSCAL_MAPPING
    if not isinstance(value, Mapping):
        return None
    response = value.get("response")
    if not isinstance(response, Mapping):
        return None
    elements = response.get("elements")
    if isinstance(elements, list):
        return REFERENCE_TOOL
    if isinstance(elements, Mapping) and "elements" in elements and "relationships" in elements:
        return CPRT
    return None


def _not_applicable(file: str, fmt: FileFormat, option: str) -> InputRefused:
    return InputRefused(
        f"the {option} option does not apply to a {fmt.description}", file=file, field=option
    )


def _read_json(
    raw: bytes, *, file: str, key: str | None, version: str | None
) -> tuple[ImportBundle, str]:
    """The bundle, and whose it is: ``nist`` (one of NIST's formats), ``nist-copy`` (NIST's
    CSF OSCAL catalog, another edition of the shipped Core) or ``other``."""
    value = load_json(raw, name=file, max_bytes=MAX_FRAMEWORK_BYTES, max_depth=MAX_OSCAL_DEPTH)
    fmt = _json_format(value)
    if fmt is None:
        model = model_of(value)
        if model is not None:
            raise _unknown(file, f"this is an OSCAL {model}, which is not a framework file")
        raise _unknown(file, "this JSON is none of the framework formats csfpilot knows")
    if fmt is REFERENCE_TOOL:
        return read_reference_tool(raw, name=file, version=version or "2.0", key=key), NIST_FILE
    if fmt is CPRT:
        return read_cprt(raw, name=file, version=version or "2.0", key=key), NIST_FILE
    sha256 = hashlib.sha256(raw).hexdigest()
    if fmt is OSCAL_CATALOG:
        doc = from_parsed(value, expected="catalog", file=file, sha256=sha256)
        bundle = catalog_from_document(doc, key=key, version=version)
        if is_csfpilot_export(doc.metadata):
            return bundle, OTHER_FILE
        if is_csf_catalog(doc):
            return bundle, NIST_COPY
        return bundle, NIST_FILE if is_sp800_53_r5(doc) else OTHER_FILE
    if fmt is OSCAL_MAPPING:
        if key:
            raise _not_applicable(file, fmt, "key")
        doc = from_parsed(value, expected="mapping-collection", file=file, sha256=sha256)
        return ImportBundle(crosswalks=crosswalks_from_document(doc)), OTHER_FILE
    if version:
        raise _not_applicable(file, fmt, "version")
    doc = from_parsed(value, expected="profile", file=file, sha256=sha256)
    return baseline_from_document(doc, framework=key or SP800_53_R5), NIST_FILE


def _read_workbook(
    raw: bytes, *, file: str, key: str | None, version: str | None
) -> tuple[ImportBundle, str]:
    with workbook(raw, name=file, max_bytes=MAX_FRAMEWORK_BYTES) as wb:
        sheets = list(wb.sheetnames)
        known = CSF11_SHEET in sheets or CROSSWALK_SHEET in sheets
        if not known and crosswalk_sheet(wb.worksheets) is not None:
            # Read from the workbook already open: opening one parses all its strings.
            if key:
                raise _not_applicable(file, CROSSWALK_XLSX, "key")
            sha256 = hashlib.sha256(raw).hexdigest()
            pending = crosswalk_from_workbook(wb, name=file, sha256=sha256)
            return ImportBundle(crosswalks=[pending]), OTHER_FILE
    if CSF11_SHEET in sheets:
        for option, given in (("key", key), ("version", version)):
            if given:
                raise _not_applicable(file, CSF11_WORKBOOK, option)
        return read_csf11_workbook(raw, name=file), NIST_FILE
    if CROSSWALK_SHEET in sheets:
        if version is None:
            bundle = read_concept_crosswalk(raw, name=file, **({"key": key} if key else {}))
            return bundle, NIST_FILE
        bundle = read_concept_crosswalk(
            raw,
            name=file,
            key=key or f"olir-sp800-53r5-{version}",
            dataset_name=f"CSF 2.0 ↔ SP 800-53 Rev. 5 (release {version}), NIST OLIR",
            version=version,
        )
        return bundle, NIST_FILE
    if workbook_has_framework_sheet(raw, name=file):
        return read_custom_xlsx(raw, name=file, key=key, version=version), OTHER_FILE
    if _PROFILE_TEMPLATE_SHEET in sheets:
        raise _unknown(
            file,
            "this workbook is a CSF Organizational Profile (Current and Target Profile), "
            "not a framework",
        )
    raise _unknown(file, f"this workbook's sheets ({', '.join(sheets)}) match no known format")


def detect_format(head: bytes) -> str:
    """``json``, ``xlsx`` or a short description of what the first bytes look like."""
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE2):
        return "legacy Excel (.xls)"
    text = head[len(_UTF8_BOM) :] if head.startswith(_UTF8_BOM) else head
    stripped = text.lstrip()
    if stripped[:1] in (b"{", b"["):
        return "json"
    if stripped.startswith(b"<"):
        return "XML"
    return "unknown"


@dataclass(frozen=True, slots=True)
class DatasetIdentity:
    """What the person importing a crosswalk says about it (overrides the file's words)."""

    key: str | None = None
    name: str | None = None
    publisher: str | None = None
    version: str | None = None
    terms: str | None = None
    reviewed_by: str | None = None

    def apply(self, bundle: ImportBundle) -> ImportBundle:
        given = {
            k: v.strip()
            for k, v in (
                ("key", self.key),
                ("name", self.name),
                ("publisher", self.publisher),
                ("version", self.version),
                ("terms", self.terms),
                ("reviewed_by", self.reviewed_by),
            )
            if v is not None and v.strip()
        }
        if not given:
            return bundle
        if not bundle.crosswalks:
            raise InputRefused(
                "the crosswalk options (--dataset-key, --publisher, --reviewed-by…) apply to a "
                "crosswalk file, and this file holds none",
                field=next(iter(given)),
            )
        if "key" in given and len(bundle.crosswalks) > 1:
            raise InputRefused(
                "the file holds several crosswalks, so one key cannot name them all", field="key"
            )
        bundle.crosswalks[:] = [
            replace(c, info=replace(c.info, **given)) for c in bundle.crosswalks
        ]
        return bundle


def _dispatch(
    raw: bytes, file: str, *, key: str | None, version: str | None
) -> tuple[ImportBundle, str]:
    """The bundle, and whose format it is (see :func:`_read_json`)."""
    kind = detect_format(raw[:64])
    suffix = Path(file).suffix.lower()
    if suffix in _YAML_SUFFIXES or (kind == "unknown" and looks_like_library(raw[:4096])):
        return read_ciso_assistant_library(raw, name=file, key=key, version=version), OTHER_FILE
    if (suffix in _CSV_SUFFIXES or kind == "unknown") and looks_like_crosswalk_csv(raw[:4096]):
        if key:
            raise _not_applicable(file, CROSSWALK_CSV, "key")
        return ImportBundle(crosswalks=[read_crosswalk_csv(raw, name=file)]), OTHER_FILE
    if suffix in _CSV_SUFFIXES or (kind == "unknown" and looks_like_framework_csv(raw[:4096])):
        return read_custom_csv(raw, name=file, key=key, version=version), OTHER_FILE
    if kind == "json":
        return _read_json(raw, file=file, key=key, version=version)
    if kind == "xlsx":
        return _read_workbook(raw, file=file, key=key, version=version)
    if kind == "legacy Excel (.xls)":
        raise _unknown(file, "this is a legacy Excel .xls file; save it as .xlsx")
    if kind == "XML":
        raise _unknown(
            file, "this is XML; csfpilot reads NIST's JSON editions (OSCAL in JSON, not XML)"
        )
    raise _unknown(file, "the file is neither JSON, YAML, CSV nor an Excel .xlsx workbook")


def read_framework_file(
    source: Path | str | bytes,
    *,
    key: str | None = None,
    version: str | None = None,
    name: str | None = None,
    core_copy: str | None = None,
    dataset: DatasetIdentity | None = None,
) -> ImportBundle:
    """Read any framework or crosswalk file csfpilot knows, whichever format it is.

    ``source`` is a path or the bytes of an upload (then ``name`` is how
    messages name it). ``key``/``version`` store a framework under another
    key or mark it as another release (``version="2.1"`` → ``csf-2.1``); for
    an OSCAL profile, ``key`` names the framework its controls belong to.
    A framework that claims to be one of NIST's releases is compared with
    NIST's (:mod:`csfpilot.formats.core_copies`); ``core_copy`` says what to
    do when it differs. ``dataset`` names a crosswalk's dataset. Crosswalks
    come back pending: their frameworks are looked up when they are stored.
    Unknown content is refused with the list of supported formats.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        file = name or "<upload>"
        raw = read_limited(bytes(source), name=file, max_bytes=MAX_FRAMEWORK_BYTES)
    else:
        path = Path(source)
        file = name or path.name
        raw = read_limited(path, name=file, max_bytes=MAX_FRAMEWORK_BYTES)
    if not raw.strip():
        raise InputRefused("the file is empty", file=file)
    bundle, whose = _dispatch(raw, file, key=key, version=version)
    if bundle.catalogs and whose != NIST_FILE:
        recognise_copies(bundle, choice=core_copy, nist_format=whose == NIST_COPY)
    elif core_copy:
        raise InputRefused(
            "--core-copy applies to a framework file, and this file holds none",
            file=file,
            field="core-copy",
        )
    dataset = dataset or DatasetIdentity()
    if version and bundle.crosswalks and not bundle.catalogs:
        dataset = replace(dataset, version=dataset.version or version)
    return dataset.apply(bundle)
