"""Participants never see or touch each other's mass ATI/STI submissions.

Rules enforced (DESIGN.md §6):

- get, change or cancel with another participant's mass id -> the bound contract's not-found error
  (MASS_NOT_FOUND, the answer for an id that does not exist), never 2xx, and nothing of the owner's submission in
  the body; the owner's submission is unchanged afterwards;
- Enquire Mass ATI/STI never lists another participant's submissions (filtered by the owner's own reference,
  the other participant's list is empty while the owner's shows it).

Everything contract-specific comes through the binding: operations by function and role, fields by role, the
error shape, its status and code.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from suites.rule_broken import RuleBroken

from ocp_conformance.bound_client import BoundClient
from ocp_conformance.pytest_plugin import Harness


class PrivacyBreach(RuleBroken):
    """One participant saw or changed another participant's mass submission."""


def _owners_submission(bound: BoundClient, owner: str) -> dict[str, Any]:
    """The owner's new RECEIVED submission, by role: mass_id, own_reference."""
    reference = uuid.uuid4().hex[:16]
    quantity = 1 + uuid.uuid4().int % 999
    created = bound.call("Input Mass ATI/STI", "create", as_participant=owner, own_reference=reference,
                         transfers=[_item(bound, kind="ATI", from_account="01", to_account="02", stock_code="00005",
                                          quantity=quantity)])
    if not created.ok:
        pytest.skip(f"could not set up A's submission (Input Mass ATI/STI answered {created.status})")
    return {role: created.get(role) for role in ("mass_id", "own_reference")}


def _item(bound: BoundClient, **roles: Any) -> dict[str, Any]:
    """One mass item in the bound contract's names (item roles at their pointers, enums as its codes)."""
    return bound.item("Input Mass ATI/STI", roles)


def _withdraw(bound: BoundClient, owner: str, submission: dict[str, Any]) -> None:
    """Cancel the suite's submission, so no later batch run of someone else's test moves the owner's stock."""
    bound.call("Cancel Mass ATI/STI", "cancel", as_participant=owner, mass_id=submission["mass_id"])


CASES = [
    pytest.param("Enquire Mass ATI/STI", "get", {}, id="get",
                 marks=pytest.mark.ocp(functions=["Enquire Mass ATI/STI"], check="security")),
    pytest.param("Change Mass ATI/STI", "change", {"own_reference": "HIJACKED"}, id="change",
                 marks=pytest.mark.ocp(functions=["Change Mass ATI/STI"], check="security")),
    pytest.param("Cancel Mass ATI/STI", "cancel", {}, id="cancel",
                 marks=pytest.mark.ocp(functions=["Cancel Mass ATI/STI"], check="security")),
]


@pytest.mark.parametrize(("function", "role", "values"), CASES)
def test_other_participants_submission_is_not_found(function: str, role: str, values: dict[str, Any],
                                                    ocp_harness: Harness) -> None:
    """B acting on A's mass id gets the not-found error MASS_NOT_FOUND and sees none of A's data; A's submission
    is unchanged."""
    bound = ocp_harness.bound
    owner, other = ocp_harness.target.acting_pair()
    not_found = bound.binding.error_status("not_found", function=function)
    submission = _owners_submission(bound, owner)
    answer = bound.call(function, role, as_participant=other, mass_id=submission["mass_id"], **values)
    code = answer.error_code()
    leaked = submission["own_reference"] in answer.exchange.response.text
    if answer.status != not_found or code != "MASS_NOT_FOUND" or leaked:
        raise PrivacyBreach(function, f"{other} acted on {owner}'s submission {submission['mass_id']}",
                            received=f"HTTP {answer.status} code={code}"
                                     + (", body shows the owner's own reference" if leaked else ""),
                            expected=f"HTTP {not_found} code=MASS_NOT_FOUND, nothing of the owner's submission",
                            exchange=answer.exchange)
    after = bound.call("Enquire Mass ATI/STI", "get", as_participant=owner, mass_id=submission["mass_id"])
    # the owner must still find its submission: a 404 here fails the check (this test's function), never crashes it
    after.expect(blame=function)
    kept = {"status": after.get("status", None), "own_reference": after.get("own_reference", None)}
    wanted = {"status": "RECEIVED", "own_reference": submission["own_reference"]}
    if kept != wanted:
        raise PrivacyBreach(function, f"{other}'s request changed {owner}'s submission",
                            received=kept, expected=wanted, exchange=after.exchange)
    _withdraw(bound, owner, submission)


@pytest.mark.ocp(functions=["Enquire Mass ATI/STI"], check="security")
def test_enquire_never_lists_other_participants_submissions(ocp_harness: Harness) -> None:
    """Enquire as B, filtered by A's own reference (with and without a status filter), lists nothing."""
    bound = ocp_harness.bound
    owner, other = ocp_harness.target.acting_pair()
    function = "Enquire Mass ATI/STI"
    submission = _owners_submission(bound, owner)
    reference = submission["own_reference"]
    own = bound.call(function, "list", as_participant=owner, own_reference=reference)
    own.expect()
    listed = [own.item_value(s, "mass_id") for s in own.items()]
    if listed != [submission["mass_id"]]:
        raise PrivacyBreach(function, f"{owner} does not see its own submission",
                            received=listed, expected=[submission["mass_id"]], exchange=own.exchange)
    for query in ({}, {"status": "RECEIVED"}):
        theirs = bound.call(function, "list", as_participant=other, own_reference=reference, **query)
        theirs.expect()
        if theirs.items():
            raise PrivacyBreach(function, f"{other}'s enquiry lists {owner}'s submission",
                                received=[theirs.item_value(s, "mass_id") for s in theirs.items()], expected=[],
                                exchange=theirs.exchange)
        unfiltered = bound.call(function, "list", as_participant=other, limit=200, **query)
        unfiltered.expect()
        owners = {unfiltered.item_value(s, "participant") for s in unfiltered.items()}
        if owners - {other}:
            raise PrivacyBreach(function, f"{other}'s enquiry lists another participant's submission",
                                received=sorted(map(str, owners)), expected=[other], exchange=unfiltered.exchange)
    _withdraw(bound, owner, submission)
