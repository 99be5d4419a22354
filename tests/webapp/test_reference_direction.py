"""A withdrawal row read from the CSF 2.0 outcome's side says what it received."""

import pytest

from csfpilot.webapp.catalog import queries


@pytest.mark.django_db
def test_csf_2_0_outcome_incorporates_its_csf_1_1_predecessor():
    n = queries.node("csf-2.0", "GV.SC-01")
    rows = [r for r in queries.references(n) if r.dataset_key == "csf-1.1-to-csf-2.0-withdrawals"]
    assert rows, "GV.SC-01 received withdrawn CSF 1.1 outcomes"
    assert {r.relationship for r in rows} <= {"incorporates", "received_from"}
    assert all(r.framework == "csf-1.1" for r in rows)


@pytest.mark.django_db
def test_csf_1_1_element_says_where_it_went():
    n = queries.node("csf-1.1", "ID.SC-1")
    rows = [r for r in queries.references(n) if r.dataset_key == "csf-1.1-to-csf-2.0-withdrawals"]
    # NIST: ID.SC-1 was incorporated into GV.RM-05, GV.SC-01, GV.SC-02, GV.SC-03, GV.SC-07.
    assert {r.framework for r in rows} == {"csf-2.0"}
    assert {r.relationship for r in rows} == {"incorporated_into"}
    assert "GV.SC-01" in {r.code for r in rows}
    assert len(rows) == 5
