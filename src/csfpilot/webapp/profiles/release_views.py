"""The page that moves a profile to a newer release of its framework: preview, then apply."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from csfpilot.core.catalog.releases import release_key
from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import lookups, release_move
from csfpilot.webapp.profiles.views import profile_context, profile_page


def _newer(row: object) -> list[catalog.Framework]:
    fw = row.framework  # type: ignore[attr-defined]
    if not fw.family:
        return []
    return sorted(
        (
            f
            for f in catalog.Framework.objects.filter(family=fw.family).exclude(pk=fw.pk)
            if release_key(f.version) > release_key(fw.version)
        ),
        key=lambda f: release_key(f.version),
    )


@profile_page(Permission.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def move_release(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """Choose a newer release, see what changes, then move the profile."""
    row = lookups.profile(access, pk)
    to = (request.POST.get("to") or request.GET.get("to") or "").strip()
    changes, refused, status = None, "", 200
    if to:
        try:
            if request.method == "POST":
                version = int(request.POST.get("version") or 0)
                release_move.move_release(access, pk, to, expected_version=version)
                messages.success(request, _("The profile is now on %(key)s.") % {"key": to.lower()})
                return redirect("profiles:overview", slug=access.organization.slug, pk=pk)
            changes = release_move.preview_move(access, pk, to)
        except ConflictError:
            status = 409
            refused = _(
                "The profile changed since the preview was made; nothing was moved. Look at "
                "the new preview before moving."
            )
            changes = release_move.preview_move(access, pk, to)
        except InputRefused as exc:
            status, refused = 400, str(exc)
    return render(
        request,
        "profiles/move_release.html",
        {
            **profile_context(access, row, ""),
            "here": _("Move to a newer release"),
            "newer": _newer(row),
            "to": to.lower(),
            "changes": changes,
            "carried": changes.carried() if changes else {},
            "not_carried": changes.not_carried() if changes else [],
            "refused": refused,
        },
        status=status,
    )
