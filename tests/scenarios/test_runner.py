"""The runner: retry, goto, end, the loop guard, skipping without clock-control, inputs and redaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet
from ocp_conformance.scenarios import ScenarioError, load_arazzo, run_workflow
from ocp_conformance.scenarios.document import ArazzoDocument
from ocp_conformance.targets import simulator_target

AUTH = {"name": "Authorization", "in": "header", "value": "Bearer {$inputs.delivererToken}"}
INPUTS = {"type": "object", "properties": {"deliverer": {"type": "string"}, "delivererToken": {"type": "string"},
                                           "settlementDate": {"type": "string"}, "runId": {"type": "string"},
                                           "limit": {"type": "integer", "default": 7}}}


def _doc(tmp_path: Path, contracts: ContractSet, steps: list[dict[str, Any]], **workflow: Any) -> ArazzoDocument:
    data = {"arazzo": "1.0.1", "info": {"title": "t", "version": "1"},
            "sourceDescriptions": [{"name": "ocpApi", "url": "elsewhere/ocp-api.yaml", "type": "openapi"},
                                   {"name": "sim", "url": "simulator-control.yaml", "type": "openapi"}],
            "workflows": [{"workflowId": "wf", "x-ocp-functions": ["Enquire SI"], "inputs": INPUTS,
                           "steps": steps, **workflow}]}
    path = tmp_path / "t.arazzo.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_arazzo(path, contracts)


def _enquire(step_id: str = "enquire", **extra: Any) -> dict[str, Any]:
    return {"stepId": step_id, "operationId": "enquireSi",
            "parameters": [AUTH, {"name": "limit", "in": "query", "value": "$inputs.limit"}], **extra}


def test_token_becomes_the_acting_participant_and_never_a_result(tmp_path: Path, contracts: ContractSet,
                                                                  client: OcpClient) -> None:
    doc = _doc(tmp_path, contracts, [_enquire(successCriteria=[{"condition": "$statusCode == 200"}],
                                              outputs={"items": "$response.body#/items"})],
               outputs={"count": "$steps.enquire.outputs.items"})
    result = run_workflow(doc, "wf", client)
    assert result.outcome == "passed", result.failure
    assert result.steps[0].participant == "B01234"
    assert result.steps[0].request == "GET /ocp/v1/settlement-instructions"
    assert result.outputs == {"count": []}
    token = client.target.token("B01234")
    assert token not in repr(result)
    assert result.inputs["delivererToken"] == "<token of B01234>"
    assert result.inputs["limit"] == 7  # the schema's default
    assert len(result.inputs["runId"]) == 10


def test_retry_then_fail_reports_attempts(tmp_path: Path, contracts: ContractSet, client: OcpClient) -> None:
    slept: list[float] = []
    step = _enquire(successCriteria=[{"condition": "$statusCode == 299"}],
                    onFailure=[{"name": "again", "type": "retry", "retryAfter": 0.5, "retryLimit": 2},
                               {"name": "stop", "type": "end"}])
    result = run_workflow(_doc(tmp_path, contracts, [step]), "wf", client, sleep=slept.append)
    assert result.outcome == "failed"
    assert slept == [0.5, 0.5]
    assert [s.attempt for s in result.steps] == [1, 2, 3]
    message = str(result.failure)
    assert "gave up after 3 attempts" in message
    assert "Received: $statusCode = 200" in message and "Expected: == 299" in message
    assert f"{tmp_path / 't.arazzo.yaml'}:" in message
    assert client.target.token("B01234") not in message


def test_retry_succeeds_when_criteria_later_hold(tmp_path: Path, contracts: ContractSet, client: OcpClient) -> None:
    # The first attempt fails (no SI yet); the retry's sleep inputs one, so the second attempt finds it.
    def sleep(_: float) -> None:
        client.call("Input SI", as_participant="B01234", side="DELIVER", counterpartyId="B05678",
                    stockCode="00005", quantity=5, settlementDate=client.call_operation("simGetClock")
                    .body["businessDate"], paymentType="FOP")

    step = _enquire(successCriteria=[{"condition": "$response.body#/items/0/quantity == 5"}],
                    onFailure=[{"name": "poll", "type": "retry", "retryAfter": 1, "retryLimit": 3}])
    result = run_workflow(_doc(tmp_path, contracts, [step]), "wf", client, sleep=sleep)
    assert result.outcome == "passed", result.failure
    assert [s.passed for s in result.steps] == [False, True]


def test_goto_on_success_and_end(tmp_path: Path, contracts: ContractSet, client: OcpClient) -> None:
    steps = [_enquire("a", onSuccess=[{"name": "skip", "type": "goto", "stepId": "c",
                                       "criteria": [{"condition": "$statusCode == 200"}]}]),
             _enquire("b", successCriteria=[{"condition": "$statusCode == 999"}]),
             _enquire("c", onSuccess=[{"name": "done", "type": "end"}]),
             _enquire("d", successCriteria=[{"condition": "$statusCode == 999"}])]
    result = run_workflow(_doc(tmp_path, contracts, steps), "wf", client)
    assert result.outcome == "passed", result.failure
    assert [s.step_id for s in result.steps] == ["a", "c"]


def test_goto_on_failure_handles_the_failure(tmp_path: Path, contracts: ContractSet, client: OcpClient) -> None:
    steps = [_enquire("a", successCriteria=[{"condition": "$statusCode == 999"}],
                      onFailure=[{"name": "recover", "type": "goto", "stepId": "b"}]),
             _enquire("b")]
    result = run_workflow(_doc(tmp_path, contracts, steps), "wf", client)
    assert result.outcome == "passed"
    assert [(s.step_id, s.passed) for s in result.steps] == [("a", False), ("b", True)]


def test_loop_guard(tmp_path: Path, contracts: ContractSet, client: OcpClient) -> None:
    steps = [_enquire("a", onSuccess=[{"name": "loop", "type": "goto", "stepId": "a"}])]
    result = run_workflow(_doc(tmp_path, contracts, steps), "wf", client, max_steps=5)
    assert result.outcome == "failed"
    assert "loop guard: more than 5 step executions" in str(result.failure)


def test_workflow_level_failure_actions_apply(tmp_path: Path, contracts: ContractSet, client: OcpClient) -> None:
    slept: list[float] = []
    steps = [_enquire(successCriteria=[{"condition": "$statusCode == 999"}])]
    doc = _doc(tmp_path, contracts, steps, failureActions=[{"name": "r", "type": "retry", "retryAfter": 2}])
    result = run_workflow(doc, "wf", client, sleep=slept.append)
    assert result.outcome == "failed" and slept == [2.0]


def test_skipped_without_clock_control(tmp_path: Path, contracts: ContractSet) -> None:
    target, _ = simulator_target(contracts)
    target.capabilities = frozenset()
    steps = [_enquire(), {"stepId": "settle", "operationId": "$sourceDescriptions.sim.simRunBatchSettlement"}]
    result = run_workflow(_doc(tmp_path, contracts, steps), "wf", OcpClient(target, contracts))
    assert result.outcome == "skipped"
    assert result.skip_reason is not None
    assert result.skip_reason.startswith("needs clock-control: step settle calls simRunBatchSettlement")
    assert result.steps == []


def test_a_role_defaults_to_its_schema_participant_and_skips_without_its_credentials(
        tmp_path: Path, contracts: ContractSet) -> None:
    inputs = {"type": "object", "properties": {"gcp": {"type": "string", "default": "B07777"},
                                               "gcpToken": {"type": "string"}}}
    auth = {"name": "Authorization", "in": "header", "value": "Bearer {$inputs.gcpToken}"}
    steps = [{"stepId": "enquire", "operationId": "enquireSi", "parameters": [auth],
              "successCriteria": [{"condition": "$statusCode == 200"}]}]
    target, _ = simulator_target(contracts)
    result = run_workflow(_doc(tmp_path, contracts, steps, inputs=inputs), "wf", OcpClient(target, contracts))
    assert result.outcome == "passed", result.failure
    assert result.steps[0].participant == "B07777" and result.inputs["gcpToken"] == "<token of B07777>"
    del target.tokens["B07777"]
    result = run_workflow(_doc(tmp_path, contracts, steps, inputs=inputs), "wf", OcpClient(target, contracts))
    assert result.outcome == "skipped" and result.steps == []
    assert result.skip_reason == (f"needs the credentials of participant B07777 (input gcp); target {target.name} "
                                  "has none (set OCP_TOKEN_B07777, or give the input gcp)")


def test_harness_dates_without_clock_control(tmp_path: Path, contracts: ContractSet) -> None:
    target, _ = simulator_target(contracts)
    target.capabilities = frozenset()
    doc = _doc(tmp_path, contracts, [_enquire()])
    result = run_workflow(doc, "wf", OcpClient(target, contracts))
    assert len(result.inputs["settlementDate"]) == 10


def test_contract_violation_fails_the_step(tmp_path: Path, contracts: ContractSet,
                                           make_client: Callable[..., OcpClient]) -> None:
    steps = [{"stepId": "revoke", "operationId": "revokeMatchedSi",
              "parameters": [AUTH, {"name": "siId", "in": "path", "value": "SI0000000001"}]}]
    result = run_workflow(_doc(tmp_path, contracts, steps), "wf", make_client(["server-error-on-revoke"]))
    assert result.outcome == "failed"
    message = str(result.failure)
    assert "operation revokeMatchedSi: the response breaks the contract" in message
    assert "undocumented status. Received: 500" in message
    assert result.steps[0].status == 500


def test_request_breaking_the_contract_is_our_error(tmp_path: Path, contracts: ContractSet,
                                                    client: OcpClient) -> None:
    steps = [{"stepId": "bad", "operationId": "enquireSi",
              "parameters": [AUTH, {"name": "status", "in": "query", "value": "NOT_A_STATUS"}]}]
    with pytest.raises(ScenarioError, match="step bad builds a request that breaks the contract"):
        run_workflow(_doc(tmp_path, contracts, steps), "wf", client)


def test_invalid_inputs_are_our_error(tmp_path: Path, contracts: ContractSet, client: OcpClient) -> None:
    with pytest.raises(ScenarioError, match="inputs of workflow wf are invalid: /limit"):
        run_workflow(_doc(tmp_path, contracts, [_enquire()]), "wf", client, inputs={"limit": "x"})


def test_unknown_workflow_suggests(tmp_path: Path, contracts: ContractSet, client: OcpClient) -> None:
    with pytest.raises(KeyError, match="Did you mean 'wf'"):
        run_workflow(_doc(tmp_path, contracts, [_enquire()]), "wff", client)


def _settles_steps() -> list[dict[str, Any]]:
    """Input an SI, run the batch (simulator control), then see the instruction's state after the run."""
    return [_enquire("before"), {"stepId": "settle", "operationId": "$sourceDescriptions.sim.simRunBatchSettlement"},
            _enquire("after", successCriteria=[{"condition": "$statusCode == 200"},
                                                {"condition": "$response.body#/items/0/status == 'SETTLED'"}])]


def test_a_schedule_step_becomes_a_wait_that_skips_with_the_reason_when_nothing_happens(
        tmp_path: Path, contracts: ContractSet) -> None:
    target, _ = simulator_target(contracts)
    target.capabilities = frozenset()
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    result = run_workflow(_doc(tmp_path, contracts, _settles_steps()), "wf", OcpClient(target, contracts),
                          sleep=sleep, clock=lambda: now[0], schedule_wait=30)
    assert result.outcome == "skipped", result.failure
    assert result.skip_reason is not None
    assert result.skip_reason.startswith("waited 30 s (--schedule-wait) for the exchange's schedule in place of "
                                         "step settle (simRunBatchSettlement")
    assert "step after still did not see its effect" in result.skip_reason
    assert sum(slept) == 30 and len(slept) > 1
    settle = next(s for s in result.steps if s.step_id == "settle")
    assert settle.status is None and not settle.passed and settle.request.startswith("not sent")


def test_a_schedule_wait_passes_once_the_awaited_state_appears(tmp_path: Path, contracts: ContractSet) -> None:
    target, _ = simulator_target(contracts)
    client = OcpClient(target, contracts)
    settlement_date = client.business_dates()[0].isoformat()  # the simulator's clock, read while we still can
    target.capabilities = frozenset()
    deliverer, receiver = target.acting_pair()
    answers: list[int] = []

    def sleep(_: float) -> None:  # while the harness waits, the other side (here: the test) acts
        if not answers:
            answers.append(client.call(
                "Input SI", as_participant=deliverer, side="DELIVER", counterpartyId=receiver, stockCode="00005",
                quantity=100, settlementDate=settlement_date, paymentType="DVP",
                amount="50000.00", currency="HKD", ownReference="SCHEDWAIT1W0D").status)

    steps = [{"stepId": "settle", "operationId": "$sourceDescriptions.sim.simRunBatchSettlement"},
             _enquire("after", successCriteria=[{"condition": "$response.body#/items/0/status == 'UNMATCHED'"}])]
    result = run_workflow(_doc(tmp_path, contracts, steps), "wf", client, sleep=sleep, schedule_wait=30)
    assert answers == [201]
    assert result.outcome == "passed", result.failure
    assert [(s.step_id, s.passed) for s in result.steps] == [("settle", False), ("after", False), ("after", True)]


def test_without_schedule_wait_the_skip_says_how_to_wait(tmp_path: Path, contracts: ContractSet) -> None:
    target, _ = simulator_target(contracts)
    target.capabilities = frozenset()
    result = run_workflow(_doc(tmp_path, contracts, _settles_steps()), "wf", OcpClient(target, contracts))
    assert result.outcome == "skipped" and result.skip_reason is not None
    assert "give --schedule-wait S to wait" in result.skip_reason
