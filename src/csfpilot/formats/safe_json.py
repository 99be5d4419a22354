"""Reading JSON that someone else wrote, without trusting it.

Framework files arrive from NIST's servers, from third-party repositories and
from users' uploads. Before the parser sees a byte this module checks the
size (by ``stat``, so an oversized file is never read into memory), insists on
UTF-8 (a UTF-8 byte-order mark is tolerated because Windows tools write one),
and afterwards refuses what Python's ``json`` module would otherwise accept
silently: ``NaN``/``Infinity`` literals (not JSON), duplicate keys (the last
one would win without a word) and absurd nesting. Every refusal is an
:class:`~csfpilot.core.errors.InputRefused` that names the file and, where
the parser knows it, the line and column.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from csfpilot.core.errors import InputRefused

MiB = 1024 * 1024
DEFAULT_MAX_BYTES = 64 * MiB
DEFAULT_MAX_DEPTH = 64

_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
)
# A JSON string, or one of the non-standard constants Python would accept.
_CONSTANT_OR_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|-?Infinity|NaN', re.DOTALL)


class _NonFiniteNumber(ValueError):
    pass


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _BadNumber(ValueError):
    pass


MAX_NUMBER_CHARS = 100


def _parse_int(token: str) -> int:
    # Python refuses integers of more than 4,300 digits with a ValueError (and converting
    # long ones is slow): refuse them as input, like any other bad value.
    if len(token) > MAX_NUMBER_CHARS:
        raise _BadNumber(f"a number of {len(token):,} digits; at most {MAX_NUMBER_CHARS}")
    return int(token)


def _parse_float(token: str) -> float:
    if len(token) > MAX_NUMBER_CHARS:
        raise _BadNumber(f"a number of {len(token):,} characters; at most {MAX_NUMBER_CHARS}")
    value = float(token)
    if value in (float("inf"), float("-inf")):
        raise _BadNumber(f"{token} is too large for a number")
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")
# The text is strict UTF-8, which cannot hold a surrogate; only a \uD800-\uDFFF escape can
# put one in a string. A text without such an escape need not have its tree walked (a
# third of the time of reading NIST's 2 MB Reference Tool export).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _first_surrogate(value: Any) -> str | None:
    """A text (key or value) holding a lone UTF-16 surrogate (``"\\ud800"``), which is
    not a character and cannot be stored or shown; None if there is none."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _reject_constant(token: str) -> Any:
    raise _NonFiniteNumber(token)


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def read_limited(source: Path | bytes, *, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of ``source``, refusing by ``stat`` before reading when it is too big.

    Any file format can use it; the JSON and workbook readers both do.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > max_bytes:
            raise InputRefused(
                f"the document is {len(data):,} bytes; the limit is {max_bytes:,} bytes",
                file=name,
            )
        return data
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputRefused(f"cannot read the file: {exc.strerror or exc}", file=name) from exc
    if size > max_bytes:
        raise InputRefused(
            f"the file is {size:,} bytes; the limit is {max_bytes:,} bytes "
            "(refused before reading it)",
            file=name,
        )
    try:
        with path.open("rb") as fh:
            # One byte more than stat() said, to notice a file that grew since.
            # (Not max_bytes + 1: the reader would allocate that much up front.)
            data = fh.read(size + 1)
    except OSError as exc:
        raise InputRefused(f"cannot read the file: {exc.strerror or exc}", file=name) from exc
    if len(data) > size:
        raise InputRefused("the file changed while it was being read; try again", file=name)
    return data


def _line_and_column(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, column


def decode_utf8(data: bytes, *, name: str) -> str:
    """Decode strictly as UTF-8 (BOM allowed) or refuse, naming the first bad byte."""
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            raise InputRefused(
                f"the file is not UTF-8: it starts with a {encoding} byte-order mark; "
                "save it as UTF-8",
                file=name,
            )
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputRefused(
            f"the file is not UTF-8: byte 0x{data[exc.start]:02x} at byte offset "
            f"{exc.start} cannot be decoded ({exc.reason}); save it as UTF-8",
            file=name,
            line=line,
        ) from None
    # UTF-16 without a BOM decodes as UTF-8 when it is ASCII-only, but every
    # other byte is then NUL, which JSON never contains outside an escape.
    nul = text.find("\x00")
    if nul != -1:
        line, _ = _line_and_column(text, nul)
        raise InputRefused(
            f"the file is not UTF-8 text: NUL byte at character offset {nul} "
            "(UTF-16 saved without a byte-order mark?)",
            file=name,
            line=line,
        )
    return text


def _depth_exceeds(value: Any, max_depth: int) -> bool:
    # Iterative on purpose: the point is to survive documents deeper than the stack.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def _first_constant(text: str) -> tuple[int, int, str] | None:
    for m in _CONSTANT_OR_STRING.finditer(text):
        if not m.group().startswith('"'):
            line, column = _line_and_column(text, m.start())
            return line, column, m.group()
    return None


def load_json(
    source: Path | bytes,
    *,
    name: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Any:
    """Parse a JSON document defensively; ``name`` is how errors refer to it.

    >>> load_json(b'{"a": [1, 2]}', name="x.json")
    {'a': [1, 2]}
    """
    data = read_limited(source, name=name, max_bytes=max_bytes)
    text = decode_utf8(data, name=name)
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_int=_parse_int,
            parse_float=_parse_float,
            object_pairs_hook=_unique_object,
        )
    except json.JSONDecodeError as exc:
        raise InputRefused(
            f"not valid JSON: {exc.msg}", file=name, line=exc.lineno, column=str(exc.colno)
        ) from None
    except _NonFiniteNumber as exc:
        found = _first_constant(text)
        line, column = (found[0], str(found[1])) if found else (None, None)
        raise InputRefused(
            f"{exc.args[0]} is not a JSON number; numbers must be finite",
            file=name,
            line=line,
            column=column,
        ) from None
    except _DuplicateKey as exc:
        raise InputRefused(
            f"the key {exc.key!r} appears twice in one object", file=name, field=exc.key
        ) from None
    except _BadNumber as exc:
        raise InputRefused(str(exc), file=name) from None
    except RecursionError:
        raise InputRefused(
            f"the JSON is nested too deeply (more than {max_depth} levels)", file=name
        ) from None
    if _depth_exceeds(value, max_depth):
        raise InputRefused(
            f"the JSON is nested too deeply (more than {max_depth} levels)", file=name
        )
    bad = _first_surrogate(value) if _SURROGATE_ESCAPE.search(text) else None
    if bad is not None:
        shown = bad[:40].encode("utf-8", "backslashreplace").decode()
        raise InputRefused(
            f"the text {shown!r} holds a lone surrogate escape (\\ud800-\\udfff), "
            "which is not a character",
            file=name,
        )
    return value
