"""The demo organization's profiles: a mid-size manufacturer's CSF 2.0 journey through 2026.

Example Manufacturing Co. makes drivetrain components in two plants for
automotive and agricultural customers: about 900 people, an ERP and MES in a
small data centre, OT networks on both shop floors, a four-person IT security
team under a CISO. Its Organizational Profile covers the whole company, rates
all 106 CSF 2.0 outcomes on the implementation-status scale, and shows a year
of work: three quarterly reviews (snapshots) with scores rising, an action
plan with owners and due dates — some done, some late — and a sector
Community Profile it took its targets from.

Everything here is written out or derived with a fixed seed per outcome, so
the demo is the same on every machine and every start. Dates are the ends of
the last three complete quarters before the day the demo is created, so the
history is always in the past and some actions are always overdue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from csfpilot.core.ids import CSF_2_0
from csfpilot.core.profiles import (
    STATUS,
    Action,
    ActionStatus,
    Implementation,
    OutcomeEntry,
    OutcomeFramework,
    Priority,
    Profile,
    ProfileKind,
    Scope,
    ScopeType,
    Tier,
    TierRating,
    Tiers,
)

PROFILE_NAME = "Whole company — CSF 2.0"
COMMUNITY_NAME = "Discrete manufacturing Community Profile (demo)"
LEVELS = ("not", "partially", "largely", "fully")
HIGH, MEDIUM, LOW = Priority.HIGH, Priority.MEDIUM, Priority.LOW


@dataclass(frozen=True)
class CategoryPlan:
    """How one CSF Category stands at the demo company and where it must get to."""

    owner: str
    current: int  # typical current level today (index into LEVELS)
    target: int  # target level
    priority: Priority
    rationale: str
    policy: str
    practice: str
    target_practice: str
    roles: str


PLANS: dict[str, CategoryPlan] = {
    "GV.OC": CategoryPlan(
        "CISO",
        2,
        3,
        HIGH,
        "Board and key automotive customers expect cybersecurity to follow the business "
        "mission; TISAX assessment due in 2027.",
        "Information Security Policy v3.2 §2 (context)",
        "Mission, stakeholders and obligations documented in the ISMS scope statement, "
        "reviewed yearly by the CISO.",
        "Context reviewed every quarter in the risk committee, with customer and regulator "
        "requirements traced to controls.",
        "CISO owns; Legal and Sales Operations contribute obligations.",
    ),
    "GV.RM": CategoryPlan(
        "CISO",
        1,
        3,
        HIGH,
        "Cyber risk must be part of enterprise risk management before the 2027 insurance renewal.",
        "Enterprise Risk Management Standard ERM-01",
        "Cyber risks kept in a separate spreadsheet; appetite stated informally by the COO.",
        "Cyber risks scored with the ERM method in the enterprise risk register; appetite "
        "and tolerance approved by the board.",
        "CISO with the Head of Finance (ERM owner).",
    ),
    "GV.RR": CategoryPlan(
        "Head of HR",
        2,
        3,
        MEDIUM,
        "Accountability for cyber risk sits with the executive team; roles must be clear to "
        "plant managers.",
        "RACI for information security, HR onboarding procedure HR-07",
        "Security responsibilities in job descriptions for IT roles; plant roles informal.",
        "Security duties in every job description; budget linked to the risk strategy.",
        "Executive team accountable; HR maintains role descriptions.",
    ),
    "GV.PO": CategoryPlan(
        "CISO",
        2,
        3,
        MEDIUM,
        "Policies exist but OT-specific rules were missing until 2026.",
        "Information Security Policy v3.2 and 14 topic standards",
        "Policy set approved in 2024; OT standard drafted.",
        "Policies reviewed yearly and after major change; exceptions tracked.",
        "CISO drafts, executive team approves.",
    ),
    "GV.OV": CategoryPlan(
        "CEO",
        1,
        2,
        MEDIUM,
        "The board asked for a cyber dashboard in every quarterly meeting.",
        "Board terms of reference §5",
        "Yearly security report to the board.",
        "Quarterly review of this profile's scores and the action plan by the board.",
        "CEO sponsors; CISO reports.",
    ),
    "GV.SC": CategoryPlan(
        "Procurement Manager",
        0,
        2,
        HIGH,
        "Two incidents in the sector started at suppliers; customers now ask for our "
        "supplier controls.",
        "Supplier Security Requirements SSR-01 (draft)",
        "Security questions only for IT suppliers, answered once at onboarding.",
        "Suppliers tiered by criticality; security clauses in contracts; critical suppliers "
        "reassessed yearly.",
        "Procurement runs the programme; IT security reviews critical suppliers.",
    ),
    "ID.AM": CategoryPlan(
        "IT Operations Manager",
        2,
        3,
        HIGH,
        "You cannot protect what you do not know: OT assets were missing from the CMDB.",
        "Asset Management Standard AM-02",
        "CMDB covers office IT; OT assets listed per plant in spreadsheets.",
        "One inventory for IT and OT with owners, criticality and life-cycle dates.",
        "IT Operations maintains; plant engineering supplies OT data.",
    ),
    "ID.RA": CategoryPlan(
        "Security Analyst",
        1,
        3,
        HIGH,
        "Ransomware in the sector targets unpatched edge devices; risk analysis must drive "
        "patching.",
        "Vulnerability Management Procedure VM-03",
        "Monthly authenticated scans of office IT; OT scanned passively once a year.",
        "Risk-based vulnerability management across IT and OT with threat intelligence "
        "from the sector ISAC.",
        "Security team analyses; system owners remediate.",
    ),
    "ID.IM": CategoryPlan(
        "CISO",
        1,
        2,
        MEDIUM,
        "Lessons from exercises were not followed up.",
        "ISMS Improvement Procedure IMP-01",
        "Findings from the yearly audit tracked in the audit tool.",
        "Improvements from audits, tests and incidents tracked to closure in this action plan.",
        "CISO owns the improvement log.",
    ),
    "PR.AA": CategoryPlan(
        "IT Operations Manager",
        2,
        3,
        HIGH,
        "Stolen credentials are the most common way in; MFA is a customer requirement.",
        "Access Control Standard AC-01",
        "Central directory; MFA for remote access and e-mail; quarterly access reviews for ERP.",
        "MFA everywhere including OT jump hosts; joiner-mover-leaver automated from HR.",
        "IT Operations administers; managers review access.",
    ),
    "PR.AT": CategoryPlan(
        "Head of HR",
        2,
        3,
        MEDIUM,
        "Phishing tests showed an 11% click rate in 2025.",
        "Security Awareness Programme SAP-01",
        "Yearly e-learning for office staff; phishing simulation twice a year.",
        "Role-based training for all staff, including shop-floor supervisors and engineers.",
        "HR schedules; security team provides content.",
    ),
    "PR.DS": CategoryPlan(
        "IT Operations Manager",
        2,
        3,
        HIGH,
        "Design data and customer drawings are the crown jewels.",
        "Data Protection Standard DP-01",
        "Laptops encrypted; TLS on external services; nightly backups of servers.",
        "Classified design data encrypted at rest and in transit; immutable, tested backups.",
        "IT Operations; data owners classify.",
    ),
    "PR.PS": CategoryPlan(
        "IT Operations Manager",
        1,
        3,
        HIGH,
        "Unsupported Windows versions still run two test benches.",
        "Secure Configuration Standard SC-04",
        "Office builds hardened; servers patched monthly; OT patching ad hoc.",
        "Baselines for every platform, patch windows agreed with production, central logs.",
        "IT Operations; plant engineering for OT.",
    ),
    "PR.IR": CategoryPlan(
        "Network Engineer",
        1,
        3,
        HIGH,
        "A flat network lets malware move from offices to the shop floor.",
        "Network Security Standard NS-02",
        "Firewall between office and OT at Plant 1 only; Plant 2 network flat.",
        "Segmented IT/OT networks at both plants, with resilience for the MES.",
        "Network engineering designs and runs.",
    ),
    "DE.CM": CategoryPlan(
        "Security Analyst",
        1,
        2,
        HIGH,
        "Attacks were noticed only when systems failed.",
        "Security Monitoring Standard MON-01",
        "Firewall and endpoint alerts reviewed on weekdays.",
        "Managed detection and response 24/7 for IT; OT network monitoring at both plants.",
        "Security team with an MDR provider.",
    ),
    "DE.AE": CategoryPlan(
        "Security Analyst",
        0,
        2,
        MEDIUM,
        "Alerts are not correlated; incident criteria were undefined.",
        "Incident Management Procedure IM-01 §3",
        "Analysts look at individual alerts.",
        "Correlated alerts in the MDR's SIEM with documented incident criteria.",
        "Security team; MDR provider analyses out of hours.",
    ),
    "RS.MA": CategoryPlan(
        "CISO",
        1,
        3,
        HIGH,
        "The 2025 tabletop showed nobody knew who declares an incident.",
        "Incident Response Plan IRP v2",
        "Incident response plan written; roles partly assigned.",
        "Plan exercised twice a year with the MDR, insurer and key suppliers.",
        "CISO leads; incident manager on call.",
    ),
    "RS.AN": CategoryPlan(
        "Security Analyst",
        1,
        2,
        MEDIUM,
        "Evidence must hold up for the insurer and possibly the police.",
        "Incident Response Plan IRP v2 §6 (forensics)",
        "Logs kept 30 days; no forensic retainer.",
        "Logs kept 12 months; forensic retainer with the insurer's panel firm.",
        "Security team; external forensic firm.",
    ),
    "RS.CO": CategoryPlan(
        "Head of Communications",
        1,
        2,
        MEDIUM,
        "Customers require notification within 24 hours under supply contracts.",
        "Crisis Communication Plan CC-01",
        "Contact lists kept by the CISO.",
        "Notification templates and contact trees for customers, regulators and insurer.",
        "Communications with Legal and the CISO.",
    ),
    "RS.MI": CategoryPlan(
        "IT Operations Manager",
        2,
        3,
        HIGH,
        "Containment must not stop production longer than necessary.",
        "Incident Response Plan IRP v2 §5 (containment)",
        "Endpoint isolation available for office IT.",
        "Containment playbooks for IT and OT agreed with plant managers.",
        "IT Operations executes; plant managers decide on OT shutdowns.",
    ),
    "RC.RP": CategoryPlan(
        "IT Operations Manager",
        1,
        3,
        HIGH,
        "A day of MES downtime costs about €400k in lost output.",
        "Business Continuity and Recovery Plan BCP-02",
        "Server restore tested once; no restore order for the MES.",
        "Recovery plan with restore order, tested every half year against RTO/RPO.",
        "IT Operations; business continuity coordinator.",
    ),
    "RC.CO": CategoryPlan(
        "Head of Communications",
        1,
        2,
        LOW,
        "Staff and customers need regular updates during a long outage.",
        "Crisis Communication Plan CC-01 §4",
        "Ad hoc e-mails during outages.",
        "Status updates at agreed intervals through approved channels.",
        "Communications with the CISO.",
    ),
}

# What the security lead (the demo account) owns personally.
LEAD_OWNS = ("GV.OC", "GV.RM", "GV.OV", "ID.IM")

NOTES = {
    "GV.SC-04": "142 suppliers listed; 23 rated critical, of which 9 have OT remote access.",
    "ID.AM-01": "Plant 2 OT inventory 60% complete (PLC racks in hall C pending).",
    "ID.AM-08": "Two test benches still on Windows 7; replacement budgeted for Q1 2027.",
    "ID.RA-01": "Passive OT scanning licence bought in Q2; Plant 2 sensors installed in Q3.",
    "PR.AA-03": "MFA missing on the OT jump host at Plant 2 — tracked as an action.",
    "PR.DS-11": "Immutable backup copies at Plant 1 only; Plant 2 still on a NAS.",
    "PR.IR-01": "Plant 2 segmentation project runs until Q1 2027.",
    "DE.CM-01": "MDR covers office IT since Q2; OT monitoring pilot at Plant 1.",
    "RS.MA-01": "Tabletop with the insurer held in September.",
    "RC.RP-03": "Restore of the ERP from immutable copies tested in August (RTO met).",
}


def quarter_ends(today: date, count: int = 3) -> list[date]:
    """The last ``count`` quarter ends strictly before ``today``, oldest first."""
    out: list[date] = []
    year, quarter = today.year, (today.month - 1) // 3  # quarter already ended
    while len(out) < count:
        if quarter == 0:
            year, quarter = year - 1, 4
        month = quarter * 3
        end = date(year, month, 31 if month in (3, 12) else 30)
        if end < today:
            out.append(end)
        quarter -= 1
    return sorted(out)


def _category(framework: OutcomeFramework, code: str) -> str:
    return framework.ancestors(code)[-1]


def _final_current(code: str, plan: CategoryPlan) -> int:
    rng = random.Random(f"csfpilot-demo-current-{code}")  # noqa: S311 (fixed demo data)
    return max(0, min(plan.target, plan.current + rng.choice((-1, 0, 0, 0, 1))))


def _history(code: str, final: int) -> tuple[int | None, int | None, int | None]:
    """Current level at the three reviews: lower earlier, never above the final level."""
    rng = random.Random(f"csfpilot-demo-history-{code}")  # noqa: S311
    step3 = rng.choice((0, 0, 0, 1))
    step2 = step3 + rng.choice((0, 1, 1))
    step1 = step2 + rng.choice((0, 0, 1))
    levels = [max(0, final - step1), max(0, final - step2), max(0, final - step3)]
    out: list[int | None] = list(levels)
    # The first review assessed Govern, Identify and Protect only.
    if code.split(".")[0] in ("DE", "RS", "RC"):
        out[0] = None
    return out[0], out[1], out[2]


def _priority(code: str, plan: CategoryPlan) -> Priority:
    rng = random.Random(f"csfpilot-demo-priority-{code}")  # noqa: S311
    order = (HIGH, MEDIUM, LOW)
    i = order.index(plan.priority) + rng.choice((0, 0, 0, 1))
    return order[min(i, 2)]


def _entry(code: str, framework: OutcomeFramework, stage: int, lead_email: str) -> OutcomeEntry:
    """The outcome at a stage: 0, 1, 2 = the three reviews, 3 = today."""
    plan = PLANS[_category(framework, code)]
    final = _final_current(code, plan)
    current = final if stage == 3 else _history(code, final)[stage]
    owner = lead_email if _category(framework, code) in LEAD_OWNS else plan.owner
    if current is None:
        # Not yet assessed: the outcome is in scope, its target was already set.
        return OutcomeEntry(
            outcome=code,
            rationale=plan.rationale,
            priority=_priority(code, plan),
            target=STATUS.level(LEVELS[plan.target]),
            owner=owner,
        )
    return OutcomeEntry(
        outcome=code,
        included=True,
        rationale=plan.rationale,
        priority=_priority(code, plan),
        current=STATUS.level(LEVELS[current]),
        target=STATUS.level(LEVELS[plan.target]),
        owner=owner,
        notes=NOTES.get(code, "") if stage >= 2 else "",
        current_priority=plan.priority if current < plan.target else None,
        current_details=Implementation(
            policies=plan.policy if current >= 1 else "",
            practices=plan.practice,
            roles=plan.roles,
            references=(),
        ),
        target_details=Implementation(
            policies=plan.policy,
            practices=plan.target_practice,
            roles=plan.roles,
        ),
    )


def _tiers(stage: int) -> Tiers:
    governance_now = Tier.PARTIAL if stage == 0 else Tier.RISK_INFORMED
    return Tiers(
        governance=TierRating(
            current=governance_now,
            target=Tier.REPEATABLE,
            current_rationale=(
                "Cyber risk is discussed by management, but appetite and policy are not yet "
                "organization-wide; the board reviews it quarterly since Q2."
                if stage
                else "Cybersecurity is handled by IT alone; no board-level discussion yet."
            ),
            target_rationale="Automotive customers and the insurer expect formally approved, "
            "consistently applied risk governance (Tier 3) by the 2027 TISAX assessment.",
        ),
        management=TierRating(
            current=Tier.RISK_INFORMED,
            target=Tier.REPEATABLE,
            current_rationale="Risk-informed practices in office IT; OT and suppliers are "
            "handled case by case.",
            target_rationale="Repeatable, measured practices across IT, OT and suppliers.",
        ),
    )


@dataclass(frozen=True)
class _PlannedAction:
    code: str
    title: str
    outcomes: tuple[str, ...]
    owner: str
    due: int  # days after the last review: negative ones are always past, those over 92
    # are always ahead (a quarter has at most 92 days), whatever day the demo is made
    milestone: str
    cost: str
    statuses: tuple[ActionStatus | None, ...]  # at each review and today; None: not yet planned
    notes: str = ""


OPEN, WIP, DONE, ACCEPTED = (
    ActionStatus.OPEN,
    ActionStatus.IN_PROGRESS,
    ActionStatus.DONE,
    ActionStatus.RISK_ACCEPTED,
)

ACTIONS = (
    _PlannedAction(
        "A-001",
        "Put cyber risks into the enterprise risk register with the ERM scoring method",
        ("GV.RM-03", "GV.RM-06"),
        "CISO",
        -60,
        "Risk governance",
        "3 person-weeks",
        (OPEN, WIP, DONE, DONE),
    ),
    _PlannedAction(
        "A-002",
        "Board approval of cyber risk appetite and tolerance statements",
        ("GV.RM-02",),
        "CEO",
        -30,
        "Risk governance",
        "2 board sessions",
        (None, OPEN, WIP, DONE),
    ),
    _PlannedAction(
        "A-003",
        "Tier suppliers by criticality and add security clauses to critical contracts",
        ("GV.SC-04", "GV.SC-05"),
        "Procurement Manager",
        -20,
        "Supply chain",
        "6 person-weeks; legal review €8k",
        (None, OPEN, WIP, WIP),
        "Clauses agreed with 14 of 23 critical suppliers.",
    ),
    _PlannedAction(
        "A-004",
        "Complete the OT asset inventory at Plant 2",
        ("ID.AM-01", "ID.AM-02"),
        "IT Operations Manager",
        100,
        "Asset visibility",
        "4 person-weeks",
        (OPEN, WIP, WIP, WIP),
    ),
    _PlannedAction(
        "A-005",
        "Enforce MFA on OT jump hosts at both plants",
        ("PR.AA-03",),
        "IT Operations Manager",
        -45,
        "Identity",
        "€12k licences",
        (None, OPEN, OPEN, OPEN),
        "Blocked twice by production freeze windows.",
    ),
    _PlannedAction(
        "A-006",
        "Segment the Plant 2 network into office, MES and cell zones",
        ("PR.IR-01",),
        "Network Engineer",
        120,
        "Network segmentation",
        "€85k hardware, 10 person-weeks",
        (None, OPEN, WIP, WIP),
    ),
    _PlannedAction(
        "A-007",
        "24/7 managed detection and response for office IT",
        ("DE.CM-01", "DE.CM-09", "DE.AE-02"),
        "Security Analyst",
        -75,
        "Detection",
        "€60k per year",
        (OPEN, WIP, DONE, DONE),
    ),
    _PlannedAction(
        "A-008",
        "Define incident criteria and escalation with the MDR provider",
        ("DE.AE-08", "RS.MA-02", "RS.MA-04"),
        "CISO",
        -15,
        "Incident response",
        "1 person-week",
        (None, None, OPEN, OPEN),
    ),
    _PlannedAction(
        "A-009",
        "Immutable backup copies for Plant 2 servers",
        ("PR.DS-11", "RC.RP-03"),
        "IT Operations Manager",
        110,
        "Recovery",
        "€20k storage",
        (None, None, OPEN, WIP),
    ),
    _PlannedAction(
        "A-010",
        "Half-yearly restore test of ERP and MES against RTO/RPO",
        ("RC.RP-02", "RC.RP-05"),
        "IT Operations Manager",
        130,
        "Recovery",
        "2 person-weeks per test",
        (None, None, OPEN, OPEN),
    ),
    _PlannedAction(
        "A-011",
        "Role-based security training for shop-floor supervisors",
        ("PR.AT-02",),
        "Head of HR",
        150,
        "People",
        "€9k content",
        (None, None, None, OPEN),
    ),
    _PlannedAction(
        "A-012",
        "Replace the two Windows 7 test benches",
        ("ID.AM-08", "PR.PS-02"),
        "Plant Engineering Manager",
        30,
        "Platforms",
        "€140k (new benches)",
        (None, OPEN, OPEN, ACCEPTED),
        "Risk accepted by the COO until Q1 2027: benches isolated, no network "
        "access; replacement in the 2027 capital plan.",
    ),
)


def _actions(
    stage: int, reviews: list[date], controls: dict[str, tuple[str, ...]]
) -> tuple[Action, ...]:
    last = reviews[-1]
    out = []
    for planned in ACTIONS:
        status = planned.statuses[stage]
        if status is None:
            continue
        suggested: list[str] = []
        for code in planned.outcomes:
            suggested.extend(c for c in controls.get(code, ()) if c not in suggested)
        out.append(
            Action(
                id=planned.code,
                title=planned.title,
                outcomes=planned.outcomes,
                owner=planned.owner,
                due=last + timedelta(days=planned.due),
                milestone=planned.milestone,
                status=status,
                cost=planned.cost,
                controls=tuple(suggested[:6]),
                notes=planned.notes if stage >= 2 else "",
            )
        )
    return tuple(out)


def organizational_profile(
    framework: OutcomeFramework,
    stage: int,
    *,
    lead_email: str,
    reviews: list[date],
    controls: dict[str, tuple[str, ...]],
) -> Profile:
    """The company-wide profile at a stage (0–2: the quarterly reviews, 3: today)."""
    return Profile(
        name=PROFILE_NAME,
        framework=framework.key,
        kind=ProfileKind.ORGANIZATIONAL,
        scope=Scope(ScopeType.ORGANIZATION, "Example Manufacturing Co., both plants"),
        description="Current and Target Profile of the whole company: offices, the data "
        "centre and the OT networks of Plant 1 (Linz Road) and Plant 2 (Riverside).",
        assumptions="Targets assume the 2026–2027 security budget of €450k is approved and "
        "the MDR contract is renewed. OT systems are in scope; the sales subsidiary abroad "
        "is not.",
        scale=STATUS,
        based_on=COMMUNITY_NAME,
        tiers=_tiers(stage),
        outcomes={code: _entry(code, framework, stage, lead_email) for code in framework.outcomes},
        actions=_actions(stage, reviews, controls),
    )


def community_profile(framework: OutcomeFramework) -> Profile:
    """The sector's shared target the company took its Target Profile from."""
    entries = {}
    for code in framework.outcomes:
        plan = PLANS[_category(framework, code)]
        entries[code] = OutcomeEntry(
            outcome=code,
            rationale=plan.rationale,
            priority=plan.priority,
            target=STATUS.level(LEVELS[plan.target]),
            target_details=Implementation(practices=plan.target_practice),
        )
    return Profile(
        name=COMMUNITY_NAME,
        framework=framework.key,
        kind=ProfileKind.COMMUNITY,
        scope=Scope(ScopeType.ORGANIZATION, "Mid-size discrete manufacturers"),
        description="An illustrative shared target for mid-size discrete manufacturers with "
        "OT on the shop floor, written for the demo (not published by NIST or a sector body).",
        assumptions="Members run their own OT networks and supply automotive or agricultural OEMs.",
        scale=STATUS,
        tiers=Tiers(
            governance=TierRating(
                target=Tier.REPEATABLE,
                target_rationale="Customer audits expect approved, consistently applied policy.",
            ),
            management=TierRating(
                target=Tier.REPEATABLE, target_rationale="Repeatable practices across IT and OT."
            ),
        ),
        outcomes=entries,
    )


def review_time(day: date) -> datetime:
    """Reviews close at 17:00 UTC on the quarter's last day."""
    return datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC)


def review_label(day: date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year} review"


def seed(access: Any, today: date) -> None:
    """Store the demo profiles in the organization of ``access`` (an owner's), in one
    transaction: the Community Profile, then the company profile as it was at each of
    the last three quarterly reviews — a snapshot each — and finally as it is today."""
    from django.db import transaction

    from csfpilot.webapp.catalog.models import Framework
    from csfpilot.webapp.profiles import services
    from csfpilot.webapp.profiles.frameworks import outcome_framework, suggested_controls

    fw = Framework.objects.filter(key=CSF_2_0).first()
    if fw is None:
        return
    framework = outcome_framework(fw)
    controls = dict(suggested_controls(fw.key))
    reviews = quarter_ends(today)
    lead = access.user.email if access.user is not None else ""
    with transaction.atomic():
        services.store_profile(access, community_profile(framework))
        for stage, day in enumerate([*reviews, None]):
            profile = organizational_profile(
                framework, stage, lead_email=lead, reviews=reviews, controls=controls
            )
            row = services.store_profile(access, profile, replace_existing=True).profile
            if day is not None:
                services.take_snapshot(
                    access, row.pk, label=review_label(day), taken_at=review_time(day)
                )
