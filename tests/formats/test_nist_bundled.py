"""The files that ship with csfpilot, read and stored the way a fresh install does."""

from __future__ import annotations

import pytest

from csfpilot.formats.bundled import BUNDLED_SOURCES, read_bundled
from csfpilot.formats.nist.shipped import shipped_file


def test_every_bundled_source_ships():
    # The CSF files come first: other sources' mappings point at the CSF.
    assert [s.path for s in BUNDLED_SOURCES][:2] == [
        "nist-csf-2.0/csf-2.0-reference-tool-elements.json",
        "nist-csf-1.1/csf-pf-to-sp800-53r5-mappings.xlsx",
    ]
    for source in BUNDLED_SOURCES:
        assert shipped_file(source.path).is_file()


def test_read_bundled():
    bundle = read_bundled()
    catalogs = [(c.info.key, len(c)) for c in bundle.catalogs]
    assert catalogs[:5] == [
        ("csf-2.0", 134),
        ("cis-v8.0", 64),
        ("cis-v8.1", 65),
        ("iso27001-2022", 105),
        ("csf-1.1", 136),
    ]
    assert [(m.info.key, len(m.mappings)) for m in bundle.mapping_sets][:9] == [
        ("olir-sp800-53r5-5.1.1", 740),
        ("olir-sp800-53r5-5.2.0", 746),
        ("olir-cis-v8.0", 60),
        ("olir-cis-v8.1", 62),
        ("olir-iso27001-2022", 414),
        ("olir-csf-1.1-csf-2.0", 185),
        ("csf-2.0-sp800-53-families", 378),
        ("csf-1.1-to-csf-2.0-withdrawals", 139),
        ("csf-1.1-sp800-53r5", 552),
    ]
    keys = {c.info.key for c in bundle.catalogs}
    for ms in bundle.mapping_sets:
        assert ms.info.source_framework in keys, ms.info.key


@pytest.mark.django_db
def test_loading_the_bundle_again_changes_nothing():
    from csfpilot.webapp.catalog import models
    from csfpilot.webapp.catalog.services import load_bundle

    report = load_bundle(read_bundled(), bundled=True)
    assert report.created == []
    assert "csf-2.0" in report.unchanged and "csf-1.1-sp800-53r5" in report.unchanged
    csf = models.Framework.objects.get(key="csf-2.0")
    assert csf.node_count == 134
    withdrawals = models.MappingDataset.objects.get(key="csf-1.1-to-csf-2.0-withdrawals")
    assert withdrawals.row_count == 139
    linked = withdrawals.rows.filter(source__isnull=False).count()
    assert linked == 139  # every withdrawn CSF 1.1 element is a node of the stored csf-1.1
