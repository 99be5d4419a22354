"""The board brief as an editable Word document (DOCX).

People edit a brief before it goes to the board — a sentence for context, a
different emphasis — so this is a real document: Word headings (the
navigation pane and a table of contents find them), real tables, and the
Function chart as a picture (the report's SVG rendered to PNG by CairoSVG,
no browser involved). The organization's logo and primary colour apply here
as in the HTML and PDF.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from csfpilot.reports.html import _number, _signed, function_chart
from csfpilot.reports.model import Report

LATIN_FONT = "Calibri"
# The Traditional Chinese face Word has on Windows; Word substitutes a CJK font elsewhere.
EAST_ASIAN_FONT = "Microsoft JhengHei"
# The plan's counts in the order every report shows them (closed = done + risk accepted).
PLAN_COLUMNS = ("open", "in_progress", "done", "risk_accepted", "closed", "overdue", "total")


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _fonts(document: Any, primary: str) -> None:
    for name in ("Normal", "Heading 1", "Heading 2", "Title", "Table Grid"):
        try:
            style = document.styles[name]
        except KeyError:
            continue
        style.font.name = LATIN_FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
        if name != "Normal":
            style.font.color.rgb = _rgb(primary)
    document.styles["Normal"].font.size = Pt(10)


def _shade(cell: Any, colour: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = tc_pr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:fill"): colour[1:]})
    tc_pr.append(shading)


def _table(
    document: Any,
    header: list[str],
    rows: list[list[str]],
    primary: str,
    widths: list[float] | None = None,
    size: float = 9,
) -> Any:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # A table longer than a page repeats its header row on every page.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        _shade(cell, primary)
    for row in rows:
        added = table.add_row()
        # A row stays on one page: a gap or a transfer row read across a page break misleads.
        tr_pr = added._tr.get_or_add_trPr()
        tr_pr.append(tr_pr.makeelement(qn("w:cantSplit"), {qn("w:val"): "true"}))
        for cell, text in zip(added.cells, row, strict=True):
            cell.text = text
    if widths:
        # Word reads the cells' widths, LibreOffice the grid's: both are set, and autofit off
        # so that neither stretches a column back to an equal share.
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(size)
    return table


def _chart_png(report: Report) -> bytes | None:
    svg = function_chart(report)
    if not svg:
        return None
    import cairosvg  # loads Cairo; only the DOCX needs it

    return cairosvg.svg2png(
        bytestring=svg.encode("utf-8"), output_width=1200, background_color="white"
    )


def _logo(document: Any, data_uri: str) -> None:
    if not data_uri.startswith("data:image/"):
        return
    raw = base64.b64decode(data_uri.split(",", 1)[1])
    document.add_picture(io.BytesIO(raw), height=Cm(1.4))


def _transfer_section(document: Any, transfer: dict[str, Any], w: Any, primary: str) -> None:
    """The results proposed on another framework, after the brief itself: a board member
    reads the pages before it, an auditor of that framework reads this table."""
    heading = document.add_heading(transfer["title"], level=2)
    heading.paragraph_format.page_break_before = True
    document.add_paragraph(transfer["note"])
    document.add_paragraph(transfer["summary"])
    _table(
        document,
        [
            w["outcome"],
            w["proposed_current"],
            w["proposed_target"],
            w["coverage"],
            w["sources"],
            w["datasets"],
        ],
        [
            [
                f"{r['id']}\n{_opening(r['text'])}" if r["text"] else r["id"],
                r["current"],
                r["target"],
                r["coverage"],
                "\n".join(r["source_lines"]) or "—",
                r["datasets"],
            ]
            for r in transfer["rows"]
        ],
        primary,
        widths=[3.8, 2.5, 2.5, 1.9, 4.7, 2.0],
        size=8,
    )


STATEMENT_OPENING = 120
"""As much of a statement as the workpaper's HTML shows beside the outcome's code."""


def _opening(text: str) -> str:
    return text if len(text) <= STATEMENT_OPENING else text[: STATEMENT_OPENING - 1].rstrip() + "…"


def render_docx(report: Report) -> bytes:
    """The board brief as DOCX bytes (the workpaper is meant for HTML, PDF and Excel), with a
    section per framework the results were transferred to."""
    w, meta, t, plan = report.words, report.meta, report.totals, report.plan
    primary = report.branding.get("primary") or "#1f3864"
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.top_margin = section.bottom_margin = Cm(1.6)
    _fonts(document, primary)
    core = document.core_properties
    core.title = f"{w['brief']}: {meta['title']}"
    core.author = meta["organization"] or "csfpilot"
    core.language = report.language

    if report.branding.get("logo"):
        _logo(document, report.branding["logo"])
    kind = document.add_paragraph()
    run = kind.add_run(w["brief"].upper())
    run.bold = True
    run.font.size = Pt(8.5)
    run.font.color.rgb = _rgb(report.branding.get("accent") or "#a34e00")
    document.add_heading(meta["title"], level=1)
    byline = " · ".join(
        x
        for x in (
            meta["organization"],
            meta["scope"] + (f": {meta['scope_name']}" if meta["scope_name"] else ""),
            f"{w['generated']} {meta['today']}",
        )
        if x
    )
    document.add_paragraph(byline)

    closed = (
        f"{plan['closed']}/{plan['total']} {w['actions_closed']}"
        + (f" · {w['overdue_count'] % {'count': plan['overdue']}}" if plan["overdue"] else "")
        if plan["total"]
        else "—"
    )
    _table(
        document,
        [f"{w['current']} (0–100)", f"{w['target']} (0–100)", w["gap"], w["action_plan"]],
        [
            [
                _number(t["current"], 0, w["not_assessed"]),
                _number(t["target"], 0, w["not_assessed"]),
                _number(t["gap"]),
                closed,
            ]
        ],
        primary,
    )
    document.add_paragraph(
        w["outcomes_assessed"] % {"assessed": t["assessed"], "included": t["included"]}
    )
    if report.evidence:
        document.add_paragraph(f"{w['evidence_state']}: {report.evidence['summary']}")

    document.add_heading(w["tiers"], level=2)
    _table(
        document,
        [w["tiers"], f"{w['current']} → {w['target']}", w["rationale"]],
        [
            [
                tier["name"],
                f"{tier['current_label']} → {tier['target_label']}",
                "\n".join(
                    x
                    for x in (
                        f"{w['current']}: {tier['current_rationale']}"
                        if tier["current_rationale"]
                        else "",
                        f"{w['target']}: {tier['target_rationale']}"
                        if tier["target_rationale"]
                        else "",
                    )
                    if x
                ),
            ]
            for tier in report.tiers
        ],
        primary,
        widths=[4.5, 5.0, 8.0],
    )

    document.add_heading(w["scores"], level=2)
    png = _chart_png(report)
    if png is not None:
        document.add_picture(io.BytesIO(png), width=Cm(13))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _table(
        document,
        [w["function"], w["current"], w["target"], w["gap"]],
        [
            [
                f"{f['code']} {f['name']}",
                _number(f["current"]),
                _number(f["target"]),
                _number(f["gap"]),
            ]
            for f in report.functions
        ],
        primary,
    )

    document.add_heading(w["top_gaps"], level=2)
    if report.top_gaps:
        _table(
            document,
            [
                "#",
                w["outcome"],
                w["priority"],
                f"{w['current']} → {w['target']}",
                w["gap"],
                w["owner"],
            ],
            [
                [
                    str(g["rank"]),
                    f"{g['outcome']} {g['text']}",
                    g["priority"] or "—",
                    f"{g['current']} → {g['target']}",
                    _number(g["gap"]),
                    g["owner"] or "—",
                ]
                for g in report.top_gaps
            ],
            primary,
            widths=[0.8, 6.6, 1.8, 4.0, 1.2, 3.0],
        )
        hidden = len(report.gaps) - len(report.top_gaps)
        if hidden > 0:
            document.add_paragraph(w["more_gaps"] % {"count": hidden})
    else:
        document.add_paragraph(w["no_gaps"])

    document.add_heading(w["trend"], level=2)
    prev = report.trend["previous"]
    if prev:
        document.add_paragraph(
            f"{w['since'] % {'label': prev['snapshot'] or prev['label']}} ({prev['label']}): "
            f"{w['current']} {_number(prev['current'])} → {_number(t['current'])} "
            f"({_signed(prev['change_current'])}), {w['target']} {_number(prev['target'])} → "
            f"{_number(t['target'])} ({_signed(prev['change_target'])})."
        )
        _table(
            document,
            [w["function"], w["before"], w["now"], w["change"]],
            [
                [
                    f"{f['code']} {f['name']}",
                    _number(f["before"]),
                    _number(f["now"]),
                    _signed(f["change"]),
                ]
                for f in report.trend["functions"]
            ],
            primary,
        )
    else:
        document.add_paragraph(w["no_snapshot"])

    document.add_heading(w["plan_progress"], level=2)
    if plan["total"]:
        _table(
            document,
            [w[k] for k in PLAN_COLUMNS],
            [[str(plan[k]) for k in PLAN_COLUMNS]],
            primary,
        )
        figures = {"n": plan["closed"], "total": plan["total"], "p": plan["closed_percent"]}
        document.add_paragraph(
            w["closed_of"] % figures
            + (f" · {w['overdue_count'] % {'count': plan['overdue']}}" if plan["overdue"] else "")
        )
        document.add_paragraph(w["closed_rule"])
    else:
        document.add_paragraph(w["no_actions"])
    for transfer in report.transfers:
        _transfer_section(document, transfer, w, primary)
    footer = section.footer.paragraphs[0]
    footer.text = (
        f"{report.provenance['name'] or report.provenance['key']} "
        f"{report.provenance['version']} · {w['scale']}: {meta['scale']} · csfpilot"
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
