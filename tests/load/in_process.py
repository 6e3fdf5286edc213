"""A load profile driven in process against a bound client (no Locust): the engine's users take turns, then every
tracked function is read back and checked, as ``ocp-conformance load`` ends a run."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable

from ocp_conformance.bound_client import BoundClient
from ocp_conformance.load.acting import acting_participants
from ocp_conformance.load.generators import DrawContext, ReferenceSource
from ocp_conformance.load.invariants import InvariantResult, check_invariants, read_back
from ocp_conformance.load.profile import Profile, find_profile, load_profile
from ocp_conformance.load.record import RunRecord
from ocp_conformance.load.traffic import Outcome, UserTraffic, parse_error_text, unbound_entries

__all__ = ["MakeBound", "run_profile", "unexpected"]

SECONDS = 3.0
MakeBound = Callable[..., BoundClient]
"""The ``bound_for`` fixture of conftest.py: ``bound_for(*faults, contracts=None)``."""


def run_profile(bound: BoundClient, name: str, run_id: str, *, seconds: float = SECONDS,
                until: Callable[[RunRecord], bool] | None = None,
                ) -> tuple[Profile, RunRecord, list[Outcome], list[InvariantResult]]:
    """The shipped profile ``name``'s setup and mix, one user per acting participant taking turns, for ``seconds``
    (or until ``until`` holds, at most 30 s); then every tracked function read back and checked. Every mix entry
    must be bound (a test of what runs, not of what is skipped)."""
    profile = load_profile(find_profile(name), bound.client.contracts.catalogue)
    skip = unbound_entries(profile, bound)
    assert not skip, skip
    record, outcomes = RunRecord(), list[Outcome]()
    participants = acting_participants(bound.client.target, profile.participants)
    references = ReferenceSource(run_id, 0)
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
        found = read_back(bound, track, participants, run_id, record.acknowledged)
        results += check_invariants(track, record.acknowledged, found)
    return profile, record, outcomes, results


def unexpected(profile: Profile, outcomes: list[Outcome]) -> Counter[str]:
    """Failed calls that are a harness error or an error code the profile does not expect."""
    return Counter(f"{o.function} ({o.role}): {o.error}" for o in outcomes
                   if o.error is not None and parse_error_text(o.error)[1] not in profile.expected_errors)
