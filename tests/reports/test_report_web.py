"""Reports through the web app and the API: the demo organization produces every format,
the role decides who downloads and who changes the template, and refused uploads store nothing."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import docx
import openpyxl
import pypdf
import pytest
from django.test import Client
from PIL import Image

from csfpilot.webapp.config.api import api
from csfpilot.webapp.demo import DEMO_ORGANIZATION, ensure_demo
from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.profiles.models import Profile
from csfpilot.webapp.reports.models import ReportTemplate
from tests.webapp.profiles_world import make_user

pytestmark = pytest.mark.django_db
SLUG = DEMO_ORGANIZATION[1]


@pytest.fixture
def demo():
    org = ensure_demo()
    profile = Profile.objects.filter(organization=org, kind="organizational").order_by("pk").first()
    return org, profile


def member(org, role: str) -> Client:
    user = make_user(f"{role}@demo-members.test")
    Membership.objects.create(user=user, organization=org, role=role)
    client = Client()
    client.force_login(user)
    return client


def links(page: str) -> list[str]:
    found: list[str] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "a" and "data-format" in a:
                found.append(a["href"])

    P().feed(page)
    return found


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 12), (10, 90, 50)).save(out, format="PNG")
    return out.getvalue()


def test_the_demo_organization_produces_every_report_in_every_format(demo):
    org, profile = demo
    client = member(org, "owner")
    base = f"/orgs/{SLUG}/profiles/{profile.pk}/reports/"
    page = client.get(base)
    assert page.status_code == 200
    hrefs = links(page.content.decode())
    assert len(hrefs) == 9  # brief: 5 formats, workpaper: 4 (no DOCX)
    bodies = {}
    for href in hrefs:
        response = client.get(href)
        assert response.status_code == 200, href
        assert response["Content-Disposition"].startswith("attachment; filename=")
        bodies[href.rsplit("/", 1)[1]] = response.content
    assert set(bodies) == {
        "brief.html",
        "brief.pdf",
        "brief.xlsx",
        "brief.md",
        "brief.docx",
        "workpaper.html",
        "workpaper.pdf",
        "workpaper.xlsx",
        "workpaper.md",
    }
    html = bodies["brief.html"].decode()
    assert profile.name in html and "<script" not in html and "Example Manufacturing Co." in html
    # The demo has quarterly snapshots: the brief reports the change since the last one.
    assert "Since " in html
    pdf = pypdf.PdfReader(io.BytesIO(bodies["workpaper.pdf"]))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "GV.OC-01" in text and "SHA-256" in text
    wb = openpyxl.load_workbook(io.BytesIO(bodies["workpaper.xlsx"]))
    assert wb.sheetnames[:4] == ["Summary", "Profile", "Gaps", "Action plan"]
    assert bodies["brief.md"].decode().startswith("# Board brief: ")
    document = docx.Document(io.BytesIO(bodies["brief.docx"]))
    assert any(p.style.name == "Heading 1" for p in document.paragraphs)


def test_reports_honour_the_language_of_the_page(demo):
    org, profile = demo
    client = member(org, "assessor")
    client.cookies["django_language"] = "zh-hant"
    url = f"/orgs/{SLUG}/profiles/{profile.pk}/reports/brief.pdf"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hant")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    for word in ("董事會簡報", "治理", "網路安全風險治理"):
        assert word in text, word


@pytest.mark.parametrize(
    ("role", "page", "download"),
    [
        ("owner", 200, 200),
        ("assessor", 200, 200),
        ("auditor", 200, 200),
        ("contributor", 200, 403),
        ("viewer", 200, 403),
    ],
)
def test_who_may_download(demo, role, page, download):
    org, profile = demo
    client = member(org, role)
    base = f"/orgs/{SLUG}/profiles/{profile.pk}/reports/"
    response = client.get(base)
    assert response.status_code == page
    assert bool(links(response.content.decode())) == (download == 200)
    assert client.get(base + "brief.md").status_code == download
    api_url = f"/api/organizations/{SLUG}/profiles/{profile.pk}/reports/brief?format=md"
    assert client.get(api_url).status_code == download


def test_other_tenants_and_strangers_see_nothing(demo):
    _org, profile = demo
    stranger = make_user("someone@else.test")
    client = Client()
    client.force_login(stranger)
    assert client.get(f"/orgs/{SLUG}/profiles/{profile.pk}/reports/brief.pdf").status_code == 404
    api_url = f"/api/organizations/{SLUG}/profiles/{profile.pk}/reports/brief"
    assert client.get(api_url).status_code == 404
    anonymous = Client().get(f"/orgs/{SLUG}/profiles/{profile.pk}/reports/brief.pdf")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_unknown_kind_or_format_is_a_404(demo):
    org, profile = demo
    client = member(org, "owner")
    base = f"/orgs/{SLUG}/profiles/{profile.pk}/reports/"
    assert client.get(base + "minutes.pdf").status_code == 404
    assert client.get(base + "workpaper.docx").status_code == 404
    assert client.get(base + "brief.exe").status_code == 404


def test_the_api_returns_each_format_and_is_in_openapi(demo):
    org, profile = demo
    client = member(org, "auditor")
    url = f"/api/organizations/{SLUG}/profiles/{profile.pk}/reports/"
    xlsx = client.get(url + "workpaper?format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "Summary"
    assert client.get(url + "brief").content.startswith(b"%PDF")
    refused = client.get(url + "workpaper?format=docx")
    assert refused.status_code == 400
    assert "not made as DOCX" in refused.json()["detail"]
    schema = api.get_openapi_schema()
    op = schema["paths"]["/api/organizations/{slug}/profiles/{profile_id}/reports/{kind}"]["get"]
    assert "application/pdf" in op["responses"]["200"]["content"]
    params = {p["name"] for p in op["parameters"]}
    assert {"slug", "profile_id", "kind", "format", "lang"} <= params


def test_an_assessor_uploads_a_template_and_logo_that_every_report_then_uses(demo):
    org, profile = demo
    client = member(org, "assessor")
    base = f"/orgs/{SLUG}/profiles/{profile.pk}/reports/"
    template = io.BytesIO(
        b'{% extends "brief.html" %}{% block kind %}Board pack \xe2\x80\x94 confidential'
        b"{% endblock %}"
    )
    template.name = "board.html"
    logo = io.BytesIO(png())
    logo.name = "logo.png"
    response = client.post(
        base, {"template": template, "logo": logo, "primary": "#005a32", "accent": "#cc0000"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = ReportTemplate.objects.get(organization=org)
    assert stored.template_name == "board.html" and stored.logo_type == "image/png"
    html = client.get(base + "brief.html").content.decode()
    assert "Board pack — confidential" in html
    assert 'src="data:image/png;base64,' in html and "--primary: #005a32" in html
    # The same template serves the workpaper (it extends the brief, so it shows the brief).
    assert client.get(base + "workpaper.pdf").status_code == 200


@pytest.mark.parametrize(
    ("field", "content", "name", "message"),
    [
        ("template", b"<p>{% if x %}</p>", "broken.html", "broken.html"),
        ("template", b"<script>alert(1)</script>", "evil.html", "runs script"),
        ("template", b"<p>{{ meta.__class__ }}</p>", "sneaky.html", "template error"),
        ("template", b"\xff\xfe<p>", "latin.html", "not UTF-8"),
        ("logo", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "l.svg", "PNG"),
        ("logo", b"GIF89a" + b"\x00" * 40, "l.png", "PNG or JPEG"),
    ],
)
def test_refused_uploads_say_why_and_store_nothing(demo, field, content, name, message):
    org, profile = demo
    client = member(org, "owner")
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(
        f"/orgs/{SLUG}/profiles/{profile.pk}/reports/",
        {field: upload, "primary": "#112233", "accent": "#445566"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReportTemplate.objects.filter(organization=org).exists()


@pytest.mark.parametrize("role", ["viewer", "contributor", "auditor"])
def test_only_owners_and_assessors_change_the_template(demo, role):
    org, profile = demo
    client = member(org, role)
    response = client.post(
        f"/orgs/{SLUG}/profiles/{profile.pk}/reports/", {"primary": "#112233", "accent": "#445566"}
    )
    assert response.status_code == 403
    assert not ReportTemplate.objects.filter(organization=org).exists()
    assert (
        b'enctype="multipart/form-data"'
        not in client.get(f"/orgs/{SLUG}/profiles/{profile.pk}/reports/").content
    )


def test_the_web_app_offers_every_report_word_for_translation():
    from csfpilot.reports.words import CONTEXTS, ENGLISH
    from csfpilot.webapp.reports.words import MESSAGES

    plain = {text for key, text in ENGLISH.items() if key not in CONTEXTS}
    assert plain <= set(MESSAGES)
    assert set(MESSAGES) <= set(ENGLISH.values())


def test_an_html_report_opens_in_the_browser_under_its_own_policy(demo):
    from csfpilot.reports.safety import CSP

    org, profile = demo
    client = member(org, "auditor")
    base = f"/orgs/{SLUG}/profiles/{profile.pk}/reports/"
    page = client.get(base).content.decode()
    for kind in ("brief", "workpaper"):
        view = f'href="{base}{kind}.html?disposition=inline" target="_blank" rel="noopener"'
        assert view in page
        # The separate download link stays a download.
        assert f'href="{base}{kind}.html" download data-format="HTML"' in page

    viewed = client.get(base + "brief.html?disposition=inline")
    assert viewed.status_code == 200
    assert viewed["Content-Disposition"].startswith('inline; filename="whole-company')
    # The report's own policy (inline styles, data: images), not the app's, which forbids
    # inline styles and would leave the report unstyled; and a sandbox: no script, no origin.
    policy = viewed["Content-Security-Policy"]
    assert policy.startswith(CSP) and "style-src 'unsafe-inline'" in policy
    assert "sandbox" in policy and "frame-ancestors 'none'" in policy
    assert "'self'" not in policy
    assert viewed["X-Content-Type-Options"] == "nosniff"
    assert re.search(rb"<h1>(<span[^>]*>)?Whole company", viewed.content)
    downloaded = client.get(base + "brief.html")
    assert downloaded["Content-Disposition"].startswith("attachment; ")
    assert downloaded.content == viewed.content
    assert client.get(base + "brief.pdf?disposition=inline").status_code == 404
    assert client.get(base + "brief.html?disposition=embed").status_code == 404

    api = f"/api/organizations/{SLUG}/profiles/{profile.pk}/reports/brief"
    inline = client.get(api + "?format=html&disposition=inline")
    assert inline.status_code == 200 and inline["Content-Disposition"].startswith("inline; ")
    assert inline["Content-Security-Policy"] == policy
    assert client.get(api + "?format=html")["Content-Disposition"].startswith("attachment; ")
    refused = client.get(api + "?format=pdf&disposition=inline")
    assert refused.status_code == 400
    assert "open in the browser" in refused.json()["detail"]
    op = api_schema_operation()
    assert "disposition" in {p["name"] for p in op["parameters"]}


def api_schema_operation() -> dict:
    schema = api.get_openapi_schema()
    return schema["paths"]["/api/organizations/{slug}/profiles/{profile_id}/reports/{kind}"]["get"]
