"""The business invariants checked after a load run, from what was acknowledged and what the enquiries list.

* **exactly-once**: every instruction the target acknowledged is listed by the enquiry exactly once (none lost,
  none listed twice, no run reference under two ids);
* **status-counts**: per participant, the instructions listed reconcile with the acknowledgements (acknowledged
  minus cancelled are live, the cancelled are listed as cancelled), and the count per status of the unfiltered
  enquiry equals what the enquiry filtered by that status lists;
* **isolation**: no participant's enquiry lists another's instruction, and fetching another's instruction by its
  id is refused.

:func:`read_back` makes the enquiries through the binding (roles only); :func:`check_invariants` is pure.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ocp_conformance.bound_client import BoundClient
from ocp_conformance.load.profile import Track
from ocp_conformance.load.record import Acknowledged

__all__ = ["InvariantResult", "Listed", "Probe", "ReadBack", "check_invariants", "read_back"]

_PAGE = 200
_PROBES = 20
_EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class Listed:
    """One instruction an enquiry listed for ``participant``."""

    participant: str
    id: str
    reference: str | None
    status: object
    owner: object = None


@dataclass(frozen=True, slots=True)
class Probe:
    """``prober`` asked for ``owner``'s instruction ``id`` by its id and got ``status``."""

    owner: str
    id: str
    prober: str
    status: int


@dataclass(slots=True)
class ReadBack:
    """What the enquiries listed of this run (by reference prefix), per participant."""

    listed: list[Listed] = field(default_factory=list)
    """The unfiltered enquiry, then (if the track has a cancelled status) the enquiry of the cancelled ones."""
    filtered_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    """(participant, status) -> how many of the run's the enquiry filtered by that status lists."""
    probes: list[Probe] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Enquiries that failed (the read-back itself could not be made: the invariants cannot pass)."""


@dataclass(frozen=True, slots=True)
class InvariantResult:
    name: str
    function: str
    passed: bool
    count: int
    """How many instructions break it (0 when it passes)."""
    detail: str
    examples: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "function": self.function, "passed": self.passed, "count": self.count,
                "detail": self.detail, "examples": list(self.examples)}


def read_back(bound: BoundClient, track: Track, participants: Sequence[str], prefix: str,
              acknowledged: Sequence[Acknowledged], *, rng: random.Random | None = None) -> ReadBack:
    """List every participant's instructions of this run (references starting with ``prefix``), by status too,
    and probe a few of each participant's instructions as another participant."""
    found = ReadBack()
    for participant in participants:
        # a contract whose unfiltered enquiry also lists the cancelled ones: those come from the cancelled enquiry
        live = [item for item in _list(bound, track, participant, prefix, None, found)
                if track.cancelled_status is None or str(item.status) != track.cancelled_status]
        found.listed += live
        statuses = sorted({str(item.status) for item in live})
        if track.cancelled_status is not None:
            cancelled = _list(bound, track, participant, prefix, track.cancelled_status, found)
            found.listed += cancelled
            statuses.append(track.cancelled_status)
            found.filtered_counts[(participant, track.cancelled_status)] = len(cancelled)
        for status in statuses:
            if status != track.cancelled_status:
                found.filtered_counts[(participant, status)] = len(
                    _list(bound, track, participant, prefix, status, found))
    chooser = rng or random.Random(0)
    by_owner: dict[str, list[Acknowledged]] = defaultdict(list)
    for ack in acknowledged:
        if ack.function == track.function:
            by_owner[ack.owner].append(ack)
    for owner, acks in by_owner.items():
        others = [p for p in participants if p != owner]
        if not others:
            continue
        for ack in chooser.sample(acks, min(_PROBES, len(acks))):
            prober = chooser.choice(others)
            values: dict[str, Any] = {track.id: ack.id}
            answer = bound.call(track.enquiry, "get", as_participant=prober, validate_request=False, **values)
            found.probes.append(Probe(owner, ack.id, prober, answer.status))
    return found


def _list(bound: BoundClient, track: Track, participant: str, prefix: str, status: str | None,
          found: ReadBack) -> list[Listed]:
    items: list[Listed] = []
    cursor: object = None
    while True:
        values: dict[str, Any] = {"limit": _PAGE}
        if cursor is not None:
            values["cursor"] = cursor
        if status is not None:
            values[track.status] = status
        answer = bound.call(track.enquiry, "list", as_participant=participant, validate_request=False, **values)
        if not answer.ok:
            found.errors.append(f"{track.enquiry} as {participant}"
                                + (f" ({track.status} {status})" if status else "")
                                + f": HTTP {answer.status} {answer.exchange.response.text[:200]}")
            return items
        for item in answer.items():
            reference = answer.item_value(item, track.reference)
            if reference is None or not str(reference).startswith(prefix):
                continue
            items.append(Listed(participant, str(answer.item_value(item, track.id)), str(reference),
                                answer.item_value(item, track.status),
                                answer.item_value(item, track.owner) if track.owner else None))
        cursor = answer.get("next_cursor", None)
        if cursor is None:
            return items


def check_invariants(track: Track, acknowledged: Iterable[Acknowledged], found: ReadBack) -> list[InvariantResult]:
    """The three invariants for one tracked function (see the module's documentation)."""
    acks = [a for a in acknowledged if a.function == track.function]
    results = [_exactly_once(track, acks, found), _status_counts(track, acks, found), _isolation(track, acks, found)]
    if found.errors:
        results.append(InvariantResult("read-back", track.enquiry, False, len(found.errors),
                                       f"{track.enquiry}: {len(found.errors)} enquiries of the read-back failed, so "
                                       "the invariants above are incomplete", tuple(found.errors[:_EXAMPLES])))
    return results


def _exactly_once(track: Track, acks: list[Acknowledged], found: ReadBack) -> InvariantResult:
    listed_ids = Counter((item.participant, item.id) for item in found.listed)
    ids_of_reference: dict[str | None, set[str]] = defaultdict(set)
    for item in found.listed:
        ids_of_reference[item.reference].add(item.id)
    lost = [a for a in acks if listed_ids[(a.owner, a.id)] == 0]
    twice = sorted(key for key, n in listed_ids.items() if n > 1)
    shared = sorted(ref for ref, ids in ids_of_reference.items() if ref is not None and len(ids) > 1)
    acknowledged_ids = {(a.owner, a.id) for a in acks}
    unacknowledged = [key for key in listed_ids if key not in acknowledged_ids]
    broken = len(lost) + len(twice) + len(shared)
    parts = [f"{len(lost)} of {len(acks)} acknowledged {track.function} instructions lost (not listed by "
             f"{track.enquiry})", f"{len(twice)} listed twice", f"{len(shared)} run references under two ids"]
    if unacknowledged:
        parts.append(f"{len(unacknowledged)} listed without an acknowledgement (a request the client saw fail)")
    examples = [f"lost: {a.id} of {a.owner} (reference {a.reference}, acknowledged {a.status})" for a in lost]
    examples += [f"listed twice: {i} of {p}" for p, i in twice]
    examples += [f"reference {r} under ids {', '.join(sorted(ids_of_reference[r]))}" for r in shared]
    return InvariantResult("exactly-once", track.function, broken == 0, broken, f"{track.function}: "
                           + ", ".join(parts), tuple(examples[:_EXAMPLES]))


def _status_counts(track: Track, acks: list[Acknowledged], found: ReadBack) -> InvariantResult:
    problems: list[str] = []
    owners = sorted({a.owner for a in acks} | {item.participant for item in found.listed})
    off = 0
    for owner in owners:
        mine = [a for a in acks if a.owner == owner]
        cancelled = sum(a.cancelled for a in mine)
        listed = [item for item in found.listed if item.participant == owner]
        live_listed = [item for item in listed if str(item.status) != track.cancelled_status]
        cancelled_listed = len(listed) - len(live_listed)
        if len(live_listed) != len(mine) - cancelled:
            off += abs(len(mine) - cancelled - len(live_listed))
            problems.append(f"{owner}: {len(mine)} acknowledged - {cancelled} cancelled = {len(mine) - cancelled} "
                            f"live, {track.enquiry} lists {len(live_listed)}")
        if track.cancelled_status is not None and cancelled_listed != cancelled:
            off += abs(cancelled - cancelled_listed)
            problems.append(f"{owner}: {cancelled} cancelled, {track.enquiry} lists {cancelled_listed} "
                            f"{track.cancelled_status}")
        by_status = Counter(str(item.status) for item in listed)
        for (participant, status), count in sorted(found.filtered_counts.items()):
            if participant == owner and by_status[status] != count:
                off += abs(by_status[status] - count)
                problems.append(f"{owner}: the unfiltered enquiry lists {by_status[status]} {status}, filtered by "
                                f"{track.status} {status} it lists {count}")
    summary = Counter(str(item.status) for item in found.listed)
    counts = ", ".join(f"{status} {n}" for status, n in sorted(summary.items())) or "none listed"
    detail = (f"{track.function}: counts by status reconcile ({counts})" if not problems else
              f"{track.function}: counts do not reconcile: " + "; ".join(problems[:3])
              + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""))
    return InvariantResult("status-counts", track.function, not problems, off, detail, tuple(problems[:_EXAMPLES]))


def _isolation(track: Track, acks: list[Acknowledged], found: ReadBack) -> InvariantResult:
    owner_of: Mapping[str, str] = {a.id: a.owner for a in acks}
    owner_of_reference: Mapping[str | None, str] = {a.reference: a.owner for a in acks if a.reference is not None}
    leaks: list[str] = []
    for item in found.listed:
        owner = owner_of.get(item.id) or owner_of_reference.get(item.reference)
        if owner is not None and owner != item.participant:
            leaks.append(f"{item.participant}'s enquiry lists {item.id}, {owner}'s")
        elif track.owner is not None and item.owner not in (None, item.participant):
            leaks.append(f"{item.participant}'s enquiry lists {item.id}, owned by {item.owner}")
    for probe in found.probes:
        if 200 <= probe.status < 300:
            leaks.append(f"{probe.prober} fetched {probe.owner}'s {probe.id} by its id (HTTP {probe.status})")
    detail = (f"{track.function}: no participant sees another's instructions ({len(found.probes)} fetched by id "
              "as another participant, all refused)" if not leaks else
              f"{track.function}: {len(leaks)} instructions visible to another participant")
    return InvariantResult("isolation", track.function, not leaks, len(leaks), detail, tuple(leaks[:_EXAMPLES]))
