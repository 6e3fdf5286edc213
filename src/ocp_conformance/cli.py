"""The command line (DESIGN.md §9). Thin: each command parses options and calls the layers below.

Exit codes: 0 ready / valid; 1 not ready / invalid; 2 usage or configuration error; 3 harness error.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ocp_conformance.cli_diff import diff as diff_command
from ocp_conformance.cli_errors import fail
from ocp_conformance.cli_faults import faults_command
from ocp_conformance.cli_load import load_command
from ocp_conformance.cli_targets import (
    ConfigOption,
    check_profile_before_run,
    check_url_before_run,
    profile_fail_on,
    profile_secrets,
    targets_app,
    tls_options,
)
from ocp_conformance.contracts import (
    ContractSet,
    LintFinding,
    SourceError,
    did_you_mean,
    lint_contracts,
    load_contracts,
    project_resource,
)

if TYPE_CHECKING:
    from ocp_conformance.rap import Layout, Problem, ValidationSummary
    from ocp_conformance.reporting import FailOn
    from ocp_conformance.simulator.rap import RapProcessor

__all__ = ["app", "main"]

EXIT_READY, EXIT_NOT_READY, EXIT_USAGE, EXIT_HARNESS = 0, 1, 2, 3

# Plain help (no Rich markup): Rich's panels print `<bool>` beside every flag and swallow any `[section]` of
# ocp-conformance.toml named in a help text as if it were markup.
app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                  help="Conformance harness for HKSCC's OCP API Services, GCP services and RAP uploads.")
contracts_app = typer.Typer(no_args_is_help=True, help="Check the contracts.")
app.add_typer(contracts_app, name="contracts")
app.add_typer(targets_app, name="targets")
app.command("load")(load_command)
app.command("diff")(diff_command)
app.command("faults")(faults_command)
console = Console()
errors = Console(stderr=True)

ContractsOption = Annotated[Path | None, typer.Option("--contracts", help="contracts folder (default: ours, "
                                                      "or $OCP_CONTRACTS)", show_default=False)]


def _print_version(value: bool) -> None:
    if value:
        from ocp_conformance import __version__

        console.print(f"ocp-conformance {__version__}", highlight=False, markup=False)
        raise typer.Exit()


@app.callback()
def _main_options(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="print the harness version and exit")] = False,
) -> None:
    """Conformance harness for HKSCC's OCP API Services, GCP services and RAP uploads."""


def _fail(code: int, message: str, fix: str = "") -> typer.Exit:
    return fail(message, fix, code=code, markup=True)  # messages here may carry Rich markup of their own


def _scenario_folder(chosen: Path | None, contracts: ContractSet) -> Path:
    """The scenarios a run collects: ``--scenarios``, else the contracts folder's own ``scenarios/``, else ours."""
    if chosen is not None:
        if not chosen.is_dir() or not any(chosen.rglob("*.arazzo.yaml")):
            raise _fail(EXIT_USAGE, f"--scenarios {chosen}: no *.arazzo.yaml files there",
                        "point --scenarios at a folder of Arazzo scenario files")
        return chosen.resolve()
    own = contracts.root / "scenarios"
    return own if own.is_dir() and any(own.rglob("*.arazzo.yaml")) else project_resource("scenarios")


def _contracts(path: Path | None) -> ContractSet:
    try:
        return load_contracts(path)
    except SourceError as exc:
        raise _fail(EXIT_USAGE, exc.render()) from None


@app.command()
def run(
    target: Annotated[str, typer.Option(help="simulator (embedded, default), a base URL, or a [targets.NAME] "
                                        "profile of --config")] = "simulator",
    report: Annotated[Path, typer.Option(help="where to write readiness.json/.md and allure-results/")] = Path(
        "reports"),
    only: Annotated[list[str] | None, typer.Option(
        "--only", metavar="FUNCTION", help="a catalogue function or group (repeatable); the verdict is on the "
        "selection")] = None,
    rerun_failed: Annotated[bool, typer.Option("--rerun-failed", help="rerun only the entries that failed in the "
                                               "last run (REPORT/readiness.json)")] = False,
    out_of_scope: Annotated[list[str] | None, typer.Option(
        "--out-of-scope", metavar="rap", help="declare a part of the catalogue out of scope for this run: its "
        "entries show n/a with the reason and do not block (rap: the RAP file types)", show_default=False)] = None,
    simulator_fault: Annotated[list[str] | None, typer.Option(
        "--simulator-fault", metavar="NAME",
        help="break one rule of the embedded simulator on purpose (repeatable)")] = None,
    contracts: ContractsOption = None,
    scenarios: Annotated[Path | None, typer.Option(
        "--scenarios", help="the Arazzo scenario folder to run (default: CONTRACTS/scenarios if the contracts folder "
        "has one, else the project's scenarios, bound to the contract through its binding)",
        show_default=False)] = None,
    workers: Annotated[str, typer.Option(metavar="N|auto", help="parallel pytest-xdist workers: N, or auto (one per "
                                         "CPU); 0 = in this process")] = "0",
    fail_on: Annotated[list[str] | None, typer.Option(
        "--fail-on", metavar="CONDITION", help="exit 1 when: mandatory (default: the verdict is not-ready), any "
        "(also waived failures), score<N (achieved score below N %); repeatable; overrides [run] fail_on of --config",
        show_default=False)] = None,
    no_allure_html: Annotated[bool, typer.Option("--no-allure-html", help="do not build the Allure HTML report "
                                                 "(built with Allure 3 when Node.js is present)")] = False,
    waivers: Annotated[Path | None, typer.Option(
        "--waivers", help="accepted failures, each with reason, ticket and expiry (default: ./waivers.toml if it "
        "exists)", show_default=False)] = None,
    request_timeout: Annotated[float | None, typer.Option(
        "--request-timeout", min=0.001, help="seconds each request may take, body included (default 30)",
        show_default=False)] = None,
    run_timeout: Annotated[float | None, typer.Option(
        "--run-timeout", min=0.001, help="seconds the whole run may take; checks left are reported as not run",
        show_default=False)] = None,
    max_body_mb: Annotated[float | None, typer.Option(
        "--max-body-mb", min=0.001, help="largest response body read, in MB (default 16)", show_default=False)] = None,
    schedule_wait: Annotated[float | None, typer.Option(
        "--schedule-wait", min=0, help="seconds to wait for the exchange's schedule or a counterparty on a target "
        "without clock-control (default 0: skip such steps, saying why)", show_default=False)] = None,
    rap_sftp: Annotated[str | None, typer.Option(
        "--rap-sftp", metavar="HOST:PORT", help="a URL target's RAP SFTP server, for the RAP file checks (user: the "
        "participant id; password: $OCP_RAP_PASSWORD_<P>, else $OCP_TOKEN_<P>)", show_default=False)] = None,
    rap_known_hosts: Annotated[Path | None, typer.Option(
        "--rap-known-hosts", help="OpenSSH known_hosts with the RAP SFTP server's key (default: key not checked)",
        show_default=False)] = None,
    config: ConfigOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="print each failed check's traceback (default: "
                                          "one line per failed check; the reports always hold the detail)")
                       ] = False,
) -> None:
    """Run every suite and scenario against the target; write the reports; exit 0 only if ready."""
    import pytest
    from rich.markup import escape

    from ocp_conformance.reporting import FailOnError, load_waivers, parse_fail_on
    from ocp_conformance.simulator.faults import UnknownFaultError, resolve_faults

    try:
        conditions = parse_fail_on(fail_on or profile_fail_on(config) or [])
    except FailOnError as exc:
        raise _fail(EXIT_USAGE, str(exc)) from None
    if workers != "auto" and not workers.isdigit():
        raise _fail(EXIT_USAGE, f"--workers {workers!r} is neither a number nor auto",
                    "use --workers 2 or --workers auto")
    workers = workers if workers == "auto" else str(int(workers))
    if workers != "0" and importlib.util.find_spec("xdist") is None:
        raise _fail(EXIT_USAGE, f"--workers {workers} needs pytest-xdist, which is not installed in {sys.prefix}",
                    "pip install 'pytest-xdist>=3.6' (an ocp-conformance dependency: reinstall it), or drop --workers")
    contract_set = _contracts(contracts)
    faults = simulator_fault or []
    try:
        resolve_faults(faults)
    except UnknownFaultError as exc:
        raise _fail(EXIT_USAGE, str(exc)) from None
    if faults and target != "simulator":
        raise _fail(EXIT_USAGE, "--simulator-fault applies only to --target simulator")
    if target.startswith(("http://", "https://")):
        _check_target_url(target)
    if rap_sftp is not None or rap_known_hosts is not None:
        _check_rap_sftp(target, rap_sftp, rap_known_hosts)
    if rerun_failed:
        only = _failed_in_last_run(report, only)
    known = [e.name for e in contract_set.catalogue] + sorted({e.group for e in contract_set.catalogue})
    for name in only or []:
        if name not in known:
            raise _fail(EXIT_USAGE, f"--only {name!r} is not a catalogue function or group."
                        + did_you_mean(name, known),
                        "names are exactly as HKEX writes them (see contracts/catalogue.yaml)")
    profile_args = check_profile_before_run(target, config, only or [], contract_set)
    check_url_before_run(target, contract_set, rap_channel=rap_sftp is not None, out_of_scope=out_of_scope or [],
                         timeout=request_timeout)
    waiver_file = waivers if waivers is not None else (_DEFAULT_WAIVERS if _DEFAULT_WAIVERS.is_file() else None)
    waiver_count = 0
    if waiver_file is not None:
        try:
            waiver_count = len(load_waivers(waiver_file, contract_set.catalogue))
        except SourceError as exc:
            raise _fail(EXIT_USAGE, escape(f"{exc.location}: {exc.message}"), exc.fix) from None
    _prepare_report_folder(report)
    suites = project_resource("suites")
    scenario_folder = _scenario_folder(scenarios, contract_set)
    # pythonpath: suites import their helpers as `suites.<module>`; in a checkout the root conftest.py puts the
    # checkout on sys.path, in an installed wheel nothing would put `_bundled/` there.
    args = [str(suites), str(scenario_folder), "--rootdir", str(suites.parent), "-c", os.devnull,
            "-o", f"pythonpath={suites.parent}",
            "-W", "ignore::pytest.PytestAssertRewriteWarning",
            "--strict-markers", "-p", "no:cacheprovider", "-q", "--tb=short",
            # per-entry progress with an ETA instead of dots (a redrawn line on a terminal, plain lines in CI logs);
            # classic style: no "[ 42%]" at the end of pytest's (now empty) dot lines
            "--ocp-progress", "auto", "-o", "console_output_style=classic",
            *(["-rfE"] if verbose else ["-rN", "--ocp-one-line-failures"]),
            "--continue-on-collection-errors",
            "--ocp-target", target, "--ocp-report", str(report),
            "--alluredir", str(report / "allure-results"), "--clean-alluredir",
            "--junitxml", str(report / "junit.xml")]
    if contracts is not None:
        args += ["--ocp-contracts", str(contracts)]
    for fault in faults:
        args += ["--ocp-fault", fault]
    for name in only or []:
        args += ["--ocp-only", name]
    for scope in out_of_scope or []:
        args += ["--ocp-out-of-scope", scope]
    if waiver_file is not None:
        args += ["--ocp-waivers", str(waiver_file.resolve())]
    if rap_sftp is not None:
        args += ["--ocp-rap-sftp", rap_sftp]
    if rap_known_hosts is not None:
        args += ["--ocp-rap-known-hosts", str(rap_known_hosts.resolve())]
    args += profile_args
    project_root = suites.parent.parent if suites.parent.name == "_bundled" else suites.parent
    allure_html = not no_allure_html and _allure_found(project_root)
    if allure_html:
        args += ["--ocp-allure-html"]  # the readiness pages link the Allure report only when it will be built
    if workers != "0":
        args += ["-n", workers]
    for option, value in (("--ocp-request-timeout", request_timeout), ("--ocp-run-timeout", run_timeout),
                          ("--ocp-max-body-mb", max_body_mb), ("--ocp-schedule-wait", schedule_wait)):
        if value is not None:
            args += [option, str(value)]
    console.print(f"ocp-conformance: running suites and scenarios against [bold]{target}[/]"
                  + (f" with faults {', '.join(faults)}" if faults else ""), highlight=False)
    console.print(f"waivers: {waiver_file} ({waiver_count} waiver{'' if waiver_count == 1 else 's'})"
                  if waiver_file is not None else f"waivers: none (no {_DEFAULT_WAIVERS} here)",
                  highlight=False, markup=False)
    exit_status = pytest.main(args)
    if exit_status == pytest.ExitCode.USAGE_ERROR:  # a configuration error: nothing ran, so no Allure report
        shutil.rmtree(report / "allure-results", ignore_errors=True)
    elif not no_allure_html and (report / "allure-results").is_dir():
        from ocp_conformance.reporting import build_allure_html
        from ocp_conformance.reporting.report_files import unlink_allure

        built = build_allure_html(report / "allure-results", report / "allure-report", project_root=project_root)
        (console if built.built else errors).print(built.message, highlight=False, markup=False, soft_wrap=True)
        if allure_html and not built.built:
            unlink_allure(report)  # linked in the hope it would build: no link to a report that is not there
    raise typer.Exit(_verdict_exit(report, int(exit_status), waiver_file, conditions))


_DEFAULT_WAIVERS = Path("waivers.toml")


def _allure_found(project_root: Path) -> bool:
    from ocp_conformance.reporting.allure_html import find_allure

    return find_allure(project_root) is not None


def _check_target_url(target: str) -> None:
    from ocp_conformance.targets import TargetError
    from ocp_conformance.targets.url_target import check_base_url

    try:
        check_base_url(target)
    except TargetError as exc:
        raise _fail(EXIT_USAGE, escape(str(exc))) from None


def _prepare_report_folder(report: Path) -> None:
    """Create ``--report`` (a usage error, exit 2, if it is a file or cannot be made) and drop an earlier verdict."""
    if report.exists() and not report.is_dir():
        raise _fail(EXIT_USAGE, escape(f"--report {report} is a file, expected a folder for the reports"),
                    "pass a new or existing folder, e.g. --report reports/")
    try:
        report.mkdir(parents=True, exist_ok=True)
        (report / "readiness.json").unlink(missing_ok=True)
    except OSError as exc:
        raise _fail(EXIT_USAGE, escape(f"--report {report}: cannot use it as the report folder "
                                       f"({exc.strerror or exc})"),
                    "pass a folder you can write, e.g. --report reports/") from None


def _failed_in_last_run(report: Path, only: list[str] | None) -> list[str]:
    """``--rerun-failed``: the entries the last run in ``report`` failed, as ``--only`` names (exit 2 if none)."""
    from ocp_conformance.reporting.rerun import RerunError, failed_in_last_run

    if only:
        raise _fail(EXIT_USAGE, "--rerun-failed and --only go apart: --rerun-failed selects the failed entries itself",
                    "drop one of them")
    try:
        failed = failed_in_last_run(report)
    except RerunError as exc:
        raise _fail(EXIT_USAGE, escape(str(exc))) from None
    console.print(f"rerunning the {len(failed)} entr{'y' if len(failed) == 1 else 'ies'} that failed in the last "
                  f"run ({report / 'readiness.json'}): {', '.join(failed)}", highlight=False, markup=False)
    return failed


def _check_rap_sftp(target: str, rap_sftp: str | None, known_hosts: Path | None) -> None:
    from ocp_conformance.targets import TargetError
    from ocp_conformance.targets.rap_sftp import parse_host_port

    if target == "simulator":
        raise _fail(EXIT_USAGE, "--rap-sftp applies only to a URL target: the embedded simulator takes RAP files "
                    "in process", "drop --rap-sftp, or use --target http://HOST:PORT with --rap-sftp HOST:PORT")
    if rap_sftp is None:
        raise _fail(EXIT_USAGE, "--rap-known-hosts needs --rap-sftp HOST:PORT", "add --rap-sftp HOST:PORT")
    try:
        parse_host_port(rap_sftp)
    except TargetError as exc:
        raise _fail(EXIT_USAGE, str(exc)) from None
    if known_hosts is not None and not known_hosts.is_file():
        raise _fail(EXIT_USAGE, f"--rap-known-hosts {known_hosts}: no such file",
                    "give an OpenSSH known_hosts file with the server's key (ssh-keyscan -p PORT HOST)")


def _verdict_exit(report: Path, pytest_status: int, waiver_file: Path | None = None,
                  conditions: tuple[FailOn, ...] = ()) -> int:
    """The exit code from the structured readiness report, never from console text."""
    import pytest

    from ocp_conformance.reporting import fail_on_breaches, parse_fail_on

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
    if waiver_file is not None:
        states = [w.get("state") for w in readiness.get("waivers", [])]
        console.print(f"waivers from {waiver_file}: {states.count('applied')} applied, {states.count('expired')} "
                      f"expired, {states.count('unused-passing')} unused (check passes: remove them), "
                      f"{states.count('unused-not-run')} unused (check did not run)", highlight=False, markup=False)
    console.print(f"reports: {readiness_path}, {report / 'readiness.md'}, {report / 'readiness.html'}, "
                  f"{report / 'junit.xml'}, {report / 'allure-results'}")
    breaches = fail_on_breaches(conditions or parse_fail_on([]), readiness)
    for breach in breaches:
        console.print(f"--fail-on {breach}", highlight=False, markup=False)
    return EXIT_NOT_READY if breaches else EXIT_READY


@app.command()
def simulate(
    host: Annotated[str, typer.Option(help="interface to listen on (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    fault: Annotated[list[str] | None, typer.Option("--fault", metavar="NAME",
                                                    help="fault profile to apply (repeatable)")] = None,
    gcp_trades_per_day: Annotated[int, typer.Option(min=1, help="records in each GCP's trade feed per business "
                                                    "date (e.g. 1000000 for a soak run)")] = 1000,
    rap_sftp_port: Annotated[int | None, typer.Option(min=0, max=65535, help="also accept RAP uploads over SFTP on "
                                                      "this port (0: any free port); off by default")] = None,
    rap_root: Annotated[Path | None, typer.Option(help="the participants' RAP folders, <root>/<participant>/"
                                                  "INBOX|OUTBOX (default: a temporary folder, removed at exit)",
                                                  show_default=False)] = None,
    rap_max_bytes: Annotated[int | None, typer.Option(min=1, help="reject a RAP upload larger than this many bytes "
                                                      "at once, unread (FILE_TOO_LARGE; default: 134217728, 128 "
                                                      "MiB)", show_default=False)] = None,
    rap_max_records: Annotated[int | None, typer.Option(min=1, help="reject a RAP upload with more detail records "
                                                        "than this (TOO_MANY_RECORDS; default: 1000000)",
                                                        show_default=False)] = None,
    rap_errors_per_code: Annotated[int | None, typer.Option(min=1, help="list at most this many errors per code in a "
                                                            "RAP result file, then how many more (default: 1000)",
                                                            show_default=False)] = None,
    state: Annotated[Path | None, typer.Option(help="keep the state in this SQLite file (created if absent): a "
                                               "restart with the same file, even after kill -9, resumes with "
                                               "every change the simulator acknowledged", show_default=False)] = None,
    state_new: Annotated[bool, typer.Option("--state-new", help="the --state file may be empty (0 bytes) or an "
                                            "SQLite file without tables: start a fresh state in it (without this, "
                                            "such a file is refused: it was expected to hold state)")] = False,
    state_fault_answer_before_commit: Annotated[bool, typer.Option(hidden=True, help="deliberate fault for the "
                                                                   "harness's own tests")] = False,
    tls_cert: Annotated[Path | None, typer.Option(help="serve HTTPS with this PEM certificate (and --tls-key)",
                                                  show_default=False)] = None,
    tls_key: Annotated[Path | None, typer.Option(help="the certificate's PEM private key", show_default=False)] = None,
    tls_client_ca: Annotated[Path | None, typer.Option(help="require client certificates signed by this CA (mutual "
                                                       "TLS)", show_default=False)] = None,
    tokens_file: Annotated[Path | None, typer.Option(help="the participants' bearer tokens, one `PARTICIPANT TOKEN` "
                                                     "a line (default: the fixed demo tokens on loopback, random "
                                                     "tokens per start beyond it)", show_default=False)] = None,
    max_body_bytes: Annotated[int, typer.Option(min=1024, help="largest request body accepted, in bytes (larger: "
                                                "413); RAP's HTTP upload takes up to 50 MiB")] = 1024 * 1024,
    max_connections: Annotated[int, typer.Option(min=1, help="open connections at once; more are closed at "
                                                 "once")] = 256,
    header_timeout: Annotated[float, typer.Option(min=0.1, help="seconds a client may take to send a request's "
                                                  "head")] = 10.0,
    keep_alive_timeout: Annotated[int, typer.Option(min=1, help="seconds an idle connection stays open")] = 5,
    max_header_bytes: Annotated[int, typer.Option(min=1024, help="largest request head (request line and "
                                                  "headers), in bytes")] = 16 * 1024,
    contracts: ContractsOption = None,
) -> None:
    """Serve the reference simulator over HTTP (or HTTPS, optionally with mutual TLS) so any client can use it.

    On loopback the participants' tokens are the fixed demo tokens (anyone can compute them: fine on your own
    machine). Beyond loopback (e.g. --host 0.0.0.0) each start issues random tokens, printed once, unless
    --tokens-file gives them; the /_sim control API stays unauthenticated, so keep such a simulator on a test network.
    """
    from ocp_conformance.consumer import listen
    from ocp_conformance.simulator.bound_shape import build_bound_app
    from ocp_conformance.simulator.credentials import TokensFileError, is_loopback, random_tokens, read_tokens_file
    from ocp_conformance.simulator.faults import UnknownFaultError
    from ocp_conformance.simulator.guard import BodyLimits
    from ocp_conformance.simulator.serving import ServeLimits, TlsFilesError, check_tls_files, serve

    tls = tls_options(tls_cert, tls_key, tls_client_ca)
    try:
        check_tls_files(tls)
    except TlsFilesError as exc:
        raise _fail(EXIT_USAGE, escape(str(exc))) from None
    contract_set = _contracts(contracts)
    try:  # another contract's shape (--contracts with its binding) is answered through both bindings
        simulator = build_bound_app(contract_set, faults=fault or [], trades_per_day=gcp_trades_per_day,
                                    limits=BodyLimits(max_body_bytes=max_body_bytes))
    except UnknownFaultError as exc:
        raise _fail(EXIT_USAGE, str(exc)) from None
    caps = {name: value for name, value in (("max_bytes", rap_max_bytes), ("max_records", rap_max_records),
                                            ("errors_per_code", rap_errors_per_code)) if value is not None}
    if caps:
        from ocp_conformance.simulator.rap.limits import RapLimits

        try:
            simulator.rap.limits = RapLimits(**caps)
        except SourceError as exc:
            raise _fail(EXIT_USAGE, exc.render()) from None
    if state_new and state is None:
        raise _fail(EXIT_USAGE, "--state-new needs --state PATH", "pass --state PATH with it, or drop --state-new")
    token_kind = "demo only"
    try:
        if tokens_file is not None:
            simulator.state.use_tokens(read_tokens_file(tokens_file, simulator.participants))
            token_kind = f"from {tokens_file}"
        elif not is_loopback(host):
            simulator.state.use_tokens(random_tokens(simulator.participants))
            token_kind = "random, this start only"
    except TokensFileError as exc:
        raise _fail(EXIT_USAGE, escape(str(exc))) from None
    try:
        sock = listen(host, port)
    except OSError as exc:
        raise _fail(EXIT_USAGE, escape(f"cannot listen on {host}:{port}: {exc.strerror or exc}"),
                    "choose another --port (one no other program uses), and a --host that is an address of this "
                    "machine (127.0.0.1 by default, 0.0.0.0 for every interface)") from None
    if state is not None:
        from ocp_conformance.simulator.persistence import StateFileError, restore

        try:
            restored = restore(simulator, state, new=state_new,
                               answer_before_commit=state_fault_answer_before_commit)
        except StateFileError as exc:
            sock.close()
            raise _fail(EXIT_USAGE, escape(str(exc))) from None
    from ocp_conformance.binding import credential_header, load_binding

    scheme = "https" if tls else "http"
    served = sorted({op.server_path for d in contract_set.api_documents for op in d.operations.values()})
    header = credential_header(contract_set, load_binding(contract_set))
    table = Table(title=f"OCP reference simulator on {scheme}://{host}:{sock.getsockname()[1]} (APIs: "
                        f"{', '.join(served)}; control: /_sim)")
    table.add_column("participant")
    table.add_column("name")
    table.add_column(f"{header + ' credential' if header else 'bearer token'} ({token_kind})", no_wrap=True)
    reference = simulator.state.simulation.reference
    for pid in simulator.participants:
        participant = reference.participant(pid)
        table.add_row(pid, participant.name if participant else "", simulator.token_of(pid))
    console.print(table)
    if fault:
        console.print(f"[yellow]faults applied:[/] {', '.join(fault)}")
    if not is_loopback(host):
        errors.print(f"[bold yellow]warning:[/] listening on {host}, beyond loopback: the tokens above are "
                     f"{token_kind}, but the unauthenticated /_sim control API is reachable from the network")
    with ExitStack() as stack:
        stack.callback(sock.close)
        if state is not None:
            console.print(f"state: {state} ({restored.replayed} journaled change(s) replayed)", markup=False)
            stack.callback(restored.journal.close)
            signal.signal(signal.SIGTERM, _exit_on_sigterm)  # close the state file on a graceful stop
        if rap_sftp_port is not None:
            credentials = {pid: simulator.token_of(pid) for pid in simulator.participants}
            try:
                processor = simulator.rap
            except SourceError as exc:
                raise _fail(EXIT_USAGE, exc.render()) from None
            processor.log = _rap_processed
            # with --state, the host key lives beside the state file: a restart keeps the key clients trust
            host_key = state.with_name(state.name + ".sftp-host-key") if state is not None else None
            stack.enter_context(_serve_rap_sftp(host, rap_sftp_port, rap_root, credentials, processor, host_key))
            # uvicorn re-raises SIGTERM after its graceful shutdown: exit through Python, so the SFTP server
            # closes (delivering queued uploads) and a temporary --rap-root is removed
            signal.signal(signal.SIGTERM, _exit_on_sigterm)
        if "ssl_ca_certs" in tls:
            console.print(f"mutual TLS: clients must present a certificate signed by {tls_client_ca}",
                          highlight=False, markup=False)
        serve(simulator.asgi, sock, ServeLimits(max_connections=max_connections, header_timeout=header_timeout,
                                                keep_alive_timeout=keep_alive_timeout,
                                                max_header_bytes=max_header_bytes), tls=tls)


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _rap_processed(summary: str) -> None:
    console.print(f"RAP: {summary}", markup=False, highlight=False, soft_wrap=True)


@contextmanager
def _serve_rap_sftp(host: str, port: int, root: Path | None, credentials: dict[str, str],
                    processor: RapProcessor, host_key: Path | None) -> Iterator[None]:
    from ocp_conformance.simulator.rap import lasting_host_key, serve_in_thread

    with ExitStack() as stack:
        if root is None:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ocp-rap-")))
        try:
            key = lasting_host_key(host_key) if host_key is not None else None
        except OSError as exc:
            raise _fail(EXIT_USAGE, f"cannot keep the SFTP host key at {host_key}: {exc.strerror or exc}",
                        "make the --state file's folder writable") from None
        try:
            server = stack.enter_context(serve_in_thread(root, credentials, processor, host=host, port=port,
                                                         host_key=key))
        except OSError as exc:
            raise _fail(EXIT_USAGE, f"the RAP SFTP server cannot listen on {host}:{port}: {exc}",
                        "choose another --rap-sftp-port, or 0 for any free port") from None
        console.print(f"RAP uploads over SFTP on {host}:{server.port} (host key {server.fingerprint}): log in with "
                      "the participant id as user name and its demo token above as password; put files in /INBOX; "
                      "each is processed against this simulator, its result written to /OUTBOX/<name>.result.csv. "
                      f"Folders: {root}" + (f". Host key kept in {host_key}" if host_key else ""),
                      markup=False, highlight=False, soft_wrap=True)
        yield


@app.command()
def record(
    host: Annotated[str, typer.Option(help="interface to listen on (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port (0: any free port)")] = 8000,
    report: Annotated[Path, typer.Option(help="readiness report folder to write client-conformance.json/.md "
                                         "into")] = Path("reports"),
    inject: Annotated[list[str] | None, typer.Option(
        "--inject", metavar="KIND[:FUNCTION]", help="fail the first attempt of each new request on purpose: 429, "
        "503 or drop, optionally only for one function (repeatable; kinds take turns)")] = None,
    retry_after: Annotated[int, typer.Option(min=0, help="Retry-After (seconds) on an injected 429/503")] = 1,
    min_backoff: Annotated[float, typer.Option(min=0, help="least wait (seconds) expected before retrying a "
                                               "dropped connection")] = 0.2,
    duration: Annotated[float | None, typer.Option(min=0, help="stop after this many seconds (default: at SIGINT "
                                                   "or SIGTERM)", show_default=False)] = None,
    contracts: ContractsOption = None,
) -> None:
    """Consumer mode: serve the simulator, check every request your client sends and how it retries; on stop,
    write the client-conformance report: exit 0 pass, 1 fail or incomplete, 2 usage."""
    from ocp_conformance.binding import credential_header, load_binding
    from ocp_conformance.consumer import InjectionError, InjectionRule, Injector, Recorder, listen
    from ocp_conformance.consumer import record as serve_and_record
    from ocp_conformance.simulator.bound_shape import build_bound_app
    from ocp_conformance.simulator.credentials import is_loopback, random_tokens

    contract_set = _contracts(contracts)
    try:
        rules = [InjectionRule.parse(spec, contract_set) for spec in inject or []]
    except InjectionError as exc:
        raise _fail(EXIT_USAGE, str(exc)) from None
    try:
        sock = listen(host, port)
    except OSError as exc:
        raise _fail(EXIT_USAGE, f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                    "choose another --port, or --port 0 for any free port") from None
    if not is_loopback(host):
        errors.print(f"[bold yellow]warning:[/] listening on {host}, beyond loopback: the tokens below are random "
                     "for this start, but the unauthenticated /_sim control API is reachable from the network")
    simulator = build_bound_app(contract_set)  # in the bound contract's shape when it is not ours
    if not is_loopback(host):  # demo tokens are public: beyond loopback, random ones (before the recorder redacts)
        simulator.state.use_tokens(random_tokens(simulator.participants))
    recorder = Recorder(simulator, Injector(rules, retry_after=retry_after), contracts=contract_set)
    header = credential_header(contract_set, load_binding(contract_set))
    bound = sock.getsockname()[1]
    served = sorted({op.server_path for d in contract_set.api_documents for op in d.operations.values()})
    table = Table(title=f"ocp-conformance record on http://{host}:{bound} (APIs: {', '.join(served)}; "
                        "control: /_sim, not recorded)")
    kind = "demo only" if is_loopback(host) else "random, this start only"
    for column in ("participant", f"{header + ' credential' if header else 'bearer token'} ({kind})"):
        table.add_column(column, no_wrap=True)
    for pid in simulator.participants:
        table.add_row(pid, simulator.token_of(pid))
    console.print(table)
    console.print(f"recording on port {bound}; injecting: {', '.join(r.label for r in rules) or 'nothing'}; stop "
                  "with Ctrl-C or SIGTERM" + (f", or after {duration:g} s" if duration else ""), highlight=False)
    outcome, written = serve_and_record(recorder, sock, report, duration=duration, min_backoff=min_backoff,
                                        injections=tuple(r.label for r in rules))
    for reason in outcome.reasons:
        console.print(f"  - {reason}", markup=False, highlight=False, soft_wrap=True)
    console.print(f"client conformance: {outcome.verdict.upper()} ({outcome.exchanges} request(s)); reports: "
                  + ", ".join(str(p) for p in written), markup=False, highlight=False, soft_wrap=True)
    if outcome.harness_errors:
        raise _fail(EXIT_HARNESS, f"{len(outcome.harness_errors)} request(s) could not be recorded; this is a bug "
                    "in the harness, not your client (see client-conformance.md)")
    raise typer.Exit(EXIT_READY if outcome.verdict == "pass" else EXIT_NOT_READY)


@app.command()
def rehearse(
    script: Annotated[Path, typer.Argument(help="a rehearsal script (rehearsals/*.yaml), or the name of a shipped "
                                           "one, e.g. si-day", show_default=False)],
    speed: Annotated[float, typer.Option(min=0.01, help="play the day this many times faster than the script's "
                                         "clock plan (e.g. 8: a 20-minute day in 2.5 minutes)")] = 1.0,
    host: Annotated[str, typer.Option(help="interface to listen on (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port (0: any free port)")] = 8000,
    client: Annotated[str | None, typer.Option(help="run this command as the participant's automated client; it "
                                               "gets OCP_BASE_URL, OCP_SIM_URL, OCP_PARTICIPANT, OCP_TOKEN and "
                                               "OCP_REHEARSAL_END in its environment", show_default=False)] = None,
    report: Annotated[Path, typer.Option(help="folder to write rehearsal.json/.md/.html into")] = Path("reports"),
    contracts: ContractsOption = None,
) -> None:
    """Rehearse a practice-session business day: serve the simulator (recording your client's requests), drive its
    clock and the script's market events in accelerated time, show the task list live, and judge each task:
    exit 0 every task passed, 1 a task failed or the day did not finish, 2 usage."""
    from ocp_conformance.consumer import InjectionError, InjectionRule, Injector, Recorder, listen
    from ocp_conformance.rehearsal import Rehearsal, load_script, scripts_folder
    from ocp_conformance.rehearsal.report import write_rehearsal
    from ocp_conformance.rehearsal.serve import serve_rehearsal
    from ocp_conformance.simulator.bound_shape import build_bound_app
    from ocp_conformance.simulator.credentials import is_loopback, random_tokens

    path = script if script.suffix in (".yaml", ".yml") or script.exists() else scripts_folder() / f"{script}.yaml"
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in scripts_folder().glob("*.yaml")))
        raise _fail(EXIT_USAGE, f"no rehearsal script {script}", f"give a file, or one of: {shipped}")
    try:
        plan = load_script(path)
    except SourceError as exc:
        raise _fail(EXIT_USAGE, escape(exc.render())) from None
    if client is not None:
        import shlex
        import shutil

        words = shlex.split(client)
        if not words or shutil.which(words[0]) is None:
            raise _fail(EXIT_USAGE, f"--client: cannot run {client!r}: {words[0] if words else 'empty'} is not a "
                        "program on PATH nor a path to one", "give the command as you would type it in a shell")
    contract_set = _contracts(contracts)
    try:
        rules = [InjectionRule.parse(spec, contract_set) for spec in plan.inject]
    except InjectionError as exc:
        raise _fail(EXIT_USAGE, f"{path}: inject: {exc}") from None
    try:
        sock = listen(host, port)
    except OSError as exc:
        raise _fail(EXIT_USAGE, f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                    "choose another --port, or --port 0 for any free port") from None
    simulator = build_bound_app(contract_set)
    if not is_loopback(host):
        simulator.state.use_tokens(random_tokens(simulator.participants))
    recorder = Recorder(simulator, Injector(rules), contracts=contract_set)
    rehearsal = Rehearsal(plan, simulator, recorder)
    bound = sock.getsockname()[1]
    wall = plan.clock.wall_seconds(speed)
    console.print(f"rehearsal {plan.title!r} for {plan.participant} on http://{host}:{bound}/ocp/v1 (control: /_sim, "
                  f"not recorded); {plan.business_date} {plan.clock.start:%H:%M}-{plan.clock.end:%H:%M} in "
                  f"{wall / 60:.1f} min; token of {plan.participant}: {simulator.token_of(plan.participant)}",
                  markup=False, highlight=False, soft_wrap=True)
    with _rehearsal_display() as progress:
        result = serve_rehearsal(rehearsal, recorder, sock, speed=speed, client=client, progress=progress)
    written = write_rehearsal(result, report)
    for status in result.tasks:
        console.print(f"  {status.state.upper():4} {status.task.id}: {status.reason}", markup=False,
                      highlight=False, soft_wrap=True)
    console.print(f"rehearsal: {result.verdict.upper()} ({sum(s.state == 'pass' for s in result.tasks)} of "
                  f"{len(result.tasks)} tasks; clock reached {result.clock_reached:%H:%M} in "
                  f"{result.wall_seconds or 0:.1f} s); reports: " + ", ".join(str(p) for p in written),
                  markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_READY if result.verdict == "pass" else EXIT_NOT_READY)


@contextmanager
def _rehearsal_display() -> Iterator[Callable[..., None]]:
    """A live Rich task list on a terminal; plain lines (each change of a task, each event) otherwise."""
    from rich.live import Live

    from ocp_conformance.rehearsal import Rehearsal, TaskStatus, TimelineEntry

    marks = {"pending": "[dim]pending[/]", "due": "[yellow]due[/]", "done": "[green]done[/]", "late": "[red]late[/]"}
    if console.is_terminal:
        with Live(console=console, refresh_per_second=4, transient=False) as live:
            def redraw(rehearsal: Rehearsal, statuses: list[TaskStatus], happened: list[TimelineEntry]) -> None:
                table = Table(title=f"{rehearsal.script.title}: {rehearsal.now:%H:%M} "
                                    f"({rehearsal.script.business_date})")
                for column in ("task", "window", "state", "detail"):
                    table.add_column(column, overflow="fold")
                for status in statuses:
                    table.add_row(escape(status.task.title), f"{status.task.opens:%H:%M}-{status.task.closes:%H:%M}",
                                  marks.get(status.state, status.state), escape(status.reason))
                for entry in happened:
                    live.console.print(f"{entry.at:%H:%M} {entry.text}", markup=False, highlight=False)
                live.update(table)

            yield redraw
        return
    last: dict[str, str] = {}

    def lines(rehearsal: Rehearsal, statuses: list[TaskStatus], happened: list[TimelineEntry]) -> None:
        for entry in happened:
            console.print(f"{entry.at:%H:%M} {entry.kind}: {entry.text}", markup=False, highlight=False,
                          soft_wrap=True)
        for status in statuses:
            if last.get(status.task.id) != status.state:
                last[status.task.id] = status.state
                console.print(f"{rehearsal.now:%H:%M} task {status.task.id}: {status.state}"
                              + ("" if status.state == "pending" else f" ({status.reason})"), markup=False,
                              highlight=False, soft_wrap=True)

    yield lines


@contracts_app.command("lint")
def contracts_lint(
    require_complete: Annotated[bool, typer.Option(
        "--require-complete", help="also fail on catalogue entries not yet contracted")] = False,
    with_suites: Annotated[bool, typer.Option(
        "--with-suites", help="also check every role, operationId and field the suites and scenarios use against "
        "the bound contract (uses not yet through the binding are warnings, counted)")] = False,
    contracts: ContractsOption = None,
) -> None:
    """Check catalogue <-> contracts both ways, OpenAPI validity, JSON Schemas, documented error codes, and the
    binding (binding.yaml) against the contract it binds."""
    from ocp_conformance import simulator as simulator_package
    from ocp_conformance.binding import check_binding, load_binding

    contract_set = _contracts(contracts)
    findings = lint_contracts(contract_set, require_complete=require_complete)
    usage = None
    literals: dict[str, int] = {}
    try:
        binding = load_binding(contract_set)
        findings += check_binding(contract_set, binding)
        if with_suites:
            from ocp_conformance.binding.suite_usage import check_suite_usage

            suite_findings, usage = check_suite_usage(contract_set, binding, project_resource("suites"),
                                                      project_resource("scenarios"))
            findings += suite_findings
            from ocp_conformance.binding.literals import literal_findings

            literal_warnings, literals = literal_findings(contract_set, binding, project_resource("suites"),
                                                          Path(simulator_package.__file__).parent)
            findings += literal_warnings
    except SourceError as exc:
        findings.append(LintFinding("error", exc.location, exc.message, exc.fix))
    findings.sort(key=lambda f: f.severity != "error")
    for finding in findings:
        typer.echo(finding.render())
    errors_found = sum(f.severity == "error" for f in findings)
    contracted = sum(e.contracted for e in contract_set.catalogue)
    if usage is not None:
        typer.echo(f"suites: {usage.bound} use(s) through the binding, {usage.unbound} in the model's own names")
        typer.echo("contract names written in Python outside the adapter layer: "
                   f"{literals.get('suites', '?')} in suites/, {literals.get('handlers', '?')} in the simulator's "
                   "handlers")
    typer.echo(f"{len(contract_set.catalogue)} catalogue entries, {contracted} contracted; "
               f"{errors_found} error(s), {len(findings) - errors_found} warning(s)")
    raise typer.Exit(EXIT_NOT_READY if errors_found else EXIT_READY)


@contracts_app.command("adopt")
def contracts_adopt(
    official: Annotated[Path, typer.Argument(help="the official OpenAPI document (left unmodified)")],
    into: Annotated[Path, typer.Option("--into", help="the new contracts folder to write")],
) -> None:
    """Scaffold a contracts folder around an official OpenAPI document: the catalogue mapping proposed by name,
    an overlay adding x-ocp-function, and a binding skeleton with a TODO for each role it could not infer."""
    from ocp_conformance.binding.adopt import adopt, render_proposals

    try:
        adoption = adopt(official, into, _contracts(None))
    except SourceError as exc:
        raise _fail(EXIT_USAGE, escape(exc.render())) from None
    for function, operations in render_proposals(adoption.proposals).items():
        typer.echo(f"{function}: {', '.join(operations)}")
    mapped = sum(p.function is not None for p in adoption.proposals)
    typer.echo(f"{mapped} of {len(adoption.proposals)} operation(s) mapped to a catalogue function; "
               f"{len(adoption.todos)} binding TODO(s): {', '.join(adoption.todos) or 'none'}")
    typer.echo(f"wrote {into}/catalogue.yaml, binding.yaml, overlays/, api/{official.name}; next: "
               f"ocp-conformance contracts lint --contracts {into}")


@contracts_app.command("bind-scenarios")
def contracts_bind_scenarios(
    into: Annotated[Path, typer.Option("--into", help="where to write the bound copies (e.g. CONTRACTS/scenarios)")],
    scenarios: Annotated[Path | None, typer.Option(
        "--scenarios", help="the model's scenario folder to bind (default: the project's scenarios/)",
        show_default=False)] = None,
    contracts: ContractsOption = None,
) -> None:
    """Write the model's Arazzo workflows in the bound contract's names (operations, fields, enum and error codes,
    statuses and auth through both bindings), so Redocly respect runs them against the official shape; each
    workflow the bindings cannot express is named with the binding entry it needs. `run` makes the same copies
    itself."""
    from ocp_conformance.scenarios.bound_copies import write_bound_copies

    contract_set = _contracts(contracts)
    folder = scenarios if scenarios is not None else project_resource("scenarios")
    try:
        copies = write_bound_copies(folder, contract_set, into)
    except SourceError as exc:
        raise _fail(EXIT_USAGE, escape(exc.render())) from None
    written = left_out = not_applicable = 0
    for path, copy in copies.items():
        for workflow_id, reason in copy.scenario.not_bound.items():
            typer.echo(f"{path.relative_to(folder)}: {workflow_id}: not bound: {reason}")
            left_out += 1
        for workflow_id, reason in copy.scenario.not_applicable.items():
            typer.echo(f"{path.relative_to(folder)}: {workflow_id}: not applicable: {reason}")
            not_applicable += 1
        if copy.path is not None and copy.scenario.data is not None:
            written += len(copy.scenario.data["workflows"])
            typer.echo(f"wrote {copy.path} ({len(copy.scenario.data['workflows'])} workflow(s))")
    typer.echo(f"{written} workflow(s) bound; {left_out} not bound (a binding entry missing); {not_applicable} "
               "not applicable (a function the contract does not offer)")
    raise typer.Exit(EXIT_NOT_READY if left_out else EXIT_READY)


def _layouts(contracts: Path | None) -> dict[str, Layout]:
    from ocp_conformance.rap import default_layouts_dir, load_layouts

    folder = contracts / "rap" if contracts is not None else default_layouts_dir()
    try:
        layouts = load_layouts(folder)
    except SourceError as exc:
        raise _fail(EXIT_USAGE, exc.render()) from None
    if not layouts:
        raise _fail(EXIT_USAGE, f"no RAP layouts in {folder}", "point --contracts at a folder with rap/*.yaml")
    return layouts


def _layout_named(layouts: dict[str, Layout], file_type: str, option: str = "--type") -> Layout:
    layout = layouts.get(file_type.upper())
    if layout is None:
        raise _fail(EXIT_USAGE, f"{option} {file_type!r} is not a RAP file type." + did_you_mean(
            file_type.upper(), layouts), f"use one of {', '.join(sorted(layouts))}")
    return layout


def _infer_layout(path: Path, layouts: dict[str, Layout]) -> Layout | None:
    """The layout a file is for: from its name, else from its header's file type field."""
    for layout in layouts.values():
        parts = layout.parse_file_name(path.name)
        if parts is not None and parts.file_type in layouts:
            return layouts[parts.file_type]
    with path.open("rb") as stream:
        first = stream.readline(4096).lstrip(b"\xef\xbb\xbf").decode("ascii", "replace")
    for layout in layouts.values():
        spec = layout.header.role("file_type")
        if spec is not None and layout.format == "csv":
            fields = first.rstrip("\r\n").split(layout.delimiter)
            position = layout.header.fields.index(spec) + 1
            if len(fields) > position and fields[position] in layouts:
                return layouts[fields[position]]
    return None


def _seen_sequences(path: Path | None) -> list[str]:
    if path is None:
        return []
    try:
        # utf-8-sig: a list saved "with BOM" (Notepad) must not lose its first entry to the BOM
        return [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    except OSError as exc:
        raise _fail(EXIT_USAGE, f"--seen-sequences {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise _fail(EXIT_USAGE, f"--seen-sequences {path}: byte {exc.start + 1} is not UTF-8 text",
                    "list one sequence number or file name a line, as plain text") from None


def _sequences_for(entries: list[str], layout: Layout, name: str) -> set[int]:
    """Sequence numbers already used for the same participant, file type and date as ``name``: bare numbers
    count for every file, file names only for files of the same participant, type and date."""
    own = layout.parse_file_name(name)
    found = set()
    for entry in entries:
        if entry.isascii() and entry.isdigit():
            if len(entry) <= 9:  # a longer number names no sequence (3 digits in a file name)
                found.add(int(entry))
            continue
        other = layout.parse_file_name(Path(entry).name)
        if other is not None and own is not None and (other.participant, other.file_type, other.date) == (
                own.participant, own.file_type, own.date):
            found.add(other.sequence)
    return found


@app.command("validate-file")
def validate_file(
    paths: Annotated[list[Path], typer.Argument(help="RAP upload file(s) to check", show_default=False)],
    file_type: Annotated[str | None, typer.Option("--type", help="file type (default: from the file name or "
                                                   "header), e.g. SI, ELECTION")] = None,
    output: Annotated[str, typer.Option("--format", help="text (file:line:column: CODE message) or json "
                                        "(JSON lines, a summary last per file)")] = "text",
    participant: Annotated[str | None, typer.Option(help="the uploading participant; file name and header "
                                                    "must name it")] = None,
    seen_sequences: Annotated[Path | None, typer.Option(
        "--seen-sequences", help="file listing sequence numbers or file names already uploaded (one a line)")] = None,
    errors_per_code: Annotated[int, typer.Option(min=1, help="print at most this many errors per code and file, "
                                                 "then how many more")] = 100,
    contracts: ContractsOption = None,
) -> None:
    """Check RAP upload files against their layout; report every error; exit 0 valid, 1 invalid, 2 usage."""
    from ocp_conformance.rap import Problem, RecordResult, ValidationSummary, validate_path

    if output not in ("text", "json"):
        raise _fail(EXIT_USAGE, f"--format {output!r} is neither text nor json")
    layouts = _layouts(contracts)
    forced = _layout_named(layouts, file_type) if file_type else None
    seen = _seen_sequences(seen_sequences)
    for path in paths:
        if not path.is_file():
            raise _fail(EXIT_USAGE, f"{path}: no such file", "check the path")
    invalid = 0
    for path in paths:
        try:
            layout = forced or _infer_layout(path, layouts)
        except OSError as exc:
            raise _fail(EXIT_USAGE, f"{path}: cannot read: {exc.strerror or exc}") from None
        if layout is None:  # this file's error: the other paths are still checked
            unknown = Problem("UNKNOWN_FILE_TYPE", 1, 1, f"a RAP file type ({', '.join(sorted(layouts))}) in the "
                              "file name or the header", "none that the layouts know")
            invalid += 1
            _print_problem(path, unknown, output)
            _print_summary(path, ValidationSummary(file_type="unknown", codes=Counter([unknown.code])), output)
            continue
        printed: Counter[str] = Counter()
        try:
            for event in validate_path(path, layout, participant=participant,
                                       seen_sequences=_sequences_for(seen, layout, path.name)):
                if isinstance(event, ValidationSummary):
                    invalid += not event.valid
                    _print_omitted(path, printed, errors_per_code, output)
                    _print_summary(path, event, output)
                    continue
                problems = event.problems if isinstance(event, RecordResult) else (event,)
                for problem in problems:
                    printed[problem.code] += 1
                    if printed[problem.code] <= errors_per_code:
                        _print_problem(path, problem, output)
        except OSError as exc:
            raise _fail(EXIT_USAGE, f"{path}: cannot read: {exc.strerror or exc}") from None
    raise typer.Exit(EXIT_NOT_READY if invalid else EXIT_READY)


def _print_problem(path: Path, problem: Problem, output: str) -> None:
    if output == "json":
        typer.echo(json.dumps(problem.to_json(path)))
    else:
        typer.echo(problem.render(path))


def _print_omitted(path: Path, printed: Counter[str], shown: int, output: str) -> None:
    """One line per code whose errors were not all printed (``--errors-per-code``)."""
    for code, count in sorted(printed.items()):
        if count > shown:
            if output == "json":
                typer.echo(json.dumps({"file": str(path), "code": code, "omitted": count - shown, "shown": shown}))
            else:
                typer.echo(f"{path}: {count - shown:,} more {code} error(s) not shown (the first {shown:,} are; "
                           "--errors-per-code N shows more)")


def _print_summary(path: Path, summary: ValidationSummary, output: str) -> None:
    if output == "json":
        typer.echo(json.dumps({"file": str(path), "summary": summary.to_json()}))
        return
    if summary.valid:
        typer.echo(f"{path}: valid {summary.file_type} file, {summary.details} record(s)")
    else:
        typer.echo(f"{path}: invalid {summary.file_type} file: {summary.file_errors} file-level and "
                   f"{summary.record_errors} record-level error(s); {summary.accepted} of {summary.details} "
                   "record(s) pass the record checks" + (" (file-level errors reject the whole file)"
                                                        if summary.file_errors else ""))


@app.command("generate-file")
def generate_file_command(
    file_type: Annotated[str, typer.Argument(metavar="TYPE", help="file type, e.g. SI, ELECTION",
                                             show_default=False)],
    records: Annotated[int, typer.Option(min=0, help="number of detail records")] = 100,
    defect: Annotated[str | None, typer.Option(help="plant exactly one defect of this kind (see --list-defects)")
                      ] = None,
    out: Annotated[str | None, typer.Option("--out", "-o", metavar="FILE|DIR/", help="file to write, or folder to "
                                            "write it in (a trailing / creates it; default: the layout's file name "
                                            "in the current folder)", show_default=False)] = None,
    participant: Annotated[str, typer.Option(help="the participant in the name and header")] = "B01234",
    business_date: Annotated[str, typer.Option(help="business date, YYYY-MM-DD")] = "2027-04-06",
    sequence: Annotated[int, typer.Option(min=1, max=999, help="the file's sequence number")] = 1,
    seed: Annotated[int, typer.Option(help="random seed (the same seed writes the same file)")] = 0,
    list_defects: Annotated[bool, typer.Option("--list-defects", help="list the defect kinds and exit")] = False,
    contracts: ContractsOption = None,
) -> None:
    """Write a realistic RAP upload file (demo market), valid or with exactly one named defect."""
    from ocp_conformance.rap import DEFECTS, generate_file

    if list_defects:
        for kind in DEFECTS.values():
            typer.echo(f"{kind.kind}\t{kind.code}\t{kind.description}")
        raise typer.Exit(EXIT_READY)
    layout = _layout_named(_layouts(contracts), file_type, "TYPE")
    if defect is not None and defect not in DEFECTS:
        raise _fail(EXIT_USAGE, f"--defect {defect!r} is not a defect kind." + did_you_mean(defect, DEFECTS),
                    "ocp-conformance generate-file SI --list-defects lists them")
    target = _generate_target(out) if out is not None else Path(layout.make_file_name(participant, business_date,
                                                                                      sequence))
    temporary = target / "_generating.tmp" if target.is_dir() else target
    try:
        with temporary.open("wb", buffering=1 << 20) as stream:
            generated = generate_file(stream, layout, records, defect=defect, seed=seed, participant=participant,
                                      business_date=business_date, sequence=sequence)
    except ValueError as exc:
        temporary.unlink(missing_ok=True)
        raise _fail(EXIT_USAGE, str(exc)) from None
    except OSError as exc:
        raise _fail(EXIT_USAGE, f"cannot write {temporary}: {exc.strerror or exc}") from None
    if target.is_dir():
        target = temporary.replace(target / generated.file_name)
    planted = (f"; defect {generated.defect.kind}: expect {generated.defect.code} at line {generated.line}"
               if generated.defect else "")
    typer.echo(f"wrote {target} ({layout.file_type}, {generated.records} record(s){planted})")

def _generate_target(out: str) -> Path:
    """``-o``'s path; a trailing separator names a folder (created), never a file of that name."""
    path = Path(out)
    if not out.endswith(("/", os.sep)):
        return path
    if path.exists() and not path.is_dir():
        raise _fail(EXIT_USAGE, f"-o {out}: {path} exists and is not a folder",
                    f"write into another folder, or drop the trailing / to overwrite the file {path}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(EXIT_USAGE, f"-o {out}: cannot create the folder: {exc.strerror or exc}") from None
    return path


evidence_app = typer.Typer(no_args_is_help=True, help="Pack a report into an evidence package; verify one.")
app.add_typer(evidence_app, name="evidence")


def _evidence_secrets(report: Path, contracts: ContractSet, secret_env: list[str]) -> dict[str, str]:
    """``label -> value`` of every configured secret: OCP_TOKEN_<PARTICIPANT>, each --secret-env, and the
    simulator's demo tokens when the report is of the embedded simulator. Labels are safe to print."""
    from ocp_conformance.reporting.evidence import report_environment
    from ocp_conformance.targets import TargetError, simulator_target, tokens_from_environment

    try:
        secrets = {f"OCP_TOKEN_{participant}": token for participant, token in tokens_from_environment().items()}
    except TargetError as exc:
        raise _fail(EXIT_USAGE, str(exc)) from None
    for name in secret_env:
        value = os.environ.get(name, "")
        if not value:
            raise _fail(EXIT_USAGE, f"--secret-env {name}: no such environment variable, or it is empty",
                        "name an environment variable that holds a secret value (the name, not the value)")
        secrets[name] = value
    if report_environment(report).get("target.kind") == "simulator":
        simulator, _ = simulator_target(contracts)
        secrets.update({f"simulator demo token of {pid}": token for pid, token in simulator.tokens.items()})
    return secrets


@evidence_app.command("pack")
def evidence_pack(
    report: Annotated[Path, typer.Argument(metavar="REPORT_DIR", help="the --report folder of a run",
                                           show_default=False)],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="the zip to write (default: "
                                             "<REPORT_DIR>-evidence.zip next to the folder)", show_default=False)
                   ] = None,
    secret_env: Annotated[list[str] | None, typer.Option(
        "--secret-env", metavar="NAME", help="also scan for the value of this environment variable (repeatable)")
                          ] = None,
    contracts: ContractsOption = None,
    target_profile: Annotated[str | None, typer.Option(
        "--target", metavar="NAME", help="also scan for every secret the [targets.NAME] profile of --config resolves "
        "(tokens, API keys, client secrets, private keys)", show_default=False)] = None,
    config: ConfigOption = None,
    sign_key: Annotated[Path | None, typer.Option(
        "--sign", metavar="KEY", help="sign the manifest with this Ed25519 private key (from `evidence keygen`; "
        "held by the QA lead)", show_default=False)] = None,
) -> None:
    """Zip the readiness report, junit.xml, Allure results and contracts with a SHA-256 manifest, after a scan
    for secrets, signed with --sign: exit 0 written, 1 a secret was found (nothing written), 2 usage."""
    from ocp_conformance import __version__
    from ocp_conformance.reporting.evidence import (
        EvidenceError,
        SecretsFound,
        SigningKeyError,
        load_private_key,
        pack_evidence,
    )

    if not report.is_dir():
        raise _fail(EXIT_USAGE, f"{report}: no such folder", "pass the --report folder of `ocp-conformance run`")
    target = out if out is not None else report.resolve().with_name(f"{report.resolve().name}-evidence.zip")
    if not target.parent.is_dir():
        raise _fail(EXIT_USAGE, f"--out {target}: folder {target.parent} does not exist")
    contract_set = _contracts(contracts)
    if config is not None and target_profile is None:
        raise _fail(EXIT_USAGE, "--config needs --target NAME: which profile's secrets to scan for",
                    "add --target NAME (a [targets.NAME] table of the file)")
    secrets = _evidence_secrets(report, contract_set, secret_env or [])
    if target_profile is not None:
        secrets.update(profile_secrets(config, target_profile))
    try:
        private_key = load_private_key(sign_key) if sign_key is not None else None
    except SigningKeyError as exc:
        raise _fail(EXIT_USAGE, f"--sign: {exc}", "ocp-conformance evidence keygen --out NAME writes a key pair"
                    ) from None
    if sign_key is not None and sign_key.stat().st_mode & 0o077:
        errors.print(f"warning: --sign {sign_key} can be read by other users (mode {sign_key.stat().st_mode & 0o777:o}"
                     f"); whoever reads it can sign as you: chmod 600 {sign_key}", highlight=False, markup=False,
                     soft_wrap=True)
    try:
        packed = pack_evidence(report, target, contract_set, secrets=secrets, harness_version=__version__,
                               sign_with=private_key)
    except EvidenceError as exc:
        raise _fail(EXIT_USAGE, str(exc)) from None
    except SecretsFound as found:
        for hit in found.hits:
            typer.echo(hit.render())
        raise _fail(EXIT_NOT_READY, f"{len(found.hits)} secret(s) found in {report}; no evidence package written",
                    "remove them from the report (a token there means redaction missed it: please report "
                    "that as a harness bug) and pack again") from None
    except OSError as exc:
        raise _fail(EXIT_USAGE, f"cannot write {target}: {exc.strerror or exc}") from None
    for part in packed.missing:
        errors.print(f"warning: {report} has no {part}; packed without it", highlight=False, markup=False)
    for line in packed.skipped:
        errors.print(f"warning: {line}", highlight=False, markup=False, soft_wrap=True)
    signed = (f"; signed by key {packed.signed_by}" if packed.signed_by else
              "; NOT signed (pass --sign KEY: without a signature anyone can edit the package and its hashes)")
    typer.echo(f"wrote {packed.path}: {len(packed.manifest.files)} files, manifest.json (file list SHA-256 "
               f"{packed.manifest.files_sha256}); {len(secrets)} configured secret(s), in their common encodings, "
               f"and common token shapes scanned, none found{signed}")


@evidence_app.command("verify")
def evidence_verify(
    package: Annotated[Path, typer.Argument(metavar="FILE.zip", help="an evidence package", show_default=False)],
    key: Annotated[Path | None, typer.Option(
        "--key", metavar="PUB", help="the signer's Ed25519 public key (the .pub of `evidence keygen`): the package "
        "must be signed with it", show_default=False)] = None,
    max_inflated_mb: Annotated[float, typer.Option(
        "--max-inflated-mb", min=0.001, help="refuse a package that inflates to more than this, in MB")] = 2048,
    max_entries: Annotated[int, typer.Option(
        "--max-entries", min=1, help="refuse a package with more entries than this")] = 100_000,
) -> None:
    """Check the signature (with --key) and recompute every SHA-256 against the manifest: exit 0 intact, 1
    changed/missing/extra/odd files or a bad or missing signature, 2 not a package or not a key."""
    from ocp_conformance.reporting.evidence import (
        Limits,
        NotAnEvidencePackage,
        SigningKeyError,
        load_public_key,
        verify_evidence,
    )

    try:
        public_key = load_public_key(key) if key is not None else None
    except SigningKeyError as exc:
        raise _fail(EXIT_USAGE, f"--key: {exc}", "pass the signer's .pub file (written by `evidence keygen`)"
                    ) from None
    limits = Limits(max_total_bytes=int(max_inflated_mb * 1024 * 1024), max_entries=max_entries)
    try:
        verification = verify_evidence(package, public_key=public_key, limits=limits)
    except NotAnEvidencePackage as exc:
        raise _fail(EXIT_USAGE, escape(str(exc)), "pass a zip written by `ocp-conformance evidence pack`") from None
    for problem in verification.problems:
        typer.echo(problem)
    manifest = verification.manifest
    if not verification.intact or manifest is None:
        raise _fail(EXIT_NOT_READY, escape(f"{package}: {len(verification.problems)} problem(s); the package is not "
                                           "what was packed"))
    if verification.signature is not None:
        typer.echo(f"{package}: {verification.signature}")
    elif verification.signed:
        errors.print(f"WARNING: {package} is signed, but no --key was given: the signature was NOT checked, only the "
                     "hashes; pass --key PUB (the signer's public key) to know who made it", highlight=False,
                     markup=False)
    else:
        errors.print(f"WARNING: {package} is NOT signed: only its hashes were checked, and anyone can rewrite a "
                     "manifest's hashes; ask for a package made with `evidence pack --sign`", highlight=False,
                     markup=False, soft_wrap=True)
    typer.echo(f"{package}: verified {verification.checked} files (harness {manifest.harness_version}, "
               f"created {manifest.created_at}, verdict {manifest.verdict})")


@evidence_app.command("keygen")
def evidence_keygen(
    out: Annotated[Path, typer.Option("--out", "-o", metavar="NAME", help="writes NAME.key (private, mode 0600: "
                                      "the QA lead keeps it) and NAME.pub (give it to whoever verifies)")] = Path(
        "evidence-signing"),
) -> None:
    """Make an Ed25519 key pair for signing evidence packages; never overwrites a key."""
    from ocp_conformance.reporting.evidence import generate_keys

    private, public = out.with_name(out.name + ".key"), out.with_name(out.name + ".pub")
    if not out.parent.is_dir():
        raise _fail(EXIT_USAGE, f"--out {out}: folder {out.parent} does not exist")
    for path in (private, public):
        if path.exists():
            raise _fail(EXIT_USAGE, f"{path} exists; a key is never overwritten", "choose another --out NAME, or "
                        "move the old key pair away first")
    try:
        identity = generate_keys(private, public)
    except OSError as exc:
        raise _fail(EXIT_USAGE, f"cannot write the key pair {out}.key/.pub: {exc.strerror or exc}") from None
    typer.echo(f"wrote {private} (private key, mode 0600: keep it secret; sign with `evidence pack --sign "
               f"{private}`) and {public} (public key {identity}: give it to whoever verifies, `evidence verify "
               f"--key {public}`)")


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
