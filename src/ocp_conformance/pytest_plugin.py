"""The pytest plugin: options, the harness fixtures, scenario collection, result capture and the report.

Every test declares the catalogue functions it covers and its check kind with
``@pytest.mark.ocp(functions=[...], check="contract")``; the plugin turns outcomes into
:class:`~ocp_conformance.reporting.CheckResult` records, and at the end of the session builds the readiness
report from them (never from console text).
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from ocp_conformance import __version__, console_output, run_limits, run_progress
from ocp_conformance.binding import NOT_APPLICABLE, Binding, BindingMissing, credential_header, load_binding
from ocp_conformance.bound_client import BoundClient, seen_code
from ocp_conformance.client import ContractViolation, Exchange, OcpClient, TargetAnswerError, TargetUnreachable
from ocp_conformance.contracts import Catalogue, ContractSet, SourceError, UnknownOperationError, load_contracts
from ocp_conformance.contracts.validation import RequestInvalid
from ocp_conformance.reporting import (
    APPLICABLE_CHECKS,
    NODE_ID_LABEL,
    CheckResult,
    Outcome,
    Redactor,
    Waiver,
    allure_exchanges,
    build_readiness,
    dump_results,
    labels_for,
    load_results,
    load_waivers,
    operation_link,
    render_summary,
    scrub_files,
    write_categories,
    write_environment,
    write_report,
)
from ocp_conformance.reporting.error_codes import SeenCode, business_counts, load_seen, write_coverage
from ocp_conformance.reporting.error_codes import coverage as code_coverage
from ocp_conformance.reporting.machine_paths import without_machine_paths
from ocp_conformance.run_limits import deadline_reason, response_limits, stopped_early
from ocp_conformance.targets import Target, TargetError, TestPlan, attach_sftp_channel, simulator_target, url_target
from ocp_conformance.targets.capability import plan_for
from ocp_conformance.targets.profile_target import target_for

__all__ = ["Harness", "harness"]

_HARNESS = pytest.StashKey["Harness"]()
_RESULTS = pytest.StashKey[list[CheckResult]]()
_WAIVERS = pytest.StashKey[list[Waiver]]()
_CODES = pytest.StashKey[set[SeenCode]]()
_CHECKS = ("contract", "negative", "scenario", "security", "file")
OUT_OF_SCOPE = {"rap": "rap"}
"""``--ocp-out-of-scope`` value -> the catalogue entry kind it declares out of scope."""


def _out_of_scope(config: pytest.Config, catalogue: Catalogue) -> dict[str, str]:
    """``name -> reason`` of the entries ``--ocp-out-of-scope`` declares out of scope for this run."""
    kinds = {OUT_OF_SCOPE[value]: value for value in config.getoption("--ocp-out-of-scope", None) or []}
    return {e.name: f"{e.kind.upper()} declared out of scope for this run (--out-of-scope {kinds[e.kind]})"
            for e in catalogue if e.kind in kinds}


@dataclass(slots=True)
class Harness:
    """What the suites and scenarios run against: contracts, target, client, and the redactor for reports."""

    contracts: ContractSet
    target: Target
    client: OcpClient
    redactor: Redactor
    faults: tuple[str, ...] = ()
    plan: TestPlan | None = None
    """The capability profile's test plan (``None``: no profile, every entry applies)."""
    binding: Binding | None = None
    """The contracts folder's binding (roles -> the bound contract's names)."""

    @property
    def bound(self) -> BoundClient:
        """The client that speaks roles through the binding."""
        return BoundClient(self.client, self.binding or load_binding(self.contracts))


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if not pluginmanager.is_registered(run_limits):
        pluginmanager.register(run_limits, "ocp-conformance-run-limits")  # its options and hooks
    if not pluginmanager.is_registered(run_progress):
        pluginmanager.register(run_progress, "ocp-conformance-run-progress")  # --ocp-progress
    if not pluginmanager.is_registered(console_output):
        pluginmanager.register(console_output, "ocp-conformance-console-output")  # no secrets; terse
    group = parser.getgroup("ocp-conformance")
    group.addoption("--ocp-target", default="simulator",
                    help="simulator (default, in process), a base URL (tokens from OCP_TOKEN_<PARTICIPANT>), "
                    "or a [targets.NAME] profile of --ocp-config")
    group.addoption("--ocp-config", default=None, metavar="PATH",
                    help="ocp-conformance.toml: target profiles and the [participant] capability profile")
    group.addoption("--ocp-fault", action="append", default=[], metavar="NAME",
                    help="apply a simulator fault profile (repeatable; `ocp-conformance faults` lists them)")
    group.addoption("--ocp-contracts", default=None, help="contracts folder (default: OCP_CONTRACTS or ours)")
    group.addoption("--ocp-only", action="append", default=[], metavar="FUNCTION",
                    help="run only tests covering this catalogue function or group (repeatable)")
    group.addoption("--ocp-out-of-scope", action="append", default=[], choices=sorted(OUT_OF_SCOPE),
                    help="declare a part of the catalogue out of scope for this run: its tests do not run, its "
                    "entries are n/a with the reason and do not count (rap: the RAP file types)")
    group.addoption("--ocp-report", default=None, metavar="DIR",
                    help="write readiness.json / readiness.md and the Allure environment to DIR")
    group.addoption("--ocp-rap-sftp", default=None, metavar="HOST:PORT",
                    help="a URL target's RAP SFTP server (passwords: OCP_RAP_PASSWORD_<P>, else OCP_TOKEN_<P>)")
    group.addoption("--ocp-rap-known-hosts", default=None, metavar="FILE", help="known_hosts for --ocp-rap-sftp")
    group.addoption("--ocp-allure-html", action="store_true", default=False,
                    help="the Allure HTML report will be built into REPORT/allure-report (run builds it when Allure "
                    "is found): only then do the readiness pages link it")
    group.addoption("--ocp-waivers", default=None, metavar="PATH",
                    help="waivers.toml: accepted failures, each with reason, ticket and expiry date")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ocp(functions, check): the catalogue functions a test covers and its check kind "
        f"({', '.join(_CHECKS)})",
    )
    config.stash[_RESULTS] = []


def harness(config: pytest.Config) -> Harness:
    """The session's harness, built on first use from the command-line options."""
    if _HARNESS not in config.stash:
        config.stash[_HARNESS] = _build_harness(config)
    return config.stash[_HARNESS]


def _build_harness(config: pytest.Config) -> Harness:
    contracts_dir = config.getoption("--ocp-contracts")
    contracts = load_contracts(Path(contracts_dir) if contracts_dir else None)
    target_option: str = config.getoption("--ocp-target")
    faults = tuple(config.getoption("--ocp-fault"))
    if target_option == "simulator":
        target, _ = simulator_target(contracts, faults=faults)
    elif faults:
        raise pytest.UsageError("--ocp-fault applies only to the embedded simulator target")
    elif target_option.startswith(("http://", "https://")):
        target = url_target(target_option, limits=response_limits(config),
                            credential_header=credential_header(contracts, load_binding(contracts)))
    else:
        target = target_for(target_option, config.getoption("--ocp-config"))
    if target_option != "simulator" and config.getoption("--ocp-rap-sftp"):
        known_hosts = config.getoption("--ocp-rap-known-hosts")
        attach_sftp_channel(target, config.getoption("--ocp-rap-sftp"), Path(known_hosts) if known_hosts else None)
    plan = plan_for(config.getoption("--ocp-config"), contracts.catalogue)
    client = OcpClient(target, contracts)
    built = Harness(contracts=contracts, target=target, client=client, redactor=Redactor(target.secrets()),
                    faults=faults, plan=plan, binding=load_binding(contracts))
    config.stash[console_output.REDACTOR] = built.redactor
    client.listeners.append(lambda exchange: _attach(built, exchange))
    codes = config.stash.setdefault(_CODES, set())
    client.listeners.append(lambda exchange: _note_code(built, codes, exchange))
    return built


def _seen_codes(config: pytest.Config) -> set[SeenCode]:
    return config.stash.setdefault(_CODES, set())


def _note_code(built: Harness, codes: set[SeenCode], exchange: Exchange) -> None:
    """Keep the (operation, status, code) of each error answer, for error-codes.md (which documented codes the run
    provoked)."""
    if built.binding is not None:
        code = seen_code(built.binding, exchange)
        if code is not None:
            codes.add(code)


def _attach(built: Harness, exchange: Exchange) -> None:
    """Keep the exchange for the running test's Allure attachments: once per kind (operation, participant, status,
    contract violations), whole if the test fails; redacted (a no-op outside allure)."""
    signature = (exchange.operation.operation_id, exchange.participant, exchange.request.method, exchange.status,
                 tuple(exchange.violations))
    allure_exchanges.attach(exchange.describe(), signature, lambda: _exchange_text(built.redactor, exchange))


def _exchange_text(redactor: Redactor, exchange: Exchange) -> str:
    request, response = exchange.request, exchange.response
    lines = [f"{request.method} {request.url}"]
    lines += [f"{k}: {v}" for k, v in redactor.redact_headers(dict(request.headers)).items()]
    if request.content:
        lines += ["", redactor.redact_text(request.content.decode(errors="replace"))]
    lines += ["", f"HTTP {response.status_code} ({exchange.elapsed_ms:.1f} ms)"]
    lines += [f"{k}: {v}" for k, v in redactor.redact_headers(dict(response.headers)).items()]
    lines += ["", redactor.redact_text(response.text)]
    if exchange.violations:
        lines += ["", "Contract violations:", *(f"- {v}" for v in exchange.violations)]
    return "\n".join(lines)


@pytest.fixture(scope="session")
def ocp_harness(request: pytest.FixtureRequest) -> Harness:
    return harness(request.config)


@pytest.fixture(scope="session")
def ocp_client(ocp_harness: Harness) -> OcpClient:
    return ocp_harness.client


@pytest.fixture(scope="session")
def ocp_bound(ocp_harness: Harness) -> BoundClient:
    """The client that calls functions by role through the contracts folder's binding."""
    return ocp_harness.bound


@pytest.fixture(scope="session")
def ocp_target(ocp_harness: Harness) -> Target:
    return ocp_harness.target


@pytest.fixture(scope="session")
def ocp_contracts(ocp_harness: Harness) -> ContractSet:
    return ocp_harness.contracts


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name.endswith(".arazzo.yaml"):
        from ocp_conformance.scenarios import collect_file

        collected: pytest.Collector | None = collect_file(parent, file_path, lambda config: harness(config).client)
        return collected
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Label each covered test for Allure (epic = service, feature = group, story = function)."""
    try:
        catalogue = harness(config).contracts.catalogue
    except (SourceError, TargetError):
        return  # reported when the first test asks for the harness
    only = set(config.getoption("--ocp-only"))
    out_of_scope = _out_of_scope(config, catalogue)
    plan = harness(config).plan
    planned = set(plan.names("mandatory", "conditional")) if plan is not None else None
    selected, deselected = [], []
    for item in items:
        marker = item.get_closest_marker("ocp")
        if marker is None:
            selected.append(item)
            continue
        names = list(marker.kwargs.get("functions", ()))
        if not names or marker.kwargs.get("check") not in _CHECKS:
            raise pytest.UsageError(
                f"{item.nodeid}: write @pytest.mark.ocp(functions=[<catalogue names>], check=<one of "
                f"{', '.join(_CHECKS)}>); received functions={names!r}, check={marker.kwargs.get('check')!r}")
        entries = [catalogue.entry(name) for name in names]
        if (only and not any(e.name in only or e.group in only for e in entries)) or (
                planned is not None and not any(e.name in planned for e in entries)) or all(
                e.name in out_of_scope for e in entries):
            deselected.append(item)
            continue
        selected.append(item)
        unbound = _unbound_on_the_shaped_simulator(config, entries)
        if unbound is not None:
            item.add_marker(pytest.mark.skip(reason=unbound))
        item.add_marker(pytest.mark.allure_label(item.nodeid, label_type=NODE_ID_LABEL))
        levels = plan.levels() if plan is not None else {}
        mandatory = any(levels.get(e.name, ("mandatory", ""))[0] == "mandatory" for e in entries)
        item.add_marker(pytest.mark.allure_label(_SEVERITY[mandatory], label_type="severity"))
        for entry in entries:
            for label, value in labels_for(entry).items():
                item.add_marker(pytest.mark.allure_label(value, label_type=label))
            _link_operations(config, item, entry.operations)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def _unbound_on_the_shaped_simulator(config: pytest.Config, entries: list[Any]) -> str | None:
    """Why a test cannot run, when the target is the embedded simulator answering in another contract's shape and
    none of the test's api/gcp functions is bound: the simulator reaches its handlers only through the binding, so
    an unbound function has no answer there, and blaming it on the "target" would be our own gap."""
    built = harness(config)
    if built.target.kind != "simulator" or _speaks_the_model(built.contracts) or built.binding is None:
        return None
    unbound = [e.name for e in entries if e.kind != "rap" and e.name not in built.binding.functions]
    if not unbound or len(unbound) < len([e for e in entries if e.kind != "rap"]):
        return None
    names = ", ".join(f'functions."{name}"' for name in unbound)
    return (f"not run: no binding for {names} in {built.binding.path}; the embedded simulator answers in this "
            "contract's shape only through the binding")


_SEVERITY = {True: "critical", False: "normal"}
"""Allure severity of a test: critical if it covers a mandatory entry of the test plan (every entry, without a
capability profile), normal if it covers only conditional ones."""


def _link_operations(config: pytest.Config, item: pytest.Item, operation_ids: tuple[str, ...]) -> None:
    """An Allure link per contract operation the test's functions use, to the operation in its contract file."""
    for document in harness(config).contracts.api_documents:
        for operation_id in operation_ids:
            if operation_id in document.operations:
                name, url = operation_link(document, operation_id)
                item.add_marker(pytest.mark.allure_link(url, link_type="link", name=name))


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
        collector: pytest.Collector) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """A suite or scenario file that cannot be collected is a harness error (ours, or the bound contract's
    binding's), recorded in readiness.json's ``harness_errors`` with the reason; the other checks still run
    (``run`` passes ``--continue-on-collection-errors``)."""
    report = yield
    if report.failed and report.nodeid:
        config = collector.config
        reason = report.longreprtext.strip().splitlines()
        config.stash[_RESULTS].append(CheckResult(
            report.nodeid, (), "contract", "error",
            message=_redacted(config, "could not be collected: " + (reason[-1] if reason else "unknown error"))))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    return (yield from _not_run_without_binding(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    return (yield from _not_run_without_binding(item))


def _not_run_without_binding(item: pytest.Item) -> Generator[None, None, None]:
    """A test that needs a role the binding does not name is not run (skipped, the missing entry named): neither
    the target's failure nor ours. So is a suite still written in the model's own names when the harness runs
    against another contract and the request it builds breaks that contract (it needs converting to roles)."""
    try:
        return (yield)
    except BaseException as exc:
        missing = _binding_missing(exc)
        if missing is not None:
            pytest.skip(f"not run: {missing}")
        foreign = _model_request_on_foreign_contract(item.config, exc)
        if foreign is None:
            raise
        pytest.skip(f"not run: this test is still written in the model's own names and the bound contract does "
                    f"not take them ({foreign}); it needs converting to roles (ocp-conformance contracts lint "
                    "--with-suites lists each such call)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
    """Each test keeps its exchanges in its own attachment log (attached when its phases end)."""
    with allure_exchanges.per_test_log():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    log = allure_exchanges.current_log()
    if log is not None and (report.when != "setup" or not report.passed):  # the test is still open in Allure
        log.flush(failed=report.failed)
    marker = item.get_closest_marker("ocp")
    if marker is None:
        return report
    if report.when == "call" or (report.when == "setup" and not report.passed):
        result = _result(item, marker, report, call)
        item.config.stash[_RESULTS].append(result)
        if result.outcome == "failed":  # the progress line counts a failure against the entries it blames only
            report.user_properties.append((run_progress.BLAMED_PROPERTY,
                                           list(result.failed_functions or result.functions)))
    return report


def _result(item: pytest.Item, marker: pytest.Mark, report: pytest.TestReport,
            call: pytest.CallInfo[None]) -> CheckResult:
    functions = tuple(marker.kwargs.get("functions", ()))
    check = marker.kwargs["check"]
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        outcome: Outcome = "not-applicable" if reason.startswith(NOT_APPLICABLE) else "skipped"
        return CheckResult(item.nodeid, functions, check, outcome, message=reason)
    if report.passed:
        return CheckResult(item.nodeid, functions, check, "passed")
    excinfo = call.excinfo
    exc = excinfo.value if excinfo is not None else None
    cut_short = deadline_reason(item.config, exc)
    if cut_short is not None:  # the run's time limit, not the target nor us: not run
        return CheckResult(item.nodeid, functions, check, "skipped", message=cut_short)
    missing = _binding_missing(exc)
    if missing is not None:  # the bound contract's binding lacks a role: not run, the missing entry named
        return CheckResult(item.nodeid, functions, check, "skipped", message=str(missing))
    message = report.longreprtext[-2000:] if report.longreprtext else repr(exc)
    if exc is not None and _is_target_failure(exc):
        functions, blamed = _attributed(item.config, functions, check, _blamed(exc))
        return CheckResult(item.nodeid, functions, check, "failed", failed_functions=blamed,
                           message=_redacted(item.config, _summary(exc)))
    return CheckResult(item.nodeid, functions, check, "error", message=_redacted(item.config, message))


def _attributed(config: pytest.Config, functions: tuple[str, ...], check: str,
                named: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the result's functions, the functions it blames) for a failure whose exceptions name ``named``: the
    functions whose own answers were wrong. Blame goes to them alone, declared by the test or not: a test of
    Enquire Money Position whose setup calls Revoke Matched SI, which answers 500, fails Revoke Matched SI, not
    Enquire Money Position (which then counts as run, not passed). An undeclared function is added to the result
    only if the test's check kind applies to it; a failure naming no function blames every declared one."""
    if not named or _HARNESS not in config.stash:
        return functions, tuple(f for f in functions if f in named)
    catalogue = config.stash[_HARNESS].contracts.catalogue
    known = {entry.name: entry for entry in catalogue}
    extra = tuple(sorted(name for name in named - set(functions)
                         if name in known and check in APPLICABLE_CHECKS[known[name].kind]))
    covered = functions + extra
    blamed = tuple(f for f in covered if f in named)
    return (covered, blamed) if blamed else (functions, ())


def _redacted(config: pytest.Config, message: str) -> str:
    """A result message without any configured secret (it goes into readiness.json and readiness.md)."""
    return config.stash[_HARNESS].redactor.redact_text(message) if _HARNESS in config.stash else message


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc


def _model_request_on_foreign_contract(config: pytest.Config, exc: BaseException) -> str | None:
    """What the bound contract refused, when a request in the model's own names meets a contract that is not the
    model's (its operationIds are not all ours); ``None`` otherwise (then it is a harness error, ours)."""
    built = config.stash.get(_HARNESS, None)
    if built is None:
        return None
    refused = next((leaf for leaf in _leaves(exc) if isinstance(leaf, RequestInvalid | UnknownOperationError)),
                   None)
    if refused is None or _speaks_the_model(built.contracts):
        return None
    return str(refused).splitlines()[0][:300]


def _speaks_the_model(contracts: ContractSet) -> bool:
    from ocp_conformance.contracts import default_contracts_dir

    ours = load_contracts(default_contracts_dir())
    return set(ours.operations) <= set(contracts.operations)


def _binding_missing(exc: BaseException | None) -> BindingMissing | None:
    if exc is None:
        return None
    return next((leaf for leaf in _leaves(exc) if isinstance(leaf, BindingMissing)), None)


def _is_target_failure(exc: BaseException) -> bool:
    """An assertion about the target, a read of the target's answer that found a wrong status or not the field,
    item or index read (:class:`TargetAnswerError`: the ``KeyError``/``IndexError``/``TypeError`` a guarded
    response body raises), or the target not answering (through our client or a raw httpx call): the target's
    failure, not ours. The same errors raised by the harness's own data stay harness errors."""
    return all(isinstance(leaf, AssertionError | TargetAnswerError | TargetUnreachable | httpx.TransportError)
               for leaf in _leaves(exc))


def _blamed(exc: BaseException) -> set[str]:
    names = set()
    for leaf in _leaves(exc):
        function = getattr(leaf, "function", None)
        if isinstance(function, str):
            names.add(function)
        elif isinstance(leaf, ContractViolation) and leaf.function:
            names.add(leaf.function)
    return names


def _summary(exc: BaseException) -> str:
    return "\n".join(str(leaf) for leaf in _leaves(exc))[:2000]


def _worker_id(config: pytest.Config) -> str | None:
    """The pytest-xdist worker id, or None in the controller. Read from the config, not the environment: a
    harness run started from inside an xdist worker (our own tests do that) inherits PYTEST_XDIST_WORKER."""
    workerinput = getattr(config, "workerinput", None)
    return str(workerinput["workerid"]) if workerinput else None


def pytest_sessionstart(session: pytest.Session) -> None:
    try:  # a configuration problem stops the run before any test, as a usage error, never a harness error
        harness(session.config).target.acting_pair()
        waivers_option = session.config.getoption("--ocp-waivers")
        session.config.stash[_WAIVERS] = (
            load_waivers(Path(waivers_option), harness(session.config).contracts.catalogue) if waivers_option else [])
    except (SourceError, TargetError) as exc:
        raise pytest.UsageError(str(exc)) from None
    report_option = session.config.getoption("--ocp-report")
    if report_option is not None and _worker_id(session.config) is None:
        import shutil

        shutil.rmtree(Path(report_option) / ".results", ignore_errors=True)  # never mix in an earlier run


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    report_option = config.getoption("--ocp-report")
    results = config.stash[_RESULTS]
    if report_option is None:
        return
    report_dir = Path(report_option)
    results_dir = report_dir / ".results"
    results_dir.mkdir(parents=True, exist_ok=True)
    worker = _worker_id(config)
    (results_dir / f"{worker or 'main'}.jsonl").write_text(dump_results(results), encoding="utf-8")
    (results_dir / f"{worker or 'main'}.codes.json").write_text(
        json.dumps(sorted(_seen_codes(config))), encoding="utf-8")
    if worker is not None:
        return  # the controller builds the report from every worker's results
    _write_report(config, report_dir, results_dir)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Last, once pytest's JUnit XML and allure-pytest's results are written: they quote failure messages, which
    may quote a body in which the target echoed a secret; scrub every secret value out of them."""
    if _worker_id(config) is not None or _HARNESS not in config.stash:
        return
    folders = [Path(option) for option in (config.getoption("--ocp-report"), config.getoption("--alluredir", None),
                                           getattr(config.option, "xmlpath", None)) if option]
    scrub_files(folders, config.stash[_HARNESS].redactor)


def _waivers(config: pytest.Config) -> list[Waiver]:
    return config.stash.get(_WAIVERS, [])


def _write_report(config: pytest.Config, report_dir: Path, results_dir: Path) -> None:
    built = harness(config)
    # reports name files relative to these: the suites' project, the working folder, the contracts folder's parent
    roots = [config.rootpath, Path.cwd(), built.contracts.root.parent]
    results = [replace(r, message=without_machine_paths(r.message, roots)) if r.message else r
               for path in sorted(results_dir.glob("*.jsonl"))
               for r in load_results(path.read_text(encoding="utf-8").splitlines())]
    readiness = build_readiness(built.contracts.catalogue, results,
                                target=built.target.description or built.target.name,
                                contract_version=built.contracts.version,
                                selection=config.getoption("--ocp-only") or None,
                                waivers=_waivers(config), stopped_early=stopped_early(config, results),
                                plan=built.plan.levels() if built.plan is not None else None,
                                target_warnings=built.target.warnings,
                                out_of_scope=_out_of_scope(config, built.contracts.catalogue),
                                contract_source=(built.binding or load_binding(built.contracts)).contract)
    allure_dir = config.getoption("--alluredir", None)
    write_report(readiness, report_dir, results, Path(allure_dir) if allure_dir else None,
                 allure_html=config.getoption("--ocp-allure-html"))
    code_rows = code_coverage(built.contracts, load_seen(sorted(results_dir.glob("*.codes.json"))))
    provoked, documented = write_coverage(code_rows, report_dir)
    business = business_counts(code_rows)
    if allure_dir:
        Path(allure_dir).mkdir(parents=True, exist_ok=True)
        write_environment(Path(allure_dir), {
            "target": built.target.description or built.target.name,
            "target.kind": built.target.kind,
            "participant": built.target.acting_pair()[0],
            "participants": ", ".join(built.target.participants),
            "contract.version": built.contracts.version,
            "contract.sha256": built.contracts.fingerprint(),
            "faults": ", ".join(built.faults) or "none",
            "harness.version": f"ocp-conformance {__version__}",
        })
        write_categories(Path(allure_dir))
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    if terminal is not None:
        if terminal._tw.width_of_current_line:  # pytest's dots (without --ocp-progress) end with no newline
            terminal._tw.line()
        terminal._tw.line()  # the results table starts after a blank line, never glued to the progress
        console = Console(file=terminal._tw._file, force_terminal=False, width=120)
        render_summary(readiness, console)
        console.print(f"Documented error codes provoked: {provoked} of {documented}, business rules (404/409/422) "
                      f"{business[0]} of {business[1]} (error-codes.md lists the others per function)",
                      highlight=False, markup=False)
