"""csfpilot's own profile format: profiles as code, in YAML or JSON.

One documented, versioned structure (``format_version: 1``, see
docs/profile-format.md) holds everything an Organizational or Community
Profile has: scope, scale, Tiers, every outcome's current and target columns,
the action plan, and snapshot metadata. ``profile.schema.json`` (shipped in
this package) is its JSON Schema.
"""

from csfpilot.formats.native.document import FORMAT_VERSION, from_document, to_document
from csfpilot.formats.native.files import (
    MAX_PROFILE_BYTES,
    LoadedProfile,
    atomic_write_text,
    dump_profile,
    format_of,
    parse_profile,
    read_profile,
    write_profile,
)
from csfpilot.formats.native.schema import check_schema, profile_schema, schema_errors

__all__ = [
    "FORMAT_VERSION",
    "MAX_PROFILE_BYTES",
    "LoadedProfile",
    "atomic_write_text",
    "check_schema",
    "dump_profile",
    "format_of",
    "from_document",
    "parse_profile",
    "profile_schema",
    "read_profile",
    "schema_errors",
    "to_document",
    "write_profile",
]
