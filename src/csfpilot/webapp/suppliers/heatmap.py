"""The portfolio heatmap's rows, written in Python rather than in the template.

A portfolio holds thousands of suppliers × six Functions; Django's template engine
spends about a tenth of a millisecond per cell on variable lookups and filters, which
made the page cost over 150 ms of CPU at 1,000 suppliers. The rows are plain, so they
are built here with every text escaped (names are what people typed) and the page
includes the result; the template keeps the headers, legend and everything else.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from csfpilot.webapp.suppliers import models as m

BANDS = ((90, "heat-4"), (70, "heat-3"), (40, "heat-2"))


def heat_class(value: float | None) -> str:
    """The colour band of an attainment (CSS class)."""
    if value is None:
        return "heat-none"
    for floor, css in BANDS:
        if value >= floor:
            return css
    return "heat-1"


def rows_html(rows: list[dict[str, Any]], slug: str) -> SafeString:
    """``<tr>`` per supplier: name (linked), tier, risk score, one cell per Function."""
    # One reverse() for all rows: the address differs only by the supplier's id.
    base = reverse("suppliers:detail", args=[slug, 0])[: -len("0/")]
    tiers = {value: escape(str(label)) for value, label in m.TierChoice.choices}
    out: list[str] = []
    for row in rows:
        cells = "".join(
            f'<td class="num {heat_class(v)}">{"—" if v is None else f"{v:.0f}"}</td>'
            for _fn, v in row["cells"]
        )
        score = "—" if row["risk_score"] is None else str(row["risk_score"])
        tier = row["tier"]
        out.append(
            f'<tr><th scope="row"><a href="{base}{row["id"]}/"><span translate="no">'
            f"{escape(row['name'])}</span></a></th>"
            f'<td><span class="tag tier-{escape(tier)}">{tiers.get(tier, escape(tier))}</span></td>'
            f'<td class="num">{score}</td>{cells}</tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
