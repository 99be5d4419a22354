"""Validating the OSCAL documents csfpilot writes against NIST's OSCAL 1.2.1 JSON Schemas.

Three settings matter, and were checked against the schemas:

- NIST writes two patterns with Unicode property classes (``\\p{L}``, ``\\p{N}``)
  that Python's ``re`` rejects; :func:`csfpilot.formats.oscal.schema.schema_for`
  translates them to ``re`` classes.
- JSON Schema patterns are ECMA-262 regexes, where ``$`` means the end of the
  string. In Python ``$`` also matches before a final newline, so a title
  ``"x\\n"`` would slip through; here every closing ``$`` becomes ``\\Z``.
- ``format`` is only checked with a format checker, and ``uri``,
  ``uri-reference`` and ``date-time`` only when ``rfc3986-validator`` and
  ``rfc3339-validator`` are installed (both are in the ``test`` extra).

Speed: the validator is built once per model (``functools.cache``); a CSF 2.0
export validates in about half a second, the 2.4 MB SP 800-53 export in about
six (``jsonschema`` walks every ``anyOf``), so each big document is validated
once per session.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import jsonschema

from csfpilot.formats.oscal.schema import schema_for

FORMATS = ("uri", "uri-reference", "date-time")


def _ecma_anchors(schema: Any) -> Any:
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k == "pattern" and isinstance(v, str) and v.endswith("$") and not v.endswith("\\$"):
                schema[k] = v[:-1] + r"\Z"
            else:
                _ecma_anchors(v)
    elif isinstance(schema, list):
        for v in schema:
            _ecma_anchors(v)
    return schema


@cache
def validator(model: str) -> jsonschema.Draft7Validator:
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    missing = [f for f in FORMATS if f not in checker.checkers]
    assert not missing, f"install the test extra: no format checker for {missing}"
    schema = _ecma_anchors(copy.deepcopy(schema_for(model)))
    return jsonschema.Draft7Validator(schema, format_checker=checker)


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Every way ``document`` breaks its model's schema, as ``path: message`` lines."""
    (model,) = [k for k in document if k != "$schema"]
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
        for e in validator(model).iter_errors(document)
    ]
