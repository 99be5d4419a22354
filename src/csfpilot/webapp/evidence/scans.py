"""Importing a scanner's results as evidence: the file, its findings, their outcomes.

One import, in one transaction and one audit event:

1. the file is read by the reader its content calls for (:mod:`csfpilot.scanners`),
2. every finding is mapped to CSF 2.0 outcomes (:mod:`csfpilot.core.evidence.scan_mapping`
   over the loaded crosswalks, see :mod:`.scan_index`),
3. the file is kept as a version of the series' evidence item (kind *scan result*,
   source the tool and its version): the same tool on the same scope is one item
   whose versions are the successive scans, so the newest supersedes for freshness,
4. the findings and a tally per outcome are stored; earlier tallies of the series
   stop counting (``latest``), so contradictions follow the newest scan,
5. with a profile, the item is linked to every outcome it has findings for
   (Current side, waiting for review): passing checks may suggest a rating, a
   person decides; nothing changes a rating by itself.

The answer is the summary ``csfpilot evidence import-scan --json`` prints.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from csfpilot.core.evidence import EvidenceKind, FindingStatus, ScanReport
from csfpilot.core.evidence.scan_mapping import (
    ScanMapping,
    ScanRule,
    contradicted,
    map_scan,
)
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.evidence import blobs, queries, services
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence.scan_index import scan_index
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.profiles import models as pm

# How long a scan proves anything unless the import says otherwise: scans go stale fast.
DEFAULT_VALID_DAYS = 30
_XML = {"xccdf", "arf"}
_CSV = {"prowler-csv"}


@dataclass(frozen=True)
class ScanResult:
    scan: m.ScanImport
    mapping: ScanMapping
    contradicted: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        data = self.mapping.summary.to_json()
        data["contradicted"] = list(self.contradicted)
        return data


def series_key(report: ScanReport) -> str:
    """Tool and scope, lower-cased and with runs of spaces folded: what makes a series."""
    text = f"{report.tool} | {report.scope}".lower()
    return re.sub(r"\s+", " ", text).strip()[:200]


def import_scan(
    access: Access,
    chunks: Iterable[bytes],
    filename: str,
    *,
    profile_id: Any = None,
    format: str | None = None,
    rules: Sequence[ScanRule] | None = None,
    valid_days: int = DEFAULT_VALID_DAYS,
) -> ScanResult:
    """Import one scanner file into the organization of ``access`` (owners, assessors)."""
    _may_import(access)
    spooled = blobs.spool(
        chunks,
        filename=filename,
        organization=access.organization,
        max_bytes=settings.CSFPILOT_EVIDENCE_SCAN_MAX_BYTES,
        media_type=blobs.UNREAD,
    )
    return import_spooled(
        access,
        spooled,
        filename,
        profile_id=profile_id,
        format=format,
        rules=rules,
        valid_days=valid_days,
    )


def _may_import(access: Access) -> None:
    for permission in (Permission.ADD_EVIDENCE, Permission.EDIT_PROFILES):
        if not access.can(permission):
            raise PermissionMissing(permission, access.role.value)


def import_spooled(
    access: Access,
    spooled: blobs.Spooled,
    filename: str,
    *,
    profile_id: Any = None,
    format: str | None = None,
    rules: Sequence[ScanRule] | None = None,
    valid_days: int = DEFAULT_VALID_DAYS,
) -> ScanResult:
    """:func:`import_scan` for a file already received (an upload on the evidence routes,
    spooled as it arrived without its type decided: the reader decides what it is)."""
    try:
        _may_import(access)
        profile = lookups.profile(access, profile_id) if profile_id not in (None, "") else None
        # The readers (with lxml, about 6 MB resident) when a scan arrives, not at start.
        from csfpilot.scanners.registry import read_scan
        from csfpilot.scanners.rules import default_rules

        data = spooled.handle.read()
        spooled.handle.seek(0)
        report = read_scan(data, filename, format)
        del data
        index = scan_index()
        mapping = map_scan(
            report,
            crosswalk=index.crosswalk,
            outcomes=index.outcomes,
            csf11=index.csf11,
            cci=index.cci,
            rules=default_rules() if rules is None else rules,
        )
    except BaseException:
        spooled.handle.close()
        raise
    media = (
        "application/xml"
        if report.format in _XML
        else "text/csv"
        if report.format in _CSV
        else "application/json"
    )
    spooled = dataclasses.replace(spooled, media_type=media)
    return _store(access, profile, report, mapping, spooled, filename, valid_days)


def _store(
    access: Access,
    profile: pm.Profile | None,
    report: ScanReport,
    mapping: ScanMapping,
    spooled: blobs.Spooled,
    filename: str,
    valid_days: int,
) -> ScanResult:
    org = access.organization
    series = series_key(report)
    scanned = report.started_at or timezone.now()
    day = timezone.localdate(scanned) if timezone.is_aware(scanned) else scanned.date()
    tool = f"{report.tool} {report.tool_version}".strip()
    title = f"{report.tool} scan" + (f" of {report.scope}" if report.scope else "")
    with transaction.atomic():
        earlier = (
            m.ScanImport.objects.select_for_update()
            .filter(organization=org, series=series)
            .order_by("-imported_at", "-id")
            .first()
        )
        values = services.ItemFields(
            title=title[: services.MAX_TITLE],
            kind=EvidenceKind.SCAN_RESULT.value,
            source_kind=m.SourceKind.TOOL.value,
            source=tool[:300],
            collected_on=day,
            effective_from=day,
            valid_until=day + timedelta(days=valid_days),
        )
        content = services.Content(spooled=spooled, filename=filename)
        item, version = _series_version(access, earlier, values, content)
        scan = m.ScanImport.objects.create(
            organization=org,
            profile=profile,
            item=item,
            version=version,
            format=report.format,
            tool=report.tool[:200],
            tool_version=report.tool_version[:100],
            scope=report.scope[:500],
            series=series,
            scanned_at=report.started_at,
            imported_by_id=access.membership.user_id,
            findings_count=mapping.summary.findings,
            mapped_count=mapping.summary.mapped,
        )
        # In batches from a generator: 10,000 model objects never exist at once.
        rows = (_finding_row(scan, r) for r in mapping.findings)
        for batch in iter(lambda: list(itertools.islice(rows, 1000)), []):
            m.ScanFinding.objects.bulk_create(batch)
        m.ScanOutcome.objects.filter(organization=org, scan__series=series, latest=True).update(
            latest=False
        )
        m.ScanOutcome.objects.bulk_create(
            m.ScanOutcome(
                scan=scan,
                organization=org,
                code=code,
                passed=tally.counts.get(FindingStatus.PASS.value, 0),
                failed=tally.counts.get(FindingStatus.FAIL.value, 0),
                serious=tally.serious_failures,
                other=sum(
                    n
                    for status, n in tally.counts.items()
                    if status not in (FindingStatus.PASS.value, FindingStatus.FAIL.value)
                ),
            )
            for code, tally in sorted(mapping.summary.outcomes.items())
        )
        claimed = _claimed(org, profile)
        against = contradicted(mapping.summary.outcomes, claimed)
        if profile is not None:
            _link(access, item, profile, mapping)
        summary = mapping.summary.to_json()
        summary["contradicted"] = against
        m.ScanImport.objects.filter(pk=scan.pk).update(summary=summary)
        scan.summary = summary
        audit.record(
            access,
            "scan-import",
            scan.pk,
            audit.Action.IMPORT,
            label=title,
            changes={
                "file": filename,
                "sha256": spooled.sha256,
                "format": report.format,
                "tool": tool,
                "scope": report.scope,
                "findings": summary["findings"],
                "mapped": summary["mapped"],
                "unmapped": summary["unmapped"],
                "contradicted": against,
                "profile": profile.pk if profile else None,
            },
        )
    return ScanResult(scan, mapping, tuple(against))


def _finding_row(scan: m.ScanImport, r: Any) -> m.ScanFinding:
    return m.ScanFinding(
        scan=scan,
        rule_id=r.finding.rule_id[:300],
        title=r.finding.title,
        status=r.finding.status.value,
        severity=r.finding.severity.value,
        resource=r.finding.resource,
        sp800_53=list(r.finding.sp800_53),
        csf=list(r.finding.csf),
        cci=list(r.finding.cci),
        tags=list(r.finding.tags),
        outcomes=list(r.outcomes),
        mapped_by=list(r.how),
        unmapped_reason=r.unmapped_reason or "",
    )


def _series_version(
    access: Access,
    earlier: m.ScanImport | None,
    values: services.ItemFields,
    content: services.Content,
) -> tuple[m.EvidenceItem, m.EvidenceVersion]:
    """A new version of the series' item (its dates move to the newest scan; what people
    wrote about it stays), or a new item for a new series or a retired one.

    Rows are written here rather than through :func:`services.add_item` so that the
    whole import is one audit event.
    """
    user = access.membership.user_id
    cleaned = values.cleaned(access)
    if earlier is not None and earlier.item.retired_at is None:
        item = m.EvidenceItem.objects.select_for_update().get(pk=earlier.item_id)
        number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        for name in ("collected_on", "effective_from", "valid_until", "expires_on", "source"):
            setattr(item, name, cleaned[name])
        item.version += 1
        item.updated_by_id = user
        item.save()
    else:
        item = m.EvidenceItem.objects.create(
            organization=access.organization,
            form=m.Form.FILE,
            created_by_id=user,
            updated_by_id=user,
            **cleaned,
        )
        number = 1
    return item, services.store_version(access, item, content, number)


def _claimed(org: Any, profile: pm.Profile | None) -> set[str]:
    """Outcomes rated as in place: in the profile, or in any of the organization's profiles."""
    profiles = (
        [profile]
        if profile is not None
        else list(pm.Profile.objects.filter(organization=org, kind="organizational"))
    )
    claimed: set[str] = set()
    for row in profiles:
        claimed |= queries.claimed_outcomes(row)
    return claimed


def _link(access: Access, item: m.EvidenceItem, profile: pm.Profile, mapping: ScanMapping) -> None:
    codes = sorted(mapping.summary.outcomes)
    outcomes = {
        o.code: o for o in pm.ProfileOutcome.objects.filter(profile=profile, code__in=codes)
    }
    existing = set(
        m.EvidenceLink.objects.filter(item=item, profile=profile, side=m.Side.CURRENT).values_list(
            "code", flat=True
        )
    )
    new = []
    for code in codes:
        if code in existing or code not in outcomes:
            continue
        counts = mapping.summary.outcomes[code].counts
        new.append(
            m.EvidenceLink(
                item=item,
                outcome=outcomes[code],
                profile=profile,
                code=code,
                side=m.Side.CURRENT,
                statement=", ".join(f"{n} {status}" for status, n in sorted(counts.items())),
                created_by_id=access.membership.user_id,
            )
        )
    m.EvidenceLink.objects.bulk_create(new, batch_size=500)


def findings(scan: m.ScanImport, *, outcome: str = "", status: str = "") -> Any:
    """A scan's findings, of one outcome and one status when given, in the file's order."""
    qs = m.ScanFinding.objects.filter(scan=scan)
    code = outcome.strip().upper()
    if code:
        # The outcomes are a JSON list: a contains lookup is not on SQLite, so the quoted id
        # is matched as text.
        qs = qs.filter(outcomes__icontains=f'"{code}"')
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("id")


def trend(organization: Any, series: str, code: str) -> list[tuple[Any, int, int]]:
    """(imported at, passed, failed) for one outcome over a series' imports, oldest first."""
    return list(
        m.ScanOutcome.objects.filter(organization=organization, scan__series=series, code=code)
        .order_by("scan__imported_at", "scan_id")
        .values_list("scan__imported_at", "passed", "failed")
    )
