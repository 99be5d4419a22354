"""A sector body's signed aggregate, imported by a member: verified, shown on the benchmark
page with its date and source, and refused when altered, untrusted or replayed.

(The path between two instances is tested with real processes in
tests/cli/test_sector_exchange_cli.py; this checks the page and the refusals in detail.)
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.packages import services as packages
from csfpilot.webapp.profiles.operator import operator_access
from csfpilot.webapp.sectors import exchange
from csfpilot.webapp.sectors.models import ReceivedAggregate, RemoteContribution, RemoteMember
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db


def _members(values: list[float]) -> None:
    now = timezone.now()
    for i, v in enumerate(values):
        member = RemoteMember.objects.create(
            sector="energy", name=f"Member {i}", fingerprint=f"{i:040x}", added_at=now
        )
        RemoteContribution.objects.create(
            member=member,
            package_id=uuid.uuid4(),
            created=now,
            received_at=now,
            sha256="0" * 64,
            scores={"": [v, 90.0], "GV": [v, 90.0], "PR": [50.0 if i else 99.0, None]},
        )


def test_an_imported_aggregate_shows_on_the_benchmark_page():
    w = build_world()
    _members([40.0, 45.0, 50.0, 55.0, 60.0])
    body = operator_access("globex")  # the sector body's organization on its instance
    data = exchange.aggregate_package(body, "energy").data
    doc = json.loads(data)["members"]["aggregate.json"]
    gv = next(r for r in doc["rows"] if r["code"] == "GV")
    assert gv["current"] == {
        "n": 5,
        "withheld": None,
        "mean": 50.0,
        "q1": 45.0,
        "median": 50.0,
        "q3": 55.0,
    }
    assert next(r for r in doc["rows"] if r["code"] == "GV")["target"]["withheld"] is None
    owner = operator_access("acme")
    with pytest.raises(InputRefused, match="trust the sector body's key"):
        exchange.import_aggregate(owner, data)
    fingerprint = packages.active_key(body).fingerprint
    packages.trust(owner, fingerprint, "Energy ISAC")
    altered = data.replace(b'"median":50.0', b'"median":51.0', 1)
    with pytest.raises(InputRefused, match=r"aggregate\.json"):
        exchange.import_aggregate(owner, altered)
    row = exchange.import_aggregate(owner, data)
    assert (row.source, row.trusted_as, row.contributors) == ("Globex", "Energy ISAC", 5)
    with pytest.raises(InputRefused, match="replay"):
        exchange.import_aggregate(owner, data)
    assert ReceivedAggregate.objects.count() == 1
    client = Client()
    client.force_login(w.users["viewer"])
    html = client.get("/orgs/acme/benchmark/").content.decode()
    assert "Published by the sector body" in html and "Globex" in html
    assert fingerprint in html
    assert "45.0–55.0" in html  # GV's middle half as published


def test_a_withheld_number_travels_without_values():
    build_world()
    _members([90.0, 0.0, 0.0, 0.0, 0.0])
    data = exchange.aggregate_package(operator_access("globex"), "energy").data
    rows = json.loads(data)["members"]["aggregate.json"]["rows"]
    whole = next(r for r in rows if r["code"] == "")
    assert whole["current"] == {"n": 5, "withheld": "dominated"}
    assert whole["target"]["withheld"] is None  # all at 90: alike, shown
