"""uploadRapFile over HTTP (simulator/rap/http_upload.py): the result file as JSON that fits the contract, the
same processor (and sequence numbers) as the other transports, and precise problems for bad requests; plus
simEnquireCaInstructions and the CA change-by-reference rule it makes visible."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from ocp_conformance.contracts import load_contracts
from ocp_conformance.simulator.app import SimulatorApp
from ocp_conformance.targets import Target, simulator_target

HOLDER = "B01234"


@pytest.fixture
def simulator() -> Iterator[tuple[Target, SimulatorApp]]:
    target, app = simulator_target(load_contracts())
    yield target, app
    target.close()


def _election(sequence: int, reference: str, option: str, quantity: int = 1000,
              event: str = "CA2027000001", stock: str = "00005") -> tuple[str, bytes]:
    name = f"{HOLDER}_ELECTION_20270406_{sequence:03d}.csv"
    lines = [f"H,ELECTION,{HOLDER},2027-04-06,{sequence}", f"D,{reference},{event},{stock},01,{quantity},{option}",
             f"T,1,{quantity}"]
    return name, "".join(f"{line}\r\n" for line in lines).encode()


def _post(target: Target, name: str, content: bytes, participant: str | None = HOLDER) -> httpx.Response:
    headers = {"content-type": "text/csv", **target.auth_headers(participant)}
    return target.http().post(f"/rap/v1/files/{name}", content=content, headers=headers)


def _result_schema() -> Draft202012Validator:
    document = load_contracts().rap_upload_document
    assert document is not None
    return Draft202012Validator({"$ref": "#/components/schemas/RapResult",
                                 "components": document.bundled["components"]})


def test_an_accepted_election_answers_the_result_file_as_contracted_json(
        simulator: tuple[Target, SimulatorApp]) -> None:
    target, _ = simulator
    response = _post(target, *_election(1, "HTTP1", "SCRIP"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert list(_result_schema().iter_errors(body)) == []
    assert (body["status"], body["fileType"], body["participantId"], body["acceptedTotal"]) == (
        "ACCEPTED", "ELECTION", HOLDER, 1)
    record = body["records"][0]
    assert (record["line"], record["clientReference"], record["outcome"]) == (2, "HTTP1", "ACCEPTED")
    assert record["instructionId"].startswith("CAI")


def test_http_and_in_process_uploads_share_sequence_numbers(simulator: tuple[Target, SimulatorApp]) -> None:
    target, _ = simulator
    name, content = _election(7, "SEQ1", "CASH")
    assert target.rap_channel().upload(HOLDER, name, content).status == "ACCEPTED"
    again = _post(target, name, content.replace(b"SEQ1", b"SEQ2")).json()
    assert again["status"] == "REJECTED"
    assert [e["code"] for e in again["fileErrors"]] == ["DUPLICATE_SEQUENCE"]


def test_a_record_rejected_by_a_business_rule_names_its_line_and_code(simulator: tuple[Target, SimulatorApp]) -> None:
    target, _ = simulator
    body = _post(target, *_election(2, "LATE1", "CASH", event="CA2027000002", stock="00388")).json()
    assert body["status"] == "REJECTED"
    assert (body["records"][0]["line"], body["records"][0]["code"]) == (2, "AFTER_DEADLINE")
    assert "CCASS deadline" in body["records"][0]["reason"]


def test_without_a_token_the_upload_is_refused_with_401(simulator: tuple[Target, SimulatorApp]) -> None:
    target, _ = simulator
    response = _post(target, *_election(3, "NOAUTH", "CASH"), participant=None)
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert "WWW-Authenticate" in response.headers


def test_an_empty_body_is_refused_with_400(simulator: tuple[Target, SimulatorApp]) -> None:
    target, _ = simulator
    response = _post(target, f"{HOLDER}_ELECTION_20270406_004.csv", b"")
    assert response.status_code == 400
    assert "expected the file's content" in response.json()["detail"]


def test_the_same_reference_again_changes_the_instruction(simulator: tuple[Target, SimulatorApp]) -> None:
    target, _ = simulator
    first = _post(target, *_election(5, "CHG1", "SCRIP", quantity=2000)).json()["records"][0]
    second = _post(target, *_election(6, "CHG1", "CASH", quantity=1500)).json()["records"][0]
    assert second["outcome"] == "ACCEPTED"
    assert second["instructionId"] == first["instructionId"]
    listed = target.http().get(f"/_sim/participants/{HOLDER}/ca-instructions",
                               params={"announcementId": "CA2027000001", "clientReference": "CHG1"}).json()
    assert [(i["instructionId"], i["option"], i["quantity"], i["earmarked"], i["status"]) for i in listed["items"]] \
        == [(first["instructionId"], "CASH", 1500, 1500, "ACCEPTED")]


def test_ca_instruction_enquiry_of_an_unknown_participant_is_404(simulator: tuple[Target, SimulatorApp]) -> None:
    target, _ = simulator
    response = target.http().get("/_sim/participants/Z99999/ca-instructions")
    assert response.status_code == 404
    assert response.json()["code"] == "PARTICIPANT_UNKNOWN"
