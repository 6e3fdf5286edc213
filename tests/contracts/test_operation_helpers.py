"""What suites read of an operation's own OpenAPI (parameters, simple schemas) without spelling its keywords."""

from __future__ import annotations

from ocp_conformance.contracts import Operation, load_contracts
from ocp_conformance.contracts.openapi import non_null_schema, simple_sample


def _operation(parameters: list[dict[str, object]]) -> Operation:
    return Operation("op", "get", "/x/{id}", "/v1", None, {"parameters": parameters}, "doc")


def test_parameter_names_by_location_and_requiredness() -> None:
    op = _operation([{"name": "id", "in": "path", "required": True},
                     {"name": "Idempotency-Key", "in": "header", "required": True},
                     {"name": "X-Trace", "in": "header"}, {"name": "limit", "in": "query"}])
    assert op.parameter_names("path") == ("id",)
    assert op.parameter_names("header") == ("Idempotency-Key", "X-Trace")
    assert op.parameter_names("header", required=True) == ("Idempotency-Key",)
    assert op.parameter_names("cookie") == ()


def test_the_model_contracts_idempotency_header_is_a_required_header_of_input_si() -> None:
    operation = load_contracts().document("ocp-api").operations["inputSi"]
    assert operation.parameter_names("header", required=True) == ("Idempotency-Key",)


def test_non_null_schema_unwraps_a_clearable_value_only() -> None:
    value = {"type": "string", "maxLength": 3}
    assert non_null_schema({"oneOf": [value, {"type": "null"}]}) == value
    assert non_null_schema({"anyOf": [{"type": "null"}, value]}) == value
    both = {"oneOf": [value, {"type": "integer"}]}
    assert non_null_schema(both) is both


def test_simple_sample_prefers_examples_then_enum_then_boolean() -> None:
    assert simple_sample({"examples": ["A"], "enum": ["B"]}) == (True, "A")
    assert simple_sample({"enum": ["B", "C"]}) == (True, "B")
    assert simple_sample({"type": "boolean"}) == (True, True)
    assert simple_sample({"type": "string"}) == (False, None)
