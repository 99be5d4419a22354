"""Reading YAML profile files without trusting them.

PyYAML's safe loader still accepts things a profile file never needs and an
attacker can abuse: anchors and aliases (the "billion laughs" expansion bomb),
merge keys, explicit tags, duplicate keys (the last one silently wins), and
unbounded nesting. This reader builds the document straight from the parser's
event stream — libyaml's C parser when it is installed, PyYAML's own
otherwise — and refuses each of those with the line it is on, before a value
is built from it. It also records the line of every key and value, so later
errors about a field ("outcomes → GV.OC-01 → current") can name the line too.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from csfpilot.core.errors import InputRefused

Path_ = tuple[str | int, ...]
MAX_DEPTH = 32

_CORE = "tag:yaml.org,2002:"
# The YAML 1.1 scalar types a profile can hold; any other tag is refused.
_SCALAR_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_MERGE = _CORE + "merge"
_NUMBER_TAGS = frozenset((_CORE + "int", _CORE + "float"))
MAX_NUMBER_CHARS = 100


class _Refused(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _PyParser(Reader, Scanner, Parser):
    """PyYAML's pure-Python parser, for installs without libyaml."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)


class _Scalars(SafeConstructor, Resolver):
    """Resolves and builds plain values (text, numbers, booleans, null, dates)."""


def _parser(text: str) -> Any:
    if getattr(yaml, "__with_libyaml__", False):
        from yaml._yaml import CParser

        return CParser(text)
    return _PyParser(text)


def _line(event: Event) -> int | None:
    return event.start_mark.line + 1 if event.start_mark is not None else None


class _Builder:
    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.scalars = _Scalars()
        self.lines: dict[Path_, int] = {}

    def _next(self) -> Event:
        event = self.parser.get_event()
        if isinstance(event, AliasEvent):
            raise _Refused(
                f"YAML aliases (*{event.anchor}) are not allowed in profile files; "
                "write the value out",
                _line(event),
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Refused(
                f"YAML anchors (&{anchor}) are not allowed in profile files", _line(event)
            )
        return event

    def _scalar_tag(self, event: ScalarEvent) -> str:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.scalars.resolve(ScalarNode, event.value, event.implicit)
        return tag

    def _scalar(self, event: ScalarEvent) -> Any:
        tag = self._scalar_tag(event)
        if tag not in _SCALAR_TAGS:
            raise _Refused(f"the YAML tag {tag!r} is not allowed in profile files", _line(event))
        if tag in _NUMBER_TAGS and len(event.value) > MAX_NUMBER_CHARS:
            # Python refuses to convert integers of more than 4,300 digits (and a long one
            # costs quadratic time below that); no profile value needs more than a few.
            raise _Refused(
                f"a number of {len(event.value):,} characters; at most {MAX_NUMBER_CHARS}",
                _line(event),
            )
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        return self.scalars.yaml_constructors[tag](self.scalars, node)

    def value(self, path: Path_, depth: int) -> Any:
        event = self._next()
        line = _line(event)
        if line is not None:
            self.lines.setdefault(path, line)
        if isinstance(event, ScalarEvent):
            return self._scalar(event)
        if depth >= MAX_DEPTH:
            raise _Refused(f"the YAML is nested more than {MAX_DEPTH} levels deep", line)
        if event.tag is not None and not event.implicit:
            raise _Refused(f"the YAML tag {event.tag!r} is not allowed in profile files", line)
        if isinstance(event, SequenceStartEvent):
            items = []
            while not self.parser.check_event(SequenceEndEvent):
                items.append(self.value((*path, len(items)), depth + 1))
            self.parser.get_event()
            return items
        if isinstance(event, MappingStartEvent):
            return self._mapping(path, depth)
        raise _Refused(f"unexpected YAML event {type(event).__name__}", line)

    def _mapping(self, path: Path_, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while not self.parser.check_event(MappingEndEvent):
            key_event = self._next()
            line = _line(key_event)
            if not isinstance(key_event, ScalarEvent) or self._scalar_tag(key_event) == _MERGE:
                raise _Refused("only plain text keys are allowed (no merge keys)", line)
            key = self._scalar(key_event)
            if not isinstance(key, str):
                raise _Refused(f"the key {key_event.value!r} must be text; quote it", line)
            if key in out:
                first = self.lines.get((*path, key))
                raise _Refused(
                    f"the key {key!r} appears twice"
                    + (f" (first on line {first})" if first else ""),
                    line,
                )
            if line is not None:
                self.lines[(*path, key)] = line
            out[key] = self.value((*path, key), depth + 1)
        self.parser.get_event()
        return out

    def document(self) -> Any:
        self.parser.get_event()  # stream start
        if self.parser.check_event(StreamEndEvent):
            return None
        self.parser.get_event()  # document start
        root = self.value((), 0)
        end = self.parser.get_event()
        if not isinstance(end, DocumentEndEvent):
            raise _Refused("not valid YAML: the document does not end", _line(end))
        if not self.parser.check_event(StreamEndEvent):
            raise _Refused(
                "not valid YAML: but found another document", _line(self.parser.peek_event())
            )
        return root


def _syntax_error(exc: yaml.MarkedYAMLError) -> tuple[str, Any]:
    """What is wrong, and the mark of the line where the problem starts.

    PyYAML notices a problem where it gives up (``problem_mark``), often well after
    where it starts (``context_mark``): a quote never closed is found at the end of
    the file, a ``{`` never closed on the next line. The start is where to look,
    except for a block (an indented mapping or list), whose start is only the
    enclosing key; there the place it gave up is the bad line.
    """
    context, problem = exc.context, exc.problem or exc.context or "not valid YAML"
    start, found = exc.context_mark, exc.problem_mark
    if context and start is not None and "block" not in context and found is not None:
        what = context.removeprefix("while ").replace("scanning ", "").replace("parsing ", "")
        if start.line == found.line:
            return f"{problem} ({what})", start
        return f"{what} that starts here: {problem} on line {found.line + 1}", start
    if context and start is not None and found is not None and start.line != found.line:
        what = context.removeprefix("while ").replace("parsing ", "")
        return f"{problem} (in {what} that starts on line {start.line + 1})", found
    return problem, found or start


def load_yaml(text: str, *, name: str) -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML document; return the value and the line of every path in it.

    Paths are tuples of keys and list indexes from the root, e.g.
    ``("outcomes", "GV.OC-01", "current")``; lines are 1-based. A file with no
    document (empty, or only comments) is refused.
    """
    parser = _parser(text)
    builder = _Builder(parser)
    try:
        value = builder.document()
        if value is None and not builder.lines:
            raise InputRefused("the file is empty", file=name)
    except _Refused as exc:
        raise InputRefused(exc.message, file=name, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        message, mark = _syntax_error(exc)
        raise InputRefused(
            f"not valid YAML: {message}",
            file=name,
            line=mark.line + 1 if mark else None,
            column=str(mark.column + 1) if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise InputRefused(f"not valid YAML: {exc}", file=name) from None
    finally:
        parser.dispose()
    return value, builder.lines
