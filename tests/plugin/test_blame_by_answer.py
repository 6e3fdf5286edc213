"""Issue 20 item 5: one broken function does not spread. A failure is blamed on the function whose own answer was
wrong (the operation a step or setup call used), not on every function the test or workflow declares."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]


def _run(pytester: pytest.Pytester, tmp_path: Path, *paths: str) -> tuple[dict[str, Any], str]:
    report = tmp_path / "report"
    result = pytester.runpytest("-p", "no:cacheprovider", "--ocp-fault", "server-error-on-revoke", "--ocp-report",
                                str(report), "--ocp-progress", "lines", *paths)
    readiness = json.loads((report / "readiness.json").read_text(encoding="utf-8"))
    return {entry["name"]: entry for entry in readiness["entries"]}, result.stdout.str()


def test_a_setup_call_that_breaks_blames_its_function_not_the_tested_one(pytester: pytest.Pytester,
                                                                          tmp_path: Path) -> None:
    pytester.makepyfile(test_money="""
        import pytest

        @pytest.fixture
        def revoked(ocp_client):  # setup: the revocation the check needs, which the broken target answers 500
            actor = ocp_client.target.acting_pair()[0]
            return ocp_client.call("Revoke Matched SI", as_participant=actor, siId="SI0000000001")

        @pytest.mark.ocp(functions=["Enquire Money Position"], check="contract")
        def test_money_position_after_a_revocation(revoked):
            pass

        @pytest.mark.ocp(functions=["Enquire Money Position", "Input SI"], check="contract")
        def test_revoke_in_the_test_body(ocp_client):
            actor = ocp_client.target.acting_pair()[0]
            ocp_client.call("Revoke Matched SI", as_participant=actor, siId="SI0000000001")
        """)
    entries, output = _run(pytester, tmp_path, "test_money.py")
    assert entries["Revoke Matched SI"]["checks"]["contract"]["status"] == "fail", entries["Revoke Matched SI"]
    for name in ("Enquire Money Position", "Input SI"):
        check = entries[name]["checks"]["contract"]
        assert check["status"] != "fail", (name, check)
        assert "failed on other functions" in check["reason"], (name, check)
    # and the progress line does not count the failure against them either
    assert "Enquire Money Position done (2 ran, 0 skipped)" in output, output
    assert "Input SI done (1 ran, 0 skipped)" in output, output


def test_a_workflow_step_that_breaks_blames_its_function_only(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """si-deletion's revokeMatchedByBothSides verifies Revoke Matched SI, Enquire Deleted SI and Enquire SI; its
    revoke step answering 500 is Revoke Matched SI's failure alone."""
    folder = pytester.path / "scenarios" / "si"
    folder.mkdir(parents=True)
    shutil.copy(REPO / "scenarios" / "si" / "si-deletion.arazzo.yaml", folder)
    shutil.copytree(REPO / "contracts", pytester.path / "contracts")
    entries, output = _run(pytester, tmp_path, str(folder / "si-deletion.arazzo.yaml"))
    assert entries["Revoke Matched SI"]["checks"]["scenario"]["status"] == "fail"
    assert "blames: Revoke Matched SI (its own answer was wrong)" in output, output
    for name in ("Enquire SI", "Enquire Deleted SI"):
        assert entries[name]["checks"]["scenario"]["status"] == "pass", (name, entries[name]["checks"]["scenario"])


def test_a_stateful_chain_failure_names_the_function_whose_response_failed() -> None:
    """The schemathesis link chains cover every function of a document; a failed check names its operation's."""
    import importlib.util

    from schemathesis.core.failures import Failure, FailureGroup

    spec = importlib.util.spec_from_file_location("contract_suite", REPO / "suites" / "test_contract.py")
    assert spec is not None and spec.loader is not None
    suite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(suite)
    group = FailureGroup([Failure(operation="POST /x", message="500"), Failure(operation="POST /x", message="b")])
    suite._blame(group, "Revoke Matched SI")
    assert [leaf.function for leaf in group.exceptions] == ["Revoke Matched SI"] * 2
    single = Failure(operation="POST /x", message="500")
    suite._blame(single, "Revoke Matched SI")
    assert single.function == "Revoke Matched SI"  # type: ignore[attr-defined]
