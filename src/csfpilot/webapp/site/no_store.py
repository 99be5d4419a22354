"""``Cache-Control: no-store`` on everything the app answers, unless a view says otherwise.

Pages, API answers and downloads carry an organization's assessment: where it
is weak, what it has not done yet. Without a cache header a browser keeps them
on disk (and shows them again from its history after sign-out), and a shared
proxy may keep them for the next person. ``no-store`` forbids both. Static
files never reach this middleware: WhiteNoise answers them before it, with its
own year-long cache header for their content-hashed names.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A view that chose its own caching (none does for organization data) keeps it.
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response
