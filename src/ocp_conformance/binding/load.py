"""Read a contracts folder's ``binding.yaml``: checked against its JSON Schema, every defect at file:line:column."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from ocp_conformance.binding.model import BINDING_FILE, Binding, ErrorShape, FieldRole, FunctionBinding
from ocp_conformance.contracts import ContractSet, SourceError, load_yaml

__all__ = ["binding_schema", "load_binding"]

_SCHEMA_FILE = Path(__file__).with_name("binding.schema.yaml")


@cache
def binding_schema() -> dict[str, Any]:
    """The JSON Schema every ``binding.yaml`` must satisfy (shipped with the package)."""
    schema: dict[str, Any] = yaml.safe_load(_SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


def load_binding(contracts: ContractSet | Path) -> Binding:
    """The binding of a contracts folder; an empty binding (every role missing) when it has no ``binding.yaml``.

    Raises:
        SourceError: the file breaks the binding schema (the first defect, at its line and column, with the fix).
    """
    root = contracts.root if isinstance(contracts, ContractSet) else Path(contracts)
    return _load(root.resolve() / BINDING_FILE)


@cache
def _load(path: Path) -> Binding:
    if not path.is_file():
        return Binding(path=path)
    document = load_yaml(path)
    data = document.data
    errors = sorted(Draft202012Validator(binding_schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = document.locate(tuple(first.absolute_path))
        raise SourceError(where, f"binding: {first.message}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1
                                                                 else ""),
                          fix=f"see {_SCHEMA_FILE.name} in the package and docs/adopting-the-official-contract.md")
    functions = {name: FunctionBinding(name=name, operations=dict(raw["operations"]), fields=raw.get("fields"),
                                       constants={r: dict(v) for r, v in (raw.get("constants") or {}).items()})
                 for name, raw in data["functions"].items()}
    field_sets = {name: {role: _field(role, spec) for role, spec in roles.items()}
                  for name, roles in (data.get("fields") or {}).items()}
    for name, bound in functions.items():
        if bound.fields is not None and bound.fields not in field_sets:
            raise SourceError(document.locate(("functions", name, "fields")),
                              f"binding: field set {bound.fields!r} is not defined under `fields`",
                              fix=f"define fields.{bound.fields}, or name one of: {', '.join(field_sets) or 'none'}")
    enums = {name: dict(codes) for name, codes in (data.get("enums") or {}).items()}
    for set_name, roles in field_sets.items():
        for role, spec in roles.items():
            if spec.enum is not None and spec.enum not in enums:
                raise SourceError(document.locate(("fields", set_name, role, "enum")),
                                  f"binding: enum map {spec.enum!r} is not defined under `enums`",
                                  fix=f"define enums.{spec.enum}, or name one of: {', '.join(enums) or 'none'}")
    raw_errors = data.get("errors")
    errors_shape = ErrorShape(media_type=raw_errors["media_type"], code=raw_errors["code"],
                              message=raw_errors.get("message"), field_errors=raw_errors.get("field_errors"),
                              field_pointer=raw_errors.get("field_pointer"),
                              codes=dict(raw_errors.get("codes") or {}),
                              statuses=dict(raw_errors.get("statuses") or {})) if raw_errors else None
    schemes = tuple((data.get("auth") or {}).get("schemes") or ())
    return Binding(path=path, functions=functions, field_sets=field_sets, enums=enums, errors=errors_shape,
                   auth_schemes=schemes, document=document, contract=str(data.get("contract", "model")))


def _field(role: str, spec: str | dict[str, str]) -> FieldRole:
    if isinstance(spec, str):
        return FieldRole(role=role, pointer=spec)
    return FieldRole(role=role, pointer=spec.get("pointer"), parameter=spec.get("parameter"), enum=spec.get("enum"))
