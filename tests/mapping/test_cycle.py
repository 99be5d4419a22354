"""The review-cycle signal: a requirement to review and update meets the improvement outcomes."""

from __future__ import annotations

import pytest

from csfpilot.mapping import semantic as sem
from csfpilot.mapping import suggest
from csfpilot.mapping.cycle import REASON, ReviewCycle, asks_review_and_update
from csfpilot.mapping.texts import outcome_documents, target_outcomes
from tests.mapping.conftest import framework


@pytest.mark.parametrize(
    "text",
    [
        "c. Review and update the current access control policy [Assignment: frequency]",
        "The plan is reviewed and updated annually",
        "Update the inventory after reviewing it",
        "REVIEW AND UPDATE the baseline configuration",
        "應定期審查並更新資通安全政策",
        "每年檢討及修訂營運持續計畫",
    ],
)
def test_the_duty_to_review_and_update_is_recognised(text: str) -> None:
    assert asks_review_and_update(text)


@pytest.mark.parametrize(
    "text",
    [
        "Review and analyze system audit records for indications of inappropriate activity",
        "Update malicious code protection mechanisms as new releases are available",
        "Review the logs. Update the antivirus signatures.",  # two clauses, two duties
        "Reviewers update nothing",
        "應定期審查稽核紀錄",
        "",
    ],
)
def test_review_alone_or_update_alone_is_not_the_duty(text: str) -> None:
    assert not asks_review_and_update(text)


def _target():
    return framework(
        "target",
        ("function", "category", "subcategory"),
        [
            ("ID", "function", None, "IDENTIFY", ""),
            (
                "ID.IM",
                "category",
                "ID",
                "Improvement",
                "Processes are identified, managed and improved",
            ),
            (
                "ID.IM-01",
                "subcategory",
                "ID.IM",
                "",
                "Improvements are identified from evaluations",
            ),
            ("ID.IM-05", "subcategory", "ID.IM", "", "Lessons are gathered from tests"),
            ("PR", "function", None, "PROTECT", ""),
            ("PR.AA", "category", "PR", "Access Control", "Access is limited"),
            (
                "PR.AA-05",
                "subcategory",
                "PR.AA",
                "",
                "Access permissions are defined in a policy, managed, and enforced",
            ),
            ("ZH.01", "subcategory", "PR.AA", "", "持續改善資安管理制度"),
        ],
        outcome_level="subcategory",
    )


def test_the_improvement_outcomes_are_those_whose_own_statement_says_so() -> None:
    target = _target()
    docs = outcome_documents(target.nodes, target_outcomes(target.nodes, "subcategory"))
    cycle = ReviewCycle(docs)
    # Not ID.IM-05: only its Category speaks of improving, and a Category's words are
    # shared by every outcome in it.
    assert cycle.targets == ("ID.IM-01", "ZH.01")
    assert cycle.score("Review and update the access control policy") == {
        "ID.IM-01": 1.0,
        "ZH.01": 1.0,
    }
    assert cycle.score("Enforce approved authorizations for logical access") == {}


def test_a_target_framework_without_improvement_outcomes_gets_no_signal() -> None:
    target = framework(
        "t",
        ("group", "item"),
        [("G", "group", None, "G", ""), ("G.1", "item", "G", "", "Backups are tested")],
    )
    docs = outcome_documents(target.nodes, target_outcomes(target.nodes))
    assert ReviewCycle(docs).score("Review and update the backup policy") == {}


@pytest.fixture
def _own_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CSFPILOT_MAPPING_CACHE", str(tmp_path / "cache"))
    sem._memory.clear()


@pytest.mark.usefixtures("_own_cache")
def test_the_combination_proposes_improvement_with_its_reason_only_when_asked() -> None:
    source = framework(
        "rules",
        ("chapter", "article"),
        [
            ("1", "chapter", None, "", ""),
            ("1.1", "article", "1", "", "Define access permissions in the access control policy"),
            (
                "1.2",
                "article",
                "1",
                "",
                "Define access permissions in the access control policy; review and update "
                "the policy every year",
            ),
        ],
    )
    plain, cycled = suggest(source, _target(), top=4, method="combined")
    by_id = {c.id: c for c in cycled.suggestions}
    assert "ID.IM-01" in by_id
    assert ("review-cycle", REASON) in {(r.kind, r.detail) for r in by_id["ID.IM-01"].reasons}
    assert all(r.kind != "review-cycle" for c in plain.suggestions for r in c.reasons)
    # The requirement's subject still leads; the duty adds the improvement outcome.
    assert cycled.suggestions[0].id == plain.suggestions[0].id == "PR.AA-05"
    assert all(0 < c.score <= 1 for s in (plain, cycled) for c in s.suggestions)
    # Single methods never use the signal.
    lexical = suggest(source, _target(), top=4, method="lexical")[1]
    assert all(r.kind != "review-cycle" for c in lexical.suggestions for r in c.reasons)
