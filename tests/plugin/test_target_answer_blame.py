"""issue 15 item 1: a wrong answer fails the target, never crashes the check. A field, item or index read from a
target's answer that lacks it (a 404 where the owner's own object was due) is the read function's failure, with
the response in the report; the same ``KeyError`` raised by the harness's own data stays a harness error."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest_plugins = ["pytester"]

_TESTS = """
import pytest

ITEMS = [{"kind": "ATI", "fromAccount": "01", "toAccount": "02", "stockCode": "00005", "quantity": 5}]


def _own_read(ocp_client):
    owner = ocp_client.target.acting_pair()[0]
    created = ocp_client.call("Input Mass ATI/STI", as_participant=owner, items=ITEMS).expect(201)
    return ocp_client.call("Enquire Mass ATI/STI", as_participant=owner, operation="getMassTransfer",
                           massId=created["massId"])


@pytest.mark.ocp(functions=["Input Mass ATI/STI", "Enquire Mass ATI/STI"], check="scenario")
def test_raw_read(ocp_client):
    assert _own_read(ocp_client).body["items"][0]["kind"] == "ATI"


@pytest.mark.ocp(functions=["Change Mass ATI/STI"], check="security")
def test_expected_read(ocp_client):
    assert _own_read(ocp_client).expect(200, blame="Change Mass ATI/STI")["status"] == "RECEIVED"


@pytest.mark.ocp(functions=["Cancel Mass ATI/STI"], check="scenario")
def test_harness_own_key_error(ocp_client):
    expected = {"RECEIVED": "CANCELLED"}
    assert expected["PROCESSED"]
"""


def _run(pytester: pytest.Pytester, *faults: str) -> tuple[pytest.RunResult, dict[str, Any], dict[str, Any]]:
    pytester.makepyfile(test_reads=_TESTS)
    report = pytester.path / "report"
    options = [arg for fault in faults for arg in ("--ocp-fault", fault)]
    result = pytester.runpytest("-p", "no:cacheprovider", "--ocp-report", str(report), *options)
    readiness = json.loads((report / "readiness.json").read_text(encoding="utf-8"))
    results = {json.loads(line)["test_id"].rsplit("::", 1)[-1]: json.loads(line)
               for line in (report / ".results" / "main.jsonl").read_text(encoding="utf-8").splitlines()}
    return result, readiness, results


def test_a_404_read_as_the_owners_object_fails_the_read_function_not_the_harness(pytester: pytest.Pytester) -> None:
    result, readiness, results = _run(pytester, "mass-own-read-404")
    result.assert_outcomes(failed=3)
    raw = results["test_raw_read"]
    assert (raw["outcome"], raw["failed_functions"]) == ("failed", ["Enquire Mass ATI/STI"])
    assert "answered without /items" in raw["message"] and "MASS_NOT_FOUND" in raw["message"]  # the response
    expected = results["test_expected_read"]
    assert (expected["outcome"], expected["failed_functions"]) == ("failed", ["Change Mass ATI/STI"])
    assert "answered HTTP 404" in expected["message"] and "Expected: HTTP 200" in expected["message"]
    entries = {e["name"]: e["status"] for e in readiness["entries"]}
    assert entries["Enquire Mass ATI/STI"] == entries["Change Mass ATI/STI"] == "fail"
    assert entries["Input Mass ATI/STI"] != "fail"  # blamed precisely: the read failed, not the create
    # the harness's own KeyError (not a read of the target's answer) stays a harness error
    assert [e["test_id"].rsplit("::", 1)[-1] for e in readiness["harness_errors"]] == ["test_harness_own_key_error"]
    assert results["test_harness_own_key_error"]["outcome"] == "error"


def test_a_faithful_target_passes_the_same_reads(pytester: pytest.Pytester) -> None:
    _, readiness, results = _run(pytester)
    assert results["test_raw_read"]["outcome"] == results["test_expected_read"]["outcome"] == "passed"
    assert [e["test_id"].rsplit("::", 1)[-1] for e in readiness["harness_errors"]] == ["test_harness_own_key_error"]
