"""The buyer's pages: the register, one supplier, a questionnaire, the portfolio."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.webapp.organizations.decorators import body_permission, org_page, org_view
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles.labels import level_label
from csfpilot.webapp.profiles.storage import scale_from_json
from csfpilot.webapp.suppliers import guest, heatmap, queries, services, workbooks
from csfpilot.webapp.suppliers.forms import (
    LinkForm,
    RemediationForm,
    SendForm,
    SupplierForm,
    contacts_text,
)

P = Permission
SUPPLIERS_PER_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _base(access: Access) -> dict:
    return {
        "access": access,
        "org": access.organization,
        "can_edit": access.can(P.EDIT_PROFILES),
        "can_export": access.can(P.EXPORT),
    }


@org_view(P.VIEW)
@require_http_methods(["GET"])
def supplier_list(request: HttpRequest, access: Access) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    tier = request.GET.get("tier", "")
    page = Paginator(queries.suppliers(access, q=q, tier=tier), SUPPLIERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = urlencode({k: v for k, v in (("q", q), ("tier", tier)) if v})
    return render(
        request,
        "suppliers/list.html",
        _base(access)
        | {
            "suppliers": page.object_list,
            "page": page,
            "query": query,
            "q": q,
            "tier": tier,
            "tiers": services.m.TierChoice,
        },
    )


@org_view(P.VIEW)
@require_http_methods(["GET"])
def portfolio(request: HttpRequest, access: Access) -> HttpResponse:
    data = queries.portfolio(access)
    rows = heatmap.rows_html(data.rows, access.organization.slug)
    return render(
        request, "suppliers/portfolio.html", _base(access) | {"p": data, "heat_rows": rows}
    )


@org_view(P.EXPORT)
@require_http_methods(["GET"])
def export_csv(request: HttpRequest, access: Access) -> StreamingHttpResponse:
    response = StreamingHttpResponse(queries.csv_lines(access), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="{access.organization.slug}-suppliers.csv"'
    )
    return response


def _form_page(
    request: HttpRequest, access: Access, form: SupplierForm, supplier=None, error: str = ""
) -> HttpResponse:
    return render(
        request,
        "suppliers/edit.html",
        _base(access) | {"form": form, "supplier": supplier, "error": error},
        status=400 if (error or form.errors) and request.method == "POST" else 200,
    )


@org_view(P.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, access: Access) -> HttpResponse:
    profiles = services.community_profiles(access)
    if request.method == "GET":
        return _form_page(request, access, SupplierForm(profiles=profiles))
    form = SupplierForm(request.POST, profiles=profiles)
    if not form.is_valid():
        return _form_page(request, access, form)
    try:
        row = services.create_supplier(
            access, form.service_data(), contacts=form.cleaned_data["contacts"]
        )
    except InputRefused as exc:
        return _form_page(request, access, form, error=str(exc))
    messages.success(request, _("The supplier is added."))
    return redirect("suppliers:detail", slug=access.organization.slug, supplier_id=row.pk)


@org_page(P.EDIT_PROFILES)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, access: Access, supplier_id: int) -> HttpResponse:
    supplier = services.get_supplier(access, supplier_id)
    profiles = services.community_profiles(access)
    if request.method == "GET":
        initial = {f: getattr(supplier, f) for f in services.FIELDS if f != "requirements"}
        initial["requirement_profile"] = str(supplier.requirement_profile_id or "")
        initial["requirements"] = services.requirements_text(supplier.requirements)
        initial["contacts"] = contacts_text(list(supplier.contacts.all()))
        initial["version"] = supplier.version
        form = SupplierForm(initial=initial, profiles=profiles)
        return _form_page(request, access, form, supplier)
    form = SupplierForm(request.POST, profiles=profiles)
    if not form.is_valid():
        return _form_page(request, access, form, supplier)
    try:
        services.update_supplier(
            access,
            supplier.pk,
            form.service_data(),
            expected_version=form.cleaned_data["version"] or 0,
            contacts=form.cleaned_data["contacts"],
        )
    except (InputRefused, ConflictError) as exc:
        return _form_page(request, access, form, supplier, error=str(exc))
    messages.success(request, _("The supplier is saved."))
    return redirect("suppliers:detail", slug=access.organization.slug, supplier_id=supplier.pk)


@org_page(P.VIEW)
@require_http_methods(["GET"])
def detail(request: HttpRequest, access: Access, supplier_id: int) -> HttpResponse:
    supplier = services.get_supplier(access, supplier_id)
    return render(
        request,
        "suppliers/detail.html",
        _base(access)
        | {
            "pic": queries.picture(supplier),
            "s": supplier,
            "send_form": SendForm(
                initial={"due": services.default_due(), "language": supplier.language}
            ),
            "remediation_form": RemediationForm(initial={"due": services.default_due()}),
        },
    )


@org_page(P.EDIT_PROFILES)
@require_POST
def delete(request: HttpRequest, access: Access, supplier_id: int) -> HttpResponse:
    services.delete_supplier(access, supplier_id)
    messages.success(request, _("The supplier is removed."))
    return redirect("suppliers:list", slug=access.organization.slug)


@org_page(P.EDIT_PROFILES)
@require_POST
def send(request: HttpRequest, access: Access, supplier_id: int) -> HttpResponse:
    supplier = services.get_supplier(access, supplier_id)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day the answers are due."))
        return redirect("suppliers:detail", slug=access.organization.slug, supplier_id=supplier.pk)
    try:
        q = services.send_questionnaire(
            access,
            supplier.pk,
            due=form.cleaned_data["due"],
            guidance=form.cleaned_data["guidance"],
            language=form.cleaned_data["language"],
        )
    except InputRefused as exc:
        messages.error(request, str(exc))
        return redirect("suppliers:detail", slug=access.organization.slug, supplier_id=supplier.pk)
    messages.success(request, _("The questionnaire is ready: send it to a contact as a link."))
    return redirect("suppliers:questionnaire", slug=access.organization.slug, questionnaire_id=q.pk)


@org_page(P.EDIT_PROFILES)
@require_POST
def remediation(request: HttpRequest, access: Access, supplier_id: int) -> HttpResponse:
    supplier = services.get_supplier(access, supplier_id)
    form = RemediationForm(request.POST)
    if form.is_valid():
        try:
            services.request_remediation(access, supplier.pk, **form.cleaned_data)
        except InputRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The remediation request is recorded."))
    else:
        messages.error(request, _("Say what must be fixed and by when."))
    return redirect("suppliers:detail", slug=access.organization.slug, supplier_id=supplier.pk)


@org_page(P.EDIT_PROFILES)
@require_POST
def remediation_close(
    request: HttpRequest, access: Access, supplier_id: int, remediation_id: int
) -> HttpResponse:
    try:
        services.close_remediation(
            access, supplier_id, remediation_id, request.POST.get("state", "done")
        )
    except (InputRefused, ConflictError) as exc:
        messages.error(request, str(exc))
    return redirect("suppliers:detail", slug=access.organization.slug, supplier_id=supplier_id)


def _questionnaire_page(
    request: HttpRequest, access: Access, q, *, new_link: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "suppliers/questionnaire.html",
        _base(access)
        | {
            "q": q,
            "s": q.supplier,
            "rows": queries.questionnaire_rows(q, translation.get_language()),
            "links": list(q.links.all()),
            "link_form": LinkForm(
                initial={"email": next((c.email for c in q.supplier.contacts.all()), "")}
            ),
            "new_link": new_link,
            "now": timezone.now(),
        },
        status=status,
    )


@org_page(P.VIEW)
@require_http_methods(["GET"])
def questionnaire(request: HttpRequest, access: Access, questionnaire_id: int) -> HttpResponse:
    return _questionnaire_page(
        request, access, services.get_questionnaire(access, questionnaire_id)
    )


@org_page(P.EDIT_PROFILES)
@require_POST
def link_issue(request: HttpRequest, access: Access, questionnaire_id: int) -> HttpResponse:
    q = services.get_questionnaire(access, questionnaire_id)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the contact's e-mail address."))
        return redirect(
            "suppliers:questionnaire", slug=access.organization.slug, questionnaire_id=q.pk
        )
    try:
        _link, token = guest.issue_link(
            access, q.pk, form.cleaned_data["email"], absolute=request.build_absolute_uri
        )
    except (InputRefused, ConflictError) as exc:
        messages.error(request, str(exc))
        return redirect(
            "suppliers:questionnaire", slug=access.organization.slug, questionnaire_id=q.pk
        )
    # The link is shown on this one answer and never again: only its hash is stored.
    url = request.build_absolute_uri(reverse("suppliers:guest", args=[token]))
    messages.success(request, _("The link is sent to the contact."))
    return _questionnaire_page(request, access, q, new_link=url)


@org_page(P.EDIT_PROFILES)
@require_POST
def link_revoke(
    request: HttpRequest, access: Access, questionnaire_id: int, link_id: int
) -> HttpResponse:
    try:
        guest.revoke_link(access, questionnaire_id, link_id)
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The link is revoked; it opens nothing any more."))
    return redirect(
        "suppliers:questionnaire", slug=access.organization.slug, questionnaire_id=questionnaire_id
    )


@org_page(P.EDIT_PROFILES)
@require_POST
def questionnaire_close(
    request: HttpRequest, access: Access, questionnaire_id: int
) -> HttpResponse:
    try:
        services.close_questionnaire(access, questionnaire_id)
    except ConflictError as exc:
        messages.error(request, str(exc))
    return redirect(
        "suppliers:questionnaire", slug=access.organization.slug, questionnaire_id=questionnaire_id
    )


@org_page(P.EDIT_PROFILES)
@require_http_methods(["GET"])
def workbook(request: HttpRequest, access: Access, questionnaire_id: int) -> HttpResponse:
    q, data = workbooks.questionnaire_workbook(access, questionnaire_id)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{workbooks.filename(q)}"'
    return response


@body_permission(P.EDIT_PROFILES)
@org_page(P.EDIT_PROFILES)
@require_POST
def workbook_import(request: HttpRequest, access: Access, questionnaire_id: int) -> HttpResponse:
    """Upload a returned workbook: a preview; then ``apply`` stores the previewed answers."""
    q = services.get_questionnaire(access, questionnaire_id)
    sender = request.POST.get("sender", "").strip()[:254]
    context = _base(access) | {"q": q, "s": q.supplier, "sender": sender}
    if request.POST.get("apply"):
        name = request.POST.get("filename", "")[:200]
        answers = {
            item.code: (
                request.POST.get(f"answer-{item.code}", ""),
                request.POST.get(f"comment-{item.code}", ""),
            )
            for item in q.items.all()
        }
        try:
            workbooks.apply_returned(access, q.pk, answers, sender=sender, filename=name)
        except (InputRefused, ConflictError) as exc:
            return render(
                request,
                "suppliers/workbook_preview.html",
                context | {"error": str(exc)},
                status=400,
            )
        messages.success(request, _("The answers of the workbook are stored and submitted."))
        return redirect(
            "suppliers:questionnaire", slug=access.organization.slug, questionnaire_id=q.pk
        )
    upload = request.FILES.get("file")
    if upload is None:
        error = _("Choose the workbook the supplier returned.")
        return render(
            request, "suppliers/workbook_preview.html", context | {"error": error}, status=400
        )
    try:
        q, rows, warnings = workbooks.read_returned(access, q.pk, upload.read(), upload.name)
    except (InputRefused, ConflictError) as exc:
        return render(
            request, "suppliers/workbook_preview.html", context | {"error": str(exc)}, status=400
        )
    scale = scale_from_json(q.scale)
    shown = [
        {
            "row": r,
            "target_label": level_label(scale, r.target),
            "answer_label": level_label(scale, r.answer) if r.answer is not None else "",
            "short": _short(scale, r.target, r.answer),
        }
        for r in rows
    ]
    return render(
        request,
        "suppliers/workbook_preview.html",
        context | {"rows": shown, "warnings": warnings, "filename": upload.name},
    )


def _short(scale, target, answer) -> bool:  # type: ignore[no-untyped-def]
    want, got = scale.get(target), scale.get(answer) if answer is not None else None
    if want is None or want.score is None or (got is not None and got.score is None):
        return False
    return (got.score if got is not None else 0) < want.score
