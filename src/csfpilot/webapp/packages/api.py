"""``/api/organizations/{slug}/...``: signing keys, trusted partner keys, signed packages.

- ``GET keys`` — the organization's keys (the first is made on first use) and trusted keys;
- ``POST keys/rotate``, ``POST keys/{fingerprint}/revoke`` — rotate, revoke;
- ``POST trusted-keys``, ``DELETE trusted-keys/{fingerprint}`` — trust, stop trusting;
- ``GET profiles/{id}/package?level=`` — the signed package of a profile;
- ``GET profiles/{id}/package/preview?level=`` — every field that would leave;
- ``POST packages/verify`` — verify an uploaded package (nothing stored);
- ``POST packages/import`` — import it (``accept_untrusted`` for an untrusted signer).

An altered package answers 400 naming the member; a replay answers 400.
"""

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile

from csfpilot.formats.packages import MAX_PACKAGE_BYTES
from csfpilot.webapp.accounts.api_auth import api_auth, upload_auth
from csfpilot.webapp.organizations.permissions import needs, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.packages import schemas as s
from csfpilot.webapp.packages import services
from csfpilot.webapp.profiles import schemas as ps
from csfpilot.webapp.profiles.api import ANSWERS, answers

router = Router(tags=["packages"], auth=api_auth)
BASE = "/organizations/{slug}"
Level = Literal["full", "no-text", "scores"]
PACKAGE_FILE = {
    "responses": {
        200: {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "A signed package (docs/packages.md); save it as it is: "
                        "its bytes are signed.",
                    }
                }
            }
        }
    }
}


def _read(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > MAX_PACKAGE_BYTES:
        raise HttpError(
            413,
            f"{upload.name}: the file has {upload.size} bytes; the limit is {MAX_PACKAGE_BYTES}",
        )
    data = upload.read(MAX_PACKAGE_BYTES + 1)
    if len(data) > MAX_PACKAGE_BYTES:
        raise HttpError(413, f"{upload.name}: a package has at most {MAX_PACKAGE_BYTES} bytes")
    return data


@router.get(
    BASE + "/keys",
    response=s.KeysOut,
    summary="The organization's signing keys and trusted partner keys",
    openapi_extra=needs(Permission.VIEW),
)
def keys(request: HttpRequest, slug: str) -> Any:
    access = require(request, slug, Permission.VIEW)
    if access.can(Permission.EDIT_SETTINGS):
        services.active_key(access)  # made on first use, by someone who may
    return services.keys_out(access.organization)


@router.post(
    BASE + "/keys/rotate",
    response=s.KeysOut,
    summary="Retire the active key (kept to verify earlier packages) and make a new one",
    openapi_extra=needs(Permission.EDIT_SETTINGS),
)
def rotate(request: HttpRequest, slug: str) -> Any:
    access = require(request, slug, Permission.EDIT_SETTINGS)
    services.rotate(access)
    return services.keys_out(access.organization)


@router.post(
    BASE + "/keys/{fingerprint}/revoke",
    response={200: s.KeysOut, 400: ps.RefusedOut},
    summary="Revoke one of the organization's keys",
    openapi_extra=needs(Permission.EDIT_SETTINGS),
)
@answers
def revoke(request: HttpRequest, slug: str, fingerprint: str) -> Any:
    access = require(request, slug, Permission.EDIT_SETTINGS)
    services.revoke(access, fingerprint)
    return services.keys_out(access.organization)


@router.post(
    BASE + "/trusted-keys",
    response={201: s.KeysOut, **ANSWERS},
    summary="Trust a partner's key by its fingerprint",
    openapi_extra=needs(Permission.EDIT_SETTINGS),
)
@answers
def trust(request: HttpRequest, slug: str, payload: s.TrustIn) -> Any:
    access = require(request, slug, Permission.EDIT_SETTINGS)
    services.trust(access, payload.fingerprint, payload.partner)
    return 201, services.keys_out(access.organization)


@router.delete(
    BASE + "/trusted-keys/{fingerprint}",
    response={200: s.KeysOut, 400: ps.RefusedOut},
    summary="Stop trusting a partner's key",
    openapi_extra=needs(Permission.EDIT_SETTINGS),
)
@answers
def untrust(request: HttpRequest, slug: str, fingerprint: str) -> Any:
    access = require(request, slug, Permission.EDIT_SETTINGS)
    services.untrust(access, fingerprint)
    return services.keys_out(access.organization)


@router.get(
    BASE + "/profiles/{int:profile_id}/package",
    response={200: str, **ANSWERS},
    summary="The profile as a signed package at a redaction level",
    openapi_extra={**PACKAGE_FILE, **needs(Permission.EXPORT)},
)
@answers
def export(request: HttpRequest, slug: str, profile_id: int, level: Level = "no-text") -> Any:
    access = require(request, slug, Permission.EXPORT)
    result = services.export_profile(access, profile_id, level)
    response = HttpResponse(result.data, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


@router.get(
    BASE + "/profiles/{int:profile_id}/package/preview",
    response={200: list[s.FieldOut], **ANSWERS},
    summary="Every field a package of the profile would hold at a redaction level",
    openapi_extra=needs(Permission.EXPORT),
)
@answers
def preview(request: HttpRequest, slug: str, profile_id: int, level: Level = "no-text") -> Any:
    access = require(request, slug, Permission.EXPORT)
    rows = services.preview(access, profile_id, level)
    return [s.FieldOut(member=m, field=f, value=v) for m, f, v in rows]


@router.post(
    BASE + "/packages/verify",
    response={200: s.InspectionOut, **ANSWERS, 413: ps.RefusedOut},
    summary="Verify a package against the organization's trusted keys (nothing is stored)",
    openapi_extra=needs(Permission.VIEW),
    auth=upload_auth(Permission.VIEW),
)
@answers
def verify(request: HttpRequest, slug: str, file: File[UploadedFile]) -> Any:
    access = require(request, slug, Permission.VIEW)
    seen = services.inspect(access, _read(file), filename=file.name or "package")
    return {
        **services.package_out(seen.package),
        "already_imported": seen.already_imported,
        "importable": seen.importable,
        "reason": seen.reason,
        "listing": [{"member": m, "field": f, "value": v} for m, f, v in seen.rows],
    }


@router.post(
    BASE + "/packages/import",
    response={201: s.ImportedOut, **ANSWERS, 413: ps.RefusedOut},
    summary="Import a profile package (untrusted signers need accept_untrusted)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
    auth=upload_auth(Permission.EDIT_PROFILES),
)
@answers
def import_(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    accept_untrusted: Form[bool] = False,
    name: Form[str] = "",
) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    row, pkg = services.import_package(
        access,
        _read(file),
        filename=file.name or "package",
        confirm_untrusted=accept_untrusted,
        name=name or None,
    )
    return 201, {
        **services.package_out(pkg),
        "profile_id": row.profile_id,
        "profile_name": row.profile.name if row.profile else None,
    }
