"""Secrets out of every test report at the point it is made (issue 16 item 3), a pytest plugin.

pytest prints a failed test's ``longrepr`` (traceback, assertion explanation, the message that may quote a
response body in which the target echoed a token) and captured output; pytest's JUnit XML and allure-pytest's
status details are made from the same report. This plugin's ``pytest_runtest_makereport`` wrapper runs innermost
(``trylast``), so it redacts the report before any of them reads it; an allure-commons hook redacts each Allure
result's status details, whose message allure-pytest takes from the exception itself, before the result is
written. ``reporting.scrub`` stays the safety net for files.

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

__all__ = ["REDACTOR", "RedactedRepr", "redact_report"]

REDACTOR = pytest.StashKey[Redactor]()
_ALLURE_HOOKS = pytest.StashKey[object]()


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


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    redactor = item.config.stash.get(REDACTOR, None)
    if redactor is not None:
        redact_report(report, redactor)
    return report


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
