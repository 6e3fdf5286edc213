"""`ocp-conformance diff` against a simulator with one fault profile reports exactly the divergence that fault
makes, on the function it breaks, and nothing else: once against a served simulator through the command line,
and in process (embedded A and B, fast) for each Maintain SI fault the sequence reaches."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ocp_conformance.cli import app
from ocp_conformance.contracts import SourceError, load_contracts
from ocp_conformance.diff import diff_markdown, load_diff_rules, run_diff
from ocp_conformance.simulator.faults import FAULTS
from ocp_conformance.targets import simulator_target
from tests.reporting.companion_readiness import readiness_stub
from tests.served_simulator import ServedSimulator, served_simulator

FAULT = "change-matched-unmatches"


@pytest.fixture(scope="module")
def served_with_fault() -> Iterator[ServedSimulator]:
    with served_simulator(FAULT) as simulator:
        yield simulator


def test_a_served_fault_is_exactly_one_divergence_on_its_function(
        served_with_fault: ServedSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("OCP_TOKEN_")]:
        monkeypatch.delenv(name)
    for participant in ("B01234", "B05678"):
        monkeypatch.setenv(f"OCP_TOKEN_{participant}", served_with_fault.tokens[participant])
    monkeypatch.setenv("OCP_PARTICIPANTS", "B01234,B05678")
    readiness_stub(tmp_path)  # the diff joins the readiness report in the same folder
    result = CliRunner().invoke(app, ["diff", "--target", "simulator", "--target", served_with_fault.base_url,
                                      "--report", str(tmp_path), "--run-id", "fault1"])
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "diff.json").read_text(encoding="utf-8"))
    assert report["identical"] is False
    (only,) = report["divergences"]
    assert (only["function"], only["kind"], only["step"], only["path"], only["a"], only["b"]) == (
        "Change Matched/Settled SI", "value", "amend/amend", "/status", "MATCHED", "UNMATCHED")
    assert {name: counts["divergences"] for name, counts in report["functions"].items() if counts["divergences"]} \
        == {"Change Matched/Settled SI": 1}
    markdown = (tmp_path / "diff.md").read_text(encoding="utf-8")
    assert "## Change Matched/Settled SI" in markdown and "**1 divergence**" in markdown
    assert "divergences in Change Matched/Settled SI (1)" in (tmp_path / "readiness.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("fault", [
    "accept-invalid-quantity", "cancelled-si-still-listed", "other-participants-si-visible",
    "undocumented-status-on-hold", "deleted-si-omits-revoked", "cancel-matched-si-allowed", "match-ignores-quantity",
    "drop-required-field",
])
def test_each_fault_diverges_only_on_the_function_it_breaks(fault: str) -> None:
    contracts = load_contracts(None)
    a, _ = simulator_target(contracts)
    b, _ = simulator_target(contracts, faults=[fault])
    result = run_diff(a, b, contracts, run_id="f")
    assert result.primary, f"{fault}: no divergence found"
    assert {d.function for d in result.primary} == {FAULTS[fault].function}, diff_markdown(result)


def test_a_broken_rule_s_later_effects_are_listed_as_its_consequences() -> None:
    """server-error-on-revoke: the revoke answers 500, so both SIs stay matched on B: the read-backs and the
    deleted-SI list differ because of it, and are listed under it, not counted against other functions; the
    balance enquired at the end aggregates every SI, so its pending quantity differs too (not linked to an SI)."""
    contracts = load_contracts(None)
    a, _ = simulator_target(contracts)
    b, _ = simulator_target(contracts, faults=["server-error-on-revoke"])
    result = run_diff(a, b, contracts, run_id="f")
    first = next(d for d in result.primary if d.function == "Revoke Matched SI")
    assert (first.kind, first.step, first.a, first.b) == ("status", "revoke/first", 200, 500)
    index = result.divergences.index(first)
    follows = [d for d in result.divergences if d.follows == index]
    assert {d.kind for d in follows} >= {"state", "status", "field"}
    assert any(d.step == "revoke/deleted" for d in follows)
    assert {d.function for d in result.primary} == {"Revoke Matched SI", "Enquire Stock Account Balance"}


def test_the_rules_file_is_checked_against_its_schema(tmp_path: Path) -> None:
    folder = tmp_path / "contracts"
    folder.mkdir()
    (folder / "diff.yaml").write_text("version: 1\nvaries: [/createdAt, 7]\n", encoding="utf-8")

    class _Contracts:
        root = folder

    with pytest.raises(SourceError) as raised:
        load_diff_rules(_Contracts())  # type: ignore[arg-type]
    assert str(raised.value.location).endswith("diff.yaml:2:22")  # the offending entry, at its line and column
    assert "not of type 'string'" in raised.value.render()
