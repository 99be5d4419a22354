"""The JSON Schema of the native profile format, shipped inside the package.

``profile.schema.json`` describes format_version 1 for editors and other
tools (YAML language servers, CI checks). csfpilot's own reader applies the
same rules with clearer messages, and then checks the schema too, so a file
csfpilot accepts always validates against the published schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from csfpilot.core.errors import InputRefused

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

SCHEMA_FILE = "profile.schema.json"


@cache
def profile_schema() -> dict[str, Any]:
    """The schema as a dict (read once from the package)."""
    text = files("csfpilot.formats.native").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _fast() -> Callable[[Any], Any]:
    # fastjsonschema compiles the schema to Python once per process and loads in a
    # fraction of jsonschema's time and memory; the schema uses no keyword whose meaning
    # changed between draft 7 (fastjsonschema's newest) and 2020-12 ($defs are plain
    # JSON pointers, ``items`` is always one schema, no $ref has siblings), which
    # tests/formats/test_native_schema.py checks. Formats are not checked, as jsonschema
    # does not check them either.
    import fastjsonschema

    return fastjsonschema.compile(profile_schema(), use_formats=False)


@cache
def _validator() -> Draft202012Validator:
    # jsonschema names every violation with its path; needed only for a refused file.
    from jsonschema import Draft202012Validator

    # The schema is checked against the 2020-12 meta-schema by the test suite, not at
    # every start (a twentieth of a second of a command's time).
    return Draft202012Validator(profile_schema())


def _field(path: Any) -> tuple[str | None, str | None]:
    parts = list(path)
    element = None
    if len(parts) >= 2 and parts[0] == "outcomes":
        element = str(parts[1])
        parts = parts[2:]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return element, out or None


def schema_errors(doc: Any) -> list[InputRefused]:
    """Every schema violation of a document, first by position in the document."""
    import fastjsonschema

    try:
        _fast()(doc)
        return []
    except fastjsonschema.JsonSchemaValueException:
        pass  # jsonschema below lists every violation, not only the first
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    out = []
    for e in errors:
        element, field = _field(e.absolute_path)
        out.append(
            InputRefused(
                f"does not match the profile schema: {e.message}", element=element, field=field
            )
        )
    return out


def check_schema(doc: Any) -> None:
    """Raise the first schema violation as :class:`InputRefused`."""
    errors = schema_errors(doc)
    if errors:
        raise errors[0]
