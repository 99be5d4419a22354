"""The evidence upload benchmark's section of docs/benchmarks.md."""

from __future__ import annotations

from bench.evidence_upload import section


def test_the_section_shows_each_setup_and_whether_the_target_was_met():
    data = {
        "when": "2026-12-06 14:52 UTC",
        "machine": "x86_64, 2 cores, Python 3.11.7",
        "load_average": "9.33, 9.33, 6.72",
        "file_mb": 200,
        "runs": [
            {
                "setup": "SQLite, folder",
                "file_mb": 200,
                "idle_mb": 241.3,
                "upload_peak_mb": 243.0,
                "download_peak_mb": 243.1,
                "after_mb": 243.0,
                "peak_above_idle_mb": 1.8,
                "upload_s": 2.36,
                "download_s": 0.94,
                "met": True,
            },
            {
                "setup": "SQLite, S3 bucket",
                "file_mb": 200,
                "idle_mb": 267.0,
                "upload_peak_mb": 380.0,
                "download_peak_mb": 310.9,
                "after_mb": 310.9,
                "peak_above_idle_mb": 113.0,
                "upload_s": 10.06,
                "download_s": 2.19,
                "met": False,
            },
        ],
    }
    lines = section(data)
    assert lines[0] == "## Evidence upload (standalone runs)\n"
    assert "one 200 MB file" in lines[1] and "load average 9.33, 9.33, 6.72" in lines[1]
    assert lines[4:6] == [
        "| SQLite, folder | 241.3 MB | 243.0 MB | 243.1 MB | 243.0 MB | 1.8 MB | 2.36 s | "
        "0.94 s | yes |",
        "| SQLite, S3 bucket | 267.0 MB | 380.0 MB | 310.9 MB | 310.9 MB | 113.0 MB | "
        "10.06 s | 2.19 s | no |",
    ]
