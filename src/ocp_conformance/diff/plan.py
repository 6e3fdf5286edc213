"""The deterministic sequence of requests ``ocp-conformance diff`` sends to both targets.

Each Maintain SI workflow's steps, the Settlement Account/Status enquiries and broadcast messages, and a seeded
set of property-generated Input SI cases. Values are the model's roles (the binding names them for the bound
contract); :class:`Ref` names an SI an earlier step created (each side sends its own id for it) and
:class:`Party` a participant of the side's acting pair (the first, or its counterparty).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

__all__ = ["Account", "Party", "Plan", "Ref", "Step", "build_plan"]


@dataclass(frozen=True, slots=True)
class Ref:
    """An SI an earlier step saved under ``name``; each side sends its own id for it."""

    name: str


@dataclass(frozen=True, slots=True)
class Party:
    """Participant ``index`` of the side's acting pair (0: the participant under test, 1: its counterparty)."""

    index: int


@dataclass(frozen=True, slots=True)
class Account:
    """The stock clearing account (01) of participant ``index`` of the side's acting pair."""

    index: int


@dataclass(frozen=True, slots=True)
class Step:
    """One request, sent to both targets with the same values."""

    id: str
    function: str
    role: str
    actor: int
    values: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    """Raw parameters in the contract's own names (for functions whose binding names no field roles)."""
    saves: str | None = None
    """Name the answer's si_id is saved under (an entity later steps refer to)."""
    observe: tuple[str, ...] = ()
    """Entities read back (Enquire SI) after this step, to compare the state each side is left in."""
    validate: bool = True
    """False for property cases that may break the contract's request rules on purpose."""

    def refs(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.values.values() if isinstance(v, Ref))


@dataclass(frozen=True, slots=True)
class Plan:
    steps: tuple[Step, ...]
    owners: Mapping[str, int]
    """entity name -> the actor that created it (who reads it back)."""
    seed: int
    run_id: str
    settlement_date: str


def _si(run_id: str, n: str, actor: int, side: str, quantity: int, day: str, **more: Any) -> dict[str, Any]:
    return {"side": side, "counterparty": Party(1 - actor), "stock_code": "00005", "quantity": quantity,
            "settlement_date": day, "payment_type": "FOP", "own_reference": f"{run_id}{n}", **more}


def _workflows(run_id: str, base: int, day: str) -> list[Step]:
    """Each Maintain SI workflow (match, hold, change and cancel, revoke, amend, mismatch reason), step by step."""
    s: list[Step] = []

    def add(*args: Any, **kwargs: Any) -> None:
        s.append(Step(*args, **kwargs))

    # match, then enquire
    add("match/input-deliver", "Input SI", "create", 0, _si(run_id, "D1", 0, "DELIVER", base + 1, day), saves="d1",
        observe=("d1",))
    add("match/unmatched-reason", "Enquire SI Unmatched Reason", "get", 0, {"si_id": Ref("d1")})
    add("match/input-receive", "Input SI", "create", 1, _si(run_id, "R1", 1, "RECEIVE", base + 1, day), saves="r1",
        observe=("d1", "r1"))
    add("match/list-own", "Enquire SI", "list", 0, {"own_reference": f"{run_id}D1"})
    add("match/other-participants-si", "Enquire SI", "get", 1, {"si_id": Ref("d1")})
    # holds
    add("hold/input-deliver", "Input SI", "create", 0,
        _si(run_id, "D2", 0, "DELIVER", base + 2, day, hold=True), saves="d2", observe=("d2",))
    add("hold/input-receive", "Input SI", "create", 1, _si(run_id, "R2", 1, "RECEIVE", base + 2, day), saves="r2",
        observe=("d2", "r2"))
    add("hold/release", "Change Hold Matched SI", "hold", 0, {"si_id": Ref("d2"), "hold": False},
        observe=("d2", "r2"))
    add("hold/counterparty-holds", "Change Hold Matched SI", "hold", 1, {"si_id": Ref("r2"), "hold": True},
        observe=("d2", "r2"))
    # change, cancel, deleted
    add("cancel/input", "Input SI", "create", 0, _si(run_id, "D3", 0, "DELIVER", base + 3, day), saves="d3",
        observe=("d3",))
    add("cancel/change", "Change SI", "change", 0, {"si_id": Ref("d3"), "quantity": base + 4}, observe=("d3",))
    add("cancel/cancel", "Cancel SI", "cancel", 0, {"si_id": Ref("d3")}, observe=("d3",))
    add("cancel/cancel-again", "Cancel SI", "cancel", 0, {"si_id": Ref("d3")}, observe=("d3",))
    add("cancel/change-cancelled", "Change SI", "change", 0, {"si_id": Ref("d3"), "quantity": base + 5})
    add("cancel/list-own", "Enquire SI", "list", 0, {"own_reference": f"{run_id}D3"})
    add("cancel/deleted", "Enquire Deleted SI", "list", 0, {"own_reference": f"{run_id}D3"})
    # revoke (both sides)
    add("revoke/input-deliver", "Input SI", "create", 0, _si(run_id, "D4", 0, "DELIVER", base + 6, day),
        saves="d4", observe=("d4",))
    add("revoke/input-receive", "Input SI", "create", 1, _si(run_id, "R4", 1, "RECEIVE", base + 6, day),
        saves="r4", observe=("d4", "r4"))
    add("revoke/first", "Revoke Matched SI", "revoke", 0, {"si_id": Ref("d4")}, observe=("d4", "r4"))
    add("revoke/first-again", "Revoke Matched SI", "revoke", 0, {"si_id": Ref("d4")}, observe=("d4", "r4"))
    add("revoke/second", "Revoke Matched SI", "revoke", 1, {"si_id": Ref("r4")}, observe=("d4", "r4"))
    add("revoke/deleted", "Enquire Deleted SI", "list", 1, {"own_reference": f"{run_id}R4"})
    # amend a matched SI; a matched SI cannot be cancelled or changed
    add("amend/amend", "Change Matched/Settled SI", "amend", 0,
        {"si_id": Ref("d1"), "narrative": f"diff {run_id}"}, observe=("d1", "r1"))
    add("amend/cancel-matched", "Cancel SI", "cancel", 0, {"si_id": Ref("d1")}, observe=("d1",))
    add("amend/change-matched", "Change SI", "change", 0, {"si_id": Ref("d1"), "quantity": base + 7},
        observe=("d1",))
    # a mismatch, its reason, then fixed by Change SI
    add("mismatch/input-deliver", "Input SI", "create", 0, _si(run_id, "D5", 0, "DELIVER", base + 8, day),
        saves="d5", observe=("d5",))
    add("mismatch/input-receive", "Input SI", "create", 1, _si(run_id, "R5", 1, "RECEIVE", base + 9, day),
        saves="r5", observe=("d5", "r5"))
    add("mismatch/reason", "Enquire SI Unmatched Reason", "get", 0, {"si_id": Ref("d5")})
    add("mismatch/fix", "Change SI", "change", 1, {"si_id": Ref("r5"), "quantity": base + 8}, observe=("d5", "r5"))
    add("mismatch/reason-after-match", "Enquire SI Unmatched Reason", "get", 0, {"si_id": Ref("d5")})
    return s


def _enquiries(tag: str, day: str) -> list[Step]:
    """The Settlement Account/Status enquiries and broadcast messages, as the participant under test."""
    return [
        Step(f"enquiries/{tag}/balance", "Enquire Stock Account Balance", "get", 0,
             {"account_id": Account(0)}),
        Step(f"enquiries/{tag}/movement", "Enquire Stock Account Movement", "get", 0, {"account_id": Account(0)}),
        Step(f"enquiries/{tag}/due-overdue", "Enquire Due/Overdue Position", "list", 0),
        Step(f"enquiries/{tag}/activity", "Enquire Settlement Activity", "list", 0, parameters={"businessDate": day}),
        Step(f"enquiries/{tag}/money", "Enquire Money Position", "list", 0),
        Step(f"enquiries/{tag}/broadcasts", "Enquire Broadcast Message", "list", 0),
    ]


def _property_cases(rng: random.Random, count: int, run_id: str, base: int, day: date) -> list[Step]:
    """Seeded Input SI cases, valid and not: every side gets the same values; each valid one is read back and
    asked for its unmatched reason."""
    saturday = day + timedelta(days=(5 - day.weekday()) % 7 or 7)
    dates = [day.isoformat(), (day - timedelta(days=1)).isoformat(), saturday.isoformat(),
             (saturday + timedelta(days=2)).isoformat(), (day + timedelta(days=400)).isoformat()]
    payments: list[dict[str, Any]] = [
        {"payment_type": "FOP"}, {"payment_type": "DVP", "amount": "1000.00", "currency": "HKD"},
        {"payment_type": "DVP"}, {"payment_type": "FOP", "amount": "5.00", "currency": "HKD"},
        {"payment_type": "RDP", "amount": "12.50", "currency": "USD"},
        {"payment_type": "DVP", "amount": "10.00", "currency": "XYZ"},
    ]
    steps: list[Step] = []
    for i in range(count):
        quantity: Any = rng.choice([base + 100 + i] * 6 + [0, -5, 1_000_000_000_000])
        values: dict[str, Any] = {
            "side": rng.choice(["DELIVER", "RECEIVE"]),
            "counterparty": rng.choice([Party(1)] * 5 + [Party(0), "Z99999"]),
            "stock_code": rng.choice(["00005", "00700", "00388", "00005", "99999", "5"]),
            "quantity": quantity, "settlement_date": rng.choice(dates),
            "own_reference": f"{run_id}P{i:02d}", **rng.choice(payments),
        }
        if rng.random() < 0.2:
            values["hold"] = True
        name = f"p{i:02d}"
        steps.append(Step(f"cases/{i:02d}/input", "Input SI", "create", 0, values, saves=name, observe=(name,),
                          validate=False))
        steps.append(Step(f"cases/{i:02d}/unmatched-reason", "Enquire SI Unmatched Reason", "get", 0,
                          {"si_id": Ref(name)}))
    return steps


def build_plan(*, seed: int, cases: int, run_id: str, settlement_date: date) -> Plan:
    """The whole sequence: enquiries, workflows, property cases, enquiries again.

    ``run_id`` goes into every own reference and spreads the quantities (the match key), so SIs of an earlier
    run on a shared target never match this run's.
    """
    base = 100_000 + (int.from_bytes(run_id.encode(), "big") % 9_000) * 1_000
    day = settlement_date.isoformat()
    steps = [*_enquiries("before", day), *_workflows(run_id, base, day),
             *_property_cases(random.Random(seed), cases, run_id, base, settlement_date), *_enquiries("after", day)]
    owners = {step.saves: step.actor for step in steps if step.saves is not None}
    return Plan(steps=tuple(steps), owners=owners, seed=seed, run_id=run_id, settlement_date=day)
