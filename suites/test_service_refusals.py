"""Refusals a participant's own request cannot provoke on demand — a function not subscribed, the rate limit
reached, the service down, the service window closed — answered on every operation that documents them, as it
documents them.

Rules enforced, per operation and per code the operation lists in ``x-ocp-error-codes``:

- the status is the one the operation lists the code under, with the bound contract's error media type and code;
- where the contract's response for that status declares a ``Retry-After`` header, it is there, a whole number
  of seconds (a client's retry logic reads it).

Provoked with a refusing token (simulator control), so nothing is throttled, unsubscribed or closed for the other
checks running against the same target. A target without simulator control cannot be made to refuse on demand:
there the cases are not applicable, and error-codes.md lists the codes as never provoked. Operations, codes and
statuses all come from the contract and the binding, parametrized at collection (never at import).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from request_rules import documented_statuses
from suites.raw_requests import credential, raw_request, send_raw, valid_body
from suites.rule_broken import RuleBroken
from suites.sim_control import refusal_codes, refusing_token

from ocp_conformance.binding import ABSENT, NOT_APPLICABLE, Binding, read_pointer
from ocp_conformance.client import Exchange
from ocp_conformance.contracts import ContractSet, Operation
from ocp_conformance.pytest_plugin import Harness, harness
from ocp_conformance.targets import CLOCK_CONTROL


@dataclass(frozen=True, slots=True)
class Refusal:
    """One case: ``operation_id`` refusing with the model's ``code``, documented under ``status``."""

    operation_id: str
    code: str
    status: int


def _cases(contracts: ContractSet, binding: Binding) -> list[Any]:
    cases = []
    codes = refusal_codes(contracts)
    for document in contracts.api_documents:
        for op in document.operations.values():
            for code in codes:
                statuses = documented_statuses(binding, op, code)
                if statuses:  # the first status it is listed under (a code is listed under one)
                    cases.append(pytest.param(
                        Refusal(op.operation_id, code, statuses[0]), id=f"{op.operation_id}-{code}",
                        marks=pytest.mark.ocp(functions=[op.function] if op.function else [], check="negative")))
    return cases


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize from the harness's own contracts and binding (at collection, never at import)."""
    if "refusal" in metafunc.fixturenames:
        built = harness(metafunc.config)
        metafunc.parametrize("refusal", _cases(built.contracts, built.bound.binding))


def _declares_retry_after(contracts: ContractSet, op: Operation, status: int) -> bool:
    response = contracts.document(op.document).resolve((op.spec.get("responses") or {}).get(str(status)) or {})
    headers = (response.get("headers") or {}) if isinstance(response, dict) else {}
    return any(name.lower() == "retry-after" for name in headers)


def _retry_after_problem(exchange: Exchange) -> str | None:
    value = exchange.response.headers.get("retry-after")
    if value is None:
        return "no Retry-After header"
    return None if value.strip().isdigit() else f"Retry-After: {value!r} (not a whole number of seconds)"


def test_refusal_is_answered_as_the_operation_documents_it(refusal: Refusal, ocp_harness: Harness) -> None:
    """A request presenting a token the target refuses with ``refusal.code`` gets exactly that refusal."""
    client, target, bound, contracts = ocp_harness.client, ocp_harness.target, ocp_harness.bound, ocp_harness.contracts
    if not target.can(CLOCK_CONTROL):
        pytest.skip(f"{NOT_APPLICABLE}the target cannot be made to answer {refusal.code} on demand "
                    "(it offers no simulator control)")
    op = contracts.operation(refusal.operation_id)
    function = op.function or op.operation_id
    binding = bound.binding
    actor, counterparty = target.acting_pair()
    token = refusing_token(client, actor, refusal.code, ocp_harness.redactor)
    body = valid_body(bound, op, business_date=client.business_dates()[0].isoformat(), counterparty=counterparty)
    exchange = send_raw(client, op, raw_request(target, op, body, credential(contracts, binding, token)))

    media = binding.error_shape().media_type
    content_type = exchange.response.headers.get("content-type", "")
    raw_code = read_pointer(exchange.body, binding.error_shape().code) if exchange.body is not None else ABSENT
    code = None if raw_code is ABSENT else binding.model_error_code(raw_code)
    expected = f"HTTP {refusal.status} {media} code={binding.error_code(refusal.code, function=op.function)}"
    if exchange.status != refusal.status or not content_type.startswith(media) or code != refusal.code:
        raise RuleBroken(function, f"a request the target must refuse with {refusal.code} got another answer",
                         received=f"HTTP {exchange.status} {content_type} code={None if code is None else raw_code}",
                         expected=expected, exchange=exchange)
    if _declares_retry_after(contracts, op, refusal.status):
        problem = _retry_after_problem(exchange)
        if problem is not None:
            raise RuleBroken(function, f"the {refusal.code} refusal does not say when to retry",
                             received=problem, expected="Retry-After: <seconds>, as the contract declares",
                             exchange=exchange)
