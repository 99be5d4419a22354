"""``evidence_items`` in profile files: read, written back as read, refused with its place."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
import yaml

from csfpilot.core.errors import InputRefused
from csfpilot.formats.native import dump_profile, parse_profile, schema_errors

SHA = "8eabaab5c9262a308b726ef82b1e6abc3814ad52ac39ea73e394130d13624877"

CITING = textwrap.dedent(
    f"""\
    format_version: 2
    framework: csf-2.0
    name: Plant 2
    scale: status
    outcomes:
      PR.AA-05:
        current: fully
        current_details:
          evidence: ["Access policy — sha256:{SHA}"]
          evidence_items:
            - {{id: 41, version: 3, sha256: {SHA.upper()}, title: Access policy, kind: policy,
               review: accepted, valid_until: 2027-03-31}}
        target_details:
          evidence_items: [{{id: 7, version: 1, sha256: {SHA}}}]
    """
)


def test_references_read_and_write_back_as_they_were():
    profile = parse_profile(CITING.encode(), name="p.yaml", fmt="yaml").profile
    entry = profile.outcomes["PR.AA-05"]
    [ref] = entry.current_details.evidence_items
    assert (ref.id, ref.version, ref.sha256, ref.title, ref.kind, ref.review, ref.valid_until) == (
        41,
        3,
        SHA,
        "Access policy",
        "policy",
        "accepted",
        date(2027, 3, 31),
    )
    assert [(r.id, r.title) for r in entry.target_details.evidence_items] == [(7, "")]
    written = dump_profile(profile, "yaml")
    doc = yaml.safe_load(written)
    assert doc["format_version"] == 2 and schema_errors(doc) == []
    assert doc["outcomes"]["PR.AA-05"]["current_details"]["evidence_items"][0]["sha256"] == SHA
    again = parse_profile(written.encode(), name="again.yaml", fmt="yaml").profile
    assert dump_profile(again, "yaml") == written
    # Without references the file stays version 1, which older releases read.
    plain = dump_profile(profile.without_entry(entry.outcome), "yaml")
    assert yaml.safe_load(plain)["format_version"] == 1


@pytest.mark.parametrize(
    ("ref", "field", "message"),
    [
        ("{id: 1, version: 1}", "current_details.evidence_items[0].sha256", "is required"),
        (
            "{id: 0, version: 1, sha256: " + SHA + "}",
            "current_details.evidence_items[0].id",
            "whole number from 1",
        ),
        (
            "{id: 1, version: 1, sha256: abc}",
            "current_details.evidence_items[0].sha256",
            "64 hexadecimal digits",
        ),
        (
            "{id: 1, version: 1, sha256: " + SHA + ", path: /etc/passwd}",
            "current_details.evidence_items[0].path",
            "unknown key 'path'",
        ),
        (
            "{id: 1, version: 1, sha256: " + SHA + ", valid_until: soon}",
            "current_details.evidence_items[0].valid_until",
            "YYYY-MM-DD",
        ),
    ],
)
def test_a_bad_reference_is_refused_naming_outcome_and_field(ref, field, message):
    text = textwrap.dedent(
        f"""\
        format_version: 2
        framework: csf-2.0
        name: x
        scale: status
        outcomes:
          PR.AA-05:
            current_details:
              evidence_items: [{ref}]
        """
    )
    with pytest.raises(InputRefused) as exc:
        parse_profile(text.encode(), name="bad.yaml", fmt="yaml")
    assert exc.value.element == "PR.AA-05" and exc.value.field == field
    assert message in exc.value.message


def test_the_file_commands_take_a_citing_file_without_a_library(tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text(CITING, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "csfpilot", "profile", "validate", str(path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
