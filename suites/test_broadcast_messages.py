"""Enquire Broadcast Message: the filters, the ordering and the paging agree with each other, and every
participant reads the same board.

Rules enforced (contracts/api/paths/broadcast.yaml):

- paging: the pages of a listing, followed by nextCursor, concatenate to the listing with a large limit;
- businessDate / category: every listed message has that business date / category, and nothing of that date
  or category is left out;
- afterId: exactly the messages listed after that one; order=newest: the same messages, latest first;
- the get-by-id operation answers each listed message unchanged;
- every participant lists the same messages (broadcasts are not per participant);
- invalid filters are refused: a malformed date, time or id -> 400 naming the parameter, an unknown afterId or
  messageId -> 404 BROADCAST_MESSAGE_NOT_FOUND, a cursor the target never issued -> 422 CURSOR_INVALID.

On a target with clock-control the business clock first moves to 09:00 of the next business day (passing the
day's batch runs and day end, which publish messages) so there is something to enquire; the clock stays
inside the function window.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from suites.rule_broken import RuleBroken

from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.targets import CLOCK_CONTROL, Target

FUNCTION: Final = "Enquire Broadcast Message"


class BroadcastRuleBroken(RuleBroken):
    """The target's broadcast messages disagree between two ways of enquiring them, or it accepts bad input."""

    def __init__(self, what: str, *, received: object, expected: object, exchange: Exchange | None = None) -> None:
        super().__init__(FUNCTION, what, received=received, expected=expected, exchange=exchange)


def _list(client: OcpClient, participant: str, limit: int = 200, **filters: Any) -> list[dict[str, Any]]:
    """Every message matching ``filters``, following nextCursor."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(500):
        fields = {**filters, "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = client.call(FUNCTION, operation="enquireBroadcastMessages", as_participant=participant, **fields)
        items += page.expect()["items"]
        cursor = page.expect()["nextCursor"]
        if not cursor:
            return items
    raise BroadcastRuleBroken("paging never ends", received="nextCursor after 500 pages", expected="a last page")


@pytest.fixture(scope="module")
def messages(ocp_client: OcpClient, ocp_target: Target) -> list[dict[str, Any]]:
    """The board as the acting participant sees it, after the clock passed a whole business day if it can."""
    if ocp_target.can(CLOCK_CONTROL):
        next_day = ocp_client.call_operation("simGetClock").expect()["nextBusinessDate"]
        ocp_client.call_operation("simAdvanceClock", body={"to": f"{next_day}T09:00:00+08:00"})
    listed = _list(ocp_client, ocp_target.acting_pair()[0])
    if not listed:
        pytest.skip("the target lists no broadcast message yet: nothing to compare")
    return listed


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [str(m["messageId"]) for m in items]


def _same(what: str, received: list[str], expected: list[str]) -> None:
    if received != expected:
        raise BroadcastRuleBroken(what, received=received, expected=expected)


@pytest.mark.ocp(functions=[FUNCTION], check="contract")
def test_paging_filters_and_order_agree(messages: list[dict[str, Any]], ocp_client: OcpClient,
                                        ocp_target: Target) -> None:
    actor = ocp_target.acting_pair()[0]
    _same("the pages of 2 messages, concatenated", _ids(_list(ocp_client, actor, limit=2)), _ids(messages))
    _same("order=newest", _ids(_list(ocp_client, actor, order="newest")), _ids(messages)[::-1])
    for business_date in sorted({m["businessDate"] for m in messages}):
        _same(f"businessDate={business_date}", _ids(_list(ocp_client, actor, businessDate=business_date)),
              _ids([m for m in messages if m["businessDate"] == business_date]))
    for category in sorted({m["category"] for m in messages}):
        _same(f"category={category}", _ids(_list(ocp_client, actor, category=category)),
              _ids([m for m in messages if m["category"] == category]))
    middle = messages[len(messages) // 2]
    _same(f"afterId={middle['messageId']}", _ids(_list(ocp_client, actor, afterId=middle["messageId"])),
          _ids(messages[len(messages) // 2 + 1:]))
    _same(f"since={middle['at']}", _ids(_list(ocp_client, actor, since=middle["at"])),
          _ids([m for m in messages if m["at"] >= middle["at"]]))


@pytest.mark.ocp(functions=[FUNCTION], check="contract")
def test_get_by_id_answers_the_listed_message(messages: list[dict[str, Any]], ocp_client: OcpClient,
                                              ocp_target: Target) -> None:
    actor = ocp_target.acting_pair()[0]
    for message in messages[-10:]:
        exchange = ocp_client.call(FUNCTION, operation="getBroadcastMessage", as_participant=actor,
                                   messageId=message["messageId"])
        if exchange.status != 200 or exchange.body != message:
            raise BroadcastRuleBroken(f"get broadcast message {message['messageId']}", exchange=exchange,
                                      received=f"HTTP {exchange.status} {exchange.body}",
                                      expected=f"HTTP 200 {message}")


@pytest.mark.ocp(functions=[FUNCTION], check="contract")
def test_every_participant_reads_the_same_board(messages: list[dict[str, Any]], ocp_client: OcpClient,
                                                ocp_target: Target) -> None:
    for participant in ocp_target.participants:
        _same(f"the board as {participant} sees it", _ids(_list(ocp_client, participant)), _ids(messages))


BAD_QUERIES: Final = [
    pytest.param("enquireBroadcastMessages", {"businessDate": "2027-13-40"}, 400, "VALIDATION_FAILED",
                 "/query/businessDate", id="malformed-businessDate"),
    pytest.param("enquireBroadcastMessages", {"since": "2027-04-06T09:00:00"}, 400, "VALIDATION_FAILED",
                 "/query/since", id="since-without-offset"),
    pytest.param("enquireBroadcastMessages", {"order": "random"}, 400, "VALIDATION_FAILED", "/query/order",
                 id="unknown-order"),
    pytest.param("enquireBroadcastMessages", {"afterId": "BM99999999"}, 404, "BROADCAST_MESSAGE_NOT_FOUND", None,
                 id="unknown-afterId"),
    pytest.param("enquireBroadcastMessages", {"cursor": "not-a-cursor-we-issued"}, 422, "CURSOR_INVALID", None,
                 id="foreign-cursor"),
    pytest.param("getBroadcastMessage", {"messageId": "BM99999999"}, 404, "BROADCAST_MESSAGE_NOT_FOUND", None,
                 id="unknown-messageId"),
    pytest.param("getBroadcastMessage", {"messageId": "MSG1"}, 400, "VALIDATION_FAILED", "/path/messageId",
                 id="malformed-messageId"),
]


@pytest.mark.ocp(functions=[FUNCTION], check="negative")
@pytest.mark.parametrize(("operation", "fields", "status", "code", "pointer"), BAD_QUERIES)
def test_invalid_enquiry_is_refused(operation: str, fields: dict[str, str], status: int, code: str,
                                    pointer: str | None, ocp_client: OcpClient, ocp_target: Target) -> None:
    exchange = ocp_client.call_operation(operation, as_participant=ocp_target.acting_pair()[0],
                                         validate_request=False, **fields)
    body = exchange.body if isinstance(exchange.body, dict) else {}
    pointers = [e.get("pointer") for e in body.get("errors", [])]
    if exchange.status != status or body.get("code") != code or (pointer and pointer not in pointers):
        raise BroadcastRuleBroken(f"{operation} with {fields}", exchange=exchange,
                                  received=f"HTTP {exchange.status} code={body.get('code')} errors at {pointers}",
                                  expected=f"HTTP {status} code={code}" + (f" naming {pointer}" if pointer else ""))
