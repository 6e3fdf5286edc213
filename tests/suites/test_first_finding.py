"""A stateful run's first failure is its finding, whatever hypothesis's replay ends in."""

from __future__ import annotations

import pytest
from suites.first_finding import Findings


class _Mismatch(AssertionError):
    pass


def test_an_error_after_a_recorded_failure_reports_the_first_failure_seen() -> None:
    findings = Findings()
    first, second = _Mismatch("first divergence"), _Mismatch("replay diverged elsewhere")
    with pytest.raises(_Mismatch, match="first divergence") as raised, findings.first_seen():
        findings.record(first)
        findings.record(second)
        raise RuntimeError("Flaky: the replay did not reproduce the failure")
    assert isinstance(raised.value.__cause__, RuntimeError)


def test_a_failure_raised_as_it_is_passes_through_and_earlier_runs_are_forgotten() -> None:
    findings = Findings()
    findings.record(_Mismatch("from an earlier test"))
    with pytest.raises(_Mismatch, match="this run"), findings.first_seen():
        raise _Mismatch("this run")
    with pytest.raises(RuntimeError, match="nothing recorded"), findings.first_seen():
        raise RuntimeError("nothing recorded")
