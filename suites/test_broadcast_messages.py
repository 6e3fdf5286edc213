"""Enquire Broadcast Message: the filters, the ordering and the paging agree with each other, and every
participant reads the same board.

Rules enforced (contracts/api/paths/broadcast.yaml):

- paging: the pages of a listing, followed by the next cursor, concatenate to the listing with a large limit;
- business date / category: every listed message has that business date / category, and nothing of that date
  or category is left out;
- after id: exactly the messages listed after that one; order newest: the same messages, latest first;
- the get-by-id operation answers each listed message unchanged;
- every participant lists the same messages (broadcasts are not per participant);
- invalid filters are refused: a malformed date, time or id -> the invalid-request error naming the parameter, an
  unknown after id or message id -> not found (BROADCAST_MESSAGE_NOT_FOUND), a cursor the target never issued ->
  the business rejection CURSOR_INVALID.

Every operation, parameter and field is read through the binding (roles of the ``broadcast`` field set), every
status and code through its error shape.

On a target with clock-control the business clock first moves to 09:00 of the next business day (passing the
day's batch runs and day end, which publish messages) so there is something to enquire; the clock stays
inside the function window.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from suites.rule_broken import RuleBroken

from ocp_conformance.binding import ABSENT, read_role
from ocp_conformance.bound_client import BoundClient
from ocp_conformance.client import Exchange
from ocp_conformance.targets import CLOCK_CONTROL, Target

FUNCTION: Final = "Enquire Broadcast Message"


class BroadcastRuleBroken(RuleBroken):
    """The target's broadcast messages disagree between two ways of enquiring them, or it accepts bad input."""

    def __init__(self, what: str, *, received: object, expected: object, exchange: Exchange | None = None) -> None:
        super().__init__(FUNCTION, what, received=received, expected=expected, exchange=exchange)


def _list(bound: BoundClient, participant: str, limit: int = 200, **filters: Any) -> list[dict[str, Any]]:
    """Every message matching ``filters`` (by role), following the next cursor."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(500):
        page = bound.call(FUNCTION, "list", as_participant=participant, limit=limit, **filters,
                          **({"cursor": cursor} if cursor else {}))
        page.expect()
        items += page.items()
        cursor = page.get("next_cursor", default=None)
        if not cursor:
            return items
    raise BroadcastRuleBroken("paging never ends", received="a next cursor after 500 pages", expected="a last page")


@pytest.fixture(scope="module")
def messages(ocp_bound: BoundClient, ocp_target: Target) -> list[dict[str, Any]]:
    """The board as the acting participant sees it, after the clock passed a whole business day if it can."""
    client = ocp_bound.client
    if ocp_target.can(CLOCK_CONTROL):
        next_day = client.call_operation("simGetClock").expect()["nextBusinessDate"]
        # 10:00, the next day's first SI matching (before its 10:30 run): later checks input SI pairs that match
        client.call_operation("simAdvanceClock", body={"to": f"{next_day}T10:00:00+08:00"})
    listed = _list(ocp_bound, ocp_target.acting_pair()[0])
    if not listed:
        pytest.skip("the target lists no broadcast message yet: nothing to compare")
    return listed


def _value(bound: BoundClient, message: dict[str, Any], role: str) -> Any:
    """A listed message's value of ``role``; a message without it breaks the contract (the target's failure)."""
    value = read_role(bound.binding, FUNCTION, message, role)
    if value is ABSENT:
        raise BroadcastRuleBroken(f"a listed message's {role}", received=message,
                                  expected=f"a value at {bound.binding.pointer(FUNCTION, role)}")
    return value


def _ids(bound: BoundClient, items: list[dict[str, Any]]) -> list[str]:
    return [str(_value(bound, m, "message_id")) for m in items]


def _same(what: str, received: list[str], expected: list[str]) -> None:
    if received != expected:
        raise BroadcastRuleBroken(what, received=received, expected=expected)


@pytest.mark.ocp(functions=[FUNCTION], check="contract")
def test_paging_filters_and_order_agree(messages: list[dict[str, Any]], ocp_bound: BoundClient,
                                        ocp_target: Target) -> None:
    actor = ocp_target.acting_pair()[0]
    ids = _ids(ocp_bound, messages)
    _same("the pages of 2 messages, concatenated", _ids(ocp_bound, _list(ocp_bound, actor, limit=2)), ids)
    _same("order newest", _ids(ocp_bound, _list(ocp_bound, actor, order="newest")), ids[::-1])
    for role in ("business_date", "category"):
        for value in sorted({_value(ocp_bound, m, role) for m in messages}):
            _same(f"{role} {value}", _ids(ocp_bound, _list(ocp_bound, actor, **{role: value})),
                  _ids(ocp_bound, [m for m in messages if _value(ocp_bound, m, role) == value]))
    middle = messages[len(messages) // 2]
    middle_id, middle_at = _value(ocp_bound, middle, "message_id"), _value(ocp_bound, middle, "at")
    _same(f"after id {middle_id}", _ids(ocp_bound, _list(ocp_bound, actor, after_id=middle_id)),
          ids[len(messages) // 2 + 1:])
    _same(f"since {middle_at}", _ids(ocp_bound, _list(ocp_bound, actor, since=middle_at)),
          _ids(ocp_bound, [m for m in messages if _value(ocp_bound, m, "at") >= middle_at]))


@pytest.mark.ocp(functions=[FUNCTION], check="contract")
def test_get_by_id_answers_the_listed_message(messages: list[dict[str, Any]], ocp_bound: BoundClient,
                                              ocp_target: Target) -> None:
    actor = ocp_target.acting_pair()[0]
    for message in messages[-10:]:
        message_id = _value(ocp_bound, message, "message_id")
        answer = ocp_bound.call(FUNCTION, "get", as_participant=actor, message_id=message_id)
        if answer.status != 200 or answer.body != message:
            raise BroadcastRuleBroken(f"get broadcast message {message_id}", exchange=answer.exchange,
                                      received=f"HTTP {answer.status} {answer.body}", expected=f"HTTP 200 {message}")


@pytest.mark.ocp(functions=[FUNCTION], check="contract")
def test_every_participant_reads_the_same_board(messages: list[dict[str, Any]], ocp_bound: BoundClient,
                                                ocp_target: Target) -> None:
    ids = _ids(ocp_bound, messages)
    for participant in ocp_target.participants:
        _same(f"the board as {participant} sees it", _ids(ocp_bound, _list(ocp_bound, participant)), ids)


BAD_QUERIES: Final = [
    # (role, values by role, error kind, the model's error code, the role the error must name)
    pytest.param("list", {"business_date": "2027-13-40"}, "invalid", "VALIDATION_FAILED", "business_date",
                 id="malformed-business-date"),
    pytest.param("list", {"since": "2027-04-06T09:00:00"}, "invalid", "VALIDATION_FAILED", "since",
                 id="since-without-offset"),
    pytest.param("list", {"order": "random"}, "invalid", "VALIDATION_FAILED", "order", id="unknown-order"),
    pytest.param("list", {"after_id": "BM99999999"}, "not_found", "BROADCAST_MESSAGE_NOT_FOUND", None,
                 id="unknown-after-id"),
    pytest.param("list", {"cursor": "not-a-cursor-we-issued"}, "business", "CURSOR_INVALID", None,
                 id="foreign-cursor"),
    pytest.param("get", {"message_id": "BM99999999"}, "not_found", "BROADCAST_MESSAGE_NOT_FOUND", None,
                 id="unknown-message-id"),
    pytest.param("get", {"message_id": "MSG1"}, "invalid", "VALIDATION_FAILED", "message_id",
                 id="malformed-message-id"),
]


@pytest.mark.ocp(functions=[FUNCTION], check="negative")
@pytest.mark.parametrize(("role", "values", "kind", "code", "names"), BAD_QUERIES)
def test_invalid_enquiry_is_refused(role: str, values: dict[str, str], kind: str, code: str, names: str | None,
                                    ocp_bound: BoundClient, ocp_target: Target) -> None:
    status = ocp_bound.binding.error_status(kind, function=FUNCTION)
    answer = ocp_bound.call(FUNCTION, role, as_participant=ocp_target.acting_pair()[0], validate_request=False,
                            **values)
    named = answer.error_roles()
    if answer.status != status or answer.error_code() != code or (names and names not in named):
        raise BroadcastRuleBroken(f"{role} with {values}", exchange=answer.exchange,
                                  received=f"HTTP {answer.status} code={answer.error_code()} errors at "
                                           f"{answer.error_pointers()}",
                                  expected=f"HTTP {status} code={code}" + (f" naming {names}" if names else ""))
