from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from csfpilot.core.ids import DEFAULT_FRAMEWORK
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.catalog import queries


def home(request: HttpRequest) -> HttpResponse:
    """The front page: what csfpilot is, the CSF 2.0 Functions, what is loaded."""
    fws = sorted(queries.frameworks(), key=lambda fw: fw.key != DEFAULT_FRAMEWORK)
    csf = next((fw for fw in fws if fw.key == DEFAULT_FRAMEWORK), None)
    counts = queries.framework_level_counts()
    rows = [
        {"fw": fw, "levels": [(lvl, counts.get(fw.id, {}).get(lvl, {})) for lvl in fw.levels]}
        for fw in fws
    ]
    return render(
        request,
        "site/home.html",
        {
            "csf": csf,
            "functions": queries.top_level_summary(csf) if csf else [],
            "rows": rows,
            "datasets_count": m.MappingDataset.objects.count(),
        },
    )
