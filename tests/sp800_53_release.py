"""A small SP 800-53 release 5.2.0 catalog in NIST's OSCAL shape, for import tests.

NIST's 5.2.0 catalog is not shipped (it is over 4 MiB and no verified copy could be
obtained); the tests build its shape from the shipped 5.0.1 catalog instead: the
same metadata marked 5.2.0, the SA family, and SA-24, which release 5.2.0 added.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

CATALOG_5_0_1 = "nist-sp800-53r5/oscal-5.0.1-2021/NIST_SP-800-53_rev5_catalog.json"
SA_24_FROM_CSF = ["GV.RM-03", "PR.PS-06", "PR.IR-03"]


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
    catalog["groups"] = [sa]
    catalog.pop("back-matter", None)
    return json.dumps(doc).encode()
