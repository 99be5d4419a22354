"""A real S3-compatible server on loopback for the storage tests (moto's server mode).

The server speaks S3's HTTP API on 127.0.0.1; the code under test reaches it
through boto3 exactly as it would reach a bucket of any S3-compatible service.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
KEY_ID = "csfpilot-test"
SECRET = "csfpilot-test-secret"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
        )

    def new_bucket(self) -> str:
        name = f"evidence-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def environment(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The settings an app server reads to keep its evidence in ``bucket``."""
        return {
            "CSFPILOT_EVIDENCE_STORAGE": "s3",
            "CSFPILOT_EVIDENCE_S3_BUCKET": bucket,
            "CSFPILOT_EVIDENCE_S3_ENDPOINT_URL": self.endpoint,
            "CSFPILOT_EVIDENCE_S3_REGION": REGION,
            "CSFPILOT_EVIDENCE_S3_ACCESS_KEY_ID": KEY_ID,
            "CSFPILOT_EVIDENCE_S3_SECRET_ACCESS_KEY": SECRET,
            "CSFPILOT_EVIDENCE_S3_PREFIX": prefix,
        }


@pytest.fixture(scope="session", name="s3_server")
def s3_server_fixture() -> Iterator[S3Server]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Server(f"http://{host}:{port}")
    finally:
        server.stop()
