"""Reports opened from disk in headless Chromium, as an auditor opens a download: with the
renderer's policy nothing runs and nothing outside is requested, even for markup that the
check refuses; with the policy a template could set before the fix, the same markup runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from csfpilot.formats.native import read_profile
from csfpilot.formats.native.reference import bundled_reference
from csfpilot.reports.html import CUSTOM, _environment, context, render_html
from csfpilot.reports.limits import RenderLimits, limited
from csfpilot.reports.model import Provenance, build_report
from csfpilot.reports.safety import POLICY_META, with_policy
from tests.reports.bypass_corpus import BODY, OUTSIDE, STYLE, in_body, in_style

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "profile-riverbend-clinics.yaml"


@pytest.fixture(scope="module")
def brief():
    reference = bundled_reference()
    profile = read_profile(
        EXAMPLE, framework=reference.framework, withdrawals=reference.withdrawals
    ).profile
    i = reference.catalog.info
    return build_report(
        profile,
        reference.framework,
        kind="brief",
        provenance=Provenance(
            i.key, i.name, i.version, i.publisher, i.source_file, i.source_sha256
        ),
        today=date(2026, 3, 2),
        generated=datetime(2026, 3, 2, 10, 30, tzinfo=UTC),
    )


def unchecked(report, template: str) -> str:
    """What the template renders to before the check: as if a bypass had got through."""
    with limited(RenderLimits()):
        return _environment(template).get_template(CUSTOM).render(context(report))


def open_report(browser, path: Path) -> dict[str, object]:
    """Open a saved report; the outside requests it made and how often its script ran.

    A request the page's policy blocks still shows in Chromium's request events (DevTools
    lists it as "blocked:csp"); only one that gets past the policy reaches the router, which
    is where an outside request is counted (and aborted: the test machine has no internet).
    """
    ctx = browser.new_context()
    page = ctx.new_page()
    outside: list[str] = []
    dialogs: list[str] = []

    def leave(route) -> None:
        outside.append(route.request.url)
        route.abort()

    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.route("http*://**/*", leave)
    page.goto(path.as_uri())
    page.wait_for_timeout(150)
    # Hover and focus everything, so that handlers waiting for an event get their chance.
    page.mouse.move(200, 200)
    page.mouse.move(400, 300)
    try:
        ran = page.evaluate("window.ran || 0")
    except Exception:  # the page navigated away (meta refresh): it ran nothing of its own
        ran = 0
    ctx.close()
    return {"outside": outside, "ran": ran + len(dialogs)}


BYPASSES = [(k, in_body(m)) for k, m in BODY] + [(k, in_style(c)) for k, c in STYLE]
# A meta refresh is a navigation, which no Content-Security-Policy directive governs: only the
# check stands in its way (tests/reports/test_template_safety.py refuses it).
ONLY_THE_CHECK = {"meta-refresh"}


def test_with_the_renderers_policy_no_bypass_runs_or_fetches(browser, brief, tmp_path):
    results = {}
    for key, template in BYPASSES:
        if key in ONLY_THE_CHECK:
            continue
        saved = tmp_path / f"{key}.html"
        saved.write_text(with_policy(unchecked(brief, template)))
        results[key] = open_report(browser, saved)
    ran = {k: r["ran"] for k, r in results.items() if r["ran"]}
    fetched = {k: r["outside"] for k, r in results.items() if r["outside"]}
    assert ran == {} and fetched == {}, (ran, fetched)


def test_with_a_policy_set_by_the_template_the_finding_runs_and_fetches(browser, brief, tmp_path):
    # The control: the page as the old renderer wrote it, the template's policy in place of
    # the report's. It shows the harness sees script runs and outside requests.
    weak = "default-src * 'unsafe-inline'"
    template = in_body(dict(BODY)["svg-style-img"])
    page = unchecked(brief, template).replace(
        "<head>", f'<head><meta http-equiv="Content-Security-Policy" content="{weak}">', 1
    )
    saved = tmp_path / "old.html"
    saved.write_text(page)
    result = open_report(browser, saved)
    assert result["ran"] >= 1
    assert any(url.startswith(OUTSIDE) for url in result["outside"])


def test_an_accepted_template_that_sets_csp_runs_nothing_and_fetches_nothing(
    browser, brief, tmp_path
):
    template = (
        '{% set csp = "default-src * \'unsafe-inline\'" %}{% extends "brief.html" %}'
        '{% block intro %}<p class="intro" style="color: #005a32">Prepared by the CISO.</p>'
        "{% endblock %}"
    )
    page = render_html(brief, template=template)
    assert POLICY_META in page
    saved = tmp_path / "brief.html"
    saved.write_text(page)
    result = open_report(browser, saved)
    assert result == {"outside": [], "ran": 0}
