"""Guessable passwords are refused, with the reason (issue #14, item 8)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import translation

from tests.webapp.test_accounts import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lee():
    return get_user_model()(
        username="lchen",
        email="lee.chen@formosa-plastics.example",
        first_name="Lee",
        last_name="Chen",
    )


def refusal(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaaaa", "It repeats characters or a pattern"),
        ("Password123!", "It is, or is built on, a common password."),
        ("P@ssw0rd1234", "predictable substitutions, such as @ for a"),
        ("Welcome12345", "It is, or is built on, a common password."),
        ("qwertyuiop12", "common password"),
        ("abcdefghijkl", "It contains a sequence, such as abcd or 1234."),
        ("mnbvcxzlkjhg", "It follows a keyboard pattern, such as qwerty."),
    ],
)
def test_the_issue_s_passwords_are_refused_with_the_reason(password: str, reason: str):
    messages = refusal(password)
    assert "This password is too easy to guess." in messages, messages
    assert any(reason in m for m in messages), messages


@pytest.mark.parametrize(
    "password", ["LeeChen1985!", "leechen2024", "Chen.Lee.1990", "formosa-plastics-2025"]
)
def test_the_person_s_own_name_or_address_with_a_year_is_refused(lee, password: str):
    messages = refusal(password, lee)
    assert "This password is too easy to guess." in messages, (password, messages)
    assert any("your name, your e-mail address" in m for m in messages), messages


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple 9",
        "a long and fine passphrase 7",
        "Lee's purple elephant dances at noon",
        "tT7#kq9!Lm2$vX",
        "quiet-river-lantern-1987-otter",
        "我的密碼是綠色的山與海2024",
    ],
)
def test_good_passwords_pass(lee, password: str):
    assert refusal(password, lee) == []


def test_a_very_long_password_is_judged_without_running_out_of_time():
    assert refusal("correct horse battery staple " * 10) == []
    assert "This password is too easy to guess." in refusal("a" * 200)


def test_the_reason_is_translated():
    with translation.override("zh-hant"):
        messages = refusal("P@ssw0rd1234")
    assert "這個密碼太容易被猜到。" in messages
    assert all("password" not in m for m in messages), messages


@override_settings(CSFPILOT_SIGNUP="open")
def test_sign_up_shows_why(client: Client):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": "Welcome12345", "password2": "Welcome12345"},
    )
    html = response.content.decode()
    assert "This password is too easy to guess." in html
    assert "It is, or is built on, a common password." in html
    assert not get_user_model().objects.filter(email="new@example.com").exists()


def test_a_password_change_refuses_the_name_and_a_year(client: Client):
    user = make_user("lee.chen@example.com", first_name="Lee", last_name="Chen")
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "correct horse battery staple 9",
            "password1": "LeeChen1985!",
            "password2": "LeeChen1985!",
        },
    )
    assert response.status_code == 200
    assert "It contains your name, your e-mail address" in response.content.decode()
