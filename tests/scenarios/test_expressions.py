"""Runtime expressions and the RFC 6901 JSON pointer."""

from __future__ import annotations

import httpx
import pytest

from ocp_conformance.scenarios.expressions import (
    MISSING,
    ExpressionError,
    RuntimeContext,
    evaluate,
    interpolate,
    is_expression,
    resolve_pointer,
)


def _context() -> RuntimeContext:
    request = httpx.Request("POST", "http://x/ocp/v1/si?status=MATCHED", headers={"X-Trace": "t1"})
    response = httpx.Response(201, json={"siId": "SI1", "items": [{"a/b": 1, "m~n": 2}]},
                              headers={"Location": "/si/SI1"}, request=request)
    return RuntimeContext(workflow_id="wf", inputs={"runId": "R1", "quantity": 10, "obj": {"k": [5]}},
                          steps={"first": {"siId": "SI0", "body": {"x": {"y": True}}}},
                          request=request, response=response,
                          request_params={"path": {"siId": "SI1"}, "query": {"status": "MATCHED"},
                                          "header": {"X-Trace": "t1"}},
                          request_body={"quantity": 10})


@pytest.mark.parametrize(("pointer", "expected"), [
    ("", {"a": [1, {"b/c": 2, "d~e": 3}]}),
    ("/a/0", 1),
    ("/a/1/b~1c", 2),
    ("/a/1/d~0e", 3),
    ("/a/2", MISSING),
    ("/a/01", MISSING),
    ("/a/x", MISSING),
    ("/z", MISSING),
    ("/a/0/deeper", MISSING),
])
def test_json_pointer(pointer: str, expected: object) -> None:
    assert resolve_pointer({"a": [1, {"b/c": 2, "d~e": 3}]}, pointer) == expected


def test_json_pointer_rejects_relative() -> None:
    with pytest.raises(ExpressionError, match="start with '/'"):
        resolve_pointer({}, "a")


@pytest.mark.parametrize(("expression", "expected"), [
    ("$statusCode", 201),
    ("$method", "POST"),
    ("$url", "http://x/ocp/v1/si?status=MATCHED"),
    ("$response.body#/siId", "SI1"),
    ("$response.body#/items/0/a~1b", 1),
    ("$response.body#/items/0/m~0n", 2),
    ("$response.body#/nothing", MISSING),
    ("$response.header.location", "/si/SI1"),
    ("$response.header.Location", "/si/SI1"),
    ("$request.path.siId", "SI1"),
    ("$request.query.status", "MATCHED"),
    ("$request.header.x-trace", "t1"),
    ("$request.body#/quantity", 10),
    ("$inputs.quantity", 10),
    ("$inputs.obj#/k/0", 5),
    ("$inputs.absent", MISSING),
    ("$steps.first.outputs.siId", "SI0"),
    ("$steps.first.outputs.body#/x/y", True),
    ("$workflows.wf.inputs.runId", "R1"),
])
def test_evaluate(expression: str, expected: object) -> None:
    assert evaluate(expression, _context()) == expected


@pytest.mark.parametrize(("expression", "message"), [
    ("$steps.later.outputs.x", "has not run"),
    ("$steps.first.siId", "expected \\$steps"),
    ("$response.cookies", "body or header"),
    ("$workflows.other.inputs.x", "only the running workflow"),
    ("$components.parameters.x", "not a runtime expression this runner supports"),
])
def test_evaluate_errors(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        evaluate(expression, _context())


def test_interpolate_keeps_types_and_embeds_text() -> None:
    payload = {"quantity": "$inputs.quantity", "ref": "{$inputs.runId}D", "list": ["$steps.first.outputs.siId"],
               "literal": "$100 is not an expression", "flag": "{$steps.first.outputs.body#/x/y}", "n": 3}
    assert interpolate(payload, _context()) == {
        "quantity": 10, "ref": "R1D", "list": ["SI0"], "literal": "$100 is not an expression", "flag": "true",
        "n": 3}


def test_interpolate_missing_value_is_an_error() -> None:
    with pytest.raises(ExpressionError, match=r"\$inputs.absent \(in .*\) has no value"):
        interpolate("Bearer {$inputs.absent}", _context())


def test_is_expression() -> None:
    assert is_expression("$statusCode")
    assert is_expression("$inputs.x")
    assert not is_expression("$inputs.")
    assert not is_expression("$.items[0]")
