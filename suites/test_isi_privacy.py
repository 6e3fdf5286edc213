"""Participants never see or touch ISIs they are not a party to (DESIGN.md §6, DOMAIN.md §4).

An ISI's parties are the broker/custodian that input it and its investor. Another participant acting on its
isiId gets 404 ISI_NOT_FOUND, the same answer as for an id that does not exist, with nothing of the ISI in the
body; Enquire ISI never lists it; and the ISI is unchanged afterwards.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from isi_parties import brokers, fresh_reference, input_isi, investor
from suites.rule_broken import RuleBroken

from ocp_conformance.client import Exchange, OcpClient
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


def _owners_isi(client: OcpClient, owner: str, investor_id: str) -> dict[str, Any]:
    created = input_isi(client, owner, investor_id, quantity=_PRIVATE_QUANTITY, ownReference=fresh_reference())
    if created.status != 201:
        pytest.skip(f"could not set up the owner's ISI (Input ISI answered {created.status})")
    return dict(created.body)


def _leaks(exchange: Exchange, isi: dict[str, Any]) -> list[str]:
    text = exchange.response.text
    return [f"{name}={isi[name]}" for name in ("ownReference", "quantity") if str(isi[name]) in text]


_ON_AN_ISI = [
    pytest.param("getIsi", "Enquire ISI", {}, id="getIsi",
                 marks=pytest.mark.ocp(functions=["Enquire ISI"], check="security")),
    pytest.param("changeIsi", "Change ISI", {"quantity": 3}, id="changeIsi",
                 marks=pytest.mark.ocp(functions=["Change ISI"], check="security")),
    pytest.param("cancelIsi", "Cancel ISI", {}, id="cancelIsi",
                 marks=pytest.mark.ocp(functions=["Cancel ISI"], check="security")),
]


@pytest.mark.parametrize(("operation_id", "function", "body"), _ON_AN_ISI)
def test_an_outsider_acting_on_an_isi_gets_not_found(operation_id: str, function: str, body: dict[str, Any],
                                                     ocp_client: OcpClient, ocp_target: Target) -> None:
    owner, investor_id, outsider = _parties(ocp_target)
    isi = _owners_isi(ocp_client, owner, investor_id)
    exchange = ocp_client.call_operation(operation_id, as_participant=outsider, body=body or None,
                                         isiId=isi["isiId"])
    code = (exchange.body or {}).get("code") if isinstance(exchange.body, dict) else None
    leaks = _leaks(exchange, isi)
    if exchange.status != 404 or code != "ISI_NOT_FOUND" or leaks:
        raise PrivacyFailure(function, f"{outsider} acted on {owner}'s ISI {isi['isiId']} for {investor_id}",
                             received=f"HTTP {exchange.status} code={code}"
                                      + (f", body shows {', '.join(leaks)}" if leaks else ""),
                             expected="HTTP 404 code=ISI_NOT_FOUND, nothing of the ISI", exchange=exchange)
    after = ocp_client.call("Enquire ISI", operation="getIsi", as_participant=owner, isiId=isi["isiId"])
    kept = after.expect(200, blame=function)  # the owner must still find its ISI: else this check fails
    if (kept["status"], kept["quantity"]) != (isi["status"], isi["quantity"]):
        raise PrivacyFailure(function, f"{outsider}'s request changed {owner}'s ISI",
                             received=kept, expected=isi, exchange=after)


@pytest.mark.ocp(functions=["Enquire ISI"], check="security")
def test_enquire_isi_lists_only_the_parties_isis(ocp_client: OcpClient, ocp_target: Target) -> None:
    """An outsider filtering by the owner's reference lists nothing; the owner and the investor list it."""
    owner, investor_id, outsider = _parties(ocp_target)
    isi = _owners_isi(ocp_client, owner, investor_id)
    for status in (None, "UNAFFIRMED"):
        filters = {"ownReference": isi["ownReference"]} | ({"status": status} if status else {})
        exchange = ocp_client.call("Enquire ISI", operation="enquireIsi", as_participant=outsider, **filters)
        listed = [i.get("isiId") for i in (exchange.body or {}).get("items", [])]
        if exchange.status != 200 or listed or _leaks(exchange, isi):
            raise PrivacyFailure("Enquire ISI", f"Enquire ISI as {outsider} with {filters}",
                                 received=f"HTTP {exchange.status}, isiIds {listed}",
                                 expected="HTTP 200 with no items", exchange=exchange)
    for party in (owner, investor_id):
        exchange = ocp_client.call("Enquire ISI", operation="enquireIsi", as_participant=party,
                                   ownReference=isi["ownReference"])
        listed = [i.get("isiId") for i in exchange.body.get("items", [])]
        if listed != [isi["isiId"]]:
            raise PrivacyFailure("Enquire ISI", f"Enquire ISI as {party}, a party to the ISI",
                                 received=listed, expected=[isi["isiId"]], exchange=exchange)
