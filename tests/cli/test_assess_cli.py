"""``csfpilot assess``: the terminal questionnaire, driven through a pipe and a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from csfpilot.formats.native import schema_errors

ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "COLUMNS": "100"}


def run(args: list[str], keys: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csfpilot", *args],
        input=keys,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        check=False,
    )


def ratings(path: Path, side: str = "current") -> dict[str, object]:
    doc = yaml.safe_load(path.read_text("utf-8"))
    assert schema_errors(doc) == []
    return {code: e[side] for code, e in doc["outcomes"].items() if e[side] is not None}


@pytest.fixture
def template(tmp_path: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "csfpilot", "profile", "new", "-o", "p.yaml"],
        cwd=tmp_path,
        env=ENV,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return tmp_path / "p.yaml"


def test_answers_are_saved_one_key_at_a_time(template: Path):
    result = run(["assess", "p.yaml"], "pflq", template.parent)
    assert result.returncode == 0, result.stderr
    assert ratings(template) == {
        "GV.OC-01": "partially",
        "GV.OC-02": "fully",
        "GV.OC-03": "largely",
    }
    out = result.stdout
    assert "[1/106] GV.OC-01  GV GOVERN › GV.OC Organizational Context" in out
    assert "The organizational mission is understood and informs cybersecurity risk" in out
    assert "Ex1: Share the organization's mission" in out
    assert "GV 0/31 · ID 0/21 · PR 0/22 · DE 0/11 · RS 0/13 · RC 0/8  —  0/106 answered" in out
    assert "GV 3/31 · ID 0/21 · PR 0/22 · DE 0/11 · RS 0/13 · RC 0/8  —  3/106 answered" in out
    assert "Saved GV.OC-02: Fully implemented" in out
    assert out.rstrip().endswith(
        "103 outcomes still unanswered; run `csfpilot assess p.yaml` again to continue."
    )
    assert [p.name for p in template.parent.iterdir()] == ["p.yaml"]  # no temp files left


def test_it_resumes_at_the_first_unanswered_outcome(template: Path):
    run(["assess", "p.yaml"], "pp", template.parent)  # end of input quits too
    result = run(["assess", "p.yaml"], "n", template.parent)
    assert "[3/106] GV.OC-03" in result.stdout
    assert ratings(template) == {
        "GV.OC-01": "partially",
        "GV.OC-02": "partially",
        "GV.OC-03": "not",
    }


def test_skip_back_and_wrong_keys(template: Path):
    # skip GV.OC-01, back to it, answer "largely", then a wrong key, quit.
    result = run(["assess", "p.yaml"], "sblxq", template.parent)
    assert ratings(template) == {"GV.OC-01": "largely"}
    assert "'x' is not an answer here; press one of the keys shown." in result.stdout


def test_the_status_scale_answers_with_its_letters_only(template: Path):
    # One key scheme with the browser and the Excel Scale sheet: n p l f a, not digits.
    result = run(["assess", "p.yaml"], "2q", template.parent)
    assert ratings(template) == {}
    assert "'2' is not an answer here; press one of the keys shown." in result.stdout
    assert "n Not implemented  p Partially implemented  l Largely implemented" in result.stdout


def test_back_at_the_first_outcome_stays_there(template: Path):
    result = run(["assess", "p.yaml"], "bf", template.parent)
    assert "This is the first outcome." in result.stdout
    assert ratings(template) == {"GV.OC-01": "fully"}


def test_help_shows_what_each_level_means(template: Path):
    result = run(["assess", "p.yaml"], "?q", template.parent)
    assert "  p  Partially implemented: Some of the outcome is achieved" in result.stdout


def test_target_side_and_the_maturity_scale(tmp_path: Path):
    subprocess.run(
        [sys.executable, "-m", "csfpilot", "profile", "new", "--scale", "maturity", "-o", "m.yaml"],
        cwd=tmp_path,
        env=ENV,
        check=True,
        capture_output=True,
        timeout=120,
    )
    result = run(["assess", "m.yaml", "--side", "target"], "35aq", tmp_path)
    assert result.returncode == 0, result.stderr
    assert ratings(tmp_path / "m.yaml", "target") == {
        "GV.OC-01": 3,
        "GV.OC-02": 5,
        "GV.OC-03": "na",
    }
    assert ratings(tmp_path / "m.yaml", "current") == {}


def test_start_at_a_chosen_outcome_and_refuse_an_unknown_one(template: Path):
    run(["assess", "p.yaml", "--start", "RC.CO-04"], "f", template.parent)
    assert ratings(template) == {"RC.CO-04": "fully"}
    result = run(["assess", "p.yaml", "--start", "RC.CO-05"], "", template.parent)
    assert result.returncode == 1
    assert "RC.CO-05 is not an included outcome of this profile" in result.stderr


def test_when_everything_is_answered_it_says_so(tmp_path: Path):
    path = tmp_path / "small.yaml"
    path.write_text(
        "format_version: 1\nframework: csf-2.0\nname: Small\nscale: status\n"
        "outcomes:\n  GV.OC-01: {current: fully}\n  GV.OC-02: {included: false}\n",
        encoding="utf-8",
    )
    result = run(["assess", "small.yaml"], "", tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == (
        "All 1 included outcomes have a current answer. Use --start <id> to revise one."
    )


def test_a_community_profile_is_answered_on_the_target_side_only(tmp_path: Path):
    subprocess.run(
        [sys.executable, "-m", "csfpilot", "profile", "new", "--kind", "community", "-o", "c.yaml"],
        cwd=tmp_path,
        env=ENV,
        check=True,
        capture_output=True,
        timeout=120,
    )
    result = run(["assess", "c.yaml"], "f", tmp_path)
    assert result.returncode == 1
    assert "c.yaml is a Community Profile (targets only); use --side target" in result.stderr
    assert ratings(tmp_path / "c.yaml", "target") == {}


def test_a_broken_file_is_refused_before_any_question(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("format_version: 1\nframework: csf-2.0\nname: [\n", encoding="utf-8")
    result = run(["assess", "broken.yaml"], "f", tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: broken.yaml:")
    assert path.read_text("utf-8") == "format_version: 1\nframework: csf-2.0\nname: [\n"


class Terminal:
    """A csfpilot process on a pseudo-terminal: keys go in raw, output comes back."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "csfpilot", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env={**ENV, "TERM": "xterm"},
            close_fds=True,
        )
        os.close(slave)
        self.seen = ""

    def expect(self, pattern: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        plain = ""
        while time.monotonic() < deadline:
            plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", self.seen)
            found = re.search(pattern, plain)
            if found:
                self.seen = plain[found.end() :]  # later output stays for the next expect
                return
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536).decode("utf-8", "replace")
                except OSError:
                    break
        raise AssertionError(f"never saw {pattern!r}; got:\n{plain[-2000:]}")

    def press(self, keys: str | bytes) -> None:
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)

    def close(self) -> int:
        code = self.proc.wait(timeout=60)
        os.close(self.master)
        return code


def test_in_a_terminal_single_keys_and_arrows_work_without_enter(template: Path):
    term = Terminal(["assess", "p.yaml"], template.parent)
    term.expect(r"\[1/106\] GV\.OC-01")
    term.press("l")  # no Enter: the terminal is in cbreak mode
    term.expect(r"Saved GV\.OC-01: Largely implemented")
    term.expect(r"\[2/106\] GV\.OC-02")
    term.press(b"\x1b[C")  # right arrow: skip
    term.expect(r"\[3/106\] GV\.OC-03")
    term.press(b"\x1b[D")  # left arrow: back
    term.expect(r"\[2/106\] GV\.OC-02")
    term.press("a")
    term.expect(r"Saved GV\.OC-02: Not applicable")
    term.press("q")
    term.expect(r"104 outcomes still unanswered")
    assert term.close() == 0
    assert ratings(template) == {"GV.OC-01": "largely", "GV.OC-02": "na"}


def test_an_edit_made_on_disk_between_answers_is_kept(template: Path):
    term = Terminal(["assess", "p.yaml"], template.parent)
    term.expect(r"\[1/106\] GV\.OC-01")
    term.press("p")
    term.expect(r"\[2/106\] GV\.OC-02")
    # Someone edits the file meanwhile (an editor, a git pull).
    text = template.read_text("utf-8")
    marker = "  RC.CO-04:\n    included: true\n    rationale: ''\n"
    assert marker in text
    template.write_text(
        text.replace(marker, "  RC.CO-04:\n    included: true\n    rationale: 'Edited'\n"),
        encoding="utf-8",
    )
    term.press("f")
    term.expect(r"the answer was added to it")
    term.press("q")
    assert term.close() == 0
    doc = yaml.safe_load(template.read_text("utf-8"))
    assert doc["outcomes"]["RC.CO-04"]["rationale"] == "Edited"
    assert ratings(template) == {"GV.OC-01": "partially", "GV.OC-02": "fully"}
