"""What a run prints, a pytest plugin: secrets out of every test report at the point it is made, and with
``--ocp-one-line-failures`` (``ocp-conformance run`` without ``-v``) one line per failed check instead of pages of
tracebacks (issue 16 items 3 and 10).

pytest prints a failed test's ``longrepr`` (traceback, assertion explanation, the message that may quote a
response body in which the target echoed a token) and captured output; pytest's JUnit XML and allure-pytest's
status details are made from the same report. This plugin's ``pytest_runtest_makereport`` wrapper runs innermost
(``trylast``), so it redacts the report before any of them reads it; an allure-commons hook redacts each Allure
result's status details, whose message allure-pytest takes from the exception itself, before the result is
written. ``reporting.scrub`` stays the safety net for files.

One line per failure: the reports keep their full detail (JUnit XML, Allure, readiness.md are made from them),
but the terminal's FAILURES/ERRORS sections are switched off once the tests have run, and the terminal summary
lists ``FAILED <test id>: <reason>`` (the first line of each assertion or error, redacted) instead.

The redactor is the harness's (:data:`REDACTOR`, set by ``pytest_plugin`` when the harness is built); before that
no secret is known and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import allure_commons
import pytest
from _pytest._code.code import ReprFileLocation, TerminalRepr
from _pytest._io import TerminalWriter

from ocp_conformance.reporting import Redactor

__all__ = ["REDACTOR", "RedactedRepr", "failure_reason", "redact_report"]

REDACTOR = pytest.StashKey[Redactor]()
_ALLURE_HOOKS = pytest.StashKey[object]()
_REASON_WIDTH = 240
_REASON = "ocp_reason"
"""The report attribute holding the one-line reason (a plain string: it travels from xdist workers too)."""


class RedactedRepr(TerminalRepr):
    """A failure report's text with the secrets removed, keeping the crash line (``file:line: message``) that
    ``--tb=line`` and the short summary (``-r``) print."""

    def __init__(self, text: str, reprcrash: ReprFileLocation | None) -> None:
        self.text = text
        self.reprcrash = reprcrash

    def toterminal(self, tw: TerminalWriter) -> None:
        for line in self.text.splitlines():
            tw.line(line)


def redact_report(report: pytest.TestReport | pytest.CollectReport, redactor: Redactor) -> None:
    """Replace ``report``'s failure text and captured sections with redacted copies, in place, if they hold a
    secret (an untouched report keeps its structured ``longrepr``)."""
    if redactor.secret_count == 0:
        return
    longrepr = report.longrepr
    if isinstance(longrepr, str):
        report.longrepr = redactor.redact_text(longrepr)
    elif isinstance(longrepr, tuple):
        path, line, message = longrepr
        report.longrepr = (path, line, redactor.redact_text(message))
    elif longrepr is not None:
        text = str(longrepr)
        redacted = redactor.redact_text(text)
        if redacted != text:
            crash = getattr(longrepr, "reprcrash", None)
            report.longrepr = RedactedRepr(redacted, ReprFileLocation(
                crash.path, crash.lineno, redactor.redact_text(crash.message)) if crash is not None else None)
    report.sections = [(title, redactor.redact_text(content)) for title, content in report.sections]


def failure_reason(exc: BaseException) -> str:
    """One line: the first line of the first leaf exception's message (``+ N more`` for an exception group)."""
    leaves = list(_leaves(exc))
    first = leaves[0]
    text = str(first).strip().splitlines()
    if not text:
        line = type(first).__name__
    elif isinstance(first, AssertionError):  # our checks' messages say received/expected/where already
        line = text[0]
    else:
        line = f"{type(first).__name__}: {text[0]}"
    if len(line) > _REASON_WIDTH:
        line = line[:_REASON_WIDTH - 1] + "…"
    return line + (f" (+ {len(leaves) - 1} more)" if len(leaves) > 1 else "")


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("ocp-conformance").addoption(
        "--ocp-one-line-failures", action="store_true", default=False,
        help="print one line per failed check (the reason) instead of tracebacks; the reports keep the detail")


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    redactor = item.config.stash.get(REDACTOR, None)
    if redactor is not None:
        redact_report(report, redactor)
    if report.failed and call.excinfo is not None:
        reason = failure_reason(call.excinfo.value)
        setattr(report, _REASON, redactor.redact_text(reason) if redactor is not None else reason)
    return report


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, Any]:
    report: pytest.CollectReport = yield
    redactor = collector.config.stash.get(REDACTOR, None)
    if redactor is not None and report.failed:
        redact_report(report, redactor)
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Every report is made: from here on the terminal prints no traceback sections (one line each instead)."""
    if session.config.getoption("--ocp-one-line-failures"):
        session.config.option.tbstyle = "no"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if not config.getoption("--ocp-one-line-failures"):
        return
    reports = [(word, report) for key, word in (("failed", "FAILED"), ("error", "ERROR"))
               for report in terminalreporter.stats.get(key, []) if getattr(report, "nodeid", None) is not None]
    if not reports:
        return
    terminalreporter.section(f"{len(reports)} failed check(s): one line each; tracebacks in junit.xml, the Allure "
                             "results and with `ocp-conformance run -v`", sep="-")
    for word, report in reports:
        reason = getattr(report, _REASON, None) or _crash_line(report)
        when = f" (at {report.when})" if word == "ERROR" and getattr(report, "when", "call") != "call" else ""
        terminalreporter.write_line(f"{word} {report.nodeid}{when}: {reason}")


def _crash_line(report: pytest.TestReport | pytest.CollectReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = (crash.message if crash is not None else str(report.longrepr or "")).strip().splitlines()
    return text[0][:_REASON_WIDTH] if text else "(no reason recorded)"


class _AllureResults:
    """An allure-commons plugin: redacts each test result's status details (its own and its steps') just before
    the file logger writes it."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    @allure_commons.hookimpl(tryfirst=True)  # before the file logger writes the result
    def report_result(self, result: Any) -> None:
        redactor = self._config.stash.get(REDACTOR, None)
        if redactor is not None:
            _redact_allure(result, redactor)


def _redact_allure(node: Any, redactor: Redactor) -> None:
    details = getattr(node, "statusDetails", None)
    if details is not None:
        for field in ("message", "trace"):
            value = getattr(details, field, None)
            if isinstance(value, str):
                setattr(details, field, redactor.redact_text(value))
    for parameter in getattr(node, "parameters", None) or ():
        if isinstance(getattr(parameter, "value", None), str):
            parameter.value = redactor.redact_text(parameter.value)
    for step in getattr(node, "steps", None) or ():
        _redact_allure(step, redactor)


def pytest_configure(config: pytest.Config) -> None:
    plugin = _AllureResults(config)
    allure_commons.plugin_manager.register(plugin)
    config.stash[_ALLURE_HOOKS] = plugin


def pytest_unconfigure(config: pytest.Config) -> None:
    plugin = config.stash.get(_ALLURE_HOOKS, None)
    if plugin is not None:
        allure_commons.plugin_manager.unregister(plugin)
