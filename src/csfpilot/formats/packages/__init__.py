"""Signed exchange packages: one organization's data, verifiable by another.

See :mod:`.container` for the format, :mod:`.keys` for signing keys and
fingerprints, :mod:`.redaction` for what leaves at each level, and
docs/packages.md for the specification other tools can follow.
"""

from csfpilot.formats.packages.canonical import canonical
from csfpilot.formats.packages.container import (
    FORMAT,
    FORMAT_VERSION,
    KIND_MEMBERS,
    KINDS,
    LEVELS,
    MAX_PACKAGE_BYTES,
    FileMember,
    VerifiedPackage,
    build_package,
    read_package,
    verification_summary,
)
from csfpilot.formats.packages.keys import (
    Signer,
    fingerprint_of,
    grouped,
    normalize_fingerprint,
    public_key_pem,
    read_public_key,
)
from csfpilot.formats.packages.redaction import listing, profile_members, scores_document

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "KINDS",
    "KIND_MEMBERS",
    "LEVELS",
    "MAX_PACKAGE_BYTES",
    "FileMember",
    "Signer",
    "VerifiedPackage",
    "build_package",
    "canonical",
    "fingerprint_of",
    "grouped",
    "listing",
    "normalize_fingerprint",
    "profile_members",
    "public_key_pem",
    "read_package",
    "read_public_key",
    "scores_document",
    "verification_summary",
]
