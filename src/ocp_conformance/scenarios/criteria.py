"""Arazzo Criterion Objects: simple conditions, regex and JSONPath (Arazzo 1.0.1, "Criterion Object").

Simple conditions combine literals (``true``, ``false``, ``null``, numbers, ``'single-quoted'`` strings),
runtime expressions and the operators ``== != < <= > >= ! && || ( )``. String comparisons ignore case, as
the specification requires. JSONPath conditions use the ``jsonpath-python`` dialect (Goessner filters such as
``$.items[?(@.status == 'MATCHED')]``) and pass when the query selects at least one node; JSONPath and regex
conditions may embed runtime expressions as ``{$steps.a.outputs.siId}``, substituted as text first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonpath import JSONPath

from ocp_conformance.scenarios.expressions import MISSING, ExpressionError, RuntimeContext, evaluate, substitute

__all__ = ["ConditionSyntaxError", "CriterionOutcome", "check_criterion", "parse_condition", "show"]

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<op>==|!=|<=|>=|&&|\|\||<|>|!|\(|\))
    | (?P<string>'(?:[^']|'')*')
    | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
    | (?P<word>true|false|null)(?![A-Za-z0-9_])
    | (?P<expr>\$[^\s()=!<>&|]+)
    )""", re.VERBOSE)
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})


class ConditionSyntaxError(ValueError):
    """A simple condition that does not parse; ``column`` is 1-based within the condition text."""

    def __init__(self, message: str, column: int) -> None:
        self.column = column
        super().__init__(f"{message} (at column {column} of the condition)")


@dataclass(frozen=True, slots=True)
class _Operand:
    literal: Any = None
    expression: str | None = None

    def text(self) -> str:
        return self.expression if self.expression is not None else show(self.literal)


@dataclass(frozen=True, slots=True)
class _Compare:
    left: _Operand
    op: str | None
    right: _Operand | None


@dataclass(frozen=True, slots=True)
class _Logic:
    op: str  # "&&", "||" or "!"
    parts: tuple[_Node, ...]


_Node = _Compare | _Logic


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            column = position + len(text[position:]) - len(text[position:].lstrip()) + 1
            raise ConditionSyntaxError(f"unexpected {text[column - 1:column + 9]!r}", column)
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind), match.start(kind) + 1))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise ConditionSyntaxError("the condition ends too early", len(self.text) + 1)
        self.index += 1
        return token

    def parse(self) -> _Node:
        node = self.disjunction()
        token = self.peek()
        if token is not None:
            raise ConditionSyntaxError(f"unexpected {token[1]!r}", token[2])
        return node

    def disjunction(self) -> _Node:
        parts = [self.conjunction()]
        while (token := self.peek()) is not None and token[1] == "||":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else _Logic("||", tuple(parts))

    def conjunction(self) -> _Node:
        parts = [self.unary()]
        while (token := self.peek()) is not None and token[1] == "&&":
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else _Logic("&&", tuple(parts))

    def unary(self) -> _Node:
        token = self.peek()
        if token is not None and token[1] == "!":
            self.take()
            return _Logic("!", (self.unary(),))
        if token is not None and token[1] == "(":
            self.take()
            node = self.disjunction()
            closing = self.take()
            if closing[1] != ")":
                raise ConditionSyntaxError(f"expected ')' but found {closing[1]!r}", closing[2])
            return node
        left = self.operand()
        token = self.peek()
        if token is not None and token[1] in _COMPARISONS:
            self.take()
            return _Compare(left, token[1], self.operand())
        return _Compare(left, None, None)

    def operand(self) -> _Operand:
        kind, value, column = self.take()
        if kind == "string":
            return _Operand(literal=value[1:-1].replace("''", "'"))
        if kind == "number":
            return _Operand(literal=float(value) if any(c in value for c in ".eE") else int(value))
        if kind == "word":
            return _Operand(literal={"true": True, "false": False, "null": None}[value])
        if kind == "expr":
            return _Operand(expression=value)
        raise ConditionSyntaxError(f"expected a value or a runtime expression, found {value!r}", column)


def parse_condition(text: str) -> _Node:
    """Parse a simple condition; raises :class:`ConditionSyntaxError` pointing at the column."""
    if not text.strip():
        raise ConditionSyntaxError("the condition is empty", 1)
    return _Parser(text).parse()


def show(value: Any) -> str:
    """A short display form of a value for failure messages (strings in single quotes, as conditions write them)."""
    if value is MISSING:
        return "(nothing there)"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    text = json.dumps(value, default=str)
    return text if len(text) <= 300 else text[:297] + "..."


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _compare(left: Any, op: str, right: Any) -> bool:
    left = None if left is MISSING else left
    right = None if right is MISSING else right
    if isinstance(left, str) and isinstance(right, str):
        a: Any = left.casefold()
        b: Any = right.casefold()
    elif (isinstance(left, int | float) or isinstance(right, int | float)) and \
            _number(left) is not None and _number(right) is not None:
        a, b = _number(left), _number(right)
    elif isinstance(left, bool) != isinstance(right, bool):
        return op == "!="
    else:
        a, b = left, right
    if op == "==":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    try:
        return bool({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])
    except TypeError:
        return False


@dataclass(frozen=True, slots=True)
class CriterionOutcome:
    """Whether one criterion held, with what was received and what was expected (for failure messages)."""

    passed: bool
    condition: str
    received: str
    expected: str


def _value(operand: _Operand, context: RuntimeContext) -> Any:
    if operand.expression is None:
        return operand.literal
    return evaluate(operand.expression, context)


def _truthy(value: Any) -> bool:
    return value is not MISSING and value is not None and value is not False


def _run(node: _Node, context: RuntimeContext, notes: list[tuple[str, str]]) -> bool:
    if isinstance(node, _Logic):
        if node.op == "!":
            return not _run(node.parts[0], context, notes)
        results = [_run(part, context, notes) for part in node.parts]
        return all(results) if node.op == "&&" else any(results)
    left = _value(node.left, context)
    if node.op is None or node.right is None:
        notes.append((f"{node.left.text()} = {show(left)}", "a true value"))
        return _truthy(left)
    right = _value(node.right, context)
    shown_left = f"{node.left.text()} = {show(left)}" if node.left.expression else show(left)
    expected = f"{node.op} {show(right)}"
    if node.right.expression:
        expected = f"{node.op} {node.right.expression} (= {show(right)})"
    notes.append((shown_left, expected))
    return _compare(left, node.op, right)


_QUOTED_OR_LOGIC = re.compile(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|&&|\|\|")


def _python_filters(query: str) -> str:
    """Goessner filters use JavaScript's ``&&``/``||``; jsonpath-python evaluates them as Python."""
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1)
        return " and " if match.group(0) == "&&" else " or "

    return _QUOTED_OR_LOGIC.sub(replace, query)


_RFC9535_FUNCTION = re.compile(r"(?<![\w@.$])(count|length|match|search|value)\s*\(")
"""An RFC 9535 function extension in a filter (not a member name such as ``@.count``)."""


def _kind(criterion: Mapping[str, Any]) -> str:
    kind = criterion.get("type", "simple")
    return str(kind.get("type")) if isinstance(kind, Mapping) else str(kind)


def check_criterion(criterion: Mapping[str, Any], context: RuntimeContext) -> CriterionOutcome:
    """Evaluate one Criterion Object against the current step's context.

    Raises :class:`ExpressionError` when an expression cannot be evaluated at all.
    """
    condition = str(criterion["condition"])
    kind = _kind(criterion)
    if kind == "simple":
        notes: list[tuple[str, str]] = []
        passed = _run(parse_condition(condition), context, notes)
        return CriterionOutcome(passed, condition, "; ".join(n[0] for n in notes),
                                "; ".join(n[1] for n in notes))
    condition = substitute(condition, context)  # embedded {$...} (Arazzo-Specification PR #475)
    context_expression = str(criterion.get("context", ""))
    subject = evaluate(context_expression, context)
    if kind == "regex":
        text = "" if subject is MISSING else (subject if isinstance(subject, str) else json.dumps(subject))
        passed = re.search(condition, text) is not None
        return CriterionOutcome(passed, condition, f"{context_expression} = {show(subject)}",
                                f"a match for the regular expression {condition!r}")
    if kind == "jsonpath":
        function = _RFC9535_FUNCTION.search(condition)
        if function is not None:  # jsonpath-python would select nothing, silently: a false "failed"
            raise ExpressionError(f"JSONPath {condition!r}: the RFC 9535 function {function.group(1)}() is not "
                                  "supported (our dialect is Goessner's, as jsonpath-python reads it); write the "
                                  "filter without it, e.g. $[?(@.pets)] for 'has pets' (ARCHITECTURE.md, Arazzo)")
        found = [] if subject is MISSING else JSONPath(_python_filters(condition)).parse(subject)
        return CriterionOutcome(bool(found), condition,
                                f"{context_expression} = {show(subject)} (JSONPath selected {show(found)})",
                                f"at least one node selected by JSONPath {condition}")
    raise ExpressionError(f"criterion type {kind!r} is not supported (simple, regex, jsonpath)")
