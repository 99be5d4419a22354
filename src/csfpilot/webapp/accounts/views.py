"""API token pages: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.accounts import queries, services
from csfpilot.webapp.accounts.forms import TokenForm
from csfpilot.webapp.accounts.models import ApiToken
from csfpilot.webapp.accounts.token_policy import second_factor_missing
from csfpilot.webapp.organizations.forms import refuse
from csfpilot.webapp.organizations.permissions import OrganizationNotFound


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, user=request.user)
    created = None
    status = 200
    refusal = second_factor_missing(request) if request.method == "POST" else None
    if refusal:
        form.add_error(None, refusal)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.issue_token(
                request.user, data["organization"], data["role"], data["name"], data["days"]
            )
        except InputRefused as exc:
            refuse(form, exc)
        except services.TokenScopeRefused as exc:
            form.add_error("role", str(exc))
        except OrganizationNotFound:
            form.add_error("organization", _("Choose one of your organizations."))
    if request.method == "POST" and created is None:
        status = 400
    elif created is not None:
        form = TokenForm(user=request.user)
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": list(queries.tokens_of(request.user)),
            "created": created[0] if created else None,
            "secret": created[1] if created else None,
        },
        status=status,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.revoke_token(request.user, token_id)
    except ApiToken.DoesNotExist as exc:
        raise Http404("No such token.") from exc
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
