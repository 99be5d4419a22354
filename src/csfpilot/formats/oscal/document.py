"""Opening an OSCAL JSON document: which model it is, who made it, which release.

OSCAL (the Open Security Controls Assessment Language, NIST's machine-readable
format for control catalogs, baselines, plans and assessment results) wraps
every document in one root key naming its *model*: ``{"catalog": {...}}``,
``{"profile": {...}}``. Every model carries ``metadata`` with a title, a
version and the parties responsible for it.

Hrefs in a document (back-matter resources, profile imports, links) are data
to csfpilot: nothing here ever fetches them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.formats.oscal.schema import check_against_schema
from csfpilot.formats.oscal.shipped_hashes import SCHEMA_CHECKED_IN_TESTS
from csfpilot.formats.safe_json import load_json, read_limited

MiB = 1024 * 1024
# NIST's largest OSCAL catalog (SP 800-53 Rev. 5.1.1 with the SP 800-53A
# assessment procedures) is about 10 MiB; leave room for a few releases more.
MAX_OSCAL_BYTES = 48 * MiB
# Catalogs nest group → control → enhancement → part → sub-part: about 20 deep.
MAX_OSCAL_DEPTH = 64

MODELS = (
    "catalog",
    "profile",
    "component-definition",
    "system-security-plan",
    "assessment-plan",
    "assessment-results",
    "plan-of-action-and-milestones",
    "mapping-collection",
)

JsonSource = Path | bytes


@dataclass(frozen=True, slots=True)
class OscalDocument:
    """One parsed, schema-checked OSCAL document."""

    model: str  # "catalog" | "profile"
    body: Mapping[str, Any]  # the object under the root key
    file: str  # how messages and provenance name the file
    sha256: str  # of the file's bytes

    @property
    def metadata(self) -> Mapping[str, Any]:
        return self.body["metadata"]

    @property
    def title(self) -> str:
        return " ".join(str(self.metadata.get("title", "")).split())

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "")).strip()


def display_name(source: JsonSource | str, name: str | None) -> str:
    if name:
        return name
    if isinstance(source, bytes | bytearray | memoryview):
        return "<upload>"
    return Path(source).name


def model_of(value: Any) -> str | None:
    """The OSCAL model a parsed JSON value holds, or None when it is not OSCAL."""
    if not isinstance(value, Mapping):
        return None
    roots = [k for k in value if k != "$schema"]
    if len(roots) == 1 and roots[0] in MODELS and isinstance(value[roots[0]], Mapping):
        return roots[0]
    return None


def from_parsed(value: Any, *, expected: str, file: str, sha256: str) -> OscalDocument:
    """Check an already-parsed JSON value and wrap it; refuse another model plainly."""
    model = model_of(value)
    if model is None:
        raise InputRefused(
            f"not an OSCAL document: expected one root key {expected!r} "
            f"(an OSCAL {expected} in JSON)",
            file=file,
        )
    if model != expected:
        raise InputRefused(
            f"this is an OSCAL {model}, not an OSCAL {expected}",
            file=file,
            field=model,
        )
    if sha256 not in SCHEMA_CHECKED_IN_TESTS:
        check_against_schema(value, model, file=file)
    return OscalDocument(model=model, body=value[model], file=file, sha256=sha256)


def read_document(source: JsonSource | str, *, expected: str, name: str | None) -> OscalDocument:
    """Read a file path or bytes as an OSCAL ``expected`` model, checked against its schema."""
    src: JsonSource = Path(source) if isinstance(source, str) else source
    file = display_name(src, name)
    raw = read_limited(src, name=file, max_bytes=MAX_OSCAL_BYTES)
    value = load_json(raw, name=file, max_bytes=MAX_OSCAL_BYTES, max_depth=MAX_OSCAL_DEPTH)
    return from_parsed(value, expected=expected, file=file, sha256=hashlib.sha256(raw).hexdigest())


def responsible_party_names(metadata: Mapping[str, Any], roles: tuple[str, ...]) -> list[str]:
    """Names of the parties holding the first of ``roles`` the metadata assigns."""
    parties = {
        p.get("uuid"): " ".join(str(p.get("name", "")).split())
        for p in metadata.get("parties") or ()
        if isinstance(p, Mapping)
    }
    for role in roles:
        for rp in metadata.get("responsible-parties") or ():
            if rp.get("role-id") == role:
                names = [parties.get(u, "") for u in rp.get("party-uuids") or ()]
                found = [n for n in names if n]
                if found:
                    return found
    return []
