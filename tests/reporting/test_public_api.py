"""The package facade: ``__all__`` names exactly what is public, and every name resolves."""

from __future__ import annotations

import importlib

import pytest

import ocp_conformance.reporting as reporting

MODULES = ["allure_labels", "console", "markdown", "readiness", "redaction", "results", "waivers", "evidence",
           "evidence.manifest", "evidence.pack", "evidence.secret_scan", "evidence.verify"]


def test_all_names_resolve() -> None:
    assert sorted(reporting.__all__) == sorted(set(reporting.__all__))
    for name in reporting.__all__:
        assert getattr(reporting, name) is not None, name


@pytest.mark.parametrize("module_name", MODULES)
def test_module_all_names_resolve(module_name: str) -> None:
    module = importlib.import_module(f"ocp_conformance.reporting.{module_name}")
    for name in module.__all__:
        assert hasattr(module, name), f"{module_name}.{name}"
