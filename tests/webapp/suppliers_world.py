"""A supplier of acme with listed requirements, a questionnaire, and a guest link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.core import mail
from django.test import TestCase
from django.utils import timezone

from csfpilot.webapp.suppliers import guest, services

REQUIREMENTS = "GV.SC-05 fully\nPR.AA-03 fully\nDE.CM-01 largely\nRS.MA-01 partially"


@dataclass
class SupplierSetup:
    supplier: object
    questionnaire: object
    link: object
    token: str


def make_supplier(access, name: str = "Cloudy Hosting", **extra):
    data = {
        "name": name,
        "services": "Managed hosting of the customer portal",
        "data_access": "personal",
        "system_access": "privileged",
        "service_dependency": "essential",
        "country": "tw",
        "requirements": REQUIREMENTS,
        "language": "en",
    } | extra
    return services.create_supplier(
        access, data, contacts=[{"name": "Lin", "email": "lin@cloudy.test", "role": "CISO"}]
    )


def send_with_link(access, supplier, email: str = "lin@cloudy.test") -> SupplierSetup:
    q = services.send_questionnaire(
        access, supplier.pk, due=timezone.localdate() + timedelta(days=14), guidance="Be exact."
    )
    # The link is mailed once the transaction commits; the tests' transaction never does.
    with TestCase.captureOnCommitCallbacks(execute=True):
        link, token = guest.issue_link(access, q.pk, email)
    return SupplierSetup(supplier, q, link, token)


def last_code(to: str) -> str:
    """The verification code of the latest message sent to ``to``."""
    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.search(r"\b(\d{6})\b", message.subject + message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no code sent to {to}")
