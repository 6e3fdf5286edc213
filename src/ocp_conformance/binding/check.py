"""`contracts lint` for the binding: every name it binds exists in the bound contract, each finding at its line.

A binding that names an operation, a field, a parameter, an enum code or a security scheme the contract does not
have would make the suites send what the contract forbids and blame the target for refusing it; this check
stops that before any request is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonpointer import JsonPointer

from ocp_conformance.binding.model import Binding, FieldRole
from ocp_conformance.contracts import ApiDocument, ContractSet, Operation, did_you_mean
from ocp_conformance.contracts.lint import LintFinding

__all__ = ["check_binding", "field_schemas"]

_FIX_DOC = "see docs/adopting-the-official-contract.md"


def check_binding(contracts: ContractSet, binding: Binding) -> list[LintFinding]:
    """Every finding about ``binding`` against ``contracts`` (an absent binding is one warning)."""
    if binding.document is None:
        return [LintFinding("warning", binding.path, "no binding.yaml: no check that needs a role can run",
                            f"run `ocp-conformance contracts adopt` or write one; {_FIX_DOC}")]
    findings: list[LintFinding] = []
    findings += _functions(contracts, binding)
    findings += _unbound_entries(contracts, binding)
    findings += _field_sets(contracts, binding)
    findings += _auth(contracts, binding)
    findings += _errors(contracts, binding)
    return findings


def _functions(contracts: ContractSet, binding: Binding) -> Iterator[LintFinding]:
    names = [e.name for e in contracts.catalogue]
    operations = contracts.operations
    for name, bound in binding.functions.items():
        if name not in names:
            yield LintFinding("error", binding.locate("functions", name),
                              f"{name!r} is not a catalogue function.{did_you_mean(name, names)}",
                              "name the function exactly as contracts/catalogue.yaml does")
            continue
        entry = contracts.catalogue.entry(name)
        for role, op_id in bound.operations.items():
            where = binding.locate("functions", name, "operations", role)
            if op_id not in operations:
                yield LintFinding("error", where, f"{name!r} {role}: no contract defines operationId {op_id!r}."
                                  f"{did_you_mean(op_id, operations, cutoff=0.6)}",
                                  "name an operationId of the bound contract")
            elif op_id not in entry.operations:
                yield LintFinding("error", where, f"{name!r} {role}: operation {op_id} is not one of the catalogue "
                                  f"entry's operations ({', '.join(entry.operations) or 'none'})",
                                  f"add {op_id} to the entry's operations in contracts/catalogue.yaml")


def _unbound_entries(contracts: ContractSet, binding: Binding) -> Iterator[LintFinding]:
    for entry in contracts.catalogue:
        if entry.kind != "rap" and entry.contracted and entry.name not in binding.functions:
            yield LintFinding("warning", binding.locate("functions"),
                              f"{entry.name!r} is not bound: its checks that need a role are not run",
                              f'add functions."{entry.name}".operations (create, get, list, ...); {_FIX_DOC}')


def _field_sets(contracts: ContractSet, binding: Binding) -> Iterator[LintFinding]:
    users: dict[str, list[Operation]] = {}
    for bound in binding.functions.values():
        if bound.fields is not None:
            users.setdefault(bound.fields, []).extend(
                contracts.operations[o] for o in bound.operations.values() if o in contracts.operations)
    for set_name, roles in binding.field_sets.items():
        operations = users.get(set_name, [])
        if not operations:
            yield LintFinding("warning", binding.locate("fields", set_name),
                              f"field set {set_name!r} is used by no bound function",
                              "remove it or bind a function to it")
            continue
        for role, spec in roles.items():
            yield from _field(contracts, binding, set_name, role, spec, operations)


def _field(contracts: ContractSet, binding: Binding, set_name: str, role: str, spec: FieldRole,
           operations: list[Operation]) -> Iterator[LintFinding]:
    where = binding.locate("fields", set_name, role)
    ops = ", ".join(o.operation_id for o in operations)
    if spec.parameter is not None and not any(
            p.get("name") == spec.parameter for o in operations for p in o.spec.get("parameters", [])):
        yield LintFinding("error", where, f"{set_name}.{role}: no operation of {ops} has a parameter "
                          f"{spec.parameter!r}", "name a path or query parameter the contract declares")
    if spec.pointer is None:
        return
    schemas = [s for o in operations for s in field_schemas(contracts.document(o.document), o, spec.pointer)]
    if not schemas:
        yield LintFinding("error", where, f"{set_name}.{role}: pointer {spec.pointer} names no field of the "
                          f"request or response bodies of {ops}",
                          "point at a property the contract's schemas declare (JSON pointer, e.g. /stockCode)")
        return
    if spec.enum is None:
        return
    declared = {code for s in schemas for code in s.get("enum", ())}
    if not declared:
        return  # the contract does not enumerate this field: nothing to compare the map with
    codes = binding.enums.get(spec.enum, {})
    for value, code in codes.items():
        if code not in declared:
            yield LintFinding("error", binding.locate("enums", spec.enum, value),
                              f"enums.{spec.enum}: {value} is bound to {code!r}, which {set_name}.{role} "
                              f"({spec.pointer}) does not allow (allowed: {', '.join(map(str, sorted(declared)))})",
                              "bind the model's value to one of the contract's codes")


def field_schemas(document: ApiDocument, operation: Operation, pointer: str) -> list[dict[str, Any]]:
    """The schemas ``pointer`` names in ``operation``'s request body or 2xx response bodies (also inside the
    items of a list such as a page's ``items``)."""
    found = []
    for root in _body_schemas(document, operation):
        for base in (root, *_item_schemas(document, root)):
            schema = _descend(document, base, JsonPointer(pointer).parts)
            if schema is not None:
                found.append(schema)
    return found


def _body_schemas(document: ApiDocument, operation: Operation) -> Iterator[dict[str, Any]]:
    request = document.resolve(operation.spec.get("requestBody", {}))
    for media in (request.get("content") or {}).values():
        if "schema" in media:
            yield document.resolve(media["schema"])
    for status, response in (operation.spec.get("responses") or {}).items():
        if str(status).startswith("2"):
            for media in (document.resolve(response).get("content") or {}).values():
                if "schema" in media:
                    yield document.resolve(media["schema"])


def _item_schemas(document: ApiDocument, schema: dict[str, Any], depth: int = 3) -> Iterator[dict[str, Any]]:
    """The item schemas of ``schema``'s lists, and of the lists inside those items (a run's failures inside a page's
    runs), ``depth`` levels down: an item role's pointer is relative to one item of its list."""
    for sub in _alternatives(document, schema):
        lists = [sub] if sub.get("type") == "array" else []
        lists += [document.resolve(prop) for prop in (sub.get("properties") or {}).values()]
        for listed in lists:
            if listed.get("type") == "array" and isinstance(listed.get("items"), dict):
                item = document.resolve(listed["items"])
                yield item
                if depth > 1:
                    yield from _item_schemas(document, item, depth - 1)


def _alternatives(document: ApiDocument, schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    schema = document.resolve(schema)
    yield schema
    for keyword in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(keyword, ()):
            yield from _alternatives(document, sub)


def _descend(document: ApiDocument, schema: dict[str, Any], parts: list[str]) -> dict[str, Any] | None:
    if not parts:
        return schema
    for sub in _alternatives(document, schema):
        prop = (sub.get("properties") or {}).get(parts[0])
        if isinstance(prop, dict):
            found = _descend(document, document.resolve(prop), parts[1:])
            if found is not None:
                return _merged_enum(document, found)
    return None


def _merged_enum(document: ApiDocument, schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with an ``enum`` gathered from its alternatives (a $ref'd enum inside allOf, say)."""
    if "enum" in schema:
        return schema
    codes = [c for sub in _alternatives(document, schema) for c in sub.get("enum", ())]
    return {**schema, "enum": codes} if codes else schema


def _auth(contracts: ContractSet, binding: Binding) -> Iterator[LintFinding]:
    declared = {name for d in contracts.api_documents
                for name in ((d.bundled.get("components") or {}).get("securitySchemes") or {})}
    for index, scheme in enumerate(binding.auth_schemes):
        if scheme not in declared:
            yield LintFinding("error", binding.locate("auth", "schemes", index),
                              f"security scheme {scheme!r} is not declared.{did_you_mean(scheme, declared)}",
                              "name a scheme under the contract's components.securitySchemes")


def _errors(contracts: ContractSet, binding: Binding) -> Iterator[LintFinding]:
    if binding.errors is None:
        yield LintFinding("warning", binding.locate(), "no `errors` shape: checks of error answers are not run",
                          f"add errors.media_type and errors.code; {_FIX_DOC}")
        return
    media = binding.errors.media_type
    used = {m for d in contracts.api_documents for o in d.operations.values()
            for s, r in (o.spec.get("responses") or {}).items() if str(s)[0] in "45"
            for m in (d.resolve(r).get("content") or {})}
    if used and media not in used:
        yield LintFinding("error", binding.locate("errors", "media_type"),
                          f"errors.media_type {media!r} is used by no error response of the contract "
                          f"(used: {', '.join(sorted(used))})", "name the media type the error responses declare")
