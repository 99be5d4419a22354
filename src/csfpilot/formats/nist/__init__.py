"""Importers for NIST's own CSF files.

- :mod:`.reftool` — the CSF 2.0 Reference Tool JSON (Core, Implementation
  Examples, withdrawals and every Informative Reference dataset);
- :mod:`.cprt` — the flat CPRT export of the same Core;
- :mod:`.csf11` — the CSF 1.1 Core and its SP 800-53 Rev. 5 mappings;
- :mod:`.concept_crosswalk` — NIST's OLIR concept crosswalk workbooks.
"""
