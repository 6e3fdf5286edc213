"""ARCHITECTURE.md's layer rules and the public API, checked rather than trusted."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ocp_conformance"

# layer -> the layers of ours it may import (itself included). Anything not listed is a surface (cli, plugin).
ALLOWED = {
    "contracts": {"contracts"},
    "binding": {"contracts", "binding"},
    "simulator.ccass": {"simulator.ccass"},
    "simulator": {"contracts", "binding", "rap", "simulator", "simulator.ccass"},
    "targets": {"contracts", "binding", "rap", "simulator", "targets"},
    "client": {"contracts", "binding", "targets", "client", "reporting"},
    "bound_client": {"contracts", "binding", "targets", "client", "reporting", "bound_client"},
    "scenarios": {"contracts", "binding", "rap", "targets", "client", "bound_client", "scenarios"},
    "reporting": {"contracts", "reporting"},
    "rap": {"contracts", "rap"},
    "consumer": {"contracts", "binding", "simulator", "reporting", "consumer"},
    "rehearsal": {"contracts", "binding", "simulator", "simulator.ccass", "reporting", "consumer", "rehearsal"},
    "load": {"contracts", "binding", "rap", "targets", "client", "bound_client", "reporting", "load"},
    "diff": {"contracts", "binding", "targets", "client", "bound_client", "reporting", "diff"},
}


def _layer(module: str) -> str | None:
    parts = module.split(".")[1:]  # drop "ocp_conformance"
    if parts[:2] == ["simulator", "ccass"]:
        return "simulator.ccass"
    return parts[0] if parts and parts[0] in ALLOWED else None


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("ocp_conformance.")}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layers_import_only_what_they_may(path: Path) -> None:
    module = "ocp_conformance." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    layer = _layer(module)
    if layer is None:
        return
    for imported in _imports(path):
        target = _layer(imported) or imported
        assert target in ALLOWED[layer], f"{module} (layer {layer}) imports {imported} ({target}); see ARCHITECTURE.md"


PUBLIC_PACKAGES = ["ocp_conformance", "ocp_conformance.contracts", "ocp_conformance.binding",
                   "ocp_conformance.simulator.ccass",
                   "ocp_conformance.targets", "ocp_conformance.scenarios", "ocp_conformance.reporting",
                   "ocp_conformance.reporting.evidence",
                   "ocp_conformance.rap", "ocp_conformance.consumer", "ocp_conformance.rehearsal",
                   "ocp_conformance.diff"]


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_public_names_resolve(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__all__, f"{package} has an empty __all__"
    for name in module.__all__:
        assert hasattr(module, name), f"{package}.__all__ names {name}, which it does not define"
