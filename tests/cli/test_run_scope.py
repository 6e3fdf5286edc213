"""What a run sets out to test, and what stops it before any test (issue 20, items 3, 4 and 6):

- an unreachable target, or one that refuses the credentials, is a configuration to fix: exit 2 in one line,
  before any test (it ran minutes, printed thousands of lines and exited 1, "not ready");
- ``--only``: the verdict is on the selection, so the "Reproduce: ocp-conformance run --only ..." hint of a
  failure gives a real pass/fail signal; ``--rerun-failed`` reruns what the last run failed;
- ``--out-of-scope rap``: the RAP entries are n/a, not blocking.

The usage errors run in process (typer's CliRunner); the runs, as a user does (a subprocess).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ocp_conformance.cli import app
from tests.harness_run import run_harness
from tests.served_simulator import free_port, served_simulator

pytestmark = pytest.mark.slow  # end-to-end runs: `pytest -m "not slow"` leaves them out for a quick loop

runner = CliRunner()


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def two_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("OCP_TOKEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OCP_TOKEN_B01234", "token-of-b01234")
    monkeypatch.setenv("OCP_TOKEN_B05678", "token-of-b05678")


@pytest.mark.usefixtures("two_tokens")
def test_a_closed_port_is_a_usage_error_in_one_line_before_any_test(tmp_path: Path) -> None:
    port = free_port()  # bound, then released: nothing listens on it
    code, output = _cli("run", "--target", f"http://127.0.0.1:{port}", "--report", str(tmp_path), "--no-allure-html")
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith(f"error: target http://127.0.0.1:{port}: B01234: refused: nothing accepts "
                               f"connections at 127.0.0.1:{port}; check the port in the --target URL"), lines[0]
    assert not (tmp_path / "readiness.json").exists()
    assert not (tmp_path / "allure-results").exists()  # no test ran


def test_credentials_the_target_refuses_are_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("OCP_TOKEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OCP_TOKEN_B01234", "not-a-token-of-the-simulator")
    monkeypatch.setenv("OCP_TOKEN_B05678", "nor-this-one")
    with served_simulator() as simulator:
        code, output = _cli("run", "--target", simulator.base_url, "--report", str(tmp_path), "--no-allure-html")
    assert code == 2, output
    said = " ".join(output.split())
    assert "B01234: 401: the target did not accept the credentials of B01234; check OCP_TOKEN_B01234" in said
    assert "not-a-token-of-the-simulator" not in output
    assert not (tmp_path / "readiness.json").exists()


@pytest.mark.parametrize(("args", "expected"), [
    (["--rerun-failed"], "readiness.json does not exist, so there is no last run"),
    (["--rerun-failed", "--only", "Input SI"], "--rerun-failed and --only go apart"),
    (["--out-of-scope", "rpa"], "--out-of-scope 'rpa' is not a part of the catalogue"),
])
def test_scope_usage_errors(tmp_path: Path, args: list[str], expected: str) -> None:
    code, output = _cli("run", "--report", str(tmp_path / "report"), "--no-allure-html", *args)
    assert code == 2, output
    assert expected in " ".join(output.split())


def test_rerun_failed_with_nothing_failed_says_so(tmp_path: Path) -> None:
    (tmp_path / "readiness.json").write_text(json.dumps({"verdict": "ready", "entries": [
        {"name": "Input SI", "status": "pass"}]}), encoding="utf-8")
    code, output = _cli("run", "--report", str(tmp_path), "--rerun-failed", "--no-allure-html")
    assert code == 2, output
    assert "no entry failed in the last run" in " ".join(output.split())


def test_only_gives_a_pass_fail_signal_and_rerun_failed_reruns_the_failures(tmp_path: Path) -> None:
    """The fault fails Input SI: `--only "Input SI"` exits 1; on the clean simulator the Reproduce line
    (`--only "Input SI"`) exits 0, ready, with the other entries not-selected; `--rerun-failed` reruns Input SI."""
    report = tmp_path / "report"
    broken = run_harness(report, "--only", "Input SI", "--only", "Enquire SI", "--simulator-fault",
                         "accept-invalid-quantity")
    assert broken.exit_code == 1, broken.output[-3000:]
    assert broken.entry("Input SI")["status"] == "fail" and broken.entry("Enquire SI")["status"] == "pass"
    rerun = run_harness(report, "--rerun-failed")
    assert rerun.exit_code == 0, rerun.output[-3000:]
    assert "rerunning the 1 entry that failed in the last run" in rerun.output
    assert rerun.readiness is not None and rerun.readiness["verdict"] == "ready"
    assert rerun.entry("Input SI")["status"] == "pass"
    assert rerun.entry("Enquire SI")["status"] == "not-selected"
    assert "did not run" not in rerun.readiness["entries"][0]["reason"]
    assert "not selected (--only): the verdict is on the selection" in rerun.output


def test_over_url_missing_tokens_make_checks_partial_and_rap_can_be_declared_out_of_scope(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the two tokens the README asks for (no investor's), Input ISI's tests skip: partial with the reason,
    not ready (it showed "pass"). Without --rap-sftp the RAP file checks skip: partial, said so up front;
    `--out-of-scope rap` makes them n/a, and the run is ready."""
    for name in [n for n in os.environ if n.startswith("OCP_TOKEN_")]:
        monkeypatch.delenv(name)
    with served_simulator() as simulator:
        for participant in ("B01234", "B05678"):
            monkeypatch.setenv(f"OCP_TOKEN_{participant}", simulator.tokens[participant])
        skipping = run_harness(tmp_path / "skipping", "--target", simulator.base_url, "--only", "Input ISI",
                               "--only", "SI")
        scoped = run_harness(tmp_path / "scoped", "--target", simulator.base_url, "--only", "Input SI", "--only",
                             "SI", "--out-of-scope", "rap")
    assert skipping.exit_code == 1, skipping.output[-3000:]
    isi = skipping.entry("Input ISI")
    assert isi["status"] == "partial" and isi["tests_skipped"] > 0, isi
    skipped = [s for check in isi["checks"].values() for s in check["skipped_tests"]]
    assert any("Investor Participant's token" in s["reason"] for s in skipped), skipped
    assert skipping.readiness is not None and skipping.readiness["verdict"] == "not-ready"
    assert all(c["status"] != "pass" or not c["skipped_tests"] for e in skipping.readiness["entries"]
               for c in e["checks"].values())  # no check with a skipped test is anywhere a pass
    rap_file = skipping.entry("SI")["checks"]["file"]
    assert rap_file["status"] == "partial" and "no RAP upload channel" in rap_file["reason"], rap_file
    assert "RAP: no --rap-sftp, so the RAP file checks are skipped (partial, not ready)" in skipping.output
    assert "Partial (covering tests skipped: not a pass)" in skipping.output

    assert scoped.exit_code == 0, scoped.output[-3000:]
    assert scoped.entry("SI")["status"] == "n/a"
    assert scoped.entry("SI")["reason"] == "out of scope: RAP declared out of scope for this run (--out-of-scope rap)"
    assert "RAP: no --rap-sftp" not in scoped.output
