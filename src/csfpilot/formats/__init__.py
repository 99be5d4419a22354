"""Reading and writing files: NIST's framework exports, crosswalks, OSCAL, workbooks.

Everything here is plain Python that returns the domain objects of
:mod:`csfpilot.core`; nothing touches the database. Readers treat every file as
untrusted (see :mod:`csfpilot.formats.safe_json` and
:mod:`csfpilot.formats.xlsx_safety`).
"""
