"""Server time of catalog pages, search and API calls, in one process per database.

Usage: python -m bench.pages DATABASE_URL|-   → JSON list of timings on stdout.
"""

from __future__ import annotations

import json
import sys

from bench.environment import configure, fresh_schema
from bench.timing import measure

CATALOG_ROUTES = [
    ("CSF 2.0 Core tree page", "/frameworks/csf-2.0/"),
    ("SP 800-53 tree page (1,189 controls)", "/frameworks/sp800-53r5/"),
    ("element page GV.OC-01", "/frameworks/csf-2.0/GV.OC-01"),
    ("element page AC-2", "/frameworks/sp800-53r5/AC-2"),
    ("search page 'incident'", "/search?q=incident"),
    ("search API 'incident response'", "/api/search?q=incident+response"),
    ("API element GV.OC-01", "/api/frameworks/csf-2.0/nodes/GV.OC-01"),
    (
        "API crosswalk GV.OC-01 → SP 800-53",
        "/api/frameworks/csf-2.0/nodes/GV.OC-01/crosswalk?to=sp800-53r5",
    ),
]


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "-" else None
    configure(url)
    fresh_schema(url)
    from django.test import Client

    from csfpilot.webapp.catalog.services import ensure_bundled_catalogs

    ensure_bundled_catalogs()
    client = Client()
    out = []
    for name, path in CATALOG_ROUTES:
        first = client.get(path)
        if first.status_code != 200:
            raise SystemExit(f"{path} answered {first.status_code}")
        out.append(measure(name, lambda p=path: client.get(p)).row())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
