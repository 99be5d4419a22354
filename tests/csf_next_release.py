"""A made-up next CSF release, written from the shipped Reference Tool JSON, for move tests.

Not NIST's: GV.OC-01 reworded, GV.OC-05 withdrawn and moved to a new GV.OC-06, and
RC.CO-04 withdrawn without a destination. Everything else is CSF 2.0 as shipped.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

REWORDED = "The organizational mission is understood and guides cybersecurity risk management"


@cache
def _shipped() -> dict[str, Any]:
    from csfpilot.formats.nist.shipped import REFERENCE_TOOL_JSON, shipped_file

    return json.loads(shipped_file(REFERENCE_TOOL_JSON).read_text(encoding="utf-8"))


def _withdrawn(node: dict[str, Any], reason: str, targets: list[str]) -> None:
    node["elements"] = [
        {
            "elementIdentifier": f"WR-{node['elementIdentifier']}",
            "elementTypeIdentifier": "withdraw_reason",
            "title": "",
            "text": reason,
            "elements": [
                {
                    "elementIdentifier": t,
                    "elementTypeIdentifier": "subcategory",
                    "title": "",
                    "relationIdentifier": "moved_to",
                }
                for t in targets
            ],
        }
    ]
    node["externalRelationships"] = []


def next_release() -> bytes:
    doc = copy.deepcopy(_shipped())

    # Only CSF 2.0's own elements: the CSF 1.1 withdrawals belong to the release before.
    def strip(node: dict[str, Any]) -> None:
        node["elements"] = [
            c
            for c in node.get("elements", [])
            if not any(
                g.get("elementTypeIdentifier") == "withdraw_reason" for g in c.get("elements", [])
            )
        ]
        for c in node["elements"]:
            strip(c)

    for fn in doc["response"]["elements"]:
        strip(fn)
    by_id: dict[str, dict[str, Any]] = {}

    def index(node: dict[str, Any]) -> None:
        by_id[node["elementIdentifier"]] = node
        for c in node.get("elements", []):
            index(c)

    for fn in doc["response"]["elements"]:
        index(fn)
    by_id["GV.OC-01"]["text"] = REWORDED
    new = copy.deepcopy(by_id["GV.OC-05"])
    new["elementIdentifier"] = "GV.OC-06"
    new["elements"] = [e for e in new["elements"] if e["elementTypeIdentifier"] == "party"]
    new["externalRelationships"] = []
    by_id["GV.OC"]["elements"].append(new)
    _withdrawn(by_id["GV.OC-05"], "Moved to GV.OC-06", ["GV.OC-06"])
    _withdrawn(by_id["RC.CO-04"], "Incorporated into other Categories", [])
    return json.dumps(doc).encode()
