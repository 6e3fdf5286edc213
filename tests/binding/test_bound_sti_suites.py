"""The Maintain STI suites follow the binding: a role they need that the binding lacks makes the checks that need it
*not run*, naming the entry to add, never a failure of the target nor a pass; the rest still runs and passes."""

from __future__ import annotations

from pathlib import Path

from tests.binding.test_bound_isi_di_suites import _contracts_without, _results

SUITES = ("test_sti_rules.py", "test_sti_model.py")
NEED_AMOUNT = {  # the checks that send an amount or require an error naming it
    "test_business_rule_is_enforced_and_nothing_created[fop-with-amount]",
    "test_business_rule_is_enforced_and_nothing_created[dvp-without-amount]",
    "test_business_rule_is_enforced_and_nothing_created[dvp-zero-amount]",
    "test_sti_lifecycle_follows_the_model",
}


def test_a_missing_sti_role_is_not_run_naming_it_and_the_rest_runs(tmp_path: Path) -> None:
    contracts = _contracts_without(tmp_path, ("sti", "amount"))
    outcomes = {r["test_id"].split("::", 1)[1]: r for r in _results(tmp_path, contracts, SUITES)}
    assert not [t for t, r in outcomes.items() if r["outcome"] == "failed"], \
        {t: r["message"][:300] for t, r in outcomes.items() if r["outcome"] == "failed"}
    skipped = {t: r["message"] for t, r in outcomes.items() if r["outcome"] == "skipped"}
    assert set(skipped) == NEED_AMOUNT, skipped
    assert all("no binding for fields.sti.amount" in message for message in skipped.values()), skipped
    ran = {t for t, r in outcomes.items() if r["outcome"] == "passed"}
    assert "test_each_forbidden_field_value_is_rejected_and_named" in ran, outcomes
    assert "test_business_rule_is_enforced_and_nothing_created[same-account]" in ran, outcomes
    assert "test_other_participant_cannot_revoke" in ran, outcomes
