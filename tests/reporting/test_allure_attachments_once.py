"""Issue 20 item 12: what a run writes stays small. Exchanges are attached once per kind per test, not once per
example (a full run wrote ~17,000 files, 71 MB on disk); a failing test keeps whole bodies and its last exchanges;
a configuration error builds no Allure report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ocp_conformance.reporting.allure_exchanges import LAST_KEPT, PASSED_CHARS, AttachmentLog

pytest_plugins = ["pytester"]


def _log() -> tuple[AttachmentLog, list[tuple[str, str]]]:
    attached: list[tuple[str, str]] = []
    return AttachmentLog(lambda name, text: attached.append((name, text))), attached


def test_repeated_exchanges_are_attached_once_with_a_count() -> None:
    log, attached = _log()
    for n in range(40):
        status = 201 if n % 4 else 422
        log.add(f"Input SI #{n}", ("inputSi", "B01234", status), lambda n=n: f"HTTP ... example {n}")
    log.flush(failed=False)
    assert [name for name, _ in attached] == [
        "Input SI #0 (1 of 10 alike)", "Input SI #1 (1 of 30 alike)",
        "exchanges: 40 in all, 2 kinds; 38 repeats not attached"]
    assert "   30 x Input SI #1" in attached[-1][1]


def test_a_passing_test_cuts_long_texts_a_failing_one_keeps_them_whole_with_its_last_exchanges() -> None:
    body = "x" * (PASSED_CHARS * 3)
    log, attached = _log()
    log.add("Enquire SI", ("getSi", 200), lambda: body)
    log.flush(failed=False)
    assert len(attached[0][1]) < PASSED_CHARS + 200 and "more characters cut" in attached[0][1]

    log, attached = _log()
    for n in range(30):
        log.add(f"Enquire SI #{n}", ("getSi", 200), lambda n=n: f"example {n} " + body)
    log.flush(failed=True)
    names = [name for name, _ in attached]
    assert names[0] == "Enquire SI #0 (1 of 30 alike)"
    assert names[1:1 + LAST_KEPT] == [f"Enquire SI #{n} (exchange {n + 1} of 30, before the failure)"
                                      for n in range(30 - LAST_KEPT, 30)]
    assert all(len(text) > len(body) for _, text in attached[:-1])  # whole, not cut
    assert attached[-1][0] == f"exchanges: 30 in all, 1 kind; {30 - 1 - LAST_KEPT} repeats not attached"


def _attachments(results: Path) -> dict[str, list[tuple[str, str]]]:
    """Test name -> its (attachment name, text), its steps' included."""
    found: dict[str, list[tuple[str, str]]] = {}

    def walk(node: dict[str, Any], into: list[tuple[str, str]]) -> None:
        for attachment in node.get("attachments", []):
            into.append((attachment["name"], (results / attachment["source"]).read_text(encoding="utf-8")))
        for step in node.get("steps", []):
            walk(step, into)

    for path in results.glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        walk(result, found.setdefault(result["name"], []))
    return found


def test_a_run_attaches_each_kind_of_exchange_once_per_test(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(test_many="""
        import allure
        import pytest

        def _enquire(client, n):
            actor = client.target.acting_pair()[0]
            return client.lenient().call_operation("getSi", as_participant=actor, siId=f"SI{n:010d}")

        @pytest.mark.ocp(functions=["Enquire SI"], check="contract")
        def test_examples_pass(ocp_client):
            for n in range(25):  # as hypothesis would: the same request shape again and again
                assert _enquire(ocp_client, n).status == 404

        @pytest.mark.ocp(functions=["Enquire SI"], check="contract")
        def test_examples_fail(ocp_client):
            for n in range(25):
                exchange = _enquire(ocp_client, n)
            assert exchange.status == 200, "the last example failed"

        @pytest.mark.ocp(functions=["Enquire SI"], check="scenario")
        def test_steps_keep_their_own(ocp_client):
            for n in range(3):
                with allure.step(f"step {n}"):
                    _enquire(ocp_client, n)
        """)
    results = tmp_path / "allure-results"
    outcome = pytester.runpytest("-p", "no:cacheprovider", "--alluredir", str(results))
    outcome.assert_outcomes(passed=2, failed=1)
    found = _attachments(results)
    assert [name for name, _ in found["test_examples_pass"]] == [
        "Enquire SI as B01234: GET /ocp/v1/settlement-instructions/SI0000000000 (1 of 25 alike)",
        "exchanges: 25 in all, 1 kind; 24 repeats not attached"]
    failed = [name for name, _ in found["test_examples_fail"]]
    assert len(failed) == 1 + LAST_KEPT + 1, failed
    assert failed[-2] == ("Enquire SI as B01234: GET /ocp/v1/settlement-instructions/SI0000000024 "
                          "(exchange 25 of 25, before the failure)")
    assert "HTTP 404" in found["test_examples_fail"][-2][1]
    steps = [name for name, _ in found["test_steps_keep_their_own"]]
    assert steps == [f"Enquire SI as B01234: GET /ocp/v1/settlement-instructions/SI000000000{n}" for n in range(3)]
    files = list(results.glob("*-attachment*"))
    assert len(files) == 2 + len(failed) + 3, sorted(f.name for f in files)


def test_a_configuration_error_builds_no_allure_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest stops with a usage error (a configuration problem found once the run started): exit 2, and
    neither Allure results nor an Allure HTML report are left (before: the HTML was built from them)."""
    from ocp_conformance import cli, reporting

    report = tmp_path / "report"

    def usage_error(args: list[str]) -> int:
        (report / "allure-results").mkdir(parents=True)
        (report / "allure-results" / "environment.properties").write_text("target=x\n", encoding="utf-8")
        return int(pytest.ExitCode.USAGE_ERROR)

    def build(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an Allure report was built after a configuration error")

    monkeypatch.setattr(pytest, "main", usage_error)
    monkeypatch.setattr(reporting, "build_allure_html", build)
    result = CliRunner().invoke(cli.app, ["run", "--report", str(report)])
    assert result.exit_code == 2, result.output
    assert not (report / "allure-results").exists()
    assert not (report / "allure-report").exists()
