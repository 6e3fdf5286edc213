"""peak-day against an adopted official contract (tests/data/official-variant: renamed paths and fields, mapped enum
codes, API-key auth), in process: every entry of the mix is bound, SIs are acknowledged and matched, and every
invariant holds; the drop fault is still caught there. What docs/load.md says of the official variant, shown."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ocp_conformance.contracts import load_contracts
from ocp_conformance.simulator.faults.load import DROP_EVERY
from tests.load.in_process import MakeBound, run_profile, unexpected

VARIANT = Path(__file__).resolve().parents[1] / "data" / "official-variant"
PROFILE, RUN = "peak-day", "OV1"


def test_peak_day_passes_on_the_official_variant(bound_for: MakeBound) -> None:
    bound = bound_for(contracts=load_contracts(VARIANT))
    profile, record, outcomes, results = run_profile(bound, PROFILE, RUN)
    called = Counter(o.function for o in outcomes)
    assert {"Input SI", "Cancel SI", "Enquire SI"} <= set(called), called
    assert not unexpected(profile, outcomes)
    statuses = Counter(a.status for a in record.acknowledged)
    assert len(record.acknowledged) > 10 and len(statuses) >= 2, statuses  # input, and matched by the counterpart
    assert [(r.name, r.passed) for r in results] == [("exactly-once", True), ("status-counts", True),
                                                      ("isolation", True)], [r.detail for r in results]


def test_a_lost_si_is_caught_on_the_official_variant_too(bound_for: MakeBound) -> None:
    enough = 2 * DROP_EVERY
    _, record, _, results = run_profile(
        bound_for("drop-acknowledged-si", contracts=load_contracts(VARIANT)), PROFILE, RUN,
        until=lambda r: sum(a.function == "Input SI" for a in r.acknowledged) >= enough)
    sis = [a for a in record.acknowledged if a.function == "Input SI"]
    failed = {r.name: r for r in results if not r.passed}
    assert "exactly-once" in failed, [r.detail for r in results]
    assert failed["exactly-once"].count == len(sis) // DROP_EVERY, failed["exactly-once"].detail
