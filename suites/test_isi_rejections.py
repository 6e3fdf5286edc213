"""Maintain ISI rejects what it must: each field the contract forbids, and each business rule of DOMAIN.md §4.

Field cases start from a request that is valid for the business too, break exactly one field with a value
the contract's own JSON Schema forbids, and require a 400 problem naming that field (as
suites/test_field_rejection.py does for SIs). Rule cases require the documented status, code and field:
an ISI without affirmation from a broker off the investor's list, a DVP one without affirmation, an ISI input
by the investor itself or for a participant that is no investor, a change or cancel by the investor or after
cancellation, a cursor the target never issued.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from isi_parties import brokers, fresh_reference, input_isi, investor, unlisted_broker
from request_rules import ANY_JSON, DOCUMENT, body_schema, forbidden

from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.pytest_plugin import Harness


class NotRejected(AssertionError):
    """The target accepted, or misreported, a request Maintain ISI must reject."""

    def __init__(self, function: str, what: str, exchange: Exchange, expected: str) -> None:
        super().__init__(f"{function}: {what}\n  Received: HTTP {exchange.status}: {exchange.response.text[:300]}\n"
                         f"  Expected: {expected}\n  Request: {exchange.curl()}\n"
                         f'  Reproduce: ocp-conformance run --only "{function}"')
        self.function = function


def _expect(exchange: Exchange, function: str, what: str, status: int, code: str | None, field: str | None) -> None:
    body = exchange.body if isinstance(exchange.body, dict) else {}
    pointers = [e.get("pointer") for e in body.get("errors", []) if isinstance(e, dict)]
    if exchange.status != status or (code and body.get("code") != code) or (field and field not in pointers):
        expected = f"HTTP {status}" + (f" code={code}" if code else "") + (f" naming {field}" if field else "")
        raise NotRejected(function, what, exchange, expected)


def _owner(harness: Harness) -> str:
    return brokers(harness.client.target)[0]


def _unaffirmed(client: OcpClient, owner: str, investor_id: str) -> dict[str, str]:
    created = input_isi(client, owner, investor_id)
    assert created.status == 201, f"setup: Input ISI answered {created.status} {created.response.text[:200]}"
    return {"isiId": created.expect()["isiId"]}


# ---------------------------------------------------------------------- each forbidden field value
CASES: dict[str, tuple[Callable[[OcpClient, str, str], dict[str, str]], Callable[[str], dict[str, Any]]]] = {
    "inputIsi": (lambda client, owner, inv: {},
                 lambda inv: {"investorId": inv, "direction": "DELIVER_TO_INVESTOR", "stockCode": "00005",
                              "quantity": 10, "paymentType": "FOP", "withAffirmation": True,
                              "ownReference": fresh_reference()}),
    "changeIsi": (_unaffirmed, lambda inv: {"quantity": 10, "ownReference": fresh_reference()}),
}


def _params() -> list[Any]:
    return [pytest.param(op_id, id=op_id, marks=pytest.mark.ocp(
        functions=[DOCUMENT.operations[op_id].function], check="negative")) for op_id in CASES]


@pytest.mark.parametrize("op_id", _params())
def test_each_forbidden_isi_field_value_is_rejected_and_named(op_id: str, ocp_harness: Harness) -> None:
    client, owner = ocp_harness.client, _owner(ocp_harness)
    investor_id = investor(client.target)
    path_of, body_of = CASES[op_id]
    path, base = path_of(client, owner, investor_id), body_of(investor_id)
    assert not forbidden(op_id, path, base), f"harness bug: the base request for {op_id} breaks the contract"
    function = str(DOCUMENT.operations[op_id].function)

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(field=st.sampled_from(sorted(body_schema(op_id)["properties"])), value=ANY_JSON)
    def broken_field(field: str, value: Any) -> None:
        body = {**base, field: value}
        if not forbidden(op_id, path, body):
            return  # the value happens to be allowed: nothing to check
        exchange = client.call_operation(op_id, as_participant=owner, validate_request=False, body=body, **path)
        _expect(exchange, function, f"{field} is {value!r}", 400, None, f"/{field}")

    broken_field()


@pytest.mark.ocp(functions=["Input ISI"], check="negative")
def test_each_required_input_isi_field_is_required(ocp_harness: Harness) -> None:
    client, owner = ocp_harness.client, _owner(ocp_harness)
    base = CASES["inputIsi"][1](investor(client.target))
    for field in body_schema("inputIsi")["required"]:
        body = {k: v for k, v in base.items() if k != field}
        exchange = client.call_operation("inputIsi", as_participant=owner, validate_request=False, body=body)
        _expect(exchange, "Input ISI", f"required field {field} is missing", 400, None, f"/{field}")


# ---------------------------------------------------------------------- business rules
@pytest.mark.ocp(functions=["Input ISI"], check="negative")
def test_without_affirmation_from_an_unlisted_broker_is_rejected(ocp_harness: Harness) -> None:
    """A broker off the investor's list may only input ISIs with affirmation; nothing is created."""
    client = ocp_harness.client
    investor_id = investor(client.target)
    broker = unlisted_broker(client, investor_id)
    reference = fresh_reference()
    exchange = input_isi(client, broker, investor_id, withAffirmation=False, ownReference=reference)
    _expect(exchange, "Input ISI", f"an ISI without affirmation from {broker}, not on {investor_id}'s list",
            422, "COUNTERPARTY_NOT_LISTED", "/withAffirmation")
    listed = client.call("Enquire ISI", operation="enquireIsi", as_participant=broker, ownReference=reference)
    if listed.expect()["items"]:
        raise NotRejected("Input ISI", "the rejected ISI exists anyway", listed, "no ISI under its reference")


@pytest.mark.ocp(functions=["Input ISI"], check="negative")
def test_dvp_without_affirmation_is_rejected(ocp_harness: Harness) -> None:
    client, owner = ocp_harness.client, _owner(ocp_harness)
    exchange = input_isi(client, owner, investor(client.target), withAffirmation=False, paymentType="DVP",
                         amount="1000.00", currency="HKD")
    _expect(exchange, "Input ISI", "a DVP ISI without affirmation", 422, "AFFIRMATION_REQUIRED_FOR_DVP",
            "/withAffirmation")


@pytest.mark.ocp(functions=["Input ISI"], check="negative")
def test_parties_must_be_a_broker_and_an_investor(ocp_harness: Harness) -> None:
    client, owner = ocp_harness.client, _owner(ocp_harness)
    investor_id = investor(client.target)
    by_investor = input_isi(client, investor_id, investor_id)
    _expect(by_investor, "Input ISI", "the investor input an ISI itself", 403, "OWNER_NOT_ALLOWED", None)
    other_broker = brokers(client.target)[1]
    to_broker = input_isi(client, owner, other_broker)
    _expect(to_broker, "Input ISI", f"an ISI whose investorId {other_broker} is no Investor Participant", 422,
            "INVESTOR_UNKNOWN", "/investorId")


@pytest.mark.ocp(functions=["Input ISI"], check="negative")
def test_dvp_needs_amount_and_fop_refuses_one(ocp_harness: Harness) -> None:
    client, owner = ocp_harness.client, _owner(ocp_harness)
    investor_id = investor(client.target)
    _expect(input_isi(client, owner, investor_id, paymentType="DVP", currency="HKD"), "Input ISI",
            "a DVP ISI without amount", 422, "AMOUNT_REQUIRED", "/amount")
    _expect(input_isi(client, owner, investor_id, amount="5.00", currency="HKD"), "Input ISI",
            "a FOP ISI with an amount", 422, "AMOUNT_NOT_ALLOWED", "/amount")


@pytest.mark.ocp(functions=["Change ISI"], check="negative")
def test_change_by_the_investor_or_after_cancel_is_rejected(ocp_harness: Harness) -> None:
    client, owner = ocp_harness.client, _owner(ocp_harness)
    investor_id = investor(client.target)
    isi = _unaffirmed(client, owner, investor_id)
    by_investor = client.call("Change ISI", as_participant=investor_id, quantity=5, **isi)
    _expect(by_investor, "Change ISI", "the investor changed the broker's ISI", 403, "OWNER_NOT_ALLOWED", None)
    to_dvp = client.call("Change ISI", as_participant=owner, paymentType="DVP", **isi)
    _expect(to_dvp, "Change ISI", "a change to DVP without amount", 422, "AMOUNT_REQUIRED", "/amount")
    client.call("Cancel ISI", as_participant=owner, **isi)
    late = client.call("Change ISI", as_participant=owner, quantity=5, **isi)
    _expect(late, "Change ISI", "a change of a CANCELLED ISI", 409, "ISI_STATE_CONFLICT", None)


@pytest.mark.ocp(functions=["Cancel ISI"], check="negative")
def test_cancel_by_the_investor_or_twice_is_rejected(ocp_harness: Harness) -> None:
    client, owner = ocp_harness.client, _owner(ocp_harness)
    investor_id = investor(client.target)
    isi = _unaffirmed(client, owner, investor_id)
    by_investor = client.call("Cancel ISI", as_participant=investor_id, **isi)
    _expect(by_investor, "Cancel ISI", "the investor cancelled the broker's ISI", 403, "OWNER_NOT_ALLOWED", None)
    first = client.call("Cancel ISI", as_participant=owner, **isi)
    _expect(first, "Cancel ISI", "the owner's cancel of its UNAFFIRMED ISI", 200, None, None)
    again = client.call("Cancel ISI", as_participant=owner, **isi)
    _expect(again, "Cancel ISI", "a second cancel of the same ISI", 409, "ISI_STATE_CONFLICT", None)
    unknown = client.call("Cancel ISI", as_participant=owner, isiId="ISI9999999999")
    _expect(unknown, "Cancel ISI", "a cancel of an ISI that does not exist", 404, "ISI_NOT_FOUND", None)


@pytest.mark.ocp(functions=["Enquire ISI"], check="negative")
def test_enquire_rejects_bad_filters_and_cursors(ocp_harness: Harness) -> None:
    client, owner = ocp_harness.client, _owner(ocp_harness)
    bad_status = client.call("Enquire ISI", operation="enquireIsi", as_participant=owner, validate_request=False,
                             status="SETTLED_MAYBE")
    _expect(bad_status, "Enquire ISI", "status=SETTLED_MAYBE", 400, "VALIDATION_FAILED", "/query/status")
    bad_stock = client.call("Enquire ISI", operation="enquireIsi", as_participant=owner, validate_request=False,
                            stockCode="5")
    _expect(bad_stock, "Enquire ISI", "stockCode=5", 400, "VALIDATION_FAILED", "/query/stockCode")
    bad_cursor = client.call("Enquire ISI", operation="enquireIsi", as_participant=owner, cursor="not-a-cursor")
    _expect(bad_cursor, "Enquire ISI", "a cursor the target never issued", 422, "CURSOR_INVALID", None)
    unknown = client.call("Enquire ISI", operation="getIsi", as_participant=owner, isiId="ISI9999999999")
    _expect(unknown, "Enquire ISI", "an ISI that does not exist", 404, "ISI_NOT_FOUND", None)
