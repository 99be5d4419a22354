"""Bringing in what organizations already hold in spreadsheets.

Two wizards, each reading a file, showing everything it would store, and
storing nothing until the person confirms: a sector's **Community Profile
workbook** read through a column mapping, and a **CSF 1.1 assessment**
carried into a CSF 2.0 draft profile.
"""
