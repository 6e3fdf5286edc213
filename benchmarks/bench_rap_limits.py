"""RAP upload caps in the simulator: a 1 GB upload is refused at once, and a capped-size file is processed.

Run ``python benchmarks/bench_rap_limits.py [--records N]``. Two measurements, each judged on a ratio or a bound
taken in the same run:

1. **Oversized upload.** A sparse 1 GiB file (a valid SI header, then holes: nothing is written, and it is deleted
   afterwards) is handed to the simulator's RAP processing (``RapProcessor.process``, what the SFTP and folder
   transports call once a file has arrived) in a fresh interpreter with the default caps. It must be rejected
   with FILE_TOO_LARGE within 2 s of the call (the moment its size is known) and the interpreter's peak resident
   memory (VmHWM) must stay under 300 MB.
2. **Capped-size valid file.** A valid SI file of N records (default 100,000) is processed with the record cap
   set to N (``simulate --rap-max-records N``), so it is exactly at the cap, and compared with the validation
   ``validate-file`` runs on the same file, alternately, best of 3: throughput ratio = validate seconds / process
   seconds, required at least 0.5. Processing applies every record to the domain (Input SI, as the API does;
   the bulk path, ``SiBook.input_rows``); the time of its validation stage alone (the validator with the
   simulation's context, accepted records yielded in blocks) is printed beside it to show where the time goes,
   and so is, once, the per-record path (``RapProcessor(bulk=False)``) the bulk path replaces. Floors are
   printed too, each the cost per record of one step a design must take after the validation, and the ratio each
   design can reach at most. A design that applies records as today's ``SiBook`` does: splitting the accepted
   lines into fields again, building one ``SettlementInstruction`` per record, making its id. A design with no
   object per SI that still matches each SI as it is input: making its id, entering its match key in a dict,
   writing its result row.

Exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

# Runnable from a checkout without installing the package.
_SRC = Path(__file__).resolve().parent.parent / "src"
if _SRC.is_dir() and str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from ocp_conformance.rap import generate_file, load_layouts, validate  # noqa: E402
from ocp_conformance.rap.collector import collector_paused  # noqa: E402
from ocp_conformance.simulator.ccass import HKT, SettlementInstruction  # noqa: E402
from ocp_conformance.simulator.rap import RapProcessor, participant_folders  # noqa: E402
from ocp_conformance.simulator.rap.limits import RapLimits  # noqa: E402
from ocp_conformance.simulator.rap.processing import SimulationContext, block_fields  # noqa: E402
from ocp_conformance.simulator.rap.result_writer import ResultRows  # noqa: E402
from ocp_conformance.simulator.state import SimulatorState  # noqa: E402

ONE_GIB = 1 << 30
MAX_REJECT_SECONDS = 2.0
MAX_PEAK_MB = 300.0
MIN_THROUGHPUT_RATIO = 0.5
ROUNDS = 3
PARTICIPANT = "B01234"
SPLIT = "split the lines into fields again"
BUILD = "build one SettlementInstruction each"
MAKE_IDS = "make each SI id"
KEY_INDEX = "enter each match key in a dict"
RESULT_ROWS = "write each result row"
OBJECT_DESIGN = (SPLIT, BUILD, MAKE_IDS)
"""The floor steps of a design with one ``SettlementInstruction`` per SI (today's ``SiBook``)."""
COLUMNAR_DESIGN = (MAKE_IDS, KEY_INDEX, RESULT_ROWS)
"""The floor steps of a design with no object per SI that matches each SI as it is input."""

_REJECT_PROBE = """
import json, sys, time
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from ocp_conformance.simulator.rap import RapProcessor
from ocp_conformance.simulator.state import SimulatorState

def peak_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

processor = RapProcessor(SimulatorState())
path = Path(sys.argv[1])
before = peak_kb()
start = time.perf_counter()
result = processor.process("B01234", path)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "before_kb": before, "peak_kb": peak_kb(), "status": result.status,
                  "codes": [p.code for p in result.file_errors], "size": path.stat().st_size}))
"""


def write_sparse_upload(folder: Path, size: int = ONE_GIB) -> Path:
    """A ``size``-byte SI upload in ``folder``'s INBOX: a valid header line, then a hole (no disk used)."""
    path = participant_folders(folder, PARTICIPANT).inbox / "B01234_SI_20270406_001.csv"
    with path.open("wb") as stream:
        stream.write(b"H,SI,B01234,2027-04-06,1\r\n")
        stream.truncate(size)
    return path


def measure_rejection(path: Path) -> dict[str, float | str | list[str]]:
    """Process ``path`` in a fresh interpreter: seconds, peak memory, status and file-level codes."""
    done = subprocess.run([sys.executable, "-c", _REJECT_PROBE, str(path), str(_SRC)], check=True,
                          capture_output=True, text=True)
    data: dict[str, float | str | list[str]] = json.loads(done.stdout)
    return data


def write_si_upload(folder: Path, records: int) -> Path:
    """A valid SI upload of ``records`` records in ``folder``'s INBOX."""
    layout = load_layouts()["SI"]
    path = participant_folders(folder, PARTICIPANT).inbox / layout.make_file_name(PARTICIPANT, "20270406", 1)
    with path.open("wb", buffering=1 << 20) as stream:
        generate_file(stream, layout, records, seed=1, sequence=1)
    return path


def time_validate(path: Path) -> float:
    """Seconds for the validation ``validate-file`` runs."""
    layout = load_layouts()["SI"]
    start = time.perf_counter()
    with path.open("rb") as stream:
        summary = validate(stream, layout, file_name=path.name, records=False).run()
    elapsed = time.perf_counter() - start
    assert summary.valid, summary
    return elapsed


def time_validation_stage(path: Path) -> float:
    """Seconds for processing's validation stage alone: the validator with the simulation's context, every
    accepted record yielded, in blocks (what ``RapProcessor`` reads before applying anything)."""
    layout, state = load_layouts()["SI"], SimulatorState()
    start = time.perf_counter()
    with path.open("rb", buffering=1 << 20) as stream:
        summary = validate(stream, layout, SimulationContext(state.simulation), file_name=path.name,
                           participant=PARTICIPANT, blocks=True).run()
    elapsed = time.perf_counter() - start
    assert summary.valid, summary
    return elapsed


def time_process(path: Path, records: int, *, bulk: bool = True) -> float:
    """Seconds for the simulator to process the file at the record cap (a fresh simulation each time); ``bulk``:
    the bulk path (the default), else one record at a time."""
    processor = RapProcessor(SimulatorState(), load_layouts(), limits=RapLimits(max_records=records), bulk=bulk)
    start = time.perf_counter()  # the layouts are loaded (once per simulator) before the upload arrives
    result = processor.process(PARTICIPANT, path)
    elapsed = time.perf_counter() - start
    assert (result.status, result.accepted) == ("ACCEPTED", records), result.summary()
    return elapsed


def time_floors(path: Path, records: int) -> dict[str, float]:
    """Seconds (best of 3, garbage collector paused as processing pauses it) of steps per record that applying the
    file's records takes besides the validation, in two designs. With one ``SettlementInstruction`` each (today's
    ``SiBook``): splitting the detail lines into fields (as processing splits a spooled block), building the
    objects, and making their ids. With no object per SI at all (a columnar store): making the ids, entering each
    record's match key in a dict (the least an SI matched as it is input needs: a lower bound, with the
    counterparty and side in place of deliverer and receiver), and writing each record's result row (the result
    writer's own code)."""
    layout = load_layouts()["SI"]
    data = path.read_bytes()
    body = data[data.index(b"\n") + 1:data.rindex(b"\n", 0, len(data) - 1) + 1]  # the detail lines
    now = datetime(2027, 4, 6, 10, 0, tzinfo=HKT)
    fields = block_fields(layout, body)
    width = len(layout.detail.fields) + 1

    def column(name: str) -> list[str]:
        start = layout.detail.index(name) + 1
        return fields[start::width]

    days = {day: date.fromisoformat(day) for day in set(column("settlementDate"))}
    key_columns = (column("counterpartyId"), column("stockCode"), list(map(int, column("quantity"))),
                   list(map(days.__getitem__, column("settlementDate"))), column("paymentType"),
                   [Decimal(amount) if amount else None for amount in column("amount")],
                   [currency or None for currency in column("currency")], column("side"))
    references = column("clientReference")
    ids = [f"SI{n:010d}" for n in range(1, records + 1)]

    def result_rows() -> None:
        rows = ResultRows(errors_per_code=100)
        try:
            rows.write_accepted(2, references, ids)
        finally:
            rows.close()

    steps: dict[str, Callable[[], object]] = {
        SPLIT: lambda: block_fields(layout, body),
        BUILD: lambda: [
            SettlementInstruction("DELIVER", "B05678", "00700", 100, date(2027, 4, 7), "FOP", None, None, "01", None,
                                  si_id="SI0000000001", owner=PARTICIPANT, created_at=now, updated_at=now)
            for _ in range(records)],
        MAKE_IDS: lambda: [f"SI{n:010d}" for n in range(records)],
        KEY_INDEX: lambda: dict(zip(zip(*key_columns), ids)),  # noqa: B905 (equal lengths by construction)
        RESULT_ROWS: result_rows,
    }
    with collector_paused():
        return {label: min(_seconds(step) for _ in range(ROUNDS)) for label, step in steps.items()}


def _seconds(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=100_000, help="records of the capped-size file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ocp-bench-rap-") as tmp:
        sparse = write_sparse_upload(Path(tmp) / "big")
        try:
            rejected = measure_rejection(sparse)
        finally:
            sparse.unlink()
        upload = write_si_upload(Path(tmp) / "capped", args.records)
        size_mb = upload.stat().st_size / 1e6
        validate_times, stage_times, process_times = [], [], []
        for _ in range(ROUNDS):  # alternate, so all meet the same (shared, noisy) machine; keep the best
            validate_times.append(time_validate(upload))
            stage_times.append(time_validation_stage(upload))
            process_times.append(time_process(upload, args.records))
        per_record = time_process(upload, args.records, bulk=False)
        floors = time_floors(upload, args.records)
    seconds, peak = float(rejected["seconds"]), float(rejected["peak_kb"]) / 1024
    reject_ok = (rejected["codes"] == ["FILE_TOO_LARGE"] and seconds < MAX_REJECT_SECONDS and peak < MAX_PEAK_MB)
    print(f"1 GiB upload ({int(rejected['size']):,} bytes, sparse): {rejected['status']} {rejected['codes']} in "
          f"{seconds * 1000:.1f} ms, peak RSS {peak:.1f} MB (limits {MAX_REJECT_SECONDS:g} s, {MAX_PEAK_MB:g} MB) "
          + ("OK" if reject_ok else "FAIL"))
    n = args.records
    best_validate, best_stage, best_process = min(validate_times), min(stage_times), min(process_times)
    print(f"\ncapped-size file: {n:,} SI records, {size_mb:.1f} MB (--rap-max-records {n})")
    print(f"{'':44}{'seconds':>9}{'µs/record':>11}{'records/s':>12}")
    for label, value in (("validate-file", best_validate), ("processing: validation stage alone", best_stage),
                         ("processing: validate + apply + result file", best_process),
                         ("  the same one record at a time (once)", per_record)):
        print(f"{label:44}{value:9.3f}{value / n * 1e6:11.2f}{n / value:12,.0f}")
    ratio = best_validate / best_process
    stage_ratio = best_validate / best_stage
    throughput_ok = ratio >= MIN_THROUGHPUT_RATIO
    print(f"throughput ratio processing / validate-file: {ratio:.3f} (at least {MIN_THROUGHPUT_RATIO:g}; best of "
          f"{ROUNDS}) " + ("OK" if throughput_ok else "FAIL"))
    print(f"  (validation stage alone / validate-file: {stage_ratio:.3f}; the rest is applying the records; one "
          f"record at a time: {best_validate / per_record:.3f})")
    print("floors: steps per record that applying the records takes beyond validating (best of "
          f"{ROUNDS})")
    for label, value in floors.items():
        print(f"  {label:42}{value:9.3f}{value / n * 1e6:11.2f}")
    for design, steps in (("one SettlementInstruction per SI", OBJECT_DESIGN),
                          ("no object per SI, matched as input", COLUMNAR_DESIGN)):
        floor = best_stage + sum(floors[step] for step in steps)
        print(f"  the ratio a design with {design} can reach at most: {best_validate / floor:.3f} (validation "
              f"stage and {', '.join(steps)}; nothing else)")
    ok = reject_ok and throughput_ok
    print("verdict: " + ("OK" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
