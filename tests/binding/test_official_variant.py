"""The renamed variant (tests/data/official-variant): a contract shaped unlike ours in every way the issue lists
(paths, operationIds, field names, enum codes, an extra required field, error shape, API-key auth, a function
split into two operations), adopted with data only: an unmodified document, an overlay and a binding."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ocp_conformance.binding import bound_request, check_binding, load_binding
from ocp_conformance.binding.adopt import adopt
from ocp_conformance.contracts import ContractSet, lint_contracts, load_contracts

VARIANT = Path(__file__).resolve().parents[1] / "data" / "official-variant"
MAINTAIN_SI = ["Input SI", "Change SI", "Change Hold Matched SI", "Cancel SI", "Revoke Matched SI",
               "Change Matched/Settled SI", "Enquire SI", "Enquire SI Unmatched Reason", "Enquire Deleted SI"]


@pytest.fixture(scope="module")
def variant() -> ContractSet:
    return load_contracts(VARIANT)


def test_the_overlay_adds_the_extensions_to_the_unmodified_document(variant: ContractSet) -> None:
    raw = (VARIANT / "api" / "official.yaml").read_text(encoding="utf-8")
    assert not [line for line in raw.splitlines() if line.strip().startswith("x-ocp-")]
    assert variant.operation("holdMatchedInstruction").function == "Change Hold Matched SI"
    assert variant.operation("submitSettlementInstruction").error_codes(422)


def test_the_variant_and_its_binding_lint_clean(variant: ContractSet) -> None:
    findings = lint_contracts(variant) + check_binding(variant, load_binding(variant))
    assert [f.render() for f in findings if f.severity == "error"] == []


def test_the_same_roles_reach_the_renamed_names(variant: ContractSet) -> None:
    binding = load_binding(variant)
    create = variant.operation(binding.operation("Input SI", "create"))
    request = bound_request(binding, "Input SI", create, {"stock_code": "00005", "payment_type": "DVP"})
    assert request.body == {"securityCode": "00005", "paymentType": "D"}
    assert binding.error_shape().media_type == "application/vnd.hkex.error+json"
    assert set(binding.functions["Change Hold Matched SI"].operations) == {"hold", "release"}


def test_adopt_proposes_the_catalogue_mapping_of_every_maintain_si_function(tmp_path: Path) -> None:
    adoption = adopt(VARIANT / "api" / "official.yaml", tmp_path / "adopted", load_contracts())
    expected = {op: entry["name"] for entry in yaml.safe_load((VARIANT / "catalogue.yaml").read_text())["entries"]
                for op in entry.get("operations", [])}
    proposed = {p.operation_id: p.function for p in adoption.proposals}
    right = {expected[op] for op, function in proposed.items() if function == expected[op]}
    assert len(right & set(MAINTAIN_SI)) >= 8, proposed
    assert (tmp_path / "adopted" / "api" / "official.yaml").read_bytes() == \
        (VARIANT / "api" / "official.yaml").read_bytes()


def test_adopted_folder_loads_and_lint_names_what_is_left(tmp_path: Path) -> None:
    shutil.copytree(VARIANT / "api", tmp_path / "src")
    folder = tmp_path / "adopted"
    adopt(tmp_path / "src" / "official.yaml", folder, load_contracts())
    result = subprocess.run([sys.executable, "-m", "ocp_conformance", "contracts", "lint", "--contracts",
                             str(folder)], capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "lists no error code" in result.stdout  # the overlay's x-ocp-error-codes are left to the user
    adopted = load_contracts(folder)
    assert load_binding(adopted).operation("Revoke Matched SI", "revoke") == "requestMatchedRevocation"


def test_lint_with_suites_checks_what_the_suites_use(tmp_path: Path, variant: ContractSet) -> None:
    from ocp_conformance.binding.suite_usage import check_suite_usage

    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "test_x.py").write_text(
        'def test(bound, client):\n'
        '    bound.call("Input SI", "create", stock_code="00005")\n'
        '    bound.call("Cancel SI", "withdraw")\n'
        '    client.call("Input SI", stockCode="00005")\n', encoding="utf-8")
    (tmp_path / "scenarios").mkdir()
    findings, usage = check_suite_usage(variant, load_binding(variant), suites, tmp_path / "scenarios")
    assert (usage.bound, usage.unbound) == (2, 1)
    rendered = sorted(f.render() for f in findings)
    assert any(":3:5: error: the suite needs the withdraw operation of 'Cancel SI'" in r for r in rendered)
    assert any(":4:5: error: the suite calls 'Input SI' in the model's names, and the bound contract declares no "
               "field or parameter stockCode" in r for r in rendered)
    assert len(findings) == 2


CONVERTED = ("test_field_rejection.py", "test_contract.py", "test_security.py", "test_si_model.py")


def test_the_converted_suites_need_nothing_the_variant_lacks(variant: ContractSet) -> None:
    from ocp_conformance.binding.suite_usage import check_suite_usage
    from ocp_conformance.contracts import project_resource

    findings, _ = check_suite_usage(variant, load_binding(variant), project_resource("suites"),
                                    project_resource("scenarios"))
    assert [f.render() for f in findings if Path(str(f.location).split(":")[0]).name in CONVERTED] == []


def test_every_use_the_suites_make_of_our_contract_is_sound() -> None:
    from ocp_conformance.binding.suite_usage import check_suite_usage
    from ocp_conformance.contracts import project_resource

    ours = load_contracts()
    findings, usage = check_suite_usage(ours, load_binding(ours), project_resource("suites"),
                                        project_resource("scenarios"))
    assert [f.render() for f in findings if f.severity == "error"] == []
    assert usage.bound >= 28
