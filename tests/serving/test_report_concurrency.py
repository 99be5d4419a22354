"""Reports made at once, against a real ``csfpilot serve`` (gunicorn, two worker processes):
one person firing many PDF workpapers at once gets 429s past their share, and another
organization's small report is made meanwhile rather than queued behind them.

The finding this reproduces: sixteen parallel PDF workpapers from one auditor made another
tenant's one-line request wait 37.7 s. The bound is kept in the database, so it holds across
the worker processes; the test asserts answers, not timings (those belong in bench/).
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import running_server
from tests.serving.conftest import (
    WORKERS,
    Server,
    call,
    current_profile,
    issue_token,
    prepare,
    server_env,
)

LIMITS = {
    "CSFPILOT_WORKERS": str(WORKERS),
    "CSFPILOT_REPORT_CONCURRENCY": "2",
    "CSFPILOT_REPORT_CONCURRENCY_PER_USER": "1",
    "CSFPILOT_REPORT_RETRY_AFTER": "3",
}
OTHER = "second-tenant"


def other_tenant_token(data_dir) -> str:
    """An owner token for a second organization with a user of its own."""
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from csfpilot.webapp.accounts.services import issue_token\n"
        "from csfpilot.webapp.organizations.services import create_organization\n"
        "user = get_user_model().objects.create_user(username='second', "
        "email='second@tenant.test', password='not used in this test')\n"
        f"create_organization(user, 'Second tenant', {OTHER!r})\n"
        f"print(issue_token(user, {OTHER!r}, 'owner', 'serving tests')[1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "csfpilot", "manage", "shell", "-c", code],
        env=server_env(data_dir, LIMITS),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("report-concurrency")
    prepare(data_dir, LIMITS)
    with running_server(data_dir, extra_env=LIMITS) as url:
        token = issue_token(data_dir, LIMITS)
        yield Server(url, data_dir, token, current_profile(url, token))


def test_one_person_gets_429s_past_their_share_and_another_tenant_is_served(server):
    other = other_tenant_token(server.data_dir)
    made = call(
        f"{server.url}/api/organizations/{OTHER}/profiles",
        method="POST",
        token=other,
        body={"name": "One line"},
    )
    assert made.status == 201, made.body
    other_brief = (
        f"{server.url}/api/organizations/{OTHER}/profiles/{made.json()['id']}"
        "/reports/brief?format=md"
    )
    workpaper = server.api("/reports/workpaper?format=pdf")

    with ThreadPoolExecutor(max_workers=8) as pool:
        heavy = [pool.submit(call, workpaper, token=server.token) for _ in range(6)]
        # The other tenant asks one after the other, as a person does, while the PDFs run.
        light = pool.submit(lambda: [call(other_brief, token=other) for _ in range(3)])
        heavy_answers = [f.result() for f in heavy]
        light_answers = light.result()

    statuses = sorted(a.status for a in heavy_answers)
    assert 200 in statuses and 429 in statuses, statuses
    assert set(statuses) == {200, 429}
    for answer in heavy_answers:
        if answer.status == 200:
            assert answer.body.startswith(b"%PDF")
        else:
            assert answer.headers["Retry-After"] == "3"
            assert "as many reports as one person may" in answer.json()["detail"]
    # The other organization never waits for a slot: its owner holds none of the first's.
    assert [a.status for a in light_answers] == [200, 200, 200]
    assert all(b"# " in a.body for a in light_answers)
    # Every slot is given back: the same person is served again once their renders ended.
    again = call(server.api("/reports/brief?format=md"), token=server.token)
    assert again.status == 200
