"""Headless Chromium: translations that came with another tool's copy of the Core, loaded by
the operator with ``csfpilot import-framework``, on NIST's element page in English and in
Traditional Chinese, each saying whose translation it is."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, running_server
from tests.e2e.test_first_steps import choose_language
from tests.foreign_core import foreign_library

SHOTS = ARTIFACTS / "core-copy-translations"
SOURCE = "NIST CSF 2.0 (vendor edition), Example Vendor (vendor.yaml)"


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of this module's own, whose catalog the operator adds translations to."""
    data_dir = tmp_path_factory.mktemp("translations-server")
    with running_server(data_dir) as url:
        library = data_dir / "vendor.yaml"
        library.write_bytes(foreign_library(faithful=True, translated=True))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
        env.update(CSFPILOT_DATA_DIR=str(data_dir), CSFPILOT_SECRET_KEY="e2e-only-not-a-secret")
        done = subprocess.run(
            [sys.executable, "-m", "csfpilot", "import-framework", str(library)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "translations csf-2.0 fr" in done.stdout
        yield url


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_element_page_shows_whose_translation_it_is(server_url, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server_url}/frameworks/csf-2.0/GV.OC-01")
    others = page.locator("details.translations")
    expect(others.locator("summary")).to_contain_text("Translations in other languages (2)")
    others.locator("summary").click()
    french = others.locator('p[lang="fr"]')
    expect(french).to_contain_text("La mission organisationnelle est comprise")
    expect(others).to_contain_text(f"Source: {SOURCE}")
    shoot(page, "element-en")

    choose_language(page, "zh-hant")
    page.goto(f"{server_url}/frameworks/csf-2.0/GV.OC-01")
    expect(page.locator('.nist-text[lang="zh-Hant-TW"]')).to_contain_text("組織的使命已被理解")
    expect(page.locator(".translation-note")).to_contain_text(SOURCE)
    expect(page.locator("details.translations summary")).to_contain_text("其他語言的譯文")
    page.locator("details.translations summary").click()
    shoot(page, "element-zh-hant")
