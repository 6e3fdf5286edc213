"""The end-of-run invariants: pure checks on what was acknowledged and listed, and, in process against the embedded
simulator, the drop-acknowledged-si fault caught by name and count (no Locust, no wall clock)."""

from __future__ import annotations

import random

from ocp_conformance.bound_client import BoundClient
from ocp_conformance.load.generators import DrawContext, ReferenceSource
from ocp_conformance.load.invariants import InvariantResult, Listed, Probe, ReadBack, check_invariants, read_back
from ocp_conformance.load.profile import Track, find_profile, load_profile
from ocp_conformance.load.record import Acknowledged, RunRecord
from ocp_conformance.load.traffic import Outcome, UserTraffic
from ocp_conformance.simulator.faults.load import DROP_EVERY
from tests.load.in_process import MakeBound

TRACK = Track(function="Input SI", id="si_id", reference="own_reference", status="status", enquiry="Enquire SI",
              owner="participant", cancelled_by="Cancel SI", cancelled_status="CANCELLED")



def _acks() -> list[Acknowledged]:
    return [Acknowledged("Input SI", "B01234", "SI1", "R-1", "UNMATCHED"),
            Acknowledged("Input SI", "B01234", "SI2", "R-2", "MATCHED", cancelled=False),
            Acknowledged("Input SI", "B05678", "SI3", "R-3", "UNMATCHED", cancelled=True)]


def _listed() -> list[Listed]:
    return [Listed("B01234", "SI1", "R-1", "UNMATCHED", "B01234"), Listed("B01234", "SI2", "R-2", "MATCHED", "B01234"),
            Listed("B05678", "SI3", "R-3", "CANCELLED", "B05678")]


def _counts() -> dict[tuple[str, str], int]:
    return {("B01234", "UNMATCHED"): 1, ("B01234", "MATCHED"): 1, ("B05678", "CANCELLED"): 1}


def _by_name(results: list[InvariantResult]) -> dict[str, InvariantResult]:
    return {r.name: r for r in results}


def test_a_clean_read_back_passes_every_invariant() -> None:
    found = ReadBack(listed=_listed(), filtered_counts=_counts(), probes=[Probe("B01234", "SI1", "B05678", 404)])
    results = check_invariants(TRACK, _acks(), found)
    assert [(r.name, r.passed) for r in results] == [("exactly-once", True), ("status-counts", True),
                                                     ("isolation", True)]


def test_a_lost_instruction_fails_exactly_once_naming_the_function_and_count() -> None:
    found = ReadBack(listed=_listed()[1:], filtered_counts={("B01234", "MATCHED"): 1, ("B05678", "CANCELLED"): 1})
    results = _by_name(check_invariants(TRACK, _acks(), found))
    lost = results["exactly-once"]
    assert (lost.passed, lost.function, lost.count) == (False, "Input SI", 1)
    assert lost.detail.startswith("Input SI: 1 of 3 acknowledged Input SI instructions lost")
    assert "SI1 of B01234" in lost.examples[0]
    assert not results["status-counts"].passed


def test_a_duplicate_and_a_count_that_does_not_reconcile() -> None:
    listed = [*_listed(), Listed("B01234", "SI9", "R-1", "UNMATCHED", "B01234")]  # R-1 created twice
    found = ReadBack(listed=listed, filtered_counts={**_counts(), ("B01234", "UNMATCHED"): 1})
    results = _by_name(check_invariants(TRACK, _acks(), found))
    assert (results["exactly-once"].passed, results["exactly-once"].count) == (False, 1)
    assert "run references under two ids" in results["exactly-once"].detail
    counts = results["status-counts"]
    assert not counts.passed
    assert "the unfiltered enquiry lists 2 UNMATCHED, filtered by status UNMATCHED it lists 1" in counts.detail


def test_another_participants_instruction_visible_fails_isolation() -> None:
    listed = [*_listed(), Listed("B05678", "SI1", "R-1", "UNMATCHED", "B01234")]
    found = ReadBack(listed=listed, filtered_counts=_counts(), probes=[Probe("B01234", "SI2", "C00019", 200)])
    isolation = _by_name(check_invariants(TRACK, _acks(), found))["isolation"]
    assert (isolation.passed, isolation.count) == (False, 2)
    assert any("C00019 fetched B01234's SI2" in e for e in isolation.examples)


def test_a_failed_read_back_is_a_failure_not_a_pass() -> None:
    found = ReadBack(listed=_listed(), filtered_counts=_counts(), errors=["Enquire SI as B01234: HTTP 503"])
    assert not _by_name(check_invariants(TRACK, _acks(), found))["read-back"].passed


# ---------------------------------------------------------------------- in process, against the simulator
def _drive(bound: BoundClient, inputs: int) -> tuple[RunRecord, list[Outcome], str]:
    """``inputs`` Input SIs of peak-day's first mix entry (no counterpart: every SI stays unmatched), as one user."""
    profile = load_profile(find_profile("peak-day"))
    entry = profile.mix[0]
    lone = type(entry)(function=entry.function, role=entry.role, weight=1, values=entry.values)
    record, outcomes = RunRecord(), list[Outcome]()
    participants = list(bound.client.target.participants[:4])
    references = ReferenceSource("T1", 0)
    for index in range(inputs):
        context = DrawContext(participant=participants[index % 2], participants=participants[:2],
                              business_dates=bound.client.business_dates(), references=references,
                              rng=random.Random(index))
        UserTraffic(profile, bound, context, record, outcomes.append).run(lone)
    return record, outcomes, "T1"


def test_the_drop_fault_is_caught_by_name_and_count(bound_for: MakeBound) -> None:
    bound = bound_for("drop-acknowledged-si")
    record, outcomes, run_id = _drive(bound, 3 * DROP_EVERY)
    assert len(record.acknowledged) == 3 * DROP_EVERY and not any(o.error for o in outcomes)
    participants = ["B01234", "B05678"]
    found = read_back(bound, TRACK, participants, run_id, record.acknowledged)
    results = _by_name(check_invariants(TRACK, record.acknowledged, found))
    lost = results["exactly-once"]
    assert (lost.passed, lost.function, lost.count) == (False, "Input SI", 3)
    assert lost.detail.startswith(f"Input SI: 3 of {3 * DROP_EVERY} acknowledged Input SI instructions lost")
    assert not results["status-counts"].passed
    assert results["isolation"].passed


def test_without_the_fault_every_invariant_passes(bound_for: MakeBound) -> None:
    bound = bound_for()
    record, _, run_id = _drive(bound, 60)
    found = read_back(bound, TRACK, ["B01234", "B05678"], run_id, record.acknowledged)
    results = check_invariants(TRACK, record.acknowledged, found)
    assert all(r.passed for r in results), [r.detail for r in results]
    assert found.probes and all(p.status == 404 for p in found.probes)
