"""`ocp-conformance run` against the clean embedded simulator: ready, with all 43 entries reported."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import pytest

from ocp_conformance.contracts import load_contracts
from ocp_conformance.reporting import APPLICABLE_CHECKS
from tests.harness_run import RunOutcome, run_harness
from tests.served_simulator import served_simulator

pytestmark = pytest.mark.slow  # end-to-end runs: `pytest -m "not slow"` leaves them out for a quick loop

RAP_CHECKS_PASSING: Final = ("file", "scenario")
"""The RAP checks a clean in-process run must pass: all of them, so the run is ready (exit 0). A URL target
without a RAP channel passes none of them (``rap_checks=()``) and is then not ready."""


def _expect_clean(outcome: RunOutcome, rap_checks: tuple[str, ...] = RAP_CHECKS_PASSING) -> None:
    """Every api/gcp entry passes every check; every RAP entry passes ``rap_checks``; ready iff that is all."""
    assert outcome.readiness is not None, outcome.output[-4000:]
    catalogue = load_contracts().catalogue
    assert [e["name"] for e in outcome.readiness["entries"]] == [e.name for e in catalogue]
    for entry in catalogue:
        reported = outcome.entry(entry.name)
        assert entry.contracted, entry.name
        checks = {k: v["status"] for k, v in reported["checks"].items()}
        if entry.kind == "rap":
            assert {k: checks[k] for k in rap_checks} == dict.fromkeys(rap_checks, "pass"), reported
        else:
            assert reported["status"] == "pass", reported
            assert checks == dict.fromkeys(APPLICABLE_CHECKS[entry.kind], "pass"), reported
    complete = set(rap_checks) == set(APPLICABLE_CHECKS["rap"])
    assert outcome.readiness["verdict"] == ("ready" if complete else "not-ready"), outcome.output[-4000:]
    assert outcome.exit_code == (0 if complete else 1), outcome.output[-4000:]


def test_clean_simulator_is_ready(tmp_path: Path) -> None:
    outcome = run_harness(tmp_path)
    _expect_clean(outcome)
    assert (tmp_path / "readiness.md").exists()
    assert (tmp_path / "junit.xml").exists()
    assert any((tmp_path / "allure-results").glob("*-result.json"))


def test_unknown_fault_is_a_usage_error(tmp_path: Path) -> None:
    outcome = run_harness(tmp_path, "--simulator-fault", "server-eror-on-revoke")
    assert outcome.exit_code == 2
    assert "server-error-on-revoke" in outcome.output  # did you mean


def test_unknown_function_is_a_usage_error(tmp_path: Path) -> None:
    outcome = run_harness(tmp_path, "--only", "Input Si")
    assert outcome.exit_code == 2
    assert "'Input SI'" in outcome.output


def test_tokens_never_reach_the_reports(tmp_path: Path) -> None:
    from ocp_conformance.targets import simulator_target

    target, _ = simulator_target()
    run_harness(tmp_path, "--only", "Enquire SI")
    for path in tmp_path.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for secret in target.secrets():
                assert secret not in text, f"a bearer token leaked into {path}"


def test_url_target_with_too_few_credentials_is_a_usage_error(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("OCP_TOKEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OCP_TOKEN_B01234", "only-one-token")
    outcome = run_harness(tmp_path, "--target", "http://127.0.0.1:9")
    assert outcome.exit_code == 2, outcome.output[-2000:]
    assert "OCP_TOKEN_<PARTICIPANT> for two participants" in outcome.output
    assert "only-one-token" not in outcome.output


def test_url_target_runs_the_same_suites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over HTTP; without --rap-sftp the RAP file checks skip (partial), so the run is not ready. RAP over SFTP:
    tests/suites/test_rap_file_suites.py (one file type; all nine over SFTP take minutes)."""
    with served_simulator() as simulator:
        for participant, token in simulator.tokens.items():
            monkeypatch.setenv(f"OCP_TOKEN_{participant}", token)
        outcome = run_harness(tmp_path, "--target", simulator.base_url)
    _expect_clean(outcome, rap_checks=())
    assert {outcome.entry(e.name)["checks"]["file"]["status"] for e in load_contracts().catalogue
            if e.kind == "rap"} == {"partial"}


def test_dead_target_is_a_usage_error_never_a_harness_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing to test: checked before any test, exit 2 with the one-line reason (it was 1, "not ready", after
    every check had failed on the refused connection); never 3 (ours). A target that dies during the run fails
    its checks instead: tests/resilience/test_misbehaving_targets.py."""
    monkeypatch.setenv("OCP_TOKEN_B01234", "token-of-b01234")
    monkeypatch.setenv("OCP_TOKEN_B05678", "token-of-b05678")
    outcome = run_harness(tmp_path, "--target", "http://127.0.0.1:9", "--only", "Cancel SI")
    assert outcome.exit_code == 2, outcome.output[-3000:]
    assert "refused: nothing accepts connections at 127.0.0.1:9" in outcome.output
    assert outcome.readiness is None
