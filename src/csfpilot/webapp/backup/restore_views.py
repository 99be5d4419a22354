"""The instance operator restores a backup in the browser, with the checks of ``csfpilot restore``.

Who may: a signed-in superuser — the account of the person who runs the
instance (``csfpilot manage createsuperuser``), the one who could restore from
the command line anyway. Everyone else gets 403; nobody signs in through here.

How: the archive is uploaded (streamed to disk, refused past the backup size
limit), checked by running the very restore the command line runs and rolling
it back (``restore_backup(check_only=True)``), and what it holds is shown. Only
when the operator confirms is it restored, in one transaction, and recorded in
the instance's audit chain under the operator's name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.backup import uploads
from csfpilot.webapp.backup.services import Restored, restore_backup
from csfpilot.webapp.organizations.permissions import is_operator

View = Callable[..., HttpResponse]


def operator_view(view: View) -> View:
    """Signed in (else to the sign-in page) and the instance's operator (else 403)."""

    @login_required
    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_operator(request.user):
            raise PermissionDenied(_("Only the instance's operator may restore a backup."))
        return view(request, *args, **kwargs)

    return inner


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Backup archive (.zip)"),
        help_text=gettext_lazy(
            "A file made by csfpilot backup, or an organization's backup downloaded from its "
            "settings page."
        ),
    )


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    name = forms.CharField(widget=forms.HiddenInput, max_length=255)
    confirm = forms.BooleanField(
        label=gettext_lazy("Restore what this archive holds into this instance")
    )


def _page(
    request: HttpRequest,
    *,
    form: forms.Form | None = None,
    checked: Restored | None = None,
    confirm: ConfirmForm | None = None,
    refused: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "backup/restore.html",
        {
            "form": form or UploadForm(),
            "checked": checked,
            "as_of": parse_datetime(checked.data_as_of) if checked and checked.data_as_of else None,
            "confirm": confirm,
            "refused": refused,
            "max_mib": uploads.MAX_BYTES // (1024 * 1024),
        },
        status=status,
    )


@csrf_exempt  # checked below, once the size-limited upload handler is in place
@operator_view
@require_http_methods(["GET", "POST"])
def restore(request: HttpRequest) -> HttpResponse:
    """The upload form; a POST uploads an archive, checks it and shows what it holds."""
    if request.method == "POST":
        # Before anything reads the body (the CSRF check does): from here the upload is
        # counted as it streams in, and a file past the limit is never stored.
        request.upload_handlers.insert(0, uploads.LimitedUpload(request))
    return _restore(request)


@csrf_protect
def _restore(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = UploadForm(request.POST, request.FILES)
    limiter = request.upload_handlers[0]
    if isinstance(limiter, uploads.LimitedUpload) and limiter.too_large:
        refused = _("The file has more than %(max)s bytes; a backup has at most %(max)s.") % {
            "max": limiter.limit
        }
        return _page(request, form=UploadForm(), refused=refused, status=413)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    name = (upload.name or "backup.zip")[:255]
    token = uploads.keep(upload)
    try:
        checked = restore_backup(uploads.read(token), name=name, check_only=True)
    except (InputRefused, ConflictError) as exc:
        uploads.drop(token)
        return _page(request, form=UploadForm(), refused=str(exc), status=400)
    confirm = ConfirmForm(initial={"token": token, "sha256": checked.sha256, "name": name})
    return _page(request, form=UploadForm(), checked=checked, confirm=confirm)


@operator_view
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Restore the archive that was checked, once the operator ticked the box."""
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        if "confirm" in form.errors and not ({"token", "sha256", "name"} & set(form.errors)):
            refused = _("Tick the box to confirm the restore; nothing was restored.")
        else:
            refused = _("This upload is no longer here; upload the archive again.")
        return _page(request, refused=refused, status=400)
    data = form.cleaned_data
    try:
        archive = uploads.read(data["token"])
        if hashlib.sha256(archive).hexdigest() != data["sha256"]:
            raise InputRefused("this upload is no longer the archive that was checked")
        done = restore_backup(archive, name=data["name"], who=audit.user_actor(request.user))
    except (InputRefused, ConflictError) as exc:
        uploads.drop(data["token"])
        return _page(request, refused=str(exc), status=400)
    uploads.drop(data["token"])
    messages.success(
        request,
        _(
            "Restored %(orgs)s: %(profiles)s profile(s), %(events)s audit event(s), "
            "%(users)s new account(s). The restore is recorded in the instance's audit chain."
        )
        % {
            "orgs": ", ".join(done.organizations) or done.scope,
            "profiles": done.profiles,
            "events": done.audit_events,
            "users": done.users_created,
        },
    )
    return redirect("backup:restore")
