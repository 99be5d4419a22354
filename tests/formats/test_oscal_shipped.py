"""The shipped OSCAL files whose schema check is skipped at start-up are checked here."""

import hashlib

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.formats.oscal.document import from_parsed
from csfpilot.formats.oscal.schema import check_against_schema
from csfpilot.formats.oscal.shipped_hashes import SCHEMA_CHECKED_IN_TESTS
from csfpilot.formats.safe_json import load_json


@pytest.mark.parametrize("sha256", sorted(SCHEMA_CHECKED_IN_TESTS))
def test_each_trusted_file_is_shipped_and_valid(nist_data, sha256):
    path = nist_data / SCHEMA_CHECKED_IN_TESTS[sha256]
    raw = path.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == sha256
    value = load_json(raw, name=path.name)
    model = "catalog" if "catalog" in value else "profile"
    check_against_schema(value, model, file=path.name)  # raises if invalid


def test_a_changed_copy_is_checked_again(nist_data):
    path = nist_data / "nist-sp800-53r5/oscal-5.1.1/NIST_SP-800-53_rev5_LOW-baseline_profile.json"
    value = load_json(path.read_bytes(), name=path.name)
    del value["profile"]["metadata"]
    with pytest.raises(InputRefused):
        from_parsed(value, expected="profile", file=path.name, sha256="0" * 64)
