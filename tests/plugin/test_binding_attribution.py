"""Blame precisely: a role the binding lacks is *not run* (named), a file that cannot be collected is a harness
error in readiness.json, and neither stops the other checks nor blames the target."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from ocp_conformance.contracts import default_contracts_dir

pytest_plugins = ["pytester"]


def _contracts_without(tmp_path: Path, function: str) -> Path:
    folder = tmp_path / "contracts"
    shutil.copytree(default_contracts_dir(), folder)
    binding = yaml.safe_load((folder / "binding.yaml").read_text(encoding="utf-8"))
    del binding["functions"][function]
    (folder / "binding.yaml").write_text(yaml.safe_dump(binding, sort_keys=False), encoding="utf-8")
    return folder


def test_a_missing_binding_is_not_run_naming_it_and_the_rest_runs(pytester: pytest.Pytester, tmp_path: Path) -> None:
    contracts = _contracts_without(tmp_path, "Cancel SI")
    pytester.makepyfile(
        test_bound="""
        import pytest

        @pytest.mark.ocp(functions=["Cancel SI"], check="contract")
        def test_needs_cancel(ocp_bound):
            ocp_bound.operation("Cancel SI", "cancel")

        @pytest.mark.ocp(functions=["Input SI"], check="contract")
        def test_needs_input(ocp_bound):
            assert ocp_bound.operation("Input SI", "create").method == "post"
        """,
        test_broken="""
        import not_a_module_anywhere
        """,
    )
    report = tmp_path / "report"
    result = pytester.runpytest("-p", "no:cacheprovider", "--continue-on-collection-errors",
                                "--ocp-contracts", str(contracts), "--ocp-report", str(report))
    result.assert_outcomes(passed=1, skipped=1, errors=1)
    readiness = json.loads((report / "readiness.json").read_text(encoding="utf-8"))
    results = [json.loads(line) for line in (report / ".results" / "main.jsonl").read_text().splitlines()]
    skipped = next(r for r in results if r["functions"] == ["Cancel SI"])
    assert skipped["outcome"] == "skipped"
    assert 'no binding for functions."Cancel SI"' in skipped["message"]
    entries = {e["name"]: e for e in readiness["entries"]}
    assert entries["Cancel SI"]["status"] != "fail"
    assert entries["Input SI"]["checks"]["contract"]["status"] == "pass"
    assert [e["test_id"].rsplit("/", 1)[-1] for e in readiness["harness_errors"]] == ["test_broken.py"]
    assert "No module named 'not_a_module_anywhere'" in readiness["harness_errors"][0]["message"]
    # issue 20: the reports name the binding relative to the contracts folder's parent, not by this machine's path
    reasons = json.dumps(readiness["entries"]) + (report / "readiness.md").read_text(encoding="utf-8")
    assert 'no binding for functions."Cancel SI" in contracts/binding.yaml' in reasons
    assert str(tmp_path) not in reasons and str(tmp_path) not in (report / "readiness.html").read_text("utf-8")
