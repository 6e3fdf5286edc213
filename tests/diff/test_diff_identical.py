"""`ocp-conformance diff` against an identical target reports no divergence: our simulator embedded (A) and the
same simulator served on loopback (B), through the command line as a user runs it; and in process on the renamed
official variant (the diff speaks roles through the binding, so it works on an adopted contract)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ocp_conformance.cli import app
from ocp_conformance.contracts import load_contracts
from ocp_conformance.diff import diff_markdown, run_diff
from ocp_conformance.targets import simulator_target
from tests.served_simulator import ServedSimulator, served_simulator

VARIANT = Path(__file__).resolve().parents[1] / "data" / "official-variant"


@pytest.fixture(scope="module")
def served() -> Iterator[ServedSimulator]:
    with served_simulator() as simulator:
        yield simulator


def _tokens(monkeypatch: pytest.MonkeyPatch, served: ServedSimulator) -> None:
    for name in [n for n in os.environ if n.startswith("OCP_TOKEN_")]:
        monkeypatch.delenv(name)
    for participant in ("B01234", "B05678"):
        monkeypatch.setenv(f"OCP_TOKEN_{participant}", served.tokens[participant])
    monkeypatch.setenv("OCP_PARTICIPANTS", "B01234,B05678")


def test_against_an_identical_served_simulator_there_is_no_divergence(
        served: ServedSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tokens(monkeypatch, served)
    result = CliRunner().invoke(app, ["diff", "--target", "simulator", "--target", served.base_url,
                                      "--report", str(tmp_path), "--run-id", "same1"])
    assert result.exit_code == 0, result.output
    assert "no divergence" in result.output
    report = json.loads((tmp_path / "diff.json").read_text(encoding="utf-8"))
    assert report["identical"] is True
    assert report["divergences"] == []
    assert report["not_run"] == []
    # the whole sequence was sent to both sides: every Maintain SI function and the enquiries
    assert {"Input SI", "Change SI", "Change Hold Matched SI", "Cancel SI", "Revoke Matched SI",
            "Change Matched/Settled SI", "Enquire SI", "Enquire SI Unmatched Reason", "Enquire Deleted SI",
            "Enquire Stock Account Balance", "Enquire Money Position", "Enquire Broadcast Message"} \
        <= set(report["functions"])
    assert report["targets"]["A"]["requests"] == report["targets"]["B"]["requests"] > 80
    assert "**No divergence**" in (tmp_path / "diff.md").read_text(encoding="utf-8")


def test_a_reused_served_simulator_reset_first_is_still_identical(
        served: ServedSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The served simulator keeps the SIs of the test above, so its balances differ from a fresh one's;
    --reset returns both to their seeded state first."""
    _tokens(monkeypatch, served)
    result = CliRunner().invoke(app, ["diff", "--target", "simulator", "--target", served.base_url,
                                      "--report", str(tmp_path), "--run-id", "same2", "--reset"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "diff.json").read_text(encoding="utf-8"))["divergences"] == []


def test_two_targets_are_needed(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["diff", "--target", "simulator", "--report", str(tmp_path)])
    assert result.exit_code == 2
    assert "two targets" in result.output


def test_on_an_adopted_contract_the_diff_speaks_its_names() -> None:
    contracts = load_contracts(VARIANT)
    a, _ = simulator_target(contracts)
    b, _ = simulator_target(contracts)
    result = run_diff(a, b, contracts, run_id="variant")
    assert result.divergences == [], diff_markdown(result)
    assert "Change Hold Matched SI" in result.functions  # split into hold and release there
    # functions the variant does not bind are listed as not run, never as "same"
    assert {n["function"] for n in result.not_run} == {
        "Enquire Stock Account Balance", "Enquire Stock Account Movement", "Enquire Due/Overdue Position",
        "Enquire Settlement Activity", "Enquire Money Position", "Enquire Broadcast Message"}
    assert not set(result.functions) & {n["function"] for n in result.not_run}
