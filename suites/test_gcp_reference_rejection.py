"""Invalid requests for GCP services (reference data, trades) are rejected with the right status, code and field.

A malformed paging parameter is a 400 problem naming it (``/query/limit``); a cursor the server never
issued a 422 CURSOR_INVALID, a trade sequence number not issued yet a 422 SEQUENCE_INVALID.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from suites.gcp_datasets import DATASETS, GcpFailure

from ocp_conformance.bound_client import BoundClient
from ocp_conformance.targets import Target

# what is broken, values by role, the bound contract's error kind, the model's code, the role the error names
Case = tuple[str, dict[str, Any], str, str | None, str | None]
CASES: Final[list[Case]] = [
    ("limit 0", {"limit": 0}, "invalid", None, "limit"),
    ("limit above 200", {"limit": 201}, "invalid", None, "limit"),
    ("limit not a number", {"limit": "all"}, "invalid", None, "limit"),
    ("a cursor never issued", {"cursor": "bm90LWEtY3Vyc29y"}, "business", "CURSOR_INVALID", None),
]


TRADES: Final = "Real Time Trade Information"
TRADE_CASES: Final[list[Case]] = [
    ("after-sequence negative", {"after_sequence": -1}, "invalid", None, "after_sequence"),
    ("after-sequence not a number", {"after_sequence": "last"}, "invalid", None, "after_sequence"),
    ("after-sequence never issued", {"after_sequence": 999999999}, "business", "SEQUENCE_INVALID", "after_sequence"),
    ("limit 0", {"limit": 0}, "invalid", None, "limit"),
]


@pytest.mark.parametrize(("function", "what", "values", "kind", "code", "role"), [
    pytest.param(function, *case, marks=pytest.mark.ocp(functions=[function], check="negative"),
                 id=f"{function}: {case[0]}")
    for function, cases in [*((f, CASES) for f in DATASETS), (TRADES, TRADE_CASES)] for case in cases
])
def test_invalid_request_is_rejected(function: str, what: str, values: dict[str, Any], kind: str,
                                     code: str | None, role: str | None, ocp_bound: BoundClient,
                                     ocp_target: Target) -> None:
    answer = ocp_bound.call(function, "list", as_participant=ocp_target.acting_pair()[0], validate_request=False,
                            **values)
    status = ocp_bound.binding.error_status(kind, function=function)
    roles = answer.error_roles()
    if answer.status != status or (code and answer.error_code() != code) or (role and role not in roles):
        raise GcpFailure(function, f"a request with {what} was not rejected as documented",
                         received=f"HTTP {answer.status} code={answer.error_code()} errors naming {roles}",
                         expected=f"HTTP {status}" + (f" code={code}" if code else "")
                         + (f" naming {role}" if role else ""), exchange=answer.exchange)
