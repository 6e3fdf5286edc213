"""Draw a request's values (by role) the way a real day does: the generators a profile's ``values`` name.

``choice`` (weighted), ``items`` (a list of items, each drawn by role), ``lots`` (a quantity in board lots,
log-normal: most small, a few large), ``money`` (a decimal string), ``business_day`` (the target's business date or
the next), ``participant`` (another acting participant, or the acting one), ``own_account`` (one of the acting
participant's stock accounts: its id and the account number, weighted), ``reference`` (unique to this run: the
invariants find the run's instructions by it), ``env`` (a variable of the load process's environment, else a
default: a party the run does not act as, such as an ISI's Investor Participant), and ``only_if`` (send the value
only when other roles have given values, e.g. an amount only for DVP).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["SEQUENCE_BLOCK", "DrawContext", "FileSequences", "Items", "ReferenceSource", "draw_values"]


class Items(list[dict[str, Any]]):
    """A drawn list of items, each by role (the items of a mass transfer): the traffic places each item's roles
    where the binding says, inside the list."""


class ReferenceSource:
    """References unique to one run and one process: ``<run><process>-<counter in hex>`` (at most 16 characters,
    the model's Reference pattern), so the invariants can tell the run's instructions from any others."""

    def __init__(self, run_id: str, process: int = 0) -> None:
        if not run_id.isalnum() or len(run_id) > 4 or not 0 <= process < 256:
            raise ValueError(f"run id {run_id!r} (at most 4 letters or digits), process {process} (0 to 255)")
        self.prefix = f"{run_id}{process:02x}-"
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self.prefix}{next(self._counter):x}"


SEQUENCE_BLOCK = 40
"""RAP file sequence numbers a load process may use per participant, file type and business date."""
_BLOCKS = 999 // SEQUENCE_BLOCK


class FileSequences:
    """RAP file names unique to the run: the next file sequence number (1-999, per participant, file type and
    business date) from a block of :data:`SEQUENCE_BLOCK` of its own for each process of the run.

    The blocks start at an offset drawn from the run id, so a run on a target that an earlier run used the same day
    most likely starts on numbers still free; a number used all the same gets the file rejected (a duplicate
    sequence, which a profile lists as expected) and the next file takes the next number. There are 24 blocks: a
    run of more processes shares some, with the same outcome."""

    def __init__(self, process: int, run_id: str = "") -> None:
        offset = int(hashlib.sha256(run_id.encode()).hexdigest(), 16) if run_id else 0
        block = (offset + process) % _BLOCKS  # more processes than blocks share one: duplicates, rejected and seen
        self._first = block * SEQUENCE_BLOCK + 1
        self._used: defaultdict[tuple[str, str, str], int] = defaultdict(int)

    def next(self, participant: str, file_type: str, business_date: str) -> int | None:
        """The next number, or ``None`` when this process's block is used up."""
        key = (participant, file_type, business_date)
        if self._used[key] >= SEQUENCE_BLOCK:
            return None
        self._used[key] += 1
        return self._first + self._used[key] - 1


@dataclass(slots=True)
class DrawContext:
    """What a draw needs beyond the profile: who acts, who else acts, the target's business dates, randomness."""

    participant: str
    participants: Sequence[str]
    business_dates: tuple[date, date]
    references: ReferenceSource
    rng: random.Random = field(default_factory=random.Random)
    sequences: FileSequences = field(default_factory=lambda: FileSequences(0))
    """RAP file sequence numbers (shared by the users of one process, like ``references``)."""


def draw_values(spec: Mapping[str, Any], context: DrawContext) -> dict[str, Any]:
    """One request's values by role; roles whose ``only_if`` does not hold are left out."""
    drawn: dict[str, Any] = {}
    conditional: list[tuple[str, Mapping[str, Any]]] = []
    for role, generator in spec.items():
        if isinstance(generator, Mapping) and "only_if" in generator:
            conditional.append((role, generator))
        else:
            drawn[role] = _draw(generator, context)
    for role, generator in conditional:
        if all(drawn.get(other) in allowed for other, allowed in generator["only_if"].items()):
            drawn[role] = _draw({k: v for k, v in generator.items() if k != "only_if"}, context)
    return drawn


_WEIGHTED: dict[int, tuple[Mapping[str, Any], list[Any], list[float]]] = {}


def _pick(rng: random.Random, options: Mapping[Any, float]) -> Any:
    """One key of ``options`` by weight; the cumulative weights are computed once per mapping of the profile."""
    prepared = _WEIGHTED.get(id(options))
    if prepared is None or prepared[0] is not options:
        prepared = _WEIGHTED[id(options)] = (options, list(options), list(itertools.accumulate(options.values())))
    return rng.choices(prepared[1], cum_weights=prepared[2])[0]


def _draw(generator: Any, context: DrawContext) -> Any:
    if not isinstance(generator, Mapping):
        return generator
    rng = context.rng
    if "choice" in generator:
        return _pick(rng, generator["choice"])
    if "lots" in generator:
        lots = generator["lots"]
        drawn = round(rng.lognormvariate(math.log(lots["median"]), lots["spread"]))
        return int(lots["board_lot"]) * min(int(lots["max"]), max(1, drawn))
    if "money" in generator:
        low, high = generator["money"]["min"], generator["money"]["max"]
        return f"{rng.uniform(low, high):.2f}"
    if "business_day" in generator:
        days = generator["business_day"]
        which = _pick(rng, days)
        return (context.business_dates[0] if which == "today" else context.business_dates[1]).isoformat()
    if "participant" in generator:
        if generator["participant"] == "self":
            return context.participant
        others = [p for p in context.participants if p != context.participant]
        return rng.choice(others)
    if "own_account" in generator:
        accounts = generator["own_account"]
        return context.participant + _pick(rng, accounts)
    if "reference" in generator:
        return context.references.next()
    if "env" in generator:
        variable = generator["env"]
        return os.environ.get(str(variable["name"])) or str(variable["default"])  # set but empty: the default
    if "items" in generator:
        spec = generator["items"]
        count = context.rng.randint(int(spec["count"]["min"]), int(spec["count"]["max"]))
        return Items(draw_values(spec["values"], context) for _ in range(count))
    if not generator:
        return {}
    raise ValueError(f"unknown generator {sorted(generator)}")
