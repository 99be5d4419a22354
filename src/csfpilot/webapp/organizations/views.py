"""Organization pages: my organizations, create, home, members, settings.

Thin: each view is gated by ``@org_view`` (or sign-in for the list and create
pages), calls one service or query, and renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.webapp.accounts.adapters import signup_open
from csfpilot.webapp.organizations import creators, invitations, queries, services
from csfpilot.webapp.organizations.decorators import org_view
from csfpilot.webapp.organizations.forms import (
    AddMemberForm,
    OrganizationForm,
    RenameForm,
    RoleForm,
    refuse,
)
from csfpilot.webapp.organizations.invitations import InvitationLimit
from csfpilot.webapp.organizations.models import Invitation, Membership
from csfpilot.webapp.organizations.panels import panels_for
from csfpilot.webapp.organizations.permissions import Access, forget_access
from csfpilot.webapp.organizations.roles import ROLE_ORDER, Permission, Role

MEMBERS_PER_PAGE = 100
MEMBERS_ON_HOME = 12


@login_required
@require_http_methods(["GET"])
def organization_list(request: HttpRequest) -> HttpResponse:
    memberships = list(queries.memberships_of(request.user))
    return render(
        request,
        "organizations/list.html",
        {"memberships": memberships, "may_create": creators.may_create(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    if not creators.may_create(request.user):
        return render(request, "organizations/create_refused.html", status=403)
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organization(
                request.user, form.cleaned_data["name"], form.cleaned_data["slug"] or None
            )
        except InputRefused as exc:
            refuse(form, exc)
        except ConflictError as exc:
            form.add_error("slug", str(exc))
        else:
            messages.success(
                request,
                _("%(name)s is created; you are its owner. Its short name is %(slug)s.")
                % {"name": org, "slug": org.slug},
            )
            return redirect("organizations:home", slug=org.slug)
    return render(request, "organizations/create.html", {"form": form})


@org_view(Permission.VIEW)
@require_http_methods(["GET"])
def organization_home(request: HttpRequest, access: Access) -> HttpResponse:
    org = access.organization
    members = list(queries.members(org)[:MEMBERS_ON_HOME])
    counts = queries.role_counts(org)
    return render(
        request,
        "organizations/home.html",
        {
            "access": access,
            "org": org,
            "members": members,
            "member_total": sum(n for _, n in counts),
            "role_counts": [(role, n) for role, n in counts if n],
            "my_permissions": [p for p in Permission if access.can(p)],
            "panels": panels_for(request, access),
        },
    )


@org_view(Permission.VIEW)
@require_http_methods(["GET"])
def member_list(request: HttpRequest, access: Access) -> HttpResponse:
    return _members_page(request, access, AddMemberForm())


@org_view(Permission.MANAGE_MEMBERS)
@require_POST
def member_add(request: HttpRequest, access: Access) -> HttpResponse:
    """Invite by e-mail: the same answer whether or not an account uses the address."""
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitations.invite(
                access,
                form.cleaned_data["email"],
                form.cleaned_data["role"],
                absolute=request.build_absolute_uri,
            )
        except InvitationLimit as exc:
            refuse(form, exc)
            return _members_page(request, access, form, status=429)
        except (InputRefused, ConflictError) as exc:
            refuse(form, exc)
        else:
            messages.success(
                request,
                _("An invitation to join as %(role)s is sent to %(email)s.")
                % {"email": invitation.email, "role": Role(invitation.role).label},
            )
            return redirect("organizations:members", slug=access.organization.slug)
    return _members_page(request, access, form, status=400)


@org_view(Permission.MANAGE_MEMBERS)
@require_POST
def invitation_revoke(request: HttpRequest, access: Access, invitation_id: int) -> HttpResponse:
    try:
        invitation = invitations.revoke(access, invitation_id)
    except Invitation.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The invitation of %(email)s is revoked; its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("organizations:members", slug=access.organization.slug)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page the invitation e-mail links to.

    It shows the organization only to an account whose verified e-mail is the invited
    address; anyone else learns no more than that the link is not for them.
    """
    if not request.user.is_authenticated:
        return render(
            request,
            "organizations/invitation_signin.html",
            {"next": request.get_full_path(), "signup_open": signup_open()},
        )
    try:
        invite_ = invitations.open_invitation(token)
    except invitations.InvitationClosed as exc:
        return _invitation_closed(request, exc.reason)
    if not invitations.matches(request.user, invite_):
        return render(request, "organizations/invitation_wrong_account.html", status=403)
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                membership = invitations.accept(request.user, token)
                forget_access(request, membership.organization.slug)
                messages.success(
                    request,
                    _("You are now a member of %(org)s (%(role)s).")
                    % {
                        "org": membership.organization.name,
                        "role": Role(membership.role).label,
                    },
                )
                return redirect("organizations:home", slug=membership.organization.slug)
            if answer == "decline":
                invitations.decline(request.user, token)
                messages.success(request, _("You declined the invitation."))
                return redirect("organizations:list")
        except invitations.InvitationClosed as exc:
            return _invitation_closed(request, exc.reason)
        except invitations.WrongAccount:
            return render(request, "organizations/invitation_wrong_account.html", status=403)
    return render(
        request,
        "organizations/invitation.html",
        {"invitation": invite_, "role_label": Role(invite_.role).label},
        status=400 if request.method == "POST" else 200,
    )


def _invitation_closed(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "organizations/invitation_closed.html", {"reason": reason}, status=410)


@org_view(Permission.MANAGE_MEMBERS)
@require_POST
def member_role(request: HttpRequest, access: Access, member_id: int) -> HttpResponse:
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles."))
        return redirect("organizations:members", slug=access.organization.slug)
    try:
        membership = services.change_role(access, member_id, form.cleaned_data["role"])
    except Membership.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        forget_access(request, access.organization.slug)
        messages.success(
            request,
            _("%(email)s is now %(role)s.")
            % {"email": membership.user.email, "role": Role(membership.role).label},
        )
    return redirect("organizations:members", slug=access.organization.slug)


@org_view(Permission.MANAGE_MEMBERS)
@require_POST
def member_remove(request: HttpRequest, access: Access, member_id: int) -> HttpResponse:
    try:
        membership = services.remove_member(access, member_id)
    except Membership.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    except ConflictError as exc:
        messages.error(request, str(exc))
        return redirect("organizations:members", slug=access.organization.slug)
    messages.success(
        request,
        _("%(email)s is no longer a member of %(org)s.")
        % {"email": membership.user.email, "org": access.organization.name},
    )
    if membership.user_id == request.user.pk:
        return redirect("organizations:list")
    return redirect("organizations:members", slug=access.organization.slug)


@org_view(Permission.EDIT_SETTINGS)
@require_http_methods(["GET", "POST"])
def organization_settings(request: HttpRequest, access: Access) -> HttpResponse:
    org = access.organization
    form = RenameForm(request.POST or None, initial={"name": org.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_organization(access, form.cleaned_data["name"])
        except InputRefused as exc:
            refuse(form, exc)
        else:
            messages.success(request, _("The organization is now called %(name)s.") % {"name": org})
            return redirect("organizations:settings", slug=org.slug)
    return render(
        request, "organizations/settings.html", {"access": access, "org": org, "form": form}
    )


def _members_page(
    request: HttpRequest, access: Access, form: AddMemberForm, status: int = 200
) -> HttpResponse:
    page = Paginator(queries.members(access.organization), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organizations/members.html",
        {
            "access": access,
            "org": access.organization,
            "page": page,
            "form": form,
            "can_manage": access.can(Permission.MANAGE_MEMBERS),
            "invitations": list(invitations.pending(access.organization))
            if access.can(Permission.MANAGE_MEMBERS)
            else [],
            "roles": ROLE_ORDER,
        },
        status=status,
    )
