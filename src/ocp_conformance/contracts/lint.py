"""`contracts lint`: catalogue <-> contracts both ways, valid OpenAPI, valid JSON Schemas, documented codes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from ocp_conformance.contracts.contract_set import CONTROL_DOCUMENT, ContractSet
from ocp_conformance.contracts.source import SourceError, SourceLocation, load_yaml

__all__ = ["LintFinding", "lint_contracts"]


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One problem found in the contracts."""

    severity: Literal["error", "warning"]
    location: SourceLocation | Path
    message: str
    fix: str = ""

    def render(self) -> str:
        text = f"{self.location}: {self.severity}: {self.message}"
        return f"{text}\n  fix: {self.fix}" if self.fix else text


def lint_contracts(contracts: ContractSet, *, require_complete: bool = False) -> list[LintFinding]:
    """Every finding, errors first. ``require_complete`` turns un-contracted catalogue entries into errors."""
    findings: list[LintFinding] = []
    findings += _openapi_validity(contracts)
    findings += _catalogue_to_contracts(contracts, require_complete=require_complete)
    findings += _contracts_to_catalogue(contracts)
    findings += _error_codes(contracts)
    findings += _rap_file_types(contracts)
    findings += _json_schemas(contracts.root)
    return sorted(findings, key=_order)


def _order(finding: LintFinding) -> tuple[bool, str, int]:
    location = finding.location
    if isinstance(location, SourceLocation):
        return (finding.severity != "error", str(location.path), location.line)
    return (finding.severity != "error", str(location), 0)


def _openapi_validity(contracts: ContractSet) -> list[LintFinding]:
    findings = []
    for doc in contracts.documents:
        try:
            validate_openapi(doc.bundled)
        except OpenAPIValidationError as exc:
            parts = tuple(str(p) for p in exc.path)
            findings.append(LintFinding("error", doc.source.locate(parts),
                                        f"invalid OpenAPI 3.1: {str(exc.message).splitlines()[0]}",
                                        "correct the value at this position (see the OpenAPI 3.1 specification)"))
    return findings


def _catalogue_to_contracts(contracts: ContractSet, *, require_complete: bool) -> list[LintFinding]:
    findings = []
    operations = contracts.operations
    doc = contracts.catalogue.document
    for index, entry in enumerate(contracts.catalogue.entries):
        where: SourceLocation | Path = doc.locate(("entries", index)) if doc else contracts.catalogue.path
        if not entry.contracted:
            findings.append(LintFinding(
                "error" if require_complete else "warning", where,
                f"{entry.name!r} ({entry.kind}) is not yet contracted",
                "add its operations (api/gcp) or file_type (rap) once its contract exists",
            ))
            continue
        for op_id in entry.operations:
            op = operations.get(op_id)
            if op is None:
                findings.append(LintFinding("error", where, f"{entry.name!r} names operation {op_id!r}, which no "
                                            "contract defines", f"define {op_id} in contracts/api/ or fix the name"))
            elif op.function != entry.name:
                findings.append(LintFinding("error", where, f"operation {op_id} says x-ocp-function "
                                            f"{op.function!r}, expected {entry.name!r}",
                                            "make the operation's x-ocp-function the catalogue name"))
    return findings


def _contracts_to_catalogue(contracts: ContractSet) -> list[LintFinding]:
    findings = []
    catalogue = contracts.catalogue
    for doc in contracts.documents:
        if doc.name == CONTROL_DOCUMENT:
            continue
        for op in doc.operations.values():
            where = doc.source.locate(("paths", op.path, op.method))
            if op.function is None:
                findings.append(LintFinding("error", where, f"operation {op.operation_id} has no x-ocp-function",
                                            "name the catalogue function it serves in x-ocp-function"))
                continue
            entry = catalogue.function_of(op.operation_id)
            if entry is None:
                names = [e.name for e in catalogue.entries]
                hint = "" if op.function in names else f" (and {op.function!r} is not a catalogue name)"
                findings.append(LintFinding("error", where,
                                            f"operation {op.operation_id} is in no catalogue entry{hint}",
                                            f"add {op.operation_id} to the operations of {op.function!r} "
                                            "in contracts/catalogue.yaml"))
    return findings


def _error_codes(contracts: ContractSet) -> list[LintFinding]:
    findings = []
    for doc in contracts.api_documents:
        for op in doc.operations.values():
            codes = op.spec.get("x-ocp-error-codes", {})
            where = doc.source.locate(("paths", op.path, op.method))
            errors = [s for s in op.documented_statuses if s[0] in "45"]
            for status in errors:
                if not codes.get(status):
                    findings.append(LintFinding("error", where, f"{op.operation_id} documents {status} but lists "
                                                "no error code for it", "add it under x-ocp-error-codes"))
            for status in codes:
                if status not in op.documented_statuses:
                    findings.append(LintFinding("error", where, f"{op.operation_id} lists codes for {status}, "
                                                "a status it does not document", "document the response"))
    return findings


def _rap_file_types(contracts: ContractSet) -> list[LintFinding]:
    """Each RAP entry's ``file_type`` names a layout of ``rap/`` (its top-level ``file_type``), and each layout
    is named by exactly one RAP entry (else the RAP suites cannot credit it)."""
    findings: list[LintFinding] = []
    layouts: dict[str, SourceLocation] = {}
    folder = contracts.root / "rap"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            document = load_yaml(path)
        except SourceError:
            continue  # the layout loader reports it, precisely
        if isinstance(document.data, dict) and isinstance(document.data.get("file_type"), str):
            layouts[document.data["file_type"]] = document.locate(("file_type",))
    doc = contracts.catalogue.document
    named: dict[str, list[str]] = {}
    for index, entry in enumerate(contracts.catalogue.entries):
        if entry.kind != "rap" or entry.file_type is None:
            continue
        named.setdefault(entry.file_type, []).append(entry.name)
        if entry.file_type not in layouts:
            where = doc.locate(("entries", index, "file_type")) if doc else contracts.catalogue.path
            known = ", ".join(sorted(layouts)) or "none"
            findings.append(LintFinding("error", where, f"{entry.name!r} names file_type {entry.file_type!r}, but no "
                                        f"layout under {folder} has that file_type (layouts: {known})",
                                        "fix the file_type, or add the layout contracts/rap/<type>.yaml"))
    for file_type, where in layouts.items():
        entries = named.get(file_type, [])
        if len(entries) != 1:
            seen = f"named by {', '.join(repr(n) for n in entries)}" if entries else "named by no catalogue entry"
            findings.append(LintFinding("error", where, f"layout file_type {file_type!r} is {seen}; expected "
                                        "exactly one RAP entry", "give exactly one RAP entry of "
                                        f"contracts/catalogue.yaml `file_type: {file_type}`"))
    return findings


def _json_schemas(root: Path) -> list[LintFinding]:
    findings = []
    for path in sorted(root.rglob("*.schema.json")):
        try:
            Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            findings.append(LintFinding("error", SourceLocation(path, exc.lineno, exc.colno),
                                        f"invalid JSON: {exc.msg}"))
        except SchemaError as exc:
            findings.append(LintFinding("error", path, f"invalid JSON Schema at {exc.json_path}: {exc.message}"))
    return findings
