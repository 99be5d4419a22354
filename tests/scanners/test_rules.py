"""The rule table: the shipped defaults and a user's own file."""

from __future__ import annotations

import json

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.scanners import default_rules, load_rules

from .conftest import scan


def _file(*rules: dict, mode: str = "extend") -> bytes:
    return json.dumps({"csfpilot-scan-rules": 1, "mode": mode, "rules": list(rules)}).encode()


CONTAINER = {
    "name": "container-user",
    "tool": "^trivy$",
    "match": ["AVD-DS-0002"],
    "outcomes": ["PR.AA-05"],
    "reason": "Containers running as root break least privilege.",
}


def test_default_rules_name_only_outcomes_of_the_core(nist):
    rules = default_rules()
    assert [r.name for r in rules] == [
        "known-vulnerability",
        "credentials-in-code",
        "data-in-transit",
        "weak-cryptography",
        "configuration-check",
        "code-weakness",
        "bandit-check",
        "flawfinder-check",
    ]
    assert {o for r in rules for o in r.outcomes} <= set(nist.outcomes)
    # Each reason quotes the outcomes it gives, so the sentence and the ids cannot drift apart.
    assert all(f"({code})" in r.reason for r in rules for code in r.outcomes)


def test_a_user_rule_comes_before_the_defaults(nist):
    rules = load_rules(_file(CONTAINER), name="mine.json", outcomes=nist.outcomes)
    assert [r.name for r in rules][:2] == ["container-user", "known-vulnerability"]
    mapping = nist.map(scan("trivy-image.json"), rules=rules)
    assert mapping.findings[3].how == ("rule:container-user",)
    assert mapping.findings[3].outcomes == ("PR.AA-05",)
    assert mapping.findings[4].how == ("rule:configuration-check",)  # DS026 is not matched


def test_replace_drops_the_defaults(nist):
    rules = load_rules(_file(CONTAINER, mode="replace"), outcomes=nist.outcomes)
    summary = nist.map(scan("trivy-image.json"), rules=rules).summary
    assert summary.to_json()["mapped"] == 1
    assert summary.to_json()["unmapped"] == {"no-ids": 6}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"outcomes": ["PR.XX-99"]},
            "field $.rules[0].outcomes[0]: 'PR.XX-99' is not a CSF 2.0 outcome id",
        ),
        ({"outcomes": []}, "field $.rules[0].outcomes: a rule names at least one CSF 2.0 outcome"),
        ({"tool": "([a-z"}, "field $.rules[0].tool: not a regular expression"),
        ({"tool": "", "match": []}, "field $.rules[0]: a rule needs a tool pattern or id patterns"),
        ({"name": "Bad Name"}, "field $.rules[0].name: a rule name is lower-case letters"),
        ({"reason": ""}, "field $.rules[0].reason: this field is required"),
        ({"formats": ["nessus"]}, "field $.rules[0].formats[0]: unknown format 'nessus'"),
        ({"outcome": ["PR.PS-01"]}, "field $.rules[0]: unknown key 'outcome'"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(change, message, nist):
    rule = {**CONTAINER, **change}
    with pytest.raises(InputRefused) as refused:
        load_rules(_file(rule), name="mine.json", outcomes=nist.outcomes)
    assert str(refused.value).startswith(f"mine.json: {message}")


def test_a_rule_file_needs_its_version_and_unique_names():
    with pytest.raises(InputRefused, match='"csfpilot-scan-rules": 1 is required'):
        load_rules(b'{"rules": []}', name="r.json")
    with pytest.raises(
        InputRefused, match=r"\$.rules\[1\].name: a second rule named 'container-user'"
    ):
        load_rules(_file(CONTAINER, CONTAINER), name="r.json")
    with pytest.raises(InputRefused, match=r"r\.json:1: not valid JSON"):
        load_rules(b'{"rules": [', name="r.json")
