"""Pages for the exchange formats: downloads, and an upload that previews before it applies.

The download buttons give the profile as a NIST-template workbook, OSCAL
assessment results or an OSCAL POA&M (``data.export``). The import page
(``profiles.edit``: owners and assessors) reads an uploaded file, shows every
field it would change, and carries the previewed content to the apply button
in a signed form field, so the apply stores exactly what was shown — or, when
someone changed the profile in between, nothing (409, with a fresh preview
to look at).
"""

from __future__ import annotations

from base64 import b64decode, b64encode
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.formats.native import from_document, to_document
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import exchange_formats, lookups, storage, uploads
from csfpilot.webapp.profiles.conflicts import StaleEdit
from csfpilot.webapp.profiles.history_views import change_rows
from csfpilot.webapp.profiles.labels import PRIORITY_LABELS, level_label
from csfpilot.webapp.profiles.views import profile_context, profile_page

SALT = "csfpilot.profiles.exchange-preview"
PREVIEW_MAX_AGE = 2 * 60 * 60  # a preview left open over lunch still applies


class ExchangeUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook (.xlsx) or OSCAL document (.json)"),
        help_text=gettext_lazy(
            "A workbook exported here (NIST's Organizational Profile Template layout) and "
            "edited in Excel or LibreOffice, OSCAL assessment results, or an OSCAL POA&M."
        ),
    )


@profile_page(Permission.EXPORT)
@require_GET
def exchange_export(request: HttpRequest, access: Access, pk: int, fmt: str) -> HttpResponse:
    """Download the profile in an exchange format."""
    if fmt not in exchange_formats.FORMATS:
        raise Http404(fmt)
    try:
        export = exchange_formats.export_exchange(access, pk, fmt)  # type: ignore[arg-type]
    except InputRefused as exc:
        # e.g. a POA&M of a profile without an action plan: said on the page, as the
        # API answers 400, never an error page.
        row = lookups.profile(access, pk)
        context = {**profile_context(access, row, ""), "reason": exc.message}
        return render(request, "profiles/export_refused.html", context, status=400)
    response = HttpResponse(export.data, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    audit.record_download(
        access,
        "export",
        pk,
        label=export.filename,
        filename=export.filename,
        size=len(export.data),
        fmt=fmt,
    )
    return response


def _preview_token(pk: int, preview: exchange_formats.ExchangePreview) -> str:
    payload = {
        "pk": pk,
        "version": preview.version,
        "format": preview.format,
        "document": to_document(preview.profile),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


UPLOAD_SALT = "csfpilot.profiles.exchange-upload"
EDITABLE_MAX = 1536 * 1024
"""The largest workbook whose free-text values can be changed on the page: it travels
back signed in a form field, and form fields stay under Django's 2.5 MB limit."""


def _upload_token(pk: int, version: int, data: bytes, filename: str) -> str:
    """The uploaded file, signed, so that the preview can be redone with other choices
    and applied without uploading it again."""
    payload = {"pk": pk, "version": version, "name": filename, "data": b64encode(data).decode()}
    return signing.dumps(payload, salt=UPLOAD_SALT, compress=True)


def _choices_posted(post: Any) -> dict[str, str]:
    """The person's choice for each free-text value, by :attr:`Choice.key`."""
    out: dict[str, str] = {}
    for name, key in post.items():
        if name.startswith("choice-key-"):
            out[key] = post.get("choice-" + name.removeprefix("choice-key-"), "")
    return out


def choice_rows(preview: exchange_formats.ExchangePreview, scale: Any) -> list[dict[str, Any]]:
    """Each free-text value with the options it can take, for the preview's form."""
    options = {
        "level": [(str(lv.key), level_label(scale, lv.key)) for lv in scale.levels],
        "priority": [(p.value, str(label)) for p, label in PRIORITY_LABELS.items()],
        "included": [("yes", _("Yes")), ("no", _("No"))],
    }
    kinds = {"level": _("Status"), "priority": _("Priority"), "included": _("Included")}
    rows = []
    for i, c in enumerate(preview.choices):
        rows.append(
            {
                "index": i,
                "key": c.key,
                "kind": kinds.get(c.kind, c.kind),
                "text": c.text,
                "proposed": c.proposed,
                "chosen": c.chosen or "",
                "cells": c.cells,
                "options": options.get(c.kind, []),
            }
        )
    return rows


FORMAT_LABELS = {
    "xlsx": gettext_lazy("Excel workbook (NIST template)"),
    "assessment-results": gettext_lazy("OSCAL assessment results"),
    "poam": gettext_lazy("OSCAL POA&M"),
}
NIST_TEMPLATE_SCOPE = gettext_lazy(
    "NIST's template holds outcomes only: the rows it fills change (and the Tiers its "
    "Function and Category rows give); blank rows and everything else stay as they are."
)
FORMAT_SCOPE = {
    "xlsx": gettext_lazy("The workbook holds the whole profile: every change below is applied."),
    "assessment-results": gettext_lazy(
        "Assessment results hold the outcomes, the scale and the Tiers; the action plan "
        "stays as it is."
    ),
    "poam": gettext_lazy("A POA&M holds the action plan; everything else stays as it is."),
}


@profile_page(Permission.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def exchange_import(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """Upload a workbook or OSCAL file: preview every change, then apply it."""
    row = lookups.profile(access, pk)
    uploading = request.method == "POST" and "preview" not in request.POST
    form = ExchangeUploadForm(request.POST if uploading else None, request.FILES or None)
    preview = None
    token = upload_token = ""
    status = 200
    errors: list[str] = []
    if request.method == "POST" and "upload" in request.POST:
        # A previewed workbook with free-text values: redo the preview with the
        # person's choices, or apply it with them.
        uploading = False
        choices = _choices_posted(request.POST)
        try:
            payload = signing.loads(
                request.POST["upload"], salt=UPLOAD_SALT, max_age=PREVIEW_MAX_AGE
            )
            if payload.get("pk") != pk:
                raise signing.BadSignature("another profile")
            data, filename = b64decode(payload["data"]), str(payload["name"])
            if request.POST.get("action") == "apply":
                exchange_formats.apply_exchange(
                    access,
                    pk,
                    data,
                    filename=filename,
                    expected_version=int(payload["version"]),
                    choices=choices,
                )
                messages.success(request, _("The file is imported into this profile."))
                return redirect("profiles:overview", slug=access.organization.slug, pk=pk)
            preview = exchange_formats.preview_exchange(
                access, pk, data, filename=filename, choices=choices, undecided_ok=True
            )
            token = _preview_token(pk, preview)
            upload_token = request.POST["upload"]
        except signing.SignatureExpired:
            status = 400
            errors.append(_("The preview is too old; upload the file again."))
        except signing.BadSignature:
            status = 400
            errors.append(_("The preview could not be read; upload the file again."))
        except StaleEdit:
            status = 409
            errors.append(
                _(
                    "The profile changed since the preview was made; nothing was applied. "
                    "Upload the file again to see what it would change now."
                )
            )
        except InputRefused as exc:
            status = 400
            errors.append(str(exc))
    elif request.method == "POST" and "preview" in request.POST:
        try:
            payload: dict[str, Any] = signing.loads(
                request.POST["preview"], salt=SALT, max_age=PREVIEW_MAX_AGE
            )
            if payload.get("pk") != pk:
                raise signing.BadSignature("another profile")
            after = from_document(payload["document"])
            exchange_formats.apply_previewed(
                access, pk, after, expected_version=int(payload["version"])
            )
        except signing.SignatureExpired:
            status = 400
            errors.append(_("The preview is too old; upload the file again."))
        except signing.BadSignature:
            status = 400
            errors.append(_("The preview could not be read; upload the file again."))
        except StaleEdit:
            status = 409
            errors.append(
                _(
                    "The profile changed since the preview was made; nothing was applied. "
                    "Upload the file again to see what it would change now."
                )
            )
        except InputRefused as exc:
            status = 400
            errors.append(str(exc))
        else:
            messages.success(request, _("The file is imported into this profile."))
            return redirect("profiles:overview", slug=access.organization.slug, pk=pk)
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            limit = uploads.import_limit()
            refusal = uploads.too_big(upload.size)
            if refusal:
                form.add_error("file", refusal)
            else:
                data = upload.read(limit + 1)
                try:
                    preview = exchange_formats.preview_exchange(
                        access, pk, data, filename=upload.name, undecided_ok=True
                    )
                except InputRefused as exc:
                    form.add_error("file", str(exc))
                else:
                    status = 200
                    token = _preview_token(pk, preview)
                    if preview.choices and len(data) <= EDITABLE_MAX:
                        upload_token = _upload_token(pk, preview.version, data, upload.name)
    scale = storage.scale_of(row)
    return render(
        request,
        "profiles/exchange_import.html",
        {
            # A page of its own, not one of the profile's tabs: no tab is marked current.
            **profile_context(access, row, ""),
            "here": _("Import from Excel or OSCAL"),
            "form": form,
            "preview": preview,
            "token": token,
            "upload_token": upload_token,
            "choices": choice_rows(preview, scale) if preview else [],
            "errors": errors,
            "format_label": FORMAT_LABELS[preview.format] if preview else "",
            "format_scope": (
                NIST_TEMPLATE_SCOPE
                if preview and preview.format == "xlsx" and not preview.whole
                else FORMAT_SCOPE[preview.format]
                if preview
                else ""
            ),
            "changes": change_rows(preview.changes, scale) if preview else [],
            "outcomes_changed": len({c.element for c in preview.changes if c.element})
            if preview
            else 0,
        },
        status=status,
    )


class ExchangeNewForm(ExchangeUploadForm):
    name = forms.CharField(
        label=gettext_lazy("Name (optional)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty to use the name written in the file."),
    )


@profile_page(Permission.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def exchange_new(request: HttpRequest, access: Access) -> HttpResponse:
    """Start a new profile from a workbook or an OSCAL file."""
    form = ExchangeNewForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            limit = uploads.import_limit()
            try:
                refusal = uploads.too_big(upload.size)
                if refusal:
                    raise InputRefused(refusal)
                result = exchange_formats.import_exchange_new(
                    access,
                    upload.read(limit + 1),
                    filename=upload.name,
                    name=form.cleaned_data["name"] or None,
                )
            except InputRefused as exc:
                form.add_error("file", str(exc))
            except ConflictError as exc:
                form.add_error("name", str(exc))
            else:
                for warning in result.warnings:
                    messages.warning(request, warning)
                messages.success(
                    request, _("%(name)s is imported.") % {"name": result.profile.name}
                )
                return redirect(
                    "profiles:overview", slug=access.organization.slug, pk=result.profile.pk
                )
    return render(
        request,
        "profiles/exchange_new.html",
        {"access": access, "org": access.organization, "form": form},
        status=status,
    )
