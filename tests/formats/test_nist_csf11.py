"""The CSF 1.1 Core and NIST's CSF 1.1 → SP 800-53 Rev. 5 mappings."""

from __future__ import annotations

import collections
import re

import openpyxl

from csfpilot.core.ids import sp800_53_canonical
from csfpilot.formats.nist.csf11 import SP800_53_R5_FAMILIES

from .conftest import CSF11


def _raw_rows():
    wb = openpyxl.load_workbook(CSF11, read_only=True, data_only=True)
    try:
        return list(wb["CSF to SP 800-53r5"].iter_rows(min_row=3, values_only=True))
    finally:
        wb.close()


def test_counts(csf11_bundle):
    csf = csf11_bundle.catalogs[0]
    assert csf.info.key == "csf-1.1"
    assert csf.info.version == "1.1"
    assert csf.info.publisher == "National Institute of Standards and Technology (NIST)"
    assert csf.info.source_file == "csf-pf-to-sp800-53r5-mappings.xlsx"
    assert [len(csf.at_level(level)) for level in csf.info.levels] == [5, 23, 108]
    assert [n.code for n in csf.at_level("function")] == ["ID", "PR", "DE", "RS", "RC"]
    assert [n.title for n in csf.at_level("function")] == [
        "Identify", "Protect", "Detect", "Respond", "Recover"
    ]  # fmt: skip


def test_every_subcategory_is_nists(csf11_bundle):
    csf = csf11_bundle.catalogs[0]
    raw = [r[2] for r in _raw_rows() if r[2]]
    assert len(raw) == 108
    ours = [f"{n.code}: {n.text}" for n in csf.at_level("subcategory")]
    assert ours == [
        " ".join(r.split(": ", 1)[0].split()) + ": " + r.split(": ", 1)[1].strip() for r in raw
    ]
    assert csf.get("ID.AM-1").text == (
        "Physical devices and systems within the organization are inventoried"
    )
    assert csf.get("ID.AM-1").parent == "ID.AM"
    assert csf.get("ID.AM-01") is None


def test_categories_keep_title_and_description(csf11_bundle):
    csf = csf11_bundle.catalogs[0]
    sc = csf.get("ID.SC")
    assert sc.title == "Supply Chain Risk Management"
    assert sc.text.startswith("The organization’s priorities, constraints, risk tolerances")
    assert csf.get("PR.AC").title == "Identity Management, Authentication and Access Control"
    assert [n.code for n in csf.at_level("category") if n.parent == "DE"] == [
        "DE.AE", "DE.CM", "DE.DP"
    ]  # fmt: skip


def test_mappings_match_the_control_column(csf11_bundle):
    (ms,) = csf11_bundle.mapping_sets
    assert ms.info.key == "csf-1.1-sp800-53r5"
    assert (ms.info.source_framework, ms.info.target_framework) == ("csf-1.1", "sp800-53r5")
    explicit = collections.Counter()
    for row in _raw_rows():
        if not row[2]:
            continue
        code = row[2].split(":", 1)[0].strip()
        for token in re.split(r",", row[3] or ""):
            control = sp800_53_canonical(token)
            if control:
                explicit[(code, control)] += 1
    ours = collections.Counter((m.source, m.target) for m in ms.mappings if not m.comment)
    assert ours == explicit
    assert sum(explicit.values()) == 495
    by = collections.defaultdict(list)
    for m in ms.mappings:
        by[m.source].append(m.target)
    assert by["ID.AM-1"] == ["CM-8", "PM-5"]
    assert len({m.source for m in ms.mappings}) == 108


def test_all_first_controls_expand_to_every_family(csf11_bundle):
    (ms,) = csf11_bundle.mapping_sets
    expanded = [m for m in ms.mappings if m.comment]
    gv1 = [m.target for m in expanded if m.source == "ID.GV-1"]
    assert gv1 == [f"{f}-1" for f in SP800_53_R5_FAMILIES]
    assert len(SP800_53_R5_FAMILIES) == 20
    dp2 = [m.target for m in ms.mappings if m.source == "DE.DP-2"]
    assert dp2.count("CA-1") == 1 and dp2.count("SI-1") == 1 and dp2.count("SR-1") == 1
    assert len(dp2) == 9 + 17
    assert len(ms.mappings) == 495 + 20 + 20 + 17
