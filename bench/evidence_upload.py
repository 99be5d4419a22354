"""A 200 MB evidence upload and its download through ``csfpilot serve``: the server's memory.

    python -m bench.evidence_upload                 # SQLite, PostgreSQL (when it answers), S3
    python -m bench.evidence_upload --size-mb 50 --only sqlite

For each setup a fresh data folder (and database) gets one organization and its
owner; ``csfpilot serve`` (one worker process, no job worker) starts on it, and
the client signs in, uploads a small file to warm the server up, then streams a
file of ``--size-mb`` MB (a PDF) as a multipart upload, and downloads it again.
The resident memory of the server's processes (main and worker, summed) is
sampled every 10 ms from a thread: idle after the warm-up, peak during the upload,
peak during the download, and after. The target: the peak stays under 100 MB above
idle. Setups: SQLite with the evidence folder, PostgreSQL with the folder, and
SQLite with an S3 bucket (a real S3-compatible server, moto's, on loopback).

The upload goes to the evidence upload route of tests/security/evidence_upload_urls.py
(``UPLOAD``), which does what the evidence pages do: ``uploads.spool_upload`` and
``services.add_item``. Results: bench/results/evidence-upload.json and the section
"Evidence upload" of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import psutil

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "evidence-upload.json"
HOST = "127.0.0.1"
PG_URL = "postgres://postgres@127.0.0.1:5432/csfpilot_bench_evidence"
PASSWORD = "correct horse battery staple 9"
UPLOAD = "/orgs/acme/evidence/test-upload/"
DOWNLOAD = "/orgs/acme/evidence/test-download/{version}/"
BOUNDARY = "csfpilot-bench-boundary"
MiB = 1024 * 1024
TARGET_MB = 100


class Memory:
    """Resident memory of a process and its children, summed, sampled from a thread."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def now(self) -> float:
        total = 0
        for p in [self.root, *self.root.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                continue
        return total / MiB

    @contextmanager
    def watching(self) -> Iterator[None]:
        self.peak = self.now()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        try:
            yield
        finally:
            self._stop.set()
            self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.now())


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "csfpilot", "manage", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=1800,
    )


def _fresh_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _postgres_up(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


@contextmanager
def _server(env: dict[str, str], data_dir: Path) -> Iterator[tuple[int, int]]:
    port = _free_port()
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "csfpilot",
            "serve",
            "--no-demo",
            "--no-worker",
            "--port",
            str(port),
        ],
        env={**env, "PYTHONUNBUFFERED": "1", "CSFPILOT_WORKERS": "1"},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(
                        "csfpilot serve did not start:\n" + (data_dir / "server.log").read_text()
                    ) from None
                time.sleep(0.2)
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _sign_in(port: int) -> dict[str, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request("GET", "/accounts/login/")
    page = conn.getresponse()
    html = page.read().decode()
    cookies = dict(
        c.split(";", 1)[0].split("=", 1) for c in page.headers.get_all("Set-Cookie") or []
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = {"csrfmiddlewaretoken": token, "login": "owner@acme.test", "password": PASSWORD}
    conn.request(
        "POST",
        "/accounts/login/",
        body=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    answer = conn.getresponse()
    answer.read()
    cookies.update(
        c.split(";", 1)[0].split("=", 1) for c in answer.headers.get_all("Set-Cookie") or []
    )
    conn.close()
    return {
        "Cookie": f"csrftoken={cookies['csrftoken']}; sessionid={cookies['sessionid']}",
        "X-CSRFToken": cookies["csrftoken"],
    }


def _pdf_body(size: int, name: str) -> tuple[int, Iterator[bytes], str]:
    """A multipart body holding a PDF of ``size`` bytes, made as it is sent, and its hash."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    block = hashlib.sha256(b"evidence").digest() * (MiB // 32)
    first = b"%PDF-1.7\n" + block[9:]
    digest = hashlib.sha256()
    left = size
    pieces = []
    while left > 0:
        piece = (first if left == size else block)[: min(left, MiB)]
        digest.update(piece)
        pieces.append(len(piece))
        left -= len(piece)

    def chunks() -> Iterator[bytes]:
        yield head
        for i, n in enumerate(pieces):
            yield (first if i == 0 else block)[:n]
        yield tail

    return len(head) + size + len(tail), chunks(), digest.hexdigest()


def _upload(port: int, session: dict[str, str], size: int, name: str) -> tuple[dict, float]:
    length, chunks, sha = _pdf_body(size, name)
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    started = time.perf_counter()
    conn.request(
        "POST",
        UPLOAD,
        body=chunks,
        headers={
            **session,
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(length),
        },
    )
    answer = conn.getresponse()
    body = answer.read()
    seconds = time.perf_counter() - started
    conn.close()
    if answer.status != 201:
        raise SystemExit(f"upload answered {answer.status}: {body[:500]!r}")
    created = json.loads(body)
    if created["sha256"] != sha:
        raise SystemExit("the stored file's hash differs from the uploaded file's")
    return created, seconds


def _download(port: int, session: dict[str, str], version: int) -> tuple[str, float]:
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", DOWNLOAD.format(version=version), headers=session)
    answer = conn.getresponse()
    digest = hashlib.sha256()
    while chunk := answer.read(MiB):
        digest.update(chunk)
    seconds = time.perf_counter() - started
    conn.close()
    return digest.hexdigest(), seconds


def measure(setup: str, size_mb: int, extra_env: dict[str, str]) -> dict[str, object]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"csfpilot-bench-evidence-{setup}-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CSFPILOT_", "DJANGO_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="bench-only-not-a-secret",
        CSFPILOT_AUTOLOAD_CATALOGS="0",
        DJANGO_SETTINGS_MODULE="tests.security.evidence_server_settings",
        **extra_env,
    )
    if "CSFPILOT_DATABASE_URL" in env:
        _fresh_postgres(env["CSFPILOT_DATABASE_URL"])
    _manage(env, "migrate", "--verbosity", "0")
    _manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from csfpilot.webapp.organizations.models import Membership, Organization\n"
        "org = Organization.objects.create(name='Acme', slug='acme')\n"
        "user = get_user_model().objects.create_user(username='owner', "
        f"email='owner@acme.test', password={PASSWORD!r})\n"
        "Membership.objects.create(user=user, organization=org, role='owner')\n",
    )
    with _server(env, data_dir) as (port, pid):
        session = _sign_in(port)
        memory = Memory(pid)
        warm, _ = _upload(port, session, 2 * MiB, "warm-up.pdf")
        _download(port, session, warm["version"])
        time.sleep(1)
        idle = memory.now()
        with memory.watching():
            created, upload_s = _upload(port, session, size_mb * MiB, "large.pdf")
        upload_peak = memory.peak
        with memory.watching():
            sha, download_s = _download(port, session, created["version"])
        download_peak = memory.peak
        if sha != created["sha256"]:
            raise SystemExit("the downloaded file's hash differs from the stored file's")
        time.sleep(1)
        after = memory.now()
    peak_above = max(upload_peak, download_peak) - idle
    return {
        "setup": setup,
        "file_mb": size_mb,
        "idle_mb": round(idle, 1),
        "upload_peak_mb": round(upload_peak, 1),
        "download_peak_mb": round(download_peak, 1),
        "after_mb": round(after, 1),
        "peak_above_idle_mb": round(peak_above, 1),
        "upload_s": round(upload_s, 2),
        "download_s": round(download_s, 2),
        "met": peak_above < TARGET_MB,
    }


@contextmanager
def _s3() -> Iterator[dict[str, str]]:
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=HOST, port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    keys = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench-secret"}
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **keys).create_bucket(
        Bucket="bench-evidence"
    )
    try:
        yield {
            "CSFPILOT_EVIDENCE_STORAGE": "s3",
            "CSFPILOT_EVIDENCE_S3_BUCKET": "bench-evidence",
            "CSFPILOT_EVIDENCE_S3_ENDPOINT_URL": endpoint,
            "CSFPILOT_EVIDENCE_S3_REGION": "us-east-1",
            "CSFPILOT_EVIDENCE_S3_ACCESS_KEY_ID": keys["aws_access_key_id"],
            "CSFPILOT_EVIDENCE_S3_SECRET_ACCESS_KEY": keys["aws_secret_access_key"],
        }
    finally:
        server.stop()


def section(data: dict) -> list[str]:
    """The "Evidence upload" section of docs/benchmarks.md."""
    lines = [
        "## Evidence upload (standalone runs)\n",
        f"`python -m bench.evidence_upload` (bench/results/evidence-upload.json): one "
        f"{data['file_mb']} MB file uploaded to `csfpilot serve` (one worker process) as a "
        "multipart form to an evidence upload route that does what the evidence pages do "
        "(`uploads.spool_upload`, `services.add_item`; tests/security/evidence_upload_urls.py) "
        "and downloaded again, both streamed; the resident memory of the "
        "server's processes, summed, sampled every 10 ms. Idle is after a warm-up upload. "
        f"Target: the peak under {TARGET_MB} MB above idle. The S3 setup stores into a real "
        "S3-compatible server on loopback (moto's), which runs in the benchmark's own "
        f"process, not the server's. Measured {data['when']} on {data['machine']}, load "
        f"average {data['load_average']} at the start.\n",
        "| setup | idle | peak, upload | peak, download | after | peak above idle | upload | "
        "download | target met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in data["runs"]:
        lines.append(
            f"| {r['setup']} | {r['idle_mb']} MB | {r['upload_peak_mb']} MB | "
            f"{r['download_peak_mb']} MB | {r['after_mb']} MB | {r['peak_above_idle_mb']} MB | "
            f"{r['upload_s']} s | {r['download_s']} s | {'yes' if r['met'] else 'no'} |"
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--only", choices=["sqlite", "postgresql", "s3"], action="append")
    parser.add_argument("--postgres-url", default=PG_URL)
    args = parser.parse_args()
    chosen = args.only or ["sqlite", "postgresql", "s3"]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    runs = []
    for setup in chosen:
        print(f"{setup}: {args.size_mb} MB …", file=sys.stderr, flush=True)
        if setup == "sqlite":
            runs.append(measure("SQLite, folder", args.size_mb, {}))
        elif setup == "postgresql":
            if not _postgres_up(args.postgres_url):
                print("PostgreSQL does not answer: skipped", file=sys.stderr)
                continue
            env = {"CSFPILOT_DATABASE_URL": args.postgres_url}
            runs.append(measure("PostgreSQL, folder", args.size_mb, env))
        else:
            with _s3() as env:
                runs.append(measure("SQLite, S3 bucket", args.size_mb, env))
        print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
    if args.only and RESULTS.exists():
        # Keep the last results of the setups not run this time.
        kept = json.loads(RESULTS.read_text())
        done = {r["setup"] for r in runs}
        runs = [r for r in kept["runs"] if r["setup"] not in done] + runs
    data = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "load_average": load,
        "file_mb": args.size_mb,
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    from bench.report import write_doc

    write_doc(ROOT / "docs" / "benchmarks.md")
    print(json.dumps(data))


if __name__ == "__main__":
    main()
