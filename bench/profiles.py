"""Server time of the profile screens with 1,000 organizations in the database.

The demo organization is created as a newcomer gets it; 999 more organizations,
each with a full 106-outcome profile, are bulk-copied from its Current Profile
so the tables have realistic sizes (about 106,000 outcome rows).

Usage: python -m bench.profiles DATABASE_URL|-   → JSON list of timings on stdout.
"""

from __future__ import annotations

import json
import sys
from itertools import count

from bench.environment import configure, fresh_schema
from bench.timing import measure

ORGANIZATIONS = 1000


def _populate() -> tuple[object, object]:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from csfpilot.webapp.catalog.services import ensure_bundled_catalogs
    from csfpilot.webapp.demo import ensure_demo
    from csfpilot.webapp.organizations.models import Membership, Organization
    from csfpilot.webapp.profiles.models import Profile, ProfileOutcome

    ensure_bundled_catalogs()
    org = ensure_demo()
    user = get_user_model().objects.get(email="demo@example.com")
    profile = Profile.objects.filter(organization=org, kind="organizational").order_by("id").first()
    outcomes = list(ProfileOutcome.objects.filter(profile=profile))
    other = get_user_model().objects.create(username="bench", email="bench@example.com")
    with transaction.atomic():
        orgs = Organization.objects.bulk_create(
            [
                Organization(name=f"Member {i:04d}", slug=f"member-{i:04d}")
                for i in range(1, ORGANIZATIONS)
            ]
        )
        Membership.objects.bulk_create(
            [Membership(user=other, organization=o, role="owner") for o in orgs]
        )
        copies = []
        for o in orgs:
            p = Profile.objects.get(pk=profile.pk)
            p.pk = None
            p.organization = o
            copies.append(p)
        copies = Profile.objects.bulk_create(copies, batch_size=500)
        rows = []
        for p in copies:
            for row in outcomes:
                clone = ProfileOutcome.objects.model(
                    **{
                        f.attname: getattr(row, f.attname)
                        for f in ProfileOutcome._meta.concrete_fields
                        if not f.primary_key
                    }
                )
                clone.profile_id = p.pk
                rows.append(clone)
        ProfileOutcome.objects.bulk_create(rows, batch_size=2000)
    return user, profile


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "-" else None
    configure(url)
    fresh_schema(url)
    from django.test import Client

    from csfpilot.webapp.profiles.models import ProfileOutcome

    user, profile = _populate()
    client = Client()
    client.force_login(user)
    slug, pid = profile.organization.slug, profile.pk
    api = f"/api/organizations/{slug}/profiles/{pid}"
    page = f"/orgs/{slug}/profiles/{pid}"
    reads = [
        ("open a profile: all 106 outcomes (API)", f"{api}/outcomes"),
        ("profile overview page", f"{page}/"),
        ("questionnaire page (one outcome)", f"{page}/assess/"),
        ("dashboard page (scores, charts, gaps)", f"{page}/dashboard/"),
        ("gap analysis (API)", f"{api}/gaps"),
        ("action plan page", f"{page}/plan/"),
        ("scores (API)", f"{api}/scores"),
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
    print(json.dumps(out))


if __name__ == "__main__":
    main()
