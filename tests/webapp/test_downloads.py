"""Downloads on the framework and crosswalk pages, and frameworks rebuilt from the database.

Rebuilding a stored framework must give back the very content that was loaded:
the rebuilt catalog's digest is compared with the digest stored at load time,
for every bundled framework. Imported frameworks (a CSV of one's own, a CISO
Assistant library) browse, crosswalk and download like NIST's.
"""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csfpilot.core.errors import InputRefused
from csfpilot.formats.detect import read_framework_file
from csfpilot.formats.oscal import read_oscal_catalog
from csfpilot.webapp.catalog import export_queries
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.catalog.services import load_bundle
from tests.formats.oscal_validation import schema_errors

pytestmark = pytest.mark.django_db

BUNDLED = ["csf-2.0", "csf-1.1", "sp800-53r5", "cis-v8.0", "cis-v8.1", "iso27001-2022"]
CUSTOM = (
    "ID,Parent,Title,Text\r\n"
    "GOV,,Governance,Direct and oversee security.\r\n"
    "GOV-1,GOV,Policy,A security policy is approved.\r\n"
    "GOV-2,GOV,Roles,=Roles are assigned.\r\n"
)


@pytest.mark.parametrize("key", BUNDLED)
def test_a_stored_framework_rebuilds_to_the_loaded_content(key: str) -> None:
    stored = m.Framework.objects.get(key=key)
    rebuilt = export_queries.catalog(key)
    assert rebuilt.content_digest() == stored.content_digest
    assert len(rebuilt.nodes) == stored.node_count


def test_rebuilding_takes_a_fixed_number_of_queries() -> None:
    with CaptureQueriesContext(connection) as small:
        export_queries.catalog("cis-v8.1")
    with CaptureQueriesContext(connection) as large:
        export_queries.catalog("sp800-53r5")
    assert len(small) == len(large) == 4


def test_a_stored_crosswalk_rebuilds_row_for_row() -> None:
    ms = export_queries.mapping_set("csf-1.1-to-csf-2.0-withdrawals")
    stored = m.MappingDataset.objects.get(key="csf-1.1-to-csf-2.0-withdrawals")
    assert ms.content_digest() == stored.content_digest
    assert len(ms.mappings) == 139


def test_framework_downloads(client) -> None:
    response = client.get("/frameworks/csf-2.0/export/oscal")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="csf-2.0.oscal.json"'
    document = json.loads(response.content)
    assert schema_errors(document) == []
    (catalog,) = read_oscal_catalog(response.content, name="csf-2.0.oscal.json").catalogs
    assert catalog.content_digest() == m.Framework.objects.get(key="csf-2.0").content_digest

    response = client.get("/frameworks/csf-2.0/export/csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="csf-2.0.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1 + 134 and rows[1][0] == "GV"

    response = client.get("/frameworks/sp800-53r5/export/xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="sp800-53r5.xlsx"'
    wb = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert wb.sheetnames == ["sp800-53r5", "About"]


def test_crosswalk_downloads(client) -> None:
    response = client.get("/crosswalks/olir-sp800-53r5-5.1.1/export/oscal-mapping")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="olir-sp800-53r5-5.1.1.oscal-mapping.json"'
    )
    document = json.loads(response.content)
    assert schema_errors(document) == []
    (mapping,) = document["mapping-collection"]["mappings"]
    assert len(mapping["maps"]) == 740
    response = client.get("/crosswalks/olir-cis-v8.1/export/xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert ws.title == "Crosswalk" and ws.max_row == 1 + 62
    # Both ends are loaded catalogs, so both have their titles (or statements).
    assert [c.value for c in ws[2]][:7] == [
        "csf-2.0",
        "GV.RR-01",
        "Organizational leadership is responsible and accountable for cybersecurity risk and "
        "fosters a culture that is risk-aware, ethical, and continually improving",
        "related to",
        "cis-v8.1",
        "14.1",
        "Establish and Maintain a Security Awareness Program",
    ]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/frameworks/csf-2.0/export/pdf", 404),
        ("/frameworks/no-such-framework/export/oscal", 404),
        ("/crosswalks/olir-cis-v8.1/export/oscal", 404),
        ("/crosswalks/no-such-dataset/export/csv", 404),
    ],
)
def test_unknown_formats_and_keys(client, url: str, status: int) -> None:
    assert client.get(url).status_code == status


def test_downloads_are_read_only(client) -> None:
    assert client.post("/frameworks/csf-2.0/export/csv").status_code == 405
    assert client.head("/frameworks/cis-v8.1/export/csv").status_code == 200


def test_the_pages_link_their_downloads(client) -> None:
    body = client.get("/frameworks/csf-2.0/").content.decode()
    for fmt, label in (("oscal", "OSCAL JSON"), ("csv", "CSV"), ("xlsx", "Excel")):
        assert f'href="/frameworks/csf-2.0/export/{fmt}" download>{label}</a>' in body
    body = client.get("/frameworks/sp800-53r5/").content.decode()
    assert 'href="/frameworks/sp800-53r5/export/oscal" download>' in body
    body = client.get("/crosswalks/olir-sp800-53r5-5.1.1/").content.decode()
    assert 'href="/crosswalks/olir-sp800-53r5-5.1.1/export/oscal-mapping" download>' in body
    assert 'href="/crosswalks/olir-sp800-53r5-5.1.1/export/xlsx" download>Excel</a>' in body


def test_an_imported_framework_browses_and_downloads_like_nists(client) -> None:
    bundle = read_framework_file(CUSTOM.encode(), name="acme-controls.csv")
    report = load_bundle(bundle)
    assert report.created == ["acme-controls"]
    body = client.get("/frameworks/acme-controls/").content.decode()
    assert "Governance" in body and "GOV-1" in body
    assert client.get("/frameworks/acme-controls/GOV-1").status_code == 200
    response = client.get("/frameworks/acme-controls/export/oscal")
    (back,) = read_oscal_catalog(response.content, name="acme.json").catalogs
    assert back.content_digest() == m.Framework.objects.get(key="acme-controls").content_digest
    rows = client.get("/frameworks/acme-controls/export/csv").content.decode("utf-8-sig")
    assert "GOV-2,GOV,Roles,'=Roles are assigned." in rows  # neutralised on the way out
    # Re-importing the download changes nothing: the same content is already stored.
    again = load_bundle(read_framework_file(response.content, name="acme.json"))
    assert again.created == [] and again.unchanged == ["acme-controls"]


def test_a_library_refused_halfway_stores_nothing() -> None:
    """Two frameworks in one CISO Assistant library; the second clashes with a loaded one."""

    def framework(ref_id: str) -> str:
        return (
            f"  - urn: urn:x:risk:framework:{ref_id}\n"
            f"    ref_id: {ref_id}\n"
            f"    name: Framework {ref_id}\n"
            "    requirement_nodes:\n"
            f"    - urn: urn:x:risk:req_node:{ref_id}:a\n"
            "      ref_id: A\n"
            "      description: Do A.\n"
        )

    library = (
        "urn: urn:x:risk:library:two\nref_id: two\nversion: 1\nobjects:\n  frameworks:\n"
        + framework("acme-new")
        + framework("cis-v8.1")
    )
    bundle = read_framework_file(library.encode(), name="two.yaml")
    assert [c.info.key for c in bundle.catalogs] == ["acme-new", "cis-v8.1"]
    with pytest.raises(InputRefused, match=r"cis-v8\.1 is already loaded with different content"):
        load_bundle(bundle)
    # A framework under a key kept for NIST's releases is compared with NIST's first.
    with pytest.raises(InputRefused, match=r"claims to be NIST's csf-2\.0 but differs"):
        read_framework_file(library.replace("cis-v8.1", "csf-2.0").encode(), name="two.yaml")
    assert not m.Framework.objects.filter(key="acme-new").exists()
    assert not m.Node.objects.filter(framework__key="acme-new").exists()
