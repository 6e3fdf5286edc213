"""Arazzo runtime expressions (``$inputs.x``, ``$steps.a.outputs.b``, ``$response.body#/ptr`` ...).

Expressions keep the type of the value they reference; embedded in a string as ``{$inputs.x}`` they are
substituted as text (Arazzo 1.0.1, "Runtime Expressions").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = [
    "ExpressionError",
    "RuntimeContext",
    "evaluate",
    "interpolate",
    "is_expression",
    "resolve_pointer",
    "substitute",
]

_PREFIXES = ("$url", "$method", "$statusCode", "$request.", "$response.", "$inputs.", "$outputs.",
             "$steps.", "$workflows.", "$sourceDescriptions.", "$components.")
_EMBEDDED = re.compile(r"\{(\$[^{}]+)\}")


class ExpressionError(ValueError):
    """A runtime expression is malformed or names something that does not exist (yet)."""


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
"""What a JSON pointer or a name resolves to when nothing is there (distinct from JSON null)."""


@dataclass(slots=True)
class RuntimeContext:
    """Everything a runtime expression can see while a workflow runs."""

    workflow_id: str
    inputs: dict[str, Any]
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    """step id -> its outputs (after the step succeeded)."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """The workflow's own outputs, once computed."""
    request: httpx.Request | None = None
    response: httpx.Response | None = None
    request_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``{"path": {...}, "query": {...}, "header": {...}}`` of the current step's request."""
    request_body: Any = None


def is_expression(text: str) -> bool:
    """True when ``text`` as a whole is a runtime expression (not a literal that merely starts with ``$``)."""
    return text == "$url" or text == "$method" or text == "$statusCode" or (
        text.startswith(_PREFIXES) and text not in _PREFIXES)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901: the value at ``pointer`` in ``document``, or :data:`MISSING`.

    >>> resolve_pointer({"a": [{"b~c/d": 1}]}, "/a/0/b~0c~1d")
    1
    """
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        raise ExpressionError(f"JSON pointer {pointer!r} must be empty or start with '/'")
    value = document
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, Mapping):
            if token not in value:
                return MISSING
            value = value[token]
        elif isinstance(value, list):
            if not token.isdigit() or (len(token) > 1 and token.startswith("0")) or int(token) >= len(value):
                return MISSING
            value = value[int(token)]
        else:
            return MISSING
    return value


def _split_pointer(text: str) -> tuple[str, str | None]:
    head, sep, pointer = text.partition("#")
    return head, (pointer if sep else None)


def _with_pointer(value: Any, pointer: str | None, expression: str) -> Any:
    if pointer is None:
        return value
    if value is MISSING:
        return MISSING
    return resolve_pointer(value, pointer)


def _json_body(response: httpx.Response | None) -> Any:
    if response is None or not response.content:
        return MISSING
    try:
        return response.json()
    except ValueError:
        return response.text


def evaluate(expression: str, context: RuntimeContext) -> Any:
    """The value of one runtime expression; :data:`MISSING` when it names nothing.

    Raises :class:`ExpressionError` for a malformed expression or an unknown step.
    """
    head, pointer = _split_pointer(expression)
    if head == "$statusCode":
        return MISSING if context.response is None else context.response.status_code
    if head == "$url":
        return MISSING if context.request is None else str(context.request.url)
    if head == "$method":
        return MISSING if context.request is None else context.request.method
    if head.startswith("$response."):
        rest = head.removeprefix("$response.")
        if rest == "body":
            return _with_pointer(_json_body(context.response), pointer, expression)
        if rest.startswith("header."):
            if context.response is None:
                return MISSING
            return context.response.headers.get(rest.removeprefix("header."), MISSING)
        raise ExpressionError(f"{expression}: after $response. expected body or header.<name>")
    if head.startswith("$request."):
        rest = head.removeprefix("$request.")
        if rest == "body":
            body = MISSING if context.request_body is None else context.request_body
            return _with_pointer(body, pointer, expression)
        kind, _, name = rest.partition(".")
        if kind not in {"header", "query", "path"} or not name:
            raise ExpressionError(f"{expression}: after $request. expected body, header.X, query.X or path.X")
        values = context.request_params.get(kind, {})
        if kind == "header":
            lowered = {k.lower(): v for k, v in values.items()}
            return lowered.get(name.lower(), MISSING)
        return values.get(name, MISSING)
    if head.startswith("$inputs."):
        return _with_pointer(context.inputs.get(head.removeprefix("$inputs."), MISSING), pointer, expression)
    if head.startswith("$outputs."):
        return _with_pointer(context.outputs.get(head.removeprefix("$outputs."), MISSING), pointer, expression)
    if head.startswith("$steps."):
        step_id, dot, rest = head.removeprefix("$steps.").partition(".")
        if not dot or not rest.startswith("outputs."):
            raise ExpressionError(f"{expression}: expected $steps.<stepId>.outputs.<name>")
        if step_id not in context.steps:
            raise ExpressionError(f"{expression}: step {step_id!r} has not run (or did not succeed) yet")
        value = context.steps[step_id].get(rest.removeprefix("outputs."), MISSING)
        return _with_pointer(value, pointer, expression)
    if head.startswith("$workflows."):
        workflow_id, _, rest = head.removeprefix("$workflows.").partition(".")
        if workflow_id != context.workflow_id:
            raise ExpressionError(f"{expression}: only the running workflow ({context.workflow_id}) is supported")
        kind, _, name = rest.partition(".")
        source = {"inputs": context.inputs, "outputs": context.outputs}.get(kind)
        if source is None or not name:
            raise ExpressionError(f"{expression}: expected $workflows.<id>.inputs.<name> or .outputs.<name>")
        return _with_pointer(source.get(name, MISSING), pointer, expression)
    raise ExpressionError(f"{expression}: not a runtime expression this runner supports "
                          "($inputs, $steps, $outputs, $workflows, $statusCode, $response, $request, $url, $method)")


def substitute(text: str, context: RuntimeContext) -> str:
    """``text`` with each embedded ``{$...}`` replaced by the value's text (JSONPath and regex conditions)."""

    def replace(match: re.Match[str]) -> str:
        result = evaluate(match.group(1), context)
        if result is MISSING:
            raise ExpressionError(f"{match.group(1)} (in {text!r}) has no value")
        return _text(result)

    return _EMBEDDED.sub(replace, text) if "{$" in text else text


def interpolate(value: Any, context: RuntimeContext) -> Any:
    """``value`` with every runtime expression replaced, recursively through lists and objects.

    A string that is one expression becomes the referenced value (type kept); ``{$...}`` inside a longer
    string is replaced by the value's text.
    """
    if isinstance(value, str):
        if is_expression(value):
            result = evaluate(value, context)
            if result is MISSING:
                raise ExpressionError(f"{value} has no value")
            return result
        return substitute(value, context)
    if isinstance(value, list):
        return [interpolate(item, context) for item in value]
    if isinstance(value, dict):
        return {key: interpolate(item, context) for key, item in value.items()}
    return value


def expressions_in(value: Any) -> list[str]:
    """Every runtime expression written in ``value`` (whole-string or embedded), for load-time checks."""
    if isinstance(value, str):
        if is_expression(value):
            return [value]
        return _EMBEDDED.findall(value)
    if isinstance(value, list):
        return [e for item in value for e in expressions_in(item)]
    if isinstance(value, dict):
        return [e for item in value.values() for e in expressions_in(item)]
    return []


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)
