"""A supplier questionnaire between two csfpilot instances over real HTTP.

The buyer (Buyer US) and the supplier (Acme Taiwan) each run ``csfpilot serve`` on loopback
with a data folder of their own. The buyer sends a questionnaire package; the supplier
imports it, answers from its own profile (one outcome its profile lacks is answered by
hand), returns a signed answer at "no free text"; the buyer verifies it, imports it and
sees the gaps. A byte changed anywhere is refused naming the member; a package signed by a
key nobody trusted is marked untrusted.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests

from tests.e2e import test_packages_two_instances as two_instances
from tests.e2e.test_packages_two_instances import NOTE, RATIONALE, Instance

# The same two instances (a supplier with its profile, a buyer), started for this module.
pair = two_instances.pair
COMMENT = "supplier-private-comment-4471"
# GV.OC-01 and PR.AA-03 are in the supplier's profile (partially, not); DE.CM-01 is not.
REQUIREMENTS = [
    {"code": "GV.OC-01", "target": "fully"},
    {"code": "PR.AA-03", "target": "largely"},
    {"code": "DE.CM-01", "target": "largely"},
]


def _ok(response: requests.Response, status: int = 200) -> requests.Response:
    assert response.status_code == status, response.text[:500]
    return response


def _upload(i: Instance, path: str, data: bytes, **form) -> requests.Response:
    return requests.post(
        i.api(path),
        files={"file": ("package.csfpkg.json", data, "application/json")},
        data=form,
        headers=i.headers,
        timeout=60,
    )


def _keys(i: Instance) -> dict:
    return _ok(requests.get(i.api("/keys"), headers=i.headers, timeout=30)).json()


def _trust(i: Instance, fingerprint: str, partner: str) -> None:
    _ok(
        requests.post(
            i.api("/trusted-keys"),
            json={"fingerprint": fingerprint, "partner": partner},
            headers=i.headers,
            timeout=30,
        ),
        201,
    )


@pytest.fixture(scope="module")
def sent(pair) -> tuple[int, int, bytes]:
    """The buyer's supplier, its questionnaire and the questionnaire package."""
    _, buyer = pair
    supplier = _ok(
        requests.post(
            buyer.api("/suppliers"),
            json={
                "name": "Acme Taiwan",
                "data_access": "personal",
                "system_access": "privileged",
                "service_dependency": "essential",
                "requirements": REQUIREMENTS,
                "language": "zh-hant",
            },
            headers=buyer.headers,
            timeout=30,
        ),
        201,
    ).json()
    due = (date.today() + timedelta(days=30)).isoformat()
    q = _ok(
        requests.post(
            buyer.api(f"/suppliers/{supplier['id']}/questionnaires"),
            json={"due": due, "guidance": "Answer for the hosting service."},
            headers=buyer.headers,
            timeout=30,
        ),
        201,
    ).json()
    package = _ok(
        requests.get(
            buyer.api(f"/questionnaires/{q['id']}/package"), headers=buyer.headers, timeout=60
        )
    )
    return supplier["id"], q["id"], package.content


def test_the_exchange_end_to_end(pair, sent):
    supplier_i, buyer = pair
    supplier_id, questionnaire_id, package = sent

    # The supplier: the buyer's key is unknown here, so the package verifies as untrusted
    # and imports only when confirmed; after comparing the fingerprint it is trusted.
    seen = _ok(_upload(supplier_i, "/packages/verify", package)).json()
    assert seen["kind"] == "questionnaire" and seen["trusted"] is False
    assert "not a trusted key" in seen["problems"][0]
    refused = _upload(supplier_i, "/received-questionnaires", package)
    assert refused.status_code == 400 and "not a trusted key" in refused.json()["detail"]
    buyer_key = _keys(buyer)["keys"][0]
    assert buyer_key["fingerprint"] == seen["fingerprint"]
    _trust(supplier_i, buyer_key["fingerprint_grouped"], "Buyer US")
    got = _ok(_upload(supplier_i, "/received-questionnaires", package), 201).json()
    assert got["trusted"] is True and got["buyer"] == "Buyer US" and got["language"] == "zh-hant"
    rid = got["id"]

    # Answered from its own profile: GV.OC-01 partially and PR.AA-03 not (both below the
    # buyer's target); DE.CM-01 is not in the profile, so it is answered by hand.
    profiles = _ok(
        requests.get(supplier_i.api("/profiles"), headers=supplier_i.headers, timeout=30)
    )
    body = profiles.json()
    items = body["items"] if isinstance(body, dict) else body
    profile_id = next(p["id"] for p in items if p["name"] == "Plant 2")
    got = _ok(
        requests.post(
            supplier_i.api(f"/received-questionnaires/{rid}/profile"),
            json={"profile_id": profile_id},
            headers=supplier_i.headers,
            timeout=30,
        )
    ).json()
    rows = {r["code"]: r for r in got["rows"]}
    assert rows["GV.OC-01"]["own"] == "partially" and rows["GV.OC-01"]["below_target"]
    assert rows["PR.AA-03"]["answer"] == "not"
    assert rows["DE.CM-01"]["in_profile"] is False and rows["DE.CM-01"]["answer"] is None
    not_yet = requests.get(
        supplier_i.api(f"/received-questionnaires/{rid}/package"),
        params={"level": "no-text"},
        headers=supplier_i.headers,
        timeout=60,
    )
    assert not_yet.status_code == 400 and "DE.CM-01" in not_yet.json()["detail"]
    _ok(
        requests.patch(
            supplier_i.api(f"/received-questionnaires/{rid}/answers"),
            json={
                "version": got["version"],
                "answers": {"DE.CM-01": {"answer": "largely", "comment": COMMENT}},
            },
            headers=supplier_i.headers,
            timeout=30,
        )
    )

    # The exact preview, then the signed answer at "no free text".
    preview = _ok(
        requests.get(
            supplier_i.api(f"/received-questionnaires/{rid}/package/preview"),
            params={"level": "no-text"},
            headers=supplier_i.headers,
            timeout=30,
        )
    ).json()
    assert {"member": "answer.json", "field": "answers[2].answer", "value": "largely"} in preview
    assert not any(r["value"] == COMMENT for r in preview)
    answer = _ok(
        requests.get(
            supplier_i.api(f"/received-questionnaires/{rid}/package"),
            params={"level": "no-text"},
            headers=supplier_i.headers,
            timeout=60,
        )
    ).content
    for secret in (COMMENT, NOTE, RATIONALE):
        assert secret.encode() not in answer

    # The buyer: the supplier's key is not trusted yet, so the answer is marked untrusted.
    check = _ok(
        _upload(buyer, "/questionnaire-answers/verify", answer, questionnaire_id=questionnaire_id)
    ).json()
    assert check["trusted"] is False and check["importable"] is True
    assert check["questionnaire_id"] == questionnaire_id and check["redaction"] == "no-text"
    _trust(buyer, _keys(supplier_i)["keys"][0]["fingerprint"], "Acme Taiwan")
    done = _ok(
        _upload(buyer, "/questionnaire-answers", answer, questionnaire_id=questionnaire_id), 201
    ).json()
    assert done["trusted"] is True and done["state"] == "submitted"
    assert done["risk_rating"] == "high" and done["gap_percent"] > 0

    # The buyer's views read it: the questionnaire's answers, the supplier's risk, the
    # portfolio.
    q = _ok(
        requests.get(
            buyer.api(f"/questionnaires/{questionnaire_id}"), headers=buyer.headers, timeout=30
        )
    ).json()
    assert q["state"] == "submitted" and q["submitted_by"] == "Acme Taiwan (signed package)"
    answers = {i["code"]: i["answer"] for i in q["items"]}
    assert answers == {"GV.OC-01": "partially", "PR.AA-03": "not", "DE.CM-01": "largely"}
    assert all(i["comment"] == "" for i in q["items"])  # no free text travelled
    portfolio = _ok(
        requests.get(buyer.api("/suppliers/portfolio"), headers=buyer.headers, timeout=30)
    ).json()
    row = next(s for s in portfolio["suppliers"] if s["id"] == supplier_id)
    assert row["risk_rating"] == "high" and row["attainment"]["GV"] < 100
    page = requests.get(
        f"{buyer.url}/orgs/buyer-us/suppliers/{supplier_id}/", timeout=30, allow_redirects=False
    )
    assert page.status_code == 302  # pages need a session; the API above is the buyer's view

    replay = _upload(buyer, "/questionnaire-answers", answer)
    assert replay.status_code == 400 and "replay" in replay.json()["detail"]

    # The supplier's key changes: the same answer signed by the new key is marked untrusted,
    # and refused for this supplier, whose answers were signed by the first key.
    _ok(requests.post(supplier_i.api("/keys/rotate"), headers=supplier_i.headers, timeout=30))
    resigned = _ok(
        requests.get(
            supplier_i.api(f"/received-questionnaires/{rid}/package"),
            params={"level": "no-text"},
            headers=supplier_i.headers,
            timeout=60,
        )
    ).content
    check = _ok(_upload(buyer, "/questionnaire-answers/verify", resigned)).json()
    assert check["trusted"] is False and "not a trusted key" in check["problems"][0]
    refused = _upload(buyer, "/questionnaire-answers", resigned, accept_untrusted="true")
    assert (
        refused.status_code == 400 and "signs its answers with the key" in refused.json()["detail"]
    )


def test_a_changed_byte_anywhere_is_refused_naming_the_member(pair, sent):
    supplier_i, _buyer = pair
    _, _, package = sent
    at = package.index(b"Answer for the hosting service.")
    altered = package[:at] + b"a" + package[at + 1 :]
    refused = _upload(supplier_i, "/received-questionnaires", altered, accept_untrusted="true")
    assert refused.status_code == 400
    assert "member 'questionnaire.json' was altered" in refused.json()["detail"]
    at = package.index(b'"title":"') + len(b'"title":"')
    altered = package[:at] + b"X" + package[at + 1 :]
    refused = _upload(supplier_i, "/packages/verify", altered)
    assert refused.status_code == 400 and "signature" in refused.json()["detail"]
