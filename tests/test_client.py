"""OcpClient: functions by catalogue name, validation in both directions."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from ocp_conformance.client import ContractViolation, Exchange, OcpClient, TargetAnswerError
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
                       stockCode="00005", quantity=-1, settlementDate="2027-04-06", paymentType="FOP")


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


def _own_mass_read(*faults: str) -> Exchange:
    """The owner's read of its own new mass submission."""
    client = _client(*faults)
    created = client.call("Input Mass ATI/STI", as_participant="B01234", ownReference="OWN1", items=[
        {"kind": "ATI", "fromAccount": "01", "toAccount": "02", "stockCode": "00005", "quantity": 5}]).body
    return client.call("Enquire Mass ATI/STI", as_participant="B01234", operation="getMassTransfer",
                       massId=created["massId"])


def test_reading_what_a_wrong_answer_lacks_is_the_targets_failure_with_the_response() -> None:
    """issue 15: a 404 where the owner's object was due; a field, item or index read from it fails the function
    read (a TargetAnswerError, never a bare KeyError), and the message carries the response."""
    read = _own_mass_read("mass-own-read-404")
    body = read.body
    with pytest.raises(TargetAnswerError) as caught:
        body["ownReference"]
    error = caught.value
    assert isinstance(error, KeyError) and isinstance(error, AssertionError)
    assert error.function == "Enquire Mass ATI/STI"
    message = str(error)
    assert message.startswith("Enquire Mass ATI/STI as B01234: GET /ocp/v1/mass-transfers/")
    assert "answered without /ownReference" in message and "MASS_NOT_FOUND" in message  # the response
    assert "Bearer $OCP_TOKEN" in message and 'run --only "Enquire Mass ATI/STI"' in message
    assert body.get("ownReference") is None  # an optional read stays optional
    with pytest.raises(KeyError):  # code that catches KeyError keeps catching it
        body["items"]


def test_items_and_indexes_a_body_lacks_are_the_targets_failure() -> None:
    body = _own_mass_read().body
    assert body["items"][0]["kind"] == "ATI"
    with pytest.raises(IndexError, match=r"answered 1 item\(s\) at /items, read as \[3\]"):
        body["items"][3]
    with pytest.raises(TypeError, match=r"read as \['kind'\]"):
        body["items"]["kind"]
    with pytest.raises(TargetAnswerError, match="answered without /items/0/transferId"):
        body["items"][0]["transferId"]


def test_a_guarded_body_is_plain_json_to_everything_else() -> None:
    body = _own_mass_read().body
    assert json.loads(json.dumps(body)) == body
    for copied in (copy.deepcopy(body), pickle.loads(pickle.dumps(body))):
        assert copied == body and type(copied) is dict and type(copied["items"]) is list
        assert type(copied["items"][0]) is dict


def test_expect_checks_the_status_and_blames_the_named_function() -> None:
    assert _own_mass_read().expect(200)["status"] == "RECEIVED"
    assert _own_mass_read().expect()["status"] == "RECEIVED"  # any 2xx
    with pytest.raises(TargetAnswerError) as caught:
        _own_mass_read("mass-own-read-404").expect(200, blame="Change Mass ATI/STI")
    assert caught.value.function == "Change Mass ATI/STI"
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("Change Mass ATI/STI: Enquire Mass ATI/STI as B01234: GET ")
    assert lines[0].endswith("answered HTTP 404")
    assert lines[2] == "  Expected: HTTP 200"


def test_expect_fails_an_answer_that_breaks_the_contract() -> None:
    client = _client("mass-own-read-empty-body").lenient()
    created = client.call("Input Mass ATI/STI", as_participant="B01234", items=[
        {"kind": "ATI", "fromAccount": "01", "toAccount": "02", "stockCode": "00005", "quantity": 5}]).body
    read = client.call("Enquire Mass ATI/STI", as_participant="B01234", operation="getMassTransfer",
                       massId=created["massId"])
    with pytest.raises(TargetAnswerError, match=r"broke the contract: body/.*required property is missing"):
        read.expect(200)
