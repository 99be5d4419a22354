"""Fail when a model change has no migration (run by `make lint`)."""

import os
import sys
import tempfile

os.environ.setdefault("CSFPILOT_DATA_DIR", tempfile.mkdtemp(prefix="csfpilot-lint-"))
os.environ.setdefault("CSFPILOT_SECRET_KEY", "lint-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csfpilot.webapp.config.settings")

import django
from django.core.management import call_command

django.setup()
try:
    call_command("makemigrations", "--check", "--dry-run", verbosity=1)
except SystemExit as exc:
    if exc.code:
        print("Models changed without a migration: run `csfpilot manage makemigrations`.")
        sys.exit(1)
