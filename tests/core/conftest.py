"""Fixtures for the domain tests: the CSF 2.0 outcomes, and NIST's shipped data where needed."""

from __future__ import annotations

import pytest

from csfpilot.core.profiles import OutcomeFramework, csf_2_0
from csfpilot.formats.native.reference import ProfileReference, bundled_reference


@pytest.fixture(scope="session")
def csf() -> OutcomeFramework:
    return csf_2_0()


@pytest.fixture(scope="session")
def nist() -> ProfileReference:
    """NIST's Reference Tool export as shipped (outcomes, withdrawals, crosswalks)."""
    return bundled_reference()
