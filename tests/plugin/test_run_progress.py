"""Per-entry progress of a run (issue 20 item 10): the model's arithmetic and the plain lines a CI log gets.

In process, with a fake clock: no wall-clock assertion.
"""

from __future__ import annotations

from io import StringIO

import pytest

from ocp_conformance.run_progress import HEARTBEAT, EntryDone, ProgressModel, _Progress, format_duration

PLAN = {
    "t1": ("Input SI",),
    "t2": ("Input SI", "Enquire SI"),
    "t3": ("Enquire SI",),
    "t4": (),  # a test without @pytest.mark.ocp: counted as a test, covers no entry
}


def test_eta_is_the_average_time_per_ended_test_times_the_tests_left() -> None:
    model = ProgressModel(PLAN)
    assert model.eta(elapsed=5.0) is None  # nothing ended: nothing to average
    model.finish("t1", "passed")
    assert model.eta(elapsed=10.0) == 30.0  # 1 of 4 in 10 s: 3 left at 10 s each
    model.finish("t2", "skipped")
    model.finish("t3", "failed")
    assert model.eta(elapsed=30.0) == 10.0
    model.finish("t4", "passed")
    assert model.eta(elapsed=40.0) == 0.0
    assert (model.tests_done, model.tests_total, model.count("skipped"), model.count("failed")) == (4, 4, 1, 1)


def test_an_entry_is_done_when_every_test_covering_it_has_ended() -> None:
    model = ProgressModel(PLAN)
    assert (model.entries_done, model.entries_total) == (0, 2)
    assert model.finish("t2", "skipped") == []  # Input SI still waits for t1, Enquire SI for t3
    assert model.finish("t3", "failed") == [EntryDone("Enquire SI", ran=1, skipped=1, failed=1)]
    assert model.finish("t1", "passed") == [EntryDone("Input SI", ran=1, skipped=1, failed=0)]
    assert model.entries_done == 2


def test_a_test_ends_once_and_an_unknown_node_changes_nothing() -> None:
    model = ProgressModel(PLAN)
    model.finish("t1", "passed")
    assert model.finish("t1", "failed") == [] and model.outcomes["t1"] == "passed"
    assert model.finish("not/collected", "passed") == [] and model.tests_done == 1


def test_status_and_line_say_entries_tests_skips_and_the_eta() -> None:
    model = ProgressModel(PLAN)
    model.start("t2")
    assert model.line(0.0) == ("[0/2 entries] running Input SI, Enquire SI · tests 0/4 (0 skipped) · 0s elapsed, "
                               "ETA —")
    done = model.finish("t3", "skipped") + model.finish("t2", "failed")
    assert model.line(125.0, done) == ("[1/2 entries] Enquire SI done (1 ran, 1 skipped, 1 failed) · tests 2/4 "
                                       "(1 skipped, 1 failed) · 2m05s elapsed, ETA 2m05s")


def test_many_entries_done_at_once_name_three() -> None:
    plan = {f"t{i}": (f"E{i}",) for i in range(5)}
    model = ProgressModel(plan)
    done = [e for i in range(5) for e in model.finish(f"t{i}", "passed")]
    assert model.line(5.0, done).startswith("[5/5 entries] E0 done (1 ran, 0 skipped); E1 done (1 ran, 0 skipped); "
                                            "E2 done (1 ran, 0 skipped); 2 more done · ")


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (59.4, "59s"), (60, "1m00s"), (3599, "59m59s"),
                                                (3600, "1h00m"), (-1, "0s")])
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _report(nodeid: str, when: str, outcome: str) -> pytest.TestReport:
    longrepr = ("file.py", 1, "Skipped: no token") if outcome == "skipped" else None
    return pytest.TestReport(nodeid, ("file.py", 1, nodeid), {}, outcome, longrepr, when)  # type: ignore[arg-type]


def _run(progress: _Progress, nodeid: str, *, setup: str = "passed", call: str | None = "passed") -> None:
    progress.pytest_runtest_logstart(nodeid)
    progress.pytest_runtest_logreport(_report(nodeid, "setup", setup))
    if call is not None:
        progress.pytest_runtest_logreport(_report(nodeid, "call", call))
    progress.pytest_runtest_logreport(_report(nodeid, "teardown", "passed"))


def test_without_a_terminal_it_prints_a_line_per_completed_entry_a_heartbeat_and_a_last_line() -> None:
    out, clock = StringIO(), _Clock()
    progress = _Progress(out, live=False, clock=clock)
    progress.begin(PLAN)
    assert out.getvalue() == "[0/2 entries] 4 tests collected\n"
    clock.now += 10
    _run(progress, "t4")  # no entry completes, 10 s since the last line: nothing printed
    assert out.getvalue().count("\n") == 1
    clock.now += HEARTBEAT
    _run(progress, "t2", setup="skipped", call=None)  # skipped at setup; nothing completes but the heartbeat is due
    clock.now += 1
    _run(progress, "t1")
    clock.now += 1
    _run(progress, "t3", call="failed")
    progress.close()
    assert out.getvalue().splitlines()[1:] == [
        "[0/2 entries] running Input SI, Enquire SI · tests 2/4 (1 skipped) · 40s elapsed, ETA 40s",
        "[1/2 entries] Input SI done (1 ran, 1 skipped) · tests 3/4 (1 skipped) · 41s elapsed, ETA 14s",
        "[2/2 entries] Enquire SI done (1 ran, 1 skipped, 1 failed) · tests 4/4 (1 skipped, 1 failed) · 42s "
        "elapsed, ETA 0s",
        "[2/2 entries] finished · tests 4/4 (1 skipped, 1 failed) · 42s elapsed, ETA 0s",
    ]
    progress.close()  # closing twice prints nothing more
    assert out.getvalue().count("\n") == 5


def test_reports_before_the_plan_is_known_and_the_first_plan_wins() -> None:
    out = StringIO()
    progress = _Progress(out, live=False, clock=_Clock())
    _run(progress, "t1")  # under xdist a report cannot come first, but nothing breaks if it does
    progress.begin({"t1": ("Input SI",)})
    progress.begin(PLAN)  # a second worker's collection: ignored
    assert progress.model is not None and progress.model.tests_total == 1


def test_pytest_prints_no_dot_while_the_progress_line_says_it() -> None:
    progress = _Progress(StringIO(), live=False, clock=_Clock())
    wrapper = progress.pytest_report_teststatus(_report("t1", "call", "passed"))
    next(wrapper)
    with pytest.raises(StopIteration) as stopped:
        wrapper.send(("passed", ".", "PASSED"))
    assert stopped.value.value == ("passed", "", "")  # the category still counts in pytest's summary line
