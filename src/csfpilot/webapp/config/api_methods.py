"""A wrong HTTP method on an API path answers a problem document, like every other API error.

The API framework answers it before any handler runs, as plain text; clients
that read ``application/problem+json`` for every error would choke on it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from csfpilot.webapp.config.api import PROBLEM_TYPE, problem


class ApiMethodNotAllowedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith(PROBLEM_TYPE)
        ):
            return response
        allowed = response.get("Allow", "")
        methods = ", ".join(sorted(m.strip() for m in allowed.split(",") if m.strip()))
        answer = problem(
            request,
            405,
            "Method not allowed",
            f"{request.method} is not allowed on {request.path}; allowed: {methods or 'none'}",
        )
        answer["Allow"] = allowed
        return answer
