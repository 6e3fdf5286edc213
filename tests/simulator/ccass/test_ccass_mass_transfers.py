"""Mass ATI/STI submissions, and properties of transfers: conservation and exactly-once item processing."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocp_conformance.simulator.ccass import DomainError, Simulation
from ocp_conformance.simulator.ccass.mass_transfers import MassItem, MassTransferBook
from ocp_conformance.simulator.ccass.transfers import TransferBook

ALPHA, BETA = "B01234", "B05678"
FAST = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def make() -> tuple[Simulation, TransferBook, MassTransferBook]:
    sim = Simulation()
    transfers = TransferBook(sim.reference, sim.ledger, sim.clock)
    return sim, transfers, MassTransferBook(transfers, sim.clock, max_items=5)


def rejected(call: object, *args: object) -> DomainError:
    assert callable(call)
    with pytest.raises(DomainError) as caught:
        call(*args)
    return caught.value


GOOD_ATI = MassItem("ATI", "01", "02", "00700", 5)
GOOD_STI = MassItem("STI", "02", "80", "00005", 7)
BAD_ATI = MassItem("ATI", "01", "01", "00700", 5)


class TestMass:
    def test_submit_then_process(self) -> None:
        sim, transfers, mass = make()
        sub = mass.submit(ALPHA, [GOOD_ATI, BAD_ATI, GOOD_STI])
        assert (sub.mass_id, sub.status, sub.created_at) == ("MASS00000001", "RECEIVED", sim.clock.now)
        assert [(i.index, i.kind, i.result) for i in sub.items] == [
            (0, "ATI", None), (1, "ATI", None), (2, "STI", None)
        ]
        assert transfers.enquire(ALPHA) == []
        done = mass.process(sub.mass_id)
        assert done.status == "PARTIALLY_REJECTED"
        assert (done.accepted, done.rejected, done.processed_at) == (2, 1, sim.clock.now)
        results = [i.result for i in done.items]
        assert results[0] is not None and (results[0].outcome, results[0].transfer_id) == ("ACCEPTED", "ATI0000000001")
        assert results[1] is not None and (results[1].outcome, results[1].code) == ("REJECTED", "ACCOUNT_SAME")
        assert results[1].message and results[1].transfer_id is None
        assert results[2] is not None and (results[2].outcome, results[2].transfer_id) == ("ACCEPTED", "STI0000000001")
        assert transfers.get_sti(ALPHA, "STI0000000001").status == "PENDING"

    def test_statuses(self) -> None:
        _, _, mass = make()
        ok = mass.submit(ALPHA, [GOOD_ATI])
        bad = mass.submit(ALPHA, [BAD_ATI, MassItem("STI", "01", "02", "00700", 1, "DVP")])
        assert [s.status for s in mass.process_all()] == ["PROCESSED", "REJECTED"]
        codes = [i.result.code for i in mass.get(ALPHA, bad.mass_id).items if i.result]
        assert codes == ["ACCOUNT_SAME", "AMOUNT_REQUIRED"]  # a DVP STI needs its amount
        assert mass.get(ALPHA, ok.mass_id).status == "PROCESSED"
        assert mass.process_all() == []

    def test_process_twice_applies_once(self) -> None:
        sim, transfers, mass = make()
        sub = mass.submit(ALPHA, [GOOD_ATI])
        first = mass.process(sub.mass_id)
        assert mass.process(sub.mass_id) == first
        assert len(transfers.enquire(ALPHA)) == 1
        assert sim.ledger.holding(ALPHA, "02", "00700") == 10_005

    def test_change_and_cancel_while_received(self) -> None:
        _, transfers, mass = make()
        sub = mass.submit(ALPHA, [BAD_ATI])
        changed = mass.change(ALPHA, sub.mass_id, [GOOD_ATI, GOOD_ATI])
        assert [i.fields for i in changed.items] == [GOOD_ATI, GOOD_ATI]
        other = mass.submit(ALPHA, [GOOD_ATI])
        assert mass.cancel(ALPHA, other.mass_id).status == "CANCELLED"
        assert [s.mass_id for s in mass.process_all()] == [sub.mass_id]
        assert mass.process(other.mass_id).status == "CANCELLED"
        assert len(transfers.enquire(ALPHA)) == 2
        for call, args in ((mass.change, [GOOD_ATI]), (mass.cancel, None)):
            for mass_id in (sub.mass_id, other.mass_id):
                error = rejected(call, ALPHA, mass_id, *([args] if args else []))
                assert (error.code, error.status) == ("MASS_ALREADY_PROCESSED", 409)

    @pytest.mark.parametrize(
        ("items", "code", "pointer"),
        [
            ([], "MASS_ITEMS_EMPTY", "/items"),
            ([GOOD_ATI] * 6, "MASS_TOO_MANY_ITEMS", "/items"),
            ([GOOD_ATI, MassItem("DI", "01", "02", "00700", 5)], "MASS_ITEM_KIND_INVALID", "/items/1/kind"),
        ],
    )
    def test_submit_rules(self, items: list[MassItem], code: str, pointer: str) -> None:
        _, _, mass = make()
        error = rejected(mass.submit, ALPHA, items)
        assert (error.code, error.status, error.pointer) == (code, 422, pointer)
        sub = mass.submit(ALPHA, [GOOD_ATI])
        assert rejected(mass.change, ALPHA, sub.mass_id, items).code == code
        assert mass.enquire(ALPHA) == [mass.get(ALPHA, sub.mass_id)]

    def test_privacy(self) -> None:
        _, _, mass = make()
        sub = mass.submit(ALPHA, [GOOD_ATI])
        for call, extra in ((mass.get, ()), (mass.cancel, ()), (mass.change, ([GOOD_ATI],))):
            error = rejected(call, BETA, sub.mass_id, *extra)
            assert (error.code, error.status) == ("MASS_NOT_FOUND", 404)
        assert rejected(mass.process, "MASS99999999").code == "MASS_NOT_FOUND"
        assert mass.enquire(BETA) == []

    def test_returned_copies_do_not_alias(self) -> None:
        _, _, mass = make()
        sub = mass.submit(ALPHA, [GOOD_ATI])
        sub.items.clear()
        sub.status = "PROCESSED"
        assert len(mass.get(ALPHA, sub.mass_id).items) == 1
        assert mass.get(ALPHA, sub.mass_id).status == "RECEIVED"


# ---------------------------------------------------------------- properties
PARTIES = (ALPHA, BETA)
ACCOUNTS = ("01", "02", "80", "09")  # 09 is nobody's account
STOCKS = ("00005", "00700", "99999")  # 99999 is not on the stock list

_item = st.builds(
    MassItem,
    kind=st.sampled_from(["ATI", "STI"]),
    from_account=st.sampled_from(ACCOUNTS),
    to_account=st.sampled_from(ACCOUNTS),
    stock_code=st.sampled_from(STOCKS),
    quantity=st.sampled_from([0, 1, 5_000, 9_999, 10_001, 2_000_000]),
    payment_type=st.sampled_from(["FOP", "FOP", "DVP"]),
)
_op = st.one_of(
    st.tuples(st.just("item"), st.sampled_from(PARTIES), _item),
    st.tuples(st.just("submit"), st.sampled_from(PARTIES), st.lists(_item, min_size=1, max_size=5)),
    st.tuples(st.just("change"), st.integers(0, 9), st.lists(_item, min_size=1, max_size=5)),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    st.tuples(st.just("process"), st.integers(0, 9)),
    st.tuples(st.just("process_all")),
    st.tuples(st.just("settle")),
    st.tuples(st.just("revoke"), st.integers(0, 9)),
    st.tuples(st.just("deposit"), st.sampled_from(PARTIES), st.sampled_from(STOCKS[:2]), st.integers(1, 50)),
)


@FAST
@given(st.lists(_op, max_size=30))
def test_conservation_and_exactly_once(ops: list[tuple[object, ...]]) -> None:
    sim, transfers, mass = make()
    ledger = sim.ledger
    totals = {s: ledger.total(s) for s in STOCKS[:2]}
    mass_ids: list[tuple[str, str]] = []
    sti_ids: list[tuple[str, str]] = []
    for op in ops:
        try:
            match op:
                case ("item", str(owner), MassItem() as item):
                    if item.kind == "ATI":
                        transfers.input_ati(owner, item.from_account, item.to_account, item.stock_code, item.quantity)
                    else:
                        sti = transfers.input_sti(owner, item.from_account, item.to_account, item.stock_code,
                                                  item.quantity, item.payment_type)
                        sti_ids.append((owner, sti.sti_id))
                case ("submit", str(owner), list(items)):
                    mass_ids.append((owner, mass.submit(owner, items).mass_id))
                case ("change", int(i), list(items)) if mass_ids:
                    mass.change(*mass_ids[i % len(mass_ids)], items)
                case ("cancel", int(i)) if mass_ids:
                    mass.cancel(*mass_ids[i % len(mass_ids)])
                case ("process", int(i)) if mass_ids:
                    mass.process(mass_ids[i % len(mass_ids)][1])
                case ("process_all",):
                    mass.process_all()
                case ("settle",):
                    transfers.settle_pending()
                case ("revoke", int(i)) if sti_ids:
                    transfers.revoke_sti(*sti_ids[i % len(sti_ids)])
                case ("deposit", str(owner), str(stock), int(qty)):
                    ledger.deposit(owner, "02", stock, qty)
                    totals[stock] += qty
        except DomainError:
            pass
        # (a) stock changes in total only by deposits
        for stock, expected in totals.items():
            assert ledger.total(stock) == expected
    mass.process_all()
    mass.process_all()
    transfers.settle_pending()
    for stock, expected in totals.items():
        assert ledger.total(stock) == expected

    # (b) every position equals the sum of its movements
    for owner in PARTIES:
        for account, stock, qty in ledger.holdings_of(owner):
            assert qty == sum(m.quantity for m in ledger.movements(owner, account, stock))
        assert all(ledger.balance(owner, a, s).available >= 0 for a in ACCOUNTS for s in STOCKS)

    # (c) every item of a processed submission has exactly one outcome; accepted transfers exist once
    for owner in PARTIES:
        created = Counter([a.ati_id for a in transfers.enquire(owner)])
        created.update(s.sti_id for s in transfers.enquire_sti(owner))
        assert all(n == 1 for n in created.values())
        referenced: Counter[str] = Counter()
        for sub in mass.enquire(owner):
            assert sub.status in {"CANCELLED", "PROCESSED", "PARTIALLY_REJECTED", "REJECTED"}
            for record in sub.items:
                if sub.status == "CANCELLED":
                    assert record.result is None
                    continue
                result = record.result
                assert result is not None
                if result.outcome == "ACCEPTED":
                    assert result.transfer_id is not None and result.code is None
                    assert result.transfer_id in created
                    referenced[result.transfer_id] += 1
                else:
                    assert result.outcome == "REJECTED" and result.transfer_id is None
                    assert result.code and result.message
        assert all(n == 1 for n in referenced.values())
        # each ATI's journal lines appear exactly twice (out and in), never more
        for ati in transfers.enquire(owner):
            assert sum(1 for m in ledger.movements(owner) if m.reference == ati.ati_id) == 2
