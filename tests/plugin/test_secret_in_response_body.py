"""A secret the target echoes in a response body never reaches a report file nor the console (issues 7 and 16).

The run's target is the embedded simulator; the test puts another participant's bearer token into an SI's
narrative, which Input SI echoes in its 201 body, and makes the test fail so the failure message quotes the
body too (raw and base64-encoded). Every file the run writes (readiness, JUnit, Allure results and attachments)
and everything it prints is then searched for the token in any of its encodings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ocp_conformance import pytest_plugin
from ocp_conformance.reporting.secret_forms import secret_forms
from ocp_conformance.targets import simulator_target

pytest_plugins = ["pytester"]

_ECHOING_TEST = """
import base64
import pytest

@pytest.mark.ocp(functions=["Input SI"], check="security")
def test_echo(ocp_client, ocp_target):
    secret = ocp_target.tokens["B05678"]
    exchange = ocp_client.call(
        "Input SI", as_participant="B01234", side="DELIVER", counterpartyId="B05678", stockCode="00005",
        quantity=1000, settlementDate=ocp_client.business_dates()[0].isoformat(), paymentType="FOP",
        narrative=secret)
    assert exchange.status == 201, exchange.response.text
    assert exchange.body["narrative"] == secret  # the target really echoed it
    print("captured output quotes it too:", secret)
    encoded = base64.b64encode(("Bearer " + secret).encode()).decode()
    assert exchange.response.text == "", "the body was " + exchange.response.text + " / " + encoded
"""


@pytest.fixture
def secret() -> str:
    target, _ = simulator_target()
    return target.tokens["B05678"]  # the counterparty's token: a value the run must never write down


def _leaks(secret: str, text: bytes) -> list[str]:
    return [form.encoding for form in secret_forms(secret) if form.data in text]


def _run(pytester: pytest.Pytester, tmp_path: Path, *options: str) -> tuple[pytest.RunResult, list[Path]]:
    pytester.makepyfile(_ECHOING_TEST)
    report, allure_dir = tmp_path / "report", tmp_path / "allure-results"
    result = pytester.runpytest("-p", "no:cacheprovider", "--ocp-report", str(report), "--alluredir", str(allure_dir),
                                "--junitxml", str(report / "junit.xml"), "-rfE", *options)
    result.assert_outcomes(failed=1)
    written = [path for folder in (report, allure_dir) for path in folder.rglob("*") if path.is_file()]
    assert any(path.name.endswith("-attachment.txt") for path in written), "no exchange was attached"
    assert (report / "readiness.json").is_file() and (report / "junit.xml").is_file()
    return result, written


def test_a_token_echoed_in_a_response_body_never_reaches_a_report_file(pytester: pytest.Pytester, tmp_path: Path,
                                                                         secret: str) -> None:
    _, written = _run(pytester, tmp_path)
    leaks = {str(path): _leaks(secret, path.read_bytes()) for path in written}
    assert not {path: forms for path, forms in leaks.items() if forms}, "the echoed token reached report files"


@pytest.mark.parametrize("tb", ["short", "long", "line", "native"])
def test_a_token_echoed_in_a_response_body_is_never_printed(pytester: pytest.Pytester, tmp_path: Path, secret: str,
                                                            tb: str) -> None:
    result, _ = _run(pytester, tmp_path, f"--tb={tb}", "-vv", "-rA")
    printed = "\n".join(result.outlines + result.errlines)
    assert "test_echo" in printed and "[REDACTED]" in printed, printed[-2000:]
    assert not _leaks(secret, printed.encode()), printed[-2000:]


def test_reports_are_redacted_as_they_are_made_not_only_by_the_scrub(
        pytester: pytest.Pytester, tmp_path: Path, secret: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the safety net off, JUnit XML (made from the test report) and the Allure result (status details)
    still hold no secret."""
    monkeypatch.setattr(pytest_plugin, "scrub_files", lambda paths, redactor: [])
    _, written = _run(pytester, tmp_path)
    results = [path for path in written if path.name.endswith(("-result.json", "junit.xml"))]
    assert len(results) >= 2 and all(b"[REDACTED]" in path.read_bytes() for path in results)
    leaks = {str(path): _leaks(secret, path.read_bytes()) for path in written}
    assert not {path: forms for path, forms in leaks.items() if forms}, "the echoed token reached report files"
