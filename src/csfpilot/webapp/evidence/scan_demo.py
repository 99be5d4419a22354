"""The demo's scanner import: a cloud-account scan that contradicts a "fully" rating.

The demo company rates PR.DS-02 (the confidentiality of data in transit is
protected) as fully implemented, yet the scan of the account hosting its ERP
finds a load balancer offering weak TLS ciphers and a bucket that accepts
plain HTTP: two high-severity failures a reviewer should see next to that
rating. The file is written in the shape Prowler gives its OCSF output, with
today's date, and imported through the same importer as any user's file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any

from csfpilot.webapp.evidence import scans

ACCOUNT = "210987654321"
REGION = "eu-central-1"
FILENAME = "prowler-output-erp-hosting.ocsf.json"

# (check, status, severity, title, resource type, resource name, SP 800-53, CSF 2.0)
CHECKS = (
    (
        "elbv2_insecure_ssl_ciphers",
        "FAIL",
        "High",
        "Ensure load balancers use only strong TLS ciphers",
        "AwsElbv2LoadBalancer",
        "erp-frontend",
        ["sc_8", "sc_8_1", "sc_13"],
        ["pr_ds_02"],
    ),
    (
        "s3_bucket_secure_transport_policy",
        "FAIL",
        "High",
        "Ensure S3 buckets deny requests that do not use TLS",
        "AwsS3Bucket",
        "erp-exports",
        ["sc_8", "sc_8_1"],
        ["pr_ds_02"],
    ),
    (
        "rds_instance_transport_encrypted",
        "PASS",
        "Medium",
        "Ensure database connections are encrypted in transit",
        "AwsRdsDbInstance",
        "erp-db",
        ["sc_8"],
        ["pr_ds_02"],
    ),
    (
        "iam_root_mfa_enabled",
        "PASS",
        "Critical",
        "Ensure MFA is enabled for the root account",
        "AwsIamUser",
        "root",
        ["ia_2_1", "ia_2_2"],
        ["pr_aa_03"],
    ),
    (
        "s3_bucket_default_encryption",
        "PASS",
        "Medium",
        "Ensure S3 buckets are encrypted at rest",
        "AwsS3Bucket",
        "erp-exports",
        ["sc_28"],
        ["pr_ds_01"],
    ),
    (
        "ec2_instance_imdsv2_enabled",
        "FAIL",
        "Medium",
        "Ensure EC2 instances require the instance metadata service version 2",
        "AwsEc2Instance",
        "erp-batch-01",
        ["cm_6"],
        ["pr_ps_01"],
    ),
    (
        "guardduty_is_enabled",
        "PASS",
        "Medium",
        "Ensure GuardDuty is enabled",
        "AwsGuardDutyDetector",
        REGION,
        ["si_4"],
        ["de_cm_01"],
    ),
)

# Resource names as AWS writes them, per resource type.
_ARN = {
    "AwsElbv2LoadBalancer": "arn:aws:elasticloadbalancing:{r}:{a}:loadbalancer/app/{n}",
    "AwsS3Bucket": "arn:aws:s3:::{n}",
    "AwsRdsDbInstance": "arn:aws:rds:{r}:{a}:db:{n}",
    "AwsIamUser": "arn:aws:iam::{a}:{n}",
    "AwsEc2Instance": "arn:aws:ec2:{r}:{a}:instance/{n}",
    "AwsGuardDutyDetector": "arn:aws:guardduty:{r}:{a}:detector/{n}",
}


def _arn(rtype: str, name: str) -> str:
    return _ARN[rtype].format(r=REGION, a=ACCOUNT, n=name)


_SEVERITY_ID = {"Low": 2, "Medium": 3, "High": 4, "Critical": 5}


def ocsf_findings(when: datetime) -> list[dict[str, Any]]:
    stamp = int(when.timestamp())
    found = []
    for check, status, severity, title, rtype, rname, nist, csf in CHECKS:
        found.append(
            {
                "message": title if status == "PASS" else f"{title}: failed for {rname}.",
                "metadata": {
                    "event_code": check,
                    "product": {
                        "name": "Prowler",
                        "uid": "prowler",
                        "vendor_name": "Prowler",
                        "version": "5.4.1",
                    },
                    "version": "1.4.0",
                },
                "severity_id": _SEVERITY_ID[severity],
                "severity": severity,
                "status_code": status,
                "status_id": 1,
                "unmapped": {"compliance": {"NIST-800-53-Revision-5": nist, "NIST-CSF-2.0": csf}},
                "finding_info": {
                    "created_time": stamp,
                    "desc": title,
                    "title": title,
                    "uid": f"prowler-aws-{check}-{ACCOUNT}-{REGION}-{rname}",
                },
                "resources": [
                    {
                        "region": REGION,
                        "name": rname,
                        "type": rtype,
                        "uid": _arn(rtype, rname),
                    }
                ],
                "class_name": "Detection Finding",
                "class_uid": 2004,
                "cloud": {
                    "account": {"name": "erp-hosting", "type": "AWS Account", "uid": ACCOUNT},
                    "provider": "aws",
                    "region": REGION,
                },
                "time": stamp,
                "type_uid": 200401,
            }
        )
    return found


def seed(access: Any, today: Any, profile: Any) -> scans.ScanResult:
    when = datetime.combine(today, time(6, 30), tzinfo=UTC)
    data = json.dumps(ocsf_findings(when), indent=1).encode()
    return scans.import_scan(access, [data], FILENAME, profile_id=profile.pk)
