"""Workpapers and briefs show each outcome's evidence and the evidence register."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import openpyxl
import pypdf
import pytest
from django.utils import timezone, translation

from csfpilot.reports.render import render
from csfpilot.webapp.evidence import blobs, services
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.reports import queries as reports
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
SHA = hashlib.sha256(PDF).hexdigest()


def rated(world: World) -> pm.Profile:
    """PR.PS-02 rated fully with a failing high finding; PR.AA-05 fully with accepted proof."""
    row = world.profile(name="Plant 2")
    pm.ProfileOutcome.objects.filter(profile=row, code__in=["PR.PS-02", "PR.AA-05"]).update(
        current="fully", target="fully"
    )
    assessor = world.access("assessor")
    spooled = blobs.spool([PDF], filename="policy.pdf", organization=world.org)
    policy = services.add_item(
        assessor,
        services.ItemFields(
            title="Access policy",
            kind="policy",
            collected_on=date(2026, 1, 10),
            effective_from=date(2026, 2, 1),
            valid_until=date(2099, 1, 31),
            owner_id=world.users["owner"].pk,
            confidentiality="confidential",
        ),
        services.Content(spooled=spooled, filename="policy.pdf"),
    )
    link = services.link(assessor, policy.pk, row.pk, "PR.AA-05", statement="MFA is required")
    services.review(assessor, link.pk, "accepted", "Signed")
    old = services.add_item(
        assessor,
        services.ItemFields(title="Patch report 2024", kind="record", valid_until=date(2025, 1, 1)),
        services.Content(url="https://patch.example/2024"),
    )
    services.link(assessor, old.pk, row.pk, "PR.PS-02")
    scan = m.ScanImport.objects.create(
        organization=world.org,
        profile=row,
        item=old,
        version=old.versions.get(),
        format="trivy",
        tool="Trivy",
        series="trivy|img",
    )
    m.ScanOutcome.objects.create(
        scan=scan, organization=world.org, code="PR.PS-02", passed=3, failed=2, serious=1
    )
    return row, policy, old


def test_the_report_model_carries_each_outcomes_evidence_and_the_register(world: World):
    row, policy, old = rated(world)
    report = reports.report(world.access("assessor"), row.pk, "workpaper")
    by_code = {o["code"]: o for o in report.outcomes}
    aa = by_code["PR.AA-05"]["proof"]
    assert (aa["state_key"], aa["state"], aa["findings"]) == ("supported", "Supported", "")
    [entry] = aa["entries"]
    assert entry == {
        "id": policy.pk,
        "title": "Access policy",
        "kind": "Policy",
        "side": "Current",
        "statement": "MFA is required",
        "version": 1,
        "collected": "2026-01-10",
        "effective": "2026-02-01",
        "valid_until": "2099-01-31",
        "expired": False,
        "sha256": SHA,
        "sha256_short": SHA[:12],
        "url": "",
        "review": "Accepted",
        "review_key": "accepted",
        "reviewer": "assessor@acme.test",
        "reviewed": timezone.localdate().isoformat(),
        "comment": "Signed",
    }
    ps = by_code["PR.PS-02"]["proof"]
    assert ps["state_key"] == "contradicted"
    assert ps["findings"] == "3 passing, 2 failing (1 high or critical)"
    assert [(e["title"], e["expired"], e["review"]) for e in ps["entries"]] == [
        ("Patch report 2024", True, "Pending review")
    ]
    assert report.evidence["counts"] == {"supported": 1, "unsupported": 0, "contradicted": 1}
    assert [(r["id"], r["supports"]) for r in report.register] == [
        (policy.pk, ["PR.AA-05 (Current): Accepted, assessor@acme.test"]),
        (old.pk, ["PR.PS-02 (Current): Pending review"]),
    ]
    assert report.register[0]["owner"] == "owner@acme.test"
    assert report.register[0]["confidentiality"] == "Confidential"
    assert report.register[1]["url"] == "https://patch.example/2024"


def test_every_format_shows_the_evidence(world: World):
    row, policy, _ = rated(world)
    report = reports.report(world.access("assessor"), row.pk, "workpaper")
    html = render(report, "html").decode()
    assert "Evidence register" in html and SHA in html and SHA[:12] + "…" in html
    assert "Contradicted" in html and "3 passing, 2 failing (1 high or critical)" in html
    pdf = pypdf.PdfReader(io.BytesIO(render(report, "pdf")))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Evidence register" in text and "Access policy" in text and SHA[:12] in text
    wb = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    sheet = wb["Evidence register"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == (policy.pk, "Access policy", "Policy", 1)
    assert rows[1][9] == SHA
    md = render(report, "md").decode()
    assert f"`{SHA}`" in md and "## Evidence register" in md
    brief = reports.report(world.access("assessor"), row.pk, "brief")
    assert "1 supported, 0 unsupported, 1 contradicted" in render(brief, "html").decode()


def test_the_evidence_words_are_translated(world: World):
    row, _, _ = rated(world)
    with translation.override("zh-hant"):
        report = reports.report(world.access("assessor"), row.pk, "workpaper")
    assert report.words["evidence_register"] == "佐證資料登錄冊"
    by_code = {o["code"]: o for o in report.outcomes}
    assert by_code["PR.PS-02"]["proof"]["state"] == "矛盾"  # as the evidence pages say it
    assert by_code["PR.AA-05"]["proof"]["entries"][0]["kind"] == "政策"


def test_the_expiry_is_judged_on_the_day_of_the_report(world: World):
    row, _, old = rated(world)
    m.EvidenceItem.objects.filter(pk=old.pk).update(
        expires_on=timezone.localdate() + timedelta(days=1)
    )
    report = reports.report(world.access("assessor"), row.pk, "workpaper")
    ps = {o["code"]: o for o in report.outcomes}["PR.PS-02"]["proof"]
    assert ps["entries"][0]["expired"] is False
