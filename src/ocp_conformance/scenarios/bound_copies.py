"""Bound copies of the model's scenario files on disk: made through both bindings
(:func:`ocp_conformance.binding.workflows.bind_scenario`) and written as plain Arazzo files, so our runner and
Redocly ``respect`` run the same copy.

A run writes them under the temporary folder, one folder per bound contracts folder and its content
(:func:`write_bound_copy`); ``ocp-conformance contracts bind-scenarios`` writes them where the user says
(:func:`write_bound_copies`).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from ocp_conformance.binding import load_binding
from ocp_conformance.binding.workflows import BoundScenario, bind_scenario
from ocp_conformance.contracts import ContractSet, load_contracts, load_yaml, model_contracts

__all__ = ["BoundCopy", "bound_copies_dir", "write_bound_copies", "write_bound_copy"]


@dataclass(frozen=True, slots=True)
class BoundCopy:
    """The bound copy of one scenario file: where it was written (``None`` if the file is not written for the
    model's contracts, or no workflow of it could be bound) and what was left out."""

    path: Path | None
    scenario: BoundScenario


@cache
def bound_copies_dir(root: Path, fingerprint: str) -> Path:
    """Where a run keeps the bound copies for the contracts folder ``root`` with content ``fingerprint``."""
    key = hashlib.sha256(f"{root}\0{fingerprint}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "ocp-conformance-bound-scenarios" / key


def write_bound_copy(path: Path, contracts: ContractSet, into: Path | None = None) -> BoundCopy:
    """Bind the model's scenario file ``path`` to ``contracts`` and write the copy (under ``into``, default the
    run's folder for these contracts), keeping the file's folder name (``si/si-hold.arazzo.yaml``)."""
    ours = model_contracts()
    raw = load_yaml(path).data
    our_files = {d.path.name for d in ours.documents}
    urls = [Path(str(d.get("url"))).name for d in raw.get("sourceDescriptions") or []]
    if not any(name in our_files for name in urls):
        return BoundCopy(None, BoundScenario(data=None))
    folder = into if into is not None else bound_copies_dir(contracts.root, _fingerprint(contracts.root))
    out = folder / path.parent.name / path.name
    scenario = bind_scenario(raw, path, ours, load_binding(ours), contracts, load_binding(contracts), out)
    if scenario.data is None:
        return BoundCopy(None, scenario)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = f"# Bound copy of {path.name}, made by ocp-conformance through the bindings; do not edit.\n" + \
        yaml.dump(scenario.data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=118)
    if not out.is_file() or out.read_text(encoding="utf-8") != text:
        temporary = out.with_name(f".{out.name}.{os.getpid()}")  # parallel workers write the same text
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(out)
    return BoundCopy(out, scenario)


def write_bound_copies(scenarios: Path, contracts: ContractSet, into: Path) -> dict[Path, BoundCopy]:
    """Bound copies of every scenario file under ``scenarios``, written under ``into``."""
    return {path: write_bound_copy(path, contracts, into) for path in sorted(scenarios.rglob("*.arazzo.yaml"))}


@cache
def _fingerprint(root: Path) -> str:
    return load_contracts(root).fingerprint()


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True


_YAML12_NON_STRING = re.compile(r"^(?:[-+]?(?:\.?[0-9][0-9_.]*)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|"
                                r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|null|Null"
                                r"|NULL|~|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*|)$")


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Quote a string a YAML 1.1 or 1.2 reader would take for something else (``00388`` is a stock code, not 388:
    PyYAML writes it plain, and Redocly's YAML 1.2 reader would read a number; ``2027-04-06`` stays a string)."""
    implicit = dumper.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    style = "'" if _YAML12_NON_STRING.match(value) or implicit != "tag:yaml.org,2002:str" else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_NoAliases.add_representer(str, _string)
