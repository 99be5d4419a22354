"""Every problem in a profile file, not only the first: what ``csfpilot profile validate`` shows.

Importing stops at the first problem (nothing is stored from a refused file, so one
reason is enough). Someone fixing a file by hand wants them all at once, each with
its line: the header, the scale, every outcome and every action are checked one by
one, each outcome's id against the framework, and the whole document against the
published JSON Schema. A schema violation at a place already reported is left out,
since the reader's own message there says more. A YAML syntax error stops the
reading, so it is the only problem reported.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import OutcomeFramework, WithdrawalIndex, refuse_unknown_outcome

# The document's part readers, used one part at a time (they stop at a part's first problem).
from csfpilot.formats.native.document import _action, _entry, _scale, _Where, from_document
from csfpilot.formats.native.files import (
    MAX_PROFILE_BYTES,
    Format,
    LoadedProfile,
    _located,
    _plain,
    parse_profile,
)
from csfpilot.formats.native.schema import schema_errors
from csfpilot.formats.native.yaml_reader import Path_, load_yaml
from csfpilot.formats.safe_json import decode_utf8, load_json, read_limited

T = TypeVar("T")


def _document(data: bytes, *, name: str, fmt: Format) -> tuple[Any, dict[Path_, int]]:
    if fmt == "yaml":
        text = decode_utf8(read_limited(data, name=name, max_bytes=MAX_PROFILE_BYTES), name=name)
        return load_yaml(text, name=name)
    return load_json(data, name=name, max_bytes=MAX_PROFILE_BYTES, max_depth=32), {}


def _collect(doc: dict[str, Any], framework: OutcomeFramework, withdrawals: WithdrawalIndex | None):
    found: list[InputRefused] = []

    def attempt(check: Callable[..., T], *args: Any) -> T | None:
        try:
            return check(*args)
        except InputRefused as exc:
            found.append(exc)
            return None

    outcomes, actions = doc.get("outcomes"), doc.get("actions")
    header = dict(doc)
    # The header alone; a wrong type of outcomes or actions is the header's problem too.
    if isinstance(outcomes, dict):
        header["outcomes"] = {}
    if isinstance(actions, list):
        header["actions"] = []
    attempt(from_document, header)
    framework_key = doc.get("framework")
    if isinstance(framework_key, str) and framework_key != framework.key:
        found.append(
            InputRefused(
                f"the profile is written for {framework_key}, not {framework.key}",
                field="framework",
            )
        )
    scale = None
    if "scale" in doc:
        with contextlib.suppress(InputRefused):  # reported with the header already
            scale = _scale(doc["scale"], _Where().key("scale"))
    for code, value in (outcomes or {}).items() if isinstance(outcomes, dict) else ():
        attempt(refuse_unknown_outcome, code, framework, withdrawals)
        if scale is not None:
            attempt(_entry, code, value, scale)
    for i, item in enumerate(actions or []) if isinstance(actions, list) else ():
        where = _Where().key("actions").index(i)
        action = attempt(_action, item, where)
        action_id = action.id if action is not None else (item or {}).get("id", i + 1)
        named = item.get("outcomes") if isinstance(item, dict) else None
        for j, code in enumerate(named if isinstance(named, list) else ()):
            if isinstance(code, str) and not framework.is_outcome(code):
                try:
                    refuse_unknown_outcome(code, framework, withdrawals)
                except InputRefused as exc:
                    found.append(
                        InputRefused(
                            f"action {action_id}: {exc.message}",
                            field=f"actions[{i}].outcomes[{j}]",
                        )
                    )
    return found


def _place(exc: InputRefused) -> tuple[str, str]:
    return exc.element or "", exc.field or ""


def _within(field: str, outer: str) -> bool:
    return not outer or field == outer or field.startswith((outer + ".", outer + "["))


def _covered(place: tuple[str, str], reported: set[tuple[str, str]]) -> bool:
    """Whether a problem at ``place`` was reported already: at the same field, at a
    field around it, or at a field inside it (a required key missing from an action)."""
    element, field = place
    return any(
        element == other_element and (_within(field, other) or _within(other, field))
        for other_element, other in reported
    )


def profile_problems(
    data: bytes,
    *,
    name: str,
    fmt: Format,
    framework: OutcomeFramework,
    withdrawals: WithdrawalIndex | None = None,
) -> tuple[LoadedProfile | None, list[InputRefused]]:
    """The profile when the file is valid (and no problems), else every problem found,
    each naming the file, the outcome, the field and (for YAML) the line, in file order."""
    try:
        doc, lines = _document(data, name=name, fmt=fmt)
    except InputRefused as exc:
        return None, [exc]
    try:
        return parse_profile(
            data, name=name, fmt=fmt, framework=framework, withdrawals=withdrawals
        ), []
    except InputRefused as exc:
        first = exc
    if not isinstance(doc, dict):
        return None, [first]
    problems = _collect(doc, framework, withdrawals)
    reported = {_place(p) for p in problems}
    for exc in schema_errors(_plain(doc)):
        if not _covered(_place(exc), reported):
            problems.append(exc)
            reported.add(_place(exc))
    if not problems:  # a rule only the whole-profile reading applies
        problems = [first]
    located: dict[str, InputRefused] = {}
    for exc in problems:
        placed = _located(exc, name, doc, lines)
        located.setdefault(str(placed), placed)
    ordered = sorted(located.values(), key=lambda e: (e.line is None, e.line or 0))
    return None, ordered
