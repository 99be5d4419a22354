"""``/api/organizations/{slug}/evidence/scans``: scanner results imported as evidence.

- ``POST …/scans`` — import a scanner file (multipart ``file``; optional
  ``profile`` id, ``format``, ``valid_days``); answers the import summary with
  the contradicted outcomes (owners, assessors);
- ``GET …/scans`` — the imports, newest first; ``GET …/scans/{id}`` — one, with
  its summary; ``GET …/scans/{id}/findings`` — its findings, filtered by outcome
  and status, a page at a time; ``GET …/scans/trend`` — one outcome's passing and
  failing findings over a series' imports.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from csfpilot.core.errors import NotFound
from csfpilot.webapp.accounts.api_auth import api_auth, upload_auth
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import scans, uploads
from csfpilot.webapp.organizations.permissions import needs, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles.api import ANSWERS, answers

router = Router(tags=["evidence"], auth=api_auth)
BASE = "/organizations/{slug}/evidence/scans"
MAX_LIMIT = 500


class ScanSummaryOut(Schema):
    format: str = Field(description="The reader the file was read with.")
    findings: int
    mapped: int
    unmapped: dict[str, int] = Field(description="Findings not mapped, per reason.")
    outcomes: dict[str, dict[str, int]] = Field(description="Per outcome, findings per status.")
    contradicted: list[str] = Field(
        description="Outcomes rated largely or fully with failing high or critical findings."
    )


class ScanOut(Schema):
    id: int
    item: int = Field(description="The evidence item that keeps the file (its series).")
    version: int
    sha256: str
    format: str
    tool: str
    tool_version: str
    scope: str
    series: str
    profile: int | None
    scanned_at: datetime | None
    imported_at: datetime
    findings: int
    mapped: int


class ScanDetailOut(ScanOut):
    summary: ScanSummaryOut


class ScanImportOut(Schema):
    scan: ScanOut
    summary: ScanSummaryOut


class FindingOut(Schema):
    rule_id: str
    title: str
    status: str
    severity: str
    resource: str
    sp800_53: list[str]
    csf: list[str]
    cci: list[str]
    tags: list[str]
    outcomes: list[str]
    mapped_by: list[str]
    unmapped_reason: str


class FindingPage(Schema):
    total: int
    findings: list[FindingOut]


class FindingQuery(Schema):
    outcome: str = ""
    status: str = ""
    offset: int = Field(0, ge=0)
    limit: int = Field(100, ge=1, le=MAX_LIMIT)


class TrendQuery(Schema):
    series: str
    outcome: str


class TrendPoint(Schema):
    imported_at: datetime
    passed: int
    failed: int


def _scan_out(row: m.ScanImport) -> ScanOut:
    return ScanOut(
        id=row.pk,
        item=row.item_id,
        version=row.version.number,
        sha256=row.version.stored_file.sha256 if row.version.stored_file_id else "",
        format=row.format,
        tool=row.tool,
        tool_version=row.tool_version,
        scope=row.scope,
        series=row.series,
        profile=row.profile_id,
        scanned_at=row.scanned_at,
        imported_at=row.imported_at,
        findings=row.findings_count,
        mapped=row.mapped_count,
    )


def _scan(access: Any, scan_id: int) -> m.ScanImport:
    found = (
        m.ScanImport.objects.filter(organization=access.organization, pk=scan_id)
        .select_related("version__stored_file")
        .first()
    )
    if found is None:
        raise NotFound(f"no scan import {scan_id}")
    return found


@router.post(
    BASE,
    response={201: ScanImportOut, **ANSWERS},
    summary="Import a scanner's results as evidence (owner, assessor)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
    auth=upload_auth(Permission.EDIT_PROFILES),
)
@answers
def import_scan(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    profile: Form[int | None] = None,
    format: Form[str] = "",
    valid_days: Form[int] = scans.DEFAULT_VALID_DAYS,
) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    spooled, name = uploads.spool_upload(request, "file", access.organization, unread=True)
    result = scans.import_spooled(
        access,
        spooled,
        name,
        profile_id=profile,
        format=format or None,
        valid_days=valid_days,
    )
    row = _scan(access, result.scan.pk)
    return 201, ScanImportOut(scan=_scan_out(row), summary=ScanSummaryOut(**result.to_json()))


@router.get(
    BASE,
    response=list[ScanOut],
    summary="Scanner imports, newest first",
    openapi_extra=needs(Permission.VIEW),
)
def list_scans(request: HttpRequest, slug: str) -> Any:
    access = require(request, slug, Permission.VIEW)
    rows = m.ScanImport.objects.filter(organization=access.organization).select_related(
        "version__stored_file"
    )[:MAX_LIMIT]
    return [_scan_out(r) for r in rows]


@router.get(
    BASE + "/trend",
    response=list[TrendPoint],
    summary="One outcome's passing and failing findings over a series' imports",
    openapi_extra=needs(Permission.VIEW),
)
def trend(request: HttpRequest, slug: str, params: Query[TrendQuery]) -> Any:
    access = require(request, slug, Permission.VIEW)
    return [
        TrendPoint(imported_at=when, passed=p, failed=f)
        for when, p, f in scans.trend(access.organization, params.series, params.outcome)
    ]


@router.get(
    BASE + "/{int:scan_id}",
    response=ScanDetailOut,
    summary="One scanner import with its summary",
    openapi_extra=needs(Permission.VIEW),
)
def scan_detail(request: HttpRequest, slug: str, scan_id: int) -> Any:
    access = require(request, slug, Permission.VIEW)
    row = _scan(access, scan_id)
    return ScanDetailOut(**_scan_out(row).dict(), summary=ScanSummaryOut(**row.summary))


@router.get(
    BASE + "/{int:scan_id}/findings",
    response=FindingPage,
    summary="A scanner import's findings, by outcome and status",
    openapi_extra=needs(Permission.VIEW),
)
def scan_findings(
    request: HttpRequest, slug: str, scan_id: int, params: Query[FindingQuery]
) -> Any:
    access = require(request, slug, Permission.VIEW)
    row = _scan(access, scan_id)
    qs = scans.findings(row, outcome=params.outcome, status=params.status)
    total = qs.count()
    page = qs[params.offset : params.offset + params.limit]
    return FindingPage(
        total=total,
        findings=[
            FindingOut(
                rule_id=f.rule_id,
                title=f.title,
                status=f.status,
                severity=f.severity,
                resource=f.resource,
                sp800_53=f.sp800_53,
                csf=f.csf,
                cci=f.cci,
                tags=f.tags,
                outcomes=f.outcomes,
                mapped_by=f.mapped_by,
                unmapped_reason=f.unmapped_reason,
            )
            for f in page
        ],
    )
