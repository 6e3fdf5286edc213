"""`run --fail-on`, `--workers N|auto` and `--no-allure-html` as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness_run import run_harness

pytestmark = pytest.mark.slow  # end-to-end runs: `pytest -m "not slow"` leaves them out for a quick loop


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("--fail-on", "score>80", "expected mandatory, any, or score<N"),
    ("--workers", "many", "neither a number nor auto"),
])
def test_bad_values_are_usage_errors(tmp_path: Path, option: str, value: str, expected: str) -> None:
    outcome = run_harness(tmp_path, option, value)
    assert outcome.exit_code == 2, outcome.output[-2000:]
    assert expected in " ".join(outcome.output.split())
    assert outcome.readiness is None


def test_parallel_run_merges_into_one_readiness_and_fail_on_score_decides(tmp_path: Path) -> None:
    """Two xdist workers under a fault: one readiness from both; --fail-on score<N alone judges the score."""
    outcome = run_harness(tmp_path, "--only", "Input SI", "--only", "Enquire SI", "--simulator-fault",
                          "accept-invalid-quantity", "--workers", "2", "--fail-on", "score<50")
    assert outcome.readiness is not None, outcome.output[-3000:]
    assert outcome.entry("Input SI")["status"] == "fail"
    assert outcome.entry("Enquire SI")["status"] == "pass"
    assert {r.name for r in (tmp_path / ".results").iterdir()} >= {"gw0.jsonl", "gw1.jsonl", "main.jsonl"}
    overall = outcome.readiness["scores"]["overall"]
    assert overall["ceiling"] == 8 and overall["achieved"] == 7
    assert outcome.exit_code == 0, outcome.output[-3000:]  # not ready, but 87.5 % is not below 50 %
    assert not (tmp_path / "allure-report").exists()
    for page in ("readiness.html", "readiness.md"):  # issue 20: no link to an Allure report that was not built
        assert "allure-report" not in (tmp_path / page).read_text(encoding="utf-8"), page
    assert outcome.readiness["verdict"] == "not-ready"
    # per-entry progress from the controller (workers' reports), no dots; the table after a blank line
    lines = outcome.output.splitlines()
    collected = next((line for line in lines
                      if line.startswith("[0/2 entries] ") and line.endswith(" tests collected")), None)
    assert collected is not None, outcome.output[:3000]
    count = int(collected.split()[2])
    assert count > 0 and any(line.startswith(f"[2/2 entries] finished · tests {count}/{count}") for line in lines), \
        outcome.output[:3000]
    table = next(i for i, line in enumerate(lines) if line.strip() == "API Services")
    assert lines[table - 1] == "", outcome.output[:3000]
    assert not any(set(line) == {"."} for line in lines)


def test_fail_on_comes_from_the_profile_and_the_command_line_overrides_it(tmp_path: Path) -> None:
    """[run] fail_on = ["score<50"] lets a not-ready run pass CI; --fail-on mandatory then fails it again."""
    config = tmp_path / "ocp-conformance.toml"
    config.write_text('[run]\nfail_on = ["score<50"]\n', encoding="utf-8")
    args = ("--only", "Input SI", "--simulator-fault", "accept-invalid-quantity", "--config", str(config))
    from_profile = run_harness(tmp_path / "profile", *args)
    assert from_profile.readiness is not None and from_profile.readiness["verdict"] == "not-ready"
    assert from_profile.exit_code == 0, from_profile.output[-3000:]
    overridden = run_harness(tmp_path / "cli", *args, "--fail-on", "mandatory")
    assert overridden.exit_code == 1, overridden.output[-3000:]
    assert "--fail-on mandatory: the verdict is not-ready" in overridden.output


def test_a_bad_profile_fail_on_is_located(tmp_path: Path) -> None:
    config = tmp_path / "ocp-conformance.toml"
    config.write_text('[run]\nfail_on = ["mandatory", "score>80"]\n', encoding="utf-8")
    outcome = run_harness(tmp_path, "--config", str(config))
    said = " ".join(outcome.output.split())
    assert outcome.exit_code == 2, outcome.output[-2000:]
    assert f"{config}:2:1: fail_on value 'score>80' is not a condition" in said, said
    assert 'fail_on = ["mandatory", "score<80"]' in said
    assert outcome.readiness is None
    assert run_harness(tmp_path, "--config", str(config), "--fail-on", "score>80").exit_code == 2
