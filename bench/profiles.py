"""Server time of the profile screens, measured on the bench's data set.

The data set (bench/dataset.py: 1,000 organizations by default, each with a
full 106-outcome profile, Tiers, an action plan and snapshots) is written into
a fresh database, or copied from the one the runner generated for this size and
seed; the demo organization's profile is the one measured. Opening a profile is
measured twice, and so are the scores: as they are read again and again (the answer
built for the rows' current state is reused) and right after each change (the answer
is built anew).

Usage: python -m bench.profiles DATABASE_URL|- [--orgs N] [--seed S] [--data SAVED]
       → JSON list of timings on stdout.
"""

from __future__ import annotations

import json
from itertools import count

from bench.dataset import prepare, suite_arguments
from bench.environment import configure
from bench.timing import measure


def main() -> None:
    args = suite_arguments("python -m bench.profiles").parse_args()
    url = None if args.database_url == "-" else args.database_url
    configure(url)
    from django.test import Client

    from csfpilot.webapp.profiles.models import ProfileOutcome

    data = prepare(url, args.orgs, args.seed, args.data)
    user, profile = data.user, data.profile
    client = Client()
    client.force_login(user)
    slug, pid = profile.organization.slug, profile.pk
    api = f"/api/organizations/{slug}/profiles/{pid}"
    page = f"/orgs/{slug}/profiles/{pid}"
    reads = [
        ("open a profile: all 106 outcomes (API)", f"{api}/outcomes"),
        ("profile overview page", f"{page}/"),
        ("questionnaire page (one outcome)", f"{page}/assess/"),
        ("questionnaire page (a Category)", f"{page}/assess/?mode=category&category=PR.AA"),
        ("dashboard page (scores, charts, gaps)", f"{page}/dashboard/"),
        ("gap analysis (API)", f"{api}/gaps"),
        ("action plan page", f"{page}/plan/"),
        ("scores (API)", f"{api}/scores"),
        ("profile list (API)", f"/api/organizations/{slug}/profiles"),
        ("profile list page", f"/orgs/{slug}/profiles/"),
    ]
    out = []
    for name, path in reads:
        first = client.get(path)
        if first.status_code != 200:
            raise SystemExit(f"{path} answered {first.status_code}")
        out.append(measure(name, lambda p=path: client.get(p)).row())

    code = "PR.AA-01"
    levels = ["partially", "largely"]
    turn = count()

    def save_one():
        version = ProfileOutcome.objects.get(profile_id=pid, code=code).version
        body = {"version": version, "current": levels[next(turn) % 2]}
        response = client.patch(
            f"{api}/outcomes/{code}", data=json.dumps(body), content_type="application/json"
        )
        if response.status_code != 200:
            raise SystemExit(f"saving a rating answered {response.status_code}")
        return response

    out.append(measure("save one rating (API PATCH)", save_one).row())

    # A repeated open is answered from the outcome list built for the same state of the
    # rows (profiles/answer_cache.py); right after a change it is built again. The save
    # runs before each timed request and is not part of its server time.
    def open_after_a_change():
        save_one()
        return client.get(f"{api}/outcomes")

    out.append(
        measure("open a profile right after a rating changed (API)", open_after_a_change).row()
    )

    def scores_after_a_change():
        save_one()
        return client.get(f"{api}/scores")

    out.append(measure("scores right after a rating changed (API)", scores_after_a_change).row())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
