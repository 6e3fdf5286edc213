"""Invalid requests for GCP services (reference data, trades) are rejected with the right status, code and field.

A malformed paging parameter is a 400 problem naming it (``/query/limit``); a cursor the server never
issued a 422 CURSOR_INVALID, a trade sequence number not issued yet a 422 SEQUENCE_INVALID.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from suites.gcp_datasets import DATASETS, GcpFailure

from ocp_conformance.client import OcpClient
from ocp_conformance.targets import Target

# what is broken, parameters, status, code, pointer
CASES: Final[list[tuple[str, dict[str, Any], int, str | None, str | None]]] = [
    ("limit 0", {"limit": 0}, 400, None, "/query/limit"),
    ("limit above 200", {"limit": 201}, 400, None, "/query/limit"),
    ("limit not a number", {"limit": "all"}, 400, None, "/query/limit"),
    ("a cursor never issued", {"cursor": "bm90LWEtY3Vyc29y"}, 422, "CURSOR_INVALID", None),
]


TRADES: Final = "Real Time Trade Information"
TRADE_CASES: Final[list[tuple[str, dict[str, Any], int, str | None, str | None]]] = [
    ("afterSequence negative", {"afterSequence": -1}, 400, None, "/query/afterSequence"),
    ("afterSequence not a number", {"afterSequence": "last"}, 400, None, "/query/afterSequence"),
    ("afterSequence never issued", {"afterSequence": 999999999}, 422, "SEQUENCE_INVALID", "/query/afterSequence"),
    ("limit 0", {"limit": 0}, 400, None, "/query/limit"),
]


@pytest.mark.parametrize(("function", "what", "params", "status", "code", "pointer"), [
    pytest.param(function, *case, marks=pytest.mark.ocp(functions=[function], check="negative"),
                 id=f"{function}: {case[0]}")
    for function, cases in [*((f, CASES) for f in DATASETS), (TRADES, TRADE_CASES)] for case in cases
])
def test_invalid_request_is_rejected(function: str, what: str, params: dict[str, Any], status: int,
                                     code: str | None, pointer: str | None, ocp_client: OcpClient,
                                     ocp_target: Target) -> None:
    exchange = ocp_client.call(function, as_participant=ocp_target.acting_pair()[0], validate_request=False, **params)
    body = exchange.body if isinstance(exchange.body, dict) else {}
    pointers = [e.get("pointer") for e in body.get("errors", [])]
    if exchange.status != status or (code and body.get("code") != code) or (pointer and pointer not in pointers):
        raise GcpFailure(function, f"a request with {what} was not rejected as documented",
                         received=f"HTTP {exchange.status} code={body.get('code')} errors at {pointers}",
                         expected=f"HTTP {status}" + (f" code={code}" if code else "")
                         + (f" naming {pointer}" if pointer else ""), exchange=exchange)
