"""Reading YAML profile files without trusting them.

PyYAML's safe loader still accepts things a profile file never needs and an
attacker can abuse: anchors and aliases (the "billion laughs" expansion bomb),
merge keys, explicit tags, duplicate keys (the last one silently wins), and
unbounded nesting. This reader composes the document node by node and refuses
each of them with the line it is on. It also records the line of every key
and value, so later errors about a field ("outcomes → GV.OC-01 → current")
can name the line too.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from csfpilot.core.errors import InputRefused

Path_ = tuple[str | int, ...]
MAX_DEPTH = 32

# The YAML 1.1 core types a profile can hold; anything else is an explicit tag.
_ALLOWED_TAGS = frozenset(
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


class _Refused(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _RestrictedLoader(Reader, Scanner, Parser, Composer, SafeConstructor, Resolver):
    """Composes nodes, refusing anchors, aliases and deep nesting as they are met."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, AliasEvent):
            raise _Refused(
                f"YAML aliases (*{event.anchor}) are not allowed in profile files; "
                "write the value out",
                line,
            )
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor is not None:
            raise _Refused(f"YAML anchors (&{event.anchor}) are not allowed in profile files", line)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"the YAML is nested more than {MAX_DEPTH} levels deep", line)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _value(loader: _RestrictedLoader, node: Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines.setdefault(path, _line(node))
    if node.tag not in _ALLOWED_TAGS:
        raise _Refused(f"the YAML tag {node.tag!r} is not allowed in profile files", _line(node))
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("only plain text keys are allowed (no merge keys)", _line(key_node))
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                raise _Refused(
                    f"the key {key_node.value!r} must be text; quote it", _line(key_node)
                )
            if key in out:
                first = lines.get((*path, key))
                raise _Refused(
                    f"the key {key!r} appears twice"
                    + (f" (first on line {first})" if first else ""),
                    _line(key_node),
                )
            lines[(*path, key)] = _line(key_node)
            out[key] = _value(loader, value_node, (*path, key), lines)
        return out
    if isinstance(node, SequenceNode):
        return [_value(loader, item, (*path, i), lines) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load_yaml(text: str, *, name: str) -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML document; return the value and the line of every path in it.

    Paths are tuples of keys and list indexes from the root, e.g.
    ``("outcomes", "GV.OC-01", "current")``; lines are 1-based.
    """
    loader = _RestrictedLoader(text)
    lines: dict[Path_, int] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputRefused("the file is empty", file=name)
        value = _value(loader, node, (), lines)
    except _Refused as exc:
        raise InputRefused(exc.message, file=name, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        raise InputRefused(
            f"not valid YAML: {problem}",
            file=name,
            line=mark.line + 1 if mark else None,
            column=str(mark.column + 1) if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise InputRefused(f"not valid YAML: {exc}", file=name) from None
    except RecursionError:
        raise InputRefused(
            f"the YAML is nested more than {MAX_DEPTH} levels deep", file=name
        ) from None
    finally:
        loader.dispose()
    return value, lines
