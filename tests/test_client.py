"""OcpClient: functions by catalogue name, validation in both directions."""

from __future__ import annotations

import pytest

from ocp_conformance.client import ContractViolation, OcpClient
from ocp_conformance.contracts import UnknownFunctionError, load_contracts
from ocp_conformance.contracts.validation import RequestInvalid
from ocp_conformance.targets import simulator_target


def _client(*faults: str) -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts, faults=faults)
    return OcpClient(target, contracts)


def test_misspelled_function_suggests_the_catalogue_name() -> None:
    with pytest.raises(UnknownFunctionError, match="Did you mean 'Input SI'"):
        _client().call("Input Si", as_participant="B01234")


def test_operation_must_serve_the_named_function() -> None:
    with pytest.raises(ValueError, match="serves 'Enquire SI', not 'Cancel SI'"):
        _client().call("Cancel SI", as_participant="B01234", operation="getSi", siId="SI0000000001")


def test_invalid_request_is_refused_before_sending() -> None:
    with pytest.raises(RequestInvalid, match="/quantity"):
        _client().call("Input SI", as_participant="B01234", side="DELIVER", counterpartyId="B05678",
                       stockCode="00005", quantity=0, settlementDate="2027-04-06", paymentType="FOP")


def test_contract_violation_names_function_field_and_reproduction() -> None:
    client = _client("drop-required-field")
    si = client.call("Input SI", as_participant="B01234", side="DELIVER", counterpartyId="B05678",
                     stockCode="00005", quantity=5, settlementDate="2027-04-06", paymentType="FOP").body
    with pytest.raises(ContractViolation) as caught:
        client.call("Enquire SI Unmatched Reason", as_participant="B01234", siId=si["siId"])
    assert caught.value.function == "Enquire SI Unmatched Reason"
    assert "body/reasonCode: required property is missing" in str(caught.value)
    assert "curl -X GET" in str(caught.value) and "Bearer $OCP_TOKEN" in str(caught.value)
    assert client.target.token("B01234") not in str(caught.value)


def test_lenient_client_records_violations_instead_of_raising() -> None:
    client = _client("undocumented-status-on-hold")
    fields = {"stockCode": "00005", "quantity": 9, "settlementDate": "2027-04-06", "paymentType": "FOP"}
    si = client.call("Input SI", as_participant="B01234", side="DELIVER", counterpartyId="B05678", **fields).body
    client.call("Input SI", as_participant="B05678", side="RECEIVE", counterpartyId="B01234", **fields)
    with pytest.raises(ContractViolation, match=r"undocumented status\. Received: 202"):
        client.call("Change Hold Matched SI", as_participant="B01234", siId=si["siId"], hold=True)
    exchange = client.lenient().call("Change Hold Matched SI", as_participant="B01234", siId=si["siId"], hold=False)
    assert exchange.status == 202
    assert exchange.violations == ["undocumented status. Received: 202. Expected one of: "
                                   "200, 400, 401, 403, 404, 409, 429, 503"]
