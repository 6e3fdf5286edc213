"""`contracts lint --with-suites`: every role, operationId and field name the suites and scenarios use, checked
against the bound contract and its binding, each gap at ``file:line`` with the fix.

Suites are read, not run (Python's ``ast``): a role call ``bound.call("Input SI", "create", stock_code=...)`` or
``bound.operation(...)``/``bound.request(...)``, and a ``("Input SI", "create")`` case key, must be bound; a call in
the model's own vocabulary (``client.call("Input SI", stockCode=...)``, ``call_operation("inputSi")``) is not
through the binding: its field names and operationId must then exist in the bound contract as written, and each
such call is counted, so the work left to make every suite follow a bound contract is measured. Scenarios' step
``operationId``s must name operations of the bound contract (or of simulator control).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ocp_conformance.binding.model import Binding, BindingMissing
from ocp_conformance.contracts import ContractSet, SourceLocation, did_you_mean
from ocp_conformance.contracts.lint import LintFinding

__all__ = ["Usage", "check_suite_usage"]

_ROLE_METHODS = frozenset({"call", "operation", "request"})
_CALL_OPTIONS = frozenset({"as_participant", "headers", "validate_request", "body", "parameters", "operation"})
_STEP_OPERATION = re.compile(r"^\s*operationId:\s*(\S+)\s*$")


@dataclass(frozen=True, slots=True)
class Usage:
    """How many uses were found, and how many go through the binding."""

    bound: int
    unbound: int


def check_suite_usage(contracts: ContractSet, binding: Binding, suites: Path,
                      scenarios: Path) -> tuple[list[LintFinding], Usage]:
    """Findings for every use the suites (``suites/*.py``) and scenarios (``**/*.arazzo.yaml``) make."""
    findings: list[LintFinding] = []
    bound = unbound = 0
    names = {e.name for e in contracts.catalogue}
    for path in sorted(suites.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for finding, through_binding in _node_findings(contracts, binding, names, path, node):
                if finding is not None:
                    findings.append(finding)
                if through_binding is True:
                    bound += 1
                elif through_binding is False:
                    unbound += 1
    findings += list(_scenario_findings(contracts, scenarios))
    return findings, Usage(bound=bound, unbound=unbound)


def _strings(args: list[ast.expr]) -> list[str]:
    out = []
    for arg in args:
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            break
        out.append(arg.value)
    return out


def _node_findings(contracts: ContractSet, binding: Binding, names: set[str], path: Path,
                   node: ast.AST) -> Iterator[tuple[LintFinding | None, bool | None]]:
    where = SourceLocation(path, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)
    if isinstance(node, ast.Tuple):
        strings = _strings(list(node.elts))
        if len(strings) == 2 == len(node.elts) and strings[0] in names and re.fullmatch(r"[a-z_]+", strings[1]):
            yield _role(binding, where, strings[0], strings[1]), True
        return
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return
    method = node.func.attr
    strings = _strings(list(node.args))
    if method in _ROLE_METHODS and len(strings) >= 2 and strings[0] in names:
        function, role = strings[0], strings[1]
        yield _role(binding, where, function, role), True
        if method == "call":
            for keyword in node.keywords:
                if keyword.arg is not None and keyword.arg not in _CALL_OPTIONS:
                    yield _field(binding, where, function, keyword.arg), None
    elif method == "call" and len(strings) == 1 and strings[0] in names and len(node.args) >= 2:
        yield _bound_function(binding, where, strings[0]), True  # a role chosen at run time (e.g. role_for)
    elif method == "call" and len(strings) == 1 and strings[0] in names:
        yield _model_call(contracts, where, strings[0], node), False
    elif method == "call_operation" and strings and not _is_control(contracts, strings[0]):
        yield _operation(contracts, where, strings[0]), False


def _is_control(contracts: ContractSet, operation_id: str) -> bool:
    """The simulator's own control surface (clock, batch runs, seeding): the same whatever contract is bound."""
    control = contracts.control_document
    return control is not None and operation_id in control.operations


def _role(binding: Binding, where: SourceLocation, function: str, role: str) -> LintFinding | None:
    try:
        binding.operation(function, role)
    except BindingMissing as exc:
        return LintFinding("error", where, f"the suite needs the {role} operation of {function!r}: {exc}",
                           f'bind it in binding.yaml: functions."{function}".operations.{role}')
    return None


def _bound_function(binding: Binding, where: SourceLocation, function: str) -> LintFinding | None:
    if function in binding.functions:
        return None
    return LintFinding("error", where, f"the suite calls {function!r} by a role chosen at run time, and the binding "
                       "does not bind the function", f'bind it in binding.yaml: functions."{function}"')


def _field(binding: Binding, where: SourceLocation, function: str, role: str) -> LintFinding | None:
    try:
        binding.field(function, role)
    except BindingMissing as exc:
        return LintFinding("error", where, f"the suite sends field role {role!r} of {function!r}: {exc}",
                           "bind the role in binding.yaml's field set of that function")
    return None


def _model_call(contracts: ContractSet, where: SourceLocation, function: str, node: ast.Call) -> LintFinding:
    operations = contracts.operations_of(function)
    accepted = {p.get("name") for op in operations for p in op.spec.get("parameters", [])}
    for op in operations:
        document = contracts.document(op.document)
        content = document.resolve(op.spec.get("requestBody", {})).get("content") or {}
        for media in content.values():
            accepted.update(document.resolve(media.get("schema", {})).get("properties") or {})
    sent = [k.arg for k in node.keywords if k.arg is not None and k.arg not in _CALL_OPTIONS]
    unknown = [name for name in sent if name not in accepted]
    if not operations or unknown:
        what = "has no operation" if not operations else f"declares no field or parameter {', '.join(unknown)}"
        return LintFinding("error", where, f"the suite calls {function!r} in the model's names, and the bound "
                           f"contract {what}", "convert the call to a role call (BoundClient) or bind the function")
    return LintFinding("warning", where, f"the suite calls {function!r} in the model's names, not through the "
                       "binding", "convert it to BoundClient.call(function, role, <roles>)")


def _operation(contracts: ContractSet, where: SourceLocation, operation_id: str) -> LintFinding:
    if operation_id in contracts.operations:
        return LintFinding("warning", where, f"the suite calls operationId {operation_id!r} directly, not through "
                           "the binding", "call it by function and role (BoundClient)")
    return LintFinding("error", where, f"the suite calls operationId {operation_id!r}, which the bound contract does "
                       f"not define.{did_you_mean(operation_id, contracts.operations, cutoff=0.6)}",
                       "convert the call to a role call, or bind the operation")


def _scenario_findings(contracts: ContractSet, scenarios: Path) -> Iterator[LintFinding]:
    known = set(contracts.operations)
    upload = contracts.rap_upload_document
    if upload is not None:
        known.update(upload.operations)
    for path in sorted(scenarios.rglob("*.arazzo.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = _STEP_OPERATION.match(line)
            if match is None:
                continue
            operation_id = match.group(1).strip("'\"").rsplit(".", 1)[-1]
            if operation_id not in known:
                yield LintFinding("error", SourceLocation(path, number, line.index(match.group(1)) + 1),
                                  f"the workflow calls operationId {operation_id!r}, which the bound contract does "
                                  f"not define.{did_you_mean(operation_id, known, cutoff=0.6)}",
                                  "bind the workflow to the official names (a copy per contract) or add the operation")
