"""A profile on a framework other than CSF 2.0: its export passes the file commands' checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csfpilot.webapp.profiles import exchange, services
from tests.cli.test_profile_cli import csfpilot
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("framework", ["cis-v8.1", "csf-1.1"])
def test_an_exported_profile_on_another_shipped_framework_validates_and_scores(
    world: World, tmp_path: Path, framework: str
):
    access = world.access("owner")
    row = services.create_profile(access, name="Controls", framework=framework)
    path = tmp_path / "controls.yaml"
    path.write_text(exchange.export_profile_file(access, row.pk), encoding="utf-8")
    checked = csfpilot("profile", "validate", path.name, "--json", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (result,) = json.loads(checked.stdout)
    assert (result["valid"], result["errors"]) == (True, [])
    outcomes = {"cis-v8.1": 49, "csf-1.1": 108}[framework]
    assert result["outcomes"] == outcomes
    scored = csfpilot("profile", "score", path.name, "--json", cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    assert "written for" not in scored.stdout + scored.stderr


def test_a_framework_not_shipped_is_named(tmp_path: Path):
    path = tmp_path / "own.yaml"
    path.write_text("format_version: 1\nframework: acme-controls-1\nname: x\nscale: status\n")
    checked = csfpilot("profile", "validate", path.name, "--json", cwd=tmp_path)
    assert checked.returncode == 1
    (result,) = json.loads(checked.stdout)
    assert "csfpilot ships no framework 'acme-controls-1' for profile files" in result["error"]
