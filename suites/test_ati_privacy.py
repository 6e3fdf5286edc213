"""Participants never see or touch each other's mass ATI/STI submissions.

Rules enforced (DESIGN.md §6):

- get, change or cancel with another participant's massId -> 404 MASS_NOT_FOUND (the answer for an id that
  does not exist), never 200, and nothing of the owner's submission in the body; the owner's submission is
  unchanged afterwards;
- Enquire Mass ATI/STI never lists another participant's submissions (filtered by the owner's ownReference,
  the other participant's list is empty while the owner's shows it).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from suites.rule_broken import RuleBroken

from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.targets import Target


class PrivacyBreach(RuleBroken):
    """One participant saw or changed another participant's mass submission."""


def _owners_submission(client: OcpClient, owner: str) -> dict[str, Any]:
    reference = uuid.uuid4().hex[:16]
    quantity = 1 + uuid.uuid4().int % 999
    created = client.call("Input Mass ATI/STI", as_participant=owner, ownReference=reference, items=[
        {"kind": "ATI", "fromAccount": "01", "toAccount": "02", "stockCode": "00005", "quantity": quantity}])
    if created.status != 201:
        pytest.skip(f"could not set up A's submission (Input Mass ATI/STI answered {created.status})")
    return dict(created.body)


def _withdraw(client: OcpClient, owner: str, submission: dict[str, Any]) -> None:
    """Cancel the suite's submission, so no later batch run of someone else's test moves the owner's stock."""
    client.call("Cancel Mass ATI/STI", as_participant=owner, massId=submission["massId"])


def _code(exchange: Exchange) -> object:
    return exchange.body.get("code") if isinstance(exchange.body, dict) else None


CASES = [
    pytest.param("Enquire Mass ATI/STI", "getMassTransfer", {}, id="get",
                 marks=pytest.mark.ocp(functions=["Enquire Mass ATI/STI"], check="security")),
    pytest.param("Change Mass ATI/STI", "changeMassTransfer", {"ownReference": "HIJACKED"}, id="change",
                 marks=pytest.mark.ocp(functions=["Change Mass ATI/STI"], check="security")),
    pytest.param("Cancel Mass ATI/STI", "cancelMassTransfer", {}, id="cancel",
                 marks=pytest.mark.ocp(functions=["Cancel Mass ATI/STI"], check="security")),
]


@pytest.mark.parametrize(("function", "operation", "fields"), CASES)
def test_other_participants_submission_is_not_found(function: str, operation: str, fields: dict[str, Any],
                                                    ocp_client: OcpClient, ocp_target: Target) -> None:
    """B acting on A's massId gets 404 MASS_NOT_FOUND and sees none of A's data; A's submission is unchanged."""
    owner, other = ocp_target.acting_pair()
    submission = _owners_submission(ocp_client, owner)
    exchange = ocp_client.call(function, as_participant=other, operation=operation,
                               massId=submission["massId"], **fields)
    leaked = submission["ownReference"] in exchange.response.text
    if exchange.status != 404 or _code(exchange) != "MASS_NOT_FOUND" or leaked:
        raise PrivacyBreach(function, f"{other} acted on {owner}'s submission {submission['massId']}",
                            received=f"HTTP {exchange.status} code={_code(exchange)}"
                                     + (", body shows the owner's ownReference" if leaked else ""),
                            expected="HTTP 404 code=MASS_NOT_FOUND, nothing of the owner's submission",
                            exchange=exchange)
    after = ocp_client.call("Enquire Mass ATI/STI", as_participant=owner, operation="getMassTransfer",
                            massId=submission["massId"])
    # the owner must still find its submission: a 404 here fails the check (this test's function), never crashes it
    kept = after.expect(200, blame=function)
    if (kept["status"], kept["ownReference"]) != ("RECEIVED", submission["ownReference"]):
        raise PrivacyBreach(function, f"{other}'s request changed {owner}'s submission",
                            received=f"status={kept['status']} ownReference={kept['ownReference']}",
                            expected=f"status=RECEIVED ownReference={submission['ownReference']}", exchange=after)
    _withdraw(ocp_client, owner, submission)


@pytest.mark.ocp(functions=["Enquire Mass ATI/STI"], check="security")
def test_enquire_never_lists_other_participants_submissions(ocp_client: OcpClient, ocp_target: Target) -> None:
    """Enquire as B, filtered by A's ownReference (with and without a status filter), lists nothing."""
    owner, other = ocp_target.acting_pair()
    submission = _owners_submission(ocp_client, owner)
    reference = submission["ownReference"]
    own = ocp_client.call("Enquire Mass ATI/STI", as_participant=owner, ownReference=reference)
    if [s["massId"] for s in own.expect()["items"]] != [submission["massId"]]:
        raise PrivacyBreach("Enquire Mass ATI/STI", f"{owner} does not see its own submission",
                            received=own.expect()["items"], expected=[submission["massId"]], exchange=own)
    for query in ({}, {"status": "RECEIVED"}):
        theirs = ocp_client.call("Enquire Mass ATI/STI", as_participant=other, ownReference=reference, **query)
        if theirs.expect()["items"]:
            raise PrivacyBreach("Enquire Mass ATI/STI", f"{other}'s enquiry lists {owner}'s submission",
                                received=[s["massId"] for s in theirs.expect()["items"]], expected=[], exchange=theirs)
        unfiltered = ocp_client.call("Enquire Mass ATI/STI", as_participant=other, limit=200, **query)
        if any(s["participantId"] != other for s in unfiltered.expect()["items"]):
            raise PrivacyBreach("Enquire Mass ATI/STI", f"{other}'s enquiry lists another participant's submission",
                                received=sorted({s["participantId"] for s in unfiltered.expect()["items"]}),
                                expected=[other], exchange=unfiltered)
    _withdraw(ocp_client, owner, submission)
