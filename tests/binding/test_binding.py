"""The binding: loaded and schema-checked at its line, linted against the contract, requests and answers by role."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from ocp_conformance.binding import (
    ABSENT,
    BindingMissing,
    bound_request,
    check_binding,
    load_binding,
    read_role,
    role_of_pointer,
)
from ocp_conformance.binding.infer import infer_role
from ocp_conformance.contracts import ContractSet, SourceError, default_contracts_dir, load_contracts


@pytest.fixture(scope="module")
def ours() -> ContractSet:
    return load_contracts()


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "contracts"
    shutil.copytree(default_contracts_dir(), folder)
    return folder


def _edit(folder: Path, edit: dict[str, object]) -> None:
    """Apply ``edit`` (dotted path -> new value, None deletes) to the folder's binding.yaml."""
    path = folder / "binding.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in edit.items():
        *parents, last = dotted.split("|")
        node = data
        for part in parents:
            node = node[part]
        if value is None:
            del node[last]
        else:
            node[last] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_our_binding_is_clean(ours: ContractSet) -> None:
    binding = load_binding(ours)
    assert check_binding(ours, binding) == []
    assert binding.operation("Enquire SI", "get") in {op.operation_id for op in ours.operations_of("Enquire SI")}


def test_every_contracted_api_function_is_bound(ours: ContractSet) -> None:
    binding = load_binding(ours)
    for entry in ours.catalogue:
        if entry.kind != "rap":
            assert set(binding.functions[entry.name].operations.values()) == set(entry.operations), entry.name


def test_a_schema_defect_is_reported_at_its_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    text = (folder / "binding.yaml").read_text(encoding="utf-8")
    (folder / "binding.yaml").write_text(text.replace("  media_type: application/problem+json",
                                                      "  media_type: 42"), encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        load_binding(load_contracts(folder))
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("  media_type:"))
    assert raised.value.location.line == line  # type: ignore[union-attr]
    assert "42 is not of type 'string'" in raised.value.message


def test_lint_names_each_wrong_name(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, {
        "functions|Input SI|operations": {"create": "inputSI"},
        "fields|si|stock_code": {"pointer": "/securityCode", "parameter": "stockCode"},
        "enums|payment_type": {"FOP": "F", "DVP": "DVP", "RDP": "RDP"},
        "auth|schemes": ["apiKey"],
        "errors|media_type": "application/vnd.error+json",
    })
    contracts = load_contracts(folder)
    findings = [f.render() for f in check_binding(contracts, load_binding(contracts)) if f.severity == "error"]
    assert any("no contract defines operationId 'inputSI'. Did you mean 'inputSi'" in f for f in findings)
    assert any("pointer /securityCode names no field" in f for f in findings)
    assert any("FOP is bound to 'F', which si.payment_type (/paymentType) does not allow" in f for f in findings)
    assert any("security scheme 'apiKey' is not declared" in f for f in findings)
    assert any("errors.media_type 'application/vnd.error+json' is used by no error response" in f for f in findings)
    assert all(f.startswith(str(folder / "binding.yaml") + ":") for f in findings)


def test_an_unbound_function_is_a_warning_and_its_roles_are_missing(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, {"functions|Cancel SI": None})
    contracts = load_contracts(folder)
    binding = load_binding(contracts)
    findings = check_binding(contracts, binding)
    assert [f.severity for f in findings] == ["warning"]
    assert "'Cancel SI' is not bound" in findings[0].message
    with pytest.raises(BindingMissing, match=re.escape('functions."Cancel SI"')) as raised:
        binding.operation("Cancel SI", "cancel")
    assert raised.value.function == "Cancel SI"


def test_no_binding_file_means_every_role_is_missing(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "binding.yaml").unlink()
    contracts = load_contracts(folder)
    binding = load_binding(contracts)
    assert [f.severity for f in check_binding(contracts, binding)] == ["warning"]
    with pytest.raises(BindingMissing, match="errors"):
        binding.error_status("invalid")


def test_requests_and_answers_by_role_follow_renamed_fields_and_codes(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, {"fields|si|stock_code": {"pointer": "/security/code", "parameter": "securityCode"},
                   "enums|payment_type": {"FOP": "F", "DVP": "D", "RDP": "R"}})
    binding = load_binding(load_contracts(folder))
    ours = load_contracts()
    create, listing = ours.operation("inputSi"), ours.operation("enquireSi")
    request = bound_request(binding, "Input SI", create, {"stock_code": "00005", "payment_type": "DVP",
                                                          "si_id": "S1"})
    assert request.body == {"security": {"code": "00005"}, "paymentType": "D", "siId": "S1"}
    assert bound_request(binding, "Enquire SI", listing, {"stock_code": "00005"}).parameters == {}
    answer = {"security": {"code": "00700"}, "paymentType": "R"}
    assert read_role(binding, "Input SI", answer, "stock_code") == "00700"
    assert read_role(binding, "Input SI", answer, "payment_type") == "RDP"
    assert read_role(binding, "Input SI", answer, "quantity") is ABSENT
    assert role_of_pointer(binding, "Input SI", "/security/code") == "stock_code"
    with pytest.raises(BindingMissing, match=r"enums.payment_type.XYZ"):
        bound_request(binding, "Input SI", create, {"payment_type": "XYZ"})


def test_a_query_parameter_role_goes_to_the_parameters(ours: ContractSet) -> None:
    binding = load_binding(ours)
    request = bound_request(binding, "Enquire SI", ours.operation("enquireSi"), {"stock_code": "00005",
                                                                                 "status": "MATCHED"})
    assert request.parameters == {"stockCode": "00005", "status": "MATCHED"} and request.body == {}


@pytest.mark.parametrize(("operation_id", "role"), [
    ("inputSi", "create"), ("enquireSi", "list"), ("getSi", "get"), ("changeSi", "change"), ("cancelSi", "cancel"),
    ("revokeMatchedSi", "revoke"), ("changeHoldMatchedSi", "hold"), ("cancelMassTransfer", "cancel"),
])
def test_roles_are_inferred_from_method_and_path(ours: ContractSet, operation_id: str, role: str) -> None:
    assert infer_role(ours.operation(operation_id)) == role
