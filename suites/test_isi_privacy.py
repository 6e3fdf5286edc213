"""Participants never see or touch ISIs they are not a party to (DESIGN.md §6, DOMAIN.md §4).

An ISI's parties are the broker/custodian that input it and its investor. Another participant acting on its
ISI id gets the bound contract's not-found error (ISI_NOT_FOUND), the same answer as for an id that does not
exist, with nothing of the ISI in the body; Enquire ISI never lists it; and the ISI is unchanged afterwards.

Everything contract-specific comes through the binding: operations by function and role, fields by role, the
error shape, its status and code.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from isi_parties import brokers, fresh_reference, input_isi, investor
from suites.rule_broken import RuleBroken

from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.pytest_plugin import Harness
from ocp_conformance.targets import Target

_PRIVATE_QUANTITY: Final = 777_123_457


class PrivacyFailure(RuleBroken):
    """One participant saw or changed another's ISI."""


def _parties(target: Target) -> tuple[str, str, str]:
    """(owner broker, the investor, an outsider broker)."""
    candidates = brokers(target)
    if len(candidates) < 2:
        pytest.skip("the ISI privacy checks need two brokers/custodians besides the investor")
    return candidates[0], investor(target), candidates[1]


def _owners_isi(bound: BoundClient, owner: str, investor_id: str) -> dict[str, Any]:
    """The owner's new ISI, by role: isi_id, own_reference, quantity, status."""
    created = input_isi(bound, owner, investor_id, quantity=_PRIVATE_QUANTITY, own_reference=fresh_reference())
    if not created.ok:
        pytest.skip(f"could not set up the owner's ISI (Input ISI answered {created.status})")
    return {role: created.get(role) for role in ("isi_id", "own_reference", "quantity", "status")}


def _leaks(answer: BoundExchange, isi: dict[str, Any]) -> list[str]:
    text = answer.exchange.response.text
    return [f"{role}={isi[role]}" for role in ("own_reference", "quantity") if str(isi[role]) in text]


_ON_AN_ISI = [
    pytest.param("Enquire ISI", "get", {}, id="Enquire ISI:get",
                 marks=pytest.mark.ocp(functions=["Enquire ISI"], check="security")),
    pytest.param("Change ISI", "change", {"quantity": 3}, id="Change ISI:change",
                 marks=pytest.mark.ocp(functions=["Change ISI"], check="security")),
    pytest.param("Cancel ISI", "cancel", {}, id="Cancel ISI:cancel",
                 marks=pytest.mark.ocp(functions=["Cancel ISI"], check="security")),
]


@pytest.mark.parametrize(("function", "role", "values"), _ON_AN_ISI)
def test_an_outsider_acting_on_an_isi_gets_not_found(function: str, role: str, values: dict[str, Any],
                                                     ocp_harness: Harness) -> None:
    bound = ocp_harness.bound
    owner, investor_id, outsider = _parties(ocp_harness.target)
    not_found = bound.binding.error_status("not_found", function=function)
    isi = _owners_isi(bound, owner, investor_id)
    answer = bound.call(function, role, as_participant=outsider, isi_id=isi["isi_id"], **values)
    code = answer.error_code()
    leaks = _leaks(answer, isi)
    if answer.status != not_found or code != "ISI_NOT_FOUND" or leaks:
        raise PrivacyFailure(function, f"{outsider} acted on {owner}'s ISI {isi['isi_id']} for {investor_id}",
                             received=f"HTTP {answer.status} code={code}"
                                      + (f", body shows {', '.join(leaks)}" if leaks else ""),
                             expected=f"HTTP {not_found} code=ISI_NOT_FOUND, nothing of the ISI",
                             exchange=answer.exchange)
    after = bound.call("Enquire ISI", "get", as_participant=owner, isi_id=isi["isi_id"])
    after.expect(blame=function)  # the owner must still find its ISI: else this check fails
    kept = {"status": after.get("status"), "quantity": after.get("quantity")}
    if kept != {"status": isi["status"], "quantity": isi["quantity"]}:
        raise PrivacyFailure(function, f"{outsider}'s request changed {owner}'s ISI",
                             received=kept, expected=isi, exchange=after.exchange)


@pytest.mark.ocp(functions=["Enquire ISI"], check="security")
def test_enquire_isi_lists_only_the_parties_isis(ocp_harness: Harness) -> None:
    """An outsider filtering by the owner's reference lists nothing; the owner and the investor list it."""
    bound = ocp_harness.bound
    owner, investor_id, outsider = _parties(ocp_harness.target)
    isi = _owners_isi(bound, owner, investor_id)
    for status in (None, "UNAFFIRMED"):
        filters = {"own_reference": isi["own_reference"]} | ({"status": status} if status else {})
        answer = bound.call("Enquire ISI", "list", as_participant=outsider, **filters)
        listed = [answer.item_value(i, "isi_id") for i in answer.items()]
        if not answer.ok or listed or _leaks(answer, isi):
            raise PrivacyFailure("Enquire ISI", f"Enquire ISI as {outsider} with {filters}",
                                 received=f"HTTP {answer.status}, ISI ids {listed}",
                                 expected="2xx with no items", exchange=answer.exchange)
    for party in (owner, investor_id):
        answer = bound.call("Enquire ISI", "list", as_participant=party, own_reference=isi["own_reference"])
        listed = [answer.item_value(i, "isi_id") for i in answer.items()]
        if listed != [isi["isi_id"]]:
            raise PrivacyFailure("Enquire ISI", f"Enquire ISI as {party}, a party to the ISI",
                                 received=listed, expected=[isi["isi_id"]], exchange=answer.exchange)
