"""RAP file validation speed and memory, against Python's csv module in the same run.

Run ``python benchmarks/bench_rap_validate.py``: it writes a 1,000,000-record SI file, times iterating its rows
with :mod:`csv` (the baseline: parsing only) and validating it as ``ocp-conformance validate-file`` does (every
check), and passes if validation takes at most twice as long. It then measures peak memory (VmHWM on Linux, else
``ru_maxrss``, in a fresh subprocess) for 100,000 and 1,000,000 records: both must stay under 200 MB, and apart
from the set of client references (needed to find duplicates, reported separately) memory must not grow.
Exits 1 if any check fails.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Runnable from a checkout without installing the package.
_SRC = Path(__file__).resolve().parent.parent / "src"
if _SRC.is_dir() and str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from ocp_conformance.rap import generate_file, load_layouts, validate  # noqa: E402

SIZES = (100_000, 1_000_000)
ROUNDS = 3
MAX_TIME_RATIO = 2.0
MAX_PEAK_MB = 200.0
MAX_OTHER_GROWTH_MB = 10.0

# Peak RSS from VmHWM (Linux), which starts afresh at exec; ru_maxrss would carry over the parent's peak at fork.
_MEMORY_PROBE = """
import json, resource, sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from ocp_conformance.rap import load_layouts, validate

def peak_kb():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

layout = load_layouts()["SI"]
before = peak_kb()
path = Path(sys.argv[1])
with path.open("rb") as stream:
    validation = validate(stream, layout, file_name=path.name, records=False)
    for _ in validation:
        pass
peak = peak_kb()
refs_bytes = validation._refs.memory_bytes()
print(json.dumps({"before_kb": before, "peak_kb": peak, "refs_bytes": refs_bytes,
                  "valid": validation.summary.valid, "details": validation.summary.details}))
"""


def write_si_file(folder: Path, records: int) -> Path:
    """A valid SI file of ``records`` records (demo market, seed 1), named as the layout says."""
    layout = load_layouts()["SI"]
    path = folder / layout.make_file_name("B01234", "2027-04-06", 1 + records % 997)
    with path.open("wb", buffering=1 << 20) as stream:
        generate_file(stream, layout, records, seed=1, sequence=1 + records % 997)
    return path


def time_csv(path: Path) -> float:
    """Seconds to iterate every row with :func:`csv.reader` (the baseline: parsing, no checks)."""
    start = time.perf_counter()
    with path.open(newline="", encoding="ascii") as stream:
        for _row in csv.reader(stream):
            pass
    return time.perf_counter() - start


def time_validate(path: Path) -> float:
    """Seconds for the full validation ``validate-file`` runs (file name, header, every record, trailer)."""
    layout = load_layouts()["SI"]
    start = time.perf_counter()
    with path.open("rb") as stream:
        validation = validate(stream, layout, file_name=path.name, records=False)
        for event in validation:
            raise AssertionError(f"the generated file should be valid, got {event}")
    elapsed = time.perf_counter() - start
    if not validation.summary.valid:
        raise AssertionError(f"the generated file should be valid: {validation.summary}")
    return elapsed


def measure_memory(path: Path) -> dict[str, float]:
    """Peak RSS of a fresh interpreter validating ``path``, and the size of its client-reference set."""
    result = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(path), str(_SRC)], check=True,
                            capture_output=True, text=True)
    data = json.loads(result.stdout)
    return {"before_mb": data["before_kb"] / 1024, "peak_mb": data["peak_kb"] / 1024,
            "refs_mb": data["refs_bytes"] / 2**20, "details": data["details"]}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        paths = {n: write_si_file(Path(tmp), n) for n in SIZES}
        large = paths[SIZES[-1]]
        print(f"file: {large.name}, {SIZES[-1]:,} records, {large.stat().st_size / 1e6:.1f} MB")
        csv_times, validate_times = [], []
        for _ in range(ROUNDS):  # alternate, so both meet the same (shared, noisy) machine; keep the best
            csv_times.append(time_csv(large))
            validate_times.append(time_validate(large))
        csv_best, validate_best = min(csv_times), min(validate_times)
        ratio = validate_best / csv_best
        memory = {n: measure_memory(p) for n, p in paths.items()}
    n = SIZES[-1]
    print(f"{'':28}{'seconds':>9}{'µs/record':>11}{'records/s':>13}")
    print(f"{'csv.reader, rows only':28}{csv_best:9.3f}{csv_best / n * 1e6:11.2f}{n / csv_best:13,.0f}")
    print(f"{'validate-file, all checks':28}{validate_best:9.3f}{validate_best / n * 1e6:11.2f}"
          f"{n / validate_best:13,.0f}")
    print(f"time ratio validate / csv: {ratio:.2f} (limit {MAX_TIME_RATIO:g}; best of {ROUNDS}) "
          + ("OK" if ratio <= MAX_TIME_RATIO else "FAIL"))
    print(f"\n{'records':>10}{'start MB':>10}{'peak MB':>10}{'refs MB':>10}{'other MB':>10}")
    for size, row in memory.items():
        other = row["peak_mb"] - row["before_mb"] - row["refs_mb"]
        print(f"{size:>10,}{row['before_mb']:10.1f}{row['peak_mb']:10.1f}{row['refs_mb']:10.1f}{other:10.1f}")
    small, big = memory[SIZES[0]], memory[SIZES[-1]]
    other_growth = (big["peak_mb"] - big["refs_mb"]) - (small["peak_mb"] - small["refs_mb"])
    peak_ok = all(row["peak_mb"] < MAX_PEAK_MB for row in memory.values())
    growth_ok = other_growth <= MAX_OTHER_GROWTH_MB
    print(f"peak under {MAX_PEAK_MB:g} MB: " + ("OK" if peak_ok else "FAIL"))
    print(f"growth from {SIZES[0]:,} to {SIZES[-1]:,} records besides the reference set: {other_growth:.1f} MB "
          f"(limit {MAX_OTHER_GROWTH_MB:g}) " + ("OK" if growth_ok else "FAIL"))
    ok = ratio <= MAX_TIME_RATIO and peak_ok and growth_ok
    print("verdict: " + ("OK" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
