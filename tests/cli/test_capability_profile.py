"""`run` with a [participant] capability profile: a mandatory check cannot be deselected; a bad profile stops the
run with file:line:column (exit 2, before any test)."""

from __future__ import annotations

from pathlib import Path

from tests.harness_run import run_harness


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ocp-conformance.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_only_may_not_deselect_a_mandatory_check(tmp_path: Path) -> None:
    config = _config(tmp_path, '[participant]\ntype = "Custodian"\nfunctions = ["Input SI", "Enquire SI"]\n'
                               'pg_user = true\n')
    outcome = run_harness(tmp_path / "report", "--config", str(config), "--only", "Input SI")
    assert outcome.exit_code == 2, outcome.output[-3000:]
    assert "would leave out 1 mandatory check(s)" in outcome.output and "'Enquire SI'" in outcome.output
    assert outcome.readiness is None


def test_a_bad_profile_is_located_and_stops_the_run(tmp_path: Path) -> None:
    config = _config(tmp_path, '[targets.lab]\nbase_url = "http://127.0.0.1:9"\n\n[targets.lab.auth.B01234]\n'
                               'type = "bearer"\nclient_secret = "inline-secret-value"\n')
    outcome = run_harness(tmp_path / "report", "--target", "lab", "--config", str(config))
    assert outcome.exit_code == 2, outcome.output[-3000:]
    assert f"{config}:6:1: client_secret is written in the file" in " ".join(outcome.output.split())
    assert "inline-secret-value" not in outcome.output


def test_an_unknown_target_without_a_config_says_how_to_write_one(tmp_path: Path) -> None:
    outcome = run_harness(tmp_path / "report", "--target", "portal")
    assert outcome.exit_code == 2
    assert "[targets.portal]" in outcome.output


def test_the_command_line_looks_for_the_same_default_file() -> None:
    from ocp_conformance import cli_targets, targets

    assert cli_targets.DEFAULT_CONFIG == targets.DEFAULT_CONFIG
