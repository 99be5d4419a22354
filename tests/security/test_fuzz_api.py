"""Fuzz the REST API from its own OpenAPI schema with schemathesis, over real HTTP.

A real ``csfpilot serve`` runs on a fresh SQLite data folder with the demo organization;
the fuzzer holds an owner's API token for it. Every operation gets a bounded number of
generated requests, half of them aimed at objects that exist (the demo organization, its
profile, a real outcome code) so that they get past the 404s and reach the code behind.
Each answer goes through schemathesis' checks: no server error, a documented status code and
content type, a body that matches the documented schema, and authentication really enforced
where the schema says it is required (``ignored_auth``: the request is sent again without,
and with a wrong, token).

Operations that delete run last, so that they do not take the objects away from the rest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from csfpilot.webapp.demo import DEMO_ORGANIZATION
from tests.e2e.conftest import running_server
from tests.prepared_data import prepare

# The server (or the checked process) has a SQLite file of its own: not repeated on PostgreSQL.
pytestmark = pytest.mark.sqlite_file

EXAMPLES_PER_OPERATION = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]
METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}

SEED = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from csfpilot.webapp.profiles.models import Profile

owner = get_user_model().objects.get(email=DEMO_LOGIN[0])
token, secret = issue_token(owner, DEMO_ORGANIZATION[1], "owner", "schema fuzzing")
profile = Profile.objects.filter(organization__slug=DEMO_ORGANIZATION[1]).order_by("pk").first()
print(json.dumps({"token": secret, "token_id": token.pk, "profile": profile.pk}))
"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    data_dir = tmp_path_factory.mktemp("fuzz-server")
    with running_server(data_dir) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="csfpilot.webapp.config.settings",
            CSFPILOT_DATA_DIR=str(data_dir),
            CSFPILOT_SECRET_KEY="e2e-only-not-a-secret",
        )
        prepare(data_dir, env["CSFPILOT_SECRET_KEY"])
        seeded = subprocess.run(
            [sys.executable, "-c", SEED], env=env, capture_output=True, text=True, timeout=120
        )
        assert seeded.returncode == 0, seeded.stderr
        info = json.loads(seeded.stdout.strip().splitlines()[-1])
        yield {"url": url, "log": data_dir / "server.log", **info}


def real_objects(info: dict) -> dict[str, object]:
    """Path parameter values that name existing objects, by parameter name."""
    return {
        "slug": DEMO_ORGANIZATION[1],
        "profile_id": info["profile"],
        "community_id": info["profile"],
        "code": "GV.OC-01",
        "key": "csf-2.0",
    }


def test_the_api_survives_schema_driven_fuzzing(api):
    url = api["url"]
    schema = schemathesis.openapi.from_url(f"{url}/api/openapi.json")
    auth = {"Authorization": f"Bearer {api['token']}"}
    session = requests.Session()
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: (METHOD_ORDER[op.method.lower()], op.path),
    )
    assert len(operations) >= 40  # the whole API, not a corner of it

    sent = {"requests": 0, "server_errors": 0}
    statuses: dict[int, int] = {}
    failures: dict[str, str] = {}
    started = time.monotonic()
    for op in operations:
        known = {
            name: value
            for name, value in real_objects(api).items()
            if any(p.name == name for p in op.path_parameters)
        }
        cases = st.one_of(
            op.as_strategy(headers=auth),
            op.as_strategy(headers=auth, path_parameters=known),
        )

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,  # the same requests on every run: a failure reproduces
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case):
            if case.path_parameters and case.path_parameters.get("token_id") == api["token_id"]:
                return  # the fuzzer keeps its own credential; revocation is tested elsewhere
            response = case.call(base_url=url, session=session)
            sent["requests"] += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                sent["server_errors"] += 1
            case.validate_response(response, checks=CHECKS)

        try:
            exercise()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a group
            failures[f"{op.method.upper()} {op.path}"] = str(exc)[:3000]

    elapsed = time.monotonic() - started
    print(
        f"\n[figure] api fuzzing: {len(operations)} operations, {sent['requests']} requests, "
        f"{sent['server_errors']} server errors, statuses {dict(sorted(statuses.items()))}, "
        f"{elapsed:.0f} s"
    )
    assert failures == {}, "\n\n".join(f"{k}\n{v}" for k, v in failures.items()) + (
        "\n\nserver log:\n" + Path(api["log"]).read_text()[-5000:]
    )
    assert sent["server_errors"] == 0
    assert sent["requests"] >= len(operations) * EXAMPLES_PER_OPERATION // 2
