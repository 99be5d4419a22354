"""One full import of NIST's shipped files into an empty database, in its own process.

Prints JSON: seconds to read the files, seconds to store them, and the process's
peak resident memory. Run by bench/catalog.py in a subprocess so that each
measurement starts cold and the peak memory is this import's alone.
"""

from __future__ import annotations

import json
import resource
import sys
import time

from bench.environment import configure, fresh_schema


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "-" else None
    configure(url)
    fresh_schema(url)
    from csfpilot.formats.bundled import read_bundled
    from csfpilot.webapp.catalog.services import load_bundle

    t0 = time.perf_counter()
    bundle = read_bundled()
    t1 = time.perf_counter()
    report = load_bundle(bundle, bundled=True)
    t2 = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "read_s": round(t1 - t0, 3),
                "store_s": round(t2 - t1, 3),
                "total_s": round(t2 - t0, 3),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "created": len(report.created),
            }
        )
    )


if __name__ == "__main__":
    main()
