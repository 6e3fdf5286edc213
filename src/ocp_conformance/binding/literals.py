"""The grep of issue 14, as a measurement: the contract's own names written in Python outside the adapter layer.

Adopting an official contract is a data-only edit only if no suite and no simulator handler spells the model's
contract: its operationIds, its property and parameter names, its paths. This module reads those files with
Python's ``ast`` (docstrings and comments do not count; f-string pieces do) and finds every string literal that is
one of these names, so ``contracts lint --with-suites`` can say how many remain, where.

Not counted, by design:

- names that are also binding *roles* (``quantity``, ``status``, ``amount``...): a role is the adapter layer's
  vocabulary, mapped by the binding to whatever the bound contract calls it;
- enum values: suites pass the model's *domain* values, which the binding's enum maps turn into the bound codes;
- the simulator's control API (clock, batch runs, seeding), the same whatever contract is bound: its handlers
  (``control_handlers.py``) and the suites' one client of it (``suites/sim_control.py``) are not read;
- the argument names of ``pytest.mark.parametrize`` (a test's own variable names, never sent).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocp_conformance.binding.model import Binding
from ocp_conformance.contracts import ContractSet, SourceLocation
from ocp_conformance.contracts.lint import LintFinding

__all__ = ["ContractLiteral", "contract_vocabulary", "find_contract_literals", "literal_findings"]

_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


@dataclass(frozen=True, slots=True)
class ContractLiteral:
    """One string literal of the contract's vocabulary found in Python."""

    where: SourceLocation
    literal: str
    kind: str
    """``operationId``, ``field``, ``parameter`` or ``path``."""


def contract_vocabulary(contracts: ContractSet, binding: Binding) -> dict[str, str]:
    """Every name of the bound contract's participant-facing documents, as ``{name: kind}``, minus binding roles."""
    roles = _role_names(binding)
    vocabulary: dict[str, str] = {}
    for document in contracts.api_documents:
        for path, item in (document.bundled.get("paths") or {}).items():
            vocabulary.setdefault(_static_prefix(path), "path")
            for method, spec in (item or {}).items():
                if method in _HTTP_METHODS and isinstance(spec, dict):
                    for parameter in [*(item.get("parameters") or []), *(spec.get("parameters") or [])]:
                        name = document.resolve(parameter).get("name")
                        if isinstance(name, str) and name not in roles:
                            vocabulary.setdefault(name, "parameter")
        for name in _property_names(document.bundled):
            if name not in roles:
                vocabulary.setdefault(name, "field")
        for operation_id in document.operations:
            vocabulary[operation_id] = "operationId"
    vocabulary.pop("", None)
    vocabulary.pop("/", None)
    return vocabulary


def find_contract_literals(files: Iterable[Path], vocabulary: Mapping[str, str]) -> list[ContractLiteral]:
    """Every string literal in ``files`` that is a name of ``vocabulary`` (a path: any literal containing it)."""
    paths = [name for name, kind in vocabulary.items() if kind == "path"]
    found = []
    for file in files:
        try:
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        except (SyntaxError, UnicodeDecodeError):
            continue  # not Python we can read: collection reports it, with its line
        ignored = {id(node) for node in [*_docstrings(tree), *_parametrize_names(tree)]}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in ignored:
                continue
            where = SourceLocation(file, node.lineno, node.col_offset + 1)
            kind = vocabulary.get(node.value)
            if kind is not None and kind != "path":
                found.append(ContractLiteral(where, node.value, kind))
                continue
            path = next((p for p in paths if p in node.value), None)
            if path is not None:
                found.append(ContractLiteral(where, path, "path"))
    return found


def _role_names(binding: Binding) -> set[str]:
    roles = {role for field_set in binding.field_sets.values() for role in field_set}
    for bound in binding.functions.values():
        roles.update(bound.operations)
    return roles


def _static_prefix(path: str) -> str:
    """``/settlement-instructions/{siId}/hold`` -> ``/settlement-instructions``: the part a literal would spell."""
    return path.split("{", 1)[0].rstrip("/")


def _property_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            yield from (name for name in properties if isinstance(name, str))
        for value in node.values():
            yield from _property_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from _property_names(value)


def _docstrings(tree: ast.AST) -> Iterator[ast.AST]:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for statement in body:
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
                        and isinstance(statement.value.value, str):
                    yield statement.value


def _parametrize_names(tree: ast.AST) -> Iterator[ast.AST]:
    """The string constants naming the arguments of ``parametrize(...)`` calls (its first argument)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "parametrize" \
                and node.args:
            yield from (n for n in ast.walk(node.args[0]) if isinstance(n, ast.Constant))


def literal_findings(contracts: ContractSet, binding: Binding, suites: Path,
                     handlers: Path) -> tuple[list[LintFinding], dict[str, int]]:
    """One warning per file of ``suites/*.py`` and the simulator's ``*_handlers.py`` (control excluded) that spells
    the bound contract's names, with the count and the first few; and the totals ``{"suites": n, "handlers": m}``."""
    vocabulary = contract_vocabulary(contracts, binding)
    groups = {"suites": sorted(p for p in suites.glob("*.py") if p.name != "sim_control.py"),
              "handlers": sorted(p for p in handlers.glob("*_handlers.py") if p.name != "control_handlers.py")}
    findings: list[LintFinding] = []
    totals: dict[str, int] = {}
    for group, files in groups.items():
        found = find_contract_literals(files, vocabulary)
        totals[group] = len(found)
        for file in files:
            mine = sorted((f for f in found if f.where.path == file), key=lambda f: (f.where.line, f.where.column))
            if not mine:
                continue
            shown = ", ".join(f"{f.literal!r} ({f.kind}, line {f.where.line})" for f in mine[:4])
            more = f" and {len(mine) - 4} more" if len(mine) > 4 else ""
            findings.append(LintFinding(
                "warning", mine[0].where, f"{len(mine)} name(s) of the contract written in Python, outside the "
                f"adapter layer: {shown}{more}",
                "read them through the binding (BoundClient / read_role / the binding's parameters), so an "
                "adopted contract needs no Python change"))
    return findings, totals
