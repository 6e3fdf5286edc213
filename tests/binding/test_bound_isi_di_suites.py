"""The Maintain ISI and DI suites follow the binding: a role they need that the binding lacks makes the checks that
need it *not run*, naming the entry to add, never a failure of the target nor a pass; the rest still runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import yaml

from ocp_conformance.contracts import default_contracts_dir

REPO = Path(__file__).resolve().parents[2]
SUITES = ("test_isi_privacy.py", "test_isi_rejections.py", "test_isi_model.py", "test_di_privacy.py",
          "test_di_fields.py", "test_di_model.py")


def _contracts_without(where: Path, *roles: tuple[str, str]) -> Path:
    """Our contracts folder with the given (field set, role) entries removed from its binding."""
    folder = where / "contracts"
    shutil.copytree(default_contracts_dir(), folder)
    binding = yaml.safe_load((folder / "binding.yaml").read_text(encoding="utf-8"))
    for field_set, role in roles:
        del binding["fields"][field_set][role]
    (folder / "binding.yaml").write_text(yaml.safe_dump(binding, sort_keys=False), encoding="utf-8")
    return folder


def _results(where: Path, contracts: Path, suites: tuple[str, ...] = SUITES) -> list[dict[str, str]]:
    """What each check of ``suites`` did on the embedded simulator with ``contracts`` (the report's results)."""
    report = where / uuid.uuid4().hex
    done = subprocess.run([sys.executable, "-m", "pytest", *(f"suites/{name}" for name in suites), "-q", "-p",
                           "no:cacheprovider", "--ocp-contracts", str(contracts), "--ocp-report", str(report)],
                          cwd=REPO, capture_output=True, text=True, check=False, timeout=600)
    assert "INTERNALERROR" not in done.stdout + done.stderr, done.stdout[-3000:]
    lines = (report / ".results" / "main.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_a_missing_isi_or_di_role_is_not_run_naming_it_and_the_rest_runs(tmp_path: Path) -> None:
    contracts = _contracts_without(tmp_path, ("isi", "investor"), ("di", "outstanding_quantity"))
    results = _results(tmp_path, contracts)
    outcomes = {r["test_id"].split("::", 1)[1]: r for r in results}
    assert not [t for t, r in outcomes.items() if r["outcome"] == "failed"], \
        {t: r["message"][:300] for t, r in outcomes.items() if r["outcome"] == "failed"}
    skipped = {t: r["message"] for t, r in outcomes.items() if r["outcome"] == "skipped"}
    # every ISI check inputs an ISI for an investor; the DI checks that read a position's outstanding quantity
    isi = [t for t in outcomes if "isi" in t]
    assert isi and all(t in skipped and "no binding for fields.isi.investor" in skipped[t] for t in isi), skipped
    for test in ("test_trades_and_dis_keep_positions_and_stock_consistent",
                 "test_di_above_the_due_position_is_rejected_and_nothing_moves",
                 "test_di_cannot_deliver_against_another_participants_position"):
        assert "no binding for fields.di.outstanding_quantity" in skipped[test], (test, outcomes[test])
    # what needs neither role still runs and passes: the DI field rules and the enquiry's filters
    ran = [t for t, r in outcomes.items() if r["outcome"] == "passed"]
    assert any(t.startswith("test_enquiry_rejects_invalid_filters") for t in ran), outcomes
    assert any(t.startswith("test_change_di_requirement_stock_code_must_have_five_digits") for t in ran), outcomes
