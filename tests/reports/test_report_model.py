"""The report's facts: computed from the domain, in the action plan's order, with provenance."""

from __future__ import annotations

from csfpilot.core.gaps import analyse_gaps
from csfpilot.core.scoring import percent, score_profile
from csfpilot.reports.model import TOP_GAPS


def test_scores_and_gaps_are_the_domains(build, clinic, reference):
    report = build("workpaper")
    scores = score_profile(clinic, reference.framework)
    gaps = analyse_gaps(clinic, reference.framework)
    assert report.totals["current"] == scores.profile.current.percent
    assert report.totals["target"] == scores.profile.target.percent
    assert [f["code"] for f in report.functions] == ["GV", "ID", "PR", "DE", "RS", "RC"]
    assert [f["name"] for f in report.functions][:2] == ["Govern", "Identify"]
    assert report.functions[3]["current"] == scores.group("DE").current.percent
    assert len(report.categories) == 22
    # Gaps in action-plan order: priority weight × gap, largest first, ties by id.
    assert [g["outcome"] for g in report.gaps] == [g.outcome for g in gaps.with_gap()]
    assert report.gaps[0]["weighted"] == percent(gaps.with_gap()[0].rank, 1)
    assert report.top_gaps == report.gaps[:TOP_GAPS]
    assert report.totals["with_gap"] == len(gaps.with_gap())


def test_every_included_outcome_is_in_the_workpaper_in_document_order(build, clinic, reference):
    report = build("workpaper")
    included = [c for c in reference.framework.outcomes if clinic.is_included(c)]
    assert [o["code"] for o in report.outcomes] == included
    gv = next(o for o in report.outcomes if o["code"] == "GV.OC-01")
    assert gv["function"] == "GV" and gv["category"] == "GV.OC"
    assert gv["current"] == "Fully implemented"
    assert gv["current_details"]["evidence"] == ["Board minutes 2024-02-14, item 6"]
    assert gv["text"].startswith("The organizational mission is understood")


def test_tiers_plan_and_trend(build):
    report = build("brief")
    governance = report.tiers[0]
    assert governance["name"] == "Cybersecurity risk governance"
    assert (governance["current_label"], governance["target_label"]) == (
        "Tier 2 · Risk Informed",
        "Tier 3 · Repeatable",
    )
    assert governance["target_rationale"].startswith("Risk appetite documented")
    plan = report.plan
    assert plan["total"] == 4
    # The added action was due on 2026-01-01 and is still open: overdue on 2026-03-02.
    assert plan["overdue"] >= 1
    assert plan["open"] + plan["in_progress"] + plan["done"] + plan["risk_accepted"] == 4
    late = next(a for a in report.actions if a["id"] == "A-900")
    assert late["overdue"] is True
    previous = report.trend["previous"]
    assert previous["snapshot"] == "Q4 review"
    # Two outcomes were one level lower in the snapshot: the current score rose since.
    assert previous["change_current"] > 0
    gv = next(f for f in report.trend["functions"] if f["code"] == "GV")
    assert gv["now"] > gv["before"]
    pr = next(f for f in report.trend["functions"] if f["code"] == "PR")
    assert pr["change"] == 0


def test_no_snapshot_means_no_trend(build):
    report = build("brief", history=())
    assert report.trend["previous"] is None
    assert len(report.trend["points"]) == 1


def test_provenance_and_method(build, reference):
    report = build("workpaper")
    info = reference.catalog.info
    assert report.provenance["sha256"] == info.source_sha256
    assert len(report.provenance["sha256"]) == 64
    assert report.provenance["version"] == info.version
    assert info.name in report.provenance["text"]
    assert [lv["score"] for lv in report.method["levels"]] == [0.0, 33.3, 66.7, 100.0, None]
    assert "mean" in report.method["rollup"]


def test_words_are_replaced_key_by_key(build):
    report = build("brief", words={"brief": "董事會簡報", "unknown-key": "x"})
    assert report.words["brief"] == "董事會簡報"
    assert report.words["tiers"] == "CSF Tiers"
    assert "unknown-key" not in report.words


def test_the_context_is_plain_data(build):
    def walk(value):
        if isinstance(value, dict):
            assert all(isinstance(k, str) for k in value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)
        else:
            assert value is None or isinstance(value, str | int | float | bool), type(value)

    walk(build("workpaper").context())
