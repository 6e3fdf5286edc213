"""Whole-run speed: one full ``ocp-conformance run`` against the embedded simulator, serial and in parallel.

Run ``python benchmarks/bench_full_run.py [--workers auto] [--budget 120]``: it runs every suite and scenario
twice (``--workers 0``, in one process, and ``--workers auto``, pytest-xdist with one worker per CPU), each
into its own temporary report folder with ``--no-allure-html`` (the Allure build is timed apart, once), and
prints both wall times (with the CPU time and the load average: on a shared machine wall time grows with
the load), their ratio (serial / parallel) and the Allure build time. It exits 1 if either run
is not ``ready`` with the same readiness as the other (parallel results must merge into the same verdict and
matrix), or if the serial run exceeds the budget.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENTRY = [sys.executable, "-m", "ocp_conformance", "run", "--target", "simulator"]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(report: Path, *extra: str) -> tuple[float, int, dict[str, Any] | None, str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    start, cpu = time.perf_counter(), _cpu_seconds()
    completed = subprocess.run([*ENTRY, "--report", str(report), *extra], capture_output=True, text=True,
                               cwd=ROOT, env=env, check=False)
    elapsed = time.perf_counter() - start
    note = (f"CPU {_cpu_seconds() - cpu:.1f} s (the run and its workers), load average "
            f"{os.getloadavg()[0]:.1f} at the end")
    path = report / "readiness.json"
    readiness = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    return elapsed, completed.returncode, readiness, completed.stdout + completed.stderr, note


def _matrix(readiness: dict[str, Any] | None) -> dict[str, Any]:
    if readiness is None:
        return {}
    return {e["name"]: {k: (v["status"], v["tests"]) for k, v in e["checks"].items()} for e in readiness["entries"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="auto", help="the parallel run's --workers (default: auto)")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds the serial run may take")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPU(s); full run against the embedded simulator")
    with tempfile.TemporaryDirectory(prefix="ocp-bench-") as scratch:
        serial_s, serial_rc, serial, serial_out, note = _run(Path(scratch) / "serial", "--workers", "0",
                                                       "--no-allure-html")
        print(f"  serial   (--workers 0):    {serial_s:7.1f} s  exit {serial_rc}  ({note})")
        par_s, par_rc, par, par_out, note = _run(Path(scratch) / "parallel", "--workers", args.workers,
                                           "--no-allure-html")
        print(f"  parallel (--workers {args.workers}): {par_s:7.1f} s  exit {par_rc}  ({note})")
        print(f"  ratio serial/parallel: {serial_s / par_s:.2f}")
        started = time.perf_counter()
        allure = subprocess.run([sys.executable, "-c", (
            "import sys; from pathlib import Path; from ocp_conformance.reporting import build_allure_html as b; "
            f"r = b(Path({str(Path(scratch) / 'serial' / 'allure-results')!r}), "
            f"Path({str(Path(scratch) / 'serial' / 'allure-report')!r}), project_root=Path({str(ROOT)!r})); "
            "print(r.message); sys.exit(0 if r.built else 1)")],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, check=False)
        print(f"  Allure HTML build (serial run's results): {time.perf_counter() - started:.1f} s "
              f"({'built' if allure.returncode == 0 else 'not built: ' + allure.stdout.strip()[-300:]})")
    problems = []
    for name, rc, readiness, out in (("serial", serial_rc, serial, serial_out), ("parallel", par_rc, par, par_out)):
        if rc != 0 or readiness is None or readiness["verdict"] != "ready":
            problems.append(f"the {name} run is not ready (exit {rc}):\n{out[-3000:]}")
    if _matrix(serial) != _matrix(par):
        problems.append("the parallel run's readiness matrix differs from the serial one")
    if serial_s > args.budget:
        problems.append(f"the serial run took {serial_s:.1f} s, over the {args.budget:.0f} s budget")
    for problem in problems:
        print("FAIL:", problem)
    print("verdict:", "OK" if not problems else "FAIL")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
