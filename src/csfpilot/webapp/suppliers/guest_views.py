"""The guest pages: a supplier's contact answers one questionnaire through a link.

Nothing here reads or writes a Django session or signs anybody in: the link's token (in
the URL) and the proof of the verified e-mail address (a cookie limited to the link's own
path) are checked on every request by :mod:`.guest`. Any other page or API route sees the
visitor as anonymous.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.webapp.profiles.labels import level_label
from csfpilot.webapp.profiles.storage import scale_from_json
from csfpilot.webapp.suppliers import guest, queries
from csfpilot.webapp.suppliers import models as m
from csfpilot.webapp.suppliers.forms import CodeForm

COOKIE = "csfpilot_guest"
LANGUAGES = ("en", "zh-hant")


def _path(token: str) -> str:
    return f"/guest/q/{token}/"


def _language(request: HttpRequest, q: m.Questionnaire | None) -> str:
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return q.language if q is not None else "en"


def _closed(request: HttpRequest, reason: str) -> HttpResponse:
    # No questionnaire is known: the reader's own language (or the one asked for).
    asked = request.GET.get("lang", "")
    with translation.override(asked if asked in LANGUAGES else translation.get_language()):
        return render(
            request,
            "suppliers/guest/closed.html",
            {"reason": reason},
            status=404 if reason == "unknown" else 410,
        )


def _throttled(request: HttpRequest, token: str) -> HttpResponse | None:
    try:
        guest.throttle(token, request.META.get("REMOTE_ADDR", ""))
    except guest.TooManyRequests:
        response = HttpResponse(
            _("Too many requests on this link; wait a minute."),
            status=429,
            content_type="text/plain",
        )
        response["Retry-After"] = "60"
        return response
    return None


def _page(
    request: HttpRequest,
    token: str,
    link: m.GuestLink,
    *,
    error: str = "",
    status: int = 200,
    code_sent: bool = False,
) -> HttpResponse:
    q = link.questionnaire
    proof = request.COOKIES.get(COOKIE)
    is_verified = guest.verified(link, proof)
    lang = _language(request, q)
    scale = scale_from_json(q.scale)
    with translation.override(lang):
        rows = queries.questionnaire_rows(q, lang) if is_verified else []
        levels = [(level.key, level_label(scale, level.key)) for level in scale.levels]
        return render(
            request,
            "suppliers/guest/page.html",
            {
                "token": token,
                "link": link,
                "q": q,
                "buyer": q.supplier.organization.name,
                "supplier": q.supplier.name,
                "verified": is_verified,
                "editable": is_verified and q.open,
                "rows": rows,
                "levels": levels,
                "answered": sum(1 for r in rows if r.answered),
                "error": error,
                "code_form": CodeForm(),
                "code_sent": code_sent or request.GET.get("sent") == "1",
                "lang": lang,
                "path": _path(token),
            },
            status=status,
        )


@require_http_methods(["GET"])
def page(request: HttpRequest, token: str) -> HttpResponse:
    if (limited := _throttled(request, token)) is not None:
        return limited
    try:
        link = guest.open_link(token)
    except guest.LinkClosed as exc:
        return _closed(request, exc.reason)
    return _page(request, token, link)


@require_POST
def send_code(request: HttpRequest, token: str) -> HttpResponse:
    if (limited := _throttled(request, token)) is not None:
        return limited
    try:
        guest.send_code(token)
    except guest.LinkClosed as exc:
        return _closed(request, exc.reason)
    except ConflictError as exc:
        return _page(request, token, guest.open_link(token), error=_(str(exc)), status=409)
    lang = _language(request, None) if request.GET.get("lang") else ""
    return redirect(_path(token) + "?sent=1" + (f"&lang={lang}" if lang else ""))


@require_POST
def verify(request: HttpRequest, token: str) -> HttpResponse:
    if (limited := _throttled(request, token)) is not None:
        return limited
    try:
        proof = guest.verify_code(token, request.POST.get("code", ""))
    except guest.LinkClosed as exc:
        return _closed(request, exc.reason)
    except InputRefused as exc:
        link = guest.open_link(token)
        return _page(request, token, link, error=_(exc.message), status=400, code_sent=True)
    response = redirect(_path(token))
    response.set_cookie(
        COOKIE,
        proof,
        max_age=12 * 3600,
        path=_path(token),
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return response


def _answer_error(request: HttpRequest, token: str, message: str, status: int) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return _page(request, token, guest.open_link(token), error=message, status=status)


@require_POST
def answer(request: HttpRequest, token: str) -> HttpResponse:
    if (limited := _throttled(request, token)) is not None:
        return limited
    code = request.POST.get("code", "")
    try:
        item = guest.save_answer(
            token,
            request.COOKIES.get(COOKIE),
            code,
            answer=request.POST.get("answer", ""),
            comment=request.POST.get("comment", ""),
            evidence=request.POST.get("evidence", ""),
        )
    except guest.LinkClosed as exc:
        return _closed(request, exc.reason)
    except PermissionError:
        return _answer_error(request, token, _("Verify your e-mail address first."), 403)
    except (InputRefused, NotFound) as exc:
        return _answer_error(request, token, _(getattr(exc, "message", str(exc))), 400)
    except ConflictError as exc:
        return _answer_error(request, token, _(str(exc)), 409)
    if request.headers.get("HX-Request"):
        with translation.override(_language(request, item.questionnaire)):
            return render(request, "suppliers/guest/_saved.html", {"item": item})
    return redirect(_path(token) + f"#{item.code}")


@require_POST
def submit(request: HttpRequest, token: str) -> HttpResponse:
    if (limited := _throttled(request, token)) is not None:
        return limited
    try:
        guest.submit(token, request.COOKIES.get(COOKIE))
    except guest.LinkClosed as exc:
        return _closed(request, exc.reason)
    except PermissionError:
        return _answer_error(request, token, _("Verify your e-mail address first."), 403)
    except (InputRefused, ConflictError) as exc:
        return _answer_error(
            request, token, str(exc), 409 if isinstance(exc, ConflictError) else 400
        )
    return redirect(_path(token))
