"""Would `arazzo-runner` (PyPI) evaluate our Arazzo runtime expressions and criteria correctly? (issue 20 item 14)

Feeds the same inputs to both engines and counts where they agree:

1. **Our 28 scenario files, as they run.** Every scenario runs against the embedded simulator (pytest, in this
   process); each runtime expression our engine evaluates and each criterion it checks is recorded with the whole
   runtime context of that moment (inputs, step outputs, the request and the response). The same expression or
   criterion is then given to arazzo-runner's ``ExpressionEvaluator`` / ``SuccessCriteriaChecker`` with the same
   values, and the answers compared.
2. **The Arazzo 1.0.1 text.** The runtime-expression examples table and the criterion examples of
   ``src/ocp_conformance/scenarios/schemas/arazzo-1.0.1-specification.md``, plus one case per rule the text states
   for simple conditions (case-insensitive strings, ``''`` quoting, ``!``, ``&&``/``||``, grouping, index and
   property de-reference), each with the answer the text requires, on a petstore-like context.

arazzo-runner is never installed into the project: install it into a scratch venv and point ``--runner-site`` at
that venv's site-packages (appended to ``sys.path``, after ours)::

    python3 -m venv /tmp/arz-venv && /tmp/arz-venv/bin/pip install arazzo-runner
    .venv/bin/python benchmarks/arazzo_runner_comparison.py \\
        --runner-site /tmp/arz-venv/lib/python3.11/site-packages [--json out.json]

Prints counts and each kind of disagreement with one example; ARCHITECTURE.md records the result and the decision.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ recording our engine's evaluations

@dataclass
class Snapshot:
    """The runtime context when an expression or criterion was evaluated, in plain JSON values."""

    workflow_id: str
    inputs: dict[str, Any]
    steps: dict[str, dict[str, Any]]
    outputs: dict[str, Any]
    status: int | None
    headers: dict[str, str]
    body: Any
    request_params: dict[str, dict[str, Any]]
    request_body: Any
    url: str | None
    method: str | None


@dataclass
class Recorded:
    expressions: dict[str, list[tuple[Snapshot, Any]]] = field(default_factory=dict)
    criteria: dict[str, list[tuple[dict[str, Any], Snapshot, bool]]] = field(default_factory=dict)


_MISSING = "<missing>"
_PER_TEXT = 12
"""Contexts kept per distinct expression or criterion text (a step polled in a loop repeats itself)."""


def _snapshot(context: Any) -> Snapshot:
    response, request = context.response, context.request
    body: Any = None
    if response is not None and response.content:
        try:
            body = response.json()
        except ValueError:
            body = response.text
    return Snapshot(context.workflow_id, copy.deepcopy(context.inputs), copy.deepcopy(context.steps),
                    copy.deepcopy(context.outputs), None if response is None else response.status_code,
                    {} if response is None else dict(response.headers), body,
                    copy.deepcopy(context.request_params), copy.deepcopy(context.request_body),
                    None if request is None else str(request.url), None if request is None else request.method)


def record_scenarios(only: list[str]) -> Recorded:
    """Run the scenarios against the embedded simulator with our engine's evaluate/check_criterion recorded."""
    import pytest

    from ocp_conformance.scenarios import criteria, expressions, runner

    recorded = Recorded()
    original_evaluate, original_check = expressions.evaluate, criteria.check_criterion

    def evaluate(expression: str, context: Any) -> Any:
        value = original_evaluate(expression, context)
        kept = recorded.expressions.setdefault(expression, [])
        if len(kept) < _PER_TEXT:
            kept.append((_snapshot(context), _MISSING if value is expressions.MISSING else copy.deepcopy(value)))
        return value

    def check_criterion(criterion: Any, context: Any) -> Any:
        outcome = original_check(criterion, context)
        kept = recorded.criteria.setdefault(json.dumps(dict(criterion), sort_keys=True), [])
        if len(kept) < _PER_TEXT:
            kept.append((dict(criterion), _snapshot(context), outcome.passed))
        return outcome

    for module in (expressions, criteria, runner):
        module.evaluate = evaluate  # type: ignore[attr-defined]
    runner.check_criterion = check_criterion  # type: ignore[attr-defined]
    criteria.check_criterion = check_criterion  # type: ignore[attr-defined]
    try:
        targets = [str(ROOT / "scenarios" / name) for name in only] or [str(ROOT / "scenarios")]
        pytest.main([*targets, "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT), "-c", "/dev/null",
                     "-o", f"pythonpath={ROOT}", "--ocp-target", "simulator", "-W", "ignore"])
    finally:
        for module in (expressions, criteria, runner):
            module.evaluate = original_evaluate  # type: ignore[attr-defined]
        runner.check_criterion = original_check  # type: ignore[attr-defined]
        criteria.check_criterion = original_check  # type: ignore[attr-defined]
    return recorded


# ------------------------------------------------------------------ arazzo-runner on the same inputs

def _theirs(snapshot: Snapshot) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    from arazzo_runner.models import ExecutionState

    state = ExecutionState(workflow_id=snapshot.workflow_id, inputs=copy.deepcopy(snapshot.inputs),
                           step_outputs=copy.deepcopy(snapshot.steps), workflow_outputs=copy.deepcopy(snapshot.outputs))
    response = {"status_code": snapshot.status, "headers": snapshot.headers, "body": snapshot.body}
    # what arazzo-runner's StepExecutor passes as additional context when it evaluates outputs and criteria
    context = {"statusCode": snapshot.status, "response": response, "headers": snapshot.headers,
               "body": snapshot.body}
    return state, response, context


def their_expression(expression: str, snapshot: Snapshot) -> Any:
    from arazzo_runner.evaluator import ExpressionEvaluator

    state, _, context = _theirs(snapshot)
    return ExpressionEvaluator.evaluate_expression(expression, state, {}, context)


def their_criterion(criterion: dict[str, Any], snapshot: Snapshot) -> bool:
    from arazzo_runner.executor.success_criteria import SuccessCriteriaChecker

    state, response, _ = _theirs(snapshot)
    return bool(SuccessCriteriaChecker({}).check_success_criteria({"successCriteria": [criterion]}, response, state))


def _same(ours: Any, theirs: Any) -> bool:
    if ours == _MISSING:
        return theirs is None
    return bool(ours == theirs) and isinstance(ours, bool) == isinstance(theirs, bool)


# ------------------------------------------------------------------ the Arazzo 1.0.1 text

def spec_cases() -> tuple[list[tuple[str, Any]], list[tuple[dict[str, Any], bool, str]], Snapshot]:
    """The examples of the text with the answers it requires, on one petstore-like context."""
    snapshot = Snapshot(
        workflow_id="foo", inputs={"username": "fido-owner"},
        steps={"someStepId": {"pets": [{"id": 7, "name": "Fido"}, {"id": 8, "name": "Rex"}]}},
        outputs={"bar": "baz", "mappedResponse": {"name": "Fido"}}, status=200,
        headers={"Server": "petstore/1.0", "content-type": "application/json"},
        body={"status": "available", "pets": [{"id": 7, "name": "Fido", "tag": "O'Brien"}], "count": 1,
              "owners": [{"name": "Ann", "pets": [7]}, {"name": "Bob", "pets": []}]},
        request_params={"path": {"id": "7"}, "header": {"accept": "application/json"}, "query": {}},
        request_body={"user": {"uuid": "u-1"}}, url="https://petstore.example/pets/7", method="GET")
    # the runtime-expression examples table ("Examples" under "Runtime Expressions"), value each must give
    expressions = [
        ("$method", "GET"), ("$request.header.accept", "application/json"), ("$request.path.id", "7"),
        ("$request.body#/user/uuid", "u-1"), ("$url", "https://petstore.example/pets/7"),
        ("$response.body#/status", "available"), ("$response.header.Server", "petstore/1.0"),
        ("$inputs.username", "fido-owner"), ("$workflows.foo.inputs.username", "fido-owner"),
        ("$steps.someStepId.outputs.pets", snapshot.steps["someStepId"]["pets"]),
        ("$steps.someStepId.outputs.pets#/0/id", 7), ("$outputs.bar", "baz"), ("$workflows.foo.outputs.bar", "baz"),
        ("$workflows.foo.outputs.mappedResponse#/name", "Fido"), ("$statusCode", 200),
    ]
    criteria: list[tuple[dict[str, Any], bool, str]] = [
        ({"condition": "$statusCode == 200"}, True, "Criterion Object example (simple)"),
        ({"context": "$statusCode", "condition": "^200$", "type": "regex"}, True, "Criterion Object example (regex)"),
        # the text's JSONPath example; JSONPath "MUST conform to RFC 9535", where `$[?count(@.pets) > 0]` selects
        # the root's children that have pets: true on a list of owners (on one object with `pets` it would select
        # nothing, since its children are tested, not itself)
        ({"context": "$response.body#/owners", "condition": "$[?count(@.pets) > 0]", "type": "jsonpath"}, True,
         "Criterion Object example (jsonpath, RFC 9535 count())"),
        ({"context": "$response.body#/owners", "condition": "$[?count(@.pets) > 5]", "type": "jsonpath"}, False,
         "RFC 9535 count() that selects nothing"),
        ({"condition": "$statusCode == 503"}, False, "a simple condition that does not hold"),
        ({"condition": "$response.body#/status == 'AVAILABLE'"}, True, "string comparisons MUST be case insensitive"),
        ({"condition": "$response.body#/pets/0/tag == 'O''Brien'"}, True, "'' escapes a single quote"),
        ({"condition": "$statusCode == 200 && $response.body#/count >= 1"}, True, "&& of two comparisons"),
        ({"condition": "$statusCode == 404 || $response.body#/status == 'available'"}, True, "|| of two comparisons"),
        ({"condition": "!($statusCode == 404)"}, True, "! with () grouping"),
        ({"condition": "$response.body#/pets/0/name != null"}, True, "null literal"),
        ({"condition": "$response.body#/missing == null"}, True, "nothing there compares equal to null"),
        ({"condition": "$response.body#/count < 2"}, True, "< on a number"),
        ({"condition": "$steps.someStepId.outputs.pets#/1/name == 'Rex'"}, True, "step output with a JSON pointer"),
        ({"condition": "$response.header.Server == 'petstore/1.0'"}, True, "response header"),
        ({"condition": "$statusCode == 200 && ($response.body#/count == 2 || $inputs.username == 'FIDO-OWNER')"},
         True, "grouping inside &&, case-insensitive input"),
        ({"condition": "$response.body#/status == 'sold'"}, False, "a string that differs"),
        ({"condition": "$statusCode == '__import__(\"os\").getpid()'"}, False,
         "a quoted literal is a string, never code"),
    ]
    return expressions, criteria, snapshot


def our_expression(expression: str, snapshot: Snapshot) -> Any:
    import httpx

    from ocp_conformance.scenarios.expressions import MISSING, RuntimeContext, evaluate

    request = httpx.Request(snapshot.method or "GET", snapshot.url or "http://x/")
    response = httpx.Response(snapshot.status or 200, headers=snapshot.headers, json=snapshot.body,
                              request=request)
    context = RuntimeContext(snapshot.workflow_id, snapshot.inputs, snapshot.steps, snapshot.outputs, request,
                             response, snapshot.request_params, snapshot.request_body)
    value = evaluate(expression, context)
    return _MISSING if value is MISSING else value


def our_criterion(criterion: dict[str, Any], snapshot: Snapshot) -> bool:
    import httpx

    from ocp_conformance.scenarios.criteria import check_criterion
    from ocp_conformance.scenarios.expressions import RuntimeContext

    request = httpx.Request(snapshot.method or "GET", snapshot.url or "http://x/")
    response = httpx.Response(snapshot.status or 200, headers=snapshot.headers, json=snapshot.body,
                              request=request)
    context = RuntimeContext(snapshot.workflow_id, snapshot.inputs, snapshot.steps, snapshot.outputs, request,
                             response, snapshot.request_params, snapshot.request_body)
    return check_criterion(criterion, context).passed


# ------------------------------------------------------------------ main

def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 100 else text[:97] + "..."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runner-site", required=True, help="site-packages of a venv with arazzo-runner")
    parser.add_argument("--only", action="append", default=[], help="a scenario file or folder under scenarios/")
    parser.add_argument("--json", type=Path, help="also write the findings as JSON here")
    options = parser.parse_args()
    sys.path.append(options.runner_site)  # after ours: arazzo-runner's dependencies never shadow the project's
    logging.disable(logging.CRITICAL)  # arazzo-runner logs each failed lookup at ERROR
    from importlib.metadata import PackageNotFoundError, version

    try:
        runner_version = version("arazzo-runner")
    except PackageNotFoundError:
        runner_version = "unknown"
    findings: dict[str, Any] = {"arazzo_runner": runner_version}

    # 1. the spec text
    expressions, criteria, snapshot = spec_cases()
    spec_rows = []
    for expression, expected in expressions:
        ours, theirs = our_expression(expression, snapshot), their_expression(expression, snapshot)
        spec_rows.append(("expression", expression, expected, ours == expected, theirs == expected, theirs))
    from ocp_conformance.scenarios.expressions import ExpressionError

    for criterion, expected, why in criteria:
        try:
            ours_passed: bool | str = our_criterion(criterion, snapshot)
        except ExpressionError as exc:  # refused loudly (a scenario error), not answered wrongly
            ours_passed = f"refused: {str(exc)[:90]}"
        theirs_passed = their_criterion(criterion, snapshot)
        spec_rows.append(("criterion", f"{criterion['condition']} ({why})", expected, ours_passed == expected,
                          theirs_passed == expected, theirs_passed))
        if isinstance(ours_passed, str):
            print(f"  ours {ours_passed}")
    print(f"Arazzo 1.0.1 text: {len(spec_rows)} cases ({len(expressions)} expressions, {len(criteria)} criteria)")
    print(f"  ours correct: {sum(r[3] for r in spec_rows)}; arazzo-runner {runner_version} correct: "
          f"{sum(r[4] for r in spec_rows)}")
    for kind, text, expected, ours_ok, theirs_ok, theirs in spec_rows:
        if not (ours_ok and theirs_ok):
            print(f"  {kind} {text}: expected {_short(expected)}; ours {'ok' if ours_ok else 'WRONG'}, "
                  f"arazzo-runner {'ok' if theirs_ok else 'WRONG'} (gave {_short(theirs)})")
    findings["spec"] = [dict(zip(("kind", "case", "expected", "ours_correct", "theirs_correct", "theirs"), r,
                                 strict=True)) for r in spec_rows]

    # 2. our scenario files, as they run
    recorded = record_scenarios(options.only)
    files = sorted((ROOT / "scenarios").rglob("*.arazzo.yaml"))
    expression_total = sum(len(v) for v in recorded.expressions.values())
    disagreements: Counter[str] = Counter()
    examples: dict[str, str] = {}
    agree_expr = 0
    for expression, uses in recorded.expressions.items():
        for snap, ours in uses:
            theirs = their_expression(expression, snap)
            if _same(ours, theirs):
                agree_expr += 1
                continue
            kind = _kind_of(expression, ours, theirs)
            disagreements[kind] += 1
            examples.setdefault(kind, f"{expression}: ours {_short(ours)}, arazzo-runner {_short(theirs)}")
    criterion_total = sum(len(v) for v in recorded.criteria.values())
    agree_crit = 0
    for uses in recorded.criteria.values():
        for criterion, snap, ours_passed in uses:
            theirs_passed = their_criterion(criterion, snap)
            if theirs_passed == ours_passed:
                agree_crit += 1
                continue
            kind = "criterion " + _criterion_kind(criterion)
            disagreements[kind] += 1
            examples.setdefault(kind, f"{criterion['condition']} (context {criterion.get('context', '-')}): ours "
                                      f"{ours_passed}, arazzo-runner {theirs_passed}")
    print(f"\nOur {len(files)} scenario files, run on the embedded simulator: {len(recorded.expressions)} distinct "
          f"expressions in {expression_total} evaluations, {len(recorded.criteria)} distinct criteria in "
          f"{criterion_total} checks (at most {_PER_TEXT} contexts kept per text)")
    print(f"  expressions: arazzo-runner agrees with ours in {agree_expr} of {expression_total}")
    print(f"  criteria: arazzo-runner agrees with ours in {agree_crit} of {criterion_total}")
    for kind, count in disagreements.most_common():
        print(f"  {count:5d} × {kind}: e.g. {examples[kind]}")
    findings["scenarios"] = {"files": len(files), "expressions": len(recorded.expressions),
                             "expression_evaluations": expression_total, "expressions_agree": agree_expr,
                             "criteria": len(recorded.criteria), "criterion_checks": criterion_total,
                             "criteria_agree": agree_crit,
                             "disagreements": [{"kind": k, "count": c, "example": examples[k]}
                                               for k, c in disagreements.most_common()]}
    if options.json:
        options.json.write_text(json.dumps(findings, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


def _kind_of(expression: str, ours: Any, theirs: Any) -> str:
    head = expression.split("#")[0]
    prefix = ".".join(head.split(".")[:2]) if head.startswith("$steps.") else head.split(".")[0]
    if head.startswith("$steps."):
        prefix = "$steps.<id>"
    pointer = " with #pointer" if "#" in expression else ""
    if ours == _MISSING:
        return f"expression {prefix}{pointer}: nothing there, arazzo-runner gives a value"
    if theirs is None:
        return f"expression {prefix}{pointer}: arazzo-runner finds nothing (None)"
    return f"expression {prefix}{pointer}: different value"


def _criterion_kind(criterion: dict[str, Any]) -> str:
    kind = criterion.get("type", "simple")
    kind = kind.get("type") if isinstance(kind, dict) else kind
    condition = str(criterion["condition"])
    features = [name for name, token in (("&&", "&&"), ("||", "||"), ("!", "!("), ("'string'", "'"),
                                         ("#pointer", "#/")) if token in condition]
    return f"{kind}" + (f" ({', '.join(features)})" if features else "")


if __name__ == "__main__":
    raise SystemExit(main())
