"""Request bodies: refused by size before a byte is read, and by permission before they are.

Django reads a form's body as soon as anything asks for ``request.POST``, and the
CSRF check asks before any view runs; a file larger than 2.5 MB is then written
to a temporary file. Without these two middlewares a viewer's 300 MB upload was
received and written to disk before the view answered 403.

- :class:`RequestBodyLimitMiddleware` answers ``413`` to a body whose declared
  length is over ``CSFPILOT_MAX_REQUEST_MB`` and ``411`` to one sent without a
  length (chunked), before reading any of it. Django never reads past the
  declared length (its ``LimitedStream``), so the declared length is the bound;
  the app server then closes the connection instead of receiving the rest. The
  limit holds without a proxy in front: the documented nginx has the same one.
  The evidence routes (``/orgs/<slug>/evidence/`` and
  ``/api/organizations/<slug>/evidence``) accept one evidence file instead
  (``CSFPILOT_EVIDENCE_MAX_FILE_MB`` and the form's fields), received chunk by
  chunk by evidence/upload_handler.py, which stops reading at the chunk that
  passes the per-file limit or the organization's quota. On those pages the
  refusal is answered here (``413``) before the CSRF check looks for its token
  in a body that was not read to the end.
- :class:`PermissionBeforeBodyMiddleware` runs the organization page's own
  permission check (the one ``@org_view`` will make again) before anything reads
  the body, so a caller without the right gets the same 403, 404 or sign-in
  redirect, and the body is never read. API uploads do the same through their
  authentication step (``accounts/api_auth.py``, :func:`upload_auth`), which the
  API framework runs before it parses the body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from csfpilot.webapp.config.api import problem
from csfpilot.webapp.evidence import upload_handler
from csfpilot.webapp.organizations.permissions import require

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _refuse(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem(request, status, title, detail)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit, setting = settings.CSFPILOT_MAX_REQUEST_BYTES, "CSFPILOT_MAX_REQUEST_MB"
        slug = upload_handler.upload_slug(request.path_info)
        if slug is not None:
            limit, setting = upload_handler.body_allowance(), "CSFPILOT_EVIDENCE_MAX_FILE_MB"
            upload_handler.install(request, slug)
        declared = request.META.get("CONTENT_LENGTH") or ""
        if not declared.strip():
            if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
                return _refuse(
                    request,
                    411,
                    "Length required",
                    _("Send the request body with a Content-Length header."),
                )
            return self.get_response(request)
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            return _refuse(
                request, 400, "Bad request", _("The Content-Length header is not a number.")
            )
        if length > limit:
            return _refuse(
                request,
                413,
                "Request body too large",
                _(
                    "The request body has %(size)s bytes; this server accepts at most "
                    "%(limit)s (%(setting)s)."
                )
                % {"size": f"{length:,}", "limit": f"{limit:,}", "setting": setting},
            )
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # An evidence page's upload stopped as it arrived (too large, over the quota, a path
        # for a name): answered now, as the size refusal above. The API answers it in the
        # view, after its authentication (uploads.spool_upload).
        if (
            request.method == "POST"
            and upload_handler.handler_of(request) is not None
            and upload_handler.is_page(request.path_info)
            and request.content_type == "multipart/form-data"
        ):
            request.POST  # noqa: B018 - reads the body through the evidence upload handler
            refusal = upload_handler.stopped(request)
            if refusal is not None:
                status = getattr(refusal, "http_status", 400)
                return _refuse(request, status, "Upload refused", str(refusal))
        return None


class PermissionBeforeBodyMiddleware:
    """After authentication, before the CSRF check and the view: see the module's docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in BODY_METHODS and (request.META.get("CONTENT_LENGTH") or "0") != "0":
            early = self._check(request)
            if early is not None:
                return early
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        view = match.func
        permission = (
            getattr(view, "body_permission", None)
            or getattr(view, "required_permission", None)
            or getattr(getattr(view, "view_class", None), "permission", None)
        )
        slug = match.kwargs.get("slug")
        if permission is None or slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            require(request, slug, permission)
        except (Http404, PermissionDenied):
            # The same 404 or 403 the view would raise, drawn by Django's error views. Those
            # run the CSRF check again (requires_csrf_token), which would read the form body
            # for its token; this request is refused anyway, so there is nothing to check.
            request.csrf_processing_done = True  # type: ignore[attr-defined]
            raise
        return None
