"""``diff.yaml``: what two targets may legitimately answer differently, as data (not code).

Ids a target assigns are mapped per side and compared as names; values its clock or sequence chooses are compared
for presence only. Entries are binding field roles (resolved through ``binding.yaml``, so they hold on an adopted
contract) or JSON pointers matched against the end of a field's path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from ocp_conformance.binding import Binding, BindingMissing
from ocp_conformance.contracts import ContractSet, SourceError, load_yaml, project_resource

__all__ = ["DIFF_FILE", "DiffRules", "FieldRules", "load_diff_rules"]

DIFF_FILE = "diff.yaml"
_SCHEMA_FILE = Path(__file__).with_name("diff.schema.yaml")

Path_ = tuple[str, ...]


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = yaml.safe_load(_SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


def _suffix(pointer: str) -> Path_:
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:])


def _matches(path: Path_, suffix: Path_) -> bool:
    if len(suffix) > len(path):
        return False
    tail = path[len(path) - len(suffix):]
    return all(s in ("*", p) or (p.startswith("[") and s == "*") for s, p in zip(suffix, tail, strict=True))


@dataclass(frozen=True, slots=True)
class FieldRules:
    """The rules of one catalogue function, as path suffixes."""

    ids: tuple[Path_, ...]
    varies: tuple[Path_, ...]
    error_varies: tuple[Path_, ...]

    def is_id(self, path: Path_) -> bool:
        return any(_matches(path, s) for s in self.ids)

    def varies_at(self, path: Path_, *, error: bool) -> bool:
        return any(_matches(path, s) for s in (*self.varies, *(self.error_varies if error else ())))

    def item_id_keys(self) -> tuple[str, ...]:
        """Field names that identify a listed item (single-segment id entries, e.g. ``siId``)."""
        return tuple(s[0] for s in self.ids if len(s) == 1)


@dataclass(slots=True)
class DiffRules:
    """The parsed ``diff.yaml`` and where it came from."""

    path: Path
    ids: tuple[str, ...] = ()
    varies: tuple[str, ...] = ()
    error_varies: tuple[str, ...] = ()
    functions: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    unbound: set[str] = field(default_factory=set)
    """Role entries a function does not bind (left out; listed in the report)."""

    def for_function(self, function: str, binding: Binding) -> FieldRules:
        own = self.functions.get(function, {})
        return FieldRules(
            ids=(*self._resolve(function, binding, self.ids),
                 *self._resolve(function, binding, own.get("ids", ()), named=True)),
            varies=(*self._resolve(function, binding, self.varies),
                    *self._resolve(function, binding, own.get("varies", ()), named=True)),
            error_varies=self._resolve_error(binding, self.error_varies))

    def _resolve(self, function: str, binding: Binding, entries: tuple[str, ...], *,
                 named: bool = False) -> tuple[Path_, ...]:
        """Path suffixes of ``entries``; a role the function does not bind applies nowhere (a top-level role is
        meant for the functions that bind it; one named under the function is noted in the report)."""
        found: list[Path_] = []
        for entry in entries:
            if entry.startswith("/"):
                found.append(_suffix(entry))
                continue
            try:
                found.append(_suffix(binding.pointer(function, entry)))
            except (BindingMissing, KeyError):
                if named:
                    self.unbound.add(f"{function}: {entry}")
        return tuple(found)

    def _resolve_error(self, binding: Binding, entries: tuple[str, ...]) -> tuple[Path_, ...]:
        found: list[Path_] = []
        for entry in entries:
            if entry.startswith("/"):
                found.append(_suffix(entry))
            elif entry == "message" and binding.errors is not None and binding.errors.message:
                found.append(_suffix(binding.errors.message))
        return tuple(found)


def load_diff_rules(contracts: ContractSet) -> DiffRules:
    """The contracts folder's ``diff.yaml``, else ours (its role entries resolve through the folder's binding).

    Raises:
        SourceError: the file breaks its schema (the first defect at its line and column, with the fix).
    """
    own = contracts.root / DIFF_FILE
    path = own if own.is_file() else project_resource("contracts") / DIFF_FILE
    document = load_yaml(path)
    data = document.data
    errors = sorted(Draft202012Validator(_schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        raise SourceError(document.locate(tuple(first.absolute_path)), f"diff rules: {first.message}",
                          fix=f"see {_SCHEMA_FILE.name} in the package (ocp_conformance/diff)")
    return DiffRules(
        path=path, ids=tuple(data.get("ids", ())), varies=tuple(data.get("varies", ())),
        error_varies=tuple((data.get("errors") or {}).get("varies", ())),
        functions={name: {k: tuple(v) for k, v in raw.items()} for name, raw in (data.get("functions") or {}).items()})
