"""Reports as an Excel workbook: the tables an analyst sorts, filters and charts.

Each report has its own workbook, shaped like the report. The workpaper's
sheets: *Summary* (score per Function with a native Excel bar chart of
current against target), *Profile* (every included outcome with both sides
and everything recorded on them), *Gaps* (in action-plan order), *Action
plan*, and *About* (the profile, the Tiers and where the Core's texts came
from). The board brief's sheets hold the brief's figures and nothing more:
*Summary* (the headline scores and the Tiers), *Score per Function* (with the
chart), *Trend*, *Action-plan progress* (with the same counts and words as the
brief and the plan page), *Largest gaps* and *About*. Every sheet is written
by csfpilot's one spreadsheet writer (:mod:`csfpilot.formats.xlsx_writer`):
formatted header, frozen header row, autofilter, and every text cell
neutralised against formula injection — an assessor's note that starts with
``=`` stays text.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from csfpilot.formats.spreadsheet_safety import Column, Sheet
from csfpilot.formats.xlsx_writer import write_sheet
from csfpilot.reports.model import Report

CHART_ANCHOR = "H2"


def _lines(values: list[str]) -> str:
    return "\n".join(values)


def _workpaper_sheets(report: Report) -> list[Sheet]:
    w = report.words
    t = report.totals
    summary_rows: list[list[Any]] = [
        [f["code"], f["name"], f["current"], f["target"], f["gap"], f["assessed"], f["included"]]
        for f in report.functions
    ]
    summary_rows.append(
        [
            w["profile"],
            report.meta["title"],
            t["current"],
            t["target"],
            t["gap"],
            t["assessed"],
            t["included"],
        ]
    )
    summary = Sheet(
        w["summary"],
        [
            Column(w["function"]),
            Column(w["name"], width=34),
            Column(w["current"], width=11),
            Column(w["target"], width=11),
            Column(w["gap"], width=11),
            Column(w["assessed"], width=11),
            Column(w["included"], width=11),
        ],
        summary_rows,
    )
    profile_rows = []
    for o in report.outcomes:
        c, tg = o["current_details"], o["target_details"]
        profile_rows.append(
            [
                o["function"],
                o["category"],
                o["code"],
                o["text"],
                o["rationale"],
                o["priority"],
                o["current"],
                o["target"],
                o["current_score"],
                o["target_score"],
                o["gap"],
                o["owner"],
                c["policies"],
                c["practices"],
                c["roles"],
                _lines(c["references"]),
                _lines(c["evidence"]),
                tg["policies"],
                tg["practices"],
                _lines(tg["references"]),
                o["notes"],
                o["considerations"],
            ]
        )
    cur, tar = w["current"], w["target"]
    profile = Sheet(
        w["profile"],
        [
            Column(w["function"]),
            Column(w["category"]),
            Column(w["outcome"]),
            Column(w["outcome"] + " · NIST", wrap=True, width=50),
            Column(w["rationale"], wrap=True, width=40),
            Column(w["priority"]),
            Column(cur, width=22),
            Column(tar, width=22),
            Column(f"{cur} · {w['score']}", width=10),
            Column(f"{tar} · {w['score']}", width=10),
            Column(w["gap"], width=8),
            Column(w["owner"], width=24),
            Column(f"{cur} · {w['policies']}", wrap=True, width=36),
            Column(f"{cur} · {w['practices']}", wrap=True, width=36),
            Column(f"{cur} · {w['roles']}", wrap=True, width=30),
            Column(f"{cur} · {w['references']}", wrap=True, width=24),
            Column(f"{cur} · {w['evidence']}", wrap=True, width=36),
            Column(f"{tar} · {w['policies']}", wrap=True, width=36),
            Column(f"{tar} · {w['practices']}", wrap=True, width=36),
            Column(f"{tar} · {w['references']}", wrap=True, width=24),
            Column(w["notes"], wrap=True, width=40),
            Column(w["considerations"], wrap=True, width=36),
        ],
        profile_rows,
    )
    gaps = Sheet(
        w["gaps"],
        [
            Column("#", width=6),
            Column(w["outcome"]),
            Column(w["outcome"] + " · NIST", wrap=True, width=50),
            Column(w["function"]),
            Column(w["priority"]),
            Column(cur, width=22),
            Column(tar, width=22),
            Column(w["gap"], width=8),
            Column(w["rank"], width=8),
            Column(w["owner"], width=24),
        ],
        [
            [
                g["rank"],
                g["outcome"],
                g["text"],
                g["function"],
                g["priority"],
                g["current"],
                g["target"],
                g["gap"],
                g["weighted"],
                g["owner"],
            ]
            for g in report.gaps
        ],
    )
    plan = Sheet(
        w["action_plan"],
        [
            Column("ID", width=10),
            Column(w["action"], wrap=True, width=44),
            Column(w["outcomes"], width=18),
            Column(w["owner"], width=22),
            Column(w["due"], width=12),
            Column(w["milestone"], width=18),
            Column(w["status"], width=14),
            Column(w["overdue"], width=10),
            Column(w["cost"], width=14),
            Column(w["controls"], wrap=True, width=30),
            Column(w["notes"], wrap=True, width=40),
        ],
        [
            [
                a["id"],
                a["title"],
                ", ".join(a["outcomes"]),
                a["owner"],
                date.fromisoformat(a["due"]) if a["due"] else None,
                a["milestone"],
                a["status_label"],
                w["yes"] if a["overdue"] else "",
                a["cost"],
                ", ".join(a["controls"]),
                a["notes"],
            ]
            for a in report.actions
        ],
    )
    m, p = report.meta, report.provenance
    about_rows: list[list[Any]] = [
        [w["profile"], m["title"]],
        [w["organization"], m["organization"]],
        [w["scope"], m["scope"] + (f": {m['scope_name']}" if m["scope_name"] else "")],
        [w["scale"], m["scale"]],
        [w["rollup"], m["rollup_label"]],
        [w["generated"], m["generated"]],
    ]
    for tier in report.tiers:
        about_rows.append([f"{tier['name']} · {cur}", tier["current_label"]])
        about_rows.append([f"{tier['name']} · {tar}", tier["target_label"]])
        if tier["current_rationale"]:
            about_rows.append(
                [f"{tier['name']} · {w['rationale']} ({cur})", tier["current_rationale"]]
            )
        if tier["target_rationale"]:
            about_rows.append(
                [f"{tier['name']} · {w['rationale']} ({tar})", tier["target_rationale"]]
            )
    about_rows += [
        [w["framework"], f"{p['name']} ({p['key']})"],
        [w["release"], p["version"]],
        [w["publisher"], p["publisher"]],
        [w["source_file"], p["source_file"]],
        [w["sha256"], p["sha256"]],
        [w["method"], report.method["rollup"]],
        [w["gap"], report.method["gap"]],
    ]
    about = Sheet(
        w["about"],
        [Column(w["item"], width=44), Column(w["value"], wrap=True, width=90)],
        about_rows,
    )
    sheets = [summary, profile, gaps, plan, about]
    if report.evidence:
        sheets.insert(4, _register_sheet(report))
    # One sheet per framework the results were transferred to, before the appendix.
    for i, section in enumerate(report.transfers):
        sheets.insert(len(sheets) - 1, _transfer_sheet(report, section, i))
    return sheets


_SHEET_NAME_BAD = str.maketrans({c: "-" for c in "[]:*?/\\"})


def _transfer_sheet(report: Report, section: dict[str, Any], index: int) -> Sheet:
    """The results proposed on another framework: coverage and datasets on every row."""
    w = report.words
    # Excel allows 31 characters and no []:*?/\ in a sheet name; the key keeps it unique.
    name = f"{index + 1} {section['framework']}".translate(_SHEET_NAME_BAD)[:31]
    rows: list[list[Any]] = [
        [
            r["id"],
            r["text"],
            r["current"],
            r["target"],
            r["coverage"],
            r["sources"],
            r["datasets"],
        ]
        for r in section["rows"]
    ]
    # What the values are and where they come from, under the table.
    rows += [
        ["", "", "", "", "", "", ""],
        [section["title"], section["note"], "", "", "", section["summary"], ""],
    ]
    return Sheet(
        name,
        [
            Column(w["outcome"], width=14),
            Column(w["outcome_text"], wrap=True, width=50),
            Column(w["proposed_current"], width=22),
            Column(w["proposed_target"], width=22),
            Column(w["coverage"], width=12),
            Column(w["sources"], wrap=True, width=70),
            Column(w["datasets"], width=26),
        ],
        rows,
    )


def _register_sheet(report: Report) -> Sheet:
    """The evidence register: every cited item, its hash and what it supports."""
    w = report.words
    rows = [
        [
            r["id"],
            r["title"],
            r["kind"],
            r["version"],
            r["collected"],
            r["effective"],
            r["valid_until"] + (f" ({w['expired']})" if r["expired"] else ""),
            r["owner"],
            r["confidentiality"],
            r["sha256"] or r["url"],
            _lines(r["supports"]),
        ]
        for r in report.register
    ]
    return Sheet(
        w["evidence_register"],
        [
            Column("ID", width=8),
            Column(w["evidence_item"], wrap=True, width=40),
            Column(w["evidence_kind"], width=16),
            Column(w["version"], width=9),
            Column(w["collected"], width=12),
            Column(w["effective"], width=12),
            Column(w["valid_until"], width=16),
            Column(w["owner"], width=24),
            Column(w["confidentiality"], width=14),
            Column(w["file_sha256"], width=70),
            Column(w["supports"], wrap=True, width=48),
        ],
        rows,
    )


def _function_rows(report: Report) -> list[list[Any]]:
    return [[f["code"], f["name"], f["current"], f["target"], f["gap"]] for f in report.functions]


def _about_rows(report: Report) -> list[list[Any]]:
    w, p = report.words, report.provenance
    return [
        [w["framework"], f"{p['name']} ({p['key']})"],
        [w["release"], p["version"]],
        [w["publisher"], p["publisher"]],
        [w["source_file"], p["source_file"]],
        [w["sha256"], p["sha256"]],
        [w["scale"], report.meta["scale"]],
        [w["rollup"], report.meta["rollup_label"]],
        [w["method"], report.method["rollup"]],
        [w["gap"], report.method["gap"]],
    ]


def _item_sheet(title: str, report: Report, rows: list[list[Any]]) -> Sheet:
    w = report.words
    return Sheet(
        title, [Column(w["item"], width=44), Column(w["value"], wrap=True, width=90)], rows
    )


def _brief_sheets(report: Report) -> list[Sheet]:
    """The board brief's figures, sheet by sheet in the brief's order."""
    w, t, m, plan = report.words, report.totals, report.meta, report.plan
    cur, tar = w["current"], w["target"]
    summary: list[list[Any]] = [
        [w["profile"], m["title"]],
        [w["organization"], m["organization"]],
        [w["scope"], m["scope"] + (f": {m['scope_name']}" if m["scope_name"] else "")],
        [w["generated"], m["generated"]],
        [f"{cur} (0–100)", t["current"]],
        [f"{tar} (0–100)", t["target"]],
        [w["gap"], t["gap"]],
        [w["outcomes_below"] % {"count": t["with_gap"]}, t["with_gap"]],
        [w["outcomes_assessed"] % {"assessed": t["assessed"], "included": t["included"]}, None],
        [f"{w['action_plan']} · {w['actions_closed']}", f"{plan['closed']}/{plan['total']}"],
    ]
    for tier in report.tiers:
        summary.append([f"{tier['name']} · {cur}", tier["current_label"]])
        summary.append([f"{tier['name']} · {tar}", tier["target_label"]])
    scores = Sheet(
        w["scores"],
        [
            Column(w["function"]),
            Column(w["name"], width=34),
            Column(cur, width=11),
            Column(tar, width=11),
            Column(w["gap"], width=11),
        ],
        _function_rows(report),
    )
    previous = report.trend["previous"]
    trend_rows: list[list[Any]] = []
    if previous:
        label = previous["snapshot"] or previous["label"]
        trend_rows.append(
            [
                w["profile"],
                w["since"] % {"label": label},
                previous["current"],
                t["current"],
                previous["change_current"],
            ]
        )
        trend_rows += [
            [f["code"], f["name"], f["before"], f["now"], f["change"]]
            for f in report.trend["functions"]
        ]
    else:
        trend_rows.append(["", w["no_snapshot"], None, None, None])
    trend = Sheet(
        w["trend"],
        [
            Column(w["function"]),
            Column(w["name"], width=34),
            Column(w["before"], width=11),
            Column(w["now"], width=11),
            Column(w["change"], width=11),
        ],
        trend_rows,
    )
    progress = Sheet(
        w["plan_progress"],
        [Column(w["status"], width=44), Column(w["total"], width=11)],
        [
            *([w[k], plan[k]] for k in PLAN_ROWS),
            [w["closed_rule"], None],
        ],
    )
    gap_rows: list[list[Any]] = [
        [
            g["rank"],
            g["outcome"],
            g["text"],
            g["priority"],
            g["current"],
            g["target"],
            g["gap"],
            g["owner"],
        ]
        for g in report.top_gaps
    ]
    hidden = len(report.gaps) - len(report.top_gaps)
    if hidden > 0:
        gap_rows.append([None, "", w["more_gaps"] % {"count": hidden}, "", "", "", None, ""])
    gaps = Sheet(
        w["top_gaps"],
        [
            Column("#", width=6),
            Column(w["outcome"]),
            Column(w["outcome"] + " · NIST", wrap=True, width=50),
            Column(w["priority"]),
            Column(cur, width=22),
            Column(tar, width=22),
            Column(w["gap"], width=8),
            Column(w["owner"], width=24),
        ],
        gap_rows,
    )
    return [
        _item_sheet(w["summary"], report, summary),
        scores,
        trend,
        progress,
        gaps,
        *(_transfer_sheet(report, section, i) for i, section in enumerate(report.transfers)),
        _item_sheet(w["about"], report, _about_rows(report)),
    ]


# The plan's counts in the order the brief shows them (closed = done + risk accepted).
PLAN_ROWS = ("open", "in_progress", "done", "risk_accepted", "closed", "overdue", "total")


def render_xlsx(report: Report) -> bytes:
    """The workbook's bytes, with a bar chart of current and target per Function."""
    wb = Workbook(write_only=True)
    taken: set[str] = set()
    if report.kind == "brief":
        sheets, chart_on = _brief_sheets(report), 1  # Summary, then Score per Function
    else:
        sheets, chart_on = _workpaper_sheets(report), 0
    # The shared writer streams each sheet's rows (neutralised, styled, filtered); the chart
    # goes onto the streamed sheet of scores per Function before the workbook is saved.
    for i, sheet in enumerate(sheets):
        write_sheet(wb, sheet, taken)
        if i == chart_on and report.functions:
            ws = wb.worksheets[i]
            ws.add_chart(_chart(report, ws), CHART_ANCHOR)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _chart(report: Report, ws: Any) -> BarChart:
    count = len(report.functions)
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = report.words["chart_title"]
    chart.y_axis.title = report.words["score"]
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.y_axis.majorUnit = 20
    chart.x_axis.scaling.orientation = "maxMin"  # Govern at the top, as in the report
    chart.add_data(
        Reference(ws, min_col=3, max_col=4, min_row=1, max_row=count + 1), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=count + 1))
    chart.height, chart.width = 9.5, 17.0
    return chart
