"""CNS positions: settlement cycles per market, netting, DIs, DI requirement, roll-forward, conservation."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from ccass_helpers import ALPHA, BETA
from hypothesis import given, settings
from hypothesis import strategies as st

from ocp_conformance.simulator.ccass import (
    HKT,
    BusinessClock,
    CnsBook,
    CnsPositionFilter,
    DiInput,
    DomainError,
    Ledger,
    Participant,
    ReferenceData,
    Simulation,
    Stock,
    TradingCalendar,
    normalise_stock_code,
)

TUE = date(2027, 4, 6)
AT_TEN = datetime(2027, 4, 6, 10, 0, tzinfo=HKT)


def _sim() -> Simulation:
    sim = Simulation()
    sim.advance_to(AT_TEN)
    return sim


def test_hk_trades_settle_t_plus_2_and_china_connect_on_t() -> None:
    reference = ReferenceData([Participant(ALPHA, "A", "BROKER", ("01",))],
                              [Stock("00005", "HSBC", "HKMK"), Stock("90001", "Mainland A", "MAMK")])
    clock = BusinessClock(TradingCalendar(), AT_TEN)
    book = CnsBook(reference, Ledger(), clock)
    hk, _ = book.book_trade(ALPHA, "00005", "BUY", 100, TUE)
    cc, position = book.book_trade(ALPHA, "90001", "SELL", 100, TUE)
    assert hk.settlement_date == date(2027, 4, 8)
    assert cc.settlement_date == TUE and position.position_type == "DUE"
    assert [p.stock_code for p in book.positions(ALPHA)] == ["90001"]
    assert book.positions(ALPHA, CnsPositionFilter(market="HKMK")) == []


def test_trades_on_the_same_stock_and_date_are_netted() -> None:
    sim = _sim()
    trade_date = sim.cns.trade_date_due_today("HKMK")
    assert trade_date == date(2027, 4, 1)  # T+2 skips Ching Ming (Mon 5 Apr) and Good Friday is not in April
    sim.cns.book_trade(ALPHA, "02800", "SELL", 1_000, trade_date)
    _, position = sim.cns.book_trade(ALPHA, "02800", "BUY", 400, trade_date)
    assert (position.direction, position.outstanding_short, position.obligation) == ("SHORT", 600, -600)
    _, position = sim.cns.book_trade(ALPHA, "02800", "BUY", 1_000, trade_date)
    assert (position.direction, position.outstanding_short, position.outstanding) == ("LONG", 0, 400)


def test_trade_date_rules() -> None:
    sim = _sim()
    with pytest.raises(DomainError) as future:
        sim.cns.book_trade(ALPHA, "00005", "SELL", 1, date(2027, 4, 7))
    assert future.value.code == "TRADE_DATE_IN_FUTURE"
    with pytest.raises(DomainError) as holiday:
        sim.cns.book_trade(ALPHA, "00005", "SELL", 1, date(2027, 4, 5))
    assert holiday.value.code == "TRADE_DATE_NOT_BUSINESS_DAY"


def test_di_moves_stock_to_hkscc_and_conserves_it() -> None:
    sim = _sim()
    total = sim.ledger.total("00005")
    sim.cns.book_trade(ALPHA, "00005", "SELL", 5_000, sim.cns.trade_date_due_today("HKMK"))
    di = sim.cns.input_di(ALPHA, DiInput("5", 2_000, own_reference="x"))  # leading zeros optional
    assert (di.stock_code, di.position.outstanding_short, di.position.settled) == ("00005", 3_000, 2_000)
    assert sim.ledger.holding("HKSCC", "01", "00005") == 2_000
    assert sim.ledger.total("00005") == total
    assert [m.kind for m in sim.ledger.movements(ALPHA, "01", "00005")][-1] == "CNS_DI"


@pytest.mark.parametrize(("quantity", "code"), [(5_001, "DI_EXCEEDS_DUE_POSITION"),
                                                (1_000_001, "DI_EXCEEDS_DUE_POSITION")])
def test_di_cannot_exceed_the_due_position(quantity: int, code: str) -> None:
    sim = _sim()
    sim.cns.book_trade(ALPHA, "00005", "SELL", 5_000, sim.cns.trade_date_due_today("HKMK"))
    with pytest.raises(DomainError) as error:
        sim.cns.input_di(ALPHA, DiInput("00005", quantity))
    assert (error.value.code, error.value.pointer) == (code, "/quantity")
    assert str(quantity) in error.value.message and "5000" in error.value.message


def test_di_cannot_exceed_the_available_balance_nor_use_an_unknown_account() -> None:
    sim = _sim()
    sim.cns.book_trade(ALPHA, "00005", "SELL", 50_000, sim.cns.trade_date_due_today("HKMK"))
    with pytest.raises(DomainError) as error:
        sim.cns.input_di(ALPHA, DiInput("00005", 20_000, stock_account="02"))
    assert error.value.code == "DI_EXCEEDS_AVAILABLE_BALANCE" and "10000" in error.value.message
    with pytest.raises(DomainError) as account:
        sim.cns.input_di(ALPHA, DiInput("00005", 1, stock_account="55"))
    assert account.value.code == "STOCK_ACCOUNT_UNKNOWN"


def test_batch_run_delivers_all_but_the_hold_back_and_day_end_rolls_the_rest_overdue() -> None:
    sim = _sim()
    sim.cns.book_trade(BETA, "00388", "SELL", 1_000, sim.cns.trade_date_due_today("HKMK"))
    sim.cns.set_requirement(BETA, "388", 250)
    sim.run_batch_settlement()
    position = sim.cns.position(BETA, "00388")
    assert position is not None and (position.settled, position.outstanding_short) == (750, 250)
    sim.cns.book_trade(BETA, "00388", "SELL", 100, TUE)  # settles Thu 8 Apr
    sim.advance_to(datetime(2027, 4, 7, 9, 0, tzinfo=HKT))  # the 10:30.. runs deliver nothing more
    [wed] = sim.cns.positions(BETA, CnsPositionFilter(stock_code="388"))  # rolled into Wednesday, overdue
    assert (wed.position_type, wed.overdue_since, wed.outstanding_short) == ("OVERDUE", TUE, 250)
    sim.advance_to(datetime(2027, 4, 8, 9, 0, tzinfo=HKT))
    [thu] = sim.cns.positions(BETA, CnsPositionFilter(stock_code="00388"))
    assert (thu.position_type, thu.overdue_since, thu.outstanding_short) == ("OVERDUE", TUE, 350)


def test_overdue_on_wednesday_when_nothing_new_settles() -> None:
    sim = _sim()
    sim.cns.book_trade(ALPHA, "00001", "SELL", 10, sim.cns.trade_date_due_today("HKMK"))
    sim.cns.set_requirement(ALPHA, "00001", 10)
    sim.advance_to(datetime(2027, 4, 7, 9, 0, tzinfo=HKT))
    [wed] = sim.cns.positions(ALPHA, CnsPositionFilter(stock_code="1", position_type="OVERDUE"))
    assert (wed.settlement_date, wed.carried_forward, wed.outstanding_short) == (date(2027, 4, 7), -10, 10)


def test_late_booked_trade_is_overdue_today() -> None:
    sim = _sim()
    _, position = sim.cns.book_trade(ALPHA, "00700", "SELL", 10, date(2027, 3, 30))
    assert (position.settlement_date, position.position_type, position.overdue_since) == (
        TUE, "OVERDUE", date(2027, 4, 1))


def test_di_before_ten_is_refused() -> None:
    sim = Simulation(start=datetime(2027, 4, 6, 9, 0, tzinfo=HKT))  # DEFAULT_START is 10:00, when DIs open
    sim.cns.book_trade(ALPHA, "00700", "SELL", 10, sim.cns.trade_date_due_today("HKMK"))
    with pytest.raises(DomainError) as error:
        sim.cns.input_di(ALPHA, DiInput("00700", 10))
    assert error.value.code == "DI_INPUT_NOT_OPEN"


def test_normalise_stock_code() -> None:
    assert [normalise_stock_code(c) for c in ("17", "00017", "5", "12345")] == ["00017", "00017", "00005", "12345"]


@settings(max_examples=40, deadline=None, database=None)
@given(ops=st.lists(st.tuples(st.sampled_from(["BUY", "SELL", "DI", "BATCH"]), st.integers(1, 3_000)),
                    max_size=15))
def test_outstanding_equals_netted_less_delivered_and_stock_is_conserved(ops: list[tuple[str, int]]) -> None:
    sim = _sim()
    total = sim.ledger.total("00005")
    trade_date = sim.cns.trade_date_due_today("HKMK")
    signed = delivered = 0
    for op, quantity in ops:
        if op in ("BUY", "SELL"):
            sim.cns.book_trade(BETA, "00005", op, quantity, trade_date)  # type: ignore[arg-type]
            signed += quantity if op == "BUY" else -quantity
        elif op == "DI":
            try:
                delivered += sim.cns.input_di(BETA, DiInput("00005", quantity)).quantity
            except DomainError as error:
                assert error.code in {"NO_DUE_SHORT_POSITION", "DI_EXCEEDS_DUE_POSITION"}
                assert quantity > max(0, -(signed + delivered))
        else:
            delivered += sum(d.quantity for d in sim.cns.run_batch("R1") if d.participant == BETA)
        position = sim.cns.position(BETA, "00005")
        outstanding = signed + delivered
        assert position is None or position.outstanding == outstanding
        assert sim.ledger.holding(BETA, "01", "00005") == 1_000_000 - delivered
        assert sim.ledger.total("00005") == total
