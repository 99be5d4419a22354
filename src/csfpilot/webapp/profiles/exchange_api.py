"""``/api/organizations/{slug}/profiles/...``: workbooks and OSCAL in and out.

- ``GET .../{id}/export/{format}`` — the profile as a NIST-template workbook
  (``xlsx``), OSCAL assessment results or an OSCAL POA&M;
- ``POST .../{id}/exchange/preview`` — what importing an uploaded file would
  change, field by field (nothing is stored);
- ``POST .../{id}/exchange/apply`` — import it, naming the profile version the
  preview was made on (409 when the profile changed since);
- ``POST .../exchange/import`` — start a new profile from a file.

Permissions as everywhere: ``data.export`` to download, ``profiles.edit``
(owners, assessors) to preview and import. A refused file answers 400 naming
the file, the sheet/row/column or JSON path, the outcome and the field.
"""

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from csfpilot.core.errors import InputRefused
from csfpilot.formats.profile_xlsx.free_text import parse_mapping
from csfpilot.webapp.accounts.api_auth import api_auth, upload_auth
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.permissions import needs, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import exchange_formats, queries, uploads
from csfpilot.webapp.profiles import schemas as s
from csfpilot.webapp.profiles.api import ANSWERS, answers

router = Router(tags=["profiles"], auth=api_auth)

BASE = "/organizations/{slug}/profiles"
Format = Literal["xlsx", "assessment-results", "poam"]


class ChoiceOut(Schema):
    kind: str = Field(description="level, priority or included.")
    text: str = Field(description="The value as typed (empty: blank on a row with content).")
    proposed: str | None = Field(description="The value proposed from the table, if any.")
    chosen: str | None = Field(description="What is stored: the mapping given, else proposed.")
    cells: list[str] = Field(description="The cells holding it.")


class ExchangePreviewOut(Schema):
    format: Format = Field(description="What the file was read as.")
    version: int = Field(description="The profile version the preview was made on.")
    changes: list[s.ChangeOut]
    warnings: list[str]
    choices: list[ChoiceOut] = Field(
        description="Free-text values of a filled-in NIST template and how each is read; "
        "send `map` (TEXT=VALUE, repeatable) to change one."
    )


def _choices(preview: exchange_formats.ExchangePreview) -> list[ChoiceOut]:
    return [
        ChoiceOut(
            kind=c.kind, text=c.text, proposed=c.proposed, chosen=c.chosen, cells=list(c.cells)
        )
        for c in preview.choices
    ]


MAP_NONE: list[str] = []  # the default of the ``map`` form field; never changed


def _mapping(items: list[str]) -> dict[str, str]:
    try:
        return parse_mapping(items)
    except ValueError as exc:
        raise InputRefused(str(exc), field="map") from None


class ExchangeApplyOut(Schema):
    profile: s.ProfileOut
    format: Format
    changes: list[s.ChangeOut] = Field(description="What the import changed.")
    warnings: list[str]


def _read(upload: UploadedFile) -> bytes:
    limit = uploads.import_limit()
    # Refused by its declared size before a byte is read into memory.
    if upload.size is not None and upload.size > limit:
        raise HttpError(
            413, f"{upload.name}: the file has {upload.size} bytes; the limit is {limit}"
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise HttpError(413, f"{upload.name}: a file has at most {limit} bytes")
    return data


def _changes(preview: exchange_formats.ExchangePreview) -> list[s.ChangeOut]:
    return [
        s.ChangeOut(element=c.element, field=c.field, before=c.before, after=c.after)
        for c in preview.changes
    ]


EXCHANGE_FILE = {
    "responses": {
        200: {
            "content": {
                exchange_formats.CONTENT_TYPES["xlsx"]: {
                    "schema": {"type": "string", "format": "binary"}
                },
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "An OSCAL 1.2.1 assessment-results or "
                        "plan-of-action-and-milestones document.",
                    }
                },
            }
        }
    }
}


@router.get(
    BASE + "/{int:profile_id}/export/{format}",
    response={200: str, **ANSWERS},
    summary="Export as a NIST-template workbook, OSCAL assessment results or an OSCAL POA&M",
    openapi_extra={**EXCHANGE_FILE, **needs(Permission.EXPORT)},
)
@answers
def export_exchange(request: HttpRequest, slug: str, profile_id: int, format: Format) -> Any:
    access = require(request, slug, Permission.EXPORT)
    export = exchange_formats.export_exchange(access, profile_id, format)
    response = HttpResponse(export.data, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    audit.record_download(
        access,
        "export",
        profile_id,
        label=export.filename,
        filename=export.filename,
        size=len(export.data),
        fmt=str(format),
    )
    return response


@router.post(
    BASE + "/{int:profile_id}/exchange/preview",
    response={200: ExchangePreviewOut, **ANSWERS, 413: s.RefusedOut},
    summary="Preview importing a workbook or OSCAL file onto a profile (nothing is stored)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
    auth=upload_auth(Permission.EDIT_PROFILES),
)
@answers
def preview_exchange(
    request: HttpRequest,
    slug: str,
    profile_id: int,
    file: File[UploadedFile],
    map: Form[list[str]] = MAP_NONE,
) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    preview = exchange_formats.preview_exchange(
        access,
        profile_id,
        _read(file),
        filename=file.name or "upload",
        choices=_mapping(map),
        undecided_ok=True,
    )
    return ExchangePreviewOut(
        format=preview.format,
        version=preview.version,
        changes=_changes(preview),
        warnings=list(preview.warnings),
        choices=_choices(preview),
    )


@router.post(
    BASE + "/{int:profile_id}/exchange/apply",
    response={200: ExchangeApplyOut, **ANSWERS, 413: s.RefusedOut},
    summary="Import a workbook or OSCAL file onto a profile (all or nothing)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
    auth=upload_auth(Permission.EDIT_PROFILES),
)
@answers
def apply_exchange(
    request: HttpRequest,
    slug: str,
    profile_id: int,
    file: File[UploadedFile],
    version: Form[int],
    map: Form[list[str]] = MAP_NONE,
) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    preview = exchange_formats.apply_exchange(
        access,
        profile_id,
        _read(file),
        filename=file.name or "upload",
        expected_version=version,
        choices=_mapping(map),
    )
    return ExchangeApplyOut(
        profile=s.profile_out(queries.profile(access, profile_id)),
        format=preview.format,
        changes=_changes(preview),
        warnings=list(preview.warnings),
    )


@router.post(
    BASE + "/exchange/import",
    response={201: s.ImportOut, **ANSWERS, 413: s.RefusedOut},
    summary="Start a new profile from a workbook or an OSCAL file",
    openapi_extra=needs(Permission.EDIT_PROFILES),
    auth=upload_auth(Permission.EDIT_PROFILES),
)
@answers
def import_exchange(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    name: Form[str] = "",
    map: Form[list[str]] = MAP_NONE,
) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    result = exchange_formats.import_exchange_new(
        access,
        _read(file),
        filename=file.name or "upload",
        name=name or None,
        choices=_mapping(map),
    )
    return 201, s.ImportOut(
        profile=s.profile_out(queries.profile(access, result.profile.pk)),
        created=True,
        warnings=list(result.warnings),
    )
