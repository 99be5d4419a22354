"""``csfpilot manage orgcreators``: list, allow or disallow who may create organizations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from csfpilot.webapp.organizations import creators


class Command(BaseCommand):
    help = (
        "Who may create organizations when CSFPILOT_ORG_CREATORS=operator (the default): "
        "without options, list the accounts allowed; --allow/--disallow EMAIL change one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--allow", metavar="EMAIL", help="Allow this account.")
        group.add_argument("--disallow", metavar="EMAIL", help="Withdraw the permission.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["allow"] or options["disallow"]
        if not email:
            self.stdout.write(f"CSFPILOT_ORG_CREATORS={creators.policy()}")
            operators = (
                get_user_model()
                .objects.filter(is_active=True)
                .exclude(is_superuser=False, is_staff=False)
            )
            for user in operators.order_by("email"):
                self.stdout.write(f"{user.email}\toperator")
            for user in creators.allowed_accounts():
                self.stdout.write(f"{user.email}\tallowed")
            return
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account uses {email}.")
        if options["allow"]:
            creators.allow(user)
            self.stdout.write(f"{user.email} may create organizations.")
        else:
            creators.disallow(user)
            self.stdout.write(f"{user.email} may no longer create organizations.")
