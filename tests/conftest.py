"""Shared fixtures.

The bundled NIST catalogs are loaded once per test database (session scope),
through the same importers a user runs; every test then runs inside a
transaction that is rolled back. Tests that need a live server start the real
`csfpilot serve` in a subprocess (see tests/e2e/conftest.py) instead of using
transactional fixtures, which would flush the catalog.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.prepared_data import RUN_DIR_VARIABLE

DATA = Path(__file__).resolve().parent.parent / "src" / "csfpilot" / "data"


def pytest_configure(config: pytest.Config) -> None:
    # Made by the run's first process, before parallel workers start, so that they inherit
    # it and share the prepared databases (tests/prepared_data.py).
    if RUN_DIR_VARIABLE not in os.environ:
        os.environ[RUN_DIR_VARIABLE] = tempfile.mkdtemp(prefix="csfpilot-prepared-")
        config._prepared_databases_owner = True  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    if getattr(config, "_prepared_databases_owner", False):
        shutil.rmtree(os.environ.pop(RUN_DIR_VARIABLE), ignore_errors=True)


@pytest.fixture(scope="session")
def nist_data() -> Path:
    """The NIST files as shipped inside the package."""
    return DATA


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test's audit checkpoints in a file of its own: the database is rolled back after
    every test, and a checkpoint left by an earlier test would name chains that are gone."""
    folder = tmp_path_factory.getbasetemp() / "audit-checkpoints"
    folder.mkdir(exist_ok=True)
    settings.CSFPILOT_AUDIT_CHECKPOINT_FILE = folder / f"{uuid.uuid4().hex}.jsonl"


@pytest.fixture(autouse=True)
def _no_reports_kept_from_earlier_tests() -> None:
    """Laid-out reports, answers and pages are kept by the state of what they show; a test
    must not be answered from another test's (the database is rolled back after each test,
    so the next one can reach the same ids, counts and versions). The caches are per
    process in the suite (tests/settings.py)."""
    from django.core.cache import caches

    caches["reports"].clear()
    caches["answers"].clear()
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def _own_evidence_store(settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test's evidence files in a folder of its own, for the same reason (Django
    forgets its storages when the setting changes)."""
    folder = tmp_path_factory.getbasetemp() / "evidence" / uuid.uuid4().hex
    stores = dict(settings.STORAGES)
    stores["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder), "base_url": None},
    }
    settings.STORAGES = stores


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from csfpilot.webapp.catalog.services import ensure_bundled_catalogs

        ensure_bundled_catalogs()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
