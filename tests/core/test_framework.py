"""Which outcomes a profile can assess: the CSF 2.0 default and any loaded catalog."""

from __future__ import annotations

import pytest

from csfpilot.core.catalog import Catalog, FrameworkInfo, Node
from csfpilot.core.errors import CatalogInvariantError
from csfpilot.core.profiles import OutcomeFramework


def test_csf_2_0_has_nists_106_outcomes_in_22_categories_and_6_functions(csf):
    assert csf.key == "csf-2.0"
    assert len(csf.outcomes) == 106
    assert [g.code for g in csf.at_level("function")] == ["GV", "ID", "PR", "DE", "RS", "RC"]
    assert len(csf.at_level("category")) == 22
    assert csf.group_levels == ("function", "category")
    assert csf.outcomes[0] == "GV.OC-01" and csf.outcomes[-1] == "RC.CO-04"


def test_groups_are_in_document_order_each_function_before_its_categories(csf):
    codes = [g.code for g in csf.groups]
    assert codes[:3] == ["GV", "GV.OC", "GV.RM"]
    assert codes.index("ID") == codes.index("GV.SC") + 1


def test_outcomes_beneath_a_group_and_ancestors_of_an_outcome(csf):
    assert len(csf.outcomes_under("GV")) == 31
    assert len(csf.outcomes_under("ID")) == 21
    assert len(csf.outcomes_under("PR")) == 22
    assert len(csf.outcomes_under("DE")) == 11
    assert len(csf.outcomes_under("RS")) == 13
    assert len(csf.outcomes_under("RC")) == 8
    assert csf.outcomes_under("PR.DS") == ("PR.DS-01", "PR.DS-02", "PR.DS-10", "PR.DS-11")
    assert csf.ancestors("DE.CM-09") == ("DE", "DE.CM")
    assert csf.text("GV") == "GOVERN"


def test_withdrawn_csf_1_1_numbers_are_not_outcomes(csf):
    assert not csf.is_outcome("ID.AM-06")
    assert not csf.is_outcome("DE.CM-04")
    assert not csf.is_outcome("GV.OC")


def test_from_the_shipped_catalog_gives_the_same_outcomes_with_nists_texts(csf, nist):
    fw = nist.framework
    assert fw.outcomes == csf.outcomes
    assert [(g.code, g.level, g.parent) for g in fw.groups] == [
        (g.code, g.level, g.parent) for g in csf.groups
    ]
    assert fw.text("GV.OC") == "Organizational Context"
    assert fw.text("GV.OC-01") == (
        "The organizational mission is understood and informs cybersecurity risk management"
    )


def _catalog(nodes: tuple[Node, ...], outcome_level: str = "control") -> Catalog:
    info = FrameworkInfo(
        key="example-1.0",
        name="Example",
        version="1.0",
        publisher="Example",
        levels=("domain", "control"),
        outcome_level=outcome_level,
    )
    return Catalog(info, nodes)


def test_any_framework_release_gives_its_own_outcomes():
    catalog = _catalog(
        (
            Node("D1", "domain", None, "Domain one", "", 0),
            Node("D1.1", "control", "D1", "", "First control", 1),
            Node("D1.2", "control", "D1", "", "Withdrawn control", 2, withdrawn=True),
            Node("D2", "domain", None, "Domain two", "", 3),
            Node("D2.1", "control", "D2", "", "Third control", 4),
        )
    )
    fw = OutcomeFramework.from_catalog(catalog)
    assert fw.key == "example-1.0"
    assert fw.outcomes == ("D1.1", "D2.1")
    assert fw.group_levels == ("domain",)
    assert fw.ancestors("D2.1") == ("D2",)
    assert fw.text("D1") == "Domain one"


def test_a_catalog_without_active_outcomes_is_refused():
    catalog = _catalog((Node("D1", "domain", None, "Domain one", "", 0),))
    with pytest.raises(CatalogInvariantError, match="no active control elements"):
        OutcomeFramework.from_catalog(catalog)


def test_an_outcome_under_a_missing_group_is_refused():
    with pytest.raises(CatalogInvariantError, match="parent X is not a group"):
        OutcomeFramework("k", ("A-1",), (), {"A-1": "X"})


def test_order_sorts_ids_in_document_order_unknown_last(csf):
    assert csf.order(["RC.CO-04", "ZZ.ZZ-01", "GV.OC-02", "AA"]) == [
        "GV.OC-02",
        "RC.CO-04",
        "AA",
        "ZZ.ZZ-01",
    ]
