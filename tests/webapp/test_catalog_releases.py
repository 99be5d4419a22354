"""SP 800-53 releases: the shipped catalog is 5.0.1, NIST's crosswalks were made for 5.1.1
and 5.2.0.

Controls that only a later release defines (SA-24, SA-15(13), SI-2(7), IA-13) have a
page of their own, each crosswalk row says which release it refers to, an element's
rows to one framework are one table with a release filter, and importing release
5.2.0 links the rows to its controls. The session fixture has loaded every bundled
NIST file; each test runs in a transaction that is rolled back.
"""

from __future__ import annotations

import re

import pytest

from csfpilot.formats.detect import read_framework_file
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.catalog.services import load_bundle
from tests.sp800_53_release import NEW_IN_5_2_0, SA_24_FROM_CSF, release_5_2_0_catalog

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i : text.index(end, i + len(start))]


# --- family counts ---


def test_family_counts_add_up_to_the_header(client):
    body = html(client.get("/frameworks/sp800-53r5/"))
    header = between(body, '<ul class="stat-list">', "</ul>")
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", header)).strip() == (
        "20 Families 298 Controls (+24 withdrawn) 709 Enhancements (+158 withdrawn)"
    )
    families = re.findall(
        r'<span class="code-badge">([A-Z]{2})</span>.*?<span class="muted">(\d+) Controls?'
        r'(?: <span class="withdrawn-count">\(\+(\d+) withdrawn\)</span>)?</span></summary>',
        body,
    )
    counts = {code: (int(active), int(withdrawn or 0)) for code, active, withdrawn in families}
    assert len(counts) == 20
    assert counts["AC"] == (23, 2)
    assert counts["SA"] == (16, 7)
    assert counts["PM"] == (32, 0)
    assert sum(a for a, _ in counts.values()) == 298
    assert sum(w for _, w in counts.values()) == 24


# --- a control that a later release added ---


def test_a_control_of_a_later_release_has_a_page_with_its_release_and_rows(client):
    response = client.get("/frameworks/sp800-53r5/SA-24")
    assert response.status_code == 200
    body = html(response)
    assert '<h1><span class="code-badge">SA-24</span></h1>' in body
    assert "Release 5.2.0" in body
    assert (
        "Load NIST SP 800-53 Rev. 5 Security and Privacy Controls release 5.2.0 to see its text"
        in body
    )
    assert "The catalog loaded here is release 5.0.1, which does not have it" in body
    assert "csfpilot import-framework NIST_SP-800-53_rev5_catalog.json --version 5.2.0" in body
    table = between(body, 'id="ref-csf-2.0-in"', "</details>")
    assert re.findall(r'<a href="/frameworks/csf-2.0/([A-Z.\-0-9]+)">', table) == SA_24_FROM_CSF
    assert table.count('<td class="ref-release">5.2.0</td>') == 3
    assert '<a href="/crosswalks/olir-sp800-53r5-5.2.0/">' in table


@pytest.mark.parametrize(
    ("code", "release", "sources"),
    [
        ("IA-13", "5.1.1", ["PR.AA-04", "PR.AA-05"]),
        ("SA-15(13)", "5.2.0", ["PR.PS-04", "PR.PS-06"]),
        ("SI-2(7)", "5.2.0", ["RS.AN-03"]),
    ],
)
def test_every_id_the_crosswalks_name_beyond_5_0_1_has_a_page(client, code, release, sources):
    response = client.get(f"/frameworks/sp800-53r5/{code}")
    assert response.status_code == 200
    assert response.context["pending"].release == release
    [table] = response.context["tables"]
    assert [r.code for r in table.rows] == sources


def test_other_spellings_of_such_an_id_redirect_to_its_page(client):
    response = client.get("/frameworks/sp800-53r5/SI-02(07)")
    assert response.status_code == 301
    assert response["Location"] == "/frameworks/sp800-53r5/SI-2(7)"


def test_an_id_no_crosswalk_names_is_still_not_found(client):
    assert client.get("/frameworks/sp800-53r5/SA-99").status_code == 404


# --- one table per framework, with the release of each row ---


def test_element_page_has_one_sp800_53_table_and_a_release_filter(client):
    everything = client.get("/frameworks/csf-2.0/PR.AA-05").context["page"].reference_tables
    [sp] = [t for t in everything if t.key == "sp800-53r5"]
    assert sp.releases == ["5.1.1", "5.2.0"] and sp.release == ""
    codes = {r.code: r.releases for r in sp.rows}
    assert len(codes) == len(sp.rows)  # each control once, however many crosswalks give it
    assert codes["IA-13"] == ["5.1.1", "5.2.0"]
    assert codes["AC-2"] == ["5.1.1", "5.2.0"]

    for release in ("5.1.1", "5.2.0"):
        response = client.get(f"/frameworks/csf-2.0/PR.AA-05?release={release}")
        [narrowed] = [t for t in response.context["page"].reference_tables if t.key == sp.key]
        assert narrowed.release == release
        assert narrowed.total == sp.total
        assert [r.code for r in narrowed.rows] == [r for r, rs in codes.items() if release in rs]
        body = html(response)
        nav = between(body, '<nav class="release-filter"', "</nav>")
        assert f'<a href="?release={release}#ref-sp800-53r5" aria-current="true">' in nav


# --- importing release 5.2.0 ---


def test_importing_release_5_2_0_links_the_rows_that_name_its_controls(client):
    bundle = read_framework_file(
        release_5_2_0_catalog(), name="sp800-53-5.2.0.json", version="5.2.0"
    )
    report = load_bundle(bundle)
    assert report.created == ["sp800-53r5.2.0"]
    new = m.Framework.objects.get(key="sp800-53r5.2.0")
    assert (new.family, new.version) == ("sp800-53", "5.2.0")

    rows = m.Mapping.objects.filter(dataset__key="olir-sp800-53r5-5.2.0", target_code="SA-24")
    assert sorted(r.source_code for r in rows) == sorted(SA_24_FROM_CSF)
    assert {(r.target.framework.key, r.target.code) for r in rows} == {("sp800-53r5.2.0", "SA-24")}
    # Rows of the 5.2.0 crosswalk name the 5.2.0 release of the controls it has...
    sa_11 = m.Mapping.objects.filter(dataset__key="olir-sp800-53r5-5.2.0", target_code="SA-11")
    assert {r.target.framework.key for r in sa_11} == {"sp800-53r5.2.0"}
    # ...the 5.1.1 crosswalk and controls this small catalog lacks stay where they were.
    old = m.Mapping.objects.filter(dataset__key="olir-sp800-53r5-5.1.1", target_code="SA-11")
    assert {r.target.framework.key for r in old} == {"sp800-53r5"}
    pm_11 = m.Mapping.objects.filter(dataset__key="olir-sp800-53r5-5.2.0", target_code="PM-11")
    assert {r.target.framework.key for r in pm_11} == {"sp800-53r5"}

    # The page that stood in for SA-24 now leads to it, and it shows the rows.
    response = client.get("/frameworks/sp800-53r5/SA-24")
    assert response.status_code == 302
    assert response["Location"] == "/frameworks/sp800-53r5.2.0/SA-24"
    body = html(client.get("/frameworks/sp800-53r5.2.0/SA-24"))
    assert '<span lang="en">Design for Cyber Resiliency</span>' in body
    table = between(body, 'id="ref-csf-2.0-in"', "</details>")
    assert re.findall(r'<a href="/frameworks/csf-2.0/([A-Z.\-0-9]+)">', table) == SA_24_FROM_CSF
    # From the CSF side the row links to the imported control.
    body = html(client.get("/frameworks/csf-2.0/GV.RM-03"))
    sp = between(body, 'id="ref-sp800-53r5"', "</details>")
    assert '<a href="/frameworks/sp800-53r5.2.0/SA-24">SA-24</a>' in sp
    assert "not in the loaded release" not in sp


def test_a_later_release_comes_in_under_its_own_key_without_being_told():
    bundle = read_framework_file(release_5_2_0_catalog(), name="sp800-53-5.2.0.json")
    assert load_bundle(bundle).created == ["sp800-53r5.2.0"]
    linked = {
        code: sorted(
            (r.source_code, r.target.framework.key)
            for r in m.Mapping.objects.filter(
                dataset__key="olir-sp800-53r5-5.2.0", target_code=code
            ).select_related("target__framework")
        )
        for code in NEW_IN_5_2_0
    }
    assert linked == {
        code: sorted((csf, "sp800-53r5.2.0") for csf in sources)
        for code, sources in NEW_IN_5_2_0.items()
    }
    # Profiles and crosswalks on the shipped release keep it.
    assert m.Framework.objects.get(key="sp800-53r5").version == "5.0.1"
