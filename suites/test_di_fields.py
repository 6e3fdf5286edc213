"""Invalid input to Maintain DI and Enquire Due/Overdue Position is rejected with the right status, code and field.

Each request field the contract constrains is broken on its own (the contract's JSON Schema decides what is
forbidden, so nothing is listed twice) and must be answered 400 naming that field. Business rules that the
schema cannot express are checked on positions the suite books itself: a DI above the outstanding short
position is 422 DI_EXCEEDS_DUE_POSITION at /quantity, its detail names both figures, and nothing moves.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

import pytest
from di_support import ENQUIRE, DiFailure, book, holding, open_di_input, position, require_positions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from request_rules import ANY_JSON, body_schema, forbidden, function_of

from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.targets import Target

# operationId -> (path parameters, a body valid for the contract)
BODIES: Final[dict[str, tuple[dict[str, str], dict[str, Any]]]] = {
    "inputDi": ({}, {"stockCode": "00005", "quantity": 1, "stockAccount": "01", "ownReference": "di-fields"}),
    "changeDiRequirement": ({"stockCode": "00005"}, {"holdBackQuantity": 0}),
}
BAD_QUERIES: Final = [("stockCode", "ABC"), ("stockCode", "000017"), ("stockCode", ""), ("market", "XHKG"),
                      ("positionType", "LATE"), ("direction", "UP"), ("limit", "0"), ("limit", "201")]


def _expect_400(exchange: Exchange, function: str, pointer: str, what: str) -> None:
    pointers = [e.get("pointer") for e in (exchange.body or {}).get("errors", [])] \
        if isinstance(exchange.body, dict) else []
    if exchange.status != 400 or pointer not in pointers:
        raise DiFailure(function, f"a request whose {what}", received=f"HTTP {exchange.status}, errors at {pointers}",
                        expected=f"HTTP 400 naming {pointer}", exchange=exchange)


def _params() -> list[Any]:
    return [pytest.param(op_id, id=op_id, marks=pytest.mark.ocp(functions=[function_of(op_id)], check="negative"))
            for op_id in BODIES]


@pytest.mark.parametrize("op_id", _params())
def test_each_forbidden_body_field_is_rejected_and_named(op_id: str, ocp_client: OcpClient, ocp_target: Target) -> None:
    actor = ocp_target.acting_pair()[0]
    path, base = BODIES[op_id]
    properties = sorted(body_schema(op_id)["properties"])

    @settings(max_examples=40, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(field=st.sampled_from(properties), value=ANY_JSON)
    def broken(field: str, value: Any) -> None:
        body = {**base, field: value}
        if not forbidden(op_id, path, body):
            return
        exchange = ocp_client.call_operation(op_id, as_participant=actor, validate_request=False, body=body, **path)
        _expect_400(exchange, function_of(op_id), f"/{field}", f"{field} is {value!r}")

    broken()
    for field in body_schema(op_id).get("required", []):
        body = {k: v for k, v in base.items() if k != field}
        exchange = ocp_client.call_operation(op_id, as_participant=actor, validate_request=False, body=body, **path)
        _expect_400(exchange, function_of(op_id), f"/{field}", f"required field {field} is missing")


@pytest.mark.ocp(functions=["Change DI Requirement"], check="negative")
@pytest.mark.parametrize("code", ["5", "000005", "ABCDE"])
def test_change_di_requirement_stock_code_must_have_five_digits(code: str, ocp_client: OcpClient,
                                                                ocp_target: Target) -> None:
    exchange = ocp_client.call("Change DI Requirement", as_participant=ocp_target.acting_pair()[0],
                               validate_request=False, stockCode=code, holdBackQuantity=0)
    _expect_400(exchange, "Change DI Requirement", "/path/stockCode", f"path stockCode is {code!r}")


@pytest.mark.ocp(functions=[ENQUIRE], check="negative")
@pytest.mark.parametrize(("name", "value"), BAD_QUERIES)
def test_enquiry_rejects_invalid_filters(name: str, value: str, ocp_client: OcpClient, ocp_target: Target) -> None:
    exchange = ocp_client.call(ENQUIRE, as_participant=ocp_target.acting_pair()[0], validate_request=False,
                               **{name: value})
    _expect_400(exchange, ENQUIRE, f"/query/{name}", f"query {name} is {value!r}")


@pytest.mark.ocp(functions=[ENQUIRE], check="negative")
def test_enquiry_rejects_a_cursor_it_did_not_issue(ocp_client: OcpClient, ocp_target: Target) -> None:
    exchange = ocp_client.call(ENQUIRE, as_participant=ocp_target.acting_pair()[0], cursor="not-a-cursor")
    code = exchange.body.get("code") if isinstance(exchange.body, dict) else None
    if exchange.status != 422 or code != "CURSOR_INVALID":
        raise DiFailure(ENQUIRE, "an unknown cursor", received=f"HTTP {exchange.status} {code}",
                        expected="HTTP 422 CURSOR_INVALID", exchange=exchange)


@pytest.mark.ocp(functions=["Input DI"], check="negative")
def test_di_above_the_due_position_is_rejected_and_nothing_moves(ocp_client: OcpClient, ocp_target: Target) -> None:
    require_positions(ocp_client, ocp_target)
    open_di_input(ocp_client)
    participant, stock = ocp_target.acting_pair()[0], "08001"
    sold = 1_000 + uuid.uuid4().int % 9_000
    book(ocp_client, participant, stock, "SELL", sold)
    item = position(ocp_client, participant, stock)
    if item is None or item["direction"] != "SHORT" or int(item["outstandingQuantity"]) < sold:
        raise DiFailure(ENQUIRE, f"{participant}'s position in {stock} after a sell trade of {sold} due today",
                        received=item, expected=f"a SHORT position with at least {sold} outstanding")
    outstanding = int(item["outstandingQuantity"])
    ocp_client.call_operation("simSeedHolding", body={"participantId": participant, "stockCode": stock,
                                                      "quantity": outstanding + 10})
    held = holding(ocp_client, participant, stock)
    too_many = outstanding + 1
    exchange = ocp_client.call("Input DI", as_participant=participant, stockCode=stock, quantity=too_many)
    body = exchange.body if isinstance(exchange.body, dict) else {}
    pointers = [e.get("pointer") for e in body.get("errors", [])]
    detail = str(body.get("detail", ""))
    if exchange.status != 422 or body.get("code") != "DI_EXCEEDS_DUE_POSITION" or "/quantity" not in pointers \
            or str(too_many) not in detail or str(outstanding) not in detail:
        raise DiFailure("Input DI", f"a DI of {too_many} against an outstanding short position of {outstanding}",
                        received=f"HTTP {exchange.status} {body.get('code')} at {pointers}: {detail[:200]}",
                        expected="HTTP 422 DI_EXCEEDS_DUE_POSITION at /quantity, detail naming both figures",
                        exchange=exchange)
    after = position(ocp_client, participant, stock)
    if int((after or {}).get("outstandingQuantity", 0)) != outstanding or holding(ocp_client, participant,
                                                                                 stock) != held:
        raise DiFailure("Input DI", "a refused DI changed the position or the holding",
                        received=f"outstanding {after and after.get('outstandingQuantity')}",
                        expected=f"outstanding {outstanding}, holding {held}")
    done = ocp_client.call("Input DI", as_participant=participant, stockCode=stock, quantity=outstanding)
    if done.status != 201:  # the exact position is deliverable: the rule is "at most", not "less than"
        raise DiFailure("Input DI", f"a DI of exactly the outstanding {outstanding}", received=done.status,
                        expected=201, exchange=done)
    no_position = ocp_client.call("Input DI", as_participant=participant, stockCode=stock, quantity=1)
    code = no_position.body.get("code") if isinstance(no_position.body, dict) else None
    if no_position.status != 422 or code != "NO_DUE_SHORT_POSITION":
        raise DiFailure("Input DI", "a DI once nothing is outstanding", received=f"HTTP {no_position.status} {code}",
                        expected="HTTP 422 NO_DUE_SHORT_POSITION", exchange=no_position)
