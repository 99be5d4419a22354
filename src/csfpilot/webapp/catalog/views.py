from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from csfpilot.core.errors import NotFound
from csfpilot.webapp.catalog import queries


def framework(request: HttpRequest, key: str) -> HttpResponse:
    try:
        fw = queries.framework(key)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "catalog/framework.html", {"fw": fw, "tree": queries.tree(fw)})
