"""``csfpilot manage createaccount EMAIL``: create an account when sign-up is closed.

The same use case as ``csfpilot accounts create``, kept for scripts written before it.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from csfpilot.core.errors import CsfpilotError
from csfpilot.webapp.accounts.services import create_account
from csfpilot.webapp.audit.services import CLI


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
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            create_account(options["email"], password, options["name"], who=CLI)
        except CsfpilotError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created the account {options['email'].strip()}.")
