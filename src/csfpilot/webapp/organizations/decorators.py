"""Views reach an organization only through these wrappers.

``@org_view(Permission.X)`` turns ``/orgs/<slug>/...`` into an
:class:`~csfpilot.webapp.organizations.permissions.Access` or an answer:
sign-in page for anonymous visitors, 404 for organizations the person is not a
member of, 403 for a role without the permission. The view receives the
access as its second argument and never looks the organization up itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from csfpilot.core.errors import NotFound
from csfpilot.webapp.organizations.context import remember
from csfpilot.webapp.organizations.permissions import Access, require
from csfpilot.webapp.organizations.roles import Permission

OrgView = Callable[..., HttpResponse]


def org_view(permission: Permission) -> Callable[[OrgView], Callable[..., HttpResponse]]:
    def decorate(view: OrgView) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            access: Access = require(request, slug, permission)
            remember(request, slug)
            request.org_access = access  # type: ignore[attr-defined]
            return view(request, access, *args, **kwargs)

        wrapper.required_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorate


class OrgPermissionMixin:
    """The same gate for class-based views: set ``permission``; ``self.access`` is filled."""

    permission: Permission = Permission.VIEW
    access: Access

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.access = require(request, kwargs["slug"], self.permission)
        remember(request, kwargs["slug"])
        request.org_access = self.access  # type: ignore[attr-defined]
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def org_page(permission: Permission) -> Callable[[OrgView], Callable[..., HttpResponse]]:
    """``@org_view`` for pages of one object of the organization (a profile, an evidence
    item): an id the organization does not have (``NotFound``) is a 404 page."""

    def decorate(view: OrgView) -> Callable[..., HttpResponse]:
        @wraps(view)
        def inner(request: HttpRequest, access: Access, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, access, *args, **kwargs)
            except NotFound as exc:
                raise Http404(str(exc)) from exc

        return org_view(permission)(inner)

    return decorate


def body_permission(permission: Permission) -> Callable[[Callable[..., HttpResponse]], Any]:
    """Declare the permission a request with a body needs, when it is more than the page's.

    ``site/request_limits.py`` checks it before anything reads the body (an upload);
    the view must still check it itself. Put it above ``@org_view``.
    """

    def mark(view: Callable[..., HttpResponse]) -> Any:
        view.body_permission = permission  # type: ignore[attr-defined]
        return view

    return mark
