"""A small SP 800-53 release 5.2.0 catalog in NIST's OSCAL shape, for import tests.

NIST's 5.2.0 catalog is not shipped (it is over 4 MiB and no verified copy could be
obtained); the tests build its shape from the shipped 5.0.1 catalog instead: the
same metadata marked 5.2.0, the SA family, and the controls that NIST's CSF 2.0 ↔ SP
800-53 5.2.0 crosswalk (OLIR 186) names and release 5.0.1 lacks: SA-24, SA-15(13),
SI-2(7) (under SI-2, copied from 5.0.1) and IA-13. Their statements here are stand-ins,
not NIST's text.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

CATALOG_5_0_1 = "nist-sp800-53r5/oscal-5.0.1-2021/NIST_SP-800-53_rev5_catalog.json"
SA_24_FROM_CSF = ["GV.RM-03", "PR.PS-06", "PR.IR-03"]
# The 5.2.0 controls OLIR 186 names, and the CSF 2.0 Subcategories whose rows name them.
NEW_IN_5_2_0 = {
    "IA-13": ["PR.AA-04", "PR.AA-05"],
    "SA-15(13)": ["PR.PS-04", "PR.PS-06"],
    "SA-24": SA_24_FROM_CSF,
    "SI-2(7)": ["RS.AN-03"],
}


def _control(oscal_id: str, label: str, title: str) -> dict[str, Any]:
    return {
        "id": oscal_id,
        "class": "SP800-53-enhancement" if "." in oscal_id else "SP800-53",
        "title": title,
        "props": [{"name": "label", "value": label}, {"name": "sort-id", "value": oscal_id}],
        "parts": [
            {
                "id": f"{oscal_id}_smt",
                "name": "statement",
                "prose": f"Stand-in statement of {label} for import tests.",
            }
        ],
    }


@cache
def _shipped_catalog() -> dict[str, Any]:
    from csfpilot.formats.nist.shipped import shipped_file

    return json.loads(shipped_file(CATALOG_5_0_1).read_text(encoding="utf-8"))


def release_5_2_0_catalog() -> bytes:
    """A small catalog in NIST's OSCAL shape: the shipped catalog's metadata and its SA
    family, marked release 5.2.0, with SA-24 added as NIST's 5.2.0 added it."""
    doc = copy.deepcopy(_shipped_catalog())
    catalog = doc["catalog"]
    catalog["uuid"] = "0f6d4a52-9b0a-4d7c-8c39-5e8f9a3b2c10"
    catalog["metadata"]["version"] = "5.2.0"
    catalog["metadata"]["last-modified"] = "2025-08-27T00:00:00.000000-04:00"
    sa = next(g for g in catalog["groups"] if g["id"] == "sa")
    # Only the SA family is here: links to other families' controls would dangle.
    for control in [*sa["controls"], *(e for c in sa["controls"] for e in c.get("controls", []))]:
        links = [link for link in control.pop("links", []) if link["href"].startswith("#sa-")]
        if links:
            control["links"] = links
    sa["controls"].append(
        {
            "id": "sa-24",
            "class": "SP800-53",
            "title": "Design for Cyber Resiliency",
            "props": [
                {"name": "label", "value": "SA-24"},
                {"name": "sort-id", "value": "sa-24"},
            ],
            "parts": [
                {
                    "id": "sa-24_smt",
                    "name": "statement",
                    "prose": "Design systems so that they can anticipate, withstand, recover "
                    "from and adapt to adverse conditions.",
                }
            ],
        }
    )
    sa_15 = next(c for c in sa["controls"] if c["id"] == "sa-15")
    sa_15.setdefault("controls", []).append(_control("sa-15.13", "SA-15(13)", "Logging Syntax"))
    si = next(g for g in catalog["groups"] if g["id"] == "si")
    si_2 = copy.deepcopy(next(c for c in si["controls"] if c["id"] == "si-2"))
    si_2.pop("links", None)
    for enhancement in si_2.get("controls", []):
        enhancement.pop("links", None)
    si_2.setdefault("controls", []).append(_control("si-2.7", "SI-02(07)", "Root Cause Analysis"))
    ia = {
        "id": "ia",
        "class": "family",
        "title": "Identification and Authentication",
        "controls": [_control("ia-13", "IA-13", "Identity Providers and Authorization Servers")],
    }
    si = {"id": "si", "class": "family", "title": si["title"], "controls": [si_2]}
    catalog["groups"] = [ia, sa, si]
    catalog.pop("back-matter", None)
    return json.dumps(doc).encode()
