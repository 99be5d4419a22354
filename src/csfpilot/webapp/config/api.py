"""The REST API: one django-ninja instance, one router per app.

The schema is at ``/api/openapi.json`` and the interactive docs at ``/api/docs``.
The docs page loads Swagger UI from the copy that ships inside django-ninja,
served by the app itself (``ninja`` is an installed app for that reason), so it
works on a machine without internet access.

Every error answers with one body shape (RFC 9457 problem details,
``application/problem+json``): ``title``, ``status``, ``detail`` naming what was
wrong, and ``errors`` listing each bad parameter.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import Swagger

from csfpilot import __version__
from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.webapp.config.openapi_problems import document_problems
from csfpilot.webapp.reports.rendering import Busy


class CsfpilotAPI(NinjaAPI):
    """The API, whose schema also documents the error answers of the shared layers."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):  # type: ignore[override]
        from csfpilot.webapp.catalog.schemas import Problem

        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        return document_problems(schema, problem_schema)


api = CsfpilotAPI(
    title="csfpilot API",
    version=__version__,
    description="Frameworks, elements, crosswalks and search over NIST CSF 2.0 and related "
    "frameworks. Errors come as RFC 9457 problem details.",
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": True}),
)

PROBLEM_TYPE = "application/problem+json"


def problem(
    request: HttpRequest,
    status: int,
    title: str,
    detail: str,
    errors: list[dict[str, object]] | None = None,
) -> HttpResponse:
    body = {"title": title, "status": status, "detail": detail, "errors": errors or []}
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_TYPE
    return response


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = str(exc) if isinstance(exc, NotFound) else f"no API endpoint at {request.path}"
    return problem(request, 404, "Not found", detail)


@csrf_exempt  # it changes nothing, and a POST to a wrong URL deserves the same 404
def unknown_path(request: HttpRequest) -> HttpResponse:
    """Any /api/ URL that no endpoint answers: a problem-details 404, not the site's page."""
    return problem(request, 404, "Not found", f"no API endpoint at {request.path}")


def _refused(request: HttpRequest, exc: InputRefused) -> HttpResponse:
    # 413 for a file over a size limit or quota (evidence/blobs.py), 400 otherwise.
    return problem(request, getattr(exc, "http_status", 400), "Input refused", str(exc))


def _conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return problem(request, 409, "Conflict", str(exc))


def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [str(p) if not isinstance(p, int) else p for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
        }
        for e in exc.errors
    ]
    detail = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in errors
    )
    return problem(request, 422, "Invalid request", detail or "invalid request", errors)


def _busy(request: HttpRequest, exc: Busy) -> HttpResponse:
    response = problem(request, 429, "Too many requests", exc.reason())
    response["Retry-After"] = str(exc.retry_after)
    return response


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, "Request refused", str(exc))


api.add_exception_handler(NotFound, _not_found)
api.add_exception_handler(Http404, _not_found)
api.add_exception_handler(InputRefused, _refused)
api.add_exception_handler(ConflictError, _conflict)
api.add_exception_handler(ValidationError, _invalid)
api.add_exception_handler(HttpError, _http_error)
api.add_exception_handler(Busy, _busy)

api.add_router("/", "csfpilot.webapp.catalog.api.router")
api.add_router("/", "csfpilot.webapp.catalog.import_api.router")


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(request, 403, "Forbidden", str(exc) or "Your role does not allow this.")


api.add_exception_handler(PermissionDenied, _forbidden)
api.add_router("/", "csfpilot.webapp.organizations.api.router")
api.add_router("/", "csfpilot.webapp.accounts.api.router")
api.add_router("/", "csfpilot.webapp.profiles.api.router")
api.add_router("/", "csfpilot.webapp.profiles.exchange_api.router")
api.add_router("/", "csfpilot.webapp.jobs.api.router")
api.add_router("/", "csfpilot.webapp.sectors.api.router")
api.add_router("/", "csfpilot.webapp.sectors.exchange_api.router")
api.add_router("/", "csfpilot.webapp.reports.api.router")
api.add_router("/", "csfpilot.webapp.audit.api.router")
api.add_router("/", "csfpilot.webapp.evidence.api.router")
api.add_router("/", "csfpilot.webapp.evidence.scan_api.router")
api.add_router("/", "csfpilot.webapp.packages.api.router")
api.add_router("/", "csfpilot.webapp.mapping.api.router")
api.add_router("/", "csfpilot.webapp.transfers.api.router")
api.add_router("/", "csfpilot.webapp.suppliers.api.router")
api.add_router("/", "csfpilot.webapp.suppliers.exchange_api.router")
