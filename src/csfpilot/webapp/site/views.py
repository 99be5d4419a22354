from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from csfpilot.webapp.catalog import queries


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "site/home.html", {"frameworks": queries.frameworks()})
