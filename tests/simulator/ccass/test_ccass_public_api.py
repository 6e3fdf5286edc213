"""The package's public surface and the benchmark's entry point."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path

import ocp_conformance.simulator.ccass as ccass

BENCHMARK = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_matching.py"


def test_all_names_exist_once() -> None:
    assert len(set(ccass.__all__)) == len(ccass.__all__)
    for name in ccass.__all__:
        assert hasattr(ccass, name), name


def test_si_book_signatures_used_by_the_http_layer() -> None:
    book = ccass.SiBook
    expected = {
        "input_si": ["self", "owner", "si"],
        "change_si": ["self", "owner", "si_id", "changes"],
        "cancel_si": ["self", "owner", "si_id"],
        "set_hold": ["self", "owner", "si_id", "hold"],
        "revoke": ["self", "owner", "si_id"],
        "change_matched": ["self", "owner", "si_id", "changes"],
        "get": ["self", "owner", "si_id"],
        "enquire": ["self", "owner", "flt"],
        "unmatched_reasons": ["self", "owner", "si_id"],
        "deleted_today": ["self", "owner"],
        "run_batch_settlement": ["self"],
        "on_day_end": ["self", "day"],
    }
    for method, params in expected.items():
        assert list(inspect.signature(getattr(book, method)).parameters) == params, method


def test_domain_error_shape() -> None:
    error = ccass.DomainError("SI_NOT_FOUND", "Received x. Expected y.", status=404, pointer="/siId")
    assert (error.code, error.message, error.status, error.pointer, str(error)) == (
        "SI_NOT_FOUND",
        "Received x. Expected y.",
        404,
        "/siId",
        "Received x. Expected y.",
    )
    assert ccass.DomainError("X", "m").status == 422 and ccass.DomainError("X", "m").pointer == ""


def test_benchmark_measure_runs_small() -> None:
    spec = importlib.util.spec_from_file_location("bench_matching", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    elapsed = module.measure(200)
    assert isinstance(elapsed, float) and elapsed > 0
