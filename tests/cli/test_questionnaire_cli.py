"""Supplier questionnaires between two instances from the command line: two data folders,
real ``csfpilot`` processes, packages as files between them.

The buyer's supplier and questionnaire are made through the services (there is no
command for the register); everything else is ``csfpilot questionnaire`` and ``csfpilot
keys``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli.test_sector_exchange_cli import _instance, _json

PASSWORD = "a long passphrase for tests 42\n"
NOTE = "cli-private-note-7120"
PROFILE = f"""format_version: 1
framework: csf-2.0
name: Plant 2
scale: status
outcomes:
  GV.SC-05: {{current: largely, target: fully, notes: "{NOTE}"}}
  PR.AA-03: {{current: fully, target: fully}}
"""
SEED = """
import json, django
django.setup()
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.suppliers import services

owner = get_user_model().objects.get(email="owner@buyer.test")
access = require(owner, "buyer", Permission.VIEW)
s = services.create_supplier(access, {
    "name": "Acme Taiwan", "data_access": "personal", "system_access": "none",
    "requirements": "GV.SC-05 fully\\nPR.AA-03 fully\\nDE.CM-01 largely",
})
q = services.send_questionnaire(access, s.pk, due=timezone.localdate() + timedelta(days=20))
print(json.dumps({"questionnaire": q.pk}))
"""


def _seed(tmp: Path) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="csfpilot.webapp.config.settings",
        CSFPILOT_DATA_DIR=str(tmp / "buyer"),
        CSFPILOT_SECRET_KEY="buyer-test-only-not-a-secret",
    )
    done = subprocess.run(
        [sys.executable, "-c", SEED], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])["questionnaire"]


def test_a_questionnaire_answered_and_returned_between_two_data_folders(tmp_path):
    buyer, supplier = _instance(tmp_path, "buyer"), _instance(tmp_path, "supplier")
    for run, slug in ((buyer, "buyer"), (supplier, "acme")):
        run("accounts", "create", f"owner@{slug}.test", "--password-stdin", stdin=PASSWORD)
        run("org", "create", slug.title(), "--owner", f"owner@{slug}.test", "--slug", slug)
    profile = tmp_path / "plant2.yaml"
    profile.write_text(PROFILE)
    supplier("profile", "import", profile, "--org", "acme")
    questionnaire = _seed(tmp_path)

    sent = tmp_path / "q.csfpkg.json"
    buyer("questionnaire", "send", "--org", "buyer", "--questionnaire", questionnaire, "-o", sent)
    refused = supplier("questionnaire", "receive", sent, "--org", "acme", ok=False)
    assert refused.returncode != 0 and "not a trusted key" in refused.stderr
    buyer_fp = _json(buyer("keys", "show", "--org", "buyer", "--json"))["keys"][0]["fingerprint"]
    supplier("keys", "trust", buyer_fp, "--org", "acme", "--name", "Buyer")
    got = _json(supplier("questionnaire", "receive", sent, "--org", "acme", "--json"))
    assert got["trusted"] and [r["code"] for r in got["rows"]] == [
        "GV.SC-05",
        "PR.AA-03",
        "DE.CM-01",
    ]
    rid = str(got["id"])

    answered = _json(
        supplier("questionnaire", "answer", rid, "--org", "acme", "--profile", "Plant 2", "--json")
    )
    rows = {r["code"]: r for r in answered["rows"]}
    assert rows["GV.SC-05"]["answer"] == "largely" and rows["GV.SC-05"]["below_target"]
    assert rows["DE.CM-01"]["in_profile"] is False
    incomplete = supplier("questionnaire", "return", rid, "--org", "acme", ok=False)
    assert incomplete.returncode != 0 and "DE.CM-01" in incomplete.stderr
    supplier("questionnaire", "answer", rid, "--org", "acme", "--set", "DE.CM-01=partially")
    preview = _json(
        supplier(
            "questionnaire",
            "return",
            rid,
            "--org",
            "acme",
            "--level",
            "no-text",
            "--preview",
            "--json",
        )
    )
    answer = tmp_path / "a.csfpkg.json"
    supplier("questionnaire", "return", rid, "--org", "acme", "--level", "no-text", "-o", answer)
    data = answer.read_bytes()
    assert NOTE.encode() not in data
    shown = {(r["member"], r["field"]) for r in preview}
    checked = _json(
        buyer("questionnaire", "import-answer", answer, "--org", "buyer", "--preview", "--json")
    )
    assert {(r["member"], r["field"]) for r in checked["listing"]} == shown
    assert checked["importable"] and checked["trusted"] is False

    untrusted = buyer("questionnaire", "import-answer", answer, "--org", "buyer", ok=False)
    assert untrusted.returncode != 0 and "not a trusted key" in untrusted.stderr
    supplier_fp = _json(supplier("keys", "show", "--org", "acme", "--json"))["keys"][0][
        "fingerprint"
    ]
    buyer("keys", "trust", supplier_fp, "--org", "buyer", "--name", "Acme Taiwan")
    stored = _json(
        buyer(
            "questionnaire",
            "import-answer",
            answer,
            "--org",
            "buyer",
            "--questionnaire",
            str(questionnaire),
            "--json",
        )
    )
    assert stored["state"] == "submitted" and stored["trusted"] is True
    assert stored["key_pinned"] == supplier_fp and stored["risk_rating"] != "unknown"
    replay = buyer("questionnaire", "import-answer", answer, "--org", "buyer", ok=False)
    assert replay.returncode != 0 and "replay" in replay.stderr
