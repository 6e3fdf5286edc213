"""A secret the target echoes in a response body never reaches a report file (issue 7's must-show).

The run's target is the embedded simulator; the test puts another participant's bearer token into an SI's
narrative, which Input SI echoes in its 201 body, and makes the test fail so the failure message quotes the
body too. Every file the run writes (readiness, JUnit, Allure results and attachments) is then searched for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ocp_conformance.targets import simulator_target

pytest_plugins = ["pytester"]


def test_a_token_echoed_in_a_response_body_never_reaches_a_report_file(pytester: pytest.Pytester,
                                                                         tmp_path: Path) -> None:
    target, _ = simulator_target()
    secret = target.tokens["B05678"]  # the counterparty's token: a value the run must never write down
    pytester.makepyfile(
        """
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
            pytest.fail("the body was " + exchange.response.text)  # a failure message that quotes the body
        """
    )
    report, allure_dir = tmp_path / "report", tmp_path / "allure-results"
    result = pytester.runpytest("-p", "no:cacheprovider", "--ocp-report", str(report), "--alluredir", str(allure_dir),
                                "--junitxml", str(report / "junit.xml"))
    result.assert_outcomes(failed=1)
    written = [path for folder in (report, allure_dir) for path in folder.rglob("*") if path.is_file()]
    assert any(path.name.endswith("-attachment.txt") for path in written), "no exchange was attached"
    assert (report / "readiness.json").is_file() and (report / "junit.xml").is_file()
    leaks = [str(path) for path in written if secret.encode() in path.read_bytes()]
    assert not leaks, f"the echoed token reached {leaks}"
