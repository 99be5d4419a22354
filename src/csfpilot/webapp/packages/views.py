"""Pages: keys and trusted partners, a profile's package export (with preview), import."""

from __future__ import annotations

from base64 import b64decode, b64encode
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.formats.packages import MAX_PACKAGE_BYTES, grouped
from csfpilot.webapp.organizations.decorators import body_permission, org_page, org_view
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.packages import services
from csfpilot.webapp.packages.forms import FingerprintForm, ImportForm, LevelForm, TrustForm
from csfpilot.webapp.profiles import lookups

UPLOAD_SALT = "csfpilot.packages.import-upload"
QUESTIONNAIRE, ANSWER = "questionnaire", "questionnaire-answer"
# Imported on this page too, into the supplier pages (questionnaires between instances).
EXCHANGED = (QUESTIONNAIRE, ANSWER)
# The checked package travels back signed in a form field; form fields stay under
# Django's 2.5 MB limit, so a larger package is uploaded again with the import.
CARRY_MAX = 1536 * 1024


@org_view(Permission.VIEW)
@require_GET
def keys(request: HttpRequest, access: Access) -> HttpResponse:
    can_edit = access.can(Permission.EDIT_SETTINGS)
    if can_edit:
        services.active_key(access)
    data = services.keys_out(access.organization)
    return render(
        request,
        "packages/keys.html",
        {
            "access": access,
            "org": access.organization,
            "keys": data["keys"],
            "trusted": data["trusted"],
            "can_edit": can_edit,
            "trust_form": TrustForm(),
        },
    )


def _back(access: Access) -> HttpResponse:
    return redirect("packages:keys", slug=access.organization.slug)


@org_view(Permission.EDIT_SETTINGS)
@require_POST
def rotate(request: HttpRequest, access: Access) -> HttpResponse:
    row = services.rotate(access)
    messages.success(
        request,
        _(
            "A new key is active: %(fp)s. The previous key is retired; "
            "packages it signed still verify."
        )
        % {"fp": grouped(row.fingerprint)},
    )
    return _back(access)


@org_view(Permission.EDIT_SETTINGS)
@require_POST
def revoke(request: HttpRequest, access: Access) -> HttpResponse:
    form = FingerprintForm(request.POST)
    try:
        if not form.is_valid():
            raise InputRefused("no key chosen")
        row = services.revoke(access, form.cleaned_data["fingerprint"])
    except (InputRefused, NotFound) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The key %(fp)s is revoked: packages it signed are no longer trusted.")
            % {"fp": grouped(row.fingerprint)},
        )
    return _back(access)


@org_view(Permission.EDIT_SETTINGS)
@require_POST
def trust(request: HttpRequest, access: Access) -> HttpResponse:
    form = TrustForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the partner's name and the key's fingerprint."))
        return _back(access)
    try:
        row = services.trust(access, form.cleaned_data["fingerprint"], form.cleaned_data["partner"])
    except (InputRefused, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Packages signed by %(fp)s now import as trusted, from %(partner)s.")
            % {"fp": grouped(row.fingerprint), "partner": row.partner},
        )
    return _back(access)


@org_view(Permission.EDIT_SETTINGS)
@require_POST
def untrust(request: HttpRequest, access: Access) -> HttpResponse:
    form = FingerprintForm(request.POST)
    try:
        if not form.is_valid():
            raise InputRefused("no key chosen")
        services.untrust(access, form.cleaned_data["fingerprint"])
    except (InputRefused, NotFound) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The key is no longer trusted."))
    return _back(access)


@org_page(Permission.EXPORT)
@require_GET
def export(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    row = lookups.profile(access, pk)
    form = LevelForm(request.GET or None)
    level = form.cleaned_data["level"] if form.is_valid() else "no-text"
    items = services.file_items(access)
    known = {str(i.pk) for i in items}
    chosen = [i for i in request.GET.getlist("evidence") if i in known] if level == "full" else []
    rows = services.preview(access, pk, level, chosen)
    return render(
        request,
        "packages/export.html",
        {
            "access": access,
            "org": access.organization,
            "profile": row,
            "form": form if form.is_bound else LevelForm(initial={"level": level}),
            "level": level,
            "rows": rows,
            "members": sorted({m for m, _, _ in rows}),
            "items": items,
            "chosen": chosen,
        },
    )


@org_page(Permission.EXPORT)
@require_GET
def download(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    form = LevelForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a redaction level."))
        return redirect("packages:export", slug=access.organization.slug, pk=pk)
    try:
        result = services.export_profile(
            access, pk, form.cleaned_data["level"], request.GET.getlist("evidence")
        )
    except InputRefused as exc:
        messages.error(request, str(exc))
        return redirect("packages:export", slug=access.organization.slug, pk=pk)
    response = HttpResponse(result.data, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


def _carry(data: bytes, filename: str) -> str:
    return signing.dumps(
        {"name": filename, "data": b64encode(data).decode()}, salt=UPLOAD_SALT, compress=True
    )


def _carried(token: str) -> tuple[bytes, str]:
    try:
        payload = signing.loads(token, salt=UPLOAD_SALT, max_age=3600)
    except signing.BadSignature:
        raise InputRefused(_("The checked package expired; upload it again.")) from None
    return b64decode(payload["data"]), payload["name"]


def _upload(form: ImportForm) -> tuple[bytes, str]:
    upload = form.cleaned_data.get("file")
    if upload is not None:
        if upload.size > MAX_PACKAGE_BYTES:
            raise InputRefused(
                f"the file has {upload.size:,} bytes; a package has at most {MAX_PACKAGE_BYTES:,}",
                file=upload.name,
            )
        return upload.read(), upload.name
    if form.cleaned_data.get("token"):
        return _carried(form.cleaned_data["token"])
    raise InputRefused(_("Choose a package file."))


def _untrusted_reason(pkg: Any) -> str:
    if pkg.trusted:
        return ""
    if not pkg.signed:
        return _("The package is not signed.")
    if any("revoked" in p for p in pkg.problems):
        return _("The signing key has been revoked.")
    return _("The signing key is not in this organization's list of trusted keys.")


def _import_reason(seen: services.Inspection) -> str:
    if seen.importable:
        return ""
    if seen.already_imported:
        return _("This package was imported already; importing it again is refused.")
    if seen.package.kind not in services.PROFILE_KINDS:
        return _("This kind of package is not imported here.")
    return _("This package holds scores only; there is no profile to import.")


def _exchanged_reason(
    access: Access, seen: services.Inspection, data: bytes, name: str, context: dict[str, Any]
) -> str:
    """Whether a questionnaire or an answer can be imported: the supplier pages' own checks
    (an answer also names, in ``context``, the questionnaire it answers)."""
    from csfpilot.webapp.suppliers import exchange

    if seen.already_imported:
        return _("This package was imported already; importing it again is refused.")
    if seen.package.kind == ANSWER:
        check = exchange.check_answer(access, data, filename=name)
        context["answers"] = check.questionnaire
        return check.reason
    return ""


def _import_exchanged(
    request: HttpRequest, access: Access, kind: str, data: bytes, filename: str, accept: bool
) -> HttpResponse:
    from csfpilot.webapp.suppliers import exchange, received

    if kind == QUESTIONNAIRE:
        row, _pkg = received.receive(access, data, filename=filename, confirm_untrusted=accept)
        messages.success(request, _("The questionnaire is imported: answer it from a profile."))
        return redirect("suppliers:received", slug=access.organization.slug, received_id=row.pk)
    q, _pkg = exchange.import_answer(access, data, filename=filename, confirm_untrusted=accept)
    messages.success(request, _("The answers are stored and the questionnaire is submitted."))
    return redirect("suppliers:questionnaire", slug=access.organization.slug, questionnaire_id=q.pk)


@body_permission(Permission.EDIT_PROFILES)
@org_view(Permission.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def import_package(request: HttpRequest, access: Access) -> HttpResponse:
    context: dict[str, Any] = {"access": access, "org": access.organization}
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            data, filename = _upload(form)
            seen = services.inspect(access, data, filename=filename)
            kind = seen.package.kind
            if kind in EXCHANGED:
                # A questionnaire or an answer is stored under no profile name.
                form.fields["name"].widget = forms.HiddenInput()
            if request.POST.get("action") == "import":
                accept = form.cleaned_data["accept_untrusted"]
                if kind in EXCHANGED:
                    return _import_exchanged(request, access, kind, data, filename, accept)
                row, _pkg = services.import_package(
                    access,
                    data,
                    filename=filename,
                    confirm_untrusted=accept,
                    name=form.cleaned_data["name"] or None,
                )
                messages.success(request, _("The package is imported."))
                return redirect(
                    "profiles:overview", slug=access.organization.slug, pk=row.profile_id
                )
            reason = (
                _exchanged_reason(access, seen, data, filename, context)
                if kind in EXCHANGED
                else _import_reason(seen)
            )
            context.update(
                seen=seen,
                importable=not reason,
                untrusted_reason=_untrusted_reason(seen.package),
                import_reason=reason,
                pkg=seen.package,
                grouped_fp=grouped(seen.package.fingerprint) if seen.package.fingerprint else "",
            )
            # The checked package travels back in the form's own hidden field, so that the
            # import button sends it (a second field of the same name would be sent empty).
            context["token"] = _carry(data, filename) if len(data) <= CARRY_MAX else ""
            form.data = form.data.copy()
            form.data["token"] = context["token"]
        except (InputRefused, ConflictError) as exc:
            context["refused"] = str(exc)
    context["form"] = form if form.is_bound else ImportForm()
    context["history"] = services.imported(access.organization)[:20]
    return render(request, "packages/import.html", context)
