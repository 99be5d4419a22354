"""CIS Controls and ISO/IEC 27001:2022 as far as NIST's crosswalks name them.

csfpilot builds these two catalogs from the identifiers in the OLIR datasets NIST
republishes; their publishers' texts are not NIST's to publish. The pages say so
instead of looking like the whole framework, and ISO entries that name nothing
("Mandatory Clause: None") are not shown as crosswalk rows.
"""

from __future__ import annotations

import pytest

from csfpilot.webapp.catalog import models as m

pytestmark = pytest.mark.django_db

NOTE = "Only the identifiers NIST's crosswalks name"


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("key", "publisher"),
    [
        ("cis-v8.0", "Center for Internet Security (CIS)"),
        ("cis-v8.1", "Center for Internet Security (CIS)"),
        ("iso27001-2022", "ISO/IEC"),
    ],
)
def test_framework_page_says_it_holds_only_what_crosswalks_name(client, key, publisher):
    body = html(client.get(f"/frameworks/{key}/"))
    assert f'<h2 id="named-only-h">{NOTE}</h2>' in body
    assert "only the identifiers that NIST's crosswalks name are included" in body
    assert f'read them in the edition of <span lang="en">{publisher}</span>.' in body


def test_nist_frameworks_are_whole_and_say_nothing_of_the_sort(client):
    for key in ("csf-2.0", "sp800-53r5", "csf-1.1"):
        assert NOTE not in html(client.get(f"/frameworks/{key}/"))


def test_home_and_framework_list_mark_the_identifier_only_catalogs(client):
    for url in ("/", "/frameworks/"):
        body = html(client.get(url))
        assert body.count(NOTE) == 3, url
    home = html(client.get("/"))
    cis = home[home.index('href="/frameworks/cis-v8.0/"') :]
    cis = cis[: cis.index('<li class="card">')]
    assert "<strong>48</strong> Safeguards" in cis and NOTE in cis


def test_iso_entries_that_name_nothing_are_not_rows():
    ds = m.MappingDataset.objects.get(key="olir-iso27001-2022")
    assert ds.row_count == ds.rows.count() == 414
    assert not ds.rows.filter(target_code="").exists()
    assert not ds.rows.filter(target_title__icontains="none").exists()


def test_element_page_has_no_mandatory_clause_none_row(client):
    body = html(client.get("/frameworks/csf-2.0/PR.AA-04"))
    assert "Mandatory Clause: None" not in body
    assert 'href="/frameworks/iso27001-2022/A.5.16"' in body


def test_migration_drops_stored_rows_that_name_nothing_and_matches_the_importer():
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "csfpilot.webapp.catalog.migrations.0002_named_by_crosswalks_and_no_empty_iso_rows"
    )
    ds = m.MappingDataset.objects.get(key="olir-iso27001-2022")
    imported_digest = ds.content_digest
    # A database loaded before this release holds the entry as a row with no target.
    m.Mapping.objects.create(
        dataset=ds,
        source_code="GV.OC-01",
        target_code="",
        relationship="related_to",
        comment="The developer names no ISO/IEC 27001:2022 Annex A control for this element.",
        target_title="Annex A Controls:",
    )
    m.MappingDataset.objects.filter(pk=ds.pk).update(row_count=415, content_digest="old")
    m.Framework.objects.filter(key="cis-v8.1").update(named_by_crosswalks=False)

    migration.forwards(apps, None)

    ds.refresh_from_db()
    assert (ds.row_count, ds.rows.count()) == (414, 414)
    assert ds.content_digest == imported_digest  # the next load of the file is "unchanged"
    assert m.Framework.objects.get(key="cis-v8.1").named_by_crosswalks
