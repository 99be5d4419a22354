"""Reports as an Excel workbook: the tables an analyst sorts, filters and charts.

Sheets: *Summary* (score per Function with a native Excel bar chart of
current against target), *Profile* (every included outcome with both sides
and everything recorded on them), *Gaps* (in action-plan order), *Action
plan*, and *About* (the profile, the Tiers and where the Core's texts came
from). Every sheet is written by csfpilot's one spreadsheet writer
(:mod:`csfpilot.formats.spreadsheet_safety`): formatted header, frozen
header row, autofilter, and every text cell neutralised against formula
injection — an assessor's note that starts with ``=`` stays text.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from csfpilot.formats.spreadsheet_safety import Column, Sheet
from csfpilot.formats.spreadsheet_safety import _write_sheet as write_sheet
from csfpilot.reports.model import Report

CHART_ANCHOR = "H2"


def _lines(values: list[str]) -> str:
    return "\n".join(values)


def _sheets(report: Report) -> list[Sheet]:
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
    return [summary, profile, gaps, plan, about]


def render_xlsx(report: Report) -> bytes:
    """The workbook's bytes, with a bar chart of current and target per Function."""
    wb = Workbook(write_only=True)
    taken: set[str] = set()
    sheets = _sheets(report)
    # The shared writer streams each sheet's rows (neutralised, styled, filtered); the
    # chart goes onto the streamed Summary sheet before the workbook is saved.
    write_sheet(wb, sheets[0], taken)
    if report.functions:
        wb.worksheets[0].add_chart(_chart(report, wb.worksheets[0]), CHART_ANCHOR)
    for sheet in sheets[1:]:
        write_sheet(wb, sheet, taken)
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
