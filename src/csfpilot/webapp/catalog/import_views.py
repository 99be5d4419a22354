"""The instance's operator imports a framework or crosswalk file in the browser.

Who may: a signed-in superuser, the person who runs the instance and could run
``csfpilot import-framework`` on the server anyway; everyone else gets 403. A
framework release is shared by every organization of the instance, which is why
no organization role is enough.

How: the file is read and stored exactly as the command line does it, in one
transaction, and recorded in the instance's audit chain. "Check" runs the same
import and rolls it back, to show what would be created or why the file is
refused, before anything is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from csfpilot.core.catalog.core_copies import OFFICIAL, SEPARATE
from csfpilot.core.errors import InputRefused
from csfpilot.formats.detect import MAX_FRAMEWORK_BYTES, SUPPORTED_FORMATS, DatasetIdentity
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.backup.uploads import LimitedUpload
from csfpilot.webapp.catalog import services
from csfpilot.webapp.organizations.permissions import is_operator

CHECK, IMPORT = "check", "import"
View = Callable[..., HttpResponse]


def operator_view(view: View) -> View:
    """Signed in (else to the sign-in page) and the instance's operator (else 403)."""

    @login_required
    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_operator(request.user):
            raise PermissionDenied(_("Only the instance's operator may import frameworks."))
        return view(request, *args, **kwargs)

    return inner


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Framework or crosswalk file"),
        help_text=gettext_lazy(
            "The format is recognised from the content: NIST's CSF and SP 800-53 files, OSCAL "
            "catalogs and mapping collections, CISO Assistant libraries, CSV or Excel."
        ),
    )
    core_copy = forms.ChoiceField(
        label=gettext_lazy("If the file is a copy of NIST's Core that differs from NIST's"),
        required=False,
        choices=[
            ("", gettext_lazy("Refuse it and show the differences")),
            (OFFICIAL, gettext_lazy("Map it onto NIST's elements")),
            (SEPARATE, gettext_lazy("Keep it as a framework of its own")),
        ],
    )
    name = forms.CharField(label=gettext_lazy("Crosswalk name"), required=False, max_length=300)
    publisher = forms.CharField(label=gettext_lazy("Publisher"), required=False, max_length=200)
    terms = forms.CharField(
        label=gettext_lazy("Terms of use"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reviewed_by = forms.CharField(label=gettext_lazy("Reviewed by"), required=False, max_length=200)


def _page(request: HttpRequest, **context: object) -> HttpResponse:
    status = int(context.pop("status", 200))  # type: ignore[call-overload]
    context.setdefault("form", ImportForm())
    context["max_mib"] = upload_limit() // (1024 * 1024)
    context["formats"] = SUPPORTED_FORMATS
    return render(request, "catalog/framework_import.html", context, status=status)


def upload_limit() -> int:
    """What an upload may hold: the framework readers' limit, or the server's request limit
    (CSFPILOT_MAX_REQUEST_MB) when that is lower."""
    return min(MAX_FRAMEWORK_BYTES, int(settings.CSFPILOT_MAX_REQUEST_BYTES))


@csrf_exempt  # checked below, once the size-limited upload handler is in place
@operator_view
@require_http_methods(["GET", "POST"])
def framework_import(request: HttpRequest) -> HttpResponse:
    """The upload form; a POST checks or imports the file."""
    if request.method == "POST":
        # Before anything reads the body: the upload is counted as it streams in.
        request.upload_handlers.insert(0, LimitedUpload(request, upload_limit()))
    return _import(request)


@csrf_protect
def _import(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    limiter = request.upload_handlers[0]
    form = ImportForm(request.POST, request.FILES)
    if isinstance(limiter, LimitedUpload) and limiter.too_large:
        refused = _("The file has more than %(max)s bytes.") % {"max": limiter.limit}
        return _page(request, refused=refused, status=413)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    data = form.cleaned_data
    upload = data["file"]
    name = (upload.name or "upload")[:255]
    check_only = request.POST.get("action") == CHECK
    try:
        report = services.import_file(
            upload.read(),
            name=name,
            who=audit.user_actor(request.user),
            core_copy=data["core_copy"] or None,
            dataset=DatasetIdentity(
                name=data["name"],
                publisher=data["publisher"],
                terms=data["terms"],
                reviewed_by=data["reviewed_by"],
            ),
            check_only=check_only,
        )
    except InputRefused as exc:
        return _page(request, form=form, refused=str(exc), file=name, status=400)
    return _page(request, form=form, report=report, checked=check_only, file=name)
