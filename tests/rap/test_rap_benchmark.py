"""The RAP benchmark keeps working (tiny sizes; no timing is asserted here, see benchmarks/README.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_rap_validate.py"


def test_benchmark_functions_run_on_a_small_file(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_rap_validate", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = module.write_si_file(tmp_path, 300)
    assert module.time_csv(path) >= 0 and module.time_validate(path) >= 0
    memory = module.measure_memory(path)
    assert memory["details"] == 300 and memory["refs_mb"] > 0


def test_the_rap_limits_benchmark_functions_run_on_a_small_file(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_rap_limits", BENCHMARK.parent / "bench_rap_limits.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sparse = module.write_sparse_upload(tmp_path / "big")  # 1 GiB of holes: nothing is written but the header
    try:
        rejected = module.measure_rejection(sparse)
    finally:
        sparse.unlink()
    assert (rejected["status"], rejected["codes"]) == ("REJECTED", ["FILE_TOO_LARGE"])
    path = module.write_si_upload(tmp_path / "capped", 200)
    assert module.time_validate(path) >= 0 and module.time_validation_stage(path) >= 0
    assert module.time_process(path, 200) >= 0 and module.time_process(path, 200, bulk=False) >= 0
    floors = module.time_floors(path, 200)
    assert set(floors) == {*module.OBJECT_DESIGN, *module.COLUMNAR_DESIGN}
    assert all(seconds >= 0 for seconds in floors.values())
