"""OSCAL, NIST's machine-readable format for control catalogs and baselines.

- :func:`read_oscal_catalog` — any OSCAL catalog in JSON; NIST SP 800-53 Rev. 5
  is recognised and stored under ``sp800-53r5`` with canonical ids;
- :func:`read_oscal_baseline` — an OSCAL profile that selects controls by id
  (NIST's LOW, MODERATE, HIGH and PRIVACY baselines).

Every document is checked against NIST's OSCAL 1.2.1 JSON Schema first, and
no href in it is ever fetched.
"""

from csfpilot.formats.oscal.catalog import read_oscal_catalog
from csfpilot.formats.oscal.profile import read_oscal_baseline

__all__ = ["read_oscal_baseline", "read_oscal_catalog"]
