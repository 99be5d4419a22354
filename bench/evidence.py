"""Server time of the evidence pages and the dashboard's evidence panel, on the data set.

The data set (bench/dataset.py, 1,000 organizations by default) gets 50 evidence
items per organization, each linked to one to three outcomes and mostly reviewed
(bench/evidence_data.py); the demo organization's profile is the one measured.
"Evidence coverage" is the dashboard's evidence panel alone (every outcome's state,
coverage per Function, what expires), timed in-process; the pages are timed by their
Server-Timing header like the other suites.

Usage: python -m bench.evidence DATABASE_URL|- [--orgs N] [--seed S] [--data SAVED]
       → JSON list of timings on stdout.
"""

from __future__ import annotations

import json
import sys
import time

from bench.dataset import prepare, suite_arguments
from bench.environment import configure
from bench.evidence_data import add_evidence
from bench.timing import measure


def _elapsed_ms(call):
    def timed():
        started = time.perf_counter()
        call()
        return (time.perf_counter() - started) * 1000

    return timed


def main() -> None:
    args = suite_arguments("python -m bench.evidence").parse_args()
    url = None if args.database_url == "-" else args.database_url
    configure(url)
    from django.test import Client

    from csfpilot.webapp.evidence import dashboard_panel, outcome_panel
    from csfpilot.webapp.organizations.permissions import require
    from csfpilot.webapp.organizations.roles import Permission

    data = prepare(url, args.orgs, args.seed, args.data)
    added = add_evidence(seed=args.seed)
    print(json.dumps(added), file=sys.stderr)
    user, profile = data.user, data.profile
    slug, pid = profile.organization.slug, profile.pk
    access = require(user, slug, Permission.VIEW)

    def coverage_panel():
        states = outcome_panel.states(profile)
        return dashboard_panel.panel(access, profile, states)

    out = [
        measure(
            "evidence coverage (the dashboard's panel, in-process)",
            _elapsed_ms(coverage_panel),
            reader=lambda ms: ms,
        ).row()
    ]
    client = Client()
    client.force_login(user)
    page = f"/orgs/{slug}/profiles/{pid}"
    reads = [
        ("dashboard page with the evidence panel", f"{page}/dashboard/"),
        ("questionnaire page with the outcome's evidence", f"{page}/assess/?outcome=GV.OC-01"),
        ("evidence library page (50 items)", f"/orgs/{slug}/evidence/"),
        ("evidence due page (90 days)", f"/orgs/{slug}/evidence/due/?days=90"),
        ("outcomes by evidence state page", f"/orgs/{slug}/evidence/outcomes/?profile={pid}"),
    ]
    for name, path in reads:
        first = client.get(path)
        if first.status_code != 200:
            raise SystemExit(f"{path} answered {first.status_code}")
        out.append(measure(name, lambda p=path: client.get(p)).row())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
