"""The rule table: which outcomes a finding without NIST ids speaks about, and why.

csfpilot ships a default table (``default_rules.json`` beside this module); an
organization may supply its own file in the same shape, which either comes
before the defaults (``"mode": "extend"``, the default: the first rule that
matches wins, so a user's rule overrides a default one) or replaces them
(``"mode": "replace"``)::

    {
      "csfpilot-scan-rules": 1,
      "mode": "extend",
      "rules": [
        {"name": "container-hardening", "tool": "^trivy$", "match": ["DS0*", "AVD-DS-*"],
         "outcomes": ["PR.PS-01"], "reason": "Dockerfile checks: configuration management."}
      ]
    }

``tool`` is a regular expression searched in the tool's name, ``match``
shell-style patterns for the finding's rule id and tags, ``formats`` the
reader keys the rule is limited to.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import cache
from importlib import resources

from csfpilot.core.evidence.scan_mapping import ScanRule
from csfpilot.core.ids import csf_canonical
from csfpilot.scanners.json_input import Node, decode, parse_text

FILE_VERSION = 1
MAX_RULES = 1000
MAX_PATTERN = 200
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_KEYS = frozenset({"name", "tool", "match", "formats", "outcomes", "reason"})
_FORMATS = ("sarif", "xccdf", "hdf", "ocsf", "prowler-csv", "asff", "trivy")


def load_rules(
    data: bytes,
    *,
    name: str = "rules file",
    outcomes: Collection[str] | None = None,
    defaults: Sequence[ScanRule] | None = None,
) -> tuple[ScanRule, ...]:
    """Read a rule file; with ``"mode": "extend"`` its rules come before ``defaults``.

    ``outcomes``, when given, is the Core's outcome ids: a rule naming another
    id is refused. ``defaults`` are the shipped rules unless given.
    """
    root = Node(parse_text(decode(data, name=name, max_bytes=1024 * 1024), name=name), name=name)
    if not isinstance(root.value, dict):
        raise root.refuse("a rule file is a JSON object")
    version = root.number("csfpilot-scan-rules")
    if version != FILE_VERSION:
        raise root.refuse(
            f'"csfpilot-scan-rules": {FILE_VERSION} is required', "csfpilot-scan-rules"
        )
    unknown = set(root.value) - {"csfpilot-scan-rules", "mode", "rules"}
    if unknown:
        raise root.refuse(f"unknown key {sorted(unknown)[0]!r}")
    mode = root.text("mode", default="extend")
    if mode not in ("extend", "replace"):
        raise root.refuse(f"mode {mode!r}: use extend or replace", "mode")
    rules: list[ScanRule] = []
    seen: set[str] = set()
    for entry in root.items("rules", required=True):
        rule = _rule(entry, outcomes)
        if rule.name in seen:
            raise entry.refuse(f"a second rule named {rule.name!r}", "name")
        seen.add(rule.name)
        rules.append(rule)
        if len(rules) > MAX_RULES:
            raise entry.refuse(f"more than {MAX_RULES} rules")
    if mode == "replace":
        return tuple(rules)
    base = default_rules() if defaults is None else tuple(defaults)
    return (*rules, *(r for r in base if r.name not in seen))


def _rule(entry: Node, outcomes: Collection[str] | None) -> ScanRule:
    if not isinstance(entry.value, dict):
        raise entry.refuse("a rule is a JSON object")
    unknown = set(entry.value) - _KEYS
    if unknown:
        known = ", ".join(sorted(_KEYS))
        raise entry.refuse(f"unknown key {sorted(unknown)[0]!r} (a rule has {known})")
    rule_name = entry.text("name", required=True)
    if not _NAME.match(rule_name):
        raise entry.refuse(
            "a rule name is lower-case letters, digits, '.', '_' and '-' (at most 64)", "name"
        )
    reason = entry.text("reason", required=True)
    if len(reason) > 1000:
        raise entry.refuse("a reason of at most 1,000 characters", "reason")
    tool = entry.text("tool")
    if len(tool) > MAX_PATTERN:
        raise entry.refuse(f"a pattern of at most {MAX_PATTERN} characters", "tool")
    try:
        re.compile(tool)
    except re.error as exc:
        raise entry.refuse(f"not a regular expression: {exc}", "tool") from None
    match = entry.texts("match")
    for i, pattern in enumerate(match):
        if len(pattern) > MAX_PATTERN:
            raise entry.refuse(f"a pattern of at most {MAX_PATTERN} characters", f"match[{i}]")
    formats = entry.texts("formats")
    for i, key in enumerate(formats):
        if key not in _FORMATS:
            known = ", ".join(_FORMATS)
            raise entry.refuse(f"unknown format {key!r}; known: {known}", f"formats[{i}]")
    if not tool and not match:
        raise entry.refuse("a rule needs a tool pattern or id patterns (match)")
    codes = entry.texts("outcomes")
    if not codes:
        raise entry.refuse("a rule names at least one CSF 2.0 outcome", "outcomes")
    canonical = []
    for i, code in enumerate(codes):
        c = csf_canonical(code)
        if c is None or "-" not in c or (outcomes is not None and c not in outcomes):
            raise entry.refuse(f"{code!r} is not a CSF 2.0 outcome id", f"outcomes[{i}]")
        canonical.append(c)
    return ScanRule(
        name=rule_name,
        outcomes=tuple(dict.fromkeys(canonical)),
        reason=reason,
        tool=tool,
        match=match,
        formats=formats,
    )


@cache
def default_rules() -> tuple[ScanRule, ...]:
    """The rule table csfpilot ships (``default_rules.json``)."""
    data = resources.files("csfpilot.scanners").joinpath("default_rules.json").read_bytes()
    return load_rules(data, name="default_rules.json", defaults=())
