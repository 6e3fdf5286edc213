"""The RAP scenarios (scenarios/ca/, scenarios/rap-uploads/): together they give every RAP catalogue entry a
scenario, and each scenario fault profile makes its workflow fail at the step that proves the broken rule.
(That every workflow passes on the simulator is test_workflows.py's, which runs every file.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from suites.sim_control import set_holding

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet
from ocp_conformance.scenarios import load_arazzo, run_workflow
from ocp_conformance.simulator.faults.rap_scenarios import RAP_SCENARIO_FAULTS

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RAP_FILES = sorted([*SCENARIOS.glob("ca/*.arazzo.yaml"), *SCENARIOS.glob("rap-uploads/*.arazzo.yaml")])

FAULT_CASES = [
    ("rap-election-after-deadline-accepted", "electionAfterCcassDeadlineRejected", "electLate",
     "Received: $response.body#/status = 'ACCEPTED'"),
    ("rap-election-change-ignored", "electScripThenChangeToCash", "cashInstructed",
     "Received: $response.body#/items/0/option = 'SCRIP'"),
    ("rap-election-holding-unchecked", "electionAboveHoldingRejected", "electTooMuch",
     "Received: $response.body#/status = 'ACCEPTED'"),
    ("rap-excess-application-dropped", "rightsSubscriptionAndExcessApplication", "excessApplied",
     "'CANCELLED'"),
    ("rap-split-votes-collapsed", "splitVotingPerResolution", "secondResolutionSplit",
     "$response.body#/items/0/votes/0/votesFor = 300"),
    ("rap-appointee-replaced", "appointCorporateRepresentative", "appointed",
     "$response.body#/items/0/appointee/name = 'B01234'"),
    ("rap-tender-money-not-debited", "tenderForNewIssue", "tendered", "$response.body#/items/0/amount = null"),
    ("rap-si-reference-dropped", "siUploadedThenEnquired", "siEnquired", "(nothing there)"),
    ("rap-isi-reference-dropped", "isiUploadedThenEnquired", "isiEnquired", "(nothing there)"),
    ("rap-ati-accounts-swapped", "atiUploadedThenSeenAsMovement", "atiMovement",
     "$response.body#/items/0/direction = 'OUT'"),
    ("rap-sti-reference-dropped", "stiUploadedThenEnquired", "stiEnquired", "(nothing there)"),
]


def _workflow_file(workflow_id: str, contracts: ContractSet) -> Path:
    return next(p for p in RAP_FILES if workflow_id in load_arazzo(p, contracts).workflows)


def test_every_rap_entry_has_a_scenario(contracts: ContractSet) -> None:
    rap_entries = {e.name for e in contracts.catalogue if e.kind == "rap"}
    covered = {f for p in RAP_FILES for w in load_arazzo(p, contracts).workflows.values() for f in w.functions}
    assert sorted(rap_entries - covered) == []


def test_every_scenario_fault_has_a_case() -> None:
    assert sorted(f.name for f in RAP_SCENARIO_FAULTS) == sorted(c[0] for c in FAULT_CASES)


@pytest.mark.parametrize(("fault", "workflow_id", "step_id", "detail"), FAULT_CASES, ids=[c[0] for c in FAULT_CASES])
def test_fault_makes_the_rap_workflow_fail(fault: str, workflow_id: str, step_id: str, detail: str,
                                           contracts: ContractSet, make_client: Callable[..., OcpClient]) -> None:
    document = load_arazzo(_workflow_file(workflow_id, contracts), contracts)
    result = run_workflow(document, workflow_id, make_client([fault]))
    assert result.outcome == "failed"
    failure = result.failure
    assert failure is not None
    message = str(failure)
    assert failure.step_id == step_id, message
    assert failure.functions == document.workflow(workflow_id).functions
    assert detail in message, message
    assert "verifies: " in message


def test_the_rights_subscription_passes_after_the_rights_were_used_up(contracts: ContractSet,
                                                                      make_client: Callable[..., OcpClient]) -> None:
    # a reused simulator ran out of the demo rights after ~12 full runs (issue 20 stability, url-reused): the
    # workflow tops up the rights it subscribes for
    client = make_client()
    set_holding(client, client.target.acting_pair()[0], "01", "02901", 0)
    document = load_arazzo(_workflow_file("rightsSubscriptionAndExcessApplication", contracts), contracts)
    result = run_workflow(document, "rightsSubscriptionAndExcessApplication", client)
    assert result.outcome == "passed", result.failure
