"""Owners download a backup of their organization from its settings page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.backup.services import make_backup, record_backup
from csfpilot.webapp.organizations.decorators import org_view
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission


@org_view(Permission.EDIT_SETTINGS)
@require_POST
def download(request: HttpRequest, access: Access) -> HttpResponse:
    """The organization's backup archive; POST because taking one is recorded in the trail."""
    slug = access.organization.slug
    try:
        made = make_backup(slug)
    except InputRefused as exc:
        # A stored evidence file that no longer matches its hash: no backup is better than
        # a backup that hides the damage.
        messages.error(request, str(exc))
        return redirect("organizations:settings", slug=slug)
    record_backup(made, audit.actor_of(access))
    response = HttpResponse(made.data, content_type="application/zip")
    day = timezone.now().date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{slug}-backup-{day}.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    name = f"{slug}-backup-{day}.zip"
    audit.record_download(
        access, "backup", made.sha256[:16], label=name, filename=name, size=len(made.data)
    )
    return response
