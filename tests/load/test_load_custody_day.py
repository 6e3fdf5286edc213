"""custody-day in process against the embedded simulator (no Locust, as test_load_invariants.py drives peak-day):
a few seconds of its mix as one user per acting participant, then the read-back and the invariants of both tracked
functions. Without a fault every invariant holds with ISIs and STIs acknowledged; with drop-acknowledged-isi
exactly-once fails for Input ISI by count. On the official variant, whose binding has no ISI or STI, every call is
reported not run with the binding entry to add."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ocp_conformance.binding import load_binding
from ocp_conformance.bound_client import BoundClient
from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.load.generators import DrawContext, ReferenceSource
from ocp_conformance.load.invariants import InvariantResult, check_invariants, read_back
from ocp_conformance.load.profile import Profile, find_profile, load_profile
from ocp_conformance.load.record import RunRecord
from ocp_conformance.load.traffic import Outcome, UserTraffic, parse_error_text, unbound_entries
from ocp_conformance.simulator.faults.load import DROP_EVERY
from ocp_conformance.targets import Target, simulator_target

VARIANT = Path(__file__).resolve().parents[1] / "data" / "official-variant"
RUN = "CD1"
SECONDS = 3.0

MakeBound = Callable[..., BoundClient]


@pytest.fixture
def bound_for() -> Iterator[MakeBound]:
    made: list[Target] = []

    def make(*faults: str, contracts: ContractSet | None = None) -> BoundClient:
        contract_set = contracts or load_contracts()
        target, _ = simulator_target(contract_set, faults=faults)
        made.append(target)
        return BoundClient(OcpClient(target, contract_set, strict=False), load_binding(contract_set))

    yield make
    for target in made:
        target.close()


def _acting(bound: BoundClient, profile: Profile) -> list[str]:
    """The participants the users act as, as the engine chooses them (the roles' order, else sorted)."""
    target = bound.client.target
    order = [p for p in target.roles if p in target.tokens] or list(target.participants)
    return order[:max(2, profile.participants)]


def _run(bound: BoundClient, *, seconds: float = SECONDS, until: Callable[[RunRecord], bool] | None = None,
         ) -> tuple[Profile, RunRecord, list[Outcome], list[InvariantResult]]:
    """custody-day's setup and mix, one user per acting participant taking turns, for ``seconds`` (or until
    ``until`` holds, at most 30 s); then every tracked function read back and checked."""
    profile = load_profile(find_profile("custody-day"), bound.client.contracts.catalogue)
    skip = unbound_entries(profile, bound)
    assert not skip, skip
    record, outcomes = RunRecord(), list[Outcome]()
    participants = _acting(bound, profile)
    references = ReferenceSource(RUN, 0)
    users = [UserTraffic(profile, bound, DrawContext(participant=p, participants=participants,
                                                     business_dates=bound.client.business_dates(),
                                                     references=references, rng=random.Random(index)),
                         record, outcomes.append)
             for index, p in enumerate(participants)]
    for user in users:
        user.setup()
    started = time.monotonic()
    while True:
        elapsed = time.monotonic() - started
        if (until(record) if until is not None else elapsed >= seconds) or elapsed >= 30:
            break
        for user in users:
            user.step()
    results: list[InvariantResult] = []
    for track in profile.track:
        found = read_back(bound, track, participants, RUN, record.acknowledged)
        results += check_invariants(track, record.acknowledged, found)
    return profile, record, outcomes, results


def _unexpected(profile: Profile, outcomes: list[Outcome]) -> Counter[str]:
    """Failed calls that are a harness error or an error code the profile does not expect."""
    return Counter(f"{o.function} ({o.role}): {o.error}" for o in outcomes
                   if o.error is not None and parse_error_text(o.error)[1] not in profile.expected_errors)


def test_custody_day_passes_with_isis_and_stis_acknowledged(bound_for: MakeBound) -> None:
    profile, record, outcomes, results = _run(bound_for())
    acknowledged = Counter(a.function for a in record.acknowledged)
    assert acknowledged["Input ISI"] > 0 and acknowledged["Input STI"] > 0, acknowledged
    called = Counter(o.function for o in outcomes)
    assert {"Cancel ISI", "Enquire ISI", "Revoke STI", "Enquire STI"} <= set(called), called
    assert not _unexpected(profile, outcomes)
    assert [(r.name, r.function, r.passed) for r in results] == [
        ("exactly-once", "Input ISI", True), ("status-counts", "Input ISI", True), ("isolation", "Input ISI", True),
        ("exactly-once", "Input STI", True), ("status-counts", "Input STI", True), ("isolation", "Input STI", True),
    ], [r.detail for r in results]
    cancelled = Counter(a.function for a in record.acknowledged if a.cancelled)
    assert cancelled["Input ISI"] > 0 and cancelled["Input STI"] > 0, cancelled  # CANCELLED and REVOKED read back


def test_a_lost_isi_fails_exactly_once_for_input_isi(bound_for: MakeBound) -> None:
    enough = 2 * DROP_EVERY
    profile, record, outcomes, results = _run(
        bound_for("drop-acknowledged-isi"),
        until=lambda r: sum(a.function == "Input ISI" for a in r.acknowledged) >= enough)
    isis = [a for a in record.acknowledged if a.function == "Input ISI"]
    assert len(isis) >= enough
    failed = {(r.name, r.function) for r in results if not r.passed}
    assert ("exactly-once", "Input ISI") in failed and ("status-counts", "Input ISI") in failed
    assert not any(function == "Input STI" for _, function in failed)  # the STIs are all there
    lost = next(r for r in results if (r.name, r.function) == ("exactly-once", "Input ISI"))
    assert lost.count == len(isis) // DROP_EVERY, lost.detail
    assert lost.detail.startswith(f"Input ISI: {lost.count} of {len(isis)} acknowledged Input ISI instructions lost")
    # a lost ISI fetched by id or cancelled is refused as unknown: the fault's only other trace
    assert set(_unexpected(profile, outcomes)) <= {"Enquire ISI (get): HTTP 404 ISI_NOT_FOUND",
                                                   "Cancel ISI (cancel): HTTP 404 ISI_NOT_FOUND"}


def test_on_the_official_variant_every_call_is_not_run_naming_the_binding_entry(bound_for: MakeBound) -> None:
    variant = load_contracts(VARIANT)
    bound = bound_for(contracts=variant)
    profile = load_profile(find_profile("custody-day"), variant.catalogue)
    skip = unbound_entries(profile, bound)
    assert {m.label for m in profile.mix} <= set(skip)
    assert 'functions."Input ISI"' in skip["Input ISI (create)"]
    assert 'functions."Input STI"' in skip["Input STI (create)"]
    assert {"track Input ISI", "track Input STI"} <= set(skip)
