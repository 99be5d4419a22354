"""The demo organization's evidence library: every state a newcomer should see.

Policies and a plan that are accepted, training records one reviewer found
insufficient, a penetration test report past its validity, a firewall review
about to expire, a written attestation, a supplier export waiting for review,
an open evidence request, and a scanner import whose failing findings
contradict a "fully implemented" rating (:mod:`.scan_demo`). Everything goes
through the same services a member uses, so the audit trail shows it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from csfpilot.webapp.evidence import blobs, scan_demo, services
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.profiles import models as pm

INTRANET = "https://intranet.example.com/isms"

POLICY = """EXAMPLE MANUFACTURING CO. — INFORMATION SECURITY POLICY (ISP-01), VERSION 3.2

Approved by the Board of Directors on {approved}. Owner: Chief Information Security Officer.

1. Purpose. This policy sets the company's direction for protecting the information and
   the operational technology (OT) that run its two plants and its offices.
2. Scope. All employees, contractors and suppliers with access to company systems, at
   Plant 1, Plant 2 and headquarters, including MES, ERP and plant-floor control systems.
3. Roles. The CISO maintains this policy; plant managers own OT risk at their plant;
   IT Operations implements technical controls; HR runs awareness training.
4. Risk management. Cybersecurity risk is assessed against the risk appetite approved by
   the Board (statement RA-2026) and reviewed every quarter by the risk committee.
5. Review. The policy is reviewed every year, and after any major incident or change.
"""

IRP = """INCIDENT RESPONSE PLAN (IRP), VERSION 2

1. Triage: the managed detection provider escalates to the on-call IT Operations engineer.
2. Classification: severity 1–4; severity 1 and 2 call the incident manager (CISO).
3. Containment (section 5): endpoint isolation for office IT; OT shutdown decisions are the
   plant manager's, on the incident manager's advice.
4. Notification: customers, regulators and the insurer per the notification templates.
5. Lessons learned: a review within ten working days of every severity 1 or 2 incident.
"""

TRAINING = """employee_id;site;course;completed_on;score
E-1001;HQ;Security awareness 2026;{d1};92
E-1002;HQ;Security awareness 2026;{d1};88
E-1017;Plant 1;Security awareness 2026;{d2};79
E-1023;HQ;Phishing simulation Q3;{d2};pass
E-1042;Plant 1;Security awareness 2026;{d3};85
"""

SUPPLIERS = """supplier;service;criticality;ot_remote_access;contract_end
Northwind Automation;PLC maintenance;critical;yes;2027-06-30
Contoso Cloud ERP;ERP hosting;critical;no;2028-01-31
Fabrikam Logistics;Freight;medium;no;2027-03-31
"""


@dataclass(frozen=True)
class DemoItem:
    title: str
    kind: str
    links: tuple[tuple[str, str, str], ...]  # (outcome, review, comment)
    content: str = ""
    filename: str = ""
    url: str = ""
    statement: str = ""
    description: str = ""
    source: str = ""
    effective: int | None = None  # days from today
    until: int | None = None
    review_days: int | None = None


def items(today: date) -> list[DemoItem]:
    iso = (today - timedelta(days=200)).isoformat()
    return [
        DemoItem(
            "Information Security Policy ISP-01 v3.2",
            "policy",
            (
                ("GV.PO-01", "accepted", "Approved by the Board; signed copy."),
                ("GV.PO-02", "accepted", "Annual review clause in section 5."),
            ),
            content=POLICY.format(approved=iso),
            filename="ISP-01-v3.2.txt",
            source="CISO office",
            effective=-200,
            review_days=365,
        ),
        DemoItem(
            "Incident Response Plan IRP v2",
            "plan",
            (
                ("RS.MA-01", "accepted", "Tabletop with the insurer followed this plan."),
                ("RS.MI-01", "accepted", "Section 5 covers containment."),
                ("RS.CO-02", "pending", ""),
            ),
            content=IRP,
            filename="IRP-v2.txt",
            source="CISO office",
            effective=-120,
            until=245,
        ),
        DemoItem(
            "Security awareness training completions 2026",
            "training-record",
            (
                ("PR.AT-01", "accepted", "Export from the learning platform."),
                (
                    "PR.AT-02",
                    "insufficient",
                    "Covers office staff only; the plant operators' sessions are missing.",
                ),
            ),
            content=TRAINING.format(
                d1=(today - timedelta(days=60)).isoformat(),
                d2=(today - timedelta(days=45)).isoformat(),
                d3=(today - timedelta(days=20)).isoformat(),
            ),
            filename="training-completions-2026.csv",
            source="HR learning platform export",
            effective=-20,
            review_days=365,
        ),
        DemoItem(
            "External penetration test report 2025",
            "record",
            (("ID.RA-01", "accepted", "Findings tracked in the action plan."),),
            url=f"{INTRANET}/assessments/pentest-2025.pdf",
            description="Yearly external test of the internet-facing services.",
            source="Penetration testing provider",
            effective=-400,
            until=-40,
        ),
        DemoItem(
            "Firewall rule review, Plant 1",
            "configuration",
            (("PR.IR-01", "accepted", "Quarterly review signed by the plant manager."),),
            url=f"{INTRANET}/network/plant1-firewall-review.pdf",
            source="IT Operations",
            effective=-70,
            until=20,
        ),
        DemoItem(
            "Board risk appetite statement RA-2026",
            "attestation",
            (("GV.RM-02", "accepted", "Minutes of the Board meeting attached to the record."),),
            statement=(
                "The Board approved the cybersecurity risk appetite statement RA-2026: no "
                "tolerance for safety-relevant OT compromise; production outages above four "
                "hours require the risk committee's decision."
            ),
            source="Company secretary",
            effective=-150,
            review_days=365,
        ),
        DemoItem(
            "Supplier register export",
            "record",
            (("GV.SC-04", "pending", ""),),
            content=SUPPLIERS,
            filename="supplier-register.csv",
            source="Procurement",
            effective=-10,
            review_days=180,
        ),
    ]


def seed(access: Any, today: date, profile: pm.Profile) -> None:
    """Add the demo library to the organization of ``access`` (an owner's).

    Items are linked to outcomes of ``profile``, the demo's Organizational Profile.
    """
    if m.EvidenceItem.objects.filter(organization=access.organization).exists():
        return
    user = access.user
    for demo in items(today):
        values = services.ItemFields(
            title=demo.title,
            kind=demo.kind,
            description=demo.description,
            source=demo.source,
            collected_on=today + timedelta(days=demo.effective or 0),
            effective_from=None
            if demo.effective is None
            else today + timedelta(days=demo.effective),
            valid_until=None if demo.until is None else today + timedelta(days=demo.until),
            review_interval_days=demo.review_days,
            owner_id=getattr(user, "pk", None),
        )
        if demo.content:
            spooled = blobs.spool(
                [demo.content.encode()], filename=demo.filename, organization=access.organization
            )
            content = services.Content(spooled=spooled, filename=demo.filename)
        else:
            content = services.Content(url=demo.url, statement=demo.statement)
        row = services.add_item(access, values, content)
        for code, review, comment in demo.links:
            link = services.link(access, row.pk, profile.pk, code)
            if review != "pending":
                services.review(access, link.pk, review, comment)
    if user is not None:
        services.ask(
            access,
            profile.pk,
            ["PR.AA-05"],
            assignee_id=user.pk,
            due=today + timedelta(days=10),
            note="The last two quarterly access reviews of the ERP and the MES, please.",
        )
    scan_demo.seed(access, today, profile)
