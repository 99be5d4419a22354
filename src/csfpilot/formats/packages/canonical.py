"""Canonical JSON: the one byte form of a JSON value that packages hash and sign.

A package is checked byte for byte, so producer and reader must agree on the
bytes of every value. The rules (docs/packages.md states them for other tools):

- UTF-8, no byte-order mark; characters are written as themselves, only ``"``,
  ``\\`` and the control characters U+0000-U+001F are escaped (``\\n``, ``\\t``...
  where JSON has a short escape, ``\\u00XX`` otherwise);
- object keys sorted by code point (every key in the package schemas is ASCII);
- no whitespace between tokens;
- integers in plain decimal; a fractional number as Python's ``repr`` gives it
  (the shortest form that reads back to the same double); NaN and infinities refused;
- no trailing newline.
"""

from __future__ import annotations

import json
from typing import Any


def canonical(value: Any) -> bytes:
    """The canonical bytes of ``value`` (see the module text for the rules).

    >>> canonical({"b": 1, "a": ["é", None, True]})
    b'{"a":["\\xc3\\xa9",null,true],"b":1}'
    """
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")
