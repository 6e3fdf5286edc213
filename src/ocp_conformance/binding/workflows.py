"""Bound copies of the model's Arazzo workflows: the same business flows, written in a bound contract's names.

A workflow of ours names our operationIds, our body fields in payloads and JSON pointers, our enum codes and
error codes in literals, our statuses and our bearer token. Each of those is a role of our binding, so the copy is
made role by role through both bindings: the step's operation becomes the bound contract's operation for the same
function and role (for a function split into two operations, the one whose ``constants`` the payload carries),
parameters and payload fields are renamed, enum and error-code literals mapped, ``$statusCode`` literals mapped to
the bound operation's success status or the bound status of the same kind of error, and the credential moves to
the bound auth scheme's header. The copy is a plain Arazzo file: our runner executes it, and so can Redocly
``respect``.

A workflow that needs a role either binding lacks is not copied: :func:`bind_scenario` reports it with the missing
entry, so its check is *not run* naming the binding, never failed on our own gap.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocp_conformance.binding.auth import credential_header
from ocp_conformance.binding.bodies import complete_required, place_pointer
from ocp_conformance.binding.model import Binding, BindingMissing, FieldRole
from ocp_conformance.contracts import ApiDocument, ContractSet, Operation
from ocp_conformance.contracts.bodies import request_body_schema, response_body_schema, success_statuses

__all__ = ["BoundScenario", "NotBindable", "bind_scenario"]

_BODY = re.compile(r"\$response\.body#(?P<ptr>/[^\s=!<>&|()']*)(?:(?P<op>\s*(?:==|!=)\s*)'(?P<lit>[^']*)')?")
_STATUS = re.compile(r"\$statusCode(?P<op>\s*(?:==|!=)\s*)(?P<code>\d{3})")
_SOURCE_NAME = re.compile(r"[^A-Za-z0-9_\-]")


class NotBindable(LookupError):
    """A workflow step uses something no role of our binding names (a model-side gap): not copied, with the reason."""


@dataclass(slots=True)
class BoundScenario:
    """The bound copy of one scenario file: its data (``None`` if no workflow could be bound) and, per workflow
    left out, the reason (the binding entry to add)."""

    data: dict[str, Any] | None
    not_bound: dict[str, str] = field(default_factory=dict)
    not_applicable: dict[str, str] = field(default_factory=dict)
    """Per workflow left out because it needs a function the bound contract does not offer, the reason."""
    functions: dict[str, list[str]] = field(default_factory=dict)
    """Per workflow left out, the functions it verifies that the bound catalogue knows."""


def bind_scenario(raw: Mapping[str, Any], source_path: Path, ours: ContractSet, our_binding: Binding,
                  bound: ContractSet, binding: Binding, out_path: Path) -> BoundScenario:
    """The copy of the scenario ``raw`` (read from ``source_path``) in ``bound``'s names, to be written at
    ``out_path`` (source descriptions are made relative to it).

    A workflow needing a role the bindings lack is left out as *not bound* (its check not run, the entry named);
    one needing a function the bound catalogue does not contract at all is left out as *not applicable*."""
    binder = _Binder(ours, our_binding, bound, binding, source_path, out_path)
    known = {entry.name for entry in bound.catalogue}
    offered = {entry.name for entry in bound.catalogue if entry.contracted}
    result = BoundScenario(data=None)
    workflows: list[dict[str, Any]] = []
    for workflow in raw.get("workflows") or []:
        workflow_id = str(workflow.get("workflowId"))
        verified = [f for f in workflow.get("x-ocp-functions") or [] if f in known]
        if not any(f in offered for f in verified):
            result.not_applicable[workflow_id] = ("it verifies only functions the bound contract does not offer ("
                                                  + ", ".join(workflow.get("x-ocp-functions") or []) + ")")
            result.functions[workflow_id] = verified
            continue
        try:
            workflows.append(binder.workflow(workflow, raw, verified))
        except (BindingMissing, NotBindable) as missing:
            needed = missing.function if isinstance(missing, BindingMissing) else None
            if needed is not None and needed not in offered:
                result.not_applicable[workflow_id] = (f"it needs {needed}, which the bound contract does not offer "
                                                      "(not contracted in its catalogue)")
            else:
                result.not_bound[workflow_id] = str(missing)
            result.functions[workflow_id] = verified
    if workflows:
        data = {key: copy.deepcopy(value) for key, value in raw.items()
                if key not in {"workflows", "sourceDescriptions", "x-ocp-common"}}
        data["sourceDescriptions"] = binder.source_descriptions(raw)
        data["workflows"] = workflows
        data["x-ocp-bound-copy"] = {"of": _relative(source_path, out_path), "binding": _relative(binding.path,
                                                                                                 out_path)}
        result.data = data
    return result


def _relative(path: Path, out_path: Path) -> str:
    return Path(os.path.relpath(path.resolve(), out_path.resolve().parent)).as_posix()


@dataclass(frozen=True, slots=True)
class _StepContext:
    function: str
    ours: Operation
    theirs: Operation


class _Binder:
    def __init__(self, ours: ContractSet, our_binding: Binding, bound: ContractSet, binding: Binding,
                 source_path: Path, out_path: Path) -> None:
        self.ours, self.our_binding, self.bound, self.binding = ours, our_binding, bound, binding
        self.source_path, self.out_path = source_path, out_path
        self.header = credential_header(bound, binding)
        self.used_documents: dict[str, ApiDocument] = {}
        """Bound documents the copied steps call, by their source-description name."""

    # ------------------------------------------------------------------ sources
    def _source_map(self, raw: Mapping[str, Any]) -> dict[str, ApiDocument | None]:
        """Per source name: the bound document of the same file name (kept as is), or ``None`` for one of our
        documents whose operations are translated."""
        bound_by_name = {d.path.name: d for d in (*self.bound.documents, self.bound.rap_upload_document) if d}
        mapped: dict[str, ApiDocument | None] = {}
        for description in raw.get("sourceDescriptions") or []:
            name = Path(str(description.get("url"))).name
            mapped[str(description.get("name"))] = bound_by_name.get(name)
        return mapped

    def source_descriptions(self, raw: Mapping[str, Any]) -> list[dict[str, Any]]:
        descriptions = []
        for name, document in self._source_map(raw).items():
            if document is not None:
                descriptions.append({"name": name, "url": _relative(document.path, self.out_path), "type": "openapi"})
        for name, document in self.used_documents.items():
            if all(d["name"] != name for d in descriptions):
                descriptions.append({"name": name, "url": _relative(document.path, self.out_path), "type": "openapi"})
        return descriptions

    # ------------------------------------------------------------------ workflows and steps
    def workflow(self, workflow: Mapping[str, Any], raw: Mapping[str, Any], verified: list[str]) -> dict[str, Any]:
        sources = self._source_map(raw)
        copied = copy.deepcopy(dict(workflow))
        copied["x-ocp-functions"] = verified
        copied["steps"] = [self.step(step, sources) for step in workflow.get("steps") or []]
        return copied

    def step(self, step: Mapping[str, Any], sources: Mapping[str, ApiDocument | None]) -> dict[str, Any]:
        reference = str(step["operationId"])
        source, _, operation_id = reference.removeprefix("$sourceDescriptions.").rpartition(".")
        if not reference.startswith("$sourceDescriptions."):
            source, operation_id = "", reference
        if source and sources.get(source) is not None:
            return copy.deepcopy(dict(step))  # a document the bound folder holds too (simulator control)
        if not source and any(operation_id in d.operations for d in sources.values() if d is not None):
            return copy.deepcopy(dict(step))
        ours = self.ours.operations.get(operation_id)
        upload = self.ours.rap_upload_document
        if ours is None and upload is not None and operation_id in upload.operations:
            raise NotBindable(f"step {step.get('stepId')}: {operation_id} is the RAP upload "
                              f"({upload.path.name}), which the bound contracts folder does not have")
        if ours is None:
            raise NotBindable(f"step {step.get('stepId')}: {operation_id} is none of our contract's operations")
        function, our_role = self._function_of(operation_id)
        payload = (step.get("requestBody") or {}).get("payload")
        roles_sent = self._roles_in_payload(function, payload)
        role = self._their_role(function, our_role, roles_sent)
        theirs = self.bound.operation(self.binding.operation(function, role))
        context = _StepContext(function, ours, theirs)
        document = self.bound.document(theirs.document)
        name = _SOURCE_NAME.sub("", document.path.stem) or "bound"
        self.used_documents[name] = document
        copied = copy.deepcopy(dict(step))
        copied["operationId"] = f"$sourceDescriptions.{name}.{theirs.operation_id}"
        copied["parameters"] = [self.parameter(context, p) for p in step.get("parameters") or []]
        if not copied["parameters"]:
            del copied["parameters"]
        implied = set(self.binding.functions[function].constants.get(role, {}))
        body = self.payload(context, payload, implied) if isinstance(payload, dict) else payload
        if request_body_schema(self.bound, theirs) is None or (isinstance(body, dict) and not body and implied):
            copied.pop("requestBody", None)
        elif body is not None:
            copied["requestBody"] = {**copied["requestBody"], "payload": body}
        expected = self._expected_status(step)
        status = self.status(context, expected) if expected is not None else None
        for key in ("successCriteria",):
            if key in copied:
                copied[key] = [self.criterion(context, c, status) for c in copied[key]]
        for key in ("onSuccess", "onFailure"):
            for action in copied.get(key) or []:
                if "criteria" in action:
                    action["criteria"] = [self.criterion(context, c, status) for c in action["criteria"]]
        if "outputs" in copied:
            copied["outputs"] = {k: self.expression(context, str(v), status) for k, v in copied["outputs"].items()}
        return copied

    def _function_of(self, operation_id: str) -> tuple[str, str]:
        roles = self.our_binding.roles_of(operation_id)
        if not roles:
            raise NotBindable(f"no function of our binding ({self.our_binding.path.name}) serves {operation_id}: "
                              "bind it there first")
        for function, role in roles:
            if function in self.binding.functions:
                return function, role
        self.binding.operation(*roles[0])  # raises BindingMissing naming the function
        raise AssertionError("unreachable")

    def _their_role(self, function: str, our_role: str, sent: Mapping[str, Any]) -> str:
        """The bound role serving ``our_role``: the same role, or for a function split into operations that each
        imply field values (``constants``), the one whose implied values the payload carries."""
        bound = self.binding.functions[function]
        candidates = [our_role, *(r for r in bound.operations if r != our_role)]
        for role in candidates:
            constants = bound.constants.get(role, {})
            if role in bound.operations and (constants or role == our_role) \
                    and all(sent.get(k) == v for k, v in constants.items()):
                return role
        self.binding.operation(function, our_role)  # raises BindingMissing when the role is not bound at all
        raise NotBindable(f"{function}: the payload ({sent}) carries none of the values the operations of "
                          f"{self.binding.path.name} imply ({dict(bound.constants)})")

    # ------------------------------------------------------------------ payloads and parameters
    def _our_roles(self, function: str) -> Mapping[str, FieldRole]:
        try:
            return self.our_binding.fields_of(function)
        except BindingMissing as missing:
            raise NotBindable(f"our binding lacks the fields of {function}: {missing}") from None

    def _role_at(self, function: str, pointer: str) -> str | None:
        for role, spec in self._our_roles(function).items():
            if spec.pointer == pointer:
                return role
        return None

    def _roles_in_payload(self, function: str, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            return {}
        sent: dict[str, Any] = {}
        for key, value in payload.items():
            role = self._role_at(function, f"/{key}")
            if role is not None:
                sent[role] = self._model_value(function, role, value)
        return sent

    def _model_value(self, function: str, role: str, value: Any) -> Any:
        enum = self._our_roles(function)[role].enum
        if enum is None or not isinstance(value, str) or _is_expression(value):
            return value
        return self.our_binding.value(enum, value, function=function)

    def _their_value(self, function: str, role: str, value: Any) -> Any:
        """Our literal for ``role`` -> the bound contract's (expressions pass unchanged)."""
        enum = self._our_roles(function)[role].enum
        if enum is None or not isinstance(value, str) or _is_expression(value):
            return value
        their_enum = self.binding.field(function, role).enum
        if their_enum is None:
            return value
        return self.binding.code(their_enum, str(self.our_binding.value(enum, value, function=function)),
                                 function=function)

    def payload(self, context: _StepContext, payload: Mapping[str, Any], implied: set[str]) -> dict[str, Any]:
        function = context.function
        accepted = set((request_body_schema(self.bound, context.theirs) or {}).get("properties") or {})
        body: dict[str, Any] = {}
        for key, value in payload.items():
            role = self._role_at(function, f"/{key}")
            if role is not None:
                if role in implied:
                    continue  # the bound operation implies it (a split function)
                place_pointer(body, self.binding.pointer(function, role), self._their_value(function, role, value))
            elif key in accepted:
                body[key] = value  # no role, the same name in both contracts
            else:
                raise NotBindable(f"the payload field /{key} of {context.ours.operation_id} is no role of "
                                  f"{function}'s fields and {context.theirs.operation_id} has no such field: bind a "
                                  "role to it in both bindings")
        complete_required(self.bound.document(context.theirs.document), context.theirs, body, function)
        return body

    def parameter(self, context: _StepContext, parameter: Mapping[str, Any]) -> dict[str, Any]:
        copied = dict(parameter)
        name, where, value = str(parameter["name"]), parameter["in"], parameter["value"]
        if where == "header":
            if name.lower() == "authorization" and self.header and str(value).startswith("Bearer "):
                return {"name": self.header, "in": "header", "value": str(value).removeprefix("Bearer ")}
            return copied
        function = context.function
        declared = {p.get("name") for p in context.theirs.spec.get("parameters", [])}
        for role, spec in self._our_roles(function).items():
            if spec.parameter == name:
                copied["name"] = self.binding.parameter(function, role)
                copied["value"] = self._their_value(function, role, value)
                return copied
        if name in declared:
            return copied
        raise NotBindable(f"the {where} parameter {name} of {context.ours.operation_id} is no role of {function}'s "
                          f"fields and {context.theirs.operation_id} declares no such parameter: bind a role to it")

    # ------------------------------------------------------------------ criteria and expressions
    @staticmethod
    def _expected_status(step: Mapping[str, Any]) -> int | None:
        for criterion in step.get("successCriteria") or []:
            found = _STATUS.search(str(criterion.get("condition", "")))
            if found is not None and "==" in found.group("op"):
                return int(found.group("code"))
        return None

    def status(self, context: _StepContext, status: int) -> int:
        """Our expected status -> the bound operation's: its success status, or the bound status of the same kind
        of error."""
        if 200 <= status < 300:
            theirs = success_statuses(context.theirs)
            return status if status in theirs or len(theirs) != 1 else theirs[0]
        ours = self.our_binding.error_shape().statuses
        kind = next((k for k, v in ours.items() if v == status), None)
        if kind is None:
            return status
        return self.binding.error_status(kind, function=context.function)

    def criterion(self, context: _StepContext, criterion: Mapping[str, Any], status: int | None) -> dict[str, Any]:
        copied = dict(criterion)
        if copied.get("type") not in (None, "simple"):
            if "context" in copied:
                copied["context"] = self.expression(context, str(copied["context"]), status)
            return copied  # regex and JSONPath conditions read the context, not pointers
        copied["condition"] = self.expression(context, str(criterion["condition"]), status)
        return copied

    def expression(self, context: _StepContext, text: str, status: int | None) -> str:
        def body(match: re.Match[str]) -> str:
            pointer, literal_of = self.response_pointer(context, match.group("ptr"), status)
            out = f"$response.body#{pointer}"
            if match.group("op") is not None:
                literal = match.group("lit")
                mapped = literal if _is_expression(literal) else literal_of(literal)
                out += f"{match.group('op')}'{mapped}'"
            return out

        def status_code(match: re.Match[str]) -> str:
            return f"$statusCode{match.group('op')}{self.status(context, int(match.group('code')))}"

        return _STATUS.sub(status_code, _BODY.sub(body, text))

    def response_pointer(self, context: _StepContext, pointer: str,
                         status: int | None) -> tuple[str, Callable[[str], str]]:
        """Our pointer into an answer -> the bound one, and how to map a literal compared with its value."""
        function = context.function
        parts = pointer.split("/")[1:]
        error = self._error_pointer(context, parts, status)
        if error is not None:
            return error
        roles = self._our_roles(function)
        out: list[str] = []
        last_role: str | None = None
        index = 0
        while index < len(parts):
            if parts[index].isdigit():
                out.append(parts[index])
                index += 1
                continue
            match = None
            for end in range(len(parts), index, -1):
                candidate = "/" + "/".join(parts[index:end])
                match = next((role for role, spec in roles.items() if spec.pointer == candidate), None)
                if match is not None:
                    out.extend(self.binding.pointer(function, match).split("/")[1:])
                    last_role, index = match, end
                    break
            if match is None:
                out.append(parts[index])
                last_role = None
                index += 1
        translated = "/" + "/".join(out)
        self._check_answer_field(context, translated, status)
        if last_role is not None and roles[last_role].enum is not None:
            role = last_role
            return translated, lambda literal: str(self._their_value(function, role, literal))
        return translated, lambda literal: literal

    def _error_pointer(self, context: _StepContext, parts: list[str],
                       status: int | None) -> tuple[str, Callable[[str], str]] | None:
        if status is None or status < 400 or not parts:
            return None
        ours, theirs = self.our_binding.error_shape(), self.binding.error_shape(function=context.function)
        pointer = "/" + "/".join(parts)
        if pointer == ours.code:
            return theirs.code, lambda code: self.binding.error_code(str(self.our_binding.model_error_code(code)),
                                                                     function=context.function)
        if ours.message is not None and pointer == ours.message:
            if theirs.message is None:
                raise BindingMissing("errors.message", function=context.function, file=self.binding.path)
            return theirs.message, lambda literal: literal
        if ours.field_errors and ours.field_pointer and pointer.startswith(ours.field_errors + "/"):
            rest = pointer.removeprefix(ours.field_errors + "/").split("/")
            if len(rest) == 2 and rest[0].isdigit() and "/" + rest[1] == ours.field_pointer:
                if theirs.field_errors is None or theirs.field_pointer is None:
                    raise BindingMissing("errors.field_errors", function=context.function, file=self.binding.path)
                return (f"{theirs.field_errors}/{rest[0]}{theirs.field_pointer}",
                        lambda field_pointer: self._request_pointer(context, field_pointer))
        return None

    def _request_pointer(self, context: _StepContext, pointer: str) -> str:
        """A field an error names (``/quantity``, ``/query/stockCode``) in the bound contract's names."""
        function = context.function
        if pointer.startswith(("/query/", "/path/", "/header/")):
            where, _, name = pointer[1:].partition("/")
            role = next((r for r, s in self._our_roles(function).items() if s.parameter == name), None)
            return f"/{where}/{self.binding.parameter(function, role)}" if role else pointer
        role = self._role_at(function, pointer)
        return self.binding.pointer(function, role) if role else pointer

    def _check_answer_field(self, context: _StepContext, pointer: str, status: int | None) -> None:
        """A pointer no role renamed must name a field of the bound answer too, or the copy would blame a target
        for our missing role."""
        schema = response_body_schema(self.bound, context.theirs, status or (success_statuses(context.theirs)
                                                                              or [200])[0])
        if schema is None:
            return
        document = self.bound.document(context.theirs.document)
        if not _schema_has(document, schema, pointer.split("/")[1:]):
            raise NotBindable(f"{context.ours.operation_id}'s answer field {pointer} is no role of "
                              f"{context.function}'s fields and {context.theirs.operation_id}'s answer has no such "
                              "field: bind a role to it in both bindings")


def _schema_has(document: ApiDocument, schema: Any, parts: list[str]) -> bool:
    node = document.resolve(schema)
    for part in parts:
        node = document.resolve(node)
        if not isinstance(node, dict):
            return True
        for combined in node.get("allOf") or []:
            resolved = document.resolve(combined)
            node = {**node, "properties": {**(node.get("properties") or {}), **(resolved.get("properties") or {})}}
        if part.isdigit() and "items" in node:
            node = node["items"]
        elif part in (node.get("properties") or {}):
            node = node["properties"][part]
        else:
            # a schema that names no properties, allows others, or combines alternatives cannot tell
            return "properties" not in node or node.get("additionalProperties") not in (None, False) \
                or bool(node.get("oneOf") or node.get("anyOf"))
    return True


def _is_expression(value: str) -> bool:
    return value.startswith("$") or "{$" in value
