"""The runner's binding of uploadRapFile to the target's RAP channel (scenarios/rap_upload.py), and the
harness inputs RAP workflows use (fileDate, fileSequence)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet, Operation
from ocp_conformance.rap import RapResult
from ocp_conformance.scenarios import load_arazzo, run_workflow
from ocp_conformance.scenarios.inputs import harness_inputs
from ocp_conformance.scenarios.rap_upload import RapUploadError, entry_of_file, upload
from ocp_conformance.targets import RapChannelError

UPLOADS = Path(__file__).resolve().parents[2] / "scenarios" / "rap-uploads" / "instruction-uploads.arazzo.yaml"
CONTENT = "H,ATI,B01234,2027-04-06,501\r\nD,BIND1,01,02,00001,100\r\nT,1,100\r\n"


def _operation(contracts: ContractSet) -> Operation:
    document = contracts.rap_upload_document
    assert document is not None
    return document.operations["uploadRapFile"]


@pytest.mark.parametrize(("name", "entry"), [
    ("B01234_ELECTION_20270406_001.csv", "Election"), ("B01234_CORPREP_20270406_101.csv",
                                                       "Corporate Representative/Proxy"),
    ("B01234_SI_20270406_001.csv", "SI"), ("B01234_NOPE_20270406_001.csv", None), ("results.csv", None),
])
def test_the_file_type_in_the_name_names_the_catalogue_entry(name: str, entry: str | None,
                                                              contracts: ContractSet) -> None:
    assert entry_of_file(contracts, name) == entry


def test_an_upload_answers_like_the_http_operation(client: OcpClient, contracts: ContractSet) -> None:
    exchange = upload(client.target, contracts, _operation(contracts), "B01234", "B01234_ATI_20270406_501.csv",
                      CONTENT)
    assert (exchange.status, exchange.function, exchange.participant) == (200, "ATI", "B01234")
    body = exchange.body
    assert (body["status"], body["fileType"], body["records"][0]["outcome"]) == ("ACCEPTED", "ATI", "ACCEPTED")
    assert body["records"][0]["instructionId"].startswith("ATI")
    assert exchange.request.content.decode() == CONTENT
    assert "Bearer" not in exchange.curl()  # the channel has no token to leak


def test_an_upload_needs_the_acting_participant(client: OcpClient, contracts: ContractSet) -> None:
    with pytest.raises(RapUploadError, match="needs the acting participant"):
        upload(client.target, contracts, _operation(contracts), None, "B01234_ATI_20270406_502.csv", CONTENT)


def test_a_workflow_step_uploads_through_the_rap_channel(client: OcpClient, contracts: ContractSet) -> None:
    result = run_workflow(load_arazzo(UPLOADS, contracts), "atiUploadedThenSeenAsMovement", client)
    result.check()
    first = result.steps[0]
    assert (first.operation_id, first.participant, first.status) == ("uploadRapFile", "B01234", 200)
    assert first.request.startswith("POST /rap/v1/files/B01234_ATI_")
    assert first.outputs["atiId"].startswith("ATI")


def test_without_a_rap_channel_the_workflow_is_skipped_with_the_reason(client: OcpClient,
                                                                       contracts: ContractSet) -> None:
    client.target.rap = None
    result = run_workflow(load_arazzo(UPLOADS, contracts), "siUploadedThenEnquired", client)
    assert result.outcome == "skipped"
    assert result.skip_reason is not None and "needs a RAP upload channel" in result.skip_reason


class _BrokenChannel:
    description = "SFTP rap.invalid:22 (host key NOT checked)"

    def upload(self, participant: str, file_name: str, content: bytes) -> RapResult:
        raise RapChannelError(f"SFTP rap.invalid:22 as {participant}: ConnectionRefusedError; check the RAP host")

    def close(self) -> None:
        """Nothing to close."""


def test_a_failing_channel_fails_the_upload_step_saying_why(client: OcpClient, contracts: ContractSet) -> None:
    client.target.rap = _BrokenChannel()
    document = load_arazzo(UPLOADS, contracts)
    result = run_workflow(document, "siUploadedThenEnquired", client)
    assert result.outcome == "failed" and result.failure is not None
    assert result.failure.step_id == "uploadSi"
    message = str(result.failure)
    assert "the upload failed: SFTP rap.invalid:22 as B01234: ConnectionRefusedError" in message
    assert "verifies: SI" in message


def test_harness_gives_the_business_date_and_fresh_sequence_prefixes(client: OcpClient,
                                                                      contracts: ContractSet) -> None:
    workflow = load_arazzo(UPLOADS, contracts).workflow("siUploadedThenEnquired")
    first, second = harness_inputs(workflow, client), harness_inputs(workflow, client)
    assert first["fileDate"] == first["settlementDate"].replace("-", "") == "20270406"
    assert 50 <= first["fileSequence"] <= 99 and 50 <= second["fileSequence"] <= 99  # clear of the suites
    assert first["fileSequence"] != second["fileSequence"]
    assert harness_inputs(workflow, client, {"fileSequence": 42})["fileSequence"] == 42
