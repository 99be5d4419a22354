"""A supplier-requirements framework of one's own (CSV, through the operator's import) and a
mapping project on it whose proposals are given, so the review rules are tested without
depending on what the assistant proposes."""

from __future__ import annotations

from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog import services as catalog
from csfpilot.webapp.mapping import engine, services

SUPPLIER_CSV = b"""ID,Parent,Title,Text,Level
S,,Supplier security,Security rules for our suppliers,domain
S-1,S,Backups,The supplier backs up the data it holds for us and tests restoring it.,requirement
S-2,S,Accounts,Each person at the supplier has an own account; no shared accounts.,requirement
S-3,S,Incidents,The supplier reports security incidents to us within 24 hours.,requirement
S-4,S,Training,Staff of the supplier are trained in security every year.,requirement
S-5,S,Logging,The supplier keeps logs of access to our data for a year.,requirement
"""
KEY = "supplier-rules"

# What the assistant might answer: three candidates each, best first.
PROPOSALS = [
    engine.Proposal(
        "S-1",
        (
            engine.Candidate("PR.DS-11", 0.91, (("terms", "shared terms: backup, restore"),)),
            engine.Candidate("RC.RP-03", 0.62, (("semantic", "similar meaning 0.62"),)),
            engine.Candidate("PR.DS-01", 0.35, ()),
        ),
    ),
    engine.Proposal(
        "S-2",
        (
            engine.Candidate("PR.AA-01", 0.84, (("terms", "shared terms: account"),)),
            engine.Candidate("PR.AA-05", 0.55, ()),
        ),
    ),
    engine.Proposal(
        "S-3",
        (
            engine.Candidate("RS.CO-02", 0.77, (("semantic", "similar meaning 0.77"),)),
            engine.Candidate("GV.SC-08", 0.71, ()),
        ),
    ),
    engine.Proposal("S-4", (engine.Candidate("PR.AT-01", 0.66, ()),)),
    engine.Proposal("S-5", (engine.Candidate("DE.CM-03", 0.42, ()),)),
]


def load_supplier_framework() -> None:
    catalog.import_file(SUPPLIER_CSV, name=f"{KEY}.csv", who=audit.SYSTEM)


def project_with_proposals(access, name: str = "Supplier rules to CSF", method: str = "combined"):
    project = services.create_project(access, name=name, source_key=KEY, method=method)
    services.store_proposals(access, project, PROPOSALS)
    project.refresh_from_db()
    return project
