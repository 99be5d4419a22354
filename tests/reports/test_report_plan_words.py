"""The brief names the plan's figures as the action plan page does, in every format.

"Closed" is done + risk accepted; "Done" is only the actions whose status is done. A plan
with both (and an overdue action) tells the two apart: the brief used to print the closed
count under the word "Done".
"""

from __future__ import annotations

import io
from datetime import date

import docx
import openpyxl
import pypdf
import pytest

from csfpilot.core.profiles import Action, ActionStatus
from csfpilot.reports.docx import render_docx
from csfpilot.reports.html import render_html
from csfpilot.reports.markdown import render_markdown
from csfpilot.reports.pdf import render_pdf
from csfpilot.reports.xlsx import render_xlsx

PLAN_HEADER = ["Open", "In progress", "Done", "Risk accepted", "Closed", "Overdue", "Total"]


@pytest.fixture(scope="module")
def mixed(clinic):
    """The clinic's plan with two actions done and one more whose risk was accepted."""
    closed = (
        Action("A-910", "Retire the fax server", ("PR.PS-02",), status=ActionStatus.DONE),
        Action("A-911", "MFA for e-mail", ("PR.AA-03",), status=ActionStatus.DONE),
        Action(
            "A-912",
            "Keep the legacy lab analyser",
            ("ID.AM-08",),
            due=date(2025, 6, 1),  # past due, but closed: not overdue
            status=ActionStatus.RISK_ACCEPTED,
        ),
    )
    return clinic.with_actions((*clinic.actions, *closed))


@pytest.fixture(scope="module")
def brief(build, mixed):
    report = build("brief", profile=mixed)
    plan = report.plan
    assert plan["done"] == 2 and plan["risk_accepted"] >= 1
    assert plan["closed"] == plan["done"] + plan["risk_accepted"]
    assert plan["overdue"] >= 1 and plan["total"] == 7
    return report


def figures(plan) -> list[int]:
    keys = ("open", "in_progress", "done", "risk_accepted", "closed", "overdue", "total")
    return [plan[k] for k in keys]


def closed_of(plan) -> str:
    return f"{plan['closed']} of {plan['total']} closed ({plan['closed_percent']}%)"


def test_html_and_pdf_say_closed_where_they_count_closed_actions(brief):
    plan = brief.plan
    page = render_html(brief)
    card = f'{plan["closed"]}/{plan["total"]}</div><div class="label">Action plan · '
    assert card + '<span class="nobr">actions closed</span>' in page
    assert "Action plan · Done" not in page
    assert closed_of(plan) in page
    assert "Closed: done or risk accepted." in page
    header = page[page.index('<table class="plan-counts">') :]
    header = header[: header.index("</tr>")]
    assert [h.split(">")[-1] for h in header.split("</th>")[:-1]] == PLAN_HEADER
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(render_pdf(brief))).pages)
    assert closed_of(plan) in text
    assert f"{plan['overdue']} overdue" in text


def test_markdown_says_closed(brief):
    plan = brief.plan
    text = render_markdown(brief)
    overdue = f"{plan['overdue']} overdue"
    assert f"| {plan['closed']}/{plan['total']} actions closed · {overdue} |" in text
    assert "| " + " | ".join(PLAN_HEADER) + " |" in text
    counts = figures(plan)
    assert f"| {counts[0]} | {counts[1]} | {counts[2]} | {counts[3]} | **{counts[4]}** |" in text
    rule = "Closed: done or risk accepted. Overdue: past its due date and not closed."
    assert f"**{closed_of(plan)}** · {overdue}\n\n{rule}\n" in text


def test_docx_says_closed(brief):
    plan = brief.plan
    document = docx.Document(io.BytesIO(render_docx(brief)))
    headline = document.tables[0]
    assert headline.cell(0, 3).text == "Action plan"
    expected = f"{plan['closed']}/{plan['total']} actions closed · {plan['overdue']} overdue"
    assert headline.cell(1, 3).text == expected
    counts = document.tables[-1]
    assert [c.text for c in counts.rows[0].cells] == PLAN_HEADER
    assert [int(c.text) for c in counts.rows[1].cells] == figures(plan)
    assert any(p.text.startswith(closed_of(plan)) for p in document.paragraphs)


def test_the_brief_has_its_own_workbook(build, brief, mixed):
    """Not the workpaper's workbook again: the brief's figures, sheet by sheet."""
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(brief)))
    assert wb.sheetnames == [
        "Summary",
        "Score per Function",
        "Trend since the last snapshot",
        "Action-plan progress",
        "Largest gaps, by priority × gap",
        "About",
    ]
    work = openpyxl.load_workbook(io.BytesIO(render_xlsx(build("workpaper", profile=mixed))))
    assert set(wb.sheetnames).isdisjoint({"Profile", "Gaps", "Action plan"} - {"Summary"})
    assert work.sheetnames == ["Summary", "Profile", "Gaps", "Action plan", "About"]

    plan = brief.plan
    progress = {r[0].value: r[1].value for r in wb["Action-plan progress"].iter_rows(min_row=2)}
    assert [progress[h] for h in PLAN_HEADER] == figures(plan)
    assert "Closed: done or risk accepted. Overdue: past its due date and not closed." in progress
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(min_row=2)}
    assert summary["Action plan · actions closed"] == f"{plan['closed']}/{plan['total']}"
    assert summary["Current (0–100)"] == brief.totals["current"]
    assert summary["Cybersecurity risk governance · Target"] == "Tier 3 · Repeatable"

    scores = wb["Score per Function"]
    assert [c.value for c in scores[1]] == ["Function", "Name", "Current", "Target", "Gap"]
    assert scores["A2"].value == "GV" and scores["C2"].value == brief.functions[0]["current"]
    assert len(scores._charts) == 1 and len(scores._charts[0].series) == 2
    gaps = wb["Largest gaps, by priority × gap"]
    ranked = [r[1].value for r in gaps.iter_rows(min_row=2) if r[0].value is not None]
    assert ranked == [g["outcome"] for g in brief.top_gaps]
    assert any(
        "more outcomes are below target" in (r[2].value or "") for r in gaps.iter_rows(min_row=2)
    )
    trend = {r[0].value: r for r in wb["Trend since the last snapshot"].iter_rows(min_row=2)}
    gv = next(f for f in brief.trend["functions"] if f["code"] == "GV")
    assert [c.value for c in trend["GV"][2:]] == [gv["before"], gv["now"], gv["change"]]
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows(min_row=2)}
    assert about["SHA-256 of the source"] == brief.provenance["sha256"]


def test_a_brief_workbook_without_a_snapshot_or_actions(build, clinic):
    empty = build("brief", profile=clinic.with_actions(()), history=())
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(empty)))
    trend = list(wb["Trend since the last snapshot"].iter_rows(min_row=2, values_only=True))
    assert trend == [(None, empty.words["no_snapshot"], None, None, None)]
    progress = {r[0].value: r[1].value for r in wb["Action-plan progress"].iter_rows(min_row=2)}
    assert progress["Total"] == 0 and progress["Closed"] == 0
    assert "actions closed" not in render_markdown(empty)
