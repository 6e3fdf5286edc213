"""Fixtures for the reporting tests: the real catalogue and a small hand-made one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ocp_conformance.contracts import Catalogue, CatalogueEntry, load_contracts
from ocp_conformance.reporting import APPLICABLE_CHECKS, CheckKind, CheckResult, Outcome

ResultFactory = Callable[..., CheckResult]


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The project's catalogue: 43 entries, those whose group has a contract contracted."""
    return load_contracts().catalogue


@pytest.fixture
def small_catalogue() -> Catalogue:
    """Two contracted API functions, one contracted RAP file, one uncontracted GCP service."""
    entries = (
        CatalogueEntry("Input SI", "api", "Maintain SI", "CD/1", False, operations=("inputSi",)),
        CatalogueEntry("Cancel SI", "api", "Maintain SI", "CD/1", False, operations=("cancelSi",)),
        CatalogueEntry("SI", "rap", "SI/ISI/ATI/STI Upload", "CD/1", False, file_type="SI"),
        CatalogueEntry("Stock List", "gcp", "Reference Data", "CD/1", False),
    )
    return Catalogue(path=Path("catalogue.yaml"), entries=entries, discontinued=())


def _make_result(
    functions: str | tuple[str, ...],
    check: CheckKind = "contract",
    outcome: Outcome = "passed",
    *,
    test_id: str | None = None,
    failed_functions: tuple[str, ...] = (),
    message: str = "",
) -> CheckResult:
    names = (functions,) if isinstance(functions, str) else functions
    return CheckResult(
        test_id=test_id or f"tests/test_x.py::test_{check}_{'_'.join(names)}_{outcome}".replace(" ", "_"),
        functions=names,
        check=check,
        outcome=outcome,
        failed_functions=failed_functions,
        message=message,
    )


def _passing_everything(catalogue: Catalogue) -> list[CheckResult]:
    return [
        _make_result(entry.name, kind)
        for entry in catalogue
        if entry.contracted
        for kind in APPLICABLE_CHECKS[entry.kind]
    ]


@pytest.fixture
def result() -> ResultFactory:
    """Build a CheckResult: ``result("Input SI", "negative", "failed", message=...)``."""
    return _make_result


@pytest.fixture
def passing_everything() -> Callable[[Catalogue], list[CheckResult]]:
    """One passing result per contracted entry of a catalogue and applicable check."""
    return _passing_everything
