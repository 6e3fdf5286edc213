"""``ocp-conformance faults``: list the simulator's fault profiles, or score the suites against them (``--score``).

The score runs ``ocp-conformance run --simulator-fault NAME --only FUNCTION`` for each profile, each in a process
of its own (``--workers`` of them at once), in a folder of its own under ``REPORT/runs/NAME/`` (the run's
readiness report and log stay there), and judges each run from its structured results (``REPORT/runs/NAME/
.results/``), never from console text: caught when a failed check blames the function the fault breaks. Exit
codes: 0 every profile caught on its function, 1 not, 2 usage error.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ocp_conformance.cli_errors import fail
from ocp_conformance.contracts import SourceError, did_you_mean, load_contracts
from ocp_conformance.reporting import load_results
from ocp_conformance.reporting.fault_score import FaultRun, FaultScore, judge_fault_run

if TYPE_CHECKING:
    from ocp_conformance.simulator.faults import Fault

__all__ = ["faults_command", "score_faults"]

RUN_LIMIT_SECONDS = 1800.0
"""A fault run that takes longer is stopped and counted as a harness error (a stalled check is ours to fix)."""
console = Console()




def faults_command(
    score: Annotated[bool, typer.Option("--score", help="run every fault profile against the suites and print, per "
                                        "catalogue function, faults caught / faults defined and the check that "
                                        "caught each")] = False,
    only: Annotated[list[str] | None, typer.Option(
        "--only", metavar="FUNCTION", help="only the profiles that break this catalogue function or group "
        "(repeatable)", show_default=False)] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="with --score: fault runs at once, each a process "
                                         "of its own")] = 1,
    report: Annotated[Path, typer.Option("--report", help="with --score: folder for score.json, score.md and each "
                                         "fault's run (runs/NAME/)")] = Path("reports/faults"),
) -> None:
    """List the simulator's fault profiles (NAME <tab> catalogue function <tab> what it breaks), or --score them."""
    chosen = _select(only or [])
    if not score:
        for fault in chosen:
            typer.echo(f"{fault.name}\t{fault.function}\t{fault.breaks}")
        return
    if report.exists() and not report.is_dir():
        raise fail(f"--report {report} is a file, expected a folder", "pass a new or existing folder")
    result = score_faults(chosen, report, workers=workers)
    _print_score(result)
    (report / "score.json").write_text(result.dumps(), encoding="utf-8")
    (report / "score.md").write_text(result.markdown(), encoding="utf-8")
    console.print(f"reports: {report / 'score.json'}, {report / 'score.md'}, runs in {report / 'runs'}",
                  highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(0 if result.all_caught else 1)


def _select(only: list[str]) -> list[Fault]:
    """The profiles breaking the ``--only`` functions (or groups), in catalogue order; all without ``--only``."""
    from ocp_conformance.simulator.faults import FAULTS  # the simulator loads only when this command runs

    try:
        catalogue = load_contracts().catalogue
    except SourceError as exc:
        raise fail(exc.render()) from None
    functions = [e.name for e in catalogue]
    groups = {e.group for e in catalogue}
    wanted: set[str] = set()
    for name in only:
        if name in groups:
            wanted.update(e.name for e in catalogue if e.group == name)
        elif name in functions:
            wanted.add(name)
        else:
            raise fail(f"--only {name!r} is not a catalogue function or group."
                        + did_you_mean(name, [*functions, *sorted(groups)]),
                        "names are exactly as HKEX writes them (see contracts/catalogue.yaml)")
    order = {name: i for i, name in enumerate(functions)}
    chosen = [f for f in FAULTS.values() if not only or f.function in wanted]
    if only and not chosen:
        raise fail(f"no fault profile breaks {', '.join(only)}", "`ocp-conformance faults` lists them all")
    return sorted(chosen, key=lambda f: (order.get(f.function, len(order)), f.name))


def score_faults(chosen: list[Fault], report: Path, *, workers: int = 1) -> FaultScore:
    """Run each scored profile's suites (``workers`` at once) and judge each run; load faults are not scored."""
    runs_dir = report / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    judged: dict[str, FaultRun] = {}
    scored = [f for f in chosen if f.check != "load"]
    for fault in chosen:
        if fault.check == "load":
            judged[fault.name] = FaultRun(fault.name, fault.function, fault.breaks, "not-scored",
                                          detail="a load fault: `ocp-conformance load`'s invariants catch it "
                                                 "(tests/load/), a conformance run cannot")
    console.print(f"ocp-conformance faults --score: {len(scored)} fault profile{'' if len(scored) == 1 else 's'}, "
                  f"{min(workers, max(len(scored), 1))} at once; each runs the suites of the function it breaks",
                  highlight=False, markup=False)
    with _progress(len(scored)) as advance, ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_run_fault, fault, runs_dir / fault.name): fault for fault in scored}
        for future in as_completed(futures):
            run = future.result()
            judged[run.name] = run
            advance(run)
    return FaultScore([judged[f.name] for f in chosen])


@contextmanager
def _progress(total: int) -> Iterator[Callable[[FaultRun], None]]:
    """A redrawn Rich bar with an ETA on a terminal; in any case one printed line per finished fault."""
    progress = Progress(TextColumn("faults"), BarColumn(), MofNCompleteColumn(), TextColumn("caught {task.fields[c]}"),
                        TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=console,
                        transient=True, disable=not console.is_terminal)
    task = progress.add_task("faults", total=total, c=0)
    caught = 0

    def advance(run: FaultRun) -> None:
        nonlocal caught
        caught += run.caught
        style = "green" if run.caught else "bold red"
        progress.console.print(f"[{style}]{'caught' if run.caught else run.outcome.upper()}[/] {escape(run.name)} "
                               f"({escape(run.function)}, {run.seconds:.0f} s): {escape(run.summary())}",
                               highlight=False, soft_wrap=True)
        progress.update(task, advance=1, c=caught)

    with progress:
        yield advance


def _run_fault(fault: Fault, folder: Path) -> FaultRun:
    """``ocp-conformance run --simulator-fault NAME --only FUNCTION`` in a process (and working folder) of its own:
    no waivers.toml of the caller's folder applies, and a crash stays in that process."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.monotonic()
    command = [sys.executable, "-m", "ocp_conformance", "run", "--report", str(folder.resolve()), "--no-allure-html",
               "--simulator-fault", fault.name, "--only", fault.function]
    with (folder / "run.log").open("w", encoding="utf-8") as log:
        try:
            exit_code: int | None = subprocess.run(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                                                   timeout=RUN_LIMIT_SECONDS, check=False).returncode
        except subprocess.TimeoutExpired:
            exit_code = None
    seconds = time.monotonic() - started
    shutil.rmtree(folder / "allure-results", ignore_errors=True)  # kept in the run's own report, not needed here
    if exit_code is None:
        return judge_fault_run(fault.name, fault.function, fault.breaks, [], exit_code=None, seconds=seconds,
                               harness_errors=[f"the run did not end within {RUN_LIMIT_SECONDS:.0f} s"])
    results = [r for path in sorted((folder / ".results").glob("*.jsonl"))
               for r in load_results(path.read_text(encoding="utf-8").splitlines())]
    readiness_path = folder / "readiness.json"
    harness_errors: list[str] = []
    if readiness_path.exists():
        readiness = json.loads(readiness_path.read_text(encoding="utf-8"))
        harness_errors = [f"{e.get('test_id')}: {_first_line(e.get('message'))}"
                          for e in readiness.get("harness_errors", [])]
    elif exit_code in (0, 1):
        harness_errors = [f"no readiness.json written (exit {exit_code}); see {folder / 'run.log'}"]
    return judge_fault_run(fault.name, fault.function, fault.breaks, results, exit_code=exit_code,
                           harness_errors=harness_errors, seconds=seconds, expected_check=fault.check)


def _first_line(message: object) -> str:
    lines = str(message or "").splitlines()
    return lines[0][:200] if lines else ""


def _print_score(result: FaultScore) -> None:
    console.print()
    for function, runs in result.by_function().items():
        defined = sum(r.outcome != "not-scored" for r in runs)
        caught = sum(r.caught for r in runs)
        style = "green" if caught == defined else "bold red"
        console.print(f"[{style}]{caught}/{defined}[/] {escape(function)}", highlight=False)
        for run in runs:
            console.print(f"    {escape(run.name)}: {escape(run.summary())}", highlight=False, soft_wrap=True)
    console.print()
    console.print(("[green]" if result.all_caught else "[bold red]") + escape(result.headline()) + "[/]",
                  highlight=False)
