"""The examples in docs/profile-format.md are real: they read, and say what they claim."""

from __future__ import annotations

import re
from pathlib import Path

from csfpilot.formats.native import parse_profile

DOC = Path(__file__).resolve().parents[2] / "docs" / "profile-format.md"


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text("utf-8"), flags=re.DOTALL)


def test_the_complete_example_reads():
    complete = next(b for b in yaml_blocks() if b.startswith("format_version: 1"))
    p = parse_profile(complete.encode(), name="doc.yaml", fmt="yaml").profile
    assert p.name == "Riverbend Clinics — whole organization"
    assert p.entry("GV.OC-01").current_details.references == ("SP 800-53 Rev. 5: PM-11",)
    assert p.actions[0].controls == ("IA-2(1)", "IA-2(2)")
    assert p.tiers.management.target == 2


def test_the_custom_scale_example_reads():
    block = next(b for b in yaml_blocks() if b.startswith("scale:"))
    text = "format_version: 1\nframework: csf-2.0\nname: Doc\n" + block
    scale = parse_profile(text.encode(), name="doc.yaml", fmt="yaml").profile.scale
    assert [(lv.key, str(lv.score)) for lv in scale.levels] == [
        ("none", "0"),
        ("half", "1/2"),
        ("done", "1"),
        ("skip", "None"),
    ]
