"""Issue 16 item 10: `ocp-conformance run` with a report path that is a file or a target URL that is not one
exits 2 with one error line (was 3 with a traceback, or 3 INTERNALERROR, or 1); failures print one line each
unless -v. In process: each case stops before any test runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ocp_conformance.cli import app

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["run", "--no-allure-html", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stderr


def _error_line(stderr: str) -> str:
    """The one ``error:`` line, however long (never wrapped, never a traceback)."""
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_a_report_path_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    afile = tmp_path / "hostname"
    afile.write_text("host\n", encoding="utf-8")
    code, said = _run("--report", str(afile))
    assert code == 2
    assert _error_line(said) == f"error: --report {afile} is a file, expected a folder for the reports"
    code, said = _run("--report", str(afile / "below"))
    assert code == 2 and "cannot use it as the report folder" in _error_line(said)


@pytest.mark.parametrize(("url", "why"), [
    ("http://[::1", "is not a valid URL"),
    ("http://", "names no host"),
    ("https://", "names no host"),
    ("http://host:port", "is not a valid URL"),
])
def test_a_target_url_that_is_not_one_is_a_usage_error(tmp_path: Path, url: str, why: str) -> None:
    code, said = _run("--target", url, "--report", str(tmp_path / "r"))
    assert code == 2, said
    assert f"target URL {url!r} {why}" in _error_line(said) and "INTERNALERROR" not in said


@pytest.mark.parametrize(("verbose", "expected", "absent"), [
    (False, ["--tb=short", "-rN", "--ocp-one-line-failures"], "-rfE"),
    (True, ["--tb=short", "-rfE"], "--ocp-one-line-failures"),
])
def test_failures_print_one_line_each_unless_verbose(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verbose: bool,
                                                     expected: list[str], absent: str) -> None:
    seen: list[list[str]] = []

    def fake_main(args: list[str]) -> int:
        seen.append(args)
        return pytest.ExitCode.USAGE_ERROR

    monkeypatch.setattr(pytest, "main", fake_main)
    code, _ = _run("--report", str(tmp_path / "r"), *(["-v"] if verbose else []))
    assert code == 2 and len(seen) == 1
    assert all(option in seen[0] for option in expected) and absent not in seen[0]
