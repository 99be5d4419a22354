"""Regenerate the OpenSCAP samples on this machine (see PROVENANCE.md).

    .venv/bin/python tests/data/scanners/make_oscap_samples.py

SSG's Debian 11 XCCDF is reduced to the standard profile's rules without platform
conditions (so that the rules are evaluated here, whatever the Debian release) and without
long prose, then evaluated by oscap into an XCCDF result and, through a composed data
stream, an ARF whose OVAL parts are then dropped to keep the file small.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lxml import etree

SSG = Path("/usr/share/xml/scap/ssg/content")
HERE = Path(__file__).resolve().parent
PROFILE = "xccdf_org.ssgproject.content_profile_standard"
X = "{http://checklists.nist.gov/xccdf/1.2}"
NS = {
    "arf": "http://scap.nist.gov/schema/asset-reporting-format/1.1",
    "ds": "http://scap.nist.gov/schema/scap/source/1.2",
    "oval": "http://oval.mitre.org/XMLSchema/oval-definitions-5",
    "ovalres": "http://oval.mitre.org/XMLSchema/oval-results-5",
    "core": "http://scap.nist.gov/schema/reporting-core/1.1",
}


def prune(source: Path, target: Path) -> None:
    tree = etree.parse(source)
    root = tree.getroot()
    profile = root.find(f"{X}Profile[@id='{PROFILE}']")
    selects = profile.findall(f"{X}select")
    selected = {s.get("idref") for s in selects if s.get("selected") == "true"}
    for other in [p for p in root.iter(f"{X}Profile") if p is not profile]:
        other.getparent().remove(other)
    for el in list(root.iter(f"{X}platform")):
        el.getparent().remove(el)
    for rule in [r for r in root.iter(f"{X}Rule") if r.get("id") not in selected]:
        rule.getparent().remove(rule)
    changed = True
    while changed:
        empty = [g for g in root.iter(f"{X}Group") if g.find(f".//{X}Rule") is None]
        changed = bool(empty)
        for group in empty:
            group.getparent().remove(group)
    for tag in ("description", "rationale", "warning", "fix", "fixtext"):
        for el in list(root.iter(f"{X}{tag}")):
            if el.getparent().tag != f"{X}Benchmark":
                el.getparent().remove(el)
    tree.write(target, xml_declaration=True, encoding="UTF-8")


def trim_arf(source: Path, target: Path) -> None:
    tree = etree.parse(source)
    root = tree.getroot()
    dropped = set()
    for comp in root.xpath("//ds:component[oval:oval_definitions]", namespaces=NS):
        dropped.add(comp.get("id"))
        comp.getparent().remove(comp)
    for report in root.xpath("//arf:report[arf:content/ovalres:oval_results]", namespaces=NS):
        dropped.add(report.get("id"))
        report.getparent().remove(report)
    for rel in root.xpath("//core:relationship", namespaces=NS):
        refs = {r.text.strip() for r in rel.xpath("core:ref", namespaces=NS) if r.text}
        if refs & dropped or rel.get("subject") in dropped:
            rel.getparent().remove(rel)
    tree.write(target, xml_declaration=True, encoding="UTF-8")


def oscap(*args: str | Path, cwd: Path) -> None:
    done = subprocess.run(["oscap", *map(str, args)], cwd=cwd, capture_output=True, text=True)
    if done.returncode not in (0, 2):  # 2: some rule failed
        sys.exit(done.stderr)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(SSG / "ssg-debian11-oval.xml", work)
        prune(SSG / "ssg-debian11-xccdf.xml", work / "ssg-debian11-standard-xccdf.xml")
        oscap("xccdf", "eval", "--profile", PROFILE, "--results", "xccdf-results.xml",
              "ssg-debian11-standard-xccdf.xml", cwd=work)  # fmt: skip
        oscap("ds", "sds-compose", "ssg-debian11-standard-xccdf.xml", "ds.xml", cwd=work)
        oscap("xccdf", "eval", "--profile", PROFILE, "--results-arf", "arf-full.xml", "ds.xml",
              cwd=work)  # fmt: skip
        shutil.copy(work / "xccdf-results.xml", HERE / "oscap-debian11-standard-xccdf.xml")
        trim_arf(work / "arf-full.xml", HERE / "oscap-debian11-standard-arf.xml")


if __name__ == "__main__":
    main()
