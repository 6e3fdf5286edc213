"""Invalid enquiries of settlement accounts and status are rejected with the right status, code and field.

Each case starts from a request that is valid for the business too (the acting participant's own account 01,
a listed stock) and breaks exactly one thing: a malformed parameter must be the bound contract's invalid-request
error naming it (the account id in the path, the stock code in the query); a well-formed but impossible one (a
date range that ends before it starts, a cursor the server never issued) its business error with the documented
code. The unbroken request must be accepted, so a target that refuses everything cannot pass.

Everything contract-specific comes through the binding: operations by function and role, parameters by role, the
error shape, statuses and codes.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from suites.rule_broken import RuleBroken

from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.pytest_plugin import Harness

BALANCE: Final = "Enquire Stock Account Balance"
MOVEMENT: Final = "Enquire Stock Account Movement"
ACTIVITY: Final = "Enquire Settlement Activity"
MONEY: Final = "Enquire Money Position"

ACCOUNT: Final = object()
"""Stands for the acting participant's own stock account 01 in a case's values."""

# the operation role each function is enquired by
ROLES: Final = {BALANCE: "get", MOVEMENT: "get", ACTIVITY: "list", MONEY: "list"}


class NotRejected(RuleBroken):
    """The target accepted, or rejected without naming it, a parameter the contract or the rules forbid."""


# function -> (what is broken, values by role, raw values by role (sent as they are: no enum map has them),
#              error kind, model error code, the role the error must name)
CASES: Final[list[tuple[str, str, dict[str, Any], dict[str, Any], str, str | None, str | None]]] = [
    (BALANCE, "account id too short", {"account_id": "B01234"}, {}, "invalid", None, "account_id"),
    (BALANCE, "stock code not 5 digits", {"account_id": ACCOUNT, "stock_code": "5"}, {}, "invalid", None,
     "stock_code"),
    (BALANCE, "a cursor never issued", {"account_id": ACCOUNT, "cursor": "bm90LWEtY3Vyc29y"}, {}, "business",
     "CURSOR_INVALID", None),
    (MOVEMENT, "from date after to date", {"account_id": ACCOUNT, "from_date": "2027-04-08", "to_date": "2027-04-07"},
     {}, "business", "DATE_RANGE_INVALID", None),
    (MOVEMENT, "from date not a date", {"account_id": ACCOUNT, "from_date": "2027-13-45"}, {}, "invalid", None,
     "from_date"),
    (MOVEMENT, "limit above 200", {"account_id": ACCOUNT, "limit": 201}, {}, "invalid", None, "limit"),
    (ACTIVITY, "business date not a date", {"business_date": "yesterday"}, {}, "invalid", None, "business_date"),
    (ACTIVITY, "source type in lower case", {"source_type": "si"}, {}, "invalid", None, "source_type"),
    (MONEY, "an unknown currency", {"currency": "EUR"}, {}, "invalid", None, "currency"),
    (MONEY, "an unknown market", {}, {"market": "NYSE"}, "invalid", None, "market"),
]


def _values(values: dict[str, Any], account: str) -> dict[str, Any]:
    return {role: account if value is ACCOUNT else value for role, value in values.items()}


def _send(bound: BoundClient, function: str, participant: str, values: dict[str, Any],
          raw: dict[str, Any]) -> BoundExchange:
    parameters = {bound.binding.parameter(function, role): value for role, value in raw.items()}
    return bound.call(function, ROLES[function], as_participant=participant, validate_request=False,
                      parameters=parameters, **values)


@pytest.mark.parametrize(("function", "what", "values", "raw", "kind", "model_code", "role"), [
    pytest.param(*case, marks=pytest.mark.ocp(functions=[case[0]], check="negative"), id=f"{case[0]}: {case[1]}")
    for case in CASES
])
def test_invalid_enquiry_is_rejected(function: str, what: str, values: dict[str, Any], raw: dict[str, Any],
                                     kind: str, model_code: str | None, role: str | None, ocp_harness: Harness) -> None:
    bound = ocp_harness.bound
    participant = ocp_harness.client.target.acting_pair()[0]
    account = f"{participant}01"
    answer = _send(bound, function, participant, _values(values, account), raw)
    status = bound.binding.error_status(kind, function=function)
    received = f"HTTP {answer.status} code={answer.error_code()} errors at {answer.error_pointers()}"
    expected = f"HTTP {status}" + (f" code={model_code}" if model_code else "") + (f" naming {role}" if role else "")
    if answer.status != status or (model_code and answer.error_code() != model_code) \
            or (role and role not in answer.error_roles()):
        raise NotRejected(function, f"a request whose {what}", received=received, expected=expected,
                          exchange=answer.exchange)
    unbroken = _send(bound, function, participant, {"account_id": account} if "account_id" in values else {}, {})
    if not unbroken.ok:
        raise NotRejected(function, "the same request unbroken (valid for the contract and the business)",
                          received=f"HTTP {unbroken.status} code={unbroken.error_code()}", expected="2xx",
                          exchange=unbroken.exchange)
