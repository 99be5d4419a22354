"""Sign-in throttling per real client behind trusted proxies, and per account (issue #14,
item 4). The requests come "through nginx": from the proxy's address, with the client's in
X-Forwarded-For, as deploy/nginx.conf sends them."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import Client, override_settings

from csfpilot.webapp.accounts.adapters import ACCOUNT_FAILURES
from csfpilot.webapp.accounts.client_address import client_address, parse_networks
from tests.webapp.test_accounts import PASSWORD, make_user
from tests.webapp.test_accounts import _fresh_throttles as _fresh_throttles

pytestmark = pytest.mark.django_db

NGINX = "127.0.0.1"
PROXIES = parse_networks("127.0.0.1, 10.0.0.0/24, 2001:db8:ffff::/48")
TOO_MANY = "Too many failed login attempts"


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # No proxy in front: the connecting address, whatever the header says.
        ("198.51.100.7", None, "198.51.100.7"),
        ("198.51.100.7", "203.0.113.1", "198.51.100.7"),
        # Through nginx: the address nginx appended, never what the client wrote before it.
        (NGINX, "198.51.100.7", "198.51.100.7"),
        (NGINX, "203.0.113.1, 198.51.100.7", "198.51.100.7"),
        (NGINX, "10.0.0.9, 198.51.100.7", "198.51.100.7"),
        # Two proxies of ours (a load balancer, then nginx): both skipped.
        (NGINX, "198.51.100.7, 10.0.0.5", "198.51.100.7"),
        (NGINX, "forged, 198.51.100.7, 10.0.0.5", "198.51.100.7"),
        # Only proxies of ours: the farthest one is as far as can be seen.
        (NGINX, "10.0.0.5", "10.0.0.5"),
        # Something that is no address where the client would be: the last trusted hop.
        (NGINX, "not-an-address, 10.0.0.5", "10.0.0.5"),
        (NGINX, "", NGINX),
        # Ports, brackets, IPv6 and IPv4 through an IPv6 socket.
        (NGINX, "198.51.100.7:51234", "198.51.100.7"),
        (NGINX, "[2001:db8::7]:443", "2001:db8::7"),
        ("2001:db8:ffff::1", "2001:db8::7", "2001:db8::7"),
        ("::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7"),
        ("", "198.51.100.7", None),
    ],
)
def test_the_client_is_the_rightmost_address_no_trusted_proxy_wrote(remote, forwarded, client):
    assert client_address(remote, forwarded, PROXIES) == client


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address(NGINX, "198.51.100.7", []) == NGINX


def test_a_wrong_trusted_proxy_is_named():
    with pytest.raises(ValueError, match=r"CSFPILOT_TRUSTED_PROXIES: 'nginx' is not an IP"):
        parse_networks("127.0.0.1, nginx")
    assert parse_networks(" 10.0.0.0/24 ,, ::1 ") == [
        ipaddress.ip_network("10.0.0.0/24"),
        ipaddress.ip_network("::1"),
    ]


def sign_in(email: str, password: str, client_ip: str, *, remote: str = NGINX) -> str:
    """Sign in from ``client_ip`` through nginx; "in", "wrong" or "throttled"."""
    browser = Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=f"203.0.113.99, {client_ip}")
    response = browser.post("/accounts/login/", {"login": email, "password": password})
    if "_auth_user_id" in browser.session:
        return "in"
    return "throttled" if TOO_MANY in response.content.decode() else "wrong"


@pytest.fixture
def people():
    with override_settings(CSFPILOT_TRUSTED_PROXIES=PROXIES):
        for name in ("ana", "ben", "chen", "dana", "eli", "fay", "gus", "hal", "ida", "jo", "kai"):
            make_user(f"{name}@example.com")
        yield


ATTACKER = "198.51.100.7"


def test_an_attacker_guessing_one_password_does_not_lock_its_owner_out(people):
    # (Fewer than 30: every sign-in, right or wrong, is limited to 30 a minute per client.)
    tries = [sign_in("ana@example.com", f"guess {n}", ATTACKER) for n in range(20)]
    # The attacker gets 5 tries at ana's password, then is refused even the right one.
    assert tries == ["wrong"] * 5 + ["throttled"] * 15
    assert sign_in("ana@example.com", PASSWORD, ATTACKER) == "throttled"
    # Ana, from her own address, signs in; so does anyone else.
    assert sign_in("ana@example.com", PASSWORD, "203.0.113.20") == "in"
    assert sign_in("ben@example.com", PASSWORD, "203.0.113.21") == "in"


def test_an_attacker_spraying_accounts_is_stopped_without_stopping_anyone_else(people):
    targets = ["ben", "chen", "dana", "eli", "fay", "gus", "hal", "ida", "jo", "kai"] * 2
    tries = [sign_in(f"{t}@example.com", "Summer2024!", ATTACKER) for t in targets]
    # 10 failures a minute per client over every account.
    assert tries == ["wrong"] * 10 + ["throttled"] * 10
    for n, person in enumerate(["ben", "chen", "dana", "kai"]):
        assert sign_in(f"{person}@example.com", PASSWORD, f"203.0.113.{30 + n}") == "in"


def test_a_forged_header_does_not_give_the_attacker_new_addresses(people):
    results = []
    for n in range(8):
        browser = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}")
        answer = browser.post("/accounts/login/", {"login": "ana@example.com", "password": "x"})
        results.append(TOO_MANY in answer.content.decode())
    assert results == [False] * 5 + [True] * 3


def test_the_header_is_ignored_from_an_address_that_is_no_trusted_proxy(people):
    # A direct connection, bypassing nginx, claiming a new address on every try.
    tries = [
        sign_in("ana@example.com", "x", f"192.0.2.{n}", remote="198.51.100.50") for n in range(7)
    ]
    assert tries == ["wrong"] * 5 + ["throttled"] * 2


def test_an_account_under_a_spread_out_attack_is_locked_for_everyone(people):
    # The per-account limit is looser than the per-client one: one client never reaches
    # it, four clients with their 5 tries each do.
    limit = int(ACCOUNT_FAILURES["login_failed_account"].split("/")[0])
    assert limit == 20
    for n in range(4):
        assert [sign_in("ana@example.com", "x", f"198.51.100.{n}") for _ in range(5)] == [
            "wrong"
        ] * 5
    assert sign_in("ana@example.com", PASSWORD, "203.0.113.20") == "throttled"
    # Other accounts are not affected.
    assert sign_in("ben@example.com", PASSWORD, "203.0.113.20") == "in"


def test_a_successful_sign_in_takes_back_what_it_counted(people):
    for _ in range(4):
        assert sign_in("ana@example.com", "x", ATTACKER) == "wrong"
    for _ in range(3):
        assert sign_in("ana@example.com", PASSWORD, ATTACKER) == "in"
    assert sign_in("ana@example.com", "x", ATTACKER) == "wrong"
    assert sign_in("ana@example.com", "x", ATTACKER) == "throttled"
