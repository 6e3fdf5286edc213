"""The seeded trade feed: deterministic, gap-free, revealed by the clock, only the GCP's own NCPs."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

import pytest

from ocp_conformance.simulator.ccass import (
    DEMO_GCP,
    DEMO_NCP_MAPPINGS,
    HKT,
    DomainError,
    TradeFeed,
    TradingCalendar,
    demo_reference_data,
)

DAY = date(2027, 4, 6)


def _feed(seed: int = 1) -> TradeFeed:
    return TradeFeed(demo_reference_data(), TradingCalendar(), DEMO_NCP_MAPPINGS, seed=seed)


def test_the_same_seed_gives_the_same_feed_and_another_seed_another() -> None:
    assert _feed().day(DEMO_GCP, DAY) == _feed().day(DEMO_GCP, DAY)
    assert _feed().day(DEMO_GCP, DAY) != _feed(2).day(DEMO_GCP, DAY)


def test_a_day_is_numbered_without_gaps_and_amendments_name_earlier_trades() -> None:
    records = _feed().day(DEMO_GCP, DAY)
    assert [r.sequence for r in records] == list(range(1, len(records) + 1))
    refs: set[str] = set()
    ncps = {m.ncp_id for m in DEMO_NCP_MAPPINGS}
    for record in records:
        china_connect = record.market in ("MAMK", "SZMK")
        assert record.ncp_id in ncps and record.settlement_date == (DAY if china_connect else date(2027, 4, 8))
        assert record.currency == ("CNY" if china_connect else "HKD")
        assert (record.record_type == "NEW") == (record.original_trade_ref is None)
        assert record.original_trade_ref is None or record.original_trade_ref in refs
        assert record.value == (record.price * record.quantity).quantize(Decimal("0.01"))
        refs.add(record.trade_ref)
    assert {r.record_type for r in records} == {"NEW", "AMEND", "CANCEL"}
    assert {r.market for r in records} == {"HKMK", "MAMK", "SZMK"}


def test_the_clock_reveals_the_feed_and_resume_is_exact() -> None:
    feed = _feed()
    assert feed.issued(DEMO_GCP, DAY, datetime(2027, 4, 6, 9, 0, tzinfo=HKT)) == ()
    ten = datetime(2027, 4, 6, 10, 0, tzinfo=HKT)
    issued = feed.issued(DEMO_GCP, DAY, ten)
    assert issued and all(r.trade_time <= ten for r in issued)
    chunk, next_sequence = feed.after(DEMO_GCP, DAY, ten, 3, 5)
    assert [r.sequence for r in chunk] == [4, 5, 6, 7, 8] and next_sequence == 8
    assert feed.after(DEMO_GCP, DAY, ten, len(issued), 5) == ((), len(issued))
    with pytest.raises(DomainError) as error:
        feed.after(DEMO_GCP, DAY, ten, len(issued) + 1, 5)
    assert error.value.code == "SEQUENCE_INVALID" and error.value.pointer == "/query/afterSequence"


def test_a_day_has_exactly_the_configured_number_of_records_in_time_order() -> None:
    feed = TradeFeed(demo_reference_data(), TradingCalendar(), DEMO_NCP_MAPPINGS, trades_per_day=5000)
    records = feed.day(DEMO_GCP, DAY)
    assert len(records) == 5000 and feed.trades_per_day == 5000
    assert all(a.trade_time <= b.trade_time for a, b in itertools.pairwise(records))
    close = datetime(2027, 4, 6, 16, 0, tzinfo=HKT)
    assert records[0].trade_time >= datetime(2027, 4, 6, 9, 30, tzinfo=HKT) and records[-1].trade_time <= close
    assert len(feed.issued(DEMO_GCP, DAY, close)) == 5000


def test_a_participant_that_is_no_gcp_has_no_feed() -> None:
    assert _feed().day("B01234", DAY) == ()
    assert _feed().day(DEMO_GCP, date(2027, 4, 5)) == ()  # Ching Ming: no trading
