"""The permission layer: the role matrix, the object-level rule, API tokens, and a
generated authorization grid over every organization and account route.

The grid is built from one table (ROUTES) and checked against the URL configuration
and the OpenAPI schema: a route of these apps missing from the table fails
``test_every_route_is_in_the_grid``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from csfpilot.webapp.accounts.models import ApiToken
from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.config.api import api
from csfpilot.webapp.organizations import creators
from csfpilot.webapp.organizations.models import Invitation, Membership, Organization
from csfpilot.webapp.organizations.permissions import (
    Actor,
    TokenScope,
    can_edit_outcome,
    require,
)
from csfpilot.webapp.organizations.roles import (
    ROLE_PERMISSIONS,
    Permission,
    Role,
    role_within,
)
from csfpilot.webapp.organizations.services import change_role

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]
P = Permission


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


# --- the matrix, written out -----------------------------------------------------------------


def test_role_permission_matrix():
    table = {role.value: sorted(p.value for p in perms) for role, perms in ROLE_PERMISSIONS.items()}
    assert table == {
        "owner": sorted(p.value for p in Permission),
        "assessor": [
            "data.export",
            "evidence.add",
            "evidence.review",
            "org.view",
            "outcomes.edit_assigned",
            "profiles.edit",
        ],
        "contributor": ["evidence.add", "org.view", "outcomes.edit_assigned"],
        "viewer": ["org.view"],
        "auditor": ["audit.view", "data.export", "org.view"],
    }


@pytest.mark.parametrize(
    ("holder", "allowed"),
    [
        ("owner", {"owner", "assessor", "contributor", "viewer", "auditor"}),
        ("assessor", {"assessor", "contributor", "viewer"}),
        ("auditor", {"auditor", "viewer"}),
        ("contributor", {"contributor", "viewer"}),
        ("viewer", {"viewer"}),
    ],
)
def test_which_roles_a_member_may_give_a_token(holder, allowed):
    assert {r for r in ROLES if role_within(r, holder)} == allowed


# --- a small world: two organizations, one member per role ----------------------------------


@dataclass
class World:
    org: Organization
    other: Organization
    users: dict[str, object]
    target: Membership  # a viewer in org, acted upon by member routes
    other_target: Membership
    newbie: object  # an account in no organization, to be added
    tokens: dict[str, ApiToken] = field(default_factory=dict)
    invitations: dict[str, Invitation] = field(default_factory=dict)  # "own" / "other"


def make_user(email: str):
    return get_user_model().objects.create_user(
        username=email.split("@")[0] + "-" + email.split("@")[1].split(".")[0],
        email=email,
        password="not used in these tests",
    )


@pytest.fixture
def world() -> World:
    org = Organization.objects.create(name="Acme Corp", slug="acme")
    other = Organization.objects.create(name="Globex", slug="globex")
    users = {}
    for role in ROLES:
        users[role] = make_user(f"{role}@acme.test")
        Membership.objects.create(user=users[role], organization=org, role=role)
    target_user = make_user("target@acme.test")
    target = Membership.objects.create(user=target_user, organization=org, role="viewer")
    other_owner = make_user("owner@globex.test")
    Membership.objects.create(user=other_owner, organization=other, role="owner")
    other_target = Membership.objects.create(
        user=make_user("target@globex.test"), organization=other, role="viewer"
    )
    w = World(org, other, users, target, other_target, make_user("newbie@example.test"))
    creators.allow(users["owner"])
    # Every user has a token of their own (to revoke); the outsider's is the "other" object.
    for role, user in users.items():
        w.tokens[role] = issue_token(user, "acme", role, f"{role} token")[0]
    w.tokens["outsider"] = issue_token(other_owner, "globex", "owner", "globex token")[0]
    for scope, o in (("own", org), ("other", other)):
        w.invitations[scope] = Invitation.objects.create(
            organization=o,
            email=f"invited@{o.slug}.test",
            role="viewer",
            token_hash=f"{scope:0>64}",
            expires=timezone.now() + timedelta(days=1),
        )
    return w


# --- the generated grid -----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One route and what it needs.

    ``permission`` None: any signed-in person (account-level). ``scoped``: the route
    names an organization (or a token) that the "other" case replaces with someone else's.
    """

    kind: str  # "view" or "api"
    name: str  # URL name, or "METHOD /api/path"
    method: str
    path: str  # with {org}, {member}, {token}, {invitation} placeholders
    permission: Permission | None
    ok: int
    data: dict | None = None
    scoped: bool = True
    session_only: bool = False  # API: refused (403) to API tokens
    anonymous: int | None = None  # what an anonymous caller gets, if not the rule's
    creator: bool = False  # only accounts allowed to create organizations (the owner here)


ROUTES = [
    Route("view", "organizations:list", "GET", "/orgs/", None, 200, scoped=False),
    Route(
        "view", "organizations:create", "GET", "/orgs/new/", None, 200, scoped=False, creator=True
    ),
    Route(
        "view",
        "organizations:create",
        "POST",
        "/orgs/new/",
        None,
        302,
        {"name": "Initech"},
        scoped=False,
        creator=True,
    ),
    Route("view", "organizations:home", "GET", "/orgs/{org}/", P.VIEW, 200),
    Route("view", "organizations:members", "GET", "/orgs/{org}/members/", P.VIEW, 200),
    Route(
        "view",
        "organizations:member_add",
        "POST",
        "/orgs/{org}/members/add/",
        P.MANAGE_MEMBERS,
        302,
        {"email": "newbie@example.test", "role": "viewer"},
    ),
    Route(
        "view",
        "organizations:member_role",
        "POST",
        "/orgs/{org}/members/{member}/role/",
        P.MANAGE_MEMBERS,
        302,
        {"role": "assessor"},
    ),
    Route(
        "view",
        "organizations:member_remove",
        "POST",
        "/orgs/{org}/members/{member}/remove/",
        P.MANAGE_MEMBERS,
        302,
    ),
    Route(
        "view",
        "organizations:invitation_revoke",
        "POST",
        "/orgs/{org}/invitations/{invitation}/revoke/",
        P.MANAGE_MEMBERS,
        302,
    ),
    # The invitation link: signed out, a page asking to sign in (naming nothing); signed
    # in, a link that is no invitation is refused the same way for everyone.
    Route(
        "view",
        "organizations:invitation",
        "GET",
        "/invitations/" + "z" * 43 + "/",
        None,
        410,
        scoped=False,
        anonymous=200,
    ),
    Route("view", "organizations:settings", "GET", "/orgs/{org}/settings/", P.EDIT_SETTINGS, 200),
    Route(
        "view",
        "organizations:settings",
        "POST",
        "/orgs/{org}/settings/",
        P.EDIT_SETTINGS,
        302,
        {"name": "Acme Renamed"},
    ),
    Route("view", "accounts:tokens", "GET", "/accounts/tokens/", None, 200, scoped=False),
    Route(
        "view",
        "accounts:tokens",
        "POST",
        "/accounts/tokens/",
        None,
        200,
        {"name": "ci", "organization": "acme", "role": "viewer", "days": "30"},
        scoped=False,
    ),
    Route(
        "view",
        "accounts:token_revoke",
        "POST",
        "/accounts/tokens/{token}/revoke/",
        None,
        302,
    ),
    Route("api", "GET /organizations", "GET", "/api/organizations", None, 200, scoped=False),
    Route(
        "api",
        "POST /organizations",
        "POST",
        "/api/organizations",
        None,
        201,
        {"name": "Initech"},
        creator=True,
        scoped=False,
        session_only=True,
    ),
    Route("api", "GET /organizations/{slug}", "GET", "/api/organizations/{org}", P.VIEW, 200),
    Route(
        "api",
        "PATCH /organizations/{slug}",
        "PATCH",
        "/api/organizations/{org}",
        P.EDIT_SETTINGS,
        200,
        {"name": "Acme Renamed"},
    ),
    Route(
        "api",
        "GET /organizations/{slug}/members",
        "GET",
        "/api/organizations/{org}/members",
        P.VIEW,
        200,
    ),
    Route(
        "api",
        "POST /organizations/{slug}/members",
        "POST",
        "/api/organizations/{org}/members",
        P.MANAGE_MEMBERS,
        202,
        {"email": "newbie@example.test", "role": "viewer"},
    ),
    Route(
        "api",
        "GET /organizations/{slug}/invitations",
        "GET",
        "/api/organizations/{org}/invitations",
        P.MANAGE_MEMBERS,
        200,
    ),
    Route(
        "api",
        "DELETE /organizations/{slug}/invitations/{invitation_id}",
        "DELETE",
        "/api/organizations/{org}/invitations/{invitation}",
        P.MANAGE_MEMBERS,
        204,
    ),
    Route(
        "api",
        "PATCH /organizations/{slug}/members/{member_id}",
        "PATCH",
        "/api/organizations/{org}/members/{member}",
        P.MANAGE_MEMBERS,
        200,
        {"role": "assessor"},
    ),
    Route(
        "api",
        "DELETE /organizations/{slug}/members/{member_id}",
        "DELETE",
        "/api/organizations/{org}/members/{member}",
        P.MANAGE_MEMBERS,
        204,
    ),
    Route("api", "GET /tokens", "GET", "/api/tokens", None, 200, scoped=False, session_only=True),
    Route(
        "api",
        "POST /tokens",
        "POST",
        "/api/tokens",
        None,
        201,
        {"name": "ci", "organization": "acme", "role": "viewer", "days": 30},
        scoped=False,
        session_only=True,
    ),
    Route(
        "api",
        "POST /tokens/{token_id}/revoke",
        "POST",
        "/api/tokens/{token}/revoke",
        None,
        200,
        session_only=True,
    ),
]


def _cases():
    for route in ROUTES:
        scopes = ("own", "other") if route.scoped else ("own",)
        auths = ("session", "token") if route.kind == "api" else ("session",)
        yield pytest.param(
            route, "anonymous", "own", "none", id=f"{route.method} {route.path} anonymous"
        )
        for role in ROLES:
            for scope in scopes:
                for auth in auths:
                    yield pytest.param(
                        route,
                        role,
                        scope,
                        auth,
                        id=f"{route.method} {route.path} {role} {scope} {auth}",
                    )


def _expected(route: Route, role: str, scope: str, auth: str) -> int:
    if role == "anonymous":
        if route.anonymous is not None:
            return route.anonymous
        return 302 if route.kind == "view" else 401
    if auth == "token" and route.session_only:
        # A token never reaches account-level actions; "other" objects are never looked at.
        return 403
    if scope == "other":
        return 404
    if route.creator and role != "owner":
        return 403
    if route.permission is not None and route.permission not in ROLE_PERMISSIONS[Role(role)]:
        return 403
    return route.ok


def _url(route: Route, w: World, role: str, scope: str) -> str:
    own = scope == "own"
    return route.path.format(
        org=w.org.slug if own else w.other.slug,
        member=(w.target if own else w.other_target).pk,
        token=(w.tokens.get(role, w.tokens["owner"]) if own else w.tokens["outsider"]).pk,
        invitation=w.invitations[scope].pk,
    )


def _request(client: Client, route: Route, url: str, headers: dict | None = None):
    headers = headers or {}
    method = getattr(client, route.method.lower())
    if route.kind == "api":
        body = json.dumps(route.data) if route.data is not None else None
        if body is None:
            return method(url, headers=headers)
        return method(url, body, content_type="application/json", headers=headers)
    return method(url, route.data or {}, headers=headers)


@pytest.mark.parametrize(("route", "role", "scope", "auth"), list(_cases()))
def test_authorization_grid(client, world, route, role, scope, auth):
    headers = {}
    if auth == "session":
        client.force_login(world.users[role])
    elif auth == "token":
        _, secret = issue_token(world.users[role], "acme", role, "grid")
        headers["Authorization"] = f"Bearer {secret}"
    url = _url(route, world, role, scope)
    response = _request(client, route, url, headers)
    expected = _expected(route, role, scope, auth)
    assert response.status_code == expected, response.content.decode()[:500]
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")
    if route.kind == "api" and expected in (401, 403, 404):
        assert response["Content-Type"] == "application/problem+json"


def test_every_route_is_in_the_grid():
    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace in ("organizations", "accounts"):
                yield f"{namespace}:{p.name}"

    routed = set(walk(get_resolver().url_patterns))
    assert routed == {r.name for r in ROUTES if r.kind == "view"}

    schema = api.get_openapi_schema()
    operations = {
        f"{method.upper()} {path.removeprefix('/api')}"
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if set(op.get("tags", ())) & {"organizations", "tokens"}
    }
    assert operations == {r.name for r in ROUTES if r.kind == "api"}


# --- object-level rule for contributors ------------------------------------------------------


def test_contributors_edit_only_the_outcomes_assigned_to_them(world):
    contributor = require(world.users["contributor"], "acme", P.VIEW)
    me, someone = world.users["contributor"].pk, world.users["viewer"].pk
    assert can_edit_outcome(contributor, me) is True
    assert can_edit_outcome(contributor, someone) is False
    assert can_edit_outcome(contributor, None) is False
    assessor = require(world.users["assessor"], "acme", P.VIEW)
    assert can_edit_outcome(assessor, someone) is True
    assert can_edit_outcome(assessor, None) is True
    for role in ("viewer", "auditor"):
        access = require(world.users[role], "acme", P.VIEW)
        assert can_edit_outcome(access, world.users[role].pk) is False


def test_a_viewer_token_of_an_assessor_cannot_edit(world):
    user = world.users["assessor"]
    token = issue_token(user, "acme", "viewer", "read-only")[0]
    access = require(Actor(user, TokenScope(token.pk, world.org.pk, Role.VIEWER)), "acme", P.VIEW)
    assert access.via_token
    assert access.permissions == {P.VIEW}
    assert can_edit_outcome(access, user.pk) is False


def test_require_answers_the_same_for_unknown_and_foreign_organizations(world):
    from csfpilot.webapp.organizations.permissions import OrganizationNotFound

    user = world.users["owner"]
    with pytest.raises(OrganizationNotFound) as foreign:
        require(user, "globex", P.VIEW)
    with pytest.raises(OrganizationNotFound) as unknown:
        require(user, "no-such-org", P.VIEW)
    assert type(foreign.value) is type(unknown.value)


def test_an_inactive_account_reaches_nothing(world):
    user = world.users["owner"]
    user.is_active = False
    user.save()
    from csfpilot.webapp.organizations.permissions import OrganizationNotFound

    with pytest.raises(OrganizationNotFound):
        require(user, "acme", P.VIEW)


def test_one_query_per_permission_check(world, django_assert_num_queries):
    # Outside a request: the identity generation and the membership the first time; then
    # the generation alone, the membership coming from the identity cache.
    with django_assert_num_queries(2):
        require(world.users["viewer"], "acme", P.VIEW)
    with django_assert_num_queries(1):
        require(world.users["viewer"], "acme", P.VIEW)


# --- API tokens -------------------------------------------------------------------------------


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_tokens_are_stored_hashed_and_shown_once(client, world):
    client.force_login(world.users["assessor"])
    response = client.post(
        "/api/tokens",
        {"name": "export job", "organization": "acme", "role": "assessor", "days": 30},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    secret = body["token"]
    assert secret.startswith("csfp_") and len(secret) == 48
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert body["prefix"] == secret[:11] == stored.prefix
    # The secret is in no column of the table.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        rows = cursor.fetchall()
    assert not any(secret in str(v) for row in rows for v in row)
    # Never shown again: not in the list, not on the page.
    listed = client.get("/api/tokens").json()
    assert {t["id"] for t in listed} >= {body["id"]}
    assert all("token" not in t for t in listed)
    assert secret not in client.get("/accounts/tokens/").content.decode()
    # And it works.
    me = client.__class__().get("/api/organizations/acme", headers=bearer(secret))
    assert me.status_code == 200
    assert me.json()["permissions"] == [
        "data.export",
        "evidence.add",
        "evidence.review",
        "org.view",
        "outcomes.edit_assigned",
        "profiles.edit",
    ]


def test_the_token_page_shows_the_secret_once(client, world):
    client.force_login(world.users["viewer"])
    response = client.post(
        "/accounts/tokens/",
        {"name": "laptop script", "organization": "acme", "role": "viewer", "days": "7"},
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    html = response.content.decode()
    assert f'value="{secret}"' in html
    assert "shown only this once" in html
    assert response["Cache-Control"].startswith("max-age=0")
    again = client.get("/accounts/tokens/").content.decode()
    assert secret not in again
    assert secret[:11] + "…" in again


@pytest.mark.parametrize(
    ("holder", "asked"),
    [
        ("viewer", "owner"),
        ("viewer", "auditor"),
        ("assessor", "auditor"),
        ("auditor", "assessor"),
        ("contributor", "assessor"),
        ("assessor", "owner"),
    ],
)
def test_a_token_cannot_exceed_its_owners_role(client, world, holder, asked):
    client.force_login(world.users[holder])
    response = client.post(
        "/api/tokens",
        {"name": "too much", "organization": "acme", "role": asked, "days": 30},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "would allow more than your own role" in response.json()["detail"]
    page = client.post(
        "/accounts/tokens/",
        {"name": "too much", "organization": "acme", "role": asked, "days": "30"},
    )
    assert page.status_code == 400
    assert "would allow more than your own role" in page.content.decode()
    assert not ApiToken.objects.filter(name="too much").exists()


def test_no_token_for_an_organization_one_is_not_in(client, world):
    client.force_login(world.users["owner"])
    response = client.post(
        "/api/tokens",
        {"name": "x", "organization": "globex", "role": "viewer", "days": 30},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_expired_and_revoked_tokens_are_refused(client, world):
    user = world.users["owner"]
    token, secret = issue_token(user, "acme", "owner", "short-lived", days=1)
    assert client.get("/api/organizations/acme", headers=bearer(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/organizations/acme", headers=bearer(secret)).status_code == 401

    token, secret = issue_token(user, "acme", "owner", "to revoke")
    assert client.get("/api/organizations/acme", headers=bearer(secret)).status_code == 200
    client.force_login(user)
    assert client.post(f"/api/tokens/{token.pk}/revoke").json()["state"] == "revoked"
    client.logout()
    assert client.get("/api/organizations/acme", headers=bearer(secret)).status_code == 401


@pytest.mark.parametrize("param", ["token", "access_token", "api_key", "bearer", "Authorization"])
def test_a_token_in_the_query_string_is_never_accepted(client, world, param):
    _, secret = issue_token(world.users["owner"], "acme", "owner", "leaky")
    response = client.get(f"/api/organizations/acme?{param}={secret}")
    assert response.status_code == 401
    response = client.get(f"/api/organizations?{param}=Bearer%20{secret}")
    assert response.status_code == 401


def test_a_malformed_or_unknown_token_is_refused(client, world):
    for value in ["Bearer", "Bearer csfp_short", "Bearer " + "csfp_" + "A" * 43, "Token abc"]:
        assert client.get("/api/organizations", headers={"Authorization": value}).status_code == 401


def test_a_token_works_only_in_its_organization(client, world):
    owner = world.users["owner"]
    Membership.objects.create(user=owner, organization=world.other, role="owner")
    _, secret = issue_token(owner, "acme", "owner", "acme only")
    assert client.get("/api/organizations/acme", headers=bearer(secret)).status_code == 200
    assert client.get("/api/organizations/globex", headers=bearer(secret)).status_code == 404
    listed = client.get("/api/organizations", headers=bearer(secret)).json()
    assert [o["slug"] for o in listed] == ["acme"]


def test_a_demoted_members_tokens_lose_the_rights_at_once(client, world):
    user = world.users["assessor"]
    _, secret = issue_token(user, "acme", "assessor", "editor")
    before = client.get("/api/organizations/acme", headers=bearer(secret)).json()
    assert "profiles.edit" in before["permissions"]
    change_role(
        require(world.users["owner"], "acme", P.MANAGE_MEMBERS),
        Membership.objects.get(user=user).pk,
        "viewer",
    )
    after = client.get("/api/organizations/acme", headers=bearer(secret)).json()
    assert after["permissions"] == ["org.view"]


def test_leaving_an_organization_revokes_ones_tokens(client, world):
    viewer = world.users["viewer"]
    token = world.tokens["viewer"]
    owner_client = Client()
    owner_client.force_login(world.users["owner"])
    membership = Membership.objects.get(user=viewer, organization=world.org)
    assert (
        owner_client.delete(f"/api/organizations/acme/members/{membership.pk}").status_code == 204
    )
    token.refresh_from_db()
    assert token.state() == "revoked"


def test_a_token_never_reaches_account_actions(client, world):
    _, secret = issue_token(world.users["owner"], "acme", "owner", "ci")
    response = client.post(
        "/api/tokens",
        {"name": "more", "organization": "acme", "role": "owner", "days": 366},
        content_type="application/json",
        headers=bearer(secret),
    )
    assert response.status_code == 403
    assert "API tokens cannot do this" in response.json()["detail"]


def test_browser_session_writes_need_the_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["owner"])
    payload = json.dumps({"name": "Acme Renamed"})
    response = browser.patch("/api/organizations/acme", payload, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    browser.get("/orgs/acme/")  # the page sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    response = browser.patch(
        "/api/organizations/acme",
        payload,
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Acme Renamed"
    # Token calls carry no cookie and need no CSRF token.
    _, secret = issue_token(world.users["owner"], "acme", "owner", "ci")
    script = Client(enforce_csrf_checks=True)
    response = script.patch(
        "/api/organizations/acme",
        json.dumps({"name": "Acme"}),
        content_type="application/json",
        headers=bearer(secret),
    )
    assert response.status_code == 200


def test_last_used_is_recorded(client, world):
    token, secret = issue_token(world.users["viewer"], "acme", "viewer", "probe")
    assert token.last_used is None
    client.get("/api/organizations", headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used is not None
