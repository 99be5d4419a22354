"""Outcome ids a profile may not use, and the warnings a valid profile can raise."""

from __future__ import annotations

from dataclasses import replace

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import (
    Action,
    OutcomeEntry,
    Profile,
    Side,
    WithdrawalIndex,
    check_profile,
)


def with_ids(*codes: str) -> Profile:
    return Profile("Ids", outcomes={c: OutcomeEntry(c) for c in codes})


def refusal(profile: Profile, framework, withdrawals=None) -> InputRefused:
    with pytest.raises(InputRefused) as exc:
        check_profile(profile, framework, withdrawals)
    return exc.value


def test_a_withdrawn_csf_1_1_id_says_where_nist_moved_it(nist):
    exc = refusal(with_ids("GV.OC-01", "ID.AM-06"), nist.framework, nist.withdrawals)
    assert exc.element == "ID.AM-06"
    assert exc.message == (
        "ID.AM-06 is not an outcome of csf-2.0: it was withdrawn (Incorporated into "
        "GV.RR-02, GV.SC-02); rate GV.RR-02, GV.SC-02 instead"
    )


def test_a_withdrawn_id_in_csf_1_1_spelling_and_a_moved_category(nist):
    exc = refusal(with_ids("PR.AC-1"), nist.framework, nist.withdrawals)
    assert exc.message.endswith("rate PR.AA-01, PR.AA-05 instead")
    exc = refusal(with_ids("ID.SC"), nist.framework, nist.withdrawals)
    assert "rate GV.SC instead" in exc.message


def test_every_withdrawn_csf_1_1_subcategory_is_refused_with_a_destination(nist):
    refused = 0
    for m in nist.mapping_set("csf-1.1-to-csf-2.0-withdrawals").mappings:
        exc = refusal(with_ids(m.source), nist.framework, nist.withdrawals)
        assert m.target in exc.message
        refused += 1
    assert refused == 139


def test_a_category_is_not_an_assessable_outcome(csf):
    exc = refusal(with_ids("GV.OC"), csf)
    assert exc.message == (
        "GV.OC is a category, not an assessable outcome; rate the outcomes beneath it "
        "(GV.OC-01 … GV.OC-05)"
    )


def test_a_non_canonical_spelling_gets_the_canonical_one(csf):
    exc = refusal(with_ids("gv.oc-1"), csf)
    assert exc.message == "write 'gv.oc-1' as GV.OC-01 (the id as NIST spells it)"


def test_an_unknown_id(csf):
    exc = refusal(with_ids("XX.YY-01"), csf)
    assert (exc.element, exc.message) == ("XX.YY-01", "XX.YY-01 is not an outcome of csf-2.0")


def test_a_profile_for_another_framework(csf):
    exc = refusal(Profile("Other", framework="csf-2.1"), csf)
    assert (exc.field, exc.message) == (
        "framework",
        "the profile is written for csf-2.1, not csf-2.0",
    )


def test_an_action_naming_a_withdrawn_outcome(nist):
    p = with_ids("GV.OC-01").with_actions((Action("A-001", "Fix it", ("GV.OC-01", "DE.CM-04")),))
    exc = refusal(p, nist.framework, nist.withdrawals)
    assert exc.field == "actions[0].outcomes[1]"
    assert exc.message.startswith("action A-001: DE.CM-04 is not an outcome of csf-2.0")


def test_without_a_withdrawal_index_a_withdrawn_id_is_simply_unknown(csf):
    exc = refusal(with_ids("ID.AM-06"), csf, WithdrawalIndex.empty())
    assert exc.message == "ID.AM-06 is not an outcome of csf-2.0"


def test_warnings_for_ignored_ratings_and_one_sided_not_applicable(csf):
    p = Profile("Warn")
    p = p.with_rating("GV.OC-01", Side.CURRENT, "fully")
    p = p.with_entry(replace(p.entry("GV.OC-01"), included=False))
    p = p.with_rating("GV.OC-02", Side.CURRENT, "na").with_rating("GV.OC-02", Side.TARGET, "fully")
    p = p.with_rating("GV.OC-03", Side.CURRENT, "na").with_rating("GV.OC-03", Side.TARGET, "na")
    assert check_profile(p, csf) == [
        "GV.OC-01: not included in the profile, so its ratings are ignored",
        "GV.OC-02: current is not applicable but the other side is rated; the outcome has no gap",
    ]
