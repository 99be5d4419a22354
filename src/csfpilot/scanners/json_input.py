"""Reading a scanner's JSON without trusting it, and naming where a field is wrong.

The bytes must be UTF-8 (a byte-order mark is tolerated); duplicate keys,
``NaN``/``Infinity`` and absurd nesting are refused rather than silently
accepted. :class:`Node` walks the parsed document keeping its JSON path
(``$.runs[0].results[3].level``), so that a refusal says exactly which field
of which entry is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from csfpilot.core.errors import InputRefused

MiB = 1024 * 1024
MAX_BYTES = 64 * MiB
MAX_DEPTH = 64


def decode(data: bytes, *, name: str, max_bytes: int = MAX_BYTES) -> str:
    """The file's text; refused when it is too large or not UTF-8."""
    if len(data) > max_bytes:
        raise InputRefused(
            f"the file is {len(data) / MiB:.1f} MiB; at most {max_bytes // MiB} MiB", file=name
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputRefused("the file is not UTF-8 text", file=name, line=line) from None


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _constant(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON number")


def _depth(value: Any, limit: int) -> int:
    # Iterative: a recursive walk is what a hostile nesting would exhaust.
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > limit:
            return depth
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def parse_text(text: str, *, name: str, line_offset: int = 0) -> Any:
    """One JSON document; every refusal names the file and the line."""
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputRefused(
            f"not valid JSON: {exc.msg} (column {exc.colno})",
            file=name,
            line=exc.lineno + line_offset,
        ) from None
    except ValueError as exc:
        raise InputRefused(f"not valid JSON: {exc}", file=name) from None
    except RecursionError:
        raise InputRefused(f"nested deeper than {MAX_DEPTH} levels", file=name) from None
    if _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise InputRefused(f"nested deeper than {MAX_DEPTH} levels", file=name)
    return value


def parse_lines(text: str, *, name: str) -> list[Any]:
    """Newline-delimited JSON: one document per non-empty line."""
    return [
        parse_text(line, name=name, line_offset=number - 1)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


_KINDS = {dict: "an object", list: "a list", str: "a string", bool: "true or false"}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return _KINDS.get(type(value), type(value).__name__)


class Node:
    """A value of the document with its JSON path, for refusals that say where."""

    __slots__ = ("name", "path", "value")

    def __init__(self, value: Any, *, name: str, path: str = "$") -> None:
        self.value = value
        self.name = name
        self.path = path

    def refuse(self, message: str, key: str | None = None) -> InputRefused:
        where = f"{self.path}.{key}" if key is not None else self.path
        return InputRefused(message, file=self.name, field=where)

    def _get(self, key: str) -> Any:
        if not isinstance(self.value, dict):
            raise self.refuse(f"expected an object, found {_kind(self.value)}")
        return self.value.get(key)

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def child(self, key: str, *, required: bool = False) -> Node:
        """The object under ``key``; an empty object when it is absent and optional."""
        value = self._get(key)
        if value is None:
            if required:
                raise self.refuse("this field is required", key)
            value = {}
        node = Node(value, name=self.name, path=f"{self.path}.{key}")
        if not isinstance(value, dict):
            raise node.refuse(f"expected an object, found {_kind(value)}")
        return node

    def items(self, key: str, *, required: bool = False) -> Iterator[Node]:
        """The entries of the list under ``key``."""
        value = self._get(key)
        if value is None:
            if required:
                raise self.refuse("this field is required", key)
            return
        path = f"{self.path}.{key}"
        if not isinstance(value, list):
            raise Node(value, name=self.name, path=path).refuse(
                f"expected a list, found {_kind(value)}"
            )
        for i, item in enumerate(value):
            yield Node(item, name=self.name, path=f"{path}[{i}]")

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        """A string field (numbers are accepted and written as text)."""
        value = self._get(key)
        if value is None or value == "":
            if required:
                raise self.refuse("this field is required", key)
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.refuse(f"expected a string, found {_kind(value)}", key)
        return str(value)

    def number(self, key: str) -> float | None:
        """A number field; a number written as a string is read too (tools do both)."""
        value = self._get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise self.refuse("expected a number, found true or false", key)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise self.refuse(f"expected a number, found {value!r:.40}", key)

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings, or one string standing for a list of one."""
        value = self._get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,) if value.strip() else ()
        if not isinstance(value, list):
            raise self.refuse(f"expected a list of strings, found {_kind(value)}", key)
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str | int | float) or isinstance(item, bool):
                raise self.refuse(f"expected a string, found {_kind(item)}", f"{key}[{i}]")
            if str(item).strip():
                out.append(str(item).strip())
        return tuple(out)
