"""Every SI workflow passes on the reference simulator, validates against both schemas, and together they
cover every Maintain SI function; faults in the simulator make the right workflow fail."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet
from ocp_conformance.scenarios import load_arazzo, run_workflow
from ocp_conformance.scenarios.document import OFFICIAL_SCHEMA_PATH, SUBSET_SCHEMA_PATH

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"

FILES = sorted(SCENARIOS.rglob("*.arazzo.yaml"))
WORKFLOWS = [(path, w["workflowId"]) for path in FILES
             for w in yaml.safe_load(path.read_text(encoding="utf-8"))["workflows"]]
MAINTAIN_SI = ["Input SI", "Change SI", "Change Hold Matched SI", "Cancel SI", "Revoke Matched SI",
               "Change Matched/Settled SI", "Enquire SI", "Enquire SI Unmatched Reason", "Enquire Deleted SI"]


@pytest.mark.parametrize(("path", "workflow_id"), WORKFLOWS, ids=[w for _, w in WORKFLOWS])
def test_workflow_passes_on_the_simulator(path: Path, workflow_id: str, contracts: ContractSet,
                                          make_client: Callable[..., OcpClient]) -> None:
    result = run_workflow(load_arazzo(path, contracts), workflow_id, make_client())
    result.check()
    assert result.outcome == "passed"
    assert all(step.passed for step in result.steps)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_file_validates_against_the_official_arazzo_schema(path: Path) -> None:
    schema = yaml.safe_load(OFFICIAL_SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(yaml.safe_load(path.read_text()))]
    assert errors == []


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_file_validates_against_our_subset_schema(path: Path) -> None:
    schema = yaml.safe_load(SUBSET_SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(yaml.safe_load(path.read_text()))]
    assert errors == []


def test_there_are_enough_si_workflows() -> None:
    assert len([w for p, w in WORKFLOWS if p.parent.name == "si"]) >= 11


def test_si_workflows_cover_every_maintain_si_function(contracts: ContractSet) -> None:
    covered = {f for path in FILES for w in load_arazzo(path, contracts).workflows.values() for f in w.functions}
    assert [f for f in MAINTAIN_SI if f not in covered] == []


def test_workflows_use_fresh_references() -> None:
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        if "Idempotency-Key" not in text:
            continue  # creates nothing (e.g. only enquires broadcast messages): nothing to tell apart
        assert "ownReference: \"{$inputs.runId}" in text, path


FAULT_CASES = [
    # (fault, workflow, failing step, detail in the message, function blamed: the step's own answer was wrong as a
    # call (status or contract) -> that function; a well-formed answer showing the wrong state -> None)
    ("cancel-matched-si-allowed", "cancelWhileUnmatched", "cancelMatchedRefused",
     "Received: $statusCode = 200", "Cancel SI"),
    ("change-matched-unmatches", "changeMatchedKeepsMatch", "amend",
     "Received: $response.body#/status = 'UNMATCHED'", None),
    ("deleted-si-omits-revoked", "revokeMatchedByBothSides", "delivererDeletedList",
     "Received: $response.body#/items/0/siId = (nothing there)", None),
    ("cancelled-si-still-listed", "cancelWhileUnmatched", "notListedAnyMore",
     "$response.body#/items/0/siId == $steps.witness.outputs.siId", None),
    ("idempotency-ignored", "idempotentInputReplay", "replay",
     "Expected: == $steps.first.outputs.siId", None),
    ("server-error-on-revoke", "revokeMatchedByBothSides", "delivererRevokes", "breaks the contract",
     "Revoke Matched SI"),
    ("si-amount-rounded-to-cents", "amountsOneTenThousandthApartStayUnmatched", "inputDeliver",
     "Received: $response.body#/amount = '123456789012.12'", None),
]


@pytest.mark.parametrize(("fault", "workflow_id", "step_id", "detail", "blamed"), FAULT_CASES,
                         ids=[c[0] for c in FAULT_CASES])
def test_fault_makes_the_workflow_fail(fault: str, workflow_id: str, step_id: str, detail: str, blamed: str | None,
                                       contracts: ContractSet, make_client: Callable[..., OcpClient]) -> None:
    path = next(p for p, w in WORKFLOWS if w == workflow_id)
    document = load_arazzo(path, contracts)
    result = run_workflow(document, workflow_id, make_client([fault]))
    assert result.outcome == "failed"
    failure = result.failure
    assert failure is not None
    assert failure.step_id == step_id
    assert failure.function == blamed
    assert failure.functions == document.workflow(workflow_id).functions
    message = str(failure)
    line = document.step_location(document.workflow(workflow_id), document.workflow(workflow_id).step(step_id))
    assert message.startswith(f"Workflow {workflow_id} failed at step {step_id} ({path}:{line.line}:")
    assert detail in message
    assert "reproduce: curl" in message
    assert "verifies: " in message
