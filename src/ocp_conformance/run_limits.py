"""Time and size limits of a run (surface: pytest options and hooks; the logic lives in ``targets``).

- ``--ocp-request-timeout S`` and ``--ocp-max-body-mb N``: every request to a URL target (response_guard.py).
- ``--ocp-run-timeout S``: the whole run. Once it passes, each remaining check is skipped with the reason
  (reported as *partial*, never as a pass or as the target's failure) and readiness says the run stopped
  early. Requests are clamped to the time left; as a backstop, a check still running shortly after the limit
  is interrupted (SIGALRM, main thread only) and reported the same way.
- ``--ocp-schedule-wait S``: how long steps that need the exchange's schedule may wait on a target without
  clock-control (0: skip them at once, with the reason).

Registered by ``pytest_plugin`` when pytest asks it for its options.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Generator, Iterable, Iterator
from types import FrameType

import pytest

from ocp_conformance.reporting import CheckResult
from ocp_conformance.targets.response_guard import ResponseLimits
from ocp_conformance.targets.run_deadline import RUN_LIMIT_REASON, RunDeadline, RunDeadlineReached

__all__ = ["deadline_reason", "response_limits", "run_deadline", "schedule_wait", "stopped_early"]

_DEADLINE = pytest.StashKey[RunDeadline]()
_IN_CALL = pytest.StashKey[list[bool]]()
_BACKSTOP_GRACE = 5.0
"""Seconds past the run limit before a check still running is interrupted."""


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError(f"must be positive, received {text}")
    return value


def _not_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError(f"must be 0 or more, received {text}")
    return value


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ocp-conformance")
    group.addoption("--ocp-request-timeout", type=_positive, default=None, metavar="S",
                    help="seconds each request to a URL target may take, body included (default 30)")
    group.addoption("--ocp-run-timeout", type=_positive, default=None, metavar="S",
                    help="seconds the whole run may take; checks left are reported as not run (default: none)")
    group.addoption("--ocp-max-body-mb", type=_positive, default=None, metavar="N",
                    help="largest response body read from a URL target, in MB (default 16)")
    group.addoption("--ocp-schedule-wait", type=_not_negative, default=None, metavar="S",
                    help="seconds a step may wait for the exchange's schedule (settlement) or a counterparty on a "
                         "target without clock-control (default 0: skip such steps, saying why)")


def run_deadline(config: pytest.Config) -> RunDeadline:
    """The run's deadline, started when pytest configured the run."""
    if _DEADLINE not in config.stash:
        config.stash[_DEADLINE] = RunDeadline(config.getoption("--ocp-run-timeout", None))
    return config.stash[_DEADLINE]


def response_limits(config: pytest.Config) -> ResponseLimits:
    """The limits for a URL target's requests, from the options."""
    limits = ResponseLimits(deadline=run_deadline(config))
    if config.getoption("--ocp-request-timeout", None) is not None:
        limits.request_timeout = float(config.getoption("--ocp-request-timeout"))
    if config.getoption("--ocp-max-body-mb", None) is not None:
        limits.max_body_mb = float(config.getoption("--ocp-max-body-mb"))
    return limits


def schedule_wait(config: pytest.Config) -> float:
    """Seconds a scheduled or counterparty step may be waited for (0: skip it with the reason)."""
    value = config.getoption("--ocp-schedule-wait", None)
    return float(value) if value is not None else 0.0


def pytest_configure(config: pytest.Config) -> None:
    deadline = run_deadline(config)
    config.stash[_IN_CALL] = [False]
    if deadline.seconds is None or threading.current_thread() is not threading.main_thread():
        return
    in_call = config.stash[_IN_CALL]

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if in_call[0]:
            raise RunDeadlineReached(deadline.reason())

    signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, deadline.seconds + _BACKSTOP_GRACE)


def pytest_unconfigure(config: pytest.Config) -> None:
    if run_deadline(config).seconds is not None and threading.current_thread() is threading.main_thread():
        signal.setitimer(signal.ITIMER_REAL, 0)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    pytest_unconfigure(session.config)  # never interrupt the report


def pytest_runtest_setup(item: pytest.Item) -> None:
    deadline = run_deadline(item.config)
    if deadline.expired():
        pytest.skip(deadline.reason())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    flag = item.config.stash[_IN_CALL]
    flag[0] = True
    try:
        return (yield)
    finally:
        flag[0] = False


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def deadline_reason(config: pytest.Config, exc: BaseException | None) -> str | None:
    """The not-run reason when ``exc`` (a check's failure) is the run limit cutting it short, else None."""
    if exc is None:
        return None
    for link in _chain(exc):
        if isinstance(link, RunDeadlineReached):
            return str(link)
    deadline = run_deadline(config)
    if deadline.expired() and RUN_LIMIT_REASON in str(exc):
        return deadline.reason()
    return None


def stopped_early(config: pytest.Config, results: Iterable[CheckResult]) -> str | None:
    """Why the run stopped early, or None when every selected check ran."""
    cut = [r for r in results if r.outcome == "skipped" and r.message.startswith(RUN_LIMIT_REASON)]
    if not cut:
        return None
    seconds = run_deadline(config).seconds
    limit = f"{seconds:g} s" if seconds is not None else "the limit"
    return f"the run time limit ({limit}, --run-timeout) was reached; {len(cut)} check(s) not run"
