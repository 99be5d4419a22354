"""Checking an OSCAL document against NIST's OSCAL 1.2.1 JSON Schema before reading it.

NIST publishes a JSON Schema for every OSCAL model; the catalog and profile
schemas ship in ``csfpilot/data/oscal-schemas-1.2.1``. A document that passes
has the types and required fields the readers rely on, so the readers can
stay short and a malformed file is refused with the schema's own words and
the JSON path of the first problem.

Two validators are used on purpose. ``fastjsonschema`` compiles the schema to
Python once per process and checks SP 800-53's 3 MB catalog in a fraction of
a second, but its messages on OSCAL's ``anyOf`` definitions are vague
("cannot be validated by any definition"). So only when it fails, the
document is checked again with ``jsonschema``, whose best-matching error names
the exact field.

NIST's schemas spell one pattern with Unicode property classes (``\\p{L}``,
``\\p{N}``) that Python's ``re`` does not know; they are translated to the
closest ``re`` classes (letters: ``[^\\W\\d_]``, digits: ``\\d``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any, NoReturn

from csfpilot.core.errors import InputRefused

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError

# Both validators are imported where a document is checked, not with this module: the
# web app and the command line load it at start, and jsonschema with its dependencies
# holds about 9 MB resident that most processes never use.

OSCAL_VERSION = "1.2.1"
SCHEMA_FILES = {
    "catalog": "oscal_catalog_schema.json",
    "profile": "oscal_profile_schema.json",
    "mapping-collection": "oscal_mapping_schema.json",
    "assessment-results": "oscal_assessment-results_schema.json",
    "plan-of-action-and-milestones": "oscal_poam_schema.json",
}


def _python_patterns(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            k: (
                v.replace(r"\p{L}", r"[^\W\d_]").replace(r"\p{N}", r"\d")
                if k == "pattern" and isinstance(v, str)
                else _python_patterns(v)
            )
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_python_patterns(v) for v in schema]
    return schema


@cache
def schema_for(model: str) -> dict[str, Any]:
    """NIST's schema for an OSCAL model, with its patterns made readable to ``re``."""
    resource = files("csfpilot").joinpath("data", f"oscal-schemas-{OSCAL_VERSION}")
    raw = json.loads(resource.joinpath(SCHEMA_FILES[model]).read_text(encoding="utf-8"))
    return _python_patterns(raw)


@cache
def _fast(model: str) -> Callable[[Any], Any]:
    # Formats are not checked: NIST's schema already spells each datatype as a
    # pattern, and the precise validator below does not check formats either.
    import fastjsonschema

    return fastjsonschema.compile(schema_for(model), use_formats=False)


@cache
def _precise(model: str) -> jsonschema.Draft7Validator:
    import jsonschema

    return jsonschema.Draft7Validator(schema_for(model))


def _nearest_id(document: Any, path: list[Any]) -> str | None:
    """The OSCAL id (or uuid) of the innermost object on the path to the error."""
    found: str | None = None
    node = document
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, Mapping):
            ident = node.get("id") or node.get("uuid")
            if isinstance(ident, str):
                found = ident
    return found


def _json_path(path: list[Any]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _deepest(error: ValidationError) -> ValidationError:
    # An ``anyOf`` failure means "none of the shapes fit"; the deepest sub-error
    # says which field actually broke.
    from jsonschema.exceptions import best_match

    while error.context:
        deeper = best_match(error.context)
        if deeper is None:
            break
        error = deeper
    return error


def _fast_path(document: Any, raw: list[str]) -> list[Any]:
    """fastjsonschema's ``['data', 'catalog', 'groups', '0']`` as real keys and indexes."""
    path: list[Any] = []
    node = document
    for step in raw[1:]:
        key: Any = int(step) if isinstance(node, list) else step
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError, ValueError):
            break
        path.append(key)
    return path


def _describe(model: str, error: ValidationError) -> str:
    if error.validator == "pattern":
        return _not_matching(model, error.instance, error.validator_value)
    message = error.message
    return message if len(message) <= 300 else message[:297] + "..."


# What each of NIST's datatype patterns means, for messages a person can act on.
_DATATYPE_MEANING = {
    "TokenDatatype": "an OSCAL token (a letter or '_', then letters, digits, '.', '-' or '_')",
    "UUIDDatatype": "a version 4 or 5 UUID",
    "DateTimeWithTimezoneDatatype": "a date and time with a time zone (2024-02-13T17:43:49Z)",
    "StringDatatype": "a non-empty string without leading or trailing spaces",
    "MarkupLineDatatype": "a single line of text",
    "URIDatatype": "an absolute URI (scheme:...)",
    "EmailAddressDatatype": "an email address",
    "Base64Datatype": "Base64 data",
}


@cache
def _pattern_meanings(model: str) -> dict[str, str]:
    definitions = schema_for(model).get("definitions", {})
    return {
        definitions[name]["pattern"]: meaning
        for name, meaning in _DATATYPE_MEANING.items()
        if isinstance(definitions.get(name), dict) and "pattern" in definitions[name]
    }


def _not_matching(model: str, value: Any, pattern: Any) -> str:
    what = _pattern_meanings(model).get(str(pattern), f"of the form {pattern}")
    return f"{value!r} is not {what}"


def check_against_schema(document: Any, model: str, *, file: str) -> None:
    """Refuse ``document`` unless it is a valid OSCAL ``model`` (``catalog``/``profile``)."""
    import fastjsonschema

    try:
        _fast(model)(document)
        return
    except fastjsonschema.JsonSchemaValueException as fast_error:
        failed = fast_error
    prefix = _fast_path(document, failed.path)
    if failed.rule not in ("anyOf", "oneOf"):
        # fastjsonschema's own words are precise for every other rule.
        said = failed.message[len(failed.name) :].strip() if failed.name else failed.message
        if failed.rule == "pattern":
            said = _not_matching(model, failed.value, failed.rule_definition)
        _refuse(document, model, file, prefix, said)
    # "None of the shapes fit": re-check only that object with the precise
    # validator to learn which field broke (the whole document takes seconds).
    from jsonschema.exceptions import best_match

    error = None
    if isinstance(failed.definition, dict):
        scoped = _precise(model).evolve(schema=failed.definition)
        error = best_match(scoped.iter_errors(failed.value))
    if error is None:
        prefix = []
        error = best_match(_precise(model).iter_errors(document))
    if error is None:
        _refuse(document, model, file, prefix, failed.message)
    error = _deepest(error)
    _refuse(document, model, file, prefix + list(error.absolute_path), _describe(model, error))


def _refuse(document: Any, model: str, file: str, path: list[Any], said: str) -> NoReturn:
    raise InputRefused(
        f"not a valid OSCAL {model} (NIST OSCAL {OSCAL_VERSION} schema): {said}",
        file=file,
        element=_nearest_id(document, path),
        field=_json_path(path) or None,
    )
