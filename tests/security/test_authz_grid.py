"""The authorization grid: every endpoint × every role × own organization / other
organization / another organization's object ids / anonymous → the expected status.

The endpoints are read from the URL configuration (``get_resolver().url_patterns``,
walked recursively) and the OpenAPI schema; the expectations come from one
declarative table (ENDPOINTS) with a rule per kind of endpoint:

- public pages and the catalog API answer everyone alike;
- account pages need a signed-in person (anonymous: 302 to sign-in, or 401 in the API)
  and answer 404 for someone else's object (a token, a security key);
- organization endpoints need a permission of the member's role: 404 for an
  organization one is not in (the same answer as for one that does not exist),
  403 for a role without the permission, 404 for another organization's object
  named under one's own organization;
- the instance operator's pages (restoring a backup) need a superuser account:
  403 for everyone else, whatever their roles.

API endpoints are called with the session and, separately, with an API token of
each role (account-level endpoints refuse tokens with 403). An API token sent to an
HTML page signs nobody in. A route of the URL configuration or an API operation
missing from the table fails ``test_every_endpoint_has_an_entry``.

tests/webapp/test_permissions.py, tests/api/test_profiles_api.py and
tests/webapp/test_profile_pages.py hold the finer, per-area checks (response
bodies, token scoping, object rules); this grid is the one that covers everything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.config.api import api
from csfpilot.webapp.organizations import creators, invitations
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.roles import ROLE_PERMISSIONS, Permission, Role
from csfpilot.webapp.profiles import services
from tests.webapp.crosswalk_review.world import load_supplier_framework, project_with_proposals
from tests.webapp.profiles_world import ROLES, World, build_world, make_user

P = Permission
PUBLIC = "public"  # anyone, signed in or not
ACCOUNT = "account"  # any signed-in person; no organization involved
ASSIGNED = "assigned"  # editing GV.OC-01, which is assigned to the contributor
OPERATOR = "operator"  # the instance's operator (a superuser); no organization involved
# A sector's steward (named by the operator) or the operator: in the grid, the steward of
# "energy", where acme asked to take part. Organization roles give no stewardship (403).
STEWARD = "steward"
# Creating an organization: accounts the operator allows (CSFPILOT_ORG_CREATORS=operator);
# in the world, acme's owner is allowed and the other roles' accounts are not.
CREATOR = "creator"

PROFILE_FILE = b"""format_version: 1
framework: csf-2.0
name: Uploaded
scale: status
outcomes:
  GV.OC-01: {current: partially, target: fully, priority: high}
"""
COMMUNITY_FILE = (
    PROFILE_FILE.replace(b"name: Uploaded", b"name: Sector upload").replace(
        b"current: partially, ", b""
    )
    + b"kind: community\n"
)

# An evidence file: a PDF, as its content says (the sniffer never reads the name).
EVIDENCE_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
# A scanner's results (SARIF): one failing check whose CWE the rule table maps.
SCAN_FILE = json.dumps(
    {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "Bandit",
                        "version": "1.9.4",
                        "rules": [{"id": "B602", "properties": {"tags": ["CWE-78"]}}],
                    }
                },
                "results": [{"ruleId": "B602", "level": "error", "message": {"text": "x"}}],
            }
        ],
    }
).encode()
# Evidence objects the URLs and bodies name: a file item the contributor added (linked,
# pending, to GV.OC-01, which is theirs), an attestation item, that link, an open request
# to the contributor and a submitted one.
EVIDENCE_OBJECTS = ("item", "note", "link", "request", "submitted", "scan")
# Supplier objects: a supplier, its open questionnaire, that questionnaire's guest link,
# a remediation request of the supplier, and a customer's questionnaire received as a package.
SUPPLIER_OBJECTS = ("supplier", "questionnaire", "guestlink", "remediation", "received")


@dataclass(frozen=True)
class Endpoint:
    """One row of the table.

    ``key`` names the route: ``"view:<url name>"`` for a page, ``"METHOD /path"`` (as in
    the OpenAPI schema) for the API, ``"route:<pattern>"`` for an unnamed route.
    ``url`` may hold {org} {profile} {community} {snapshot} {member} {invitation} {token}
    {key} {dataset} and the evidence objects' {item} {note} {link} {request} {submitted};
    string values of ``body`` may hold {profile}, {item} and {contributor} (a user id).
    ``ok`` is what a caller who may use it gets.
    """

    key: str
    url: str
    need: Permission | str
    ok: int | frozenset[int] = 200
    method: str = "GET"
    body: dict | None = None
    upload: bytes | None = None
    session_only: bool = False  # API: account-level, refused (403) to API tokens
    anonymous: int | None = None  # what an anonymous caller gets, if not the rule's
    foreign: int | frozenset[int] | None = None  # allowed role, another tenant's ids

    @property
    def is_api(self) -> bool:
        return not self.key.startswith(("view:", "route:"))

    @property
    def names_objects(self) -> bool:
        """The URL names objects inside the organization (so "foreign ids" applies)."""
        return any(
            f"{{{n}}}" in self.url
            for n in (
                "profile",
                "community",
                "snapshot",
                "member",
                "invitation",
                "project",
                "pair",
                *EVIDENCE_OBJECTS,
                *SUPPLIER_OBJECTS,
            )
        )

    @property
    def names_account_object(self) -> bool:
        return "{token}" in self.url or "{key_id}" in self.url


def ok(*codes: int) -> frozenset[int]:
    return frozenset(codes)


ORG = "/orgs/{org}"
PRO = ORG + "/profiles/{profile}"
EV = ORG + "/evidence"
EVIDENCE_FILE = b"date,event\n2026-01-01,backup ok\n"
EVIDENCE_FIELDS = {
    "title": "Backup log",
    "kind": "record",
    "source_kind": "tool",
    "confidentiality": "internal",
}
API = "/api/organizations/{org}"
# A key fingerprint no organization has (trusted by the POSTs, rolled back after each).
PACKAGE_FP = "ab12" * 10
# A remote member on the energy sector's key list, for the routes that take it off.
MEMBER_FP = "cd34" * 10
APIP = API + "/profiles/{profile}"
SUP = ORG + "/suppliers/{supplier}"
QUE = ORG + "/questionnaires/{questionnaire}"
GUEST = "/guest/q/" + "z" * 43
APIS = API + "/suppliers/{supplier}"
APIQ = API + "/questionnaires/{questionnaire}"
REC = ORG + "/received-questionnaires/{received}"
APIR = API + "/received-questionnaires/{received}"
FAR_DAY = "2099-01-01"

ENDPOINTS = [
    # -- public pages -----------------------------------------------------------------------
    Endpoint("view:site:home", "/", PUBLIC, ok(200, 302)),
    Endpoint("view:set_language", "/i18n/setlang/", PUBLIC, 302, "POST", {"language": "en"}),
    Endpoint("view:site:healthz", "/healthz", PUBLIC),
    Endpoint("view:site:readyz", "/readyz", PUBLIC),
    Endpoint("view:catalog:framework_list", "/frameworks/", PUBLIC),
    Endpoint("view:catalog:framework", "/frameworks/{key}/", PUBLIC),
    Endpoint("view:catalog:node", "/frameworks/{key}/GV.OC-01", PUBLIC),
    Endpoint("view:catalog:framework_download", "/frameworks/{key}/export/csv", PUBLIC),
    Endpoint("view:catalog:crosswalk_list", "/crosswalks/", PUBLIC),
    Endpoint("view:catalog:crosswalk", "/crosswalks/{dataset}/", PUBLIC),
    Endpoint("view:catalog:crosswalk_download", "/crosswalks/{dataset}/export/csv", PUBLIC),
    Endpoint("view:catalog:search", "/search?q=asset", PUBLIC),
    # -- sign-in and account pages (django-allauth) --------------------------------------------
    Endpoint("view:account_login", "/accounts/login/", PUBLIC, ok(200, 302)),
    Endpoint("view:account_logout", "/accounts/logout/", PUBLIC, ok(200, 302)),
    Endpoint("view:account_inactive", "/accounts/inactive/", PUBLIC),
    Endpoint("view:account_signup", "/accounts/signup/", PUBLIC, ok(200, 302)),
    Endpoint("view:account_reauthenticate", "/accounts/reauthenticate/", ACCOUNT),
    # django-allauth 65.22: re-authentication by a code sent by e-mail. Codes are off here,
    # so both pages send a signed-in person back to the password re-authentication.
    Endpoint(
        "view:account_request_reauthentication_code",
        "/accounts/reauthenticate/code/",
        ACCOUNT,
        302,
    ),
    Endpoint(
        "view:account_confirm_reauthentication_code",
        "/accounts/reauthenticate/code/confirm/",
        ACCOUNT,
        302,
    ),
    Endpoint("view:account_email", "/accounts/email/", ACCOUNT),
    Endpoint("view:account_email_verification_sent", "/accounts/confirm-email/", PUBLIC),
    Endpoint("view:account_change_password", "/accounts/password/change/", ACCOUNT),
    Endpoint("view:account_set_password", "/accounts/password/set/", ACCOUNT, 302),
    Endpoint("view:account_reset_password", "/accounts/password/reset/", PUBLIC, ok(200, 302)),
    Endpoint("view:account_confirm_login_code", "/accounts/login/code/confirm/", PUBLIC, ok(302)),
    Endpoint("view:account_confirm_email", "/accounts/confirm-email/no-such-key/", PUBLIC),
    Endpoint(
        "view:account_reset_password_from_key_done",
        "/accounts/password/reset/key/done/",
        PUBLIC,
    ),
    Endpoint(
        "view:account_reset_password_from_key",
        "/accounts/password/reset/key/1-not-a-key/",
        PUBLIC,
    ),
    Endpoint("view:account_reset_password_done", "/accounts/password/reset/done/", PUBLIC),
    Endpoint("view:mfa_index", "/accounts/2fa/", ACCOUNT),
    Endpoint("view:mfa_authenticate", "/accounts/2fa/authenticate/", PUBLIC, ok(302)),
    Endpoint("view:mfa_reauthenticate", "/accounts/2fa/reauthenticate/", ACCOUNT, ok(302)),
    Endpoint("view:mfa_activate_totp", "/accounts/2fa/totp/activate/", ACCOUNT, ok(200, 302)),
    # Without an authenticator there is nothing to deactivate or to show: not found.
    Endpoint("view:mfa_deactivate_totp", "/accounts/2fa/totp/deactivate/", ACCOUNT, 404),
    Endpoint("view:mfa_view_recovery_codes", "/accounts/2fa/recovery-codes/", ACCOUNT, 404),
    Endpoint(
        "view:mfa_generate_recovery_codes",
        "/accounts/2fa/recovery-codes/generate/",
        ACCOUNT,
        ok(302),
    ),
    Endpoint(
        "view:mfa_download_recovery_codes",
        "/accounts/2fa/recovery-codes/download/",
        ACCOUNT,
        404,
    ),
    Endpoint("view:mfa_list_webauthn", "/accounts/2fa/webauthn/", ACCOUNT, ok(200, 302)),
    Endpoint("view:mfa_add_webauthn", "/accounts/2fa/webauthn/add/", ACCOUNT, ok(200, 302)),
    Endpoint(
        "view:mfa_reauthenticate_webauthn",
        "/accounts/2fa/webauthn/reauthenticate/",
        ACCOUNT,
        ok(302),
    ),
    # A security key that is not the caller's: a fresh sign-in is asked for first (302),
    # the same answer as for one of their own, so nobody learns whether it exists.
    Endpoint(
        "view:mfa_remove_webauthn", "/accounts/2fa/webauthn/keys/999999/remove/", ACCOUNT, 302
    ),
    Endpoint("view:mfa_edit_webauthn", "/accounts/2fa/webauthn/keys/999999/edit/", ACCOUNT, 302),
    Endpoint("view:socialaccount_login_cancelled", "/accounts/3rdparty/login/cancelled/", PUBLIC),
    Endpoint("view:socialaccount_login_error", "/accounts/3rdparty/login/error/", PUBLIC, 401),
    Endpoint("view:socialaccount_signup", "/accounts/3rdparty/signup/", PUBLIC, ok(302)),
    Endpoint("view:socialaccount_connections", "/accounts/3rdparty/", ACCOUNT),
    Endpoint("route:social/login/cancelled/", "/accounts/social/login/cancelled/", PUBLIC, 301),
    Endpoint("route:social/login/error/", "/accounts/social/login/error/", PUBLIC, 301),
    Endpoint("route:social/signup/", "/accounts/social/signup/", PUBLIC, 301),
    Endpoint("route:social/connections/", "/accounts/social/connections/", PUBLIC, 301),
    # No single sign-on provider is configured in the tests: its login is not found.
    Endpoint("view:openid_connect_login", "/accounts/oidc/nowhere/login/", PUBLIC, 404),
    Endpoint("view:openid_connect_callback", "/accounts/oidc/nowhere/login/callback/", PUBLIC, 404),
    Endpoint("view:usersessions_list", "/accounts/sessions/", ACCOUNT),
    # -- csfpilot account pages ------------------------------------------------------------------
    Endpoint("view:accounts:tokens", "/accounts/tokens/", ACCOUNT),
    Endpoint(
        "view:accounts:tokens",
        "/accounts/tokens/",
        ACCOUNT,
        200,
        "POST",
        {"name": "ci", "organization": "acme", "role": "viewer", "days": "30"},
    ),
    Endpoint(
        "view:accounts:token_revoke", "/accounts/tokens/{token}/revoke/", ACCOUNT, 302, "POST"
    ),
    Endpoint("view:organizations:list", "/orgs/", ACCOUNT),
    Endpoint("view:organizations:create", "/orgs/new/", CREATOR),
    Endpoint("view:organizations:create", "/orgs/new/", CREATOR, 302, "POST", {"name": "Initech"}),
    Endpoint("view:profiles:mine", "/profiles/", ACCOUNT, 302),
    # -- organization pages ----------------------------------------------------------------------
    Endpoint("view:organizations:home", ORG + "/", P.VIEW),
    Endpoint("view:organizations:members", ORG + "/members/", P.VIEW),
    Endpoint(
        "view:organizations:member_add",
        ORG + "/members/add/",
        P.MANAGE_MEMBERS,
        302,
        "POST",
        {"email": "newbie@example.test", "role": "viewer"},
    ),
    Endpoint(
        "view:organizations:member_role",
        ORG + "/members/{member}/role/",
        P.MANAGE_MEMBERS,
        302,
        "POST",
        {"role": "assessor"},
    ),
    Endpoint(
        "view:organizations:member_remove",
        ORG + "/members/{member}/remove/",
        P.MANAGE_MEMBERS,
        302,
        "POST",
    ),
    Endpoint(
        "view:organizations:invitation_revoke",
        ORG + "/invitations/{invitation}/revoke/",
        P.MANAGE_MEMBERS,
        302,
        "POST",
    ),
    # The link of an invitation e-mail: signed out, a page asking to sign in that names
    # nothing; signed in, a link that holds no invitation is refused alike for everyone.
    Endpoint(
        "view:organizations:invitation",
        "/invitations/" + "z" * 43 + "/",
        ACCOUNT,
        410,
        anonymous=200,
    ),
    Endpoint("view:organizations:settings", ORG + "/settings/", P.EDIT_SETTINGS),
    Endpoint(
        "view:organizations:settings",
        ORG + "/settings/",
        P.EDIT_SETTINGS,
        302,
        "POST",
        {"name": "Acme Renamed"},
    ),
    # -- profile pages ---------------------------------------------------------------------------
    Endpoint("view:profiles:list", ORG + "/profiles/", P.VIEW),
    Endpoint("view:profiles:create", ORG + "/profiles/new/", P.EDIT_PROFILES),
    Endpoint(
        "view:profiles:create",
        ORG + "/profiles/new/",
        P.EDIT_PROFILES,
        302,
        "POST",
        {
            "name": "Grid",
            "kind": "organizational",
            "scope_type": "organization",
            "framework": "csf-2.0",
            "scale": "status",
        },
    ),
    Endpoint("view:profiles:import", ORG + "/profiles/import/", P.EDIT_PROFILES),
    Endpoint(
        "view:profiles:import",
        ORG + "/profiles/import/",
        P.EDIT_PROFILES,
        302,
        "POST",
        upload=PROFILE_FILE,
    ),
    Endpoint("view:profiles:overview", PRO + "/", P.VIEW),
    Endpoint("view:profiles:export", PRO + "/export/", P.EXPORT),
    Endpoint("view:profiles:settings", PRO + "/settings/", P.EDIT_PROFILES),
    Endpoint("view:profiles:delete", PRO + "/delete/", P.EDIT_PROFILES, ok(200, 302, 400), "POST"),
    Endpoint("view:profiles:assess", PRO + "/assess/", P.VIEW),
    Endpoint(
        "view:profiles:assess_save",
        PRO + "/assess/GV.OC-01/",
        ASSIGNED,
        ok(200, 302),
        "POST",
        {"version": "2", "current": "largely"},
    ),
    # Asked for with GET (a reload after a save without JavaScript): back to the questionnaire.
    Endpoint("view:profiles:assess_save", PRO + "/assess/GV.OC-01/", P.VIEW, 302),
    Endpoint("view:profiles:dashboard", PRO + "/dashboard/", P.VIEW),
    Endpoint("view:profiles:outcome", PRO + "/outcomes/GV.OC-01/", P.VIEW),
    Endpoint("view:profiles:tiers", PRO + "/tiers/", P.VIEW),
    Endpoint("view:profiles:plan", PRO + "/plan/", P.VIEW),
    Endpoint("view:profiles:plan_generate", PRO + "/plan/generate/", P.EDIT_PROFILES, 302, "POST"),
    Endpoint(
        "view:profiles:action_add",
        PRO + "/plan/add/",
        P.EDIT_PROFILES,
        ok(200, 302),
        "POST",
        {"title": "Segment the network", "outcomes": "PR.IR-01"},
    ),
    Endpoint("view:profiles:action_row", PRO + "/plan/A-001/", P.VIEW),
    Endpoint("view:profiles:action_edit", PRO + "/plan/A-001/edit/", P.EDIT_PROFILES),
    Endpoint(
        "view:profiles:action_delete",
        PRO + "/plan/A-001/delete/",
        P.EDIT_PROFILES,
        ok(200, 302),
        "POST",
        {"version": "1"},
    ),
    Endpoint("view:profiles:history", PRO + "/history/", P.VIEW),
    Endpoint("view:profiles:compare", PRO + "/compare/", P.VIEW),
    Endpoint("view:profiles:snapshot_export", PRO + "/snapshots/{snapshot}/export/", P.EXPORT),
    Endpoint("view:profiles:derive", PRO + "/derive/", P.EDIT_PROFILES),
    # Transfer to another framework: the page reads (preview); writing needs the edit right.
    Endpoint("view:transfers:transfer", PRO + "/transfer/?to=sp800-53r5", P.VIEW),
    # Moving to a newer release: the page, and a release that is not newer (400).
    Endpoint("view:profiles:move_release", PRO + "/move-release/", P.EDIT_PROFILES),
    Endpoint(
        "view:profiles:move_release",
        PRO + "/move-release/",
        P.EDIT_PROFILES,
        400,
        "POST",
        {"to": "csf-1.1", "version": "1"},
    ),
    Endpoint("view:profiles:exchange_new", ORG + "/profiles/import-exchange/", P.EDIT_PROFILES),
    Endpoint("view:profiles:exchange_export", PRO + "/exchange/xlsx/", P.EXPORT),
    Endpoint("view:profiles:exchange_import", PRO + "/exchange/import/", P.EDIT_PROFILES),
    # The spreadsheet wizards: a YAML file is not a workbook (400); a CSF 1.1 migration
    # holds a profile file for its preview (302 back to the wizard).
    Endpoint("view:intake:community", ORG + "/profiles/community-workbook/", P.EDIT_PROFILES),
    Endpoint(
        "view:intake:community",
        ORG + "/profiles/community-workbook/",
        P.EDIT_PROFILES,
        400,
        "POST",
        {"action": "upload"},
        upload=PROFILE_FILE,
    ),
    Endpoint("view:intake:csf11", ORG + "/profiles/csf11-migration/", P.EDIT_PROFILES),
    Endpoint(
        "view:intake:csf11",
        ORG + "/profiles/csf11-migration/",
        P.EDIT_PROFILES,
        302,
        "POST",
        {"action": "upload"},
        upload=PROFILE_FILE,
    ),
    Endpoint("view:reports:page", PRO + "/reports/", P.VIEW),
    Endpoint("view:reports:download", PRO + "/reports/brief.html", P.EXPORT),
    # -- the audit trail -------------------------------------------------------------------------
    Endpoint("view:audit:events", ORG + "/audit/", P.VIEW_AUDIT_TRAIL),
    Endpoint("view:audit:export_csv", ORG + "/audit/audit-trail.csv", P.VIEW_AUDIT_TRAIL),
    Endpoint("view:audit:export_json", ORG + "/audit/audit-trail.json", P.VIEW_AUDIT_TRAIL),
    Endpoint("GET /organizations/{slug}/audit/events", API + "/audit/events", P.VIEW_AUDIT_TRAIL),
    Endpoint("GET /organizations/{slug}/audit/verify", API + "/audit/verify", P.VIEW_AUDIT_TRAIL),
    # The organization's backup, from its settings page (POST: taking one is recorded).
    Endpoint("view:backup:download", ORG + "/settings/backup/", P.EDIT_SETTINGS, 200, "POST"),
    # The operator restores a backup: upload and check (a file that is no archive: 400),
    # then confirm (a token of no upload: 400).
    Endpoint("view:backup:restore", "/instance/restore/", OPERATOR),
    Endpoint("view:backup:restore", "/instance/restore/", OPERATOR, 400, "POST", upload=b"x"),
    Endpoint(
        "view:backup:restore_confirm",
        "/instance/restore/confirm/",
        OPERATOR,
        400,
        "POST",
        {"token": "0" * 32, "sha256": "0" * 64, "name": "b.zip", "confirm": "on"},
    ),
    # The operator imports a framework or crosswalk (a file of no known format: 400).
    Endpoint("view:catalog:framework_import", "/instance/frameworks/import/", OPERATOR),
    Endpoint(
        "view:catalog:framework_import",
        "/instance/frameworks/import/",
        OPERATOR,
        400,
        "POST",
        {"action": "check"},
        upload=b"x",
    ),
    # -- the API: the operator imports a framework or crosswalk (a file of no known format: 400,
    # checked before anything is stored) ------------------------------------------------------
    Endpoint(
        "POST /instance/frameworks/import",
        "/api/instance/frameworks/import",
        OPERATOR,
        400,
        "POST",
        {"apply": "true"},
        upload=b"x",
    ),
    Endpoint(
        "POST /instance/crosswalks/import",
        "/api/instance/crosswalks/import",
        OPERATOR,
        400,
        "POST",
        {"apply": "true"},
        upload=b"x",
    ),
    # -- the API: documentation and catalog (public) ----------------------------------------------
    Endpoint("route:api/openapi.json", "/api/openapi.json", PUBLIC),
    Endpoint("route:api/docs", "/api/docs", PUBLIC),
    # Anything else under /api/ answers a JSON 404, signed in or not.
    Endpoint("route:^api/", "/api/no-such-endpoint", PUBLIC, 404),
    Endpoint("GET /frameworks", "/api/frameworks", PUBLIC),
    Endpoint("GET /frameworks/{key}", "/api/frameworks/{key}", PUBLIC),
    Endpoint("GET /frameworks/{key}/nodes", "/api/frameworks/{key}/nodes", PUBLIC),
    Endpoint("GET /frameworks/{key}/nodes/{code}", "/api/frameworks/{key}/nodes/GV.OC-01", PUBLIC),
    Endpoint(
        "GET /frameworks/{key}/nodes/{code}/crosswalk",
        "/api/frameworks/{key}/nodes/GV.OC-01/crosswalk",
        PUBLIC,
    ),
    Endpoint("GET /search", "/api/search?q=asset", PUBLIC),
    Endpoint("GET /datasets", "/api/datasets", PUBLIC),
    Endpoint("GET /datasets/{key}/mappings", "/api/datasets/{dataset}/mappings", PUBLIC),
    # -- the API: organizations, members, tokens ------------------------------------------------
    Endpoint("GET /organizations", "/api/organizations", ACCOUNT),
    Endpoint(
        "POST /organizations",
        "/api/organizations",
        CREATOR,
        201,
        "POST",
        {"name": "Initech"},
        session_only=True,
    ),
    Endpoint("GET /organizations/{slug}", API, P.VIEW),
    Endpoint(
        "PATCH /organizations/{slug}",
        API,
        P.EDIT_SETTINGS,
        200,
        "PATCH",
        {"name": "Acme Renamed"},
    ),
    Endpoint("GET /organizations/{slug}/members", API + "/members", P.VIEW),
    Endpoint(
        "POST /organizations/{slug}/members",
        API + "/members",
        P.MANAGE_MEMBERS,
        202,
        "POST",
        {"email": "newbie@example.test", "role": "viewer"},
    ),
    Endpoint("GET /organizations/{slug}/invitations", API + "/invitations", P.MANAGE_MEMBERS),
    Endpoint(
        "DELETE /organizations/{slug}/invitations/{invitation_id}",
        API + "/invitations/{invitation}",
        P.MANAGE_MEMBERS,
        204,
        "DELETE",
    ),
    Endpoint(
        "PATCH /organizations/{slug}/members/{member_id}",
        API + "/members/{member}",
        P.MANAGE_MEMBERS,
        200,
        "PATCH",
        {"role": "assessor"},
    ),
    Endpoint(
        "DELETE /organizations/{slug}/members/{member_id}",
        API + "/members/{member}",
        P.MANAGE_MEMBERS,
        204,
        "DELETE",
    ),
    Endpoint("GET /tokens", "/api/tokens", ACCOUNT, session_only=True),
    Endpoint(
        "POST /tokens",
        "/api/tokens",
        ACCOUNT,
        201,
        "POST",
        {"name": "ci", "organization": "acme", "role": "viewer", "days": 30},
        session_only=True,
    ),
    Endpoint(
        "POST /tokens/{token_id}/revoke",
        "/api/tokens/{token}/revoke",
        ACCOUNT,
        200,
        "POST",
        session_only=True,
    ),
    # -- the API: profiles ----------------------------------------------------------------------
    Endpoint("GET /organizations/{slug}/profiles", API + "/profiles", P.VIEW),
    Endpoint(
        "POST /organizations/{slug}/profiles",
        API + "/profiles",
        P.EDIT_PROFILES,
        201,
        "POST",
        {"name": "New"},
    ),
    Endpoint("GET /organizations/{slug}/profiles/{profile_id}", APIP, P.VIEW),
    Endpoint(
        "PATCH /organizations/{slug}/profiles/{profile_id}",
        APIP,
        P.EDIT_PROFILES,
        200,
        "PATCH",
        {"version": 1, "description": "All sites"},
    ),
    Endpoint(
        "DELETE /organizations/{slug}/profiles/{profile_id}", APIP, P.EDIT_PROFILES, 204, "DELETE"
    ),
    Endpoint("GET /organizations/{slug}/profiles/{profile_id}/tiers", APIP + "/tiers", P.VIEW),
    Endpoint(
        "PUT /organizations/{slug}/profiles/{profile_id}/tiers",
        APIP + "/tiers",
        P.EDIT_PROFILES,
        200,
        "PUT",
        {"version": 1, "governance": {"current": 2, "target": 3}},
    ),
    Endpoint(
        "GET /organizations/{slug}/profiles/{profile_id}/outcomes", APIP + "/outcomes", P.VIEW
    ),
    Endpoint(
        "GET /organizations/{slug}/profiles/{profile_id}/outcomes/{code}",
        APIP + "/outcomes/GV.OC-01",
        P.VIEW,
    ),
    Endpoint(
        "PATCH /organizations/{slug}/profiles/{profile_id}/outcomes/{code}",
        APIP + "/outcomes/GV.OC-01",
        ASSIGNED,
        200,
        "PATCH",
        {"version": 2, "current": "largely"},
    ),
    Endpoint(
        "GET /organizations/{slug}/profiles/{profile_id}/next-unanswered",
        APIP + "/next-unanswered",
        P.VIEW,
    ),
    Endpoint(
        "GET /organizations/{slug}/profiles/{profile_id}/progress", APIP + "/progress", P.VIEW
    ),
    Endpoint("GET /organizations/{slug}/profiles/{profile_id}/scores", APIP + "/scores", P.VIEW),
    Endpoint("GET /organizations/{slug}/profiles/{profile_id}/gaps", APIP + "/gaps", P.VIEW),
    Endpoint("GET /organizations/{slug}/profiles/{profile_id}/actions", APIP + "/actions", P.VIEW),
    Endpoint(
        "POST /organizations/{slug}/profiles/{profile_id}/actions",
        APIP + "/actions",
        P.EDIT_PROFILES,
        201,
        "POST",
        {"title": "Segment the network", "outcomes": ["PR.IR-01"]},
    ),
    Endpoint(
        "POST /organizations/{slug}/profiles/{profile_id}/actions/generate",
        APIP + "/actions/generate",
        P.EDIT_PROFILES,
        201,
        "POST",
        {},
    ),
    Endpoint(
        "GET /organizations/{slug}/profiles/{profile_id}/actions/{code}",
        APIP + "/actions/A-001",
        P.VIEW,
    ),
    Endpoint(
        "PATCH /organizations/{slug}/profiles/{profile_id}/actions/{code}",
        APIP + "/actions/A-001",
        P.EDIT_PROFILES,
        200,
        "PATCH",
        {"version": 1, "status": "in-progress"},
    ),
    Endpoint(
        "DELETE /organizations/{slug}/profiles/{profile_id}/actions/{code}",
        APIP + "/actions/A-001?version=1",
        P.EDIT_PROFILES,
        204,
        "DELETE",
    ),
    Endpoint(
        "GET /organizations/{slug}/profiles/{profile_id}/snapshots", APIP + "/snapshots", P.VIEW
    ),
    Endpoint(
        "POST /organizations/{slug}/profiles/{profile_id}/snapshots",
        APIP + "/snapshots",
        P.EDIT_PROFILES,
        201,
        "POST",
        {"label": "Q4"},
    ),
    Endpoint(
        "GET /organizations/{slug}/snapshots/{snapshot_id}", API + "/snapshots/{snapshot}", P.VIEW
    ),
    Endpoint(
        "GET /organizations/{slug}/snapshots/{snapshot_id}/export",
        API + "/snapshots/{snapshot}/export",
        P.EXPORT,
    ),
    Endpoint("GET /organizations/{slug}/profiles/{profile_id}/trend", APIP + "/trend", P.VIEW),
    Endpoint(
        "GET /organizations/{slug}/compare",
        API + "/compare?before=snapshot:{snapshot}&after=profile:{profile}",
        P.VIEW,
    ),
    Endpoint(
        "GET /organizations/{slug}/profiles/{profile_id}/export",
        APIP + "/export?format=json",
        P.EXPORT,
    ),
    Endpoint(
        "GET /organizations/{slug}/profiles/{profile_id}/export/{format}",
        APIP + "/export/xlsx",
        P.EXPORT,
    ),
    # A profile file is not an exchange file: whoever may import gets the refusal (400),
    # proof that the permission let them in.
    Endpoint(
        "POST /organizations/{slug}/profiles/{profile_id}/exchange/preview",
        APIP + "/exchange/preview",
        P.EDIT_PROFILES,
        400,
        "POST",
        upload=PROFILE_FILE,
    ),
    Endpoint(
        "POST /organizations/{slug}/profiles/{profile_id}/exchange/apply",
        APIP + "/exchange/apply",
        P.EDIT_PROFILES,
        400,
        "POST",
        {"version": "1"},
        upload=PROFILE_FILE,
        # Apply reads the file before it looks the profile up: a bad file gets the same
        # 400 whatever the id, so nothing about another tenant's id is learned.
        foreign=ok(400, 404),
    ),
    Endpoint(
        "POST /organizations/{slug}/profiles/exchange/import",
        API + "/profiles/exchange/import",
        P.EDIT_PROFILES,
        400,
        "POST",
        upload=PROFILE_FILE,
    ),
    Endpoint(
        "GET /organizations/{slug}/profiles/{profile_id}/reports/{kind}",
        APIP + "/reports/brief?format=html",
        P.EXPORT,
    ),
    Endpoint(
        "POST /organizations/{slug}/profiles/import",
        API + "/profiles/import",
        P.EDIT_PROFILES,
        201,
        "POST",
        upload=PROFILE_FILE,
    ),
    Endpoint(
        "POST /organizations/{slug}/community-profiles",
        API + "/community-profiles",
        P.EDIT_PROFILES,
        201,
        "POST",
        upload=COMMUNITY_FILE,
    ),
    Endpoint(
        "POST /organizations/{slug}/profiles/{community_id}/derive-target",
        API + "/profiles/{community}/derive-target",
        P.EDIT_PROFILES,
        201,
        "POST",
        {"name": "Derived"},
    ),
    Endpoint(
        "POST /organizations/{slug}/profiles/{profile_id}/transfer/preview",
        APIP + "/transfer/preview",
        P.VIEW,
        200,
        "POST",
        {"to": "cis-v8.1"},
    ),
    Endpoint(
        "POST /organizations/{slug}/profiles/{profile_id}/transfer/apply",
        APIP + "/transfer/apply",
        P.EDIT_PROFILES,
        201,
        "POST",
        {"to": "cis-v8.1", "name": "Transferred"},
    ),
    # -- the API: evidence ----------------------------------------------------------------------
    Endpoint("GET /organizations/{slug}/evidence", API + "/evidence", P.VIEW),
    Endpoint(
        "POST /organizations/{slug}/evidence",
        API + "/evidence",
        P.ADD_EVIDENCE,
        201,
        "POST",
        {"title": "Grid note", "statement": "Reviewed."},
    ),
    Endpoint(
        "POST /organizations/{slug}/evidence/files",
        API + "/evidence/files",
        P.ADD_EVIDENCE,
        201,
        "POST",
        {"title": "Grid file"},
        upload=EVIDENCE_PDF,
    ),
    Endpoint("GET /organizations/{slug}/evidence/{item_id}", API + "/evidence/{item}", P.VIEW),
    Endpoint(
        "PATCH /organizations/{slug}/evidence/{item_id}",
        API + "/evidence/{item}",
        P.ADD_EVIDENCE,
        200,
        "PATCH",
        {"version": 1, "description": "Approved in May"},
    ),
    Endpoint(
        "DELETE /organizations/{slug}/evidence/{item_id}",
        API + "/evidence/{item}",
        P.ADD_EVIDENCE,
        204,
        "DELETE",
    ),
    Endpoint(
        "POST /organizations/{slug}/evidence/{item_id}/retire",
        API + "/evidence/{item}/retire",
        P.ADD_EVIDENCE,
        200,
        "POST",
    ),
    Endpoint(
        "POST /organizations/{slug}/evidence/{item_id}/restore",
        API + "/evidence/{item}/restore",
        P.ADD_EVIDENCE,
        200,
        "POST",
    ),
    Endpoint(
        "GET /organizations/{slug}/evidence/{item_id}/versions",
        API + "/evidence/{item}/versions",
        P.VIEW,
    ),
    Endpoint(
        "POST /organizations/{slug}/evidence/{item_id}/versions",
        API + "/evidence/{note}/versions",
        P.ADD_EVIDENCE,
        201,
        "POST",
        {"statement": "Reviewed again."},
    ),
    Endpoint(
        "POST /organizations/{slug}/evidence/{item_id}/versions/files",
        API + "/evidence/{item}/versions/files",
        P.ADD_EVIDENCE,
        201,
        "POST",
        upload=EVIDENCE_PDF + b"% version 2\n",
    ),
    Endpoint(
        "GET /organizations/{slug}/evidence/{item_id}/versions/{number}/download",
        API + "/evidence/{item}/versions/1/download",
        P.VIEW,
    ),
    Endpoint(
        "GET /organizations/{slug}/evidence/{item_id}/links", API + "/evidence/{item}/links", P.VIEW
    ),
    Endpoint(
        "POST /organizations/{slug}/evidence/{item_id}/links",
        API + "/evidence/{item}/links",
        P.ADD_EVIDENCE,
        201,
        "POST",
        {"profile": "{profile}", "outcome": "GV.OC-01", "side": "target"},
    ),
    Endpoint(
        "DELETE /organizations/{slug}/evidence/links/{link_id}",
        API + "/evidence/links/{link}",
        P.ADD_EVIDENCE,
        204,
        "DELETE",
    ),
    Endpoint(
        "POST /organizations/{slug}/evidence/links/{link_id}/review",
        API + "/evidence/links/{link}/review",
        P.REVIEW_EVIDENCE,
        200,
        "POST",
        {"state": "accepted"},
    ),
    Endpoint(
        "GET /organizations/{slug}/profiles/{profile_id}/evidence", APIP + "/evidence", P.VIEW
    ),
    Endpoint("GET /organizations/{slug}/evidence/due", API + "/evidence/due", P.VIEW),
    Endpoint(
        "POST /organizations/{slug}/evidence/scans",
        API + "/evidence/scans",
        P.EDIT_PROFILES,
        201,
        "POST",
        upload=SCAN_FILE,
    ),
    Endpoint("GET /organizations/{slug}/evidence/scans", API + "/evidence/scans", P.VIEW),
    Endpoint(
        "GET /organizations/{slug}/evidence/scans/trend",
        API + "/evidence/scans/trend?series=bandit&outcome=PR.PS-06",
        P.VIEW,
    ),
    Endpoint(
        "GET /organizations/{slug}/evidence/scans/{scan_id}",
        API + "/evidence/scans/{scan}",
        P.VIEW,
    ),
    Endpoint(
        "GET /organizations/{slug}/evidence/scans/{scan_id}/findings",
        API + "/evidence/scans/{scan}/findings",
        P.VIEW,
    ),
    Endpoint("GET /organizations/{slug}/evidence/requests", API + "/evidence/requests", P.VIEW),
    Endpoint(
        "POST /organizations/{slug}/evidence/requests",
        API + "/evidence/requests",
        P.REVIEW_EVIDENCE,
        201,
        "POST",
        {
            "profile": "{profile}",
            "outcomes": ["GV.OC-01"],
            "assignee": "{contributor}",
            "due": "2030-01-31",
        },
    ),
    Endpoint(
        "GET /organizations/{slug}/evidence/requests/{request_id}",
        API + "/evidence/requests/{request}",
        P.VIEW,
    ),
    # The request is addressed to the contributor; owners and assessors may answer it too.
    Endpoint(
        "POST /organizations/{slug}/evidence/requests/{request_id}/submit",
        API + "/evidence/requests/{request}/submit",
        P.ADD_EVIDENCE,
        200,
        "POST",
        {"items": ["{item}"]},
    ),
    Endpoint(
        "POST /organizations/{slug}/evidence/requests/{request_id}/decide",
        API + "/evidence/requests/{submitted}/decide",
        P.REVIEW_EVIDENCE,
        200,
        "POST",
        {"accept": True},
    ),
    # -- the evidence library (the grid's item is the contributor's own, its link is on
    # GV.OC-01, which is assigned to them, and its request is addressed to them) -------------
    Endpoint("view:evidence:library", EV + "/", P.VIEW),
    Endpoint("view:evidence:add", EV + "/new/", P.ADD_EVIDENCE),
    Endpoint(
        "view:evidence:add_file",
        EV + "/new/file/",
        P.ADD_EVIDENCE,
        302,
        "POST",
        {f"file-{k}": v for k, v in EVIDENCE_FIELDS.items()},
        upload=EVIDENCE_FILE,
    ),
    Endpoint(
        "view:evidence:add_link",
        EV + "/new/link/",
        P.ADD_EVIDENCE,
        302,
        "POST",
        {**{f"link-{k}": v for k, v in EVIDENCE_FIELDS.items()}, "link-url": "https://x.test/"},
    ),
    Endpoint(
        "view:evidence:add_attestation",
        EV + "/new/attestation/",
        P.ADD_EVIDENCE,
        302,
        "POST",
        {
            **{f"attestation-{k}": v for k, v in EVIDENCE_FIELDS.items()},
            "attestation-statement": "We attest.",
        },
    ),
    Endpoint("view:evidence:due", EV + "/due/", P.VIEW),
    Endpoint("view:evidence:scans", EV + "/scans/", P.VIEW),
    Endpoint(
        "view:evidence:scan_import",
        EV + "/scans/import/",
        P.EDIT_PROFILES,
        302,
        "POST",
        upload=SCAN_FILE,
    ),
    Endpoint("view:evidence:scan", EV + "/scans/{scan}/", P.VIEW),
    Endpoint("view:evidence:outcomes", EV + "/outcomes/?profile={profile}", P.VIEW),
    Endpoint("view:evidence:item", EV + "/{item}/", P.VIEW),
    Endpoint(
        "view:evidence:item_edit",
        EV + "/{item}/edit/",
        P.ADD_EVIDENCE,
        302,
        "POST",
        {**EVIDENCE_FIELDS, "version": "1"},
    ),
    Endpoint(
        "view:evidence:item_version",
        EV + "/{item}/versions/new/",
        P.ADD_EVIDENCE,
        302,
        "POST",
        upload=EVIDENCE_FILE + b"2026-02-01,backup ok\n",
    ),
    Endpoint("view:evidence:download", EV + "/{item}/versions/1/download/", P.VIEW),
    Endpoint("view:evidence:item_retire", EV + "/{item}/retire/", P.ADD_EVIDENCE, 302, "POST"),
    Endpoint(
        "view:evidence:item_remove",
        EV + "/{item}/remove/",
        P.ADD_EVIDENCE,
        302,
        "POST",
        {"confirm": "on"},
    ),
    Endpoint(
        "view:evidence:item_link",
        EV + "/{item}/links/",
        P.ADD_EVIDENCE,
        302,
        "POST",
        {"profile": "{profile}", "outcomes": "GV.OC-01", "side": "target"},
    ),
    Endpoint(
        "view:evidence:link_new",
        EV + "/links/new/",
        P.ADD_EVIDENCE,
        302,
        "POST",
        {"item": "{item}", "profile": "{profile}", "outcomes": "GV.OC-01", "side": "target"},
    ),
    Endpoint(
        "view:evidence:link_review",
        EV + "/links/{link}/review/",
        P.REVIEW_EVIDENCE,
        302,
        "POST",
        {"state": "accepted"},
    ),
    Endpoint(
        "view:evidence:link_remove", EV + "/links/{link}/unlink/", P.ADD_EVIDENCE, 302, "POST"
    ),
    Endpoint("view:evidence:requests", EV + "/requests/", P.VIEW),
    Endpoint("view:evidence:request_new", EV + "/requests/new/", P.REVIEW_EVIDENCE),
    Endpoint(
        "view:evidence:request_new",
        EV + "/requests/new/",
        P.REVIEW_EVIDENCE,
        302,
        "POST",
        {
            "profile": "{profile}",
            "outcomes": "GV.OC-01",
            "assignee": "{contributor}",
            "due": "2027-01-01",
        },
    ),
    Endpoint("view:evidence:request", EV + "/requests/{request}/", P.VIEW),
    Endpoint(
        "view:evidence:request_submit",
        EV + "/requests/{request}/submit/",
        P.ADD_EVIDENCE,
        302,
        "POST",
        {"items": "{item}", "kind": "other"},
    ),
    # The grid's request is open, not yet answered: deciding is refused with a message.
    Endpoint(
        "view:evidence:request_decide",
        EV + "/requests/{request}/decide/",
        P.REVIEW_EVIDENCE,
        302,
        "POST",
        {"decision": "accept"},
    ),
    # -- background jobs and sector benchmarks ---------------------------------------------------
    Endpoint("view:jobs:list", ORG + "/jobs/", P.VIEW),
    # No job of that id in any organization: members get 404 like everyone else.
    # -- background jobs and sector benchmarks ---------------------------------------------------
    Endpoint("view:jobs:list", ORG + "/jobs/", P.VIEW),
    # No job of that id in any organization: members get 404 like everyone else.
    Endpoint("view:jobs:detail", ORG + "/jobs/999999/", P.VIEW, 404),
    Endpoint(
        "view:jobs:import", ORG + "/jobs/import/", P.EDIT_PROFILES, 302, "POST", upload=PROFILE_FILE
    ),
    Endpoint("view:sectors:benchmark", ORG + "/benchmark/", P.VIEW),
    Endpoint(
        "view:sectors:set_sector",
        ORG + "/benchmark/sector/",
        P.EDIT_SETTINGS,
        302,
        "POST",
        {"sector": "energy"},
    ),
    Endpoint("view:sectors:set_profile", ORG + "/benchmark/profile/", P.EDIT_SETTINGS, 302, "POST"),
    Endpoint("view:sectors:recompute", ORG + "/benchmark/recompute/", P.EDIT_SETTINGS, 302, "POST"),
    Endpoint("GET /sectors", "/api/sectors", ACCOUNT),
    # The sector's steward decides which organizations count (acme asked to, in energy).
    Endpoint("view:sectors:stewardship", "/sectors/", STEWARD),
    Endpoint("view:sectors:members", "/sectors/energy/members/", STEWARD),
    Endpoint(
        "view:sectors:approve", "/sectors/energy/members/{org}/approve/", STEWARD, 302, "POST"
    ),
    Endpoint("view:sectors:revoke", "/sectors/energy/members/{org}/revoke/", STEWARD, 302, "POST"),
    Endpoint(
        "GET /sectors/{sector}/members",
        "/api/sectors/energy/members",
        STEWARD,
        session_only=True,
    ),
    Endpoint(
        "POST /sectors/{sector}/members/{slug}/approve",
        "/api/sectors/energy/members/{org}/approve",
        STEWARD,
        200,
        "POST",
        session_only=True,
    ),
    Endpoint(
        "POST /sectors/{sector}/members/{slug}/revoke",
        "/api/sectors/energy/members/{org}/revoke",
        STEWARD,
        200,
        "POST",
        session_only=True,
    ),
    # Between instances. A member previews and downloads its contribution and imports the
    # sector body's aggregate (not a package: refused past the permission check); the
    # steward keeps the member key list, uploads contributions (each refused one listed)
    # and signs the aggregate with the key of "instance", where it and the operator are
    # owners.
    Endpoint("view:sectors:contribution", ORG + "/benchmark/contribution/", P.EXPORT),
    Endpoint(
        "view:sectors:contribution_download",
        ORG + "/benchmark/contribution/download/?sector=energy",
        P.EXPORT,
    ),
    Endpoint(
        "view:sectors:import_aggregate",
        ORG + "/benchmark/aggregate/",
        P.EDIT_SETTINGS,
        302,
        "POST",
        upload=b"x",
    ),
    Endpoint(
        "GET /organizations/{slug}/benchmark/contribution/preview",
        API + "/benchmark/contribution/preview?sector=energy",
        P.EXPORT,
    ),
    Endpoint(
        "GET /organizations/{slug}/benchmark/contribution",
        API + "/benchmark/contribution?sector=energy",
        P.EXPORT,
    ),
    Endpoint(
        "POST /organizations/{slug}/benchmark/aggregate",
        API + "/benchmark/aggregate",
        P.EDIT_SETTINGS,
        400,
        "POST",
        upload=b"x",
    ),
    Endpoint("view:sectors:exchange", "/sectors/energy/exchange/", STEWARD),
    Endpoint(
        "view:sectors:member_key_add",
        "/sectors/energy/exchange/keys/",
        STEWARD,
        302,
        "POST",
        {"name": "Grid member", "fingerprint": PACKAGE_FP},
    ),
    Endpoint(
        "view:sectors:member_key_remove",
        "/sectors/energy/exchange/keys/" + MEMBER_FP + "/remove/",
        STEWARD,
        302,
        "POST",
    ),
    Endpoint(
        "view:sectors:contributions_upload",
        "/sectors/energy/exchange/contributions/",
        STEWARD,
        200,
        "POST",
        upload=b"x",
    ),
    Endpoint(
        "view:sectors:publish",
        "/sectors/energy/exchange/aggregate/",
        STEWARD,
        200,
        "POST",
        {"org": "instance"},
    ),
    Endpoint(
        "GET /sectors/{sector}/member-keys",
        "/api/sectors/energy/member-keys",
        STEWARD,
        session_only=True,
    ),
    Endpoint(
        "POST /sectors/{sector}/member-keys",
        "/api/sectors/energy/member-keys",
        STEWARD,
        201,
        "POST",
        {"name": "Grid member", "fingerprint": PACKAGE_FP},
        session_only=True,
    ),
    Endpoint(
        "DELETE /sectors/{sector}/member-keys/{fingerprint}",
        "/api/sectors/energy/member-keys/" + MEMBER_FP,
        STEWARD,
        200,
        "DELETE",
        session_only=True,
    ),
    Endpoint(
        "POST /sectors/{sector}/contributions",
        "/api/sectors/energy/contributions",
        STEWARD,
        200,
        "POST",
        upload=b"x",
        session_only=True,
    ),
    Endpoint(
        "GET /sectors/{sector}/aggregate",
        "/api/sectors/energy/aggregate?org=instance",
        STEWARD,
        session_only=True,
    ),
    Endpoint("GET /organizations/{slug}/jobs", API + "/jobs", P.VIEW),
    Endpoint("GET /organizations/{slug}/jobs/{job_id}", API + "/jobs/999999", P.VIEW, 404),
    Endpoint(
        "POST /organizations/{slug}/jobs/profile-import",
        API + "/jobs/profile-import",
        P.EDIT_PROFILES,
        202,
        "POST",
        upload=PROFILE_FILE,
    ),
    Endpoint(
        "POST /organizations/{slug}/jobs/sector-recompute",
        API + "/jobs/sector-recompute",
        P.EDIT_SETTINGS,
        202,
        "POST",
    ),
    Endpoint("GET /organizations/{slug}/benchmark", API + "/benchmark", P.VIEW),
    Endpoint(
        "PUT /organizations/{slug}/sector",
        API + "/sector",
        P.EDIT_SETTINGS,
        200,
        "PUT",
        {"sector": "energy"},
    ),
    Endpoint(
        "PUT /organizations/{slug}/benchmark/profile",
        API + "/benchmark/profile",
        P.EDIT_SETTINGS,
        200,
        "PUT",
        {"profile": None},
    ),
    # -- signed packages: keys, trusted partners, export, import ----------------------------------
    Endpoint("view:packages:keys", ORG + "/keys/", P.VIEW),
    Endpoint("view:packages:rotate", ORG + "/keys/rotate/", P.EDIT_SETTINGS, 302, "POST"),
    # No such key: the settings editor is sent back with a message.
    Endpoint(
        "view:packages:revoke",
        ORG + "/keys/revoke/",
        P.EDIT_SETTINGS,
        302,
        "POST",
        {"fingerprint": PACKAGE_FP},
    ),
    Endpoint(
        "view:packages:trust",
        ORG + "/keys/trust/",
        P.EDIT_SETTINGS,
        302,
        "POST",
        {"fingerprint": PACKAGE_FP, "partner": "Partner"},
    ),
    Endpoint(
        "view:packages:untrust",
        ORG + "/keys/untrust/",
        P.EDIT_SETTINGS,
        302,
        "POST",
        {"fingerprint": PACKAGE_FP},
    ),
    Endpoint("view:packages:import", ORG + "/packages/import/", P.EDIT_PROFILES),
    Endpoint("view:packages:export", PRO + "/package/", P.EXPORT),
    Endpoint("view:packages:download", PRO + "/package/download/?level=scores", P.EXPORT),
    Endpoint("GET /organizations/{slug}/keys", API + "/keys", P.VIEW),
    Endpoint(
        "POST /organizations/{slug}/keys/rotate", API + "/keys/rotate", P.EDIT_SETTINGS, 200, "POST"
    ),
    # An unknown key: 404 for whoever may revoke, 403 before that for everyone else.
    Endpoint(
        "POST /organizations/{slug}/keys/{fingerprint}/revoke",
        API + "/keys/" + PACKAGE_FP + "/revoke",
        P.EDIT_SETTINGS,
        404,
        "POST",
    ),
    Endpoint(
        "POST /organizations/{slug}/trusted-keys",
        API + "/trusted-keys",
        P.EDIT_SETTINGS,
        201,
        "POST",
        {"fingerprint": PACKAGE_FP, "partner": "Partner"},
    ),
    Endpoint(
        "DELETE /organizations/{slug}/trusted-keys/{fingerprint}",
        API + "/trusted-keys/" + PACKAGE_FP,
        P.EDIT_SETTINGS,
        404,
        "DELETE",
    ),
    Endpoint(
        "GET /organizations/{slug}/profiles/{profile_id}/package", APIP + "/package", P.EXPORT
    ),
    Endpoint(
        "GET /organizations/{slug}/profiles/{profile_id}/package/preview",
        APIP + "/package/preview",
        P.EXPORT,
    ),
    # Not a package: refused (400) for whoever may send one.
    Endpoint(
        "POST /organizations/{slug}/packages/verify",
        API + "/packages/verify",
        P.VIEW,
        400,
        "POST",
        upload=b"x",
    ),
    Endpoint(
        "POST /organizations/{slug}/packages/import",
        API + "/packages/import",
        P.EDIT_PROFILES,
        400,
        "POST",
        upload=b"x",
    ),
    # -- crosswalk reviews (the grid's project has one accepted pair, so its proposals are kept:
    # asking for them again answers past the permission check with 409 / a message) ---------
    Endpoint("view:mapping:projects", ORG + "/crosswalks/", P.VIEW),
    Endpoint(
        "view:mapping:project_new",
        ORG + "/crosswalks/new/",
        P.EDIT_PROFILES,
        302,
        "POST",
        {
            "name": "Grid",
            "source": "supplier-rules",
            "target": "csf-2.0",
            "top": 3,
            "method": "lexical",
        },
    ),
    Endpoint("view:mapping:project", ORG + "/crosswalks/{project}/", P.VIEW),
    Endpoint(
        "view:mapping:propose", ORG + "/crosswalks/{project}/propose/", P.EDIT_PROFILES, 302, "POST"
    ),
    Endpoint(
        "view:mapping:review",
        ORG + "/crosswalks/{project}/pairs/{pair}/",
        P.EDIT_PROFILES,
        302,
        "POST",
        {"action": "reject"},
    ),
    Endpoint("view:mapping:bulk", ORG + "/crosswalks/{project}/bulk/?threshold=0.5", P.VIEW),
    Endpoint(
        "view:mapping:bulk",
        ORG + "/crosswalks/{project}/bulk/",
        P.EDIT_PROFILES,
        302,
        "POST",
        {"threshold": "0.5"},
    ),
    Endpoint("view:mapping:crosswalk", ORG + "/crosswalks/{project}/crosswalk/", P.VIEW),
    Endpoint("view:mapping:export", ORG + "/crosswalks/{project}/crosswalk/export/csv", P.EXPORT),
    Endpoint(
        "view:mapping:delete", ORG + "/crosswalks/{project}/delete/", P.EDIT_PROFILES, 302, "POST"
    ),
    Endpoint("GET /organizations/{slug}/mapping-projects", API + "/mapping-projects", P.VIEW),
    Endpoint(
        "POST /organizations/{slug}/mapping-projects",
        API + "/mapping-projects",
        P.EDIT_PROFILES,
        201,
        "POST",
        {"name": "Grid", "source_framework": "supplier-rules", "method": "lexical"},
    ),
    Endpoint(
        "GET /organizations/{slug}/mapping-projects/{project_id}",
        API + "/mapping-projects/{project}",
        P.VIEW,
    ),
    Endpoint(
        "DELETE /organizations/{slug}/mapping-projects/{project_id}",
        API + "/mapping-projects/{project}",
        P.EDIT_PROFILES,
        204,
        "DELETE",
    ),
    # -- suppliers and their questionnaires (a supplier, an open questionnaire with a guest
    # link, a remediation request; the guest routes answer a token, never a member) ----------
    Endpoint("view:suppliers:list", ORG + "/suppliers/", P.VIEW),
    Endpoint("view:suppliers:create", ORG + "/suppliers/new/", P.EDIT_PROFILES),
    Endpoint("view:suppliers:portfolio", ORG + "/suppliers/portfolio/", P.VIEW),
    Endpoint("view:suppliers:export_csv", ORG + "/suppliers/export.csv", P.EXPORT),
    Endpoint("view:suppliers:detail", SUP + "/", P.VIEW),
    Endpoint("view:suppliers:edit", SUP + "/edit/", P.EDIT_PROFILES),
    Endpoint("view:suppliers:delete", SUP + "/delete/", P.EDIT_PROFILES, 302, "POST"),
    Endpoint("view:suppliers:send", SUP + "/send/", P.EDIT_PROFILES, 302, "POST", {"due": FAR_DAY}),
    Endpoint(
        "view:suppliers:remediation",
        SUP + "/remediation/",
        P.EDIT_PROFILES,
        302,
        "POST",
        {"request": "Patch the portal", "due": FAR_DAY},
    ),
    Endpoint(
        "view:suppliers:remediation_close",
        SUP + "/remediation/{remediation}/close/",
        P.EDIT_PROFILES,
        302,
        "POST",
        {"state": "done"},
    ),
    Endpoint("view:suppliers:questionnaire", QUE + "/", P.VIEW),
    Endpoint("view:suppliers:questionnaire_close", QUE + "/close/", P.EDIT_PROFILES, 302, "POST"),
    Endpoint(
        "view:suppliers:link_issue",
        QUE + "/links/",
        P.EDIT_PROFILES,
        200,
        "POST",
        {"email": "contact@vendor.test"},
    ),
    Endpoint(
        "view:suppliers:link_revoke",
        QUE + "/links/{guestlink}/revoke/",
        P.EDIT_PROFILES,
        302,
        "POST",
    ),
    Endpoint("view:suppliers:workbook", QUE + "/workbook/", P.EDIT_PROFILES),
    # The grid's file is no workbook: refused (400) naming it, after the permission check.
    Endpoint(
        "view:suppliers:workbook_import",
        QUE + "/workbook/import/",
        P.EDIT_PROFILES,
        400,
        "POST",
        upload=b"not a workbook",
    ),
    # A token no link has: the same 404 for everyone, signed in or not.
    Endpoint("view:suppliers:guest", GUEST + "/", PUBLIC, 404),
    Endpoint("view:suppliers:guest_code", GUEST + "/code/", PUBLIC, 404, "POST"),
    Endpoint("view:suppliers:guest_verify", GUEST + "/verify/", PUBLIC, 404, "POST"),
    Endpoint(
        "view:suppliers:guest_answer",
        GUEST + "/answer/",
        PUBLIC,
        404,
        "POST",
        {"code": "GV.SC-05", "answer": "fully"},
    ),
    Endpoint("view:suppliers:guest_submit", GUEST + "/submit/", PUBLIC, 404, "POST"),
    # -- questionnaires between instances, as signed packages (the grid's own questionnaire is
    # also received back, signed by its own key; the uploads are no packages: 400) ---------
    Endpoint("view:suppliers:questionnaire_package", QUE + "/package/", P.EDIT_PROFILES),
    Endpoint("view:suppliers:received_list", ORG + "/received-questionnaires/", P.VIEW),
    Endpoint("view:suppliers:received", REC + "/", P.VIEW),
    Endpoint(
        "view:suppliers:received_profile",
        REC + "/profile/",
        P.EDIT_PROFILES,
        302,
        "POST",
        {"profile": "{profile}"},
    ),
    Endpoint(
        "view:suppliers:received_answers",
        REC + "/answers/",
        P.EDIT_PROFILES,
        302,
        "POST",
        {"answer-GV.SC-05": "fully", "comment-GV.SC-05": "", "evidence-GV.SC-05": ""},
    ),
    Endpoint("view:suppliers:received_package", REC + "/package/?level=scores", P.EXPORT),
    Endpoint(
        "GET /organizations/{slug}/questionnaires/{questionnaire_id}/package",
        APIQ + "/package",
        P.EDIT_PROFILES,
    ),
    Endpoint(
        "POST /organizations/{slug}/questionnaire-answers/verify",
        API + "/questionnaire-answers/verify",
        P.VIEW,
        400,
        "POST",
        upload=b"x",
    ),
    Endpoint(
        "POST /organizations/{slug}/questionnaire-answers",
        API + "/questionnaire-answers",
        P.EDIT_PROFILES,
        400,
        "POST",
        upload=b"x",
    ),
    Endpoint(
        "GET /organizations/{slug}/received-questionnaires",
        API + "/received-questionnaires",
        P.VIEW,
    ),
    Endpoint(
        "POST /organizations/{slug}/received-questionnaires",
        API + "/received-questionnaires",
        P.EDIT_PROFILES,
        400,
        "POST",
        upload=b"x",
    ),
    Endpoint("GET /organizations/{slug}/received-questionnaires/{received_id}", APIR, P.VIEW),
    Endpoint(
        "POST /organizations/{slug}/received-questionnaires/{received_id}/profile",
        APIR + "/profile",
        P.EDIT_PROFILES,
        200,
        "POST",
        {"profile_id": "{profile}"},
    ),
    Endpoint(
        "PATCH /organizations/{slug}/received-questionnaires/{received_id}/answers",
        APIR + "/answers",
        P.EDIT_PROFILES,
        200,
        "PATCH",
        {"answers": {"GV.SC-05": {"answer": "fully"}}},
    ),
    Endpoint(
        "GET /organizations/{slug}/received-questionnaires/{received_id}/package/preview",
        APIR + "/package/preview?level=scores",
        P.EXPORT,
    ),
    Endpoint(
        "GET /organizations/{slug}/received-questionnaires/{received_id}/package",
        APIR + "/package?level=scores",
        P.EXPORT,
    ),
    Endpoint("GET /organizations/{slug}/suppliers", API + "/suppliers", P.VIEW),
    Endpoint(
        "POST /organizations/{slug}/suppliers",
        API + "/suppliers",
        P.EDIT_PROFILES,
        201,
        "POST",
        {"name": "Grid vendor"},
    ),
    Endpoint("GET /organizations/{slug}/suppliers/portfolio", API + "/suppliers/portfolio", P.VIEW),
    Endpoint("GET /organizations/{slug}/suppliers/{supplier_id}", APIS, P.VIEW),
    Endpoint(
        "PATCH /organizations/{slug}/suppliers/{supplier_id}",
        APIS,
        P.EDIT_PROFILES,
        200,
        "PATCH",
        {"version": 1, "notes": "Reviewed"},
    ),
    Endpoint(
        "DELETE /organizations/{slug}/suppliers/{supplier_id}", APIS, P.EDIT_PROFILES, 204, "DELETE"
    ),
    Endpoint(
        "POST /organizations/{slug}/suppliers/{supplier_id}/questionnaires",
        APIS + "/questionnaires",
        P.EDIT_PROFILES,
        201,
        "POST",
        {"due": FAR_DAY},
    ),
    Endpoint(
        "POST /organizations/{slug}/suppliers/{supplier_id}/remediation",
        APIS + "/remediation",
        P.EDIT_PROFILES,
        201,
        "POST",
        {"request": "Patch the portal", "due": FAR_DAY},
    ),
    Endpoint("GET /organizations/{slug}/questionnaires/{questionnaire_id}", APIQ, P.VIEW),
    Endpoint(
        "POST /organizations/{slug}/questionnaires/{questionnaire_id}/links",
        APIQ + "/links",
        P.EDIT_PROFILES,
        201,
        "POST",
        {"email": "contact@vendor.test"},
    ),
    Endpoint(
        "DELETE /organizations/{slug}/questionnaires/{questionnaire_id}/links/{link_id}",
        APIQ + "/links/{guestlink}",
        P.EDIT_PROFILES,
        204,
        "DELETE",
    ),
    Endpoint(
        "POST /organizations/{slug}/mapping-projects/{project_id}/proposals",
        API + "/mapping-projects/{project}/proposals",
        P.EDIT_PROFILES,
        409,
        "POST",
    ),
    Endpoint(
        "GET /organizations/{slug}/mapping-projects/{project_id}/proposals",
        API + "/mapping-projects/{project}/proposals?show=unreviewed",
        P.VIEW,
    ),
    Endpoint(
        "POST /organizations/{slug}/mapping-projects/{project_id}/pairs/{pair_id}/review",
        API + "/mapping-projects/{project}/pairs/{pair}/review",
        P.EDIT_PROFILES,
        200,
        "POST",
        {"action": "reject"},
    ),
    Endpoint(
        "GET /organizations/{slug}/mapping-projects/{project_id}/bulk-accept",
        API + "/mapping-projects/{project}/bulk-accept?threshold=0.5",
        P.VIEW,
    ),
    Endpoint(
        "POST /organizations/{slug}/mapping-projects/{project_id}/bulk-accept",
        API + "/mapping-projects/{project}/bulk-accept",
        P.EDIT_PROFILES,
        200,
        "POST",
        {"threshold": 0.5},
    ),
    Endpoint(
        "GET /organizations/{slug}/mapping-projects/{project_id}/oscal",
        API + "/mapping-projects/{project}/oscal",
        P.EXPORT,
    ),
]


# -- what the URL configuration and the schema hold -----------------------------------------------


def routed_keys() -> set[str]:
    """Every page route, by name (or pattern when unnamed), from the URL configuration."""

    def walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x)
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                full = prefix + str(p.pattern)
                if namespace.startswith("api"):
                    # API operations are listed from the schema; the two documentation
                    # routes are not operations.
                    if p.name in ("openapi-json", "openapi-view"):
                        yield f"route:{full}"
                    continue
                name = f"{namespace}:{p.name}" if namespace else p.name
                yield f"view:{name}" if p.name else f"route:{full.removeprefix('accounts/')}"

    return set(walk(get_resolver().url_patterns))


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path.removeprefix('/api')}"
        for path, ops in schema["paths"].items()
        for method in ops
    }


def route_path(key: str) -> str:
    """The path a route key stands for, to show in the meta-test's message."""
    if key.startswith("view:"):
        try:
            return reverse(key.removeprefix("view:"))
        except NoReverseMatch:
            return "/path/with/{arguments}/"
    return "/" + key.split(" ", 1)[-1].removeprefix("route:").lstrip("/")


def missing_entry_message(missing: list[str]) -> str:
    """Name each missing route with the line to add, so that a new release of a dependency
    (django-allauth adds routes in minor releases) says what the grid needs."""
    lines = [
        f'    Endpoint("{key}", "{route_path(key)}", PUBLIC | ACCOUNT | Permission.X, status),'
        for key in missing
    ]
    return (
        "endpoints without an entry in the grid: a new route of csfpilot or of a dependency "
        "(compare requirements/lock.txt with the last green run). Decide who may use each and "
        "add to ENDPOINTS in tests/security/test_authz_grid.py:\n" + "\n".join(lines)
    )


def test_every_endpoint_has_an_entry():
    wanted = routed_keys() | api_operations()
    listed = {e.key for e in ENDPOINTS}
    missing = sorted(wanted - listed)
    assert missing == [], missing_entry_message(missing)
    assert sorted(listed - wanted) == [], "entries for endpoints that no longer exist"


def declared_need(entry: Endpoint) -> str:
    """What an operation must declare in the schema (``x-permission``) for its grid entry."""
    if entry.need == ASSIGNED:
        return Permission.EDIT_ASSIGNED_OUTCOMES.value
    if entry.need == ACCOUNT and entry.session_only:
        return "session"
    if entry.need == STEWARD:
        return STEWARD
    return entry.need.value if isinstance(entry.need, Permission) else entry.need


def test_every_operation_declares_the_permission_the_grid_proves():
    """The API reference names each operation's permission from the schema; the grid below
    proves what each operation enforces, so the two must agree."""
    schema = api.get_openapi_schema()
    declared = {
        f"{method.upper()} {path.removeprefix('/api')}": op.get("x-permission")
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    }
    proved = {e.key: declared_need(e) for e in ENDPOINTS if e.is_api}
    assert declared == proved


def test_the_missing_entry_message_names_the_route_and_the_line_to_add():
    message = missing_entry_message(["view:account_request_reauthentication_code"])
    assert "/accounts/reauthenticate/code/" in message
    assert 'Endpoint("view:account_request_reauthentication_code"' in message


# -- the world: two organizations with one of each object -----------------------------------------


@dataclass
class Ids:
    profile: int
    community: int
    snapshot: int
    member: int  # a membership the member routes act on
    invitation: int  # a pending invitation the invitation routes act on
    # Evidence (EVIDENCE_OBJECTS): set by _evidence() once the organization's profile exists.
    item: int = 0
    note: int = 0
    link: int = 0
    request: int = 0
    submitted: int = 0
    scan: int = 0
    # A mapping project with its proposals (one pair accepted) and a pair still proposed.
    project: int = 0
    pair: int = 0
    # Suppliers (SUPPLIER_OBJECTS): set by _suppliers().
    supplier: int = 0
    questionnaire: int = 0
    guestlink: int = 0
    remediation: int = 0
    received: int = 0


@dataclass
class Grid:
    world: World
    own: Ids
    foreign: Ids
    tokens: dict[str, str]  # role → API token secret (acme, that role); the operator's
    own_token_ids: dict[str, int]  # role → id of a token of their own, to revoke
    outsider_token_id: int  # a token of globex's owner
    key: str  # a loaded framework
    dataset: str  # a loaded crosswalk dataset
    operator: object  # a superuser: the instance's operator
    steward: object = None  # the steward of "energy", where acme asked to take part


def _objects(access, *, contributor=None) -> tuple[int, int, int]:
    profile = services.create_profile(access, name="Whole company")
    if contributor is not None:
        services.update_outcome(
            access, profile.pk, "GV.OC-01", {"owner_id": contributor.pk}, expected_version=1
        )
    services.create_action(access, profile.pk, {"title": "MFA", "outcomes": ["PR.AA-03"]})
    community = services.create_profile(access, name="Sector", kind="community")
    snapshot = services.take_snapshot(access, profile.pk, label="Q3")
    return profile.pk, community.pk, snapshot.pk


def _evidence(access, ids: Ids, *, adder, assignee) -> None:
    """One of each evidence object in ``access``'s organization, its ids set on ``ids``."""
    from csfpilot.webapp.evidence import blobs, scans
    from csfpilot.webapp.evidence import services as evidence
    from csfpilot.webapp.organizations.permissions import require

    by = require(adder, access.organization.slug, P.VIEW)
    spooled = blobs.spool([EVIDENCE_PDF], filename="policy.pdf", organization=access.organization)
    item = evidence.add_item(
        by,
        evidence.ItemFields(title="Access control policy", kind="policy"),
        evidence.Content(spooled=spooled, filename="policy.pdf"),
    )
    note = evidence.add_item(
        by, evidence.ItemFields(title="Statement"), evidence.Content(statement="In place.")
    )
    link = evidence.link(by, item.pk, ids.profile, "GV.OC-01")
    due = timezone.localdate() + timedelta(days=30)
    ask = {"assignee_id": assignee.pk, "due": due}
    request = evidence.ask(access, ids.profile, ["GV.OC-01"], **ask)
    submitted = evidence.ask(access, ids.profile, ["GV.OC-01"], **ask)
    evidence.submit(access, submitted.pk, [note.pk])
    ids.item, ids.note, ids.link = item.pk, note.pk, link.pk
    ids.request, ids.submitted = request.pk, submitted.pk
    ids.scan = scans.import_scan(access, [SCAN_FILE], "scan.sarif").scan.pk


def _mapping(access, ids: Ids) -> None:
    """A mapping project whose best proposal for S-1 is accepted; ``pair`` is S-2's best."""
    from csfpilot.webapp.mapping import models as mm
    from csfpilot.webapp.mapping import services as mapping

    project = project_with_proposals(access, method="lexical")
    first = mm.Pair.objects.get(project=project, requirement__code="S-1", rank=1)
    mapping.review(access, project.pk, first.pk, mapping.Decision("accept"), version=None)
    ids.project = project.pk
    ids.pair = mm.Pair.objects.get(project=project, requirement__code="S-2", rank=1).pk


def _suppliers(access, ids: Ids) -> None:
    """A supplier with an open questionnaire, a guest link and a remediation request."""
    from csfpilot.webapp.suppliers import guest
    from csfpilot.webapp.suppliers import services as suppliers

    supplier = suppliers.create_supplier(
        access, {"name": "Hosting vendor", "requirements": "GV.SC-05 fully"}
    )
    q = suppliers.send_questionnaire(
        access, supplier.pk, due=timezone.localdate() + timedelta(days=30)
    )
    link, _token = guest.issue_link(access, q.pk, "contact@vendor.test")
    remediation = suppliers.request_remediation(
        access, supplier.pk, request="Sign the clause", due=timezone.localdate()
    )
    ids.supplier, ids.questionnaire = supplier.pk, q.pk
    ids.guestlink, ids.remediation = link.pk, remediation.pk
    # The organization's own questionnaire, received back as a package (signed by its own key).
    from csfpilot.webapp.suppliers import exchange, received

    package = exchange.questionnaire_package(access, q.pk)
    ids.received = received.receive(access, package.data)[0].pk


def put_evidence_files(g: Grid) -> None:
    """Write the grid's evidence files into this test's evidence folder.

    The grid is built once per module, but each test has an evidence folder of its own
    (tests/conftest.py); the stored rows are the module's, so their bytes go where the
    storage looks now.
    """
    import hashlib

    from django.core.files.base import ContentFile

    from csfpilot.webapp.evidence import blobs
    from csfpilot.webapp.evidence.models import StoredFile

    known = {
        hashlib.sha256(data).hexdigest(): data for data in (EVIDENCE_PDF, EVIDENCE_FILE, SCAN_FILE)
    }
    for stored in StoredFile.objects.all():
        if stored.sha256 in known and not blobs.storage().exists(stored.storage_name):
            blobs.storage().save(stored.storage_name, ContentFile(known[stored.sha256]))


def build_grid() -> Grid:
    from csfpilot.webapp.catalog.models import Framework
    from csfpilot.webapp.catalog.models import MappingDataset as Dataset

    w = build_world()
    make_user("newbie@example.test")
    creators.allow(w.users["owner"])
    target = Membership.objects.create(
        user=make_user("target@acme.test"), organization=w.org, role="viewer"
    )
    other_target = Membership.objects.create(
        user=make_user("target@globex.test"), organization=w.other, role="viewer"
    )
    own = Ids(
        *_objects(w.access("owner"), contributor=w.users["contributor"]),
        target.pk,
        invitations.invite(w.access("owner"), "invited@acme.test", "viewer").pk,
    )
    foreign = Ids(
        *_objects(w.other_access()),
        other_target.pk,
        invitations.invite(w.other_access(), "invited@globex.test", "viewer").pk,
    )
    _evidence(w.access("owner"), own, adder=w.users["contributor"], assignee=w.users["contributor"])
    _evidence(w.other_access(), foreign, adder=w.outsider, assignee=w.outsider)
    load_supplier_framework()
    _mapping(w.access("owner"), own)
    _mapping(w.other_access(), foreign)
    _suppliers(w.access("owner"), own)
    _suppliers(w.other_access(), foreign)
    tokens = {role: issue_token(w.users[role], "acme", role, "grid")[1] for role in ROLES}
    own_token_ids = {
        role: issue_token(w.users[role], "acme", role, "to revoke")[0].pk for role in ROLES
    }
    outsider = issue_token(w.outsider, "globex", "owner", "globex token")[0].pk
    key = Framework.objects.filter(key="csf-2.0").values_list("key", flat=True).first()
    dataset = Dataset.objects.order_by("key").values_list("key", flat=True).first()
    assert key and dataset
    operator = make_user("operator@instance.test")
    operator.is_superuser = True
    operator.save()
    # The operator's own organization, for an API token of theirs with the owner role.
    Membership.objects.create(
        user=operator,
        organization=Organization.objects.create(name="Instance", slug="instance"),
        role="owner",
    )
    tokens[OPERATOR] = issue_token(operator, "instance", "owner", "imports")[1]
    from csfpilot.webapp.sectors import services as sectors
    from csfpilot.webapp.sectors import stewardship

    sectors.set_sector(w.access("owner"), "energy")
    steward = make_user("steward@sector.test")
    stewardship.appoint("energy", steward.email)
    # The sector body's organization, whose key signs the aggregate the steward publishes.
    Membership.objects.create(
        user=steward, organization=Organization.objects.get(slug="instance"), role="owner"
    )
    from csfpilot.webapp.sectors import exchange

    exchange.add_member("energy", "Remote member", MEMBER_FP)
    return Grid(w, own, foreign, tokens, own_token_ids, outsider, key, dataset, operator, steward)


@pytest.fixture(scope="module")
def grid(django_db_setup, django_db_blocker) -> Iterator[Grid]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_grid()
        transaction.set_rollback(True)


# -- expectations and requests --------------------------------------------------------------------


def expected(e: Endpoint, who: str, scope: str, auth: str) -> int | frozenset[int]:
    """The rule: what ``who`` (a role, or "anonymous") gets at ``e`` in ``scope``."""
    if e.need == PUBLIC:
        return e.ok
    if who == "anonymous":
        if e.anonymous is not None:
            return e.anonymous
        return 401 if e.is_api else 302
    if auth == "token" and e.session_only:
        return 403
    if e.need == OPERATOR:
        return e.ok if who == OPERATOR else 403
    if e.need == STEWARD:
        return e.ok if who in (OPERATOR, STEWARD) else 403
    if e.need == ACCOUNT:
        return 404 if scope == "other" else e.ok
    if e.need == CREATOR:
        return e.ok if who == "owner" else 403
    if scope == "other":
        return 404
    permission = P.EDIT_ASSIGNED_OUTCOMES if e.need == ASSIGNED else e.need
    if permission not in ROLE_PERMISSIONS[Role(who)]:
        if e.need == ASSIGNED and scope == "foreign":
            # The outcome rule needs the outcome, so the page looks the object up first
            # (404) where the API checks the role first (403): both refuse, neither leaks.
            return ok(403, 404)
        return 403
    if scope == "foreign":
        return 404 if e.foreign is None else e.foreign
    return e.ok


def url_for(e: Endpoint, g: Grid, who: str, scope: str) -> str:
    ids = g.foreign if scope == "foreign" else g.own
    if scope == "other":
        ids = g.foreign
    token = g.outsider_token_id if scope == "other" else g.own_token_ids.get(who, 0)
    return e.url.format(
        org="globex" if scope == "other" else "acme",
        profile=ids.profile,
        community=ids.community,
        snapshot=ids.snapshot,
        member=ids.member,
        invitation=ids.invitation,
        token=token,
        key=g.key,
        dataset=g.dataset,
        project=ids.project,
        pair=ids.pair,
        **{name: getattr(ids, name) for name in (*EVIDENCE_OBJECTS, *SUPPLIER_OBJECTS)},
    )


def body_for(e: Endpoint, g: Grid, scope: str) -> dict | None:
    """``e.body`` with its {profile}, {item} and {contributor} filled for ``scope``."""
    ids = g.own if scope == "own" else g.foreign
    values = {
        "profile": ids.profile,
        "item": ids.item,
        "contributor": g.world.users["contributor"].pk,
    }

    def fill(value):
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            return values[value[1:-1]]
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    return None if e.body is None else {k: fill(v) for k, v in e.body.items()}


def send(client: Client, e: Endpoint, url: str, headers: dict, body: dict | None = None):
    method = getattr(client, e.method.lower())
    body = e.body if body is None else body
    if e.upload is not None:
        upload = SimpleUploadedFile("p.yaml", e.upload, content_type="application/yaml")
        return client.post(url, {"file": upload, **(body or {})}, headers=headers)
    if e.is_api:
        if body is None:
            return method(url, headers=headers)
        return method(url, json.dumps(body), content_type="application/json", headers=headers)
    return method(url, body or {}, headers=headers)


def cases(e: Endpoint) -> Iterator[tuple[str, str, str]]:
    """(who, scope, auth) for one endpoint."""
    yield "anonymous", "own", "none"
    if e.need == PUBLIC:
        for role in ROLES:
            yield role, "own", "session"
        return
    if e.need == OPERATOR:
        for who in (*ROLES, OPERATOR):
            yield who, "own", "session"
            if e.is_api:
                # Role tokens of members, and the operator's own token (owner role).
                yield who, "own", "token"
        return
    if e.need == STEWARD:
        for who in (*ROLES, OPERATOR, STEWARD):
            yield who, "own", "session"
        if e.is_api:
            for role in ROLES:
                yield role, "own", "token"
        return
    scopes = ["own"]
    if e.need not in (ACCOUNT, CREATOR) or e.names_account_object:
        scopes.append("other")
    if e.names_objects:
        scopes.append("foreign")
    for role in ROLES:
        for scope in scopes:
            yield role, scope, "session"
        if e.is_api:
            yield role, "own", "token"


@dataclass
class Violation:
    endpoint: str
    method: str
    who: str
    scope: str
    auth: str
    url: str
    wanted: object
    got: int

    def __str__(self) -> str:
        return (
            f"{self.method} {self.url} ({self.endpoint}) as {self.who}/{self.scope}/{self.auth}: "
            f"wanted {self.wanted}, got {self.got}"
        )


def check(e: Endpoint, g: Grid, client: Client, who: str, scope: str, auth: str):
    """One request; a :class:`Violation` if the answer is not the expected one."""
    cache.clear()  # sign-in and API rate limits are not under test here
    headers: dict[str, str] = {}
    if auth == "token":
        headers["Authorization"] = f"Bearer {g.tokens[who]}"
    url = url_for(e, g, who, scope)
    # Removing an item sweeps its bytes even though the row comes back with the rollback, and
    # pages beyond the library read the files too (an organization's backup).
    put_evidence_files(g)
    with transaction.atomic():
        response = send(client, e, url, headers, body_for(e, g, scope))
        transaction.set_rollback(True)
    want = expected(e, who, scope, auth)
    status = response.status_code
    good = status in want if isinstance(want, frozenset) else status == want
    if good and who == "anonymous" and want == 302 and e.need != PUBLIC:
        good = response["Location"].startswith("/accounts/login/?next=")
    if good and e.is_api and status in (401, 403, 404) and e.need != PUBLIC:
        good = response["Content-Type"] == "application/problem+json"
    if good:
        return None
    shown = sorted(want) if isinstance(want, frozenset) else want
    return Violation(e.key, e.method, who, scope, auth, url, shown, status)


def family(e: Endpoint) -> str:
    """Which part of the grid an endpoint is in (the parts run as separate tests)."""
    if e.is_api or e.key.startswith("route:api"):
        if e.need == PUBLIC:
            return "api-public"
        if "/evidence" in e.url:
            return "api-evidence"
        if "/suppliers" in e.url or "questionnaire" in e.url:
            return "api-suppliers"
        profile_words = ("/profiles", "/snapshots", "/compare", "/community")
        if e.need == OPERATOR:
            return "api-operator"
        if e.need == ACCOUNT or not any(w in e.url for w in profile_words):
            return "api-organizations-and-tokens"
        return "api-profiles"
    if e.need == PUBLIC:
        return "pages-public"
    if e.need == ACCOUNT:
        return "pages-account"
    if e.need in (OPERATOR, STEWARD):
        return "pages-operator"
    if e.key.startswith("view:profiles:"):
        return "pages-profiles"
    if e.key.startswith("view:evidence:"):
        return "pages-evidence"
    if e.key.startswith("view:suppliers:"):
        return "pages-suppliers"
    return "pages-organizations"


FAMILIES = sorted({family(e) for e in ENDPOINTS})


@pytest.mark.django_db
@pytest.mark.parametrize("part", FAMILIES)
def test_authorization_grid(grid: Grid, part: str, figure):
    clients = {"anonymous": Client(), OPERATOR: Client(), STEWARD: Client()}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(grid.world.users[role])
    clients[OPERATOR].force_login(grid.operator)
    clients[STEWARD].force_login(grid.steward)
    violations: list[Violation] = []
    endpoints = [e for e in ENDPOINTS if family(e) == part]
    checked = 0
    for e in endpoints:
        for who, scope, auth in cases(e):
            checked += 1
            client = clients["anonymous"] if auth == "token" else clients[who]
            v = check(e, grid, client, who, scope, auth)
            if v is not None:
                violations.append(v)
    figure(
        "authorization_grid",
        {
            "endpoints_covered": len({e.key for e in endpoints}),
            "requests": checked,
            "violations": len(violations),
        },
        part=part,
    )
    assert not violations, "\n".join(str(v) for v in violations)


@pytest.mark.django_db
def test_an_api_token_signs_nobody_in_on_the_pages(grid: Grid):
    """Tokens are for the API; a page given one answers as to an anonymous visitor."""
    pages = [e for e in ENDPOINTS if not e.is_api and e.need not in (PUBLIC,)]
    for e in pages:
        cache.clear()
        url = url_for(e, grid, "owner", "own")
        with transaction.atomic():
            response = send(Client(), e, url, {"Authorization": f"Bearer {grid.tokens['owner']}"})
            transaction.set_rollback(True)
        if e.anonymous is not None:
            assert response.status_code == e.anonymous, (e.key, response.status_code)
            continue
        assert response.status_code == 302, (e.key, response.status_code)
        assert re.match(r"^/accounts/login/\?next=", response["Location"]), e.key
