"""CPU and server time of the writes a client makes most, and of a report asked for again.

In process (Django's test client through the whole middleware stack, an owner's API
token, as bench/client.py calls the API), on the bench's data set: saving one rating
(the version sent is the one the previous answer returned, as a client does, so the
timed request is the PATCH alone), creating a profile, and downloading a report whose
profile has not changed since it was last made (each format of the brief, the
workpaper as HTML). CPU time is the measuring thread's, which on SQLite includes the
database's work; on a machine that others share it is the figure to compare.

    python -m bench.writes DATABASE_URL|- [--orgs N] [--seed S] [--data SAVED]
        [--profile ROW]   # cProfile of that row's requests on stderr

→ JSON list of timings on stdout (bench.before_after --suite writes runs it on two commits).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
from collections.abc import Callable
from itertools import count

from bench.dataset import prepare, suite_arguments
from bench.environment import configure
from bench.timing import measure

LEVELS = ("partially", "largely")
REPORTS = (("brief", "html"), ("brief", "xlsx"), ("brief", "pdf"), ("workpaper", "html"))


def main() -> None:
    parser = suite_arguments("python -m bench.writes")
    parser.add_argument("--runs", type=int, default=100, help="timed requests per row")
    parser.add_argument("--profile", help="print a cProfile of this row's requests to stderr")
    args = parser.parse_args()
    url = None if args.database_url == "-" else args.database_url
    configure(url)
    from django.test import Client

    from bench.http_load import _credentials

    data = prepare(url, args.orgs, args.seed, args.data)
    token, _session = _credentials(data.user)
    slug, pid = data.profile.organization.slug, data.profile.pk
    framework = data.profile.framework.key
    api = f"/api/organizations/{slug}/profiles"
    headers = {"Authorization": f"Bearer {token}"}
    client = Client()
    code = "PR.AA-01"
    outcome = f"{api}/{pid}/outcomes/{code}"
    version = {"v": json.loads(client.get(outcome, headers=headers).content)["version"]}

    def save_one():
        body = {"version": version["v"], "current": LEVELS[version["v"] % 2]}
        response = client.patch(
            outcome, data=json.dumps(body), content_type="application/json", headers=headers
        )
        if response.status_code != 200:
            raise SystemExit(f"saving a rating answered {response.status_code}")
        version["v"] = json.loads(response.content)["version"]
        return response

    made = count()

    def create():
        body = {"name": f"Bench write {next(made)}", "framework": framework}
        response = client.post(
            api, data=json.dumps(body), content_type="application/json", headers=headers
        )
        if response.status_code != 201:
            raise SystemExit(f"creating a profile answered {response.status_code}")
        return response

    def report(kind: str, fmt: str) -> Callable[[], object]:
        path = f"{api}/{pid}/reports/{kind}?format={fmt}"

        def get():
            response = client.get(path, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            return response

        return get

    rows: list[tuple[str, Callable[[], object], int]] = [
        ("save one rating (API PATCH)", save_one, args.runs),
        ("create a profile (API POST)", create, max(10, args.runs // 2)),
    ]
    for kind, fmt in REPORTS:
        # The first request makes the file (the warm-up); the timed ones ask for it again.
        name = f"unchanged report: {kind} {fmt.upper()} (API)"
        rows.append((name, report(kind, fmt), args.runs))
    out = []
    for name, call, runs in rows:
        if args.profile and args.profile in name:
            for _ in range(5):
                call()
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(runs):
                call()
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(60)
        out.append(measure(name, call, runs=runs).row())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
