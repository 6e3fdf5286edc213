"""The command line (DESIGN.md §9). Thin: each command parses options and calls the layers below.

Exit codes: 0 ready / valid; 1 not ready / invalid; 2 usage or configuration error; 3 harness error.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ocp_conformance.contracts import (
    ContractSet,
    SourceError,
    did_you_mean,
    lint_contracts,
    load_contracts,
    project_resource,
)

__all__ = ["app", "main"]

EXIT_READY, EXIT_NOT_READY, EXIT_USAGE, EXIT_HARNESS = 0, 1, 2, 3

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Conformance harness for HKSCC's OCP API Services, GCP services and RAP uploads.")
contracts_app = typer.Typer(no_args_is_help=True, help="Check the contracts.")
app.add_typer(contracts_app, name="contracts")
console = Console()
errors = Console(stderr=True)

ContractsOption = Annotated[Path | None, typer.Option("--contracts", help="contracts folder (default: ours, "
                                                      "or $OCP_CONTRACTS)", show_default=False)]


def _fail(code: int, message: str, fix: str = "") -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    if fix:
        errors.print(f"  fix: {fix}", highlight=False, markup=False)
    return typer.Exit(code)


def _contracts(path: Path | None) -> ContractSet:
    try:
        return load_contracts(path)
    except SourceError as exc:
        raise _fail(EXIT_USAGE, exc.render()) from None


@app.command()
def run(
    target: Annotated[str, typer.Option(help="simulator (embedded, default), a base URL, or a profile")] = "simulator",
    report: Annotated[Path, typer.Option(help="where to write readiness.json/.md and allure-results/")] = Path(
        "reports"),
    only: Annotated[list[str] | None, typer.Option("--only", help="a catalogue function or group (repeatable)")] = None,
    simulator_fault: Annotated[list[str] | None, typer.Option(
        "--simulator-fault", help="break one rule of the embedded simulator on purpose (repeatable)")] = None,
    contracts: ContractsOption = None,
    workers: Annotated[int, typer.Option(help="parallel pytest-xdist workers (0 = in this process)")] = 0,
) -> None:
    """Run every suite and scenario against the target; write the reports; exit 0 only if ready."""
    import pytest

    from ocp_conformance.simulator.faults import UnknownFaultError, resolve_faults

    contract_set = _contracts(contracts)
    faults = simulator_fault or []
    try:
        resolve_faults(faults)
    except UnknownFaultError as exc:
        raise _fail(EXIT_USAGE, str(exc)) from None
    if faults and target != "simulator":
        raise _fail(EXIT_USAGE, "--simulator-fault applies only to --target simulator")
    if target != "simulator" and not target.startswith(("http://", "https://")):
        raise _fail(EXIT_USAGE, f"target {target!r} is neither 'simulator' nor a URL",
                    "use --target simulator or --target https://host/ (profiles come with a later release)")
    known = [e.name for e in contract_set.catalogue] + sorted({e.group for e in contract_set.catalogue})
    for name in only or []:
        if name not in known:
            raise _fail(EXIT_USAGE, f"--only {name!r} is not a catalogue function or group."
                        + did_you_mean(name, known),
                        "names are exactly as HKEX writes them (see contracts/catalogue.yaml)")
    report.mkdir(parents=True, exist_ok=True)
    (report / "readiness.json").unlink(missing_ok=True)
    suites, scenarios = project_resource("suites"), project_resource("scenarios")
    args = [str(suites), str(scenarios), "--rootdir", str(suites.parent), "-c", os.devnull,
            "-W", "ignore::pytest.PytestAssertRewriteWarning",
            "--strict-markers", "-p", "no:cacheprovider", "-q", "-rfE", "--tb=short",
            "--ocp-target", target, "--ocp-report", str(report),
            "--alluredir", str(report / "allure-results"), "--clean-alluredir",
            "--junitxml", str(report / "junit.xml")]
    if contracts is not None:
        args += ["--ocp-contracts", str(contracts)]
    for fault in faults:
        args += ["--ocp-fault", fault]
    for name in only or []:
        args += ["--ocp-only", name]
    if workers:
        args += ["-n", str(workers)]
    console.print(f"ocp-conformance: running suites and scenarios against [bold]{target}[/]"
                  + (f" with faults {', '.join(faults)}" if faults else ""), highlight=False)
    exit_status = pytest.main(args)
    raise typer.Exit(_verdict_exit(report, int(exit_status)))


def _verdict_exit(report: Path, pytest_status: int) -> int:
    """The exit code from the structured readiness report, never from console text."""
    import pytest

    if pytest_status == pytest.ExitCode.USAGE_ERROR:
        return EXIT_USAGE
    readiness_path = report / "readiness.json"
    if pytest_status in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED) \
            or not readiness_path.exists():
        errors.print(f"harness error: pytest exited {pytest_status} and no readiness report was written")
        return EXIT_HARNESS
    readiness = json.loads(readiness_path.read_text(encoding="utf-8"))
    if readiness.get("harness_errors"):
        errors.print(f"harness error: {len(readiness['harness_errors'])} test(s) crashed inside the harness; "
                     "this is our bug, not the target's failure (see readiness.md)")
        return EXIT_HARNESS
    if pytest_status == pytest.ExitCode.INTERRUPTED:
        return EXIT_HARNESS
    console.print(f"reports: {readiness_path}, {report / 'readiness.md'}, {report / 'junit.xml'}, "
                  f"{report / 'allure-results'}")
    return EXIT_READY if readiness.get("verdict") == "ready" else EXIT_NOT_READY


@app.command()
def simulate(
    host: Annotated[str, typer.Option(help="interface to listen on (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    fault: Annotated[list[str] | None, typer.Option("--fault", help="fault profile to apply (repeatable)")] = None,
    gcp_trades_per_day: Annotated[int, typer.Option(min=1, help="records in each GCP's trade feed per business "
                                                    "date (e.g. 1000000 for a soak run)")] = 1000,
    rap_sftp_port: Annotated[int | None, typer.Option(min=0, max=65535, help="also accept RAP uploads over SFTP on "
                                                      "this port (0: any free port); off by default")] = None,
    rap_root: Annotated[Path | None, typer.Option(help="the participants' RAP folders, <root>/<participant>/"
                                                  "INBOX|OUTBOX (default: a temporary folder, removed at exit)",
                                                  show_default=False)] = None,
    contracts: ContractsOption = None,
) -> None:
    """Serve the reference simulator over HTTP so any client can use it."""
    import uvicorn

    from ocp_conformance.simulator.app import build_app
    from ocp_conformance.simulator.faults import UnknownFaultError

    try:
        simulator = build_app(_contracts(contracts), faults=fault or [], trades_per_day=gcp_trades_per_day)
    except UnknownFaultError as exc:
        raise _fail(EXIT_USAGE, str(exc)) from None
    table = Table(title=f"OCP reference simulator on http://{host}:{port}/ocp/v1 "
                        "(GCP services: /gcp/v1, control: /_sim)")
    table.add_column("participant")
    table.add_column("name")
    table.add_column("bearer token (demo only)")
    reference = simulator.state.simulation.reference
    for pid in simulator.participants:
        participant = reference.participant(pid)
        table.add_row(pid, participant.name if participant else "", simulator.token_of(pid))
    console.print(table)
    if fault:
        console.print(f"[yellow]faults applied:[/] {', '.join(fault)}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        errors.print(f"[bold yellow]warning:[/] listening on {host}, beyond loopback: the demo tokens above and the "
                     "unauthenticated /_sim control API are reachable from the network")
    with ExitStack() as stack:
        if rap_sftp_port is not None:
            credentials = {pid: simulator.token_of(pid) for pid in simulator.participants}
            stack.enter_context(_serve_rap_sftp(host, rap_sftp_port, rap_root, credentials))
            # uvicorn re-raises SIGTERM after its graceful shutdown: exit through Python, so the SFTP server
            # closes (delivering queued uploads) and a temporary --rap-root is removed
            signal.signal(signal.SIGTERM, _exit_on_sigterm)
        uvicorn.run(simulator.asgi, host=host, port=port, log_level="warning")


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _rap_received(participant: str, path: Path) -> None:
    # RAP processing is not plugged in yet: no result file is written, rather than a fake one
    console.print(f"RAP: received {path.name} from {participant} (not processed yet)", markup=False,
                  highlight=False, soft_wrap=True)


@contextmanager
def _serve_rap_sftp(host: str, port: int, root: Path | None, credentials: dict[str, str]) -> Iterator[None]:
    from ocp_conformance.simulator.rap import serve_in_thread

    with ExitStack() as stack:
        if root is None:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ocp-rap-")))
        try:
            server = stack.enter_context(serve_in_thread(root, credentials, _rap_received, host=host, port=port))
        except OSError as exc:
            raise _fail(EXIT_USAGE, f"the RAP SFTP server cannot listen on {host}:{port}: {exc}",
                        "choose another --rap-sftp-port, or 0 for any free port") from None
        console.print(f"RAP uploads over SFTP on {host}:{server.port} (host key {server.fingerprint}): log in with "
                      "the participant id as user name and its demo token above as password; put files in /INBOX. "
                      "Uploads are received but not processed yet: no result appears in /OUTBOX until RAP "
                      f"processing is plugged in. Folders: {root}", markup=False, highlight=False, soft_wrap=True)
        yield


@app.command()
def faults() -> None:
    """List the simulator's fault profiles: NAME <tab> catalogue function <tab> what it breaks."""
    from ocp_conformance.simulator.faults import FAULTS

    for fault in FAULTS.values():
        typer.echo(f"{fault.name}\t{fault.function}\t{fault.breaks}")


@contracts_app.command("lint")
def contracts_lint(
    require_complete: Annotated[bool, typer.Option(
        "--require-complete", help="also fail on catalogue entries not yet contracted")] = False,
    contracts: ContractsOption = None,
) -> None:
    """Check catalogue <-> contracts both ways, OpenAPI validity, JSON Schemas and documented error codes."""
    contract_set = _contracts(contracts)
    findings = lint_contracts(contract_set, require_complete=require_complete)
    for finding in findings:
        typer.echo(finding.render())
    errors_found = sum(f.severity == "error" for f in findings)
    contracted = sum(e.contracted for e in contract_set.catalogue)
    typer.echo(f"{len(contract_set.catalogue)} catalogue entries, {contracted} contracted; "
               f"{errors_found} error(s), {len(findings) - errors_found} warning(s)")
    raise typer.Exit(EXIT_NOT_READY if errors_found else EXIT_READY)


def main() -> None:
    """Console-script entry point; a crash of ours exits 3, never 1 (which would blame the target)."""
    try:
        app()
    except SystemExit:
        raise
    except Exception:
        errors.print_exception()
        errors.print("harness error: ocp-conformance crashed; this is a bug in the harness, not your target")
        raise SystemExit(EXIT_HARNESS) from None
