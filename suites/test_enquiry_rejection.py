"""Invalid enquiries of settlement accounts and status are rejected with the right status, code and field.

Each case starts from a request that is valid for the business too (the acting participant's own account 01,
a listed stock) and breaks exactly one thing: a malformed parameter must be a 400 problem naming it by JSON
pointer (``/path/accountId``, ``/query/stockCode``); a well-formed but impossible one (a date range that ends
before it starts, a cursor the server never issued) a 422 with the documented code.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from suites.rule_broken import RuleBroken

from ocp_conformance.client import OcpClient
from ocp_conformance.targets import Target

BALANCE: Final = "Enquire Stock Account Balance"
MOVEMENT: Final = "Enquire Stock Account Movement"
ACTIVITY: Final = "Enquire Settlement Activity"
MONEY: Final = "Enquire Money Position"


class NotRejected(RuleBroken):
    """The target accepted, or rejected without naming it, a parameter the contract or the rules forbid."""


def _account(target: Target) -> str:
    return f"{target.acting_pair()[0]}01"


# function -> (what is broken, parameters (with {account} for the own account), status, code, pointer)
CASES: Final[list[tuple[str, str, dict[str, Any], int, str | None, str | None]]] = [
    (BALANCE, "accountId too short", {"accountId": "B01234"}, 400, None, "/path/accountId"),
    (BALANCE, "stockCode not 5 digits", {"accountId": "{account}", "stockCode": "5"}, 400, None, "/query/stockCode"),
    (BALANCE, "a cursor never issued", {"accountId": "{account}", "cursor": "bm90LWEtY3Vyc29y"}, 422,
     "CURSOR_INVALID", None),
    (MOVEMENT, "fromDate after toDate", {"accountId": "{account}", "fromDate": "2027-04-08", "toDate": "2027-04-07"},
     422, "DATE_RANGE_INVALID", None),
    (MOVEMENT, "fromDate not a date", {"accountId": "{account}", "fromDate": "2027-13-45"}, 400, None,
     "/query/fromDate"),
    (MOVEMENT, "limit above 200", {"accountId": "{account}", "limit": 201}, 400, None, "/query/limit"),
    (ACTIVITY, "businessDate not a date", {"businessDate": "yesterday"}, 400, None, "/query/businessDate"),
    (ACTIVITY, "sourceType in lower case", {"sourceType": "si"}, 400, None, "/query/sourceType"),
    (MONEY, "an unknown currency", {"currency": "EUR"}, 400, None, "/query/currency"),
    (MONEY, "an unknown market", {"market": "NYSE"}, 400, None, "/query/market"),
]


@pytest.mark.parametrize(("function", "what", "params", "status", "code", "pointer"), [
    pytest.param(*case, marks=pytest.mark.ocp(functions=[case[0]], check="negative"), id=f"{case[0]}: {case[1]}")
    for case in CASES
])
def test_invalid_enquiry_is_rejected(function: str, what: str, params: dict[str, Any], status: int,
                                     code: str | None, pointer: str | None, ocp_client: OcpClient,
                                     ocp_target: Target) -> None:
    fields = {k: v.format(account=_account(ocp_target)) if isinstance(v, str) else v for k, v in params.items()}
    exchange = ocp_client.call(function, as_participant=ocp_target.acting_pair()[0], validate_request=False, **fields)
    body = exchange.body if isinstance(exchange.body, dict) else {}
    pointers = [e.get("pointer") for e in body.get("errors", [])]
    received = f"HTTP {exchange.status} code={body.get('code')} errors at {pointers}"
    expected = f"HTTP {status}" + (f" code={code}" if code else "") + (f" naming {pointer}" if pointer else "")
    if exchange.status != status or (code and body.get("code") != code) or (pointer and pointer not in pointers):
        raise NotRejected(function, f"a request whose {what}", received=received, expected=expected,
                          exchange=exchange)
