"""Reading profile files: every refusal names the file, the outcome, the field and the line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import MATURITY, STATUS, Tier
from csfpilot.formats.native import FORMAT_VERSION, parse_profile, read_profile
from csfpilot.formats.native.reference import bundled_reference

HEAD = """\
format_version: 1
framework: csf-2.0
name: Test profile
scale: status
"""


def yaml_text(body: str, head: str = HEAD) -> str:
    return head + textwrap.dedent(body)


def refused(text: str, name: str = "p.yaml", **kw) -> InputRefused:
    fmt = "json" if name.endswith(".json") else "yaml"
    with pytest.raises(InputRefused) as exc:
        parse_profile(text.encode("utf-8"), name=name, fmt=fmt, **kw)
    return exc.value


def test_a_minimal_profile_reads_with_defaults():
    loaded = parse_profile(
        yaml_text("outcomes:\n  GV.OC-01: {current: partially, target: fully}\n").encode(),
        name="p.yaml",
        fmt="yaml",
    )
    p = loaded.profile
    assert (p.name, p.framework, p.scale, p.kind.value, p.rollup.value) == (
        "Test profile",
        "csf-2.0",
        STATUS,
        "organizational",
        "equal",
    )
    entry = p.entry("GV.OC-01")
    assert entry.included and entry.current.key == "partially" and entry.target.key == "fully"
    assert loaded.warnings == ()


def test_a_wrong_level_name_names_file_line_outcome_and_field():
    text = yaml_text(
        """\
        outcomes:
          GV.OC-01:
            current: partially
          GV.OC-02:
            included: true
            current: partialy
        """
    )
    assert str(refused(text)) == (
        "p.yaml:10: element GV.OC-02: field current: 'partialy' is not a level of the "
        "'status' scale; use one of: not, partially, largely, fully, na; did you mean "
        "'partially'?"
    )


def test_a_tier_of_5_is_refused():
    text = yaml_text(
        """\
        tiers:
          governance: {current: 2, target: 5}
        """
    )
    exc = refused(text)
    assert (exc.line, exc.field) == (6, "tiers.governance.target")
    assert exc.message == (
        "5 is not a CSF Tier; Tiers are 1 Partial; 2 Risk Informed; 3 Repeatable; 4 Adaptive"
    )


def test_a_withdrawn_id_says_where_it_went_with_its_line():
    nist = bundled_reference()
    text = yaml_text(
        """\
        outcomes:
          GV.OC-01: {current: fully}
          DE.CM-04: {current: fully}
        """
    )
    exc = refused(text, framework=nist.framework, withdrawals=nist.withdrawals)
    assert str(exc) == (
        "p.yaml:7: element DE.CM-04: DE.CM-04 is not an outcome of csf-2.0: it was withdrawn "
        "(Incorporated into DE.CM-01, DE.CM-09); rate DE.CM-01, DE.CM-09 instead"
    )


@pytest.mark.parametrize(
    ("body", "line", "field", "message"),
    [
        (
            "outcomes:\n  GV.OC-01: {included: 'yes'}\n",
            6,
            "included",
            "expected true or false, found text ('yes')",
        ),
        (
            "outcomes:\n  GV.OC-01: {owner: 123}\n",
            6,
            "owner",
            "expected text, found a number (123); put it in quotes",
        ),
        (
            "outcomes:\n  GV.OC-01:\n    current_details: {references: SP 800-53}\n",
            7,
            "current_details.references",
            "expected a list of text items, found text ('SP 800-53')",
        ),
        (
            "outcomes:\n  GV.OC-01: {priorty: high}\n",
            6,
            "priorty",
            "unknown key 'priorty'; did you mean 'priority'?",
        ),
        (
            "outcomes:\n  GV.OC-01: {priority: urgent}\n",
            6,
            "priority",
            "text ('urgent') is not a priority; use one of: high, medium, low",
        ),
        (
            "outcomes:\n  GV.OC-01: [fully]\n",
            6,
            None,
            "expected a mapping of keys to values, found a list",
        ),
        (
            "outcomes:\n  GV.OC-01:\n    target_details:\n      evidence: [ok, 7]\n",
            8,
            "target_details.evidence[1]",
            "expected text, found a number (7); put it in quotes",
        ),
    ],
)
def test_wrong_types_inside_an_outcome(body, line, field, message):
    exc = refused(yaml_text(body))
    assert (exc.file, exc.line, exc.element, exc.field, exc.message) == (
        "p.yaml",
        line,
        "GV.OC-01",
        field,
        message,
    )


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (
            "framework: csf-2.0\nname: x\nscale: status\n",
            None,
            "format_version",
            f"the key 'format_version' is required; this csfpilot writes format_version: "
            f"1 ({FORMAT_VERSION} for a file citing evidence library items)",
        ),
        (
            "format_version: 3\nframework: csf-2.0\nname: x\nscale: status\n",
            1,
            "format_version",
            "this file uses format_version 3; this csfpilot reads up to 2: upgrade csfpilot to "
            "read it",
        ),
        (
            "format_version: 1\nframework: csf-2.0\nname: x\n",
            None,
            "scale",
            "the key 'scale' is required (status, maturity, or a custom scale)",
        ),
        (
            HEAD + "scope: department\n",
            5,
            "scope",
            "text ('department') is not a scope type; use one of: organization, business-unit, "
            "system, product",
        ),
        (
            HEAD + "rollup: mean-of-means\n",
            5,
            "rollup",
            "text ('mean-of-means') is not a roll-up; use one of: equal, priority",
        ),
        (
            HEAD + "owner: me\n",
            5,
            "owner",
            "unknown key 'owner'; allowed: format_version, kind, framework, name, scope, "
            "description, assumptions, scale, rollup, based_on, tiers, outcomes, actions, snapshot",
        ),
        (
            HEAD.replace("scale: status", "scale: cmmi"),
            4,
            "scale",
            "'cmmi' is not a built-in scale; use status, maturity or define one (a mapping with "
            "key, name and levels)",
        ),
        (
            HEAD.replace("csf-2.0", "CSF 2.0"),
            2,
            "framework",
            "'CSF 2.0' is not a framework key (lower-case letters, digits, '.', '-'; e.g. csf-2.0)",
        ),
        (
            HEAD + "tiers:\n  governance: {current: two}\n",
            6,
            "tiers.governance.current",
            "a Tier is a whole number 1-4 (1 Partial; 2 Risk Informed; 3 Repeatable; 4 Adaptive), "
            "found text ('two')",
        ),
        (
            HEAD + "snapshot: {taken: '2025-03-31T17:00:00'}\n",
            5,
            "snapshot.taken",
            "the time needs a time zone (e.g. +00:00 or Z)",
        ),
    ],
)
def test_profile_level_refusals(text, line, field, message):
    exc = refused(text)
    assert (exc.line, exc.element, exc.field, exc.message) == (line, None, field, message)


def test_actions_are_checked_field_by_field():
    text = yaml_text(
        """\
        actions:
          - {id: A-001, title: Fix, outcomes: [GV.OC-01], due: 2025-06-30}
          - id: A-002
            title: Later
            outcomes: [GV.OC-02]
            due: next week
        """
    )
    exc = refused(text)
    assert (exc.line, exc.field, exc.message) == (
        10,
        "actions[1].due",
        "expected a date as YYYY-MM-DD, found text ('next week')",
    )
    exc = refused(yaml_text("actions:\n  - {id: A-001, title: Fix, outcomes: [], status: later}\n"))
    assert (exc.field, exc.message) == (
        "actions[0].status",
        "text ('later') is not an action status; use one of: open, in-progress, done, "
        "risk-accepted",
    )


def test_a_custom_scale_with_a_score_out_of_range():
    text = yaml_text(
        """\
        scale:
          key: three-step
          levels:
            - {key: none, score: 0}
            - {key: half, score: 1.5}
        """,
        head="format_version: 1\nframework: csf-2.0\nname: Custom\n",
    )
    exc = refused(text)
    assert (exc.line, exc.field, exc.message) == (
        8,
        "scale.levels[1].score",
        "score 3/2 of level 'half' is outside 0..1",
    )


def test_a_custom_scale_reads_fraction_scores_and_rates_with_its_keys():
    text = yaml_text(
        """\
        scale:
          key: thirds
          name: Thirds
          levels:
            - {key: none, label: None, score: 0}
            - {key: third, label: A third, score: 1/3}
            - {key: all, label: All, score: 1}
            - {key: skip, label: Out of scope, score: null}
        outcomes:
          GV.OC-01: {current: third, target: all}
        """,
        head="format_version: 1\nframework: csf-2.0\nname: Custom\n",
    )
    p = parse_profile(text.encode(), name="p.yaml", fmt="yaml").profile
    assert p.scale.key == "thirds" and p.entry("GV.OC-01").current.score.denominator == 3


def test_maturity_levels_are_numbers_and_yes_is_not_level_1():
    head = HEAD.replace("scale: status", "scale: maturity")
    p = parse_profile(
        yaml_text("outcomes:\n  GV.OC-01: {current: 3, target: na}\n", head).encode(),
        name="p.yaml",
        fmt="yaml",
    ).profile
    assert p.scale is MATURITY and p.entry("GV.OC-01").current.key == 3
    exc = refused(yaml_text("outcomes:\n  GV.OC-01: {current: yes}\n", head))
    assert exc.message.startswith("True is not a level of the 'maturity' scale")


def test_a_community_profile_with_a_current_rating_is_refused():
    text = yaml_text("kind: community\noutcomes:\n  GV.OC-01: {current: fully, target: fully}\n")
    exc = refused(text)
    assert (exc.line, exc.element, exc.field) == (7, "GV.OC-01", "current")
    assert "holds targets only" in exc.message


def test_json_refusals_name_the_outcome_and_field():
    text = (
        '{"format_version": 1, "framework": "csf-2.0", "name": "J", "scale": "status",'
        ' "outcomes": {"GV.OC-01": {"current": "sorta"}}}'
    )
    exc = refused(text, name="p.json")
    assert str(exc).startswith(
        "p.json: element GV.OC-01: field current: 'sorta' is not a level of the 'status' scale"
    )


def test_read_profile_reads_the_examples(tmp_path: Path):
    root = Path(__file__).resolve().parents[2] / "examples"
    loaded = read_profile(root / "profile-riverbend-clinics.yaml")
    assert loaded.profile.tiers.governance.current is Tier.RISK_INFORMED
    assert len(loaded.profile.outcomes) == 106
    with pytest.raises(InputRefused, match=r"ends in \.yaml, \.yml or \.json"):
        read_profile(tmp_path / "p.txt")
