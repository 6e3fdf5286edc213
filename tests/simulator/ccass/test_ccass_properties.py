"""Property tests: conservation of stock, order-independent matching, and SI privacy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocp_conformance.simulator.ccass import DomainError, SiFilter, SiInput, Simulation, SiStatus

PARTICIPANTS = ("B01234", "B05678", "C00019", "B07777")
STOCKS = ("00005", "00700", "08001")
ALL_STATUSES: tuple[SiStatus, ...] = (
    "UNMATCHED",
    "MATCHED",
    "MATCHED_ON_HOLD",
    "SHARES_ON_HOLD",
    "REVOKE_PENDING",
    "SETTLED",
    "CANCELLED",
    "REVOKED",
    "PURGED",
)

# No example database: these tests must not write into the checkout; they are cheap enough to explore anew.
FAST = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class PairSpec:
    deliverer: str
    receiver: str
    stock: str
    quantity: int
    day_offset: int
    payment: dict[str, Any]
    deliver_own: dict[str, Any]
    receive_own: dict[str, Any]


payments = st.one_of(
    st.just({"payment_type": "FOP"}),
    st.builds(
        lambda kind, cents, ccy: {"payment_type": kind, "amount": Decimal(cents) / 100, "currency": ccy},
        st.sampled_from(["DVP", "RDP"]),
        st.integers(1, 10**9),
        st.sampled_from(["HKD", "CNY", "USD"]),
    ),
)
own_attributes = st.fixed_dictionaries(
    {
        "stock_account": st.sampled_from(["01", "02", "80"]),
        "own_reference": st.none() | st.text(max_size=8),
        "narrative": st.none() | st.text(max_size=8),
        "hold": st.booleans(),
        "exclude_from_batch": st.booleans(),
    }
)


@st.composite
def pair_specs(draw: st.DrawFn) -> PairSpec:
    deliverer, receiver = draw(st.permutations(PARTICIPANTS))[:2]
    return PairSpec(
        deliverer=deliverer,
        receiver=receiver,
        stock=draw(st.sampled_from(STOCKS)),
        quantity=draw(st.integers(1, 1_200_000)),  # sometimes more than any account holds
        day_offset=draw(st.integers(0, 1)),
        payment=draw(payments),
        deliver_own=draw(own_attributes),
        receive_own=draw(own_attributes),
    )


def si_inputs(sim: Simulation, spec: PairSpec) -> tuple[SiInput, SiInput]:
    day = sim.clock.calendar.add_business_days(sim.clock.today, spec.day_offset)
    common: dict[str, Any] = {"stock_code": spec.stock, "quantity": spec.quantity, "settlement_date": day}
    common.update(spec.payment)
    deliver = SiInput(side="DELIVER", counterparty_id=spec.receiver, **common, **spec.deliver_own)
    receive = SiInput(side="RECEIVE", counterparty_id=spec.deliverer, **common, **spec.receive_own)
    return deliver, receive


# An operation: ("pair", spec, flags) inputs one or both sides; other ops act on an earlier SI by index.
operations = st.one_of(
    st.tuples(st.just("pair"), pair_specs(), st.sampled_from(["both", "deliver", "receive", "reversed"])),
    st.tuples(st.just("settle"), st.none(), st.none()),
    st.tuples(st.just("next_day"), st.none(), st.none()),
    st.tuples(
        st.sampled_from(["cancel", "revoke", "hold", "release", "change"]), st.integers(0, 50), st.none()
    ),
)


def apply(sim: Simulation, op: tuple[str, Any, Any], created: list[tuple[str, str]]) -> None:
    """Apply one operation; business-rule rejections are part of the game and are ignored."""
    kind, arg, flag = op
    book = sim.si_book
    try:
        if kind == "pair":
            deliver, receive = si_inputs(sim, arg)
            order = {"both": "dr", "deliver": "d", "receive": "r", "reversed": "rd"}[flag]
            for side in order:
                owner, si = (arg.deliverer, deliver) if side == "d" else (arg.receiver, receive)
                created.append((owner, book.input_si(owner, si).si_id))
        elif kind == "settle":
            sim.run_batch_settlement()
        elif kind == "next_day":
            sim.advance_to(sim.clock.now + timedelta(days=1))
        elif created:
            owner, si_id = created[arg % len(created)]
            if kind == "cancel":
                book.cancel_si(owner, si_id)
            elif kind == "revoke":
                book.revoke(owner, si_id)
            elif kind in ("hold", "release"):
                book.set_hold(owner, si_id, kind == "hold")
            else:
                book.change_si(owner, si_id, {"quantity": 1 + arg})
    except DomainError:
        pass


@FAST
@given(st.lists(operations, max_size=25))
def test_stock_is_conserved_and_money_nets_to_zero(ops: list[tuple[str, Any, Any]]) -> None:
    sim = Simulation()
    before = {code: sim.ledger.total(code) for code in sim.reference.stocks}
    created: list[tuple[str, str]] = []
    for op in ops:
        apply(sim, op, created)
        assert {code: sim.ledger.total(code) for code in sim.reference.stocks} == before
        assert all(qty > 0 for pid in PARTICIPANTS for _, _, qty in sim.ledger.holdings_of(pid))
    for currency in ("HKD", "CNY", "USD"):
        assert sum(sim.ledger.money(pid, currency) for pid in PARTICIPANTS) == 0
    # both SIs of a pair always share their status and match id
    pairs: dict[str, list[str]] = {}
    for owner, si_id in created:
        si = sim.si_book.get(owner, si_id)
        if si.match_id is not None:
            pairs.setdefault(si.match_id, []).append(si.status)
    assert all(len(statuses) == 2 and len(set(statuses)) == 1 for statuses in pairs.values())


def key_of(spec: PairSpec) -> tuple[object, ...]:
    return (
        spec.deliverer,
        spec.receiver,
        spec.stock,
        spec.quantity,
        spec.day_offset,
        sorted(spec.payment.items()),
    )


@FAST
@given(pair_specs(), st.booleans(), st.lists(pair_specs(), max_size=4))
def test_matching_is_order_independent(spec: PairSpec, deliverer_first: bool, noise: list[PairSpec]) -> None:
    sim = Simulation()
    # unrelated SIs (one side only) must not disturb the match
    for other in noise:
        other_deliver, _ = si_inputs(sim, other)
        if key_of(other) == key_of(spec):
            continue  # a noise SI sharing the match key would rightly match first (FIFO)
        sim.si_book.input_si(other.deliverer, other_deliver)
    deliver, receive = si_inputs(sim, spec)
    # An RDP pair due today whose deliverer has the shares puts them on hold at once (real-time settlement).
    shares_on_hold = (deliver.payment_type == "RDP" and deliver.settlement_date <= sim.clock.today
                      and sim.ledger.available(spec.deliverer, deliver.stock_account, spec.stock) >= spec.quantity)
    steps = [(spec.deliverer, deliver), (spec.receiver, receive)]
    if not deliverer_first:
        steps.reverse()
    first = sim.si_book.input_si(*steps[0])
    second = sim.si_book.input_si(*steps[1])
    first = sim.si_book.get(steps[0][0], first.si_id)
    expected = ("MATCHED_ON_HOLD" if spec.deliver_own["hold"] or spec.receive_own["hold"]
                else "SHARES_ON_HOLD" if shares_on_hold else "MATCHED")
    assert first.match_id is not None and first.match_id == second.match_id
    assert first.status == second.status == expected


@FAST
@given(st.lists(operations, max_size=20))
def test_sis_keep_their_owner_and_stay_private(ops: list[tuple[str, Any, Any]]) -> None:
    sim = Simulation()
    created: list[tuple[str, str]] = []
    for op in ops:
        apply(sim, op, created)
    owners = {si_id: owner for owner, si_id in created}
    for si_id, owner in owners.items():
        assert sim.si_book.get(owner, si_id).owner == owner
        for other in PARTICIPANTS:
            if other != owner:
                with pytest.raises(DomainError) as info:
                    sim.si_book.get(other, si_id)
                assert info.value.code == "SI_NOT_FOUND"
    for pid in PARTICIPANTS:
        seen = [si for status in ALL_STATUSES for si in sim.si_book.enquire(pid, SiFilter(status=status))]
        assert all(si.owner == pid for si in seen)
        assert sorted(si.si_id for si in seen) == sorted(i for i, o in owners.items() if o == pid)
        assert all(si.owner == pid for si in sim.si_book.deleted_today(pid))
