"""`ocp-conformance run` against the clean embedded simulator: ready, with all 43 entries reported."""

from __future__ import annotations

from pathlib import Path

from ocp_conformance.contracts import load_contracts
from tests.harness_run import run_harness


def test_clean_simulator_is_ready(tmp_path: Path) -> None:
    outcome = run_harness(tmp_path)
    assert outcome.exit_code == 0, outcome.output[-4000:]
    assert outcome.readiness is not None
    assert outcome.readiness["verdict"] == "ready"
    catalogue = load_contracts().catalogue
    assert [e["name"] for e in outcome.readiness["entries"]] == [e.name for e in catalogue]
    for entry in catalogue:
        reported = outcome.entry(entry.name)
        if entry.group == "Maintain SI":
            assert reported["status"] == "pass", reported
            assert {k: v["status"] for k, v in reported["checks"].items()} == {
                "contract": "pass", "negative": "pass", "scenario": "pass", "security": "pass"}
        else:
            assert reported["status"] == "not-run"
            assert reported["reason"] == "not yet contracted"
    assert "not yet contracted" in outcome.output
    assert (tmp_path / "readiness.md").exists()
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
