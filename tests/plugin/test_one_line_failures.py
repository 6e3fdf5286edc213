"""Issue 16 item 10: `ocp-conformance run` prints one line per failed check with its reason, never pages of
tracebacks; the reports (JUnit XML here) keep the full detail, and `run -v` (no --ocp-one-line-failures) prints it."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

_FAILING = """
import pytest

def _deep(n):
    if n == 0:
        raise AssertionError("Received: 500 from Input SI. Expected: 201\\nsecond line of detail")
    _deep(n - 1)

@pytest.mark.ocp(functions=["Input SI"], check="contract")
def test_contract(ocp_client):
    _deep(5)

@pytest.mark.ocp(functions=["Cancel SI"], check="contract")
def test_group(ocp_client):
    raise ExceptionGroup("two checks", [AssertionError("Cancel SI: Received 500"), AssertionError("other")])

@pytest.fixture
def broken():
    raise RuntimeError("the fixture broke")

@pytest.mark.ocp(functions=["Enquire SI"], check="contract")
def test_setup_error(broken):
    pass
"""


def _run(pytester: pytest.Pytester, tmp_path: Path, *options: str) -> tuple[str, str]:
    pytester.makepyfile(_FAILING)
    junit = tmp_path / "junit.xml"
    result = pytester.runpytest("-p", "no:cacheprovider", "-q", "--tb=short", "--junitxml", str(junit), *options)
    result.assert_outcomes(failed=2, errors=1)
    return "\n".join(result.outlines + result.errlines), junit.read_text(encoding="utf-8")


def test_one_line_per_failed_check_with_its_reason(pytester: pytest.Pytester, tmp_path: Path) -> None:
    printed, junit = _run(pytester, tmp_path, "-rN", "--ocp-one-line-failures")
    lines = printed.splitlines()
    assert "FAILED test_one_line_per_failed_check_with_its_reason.py::test_contract: Received: 500 from Input SI. "\
           "Expected: 201" in lines
    assert "FAILED test_one_line_per_failed_check_with_its_reason.py::test_group: Cancel SI: Received 500 (+ 1 more)" \
           in lines
    assert "ERROR test_one_line_per_failed_check_with_its_reason.py::test_setup_error (at setup): RuntimeError: the " \
           "fixture broke" in lines
    for noise in ("Traceback", "_deep(n - 1)", "second line of detail", "= FAILURES =", "= ERRORS ="):
        assert noise not in printed, printed
    assert "_deep(n - 1)" in junit and "second line of detail" in junit  # the report keeps the detail


def test_without_the_option_the_tracebacks_are_printed(pytester: pytest.Pytester, tmp_path: Path) -> None:
    printed, _ = _run(pytester, tmp_path, "-rfE")
    assert "_deep(n - 1)" in printed and "= FAILURES =" in printed
