"""``csfpilot manage createaccount EMAIL``: create an account when sign-up is closed."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create a sign-in account (e-mail and password). The password is asked for, or read "
        "from standard input with --password-stdin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="Full name shown to other members.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an e-mail address.") from exc
        users = get_user_model()
        if users.objects.filter(email__iexact=email).exists():
            raise CommandError(f"An account with {email} exists already.")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        first, _, last = options["name"].strip().partition(" ")
        user = users(
            username=_username(users, email), email=email, first_name=first, last_name=last
        )
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        self.stdout.write(f"Created the account {email}.")


def _username(users: Any, email: str) -> str:
    """A unique internal username; people sign in with their e-mail address."""
    base = email.split("@", 1)[0][:120] or "user"
    name, n = base, 1
    while users.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name
