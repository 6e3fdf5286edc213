"""Bound copies of the model's workflows (issue 14, item 5): the same flows in the renamed variant's names, made
only from the two bindings, loadable by our runner, valid Arazzo, and run by Redocly respect against the simulator
served in the variant's shape."""

from __future__ import annotations

import copy
import os
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from ocp_conformance.binding import load_binding
from ocp_conformance.binding.workflows import BoundScenario, bind_scenario
from ocp_conformance.contracts import ContractSet, load_contracts, load_yaml, model_contracts
from ocp_conformance.scenarios.bound_copies import write_bound_copies, write_bound_copy
from ocp_conformance.scenarios.document import OFFICIAL_SCHEMA_PATH, load_arazzo
from tests.served_simulator import served_simulator

ROOT = Path(__file__).resolve().parents[2]
VARIANT = ROOT / "tests" / "data" / "official-variant"
HOLD = ROOT / "scenarios" / "si" / "si-hold.arazzo.yaml"


@pytest.fixture(scope="module")
def variant() -> ContractSet:
    return load_contracts(VARIANT)


def _bind(raw: dict[str, Any], variant: ContractSet, tmp_path: Path, binding_dir: Path = VARIANT) -> BoundScenario:
    ours = model_contracts()
    bound = load_contracts(binding_dir)
    return bind_scenario(raw, HOLD, ours, load_binding(ours), bound, load_binding(bound),
                         tmp_path / "si" / HOLD.name)


def _step(scenario: BoundScenario, workflow: str, step: str) -> dict[str, Any]:
    assert scenario.data is not None
    found = next(w for w in scenario.data["workflows"] if w["workflowId"] == workflow)
    return next(s for s in found["steps"] if s["stepId"] == step)


def test_a_step_is_rewritten_role_by_role(variant: ContractSet, tmp_path: Path) -> None:
    scenario = _bind(load_yaml(HOLD).data, variant, tmp_path)
    assert scenario.not_bound == {} and scenario.not_applicable == {}
    create = _step(scenario, "holdThenRelease", "inputDeliver")
    assert create["operationId"] == "$sourceDescriptions.official.submitSettlementInstruction"
    assert create["parameters"][0] == {"name": "X-API-Key", "in": "header", "value": "{$inputs.delivererToken}"}
    payload = create["requestBody"]["payload"]
    assert payload["securityCode"] == "$inputs.stockCode" and "stockCode" not in payload
    assert payload["paymentType"] == "F"  # the enum map: FOP -> F
    assert payload["inputChannel"] == "API"  # the variant's extra required field, from its example
    assert create["outputs"] == {"siId": "$response.body#/instructionId"}
    # the split function: {hold: false} is the release operation, which takes no body
    release = _step(scenario, "holdThenRelease", "releaseHold")
    assert release["operationId"].endswith(".releaseMatchedInstruction") and "requestBody" not in release
    assert {"name": "instructionId", "in": "path", "value": "$steps.inputDeliver.outputs.siId"} in \
        release["parameters"]
    hold = _step(scenario, "reholdMatchedSi", "receiverHolds")
    assert hold["operationId"].endswith(".holdMatchedInstruction")
    enquiry = _step(scenario, "reholdMatchedSi", "matchedAgain")
    assert {"name": "status", "in": "query", "value": "MATCHED"} in enquiry["parameters"]
    assert {"condition": "$response.body#/items/0/instructionId == "
            "$steps.reholdMatchedSiInputDeliver.outputs.siId"} in enquiry["successCriteria"]


def test_the_copy_is_valid_arazzo_and_loads_against_the_variant(variant: ContractSet, tmp_path: Path) -> None:
    schema = yaml.safe_load(OFFICIAL_SCHEMA_PATH.read_text(encoding="utf-8"))
    for path, bound_copy in write_bound_copies(ROOT / "scenarios" / "si", variant, tmp_path).items():
        assert bound_copy.path is not None, path
        assert not list(Draft202012Validator(schema).iter_errors(yaml.safe_load(bound_copy.path.read_text()))), path
        document = load_arazzo(bound_copy.path, variant)
        assert document.workflows, path
    text = (tmp_path / "si" / "si-unmatched-reason.arazzo.yaml").read_text(encoding="utf-8")
    assert "securityCode: '00388'" in text  # a YAML 1.2 reader (Redocly) would take 00388 for a number


def test_error_literals_and_statuses_follow_the_error_binding(variant: ContractSet, tmp_path: Path) -> None:
    path = ROOT / "scenarios" / "si" / "si-deletion.arazzo.yaml"
    bound_copy = write_bound_copy(path, variant, tmp_path)
    assert bound_copy.path is not None
    text = bound_copy.path.read_text(encoding="utf-8")
    assert "$response.body#/errorCode == 'SI_STATE_CONFLICT'" in text and "body#/code" not in text


def test_what_the_bindings_lack_is_named_and_what_the_contract_lacks_is_not_applicable(
        variant: ContractSet, tmp_path: Path) -> None:
    def without(name: str, *keys: str) -> ContractSet:
        contracts = tmp_path / name
        shutil.copytree(VARIANT, contracts)
        binding = yaml.safe_load((contracts / "binding.yaml").read_text(encoding="utf-8"))
        node = binding
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]
        (contracts / "binding.yaml").write_text(yaml.safe_dump(binding, sort_keys=False), encoding="utf-8")
        return load_contracts(contracts)

    amend_file = ROOT / "scenarios" / "si" / "si-amend.arazzo.yaml"
    no_code = without("no-code", "errors", "codes", "SETTLEMENT_DATE_IN_PAST")
    amend = write_bound_copy(amend_file, no_code, tmp_path / "out1").scenario
    assert list(amend.not_bound) == ["pastSettlementDateRejected"]
    assert "errors.codes.SETTLEMENT_DATE_IN_PAST" in amend.not_bound["pastSettlementDateRejected"]
    no_reference = without("no-reference", "fields", "si", "own_reference")
    amend = write_bound_copy(amend_file, no_reference, tmp_path / "out2").scenario
    assert amend.not_bound and all("fields.si.own_reference" in why for why in amend.not_bound.values())
    movement = write_bound_copy(ROOT / "scenarios" / "si" / "si-settlement.arazzo.yaml", variant,
                                tmp_path / "out").scenario
    assert movement.not_applicable == {"dvpMatchedAndSettled": "it needs Enquire Stock Account Movement, which the "
                                       "bound contract does not offer (not contracted in its catalogue)"}


def test_a_field_no_role_binds_that_the_bound_contract_lacks_is_not_guessed(variant: ContractSet,
                                                                             tmp_path: Path) -> None:
    raw = copy.deepcopy(load_yaml(HOLD).data)
    raw["workflows"][0]["steps"][1]["requestBody"]["payload"]["priority"] = "HIGH"
    scenario = _bind(raw, variant, tmp_path)
    assert "the payload field /priority of inputSi is no role" in scenario.not_bound["holdThenRelease"]
    assert "reholdMatchedSi" not in scenario.not_bound


REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"


def test_redocly_respect_runs_the_bound_copies_against_the_simulator_in_the_variants_shape(
        variant: ContractSet, tmp_path: Path) -> None:
    """Item 5's "in a way Redocly respect can still run": the SI workflows' bound copies, served variant."""
    if not REDOCLY.exists():
        if os.environ.get("CI"):
            pytest.fail("node_modules/.bin/redocly is missing: .ci/run must `npm ci` before the tests")
        pytest.skip("Redocly CLI not installed here: run `npm ci` to include this independent check")
    copies = [c.path for c in write_bound_copies(ROOT / "scenarios" / "si", variant, tmp_path).values() if c.path]
    with served_simulator(options=["--contracts", str(VARIANT)]) as simulator:
        for bound_copy in copies:
            quantity = 1000 + secrets.randbelow(8000)
            inputs = {"deliverer": "B01234", "receiver": "B05678", "delivererToken": simulator.tokens["B01234"],
                      "receiverToken": simulator.tokens["B05678"], "settlementDate": "2027-04-06",
                      "nextBusinessDate": "2027-04-07", "runId": "R" + secrets.token_hex(4), "quantity": quantity,
                      "otherQuantity": quantity + 1}
            completed = subprocess.run(
                [str(REDOCLY), "respect", str(bound_copy), "--server",
                 f"official={simulator.base_url}/api/ocp,simControl={simulator.base_url}",
                 "--input", ",".join(f"{k}={v}" for k, v in inputs.items())],
                capture_output=True, text=True, cwd=ROOT, timeout=600, check=False)
            output = completed.stdout + completed.stderr
            assert completed.returncode == 0, output[-4000:]
            summary = output.split("Workflows:")[1].split("\n")[0]
            assert " passed" in summary and " failed" not in summary, output[-3000:]


def test_a_contracts_folder_with_its_own_scenarios_runs_them(tmp_path: Path) -> None:
    """`contracts bind-scenarios --into CONTRACTS/scenarios` writes the copies once; `run` then takes the contracts
    folder's own scenarios (they load without binding again) and a bad --scenarios is a usage error."""
    import json
    import sys

    contracts = tmp_path / "contracts"
    shutil.copytree(VARIANT, contracts)
    command = [sys.executable, "-m", "ocp_conformance"]
    bind = subprocess.run([*command, "contracts", "bind-scenarios", "--contracts", str(contracts), "--into",
                           str(contracts / "scenarios")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert bind.returncode == 0, bind.stdout[-2000:] + bind.stderr[-2000:]
    assert "0 not bound" in bind.stdout and (contracts / "scenarios" / "si" / "si-hold.arazzo.yaml").is_file()
    report = tmp_path / "report"
    run = subprocess.run([*command, "run", "--contracts", str(contracts), "--only", "Change Hold Matched SI",
                          "--report", str(report), "--no-allure-html"],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    entry = next(e for e in json.loads((report / "readiness.json").read_text())["entries"]
                 if e["name"] == "Change Hold Matched SI")
    assert entry["checks"]["scenario"]["status"] == "pass"
    results = (report / ".results" / "main.jsonl").read_text(encoding="utf-8")
    # collected from CONTRACTS/scenarios (ids relative to it), not the project's scenarios/ bound again
    assert '"test_id": "si/si-hold.arazzo.yaml::holdThenRelease"' in results and '"scenarios/si/' not in results
    wrong = subprocess.run([*command, "run", "--scenarios", str(tmp_path / "none")], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    assert wrong.returncode == 2 and "no *.arazzo.yaml files there" in wrong.stdout + wrong.stderr


PRECISION = ROOT / "scenarios" / "si" / "si-amount-precision.arazzo.yaml"


def test_the_amount_precision_scenario_runs_as_its_bound_copy(variant: ContractSet, tmp_path: Path) -> None:
    """Issue 15 item 2: the 0.0001-apart scenario binds with nothing left out and, run against the simulator in the
    variant's shape, passes; with amounts rounded to cents it fails Input SI at the first echoed amount."""
    import json
    import sys

    scenario = write_bound_copy(PRECISION, variant, tmp_path / "copies").scenario
    assert scenario.not_bound == {} and scenario.not_applicable == {}
    for fault, status in ((None, "passed"), ("si-amount-rounded-to-cents", "failed")):
        report = tmp_path / (fault or "clean")
        command = [sys.executable, "-m", "pytest", str(PRECISION), "-q", "-p", "no:cacheprovider",
                   "--ocp-contracts", str(VARIANT), "--ocp-report", str(report), *(["--ocp-fault", fault] if fault
                                                                                 else [])]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
        (result,) = [json.loads(line) for line in (report / ".results" / "main.jsonl").read_text().splitlines()]
        assert (result["outcome"], result["functions"]) == (status, ["Input SI"]), done.stdout[-3000:]
        if fault:
            assert "Received: $response.body#/amount = '123456789012.12'" in result["message"]
