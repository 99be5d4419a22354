"""The supplier portfolio of one organization with 1,000 suppliers: server time.

    python -m bench.suppliers                     # SQLite, then PostgreSQL if it answers
    python -m bench.suppliers --suppliers 5000    # another size

A fresh database gets one organization and ``--suppliers`` suppliers, each with a
tier, eight required outcomes across the six Functions and a submitted questionnaire
(answers drawn from a fixed seed, results computed by the same code as a real
submission), plus 50 questionnaires past their due day. Measured by the app's
Server-Timing header (bench/timing.py), in-process through Django's test client:

- the portfolio page (heatmap of every supplier × Function, highest risk, overdue);
- the same through the API (``GET …/suppliers/portfolio``);
- the register page (its first 100 suppliers, each with its open questionnaires counted).

The target: the portfolio page under 50 ms median server time. Results go to
bench/results/suppliers.json and the "Supplier portfolio" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.environment import configure, fresh_schema, postgres_up

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "suppliers.json"
PG_URL = "postgres://postgres@127.0.0.1:5432/csfpilot_bench"
TARGET_MS = 50.0
REQUIRED = {
    "GV.SC-05": "fully",
    "GV.SC-07": "largely",
    "ID.AM-01": "largely",
    "PR.AA-03": "fully",
    "PR.DS-01": "fully",
    "DE.CM-01": "largely",
    "RS.MA-01": "largely",
    "RC.RP-01": "partially",
}
LEVELS = ["not", "partially", "largely", "fully"]


def _populate(n: int, seed: int) -> tuple[object, str]:
    """An organization, its owner, ``n`` suppliers with submitted questionnaires."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from csfpilot.webapp.catalog.services import ensure_bundled_catalogs
    from csfpilot.webapp.organizations.models import Membership, Organization
    from csfpilot.webapp.suppliers import models as m
    from csfpilot.webapp.suppliers import services, tiering

    ensure_bundled_catalogs()
    rnd = random.Random(seed)
    org = Organization.objects.create(name="Buyer Corp", slug="buyer")
    user = get_user_model().objects.create_user("owner", "owner@buyer.test", "x")
    Membership.objects.create(user=user, organization=org, role="owner")
    requirements = services.parse_requirements("\n".join(f"{c} {t}" for c, t in REQUIRED.items()))
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        suppliers = []
        for i in range(n):
            data = rnd.choice(list(tiering.DATA_POINTS))
            system = rnd.choice(list(tiering.SYSTEM_POINTS))
            service = rnd.choice(list(tiering.SERVICE_POINTS))
            tier = tiering.derived_tier(data, system, service).value
            suppliers.append(
                m.Supplier(
                    organization=org,
                    name=f"Supplier {i:05d}",
                    data_access=data,
                    system_access=system,
                    service_dependency=service,
                    country=rnd.choice(["TW", "US", "DE", "JP", "VN"]),
                    derived_tier=tier,
                    tier=tier,
                    requirements=requirements,
                )
            )
        m.Supplier.objects.bulk_create(suppliers, batch_size=500)
        questionnaires = [
            m.Questionnaire(
                organization=org,
                supplier=s,
                cycle=1,
                due=today - timedelta(days=5) if i < 50 else today + timedelta(days=20),
                sent_at=now,
                state="sent" if i < 50 else "submitted",
                submitted_at=None if i < 50 else now,
            )
            for i, s in enumerate(suppliers)
        ]
        m.Questionnaire.objects.bulk_create(questionnaires, batch_size=500)
        items = [
            m.QuestionnaireItem(
                questionnaire=q,
                code=r["code"],
                position=p,
                target=r["target"],
                answer=None if q.state == "sent" else rnd.choice(LEVELS),
            )
            for q in questionnaires
            for p, r in enumerate(requirements)
        ]
        m.QuestionnaireItem.objects.bulk_create(items, batch_size=2000)
        for q in questionnaires:
            if q.state == "submitted":
                services.record_results(q)
    return user, org.slug


def run_one(database_url: str | None, n: int, seed: int) -> dict[str, object]:
    configure(database_url)
    fresh_schema(database_url)
    from django.db import connection
    from django.test import Client

    from bench.timing import measure

    user, slug = _populate(n, seed)
    client = Client()
    client.force_login(user)
    rows = []
    for name, path in (
        ("portfolio page", f"/orgs/{slug}/suppliers/portfolio/"),
        ("portfolio API", f"/api/organizations/{slug}/suppliers/portfolio"),
        ("register page (first 100)", f"/orgs/{slug}/suppliers/"),
    ):
        first = client.get(path)
        if first.status_code != 200:
            raise SystemExit(f"{path} answered {first.status_code}")
        rows.append(measure(name, lambda p=path: client.get(p), runs=30).row())
    return {"database": connection.vendor, "suppliers": n, "timings": rows}


def section(data: dict) -> list[str]:
    """The "Supplier portfolio" section of docs/benchmarks.md."""
    lines = [
        "## Supplier portfolio (standalone runs)\n",
        f"`python -m bench.suppliers` (bench/results/suppliers.json): one organization with "
        f"{data['suppliers']:,} suppliers, each with eight required outcomes across the six "
        "Functions and a questionnaire (50 of them open and past due, the others submitted "
        "and scored); server time from the Server-Timing header, in-process. Target: the "
        f"portfolio page under {TARGET_MS:g} ms median. Measured {data['when']} on "
        f"{data['machine']}, load average {data['load_average']} at the start.\n",
        "| database | request | median | p95 | CPU median | runs | target met |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in data["runs"]:
        for t in run["timings"]:
            met = "yes" if t["median_ms"] < TARGET_MS else "no"
            lines.append(
                f"| {run['database']} | {t['name']} | {t['median_ms']} ms | {t['p95_ms']} ms | "
                f"{t.get('cpu_median_ms', '—')} ms | {t['runs']} | "
                f"{met if t['name'] == 'portfolio page' else '—'} |"
            )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", nargs="?", default=None)
    parser.add_argument("--suppliers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--sqlite", action="store_true", help="SQLite only")
    parser.add_argument("--pg-url", default=PG_URL, help="the PostgreSQL database to recreate")
    args = parser.parse_args()
    if args.database_url is not None:
        url = None if args.database_url == "-" else args.database_url
        print(json.dumps(run_one(url, args.suppliers, args.seed)))
        return
    setups = ["-"] + ([] if args.sqlite or not postgres_up(args.pg_url) else [args.pg_url])
    runs = []
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else ""
    for setup in setups:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.suppliers",
                setup,
                "--suppliers",
                str(args.suppliers),
                "--seed",
                str(args.seed),
            ],
            capture_output=True,
            text=True,
            check=False,
            env=os.environ.copy(),
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(runs[-1]))
    data = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        "load_average": load,
        "suppliers": args.suppliers,
        "runs": runs,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    from bench.report import write_doc

    write_doc(ROOT / "docs" / "benchmarks.md")


if __name__ == "__main__":
    main()
