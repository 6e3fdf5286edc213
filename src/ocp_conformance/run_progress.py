"""Progress of a long run, per catalogue entry, with an ETA (surface: ``--ocp-progress``, which ``run`` passes).

Instead of pytest's dots: entries done of the total, the entry now running, tests run, skipped and failed so far,
the time elapsed and an ETA. On a terminal it is one Rich progress line redrawn as each test ends; anywhere else
(a CI log) it is plain lines, one when an entry completes and one at least every ``HEARTBEAT`` seconds while
tests end. Nothing runs in a thread: a line is written only when a test report arrives.

Under ``--workers`` (pytest-xdist) the controller has no items: each worker writes the node id -> entries map it
collected to ``REPORT/.results/plan-<worker>.json`` before it tells the controller its collection is done, and the
controller reads the first one; the controller sees every worker's reports through ``pytest_runtest_logreport``.

:class:`ProgressModel` holds the arithmetic (no clock, no I/O); the hooks feed it and print what it says.
Registered by ``pytest_plugin`` when pytest asks it for its options.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

__all__ = ["BLAMED_PROPERTY", "HEARTBEAT", "EntryDone", "ProgressModel", "format_duration"]

BLAMED_PROPERTY = "ocp_blamed"
"""A failed test report's user property: the catalogue entries its failure blames (travels to the xdist
controller with the report)."""

HEARTBEAT = 30.0
"""Seconds between two plain progress lines while no entry completes."""

_STATE = pytest.StashKey["_Progress"]()
_NAMED = 3
"""Entries named on one plain line when several complete at once (the results table names them all)."""
_MODES = ("auto", "live", "lines")


def format_duration(seconds: float) -> str:
    """``45s``, ``2m05s``, ``1h02m``: short enough for a progress line.

    Example:
        >>> format_duration(45.4), format_duration(125), format_duration(3720)
        ('45s', '2m05s', '1h02m')
    """
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


@dataclass(frozen=True, slots=True)
class EntryDone:
    """A catalogue entry whose every test has ended."""

    name: str
    ran: int
    skipped: int
    failed: int


@dataclass(slots=True)
class ProgressModel:
    """Counts of a run: which tests ended how, which entries have all their tests ended, and the ETA.

    ``plan`` maps each collected test's node id to the catalogue entries it covers (none for a test without
    ``@pytest.mark.ocp``). An entry is done when every test covering it has ended; a test ends once, at its
    teardown report, with the worst outcome of its phases.

    Example:
        >>> model = ProgressModel({"a": ("Input SI",), "b": ("Input SI", "Enquire SI"), "c": ("Enquire SI",)})
        >>> model.finish("a", "passed"), model.finish("b", "skipped")
        ([], [EntryDone(name='Input SI', ran=1, skipped=1, failed=0)])
        >>> model.eta(elapsed=20.0)  # 2 of 3 tests in 20 s: 10 s left
        10.0
    """

    plan: Mapping[str, tuple[str, ...]]
    outcomes: dict[str, str] = field(default_factory=dict)
    current: tuple[str, ...] = ()
    _left: dict[str, int] = field(default_factory=dict)
    _per_entry: dict[str, dict[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entries in self.plan.values():
            for entry in entries:
                self._left[entry] = self._left.get(entry, 0) + 1
                self._per_entry.setdefault(entry, {"passed": 0, "skipped": 0, "failed": 0})

    @property
    def tests_total(self) -> int:
        return len(self.plan)

    @property
    def tests_done(self) -> int:
        return len(self.outcomes)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes.values() if o == outcome)

    @property
    def entries_total(self) -> int:
        return len(self._left)

    @property
    def entries_done(self) -> int:
        return sum(1 for left in self._left.values() if left == 0)

    def start(self, nodeid: str) -> None:
        """The test now running (its entries are "now" on the progress line)."""
        self.current = self.plan.get(nodeid, self.current)

    def finish(self, nodeid: str, outcome: str, blamed: Collection[str] | None = None) -> list[EntryDone]:
        """Record a test's end (``passed``, ``failed`` or ``skipped``); the entries it completed. A node id not in
        the plan, or one already recorded, changes nothing. ``blamed``: of a failed test, the entries its failure
        blames (``None``: all it covers); the others count it as run, not failed, as the readiness report does.

        Example:
            >>> model = ProgressModel({"a": ("Input SI", "Enquire SI")})
            >>> [(done.name, done.ran, done.failed) for done in model.finish("a", "failed", blamed=["Input SI"])]
            [('Input SI', 1, 1), ('Enquire SI', 1, 0)]
        """
        if nodeid not in self.plan or nodeid in self.outcomes:
            return []
        self.outcomes[nodeid] = outcome
        done = []
        for entry in self.plan[nodeid]:
            counted = "passed" if outcome == "failed" and blamed is not None and entry not in blamed else outcome
            self._per_entry[entry][counted] += 1
            self._left[entry] -= 1
            if self._left[entry] == 0:
                counts = self._per_entry[entry]
                done.append(EntryDone(entry, counts["passed"] + counts["failed"], counts["skipped"],
                                      counts["failed"]))
        return done

    def eta(self, elapsed: float) -> float | None:
        """Seconds left, assuming the tests left take as long on average as those ended; ``None`` before the
        first test ends (nothing to average) and 0 once all have ended."""
        if self.tests_done >= self.tests_total:
            return 0.0
        if self.tests_done == 0 or elapsed <= 0:
            return None
        return elapsed * (self.tests_total - self.tests_done) / self.tests_done

    def status(self, elapsed: float) -> str:
        """Tests, skips, failures, elapsed and ETA, e.g. ``tests 340/1,200 (15 skipped, 3 failed) · 2m10s
        elapsed, ETA 5m40s``."""
        eta = self.eta(elapsed)
        parts = [f"{self.count('skipped'):,} skipped"]
        failed = self.count("failed")
        if failed:
            parts.append(f"{failed:,} failed")
        return (f"tests {self.tests_done:,}/{self.tests_total:,} ({', '.join(parts)}) · {format_duration(elapsed)} "
                f"elapsed, ETA {'—' if eta is None else format_duration(eta)}")

    def entries(self) -> str:
        width = len(str(self.entries_total))
        return f"[{self.entries_done:>{width}}/{self.entries_total} entries]"

    def line(self, elapsed: float, done: Iterable[EntryDone] = ()) -> str:
        """One plain progress line: the entries just completed (with their tests run and skipped) or the entry
        now running, then :meth:`status`."""
        done = list(done)
        finished = [f"{e.name} done ({e.ran} ran, {e.skipped} skipped{f', {e.failed} failed' if e.failed else ''})"
                    for e in done[:_NAMED]]
        if len(done) > _NAMED:
            finished.append(f"{len(done) - _NAMED} more done")
        what = "; ".join(finished) if finished else (
            f"running {', '.join(self.current)}" if self.current else "running")
        return f"{self.entries()} {what} · {self.status(elapsed)}"


class _Progress:
    """The controller's hooks (registered by ``pytest_configure`` when progress is on): feed the model once the plan
    is known, print what it says, close before the results table."""

    def __init__(self, file: IO[str], live: bool, clock: Callable[[], float] = time.monotonic,
                 writer: Any = None) -> None:
        self.file = file
        self.writer = writer  # pytest's TerminalWriter on file, to end a line it left open; None in unit tests
        self.live = live
        self.clock = clock
        self.started = clock()
        self.last_line = self.started
        self.model: ProgressModel | None = None
        self.phases: dict[str, str] = {}
        self.blamed: dict[str, tuple[str, ...]] = {}
        """Node id -> the entries its failure blames (the harness plugin's ``BLAMED_PROPERTY``)."""
        self._bar: Any = None
        self._task: Any = None

    def elapsed(self) -> float:
        return self.clock() - self.started

    def begin(self, plan: Mapping[str, tuple[str, ...]]) -> None:
        if self.model is not None:
            return
        self.model = ProgressModel(dict(plan))
        if self.live:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(bar_width=24),
                                 TextColumn("{task.fields[status]}"), auto_refresh=False,
                                 console=Console(file=self.file, force_terminal=True, highlight=False))
            self._task = self._bar.add_task(self.model.entries(), total=max(1, self.model.tests_total),
                                            status=self.model.status(0.0))
            self._bar.start()
        else:
            self._print(f"{self.model.entries()} {self.model.tests_total:,} tests collected")

    # pytest hooks

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report: pytest.TestReport) -> Generator[None, Any, Any]:
        """pytest keeps counting each outcome but prints no dot or word for it: the progress line says it."""
        status = yield
        if isinstance(status, tuple) and len(status) == 3:
            return status[0], "", ""
        return status

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if session.items:
            self.begin(plan_of(session.items, _selection(session.config)))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """Under ``--workers``: the plan from the first worker done collecting (every worker collects the same
        items); without its map, the tests alone (no entries)."""
        if self.model is not None:
            return
        report = node.config.getoption("--ocp-report", None)
        written = Path(report or ".") / ".results" / f"plan-{node.gateway.id}.json"
        try:
            plan = {nodeid: tuple(entries)
                    for nodeid, entries in json.loads(written.read_text(encoding="utf-8")).items()}
        except (OSError, ValueError, AttributeError):
            plan = {}
        self.begin({nodeid: plan.get(nodeid, ()) for nodeid in ids})

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        if self.model is not None:
            self.model.start(nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.model is None:
            return
        phase = "failed" if report.failed else "skipped" if report.skipped else "passed"
        worst = self.phases.get(report.nodeid, "passed")
        self.phases[report.nodeid] = phase if _RANK[phase] > _RANK[worst] else worst
        for name, value in report.user_properties:
            if name == BLAMED_PROPERTY and report.failed and isinstance(value, list | tuple):
                self.blamed[report.nodeid] = tuple(str(entry) for entry in value)
        if report.when != "teardown":
            return
        done = self.model.finish(report.nodeid, self.phases.pop(report.nodeid), self.blamed.pop(report.nodeid, None))
        now = self.clock()
        if self._bar is not None:
            self._redraw()
        elif done or now - self.last_line >= HEARTBEAT:
            self._print(self.model.line(now - self.started, done))
            self.last_line = now

    @pytest.hookimpl(tryfirst=True)  # before pytest_plugin prints the results table
    def pytest_sessionfinish(self) -> None:
        self.close()

    def _redraw(self) -> None:
        assert self.model is not None
        now = ", ".join(self.model.current)
        self._bar.update(self._task, completed=self.model.tests_done,
                         description=f"{self.model.entries()}{f' {now}' if now else ''}",
                         status=self.model.status(self.elapsed()), refresh=True)

    def close(self) -> None:
        """Stop the live line (leaving its last state) or print the last plain line; then a blank line, so the
        results table that follows starts on its own."""
        if self.model is None:
            return
        if self._bar is not None:
            self._redraw()
            self._bar.stop()
            self._bar = None
        else:
            self._print(f"{self.model.entries()} finished · {self.model.status(self.elapsed())}")
        self.model = None

    def _print(self, line: str) -> None:
        if self.writer is not None and self.writer.width_of_current_line:  # e.g. xdist's "bringing up nodes..."
            self.writer.line()
        self.file.write(line + "\n")
        self.file.flush()


_RANK = {"passed": 0, "skipped": 1, "failed": 2}


def _worker_id(config: pytest.Config) -> str | None:
    workerinput = getattr(config, "workerinput", None)
    return str(workerinput["workerid"]) if workerinput else None


def plan_of(items: Iterable[pytest.Item], selected: Callable[[str], bool] = lambda name: True,
            ) -> dict[str, tuple[str, ...]]:
    """Node id -> the catalogue entries its ``@pytest.mark.ocp(functions=...)`` covers, of those ``selected``
    (``--only`` judges the selection: a scenario also touching other entries does not make them count).

    Example:
        >>> class Item:
        ...     nodeid = "suites/test_x.py::test_a"
        ...     def get_closest_marker(self, name):
        ...         return pytest.mark.ocp(functions=["Input SI", "Enquire SI"], check="scenario").mark
        >>> plan_of([Item()], selected=lambda name: name == "Input SI")
        {'suites/test_x.py::test_a': ('Input SI',)}
    """
    plan = {}
    for item in items:
        marker = item.get_closest_marker("ocp")
        functions = marker.kwargs.get("functions", ()) if marker is not None else ()
        plan[item.nodeid] = tuple(name for name in functions if selected(name))
    return plan


def _selection(config: pytest.Config) -> Callable[[str], bool]:
    """Whether an entry is in ``--ocp-only``'s selection (a name or a group); every entry without it."""
    only = set(config.getoption("--ocp-only", None) or ())
    if not only:
        return lambda name: True
    from ocp_conformance.pytest_plugin import harness  # imported late: pytest_plugin registers this module

    catalogue = harness(config).contracts.catalogue
    names = {e.name for e in catalogue if e.name in only or e.group in only}
    return names.__contains__


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("ocp-conformance").addoption(
        "--ocp-progress", default=None, choices=_MODES,
        help="print per-entry progress with an ETA instead of pytest's dots: live (a redrawn line), lines (plain "
        "lines, for CI logs) or auto (live on a terminal); default: pytest's dots")


@pytest.hookimpl(trylast=True)  # after pytest's terminal reporter exists
def pytest_configure(config: pytest.Config) -> None:
    mode = config.getoption("--ocp-progress", None)
    if mode is None or _worker_id(config) is not None:
        return
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    if terminal is None:
        return
    file = terminal._tw._file
    progress = _Progress(file, live=mode == "live" or (mode == "auto" and _isatty(file)), writer=terminal._tw)
    config.stash[_STATE] = progress
    config.pluginmanager.register(progress, "ocp-conformance-progress")


def pytest_unconfigure(config: pytest.Config) -> None:
    progress = config.stash.get(_STATE, None)
    if progress is not None:
        progress.close()
        config.pluginmanager.unregister(progress)
        del config.stash[_STATE]


def _isatty(file: IO[str]) -> bool:
    try:
        return file.isatty()
    except (AttributeError, ValueError):
        return False


@pytest.hookimpl(tryfirst=True)  # a worker's map is written before xdist tells the controller it is collected
def pytest_collection_finish(session: pytest.Session) -> None:
    """In a worker: write the map for the controller (:mod:`ocp_conformance.run_progress`'s docstring)."""
    config = session.config
    worker = _worker_id(config)
    report = config.getoption("--ocp-report", None)
    if worker is None or not config.getoption("--ocp-progress", None) or not report:
        return
    folder = Path(report) / ".results"
    folder.mkdir(parents=True, exist_ok=True)
    plan = plan_of(session.items, _selection(config))
    (folder / f"plan-{worker}.json").write_text(json.dumps(plan), encoding="utf-8")
