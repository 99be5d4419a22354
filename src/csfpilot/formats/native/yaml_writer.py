"""Writing profile documents as YAML people can read and edit.

The document is emitted with PyYAML's safe dumper (never anchors or aliases,
which the reader refuses), with the outcomes written one by one so that each
gets a comment with its statement and each Function and Category a heading
comment, when the framework's texts are known. Comments are regenerated on
every write: they are a reading aid, not data, and hand-written comments in a
profile file do not survive a rewrite by csfpilot.
"""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

from csfpilot.core.profiles import OutcomeFramework

WIDTH = 100
HEADER = (
    "# csfpilot profile (format documented in docs/profile-format.md;\n"
    "# JSON Schema: csfpilot/formats/native/profile.schema.json)\n"
)


# PyYAML's emitter treats NEL (U+0085) as a line break inside single-quoted and
# plain scalars and loses it on the way back; double quotes escape it as \N.
_LINE_BREAK_LOOKALIKES = frozenset("\x85\u2028\u2029")


# libyaml's emitter when installed (several times faster); output reads back the same.
_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[valid-type,misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if _LINE_BREAK_LOOKALIKES.intersection(data):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return dumper.represent_str(data)


_Dumper.add_representer(str, _represent_str)


def _dump(value: Any) -> str:
    return yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=WIDTH,
        default_flow_style=False,
    )


def _indent(text: str, prefix: str) -> str:
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(True))


def _comment(text: str, prefix: str) -> str:
    width = max(40, WIDTH - len(prefix) - 2)
    lines = textwrap.wrap(" ".join(text.split()), width=width) or [""]
    return "".join(f"{prefix}# {line}\n" for line in lines)


def dump_yaml(doc: dict[str, Any], framework: OutcomeFramework | None = None) -> str:
    """The YAML text of a profile document; comments come from ``framework`` texts."""
    out = [HEADER]
    for key, value in doc.items():
        if key == "outcomes":
            out.append(_outcomes(value, framework))
        elif key == "actions" and not value:
            out.append("actions: []\n")
        else:
            out.append(_dump({key: value}))
    return "".join(out)


def _outcomes(outcomes: dict[str, Any], framework: OutcomeFramework | None) -> str:
    if not outcomes:
        return "outcomes: {}\n"
    # One emitter run for all outcomes; the comments go in front of each entry's key
    # line. Entries are mappings, so each key sits alone on a line at indent 2, and
    # nothing nested inside an entry is ever that shallow.
    lines = _dump({"outcomes": outcomes}).splitlines(keepends=True)
    comments = _comments(list(outcomes), framework)
    out: list[str] = []
    for line in lines:
        if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            out.append(comments.get(line.strip()[:-1], ""))
        out.append(line)
    return "".join(out)


def _comments(codes: list[str], framework: OutcomeFramework | None) -> dict[str, str]:
    """The comment block to put before each outcome: group headings, then its statement."""
    if framework is None:
        return {}
    out: dict[str, str] = {}
    shown: set[str] = set()
    for code in codes:
        if not framework.is_outcome(code):
            continue
        parts: list[str] = []
        ancestors = framework.ancestors(code)
        for group in ancestors:
            if group in shown:
                continue
            shown.add(group)
            title = framework.text(group)
            heading = f"{group}: {title}" if title else group
            if group == ancestors[0]:
                heading = f"==== {heading} ===="
            parts.append("\n")
            parts.append(_comment(heading, "  "))
        statement = framework.text(code)
        if statement:
            parts.append(_comment(f"{code}: {statement}", "  "))
        out[code] = "".join(parts)
    return out
