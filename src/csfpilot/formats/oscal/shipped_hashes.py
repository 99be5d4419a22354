"""NIST's OSCAL files that ship inside csfpilot, identified by the sha256 of their bytes.

These exact bytes are checked against the OSCAL 1.2.1 schema by the test suite
(tests/formats/test_oscal_shipped.py), so reading them again at every first start
need not repeat a check that costs most of a second. Any other file, including
a byte-different copy of the same catalog, is always checked.
"""

from __future__ import annotations

SCHEMA_CHECKED_IN_TESTS: dict[str, str] = {
    "95e025bfdc248269efb10ee2621b7a211116a2ef3a82f39676f7c5eb9c8acb64": (
        "nist-sp800-53r5/oscal-5.0.1-2021/NIST_SP-800-53_rev5_catalog.json"
    ),
    "79b7c450ab62ba012e5ad95f6255ece75fc165b2c421fefda276d82240542219": (
        "nist-sp800-53r5/oscal-5.1.1/NIST_SP-800-53_rev5_LOW-baseline_profile.json"
    ),
    "d88e64e1e4b3a2d65de2367f4ec31828c04f1be93375fd597c41af1409578e03": (
        "nist-sp800-53r5/oscal-5.1.1/NIST_SP-800-53_rev5_MODERATE-baseline_profile.json"
    ),
    "c98eb266f3c78c622c6573e032ab1b7619a30821840bb10f7f21fdee78281058": (
        "nist-sp800-53r5/oscal-5.1.1/NIST_SP-800-53_rev5_HIGH-baseline_profile.json"
    ),
    "ee4e7f0ff8f1141d3974f9072d287af919d081e1dfc6666ac0b579504aeddbcb": (
        "nist-sp800-53r5/oscal-5.1.1/NIST_SP-800-53_rev5_PRIVACY-baseline_profile.json"
    ),
}
