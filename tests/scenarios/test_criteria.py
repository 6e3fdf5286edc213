"""Criterion Objects: simple conditions, regex and JSONPath."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ocp_conformance.scenarios.criteria import ConditionSyntaxError, check_criterion, parse_condition
from ocp_conformance.scenarios.expressions import ExpressionError, RuntimeContext


def _context(status: int = 201, body: Any = None) -> RuntimeContext:
    body = body if body is not None else {"status": "MATCHED", "quantity": 10, "amount": "100.50",
                                          "matchId": None, "items": [{"siId": "SI1", "status": "REVOKED"}]}
    request = httpx.Request("GET", "http://x/")
    return RuntimeContext(workflow_id="wf", inputs={"qty": 10, "ref": "R1"},
                          steps={"a": {"matchId": "M1", "list": [1, 2]}},
                          request=request, response=httpx.Response(status, json=body, request=request))


def _holds(condition: str, **kwargs: Any) -> bool:
    return check_criterion({"condition": condition}, _context(**kwargs)).passed


@pytest.mark.parametrize(("condition", "expected"), [
    ("$statusCode == 201", True),
    ("$statusCode != 201", False),
    ("$statusCode >= 200 && $statusCode < 300", True),
    ("$statusCode == 200 || $statusCode == 201", True),
    ("!($statusCode == 201)", False),
    ("$response.body#/status == 'MATCHED'", True),
    ("$response.body#/status == 'matched'", True),  # string comparisons ignore case (Arazzo 1.0.1)
    ("$response.body#/quantity == $inputs.qty", True),
    ("$response.body#/quantity > 9.5", True),
    ("$response.body#/amount == '100.50'", True),
    ("$response.body#/amount > 100", True),  # loose: numeric strings compare as numbers against numbers
    ("$response.body#/matchId == null", True),
    ("$response.body#/absent == null", True),
    ("$response.body#/items/0/status == 'REVOKED'", True),
    ("$response.body#/items/1 == null", True),
    ("$response.body#/items != $steps.a.outputs.list", True),
    ("$response.body#/status", True),
    ("$response.body#/matchId", False),
    ("$response.body#/quantity == true", False),
    ("'it''s' == 'IT''S'", True),
    ("$response.body#/status < 5", False),
])
def test_simple_conditions(condition: str, expected: bool) -> None:
    assert _holds(condition) is expected


def test_failure_says_received_and_expected() -> None:
    outcome = check_criterion({"condition": "$response.body#/status == 'SETTLED'"}, _context())
    assert not outcome.passed
    assert outcome.received == "$response.body#/status = 'MATCHED'"
    assert outcome.expected == "== 'SETTLED'"


@pytest.mark.parametrize(("condition", "column"), [
    ("$statusCode ==", 15),
    ("$statusCode == 200 &&", 22),
    ("($statusCode == 200", 20),
    ("$statusCode = 200", 13),
    ("$statusCode == 200 200", 20),
    ("  ", 1),
])
def test_syntax_errors_point_at_the_column(condition: str, column: int) -> None:
    with pytest.raises(ConditionSyntaxError) as caught:
        parse_condition(condition)
    assert caught.value.column == column


def test_jsonpath_with_embedded_expression() -> None:
    criterion = {"context": "$response.body", "type": "jsonpath",
                 "condition": "$.items[?(@.siId == '{$inputs.ref}' || @.status == 'REVOKED')]"}
    assert check_criterion(criterion, _context()).passed
    criterion["condition"] = "$.items[?(@.siId == 'SI2' && @.status == 'REVOKED')]"
    outcome = check_criterion(criterion, _context())
    assert not outcome.passed
    assert "JSONPath selected []" in outcome.received


def test_an_rfc9535_function_is_an_error_not_a_silent_false() -> None:
    """The Arazzo 1.0.1 JSONPath example `$[?count(@.pets) > 0]` selected nothing under jsonpath-python, so the
    criterion failed as if the target were wrong (found by benchmarks/arazzo_runner_comparison.py)."""
    criterion = {"context": "$response.body", "type": "jsonpath", "condition": "$[?count(@.items) > 0]"}
    with pytest.raises(ExpressionError, match=r"RFC 9535 function count\(\) is not supported"):
        check_criterion(criterion, _context())
    criterion["condition"] = "$.count"  # a member named count is no function: evaluated (nothing there here)
    assert not check_criterion(criterion, _context()).passed


def test_regex() -> None:
    assert check_criterion({"context": "$statusCode", "type": "regex", "condition": "^2\\d\\d$"}, _context()).passed
    assert not check_criterion({"context": "$response.body#/status", "type": "regex", "condition": "^SET"},
                               _context()).passed
