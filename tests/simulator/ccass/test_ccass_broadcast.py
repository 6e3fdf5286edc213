"""Broadcast messages: publication order, enquiry filters, and the messages of clock events."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocp_conformance.simulator.ccass import HKT, BusinessClock, ClockEvent, DomainError, TradingCalendar
from ocp_conformance.simulator.ccass.broadcast import (
    FINAL_RUN_LABEL,
    BroadcastBoard,
    message_for,
)

START = datetime(2027, 4, 6, 9, 0, tzinfo=HKT)


@pytest.fixture
def clock() -> BusinessClock:
    return BusinessClock(TradingCalendar(), START)


@pytest.fixture
def board(clock: BusinessClock) -> BroadcastBoard:
    return BroadcastBoard(clock)


def at(hh: int, mm: int = 0, day: int = 6) -> datetime:
    return datetime(2027, 4, day, hh, mm, tzinfo=HKT)


def test_publish_defaults_to_now_with_sequential_ids(board: BroadcastBoard, clock: BusinessClock) -> None:
    first = board.publish("SYSTEM", "OCP API Services available")
    clock.advance_to(at(9, 5))
    second = board.publish("SETTLEMENT", "Matching cycle completed")
    assert (first.message_id, first.at, first.business_date) == ("BM00000001", START, START.date())
    assert (second.message_id, second.at) == ("BM00000002", at(9, 5))
    assert len(board) == 2


def test_business_date_of_a_weekend_message_rolls_forward(board: BroadcastBoard) -> None:
    message = board.publish("SYSTEM", "Weekend maintenance", at=at(10, day=10))  # Saturday
    assert message.business_date.isoformat() == "2027-04-12"


def test_publish_rejects_bad_input(board: BroadcastBoard) -> None:
    board.publish("SYSTEM", "later", at=at(12))
    with pytest.raises(ValueError, match="time order"):
        board.publish("SYSTEM", "earlier", at=at(11))
    with pytest.raises(ValueError, match="naive"):
        board.publish("SYSTEM", "naive", at=datetime(2027, 4, 6, 13, 0))
    with pytest.raises(ValueError, match="non-empty"):
        board.publish("", "text")
    with pytest.raises(ValueError, match="non-empty"):
        board.publish("SYSTEM", "")


def test_enquire_oldest_first_with_filters(board: BroadcastBoard) -> None:
    a = board.publish("SYSTEM", "a", at=at(9))
    b = board.publish("SETTLEMENT", "b", at=at(10, 30))
    c = board.publish("SYSTEM", "c", at=at(10, 30))
    d = board.publish("SETTLEMENT", "d", at=at(12))
    assert board.enquire() == [a, b, c, d]
    assert board.enquire(category="SETTLEMENT") == [b, d]
    assert board.enquire(category="UNKNOWN") == []
    assert board.enquire(since=at(10, 30)) == [b, c, d]  # since is inclusive
    assert board.enquire(since=at(10, 30).astimezone(HKT) - timedelta(seconds=1), category="SYSTEM") == [c]
    assert board.enquire(after_id=b.message_id) == [c, d]
    assert board.enquire(after_id=b.message_id, category="SYSTEM") == [c]
    assert board.enquire(after_id=a.message_id, since=at(11)) == [d]
    assert board.enquire(after_id=d.message_id) == []
    assert board.enquire(since=at(13)) == []


def test_enquire_rejections(board: BroadcastBoard) -> None:
    with pytest.raises(DomainError) as exc:
        board.enquire(after_id="BM99999999")
    expected = ("BROADCAST_MESSAGE_NOT_FOUND", 404, "/query/afterId")
    assert (exc.value.code, exc.value.status, exc.value.pointer) == expected
    with pytest.raises(DomainError) as exc:
        board.enquire(since=datetime(2027, 4, 6, 9, 0))
    assert (exc.value.code, exc.value.pointer) == ("FIELD_INVALID", "/query/since")


def test_enquire_returns_a_new_list(board: BroadcastBoard) -> None:
    board.publish("SYSTEM", "a")
    board.enquire().clear()
    assert len(board.enquire()) == 1


def test_message_for_clock_events(clock: BusinessClock) -> None:
    events = clock.advance_to(at(9, day=7))
    texts = [message_for(event) for event in events]
    assert texts == [
        None,  # the first SI matching (10:00) is broadcast by no message
        ("SETTLEMENT", "Batch settlement run 10:30 completed"),
        ("SETTLEMENT", "Batch settlement run 12:00 completed"),
        ("SETTLEMENT", "Batch settlement run 14:00 completed"),
        ("SETTLEMENT", "Final batch settlement run completed"),  # 15:45
        ("SYSTEM", "Business day 2027-04-06 closed"),
    ]


def test_final_label_is_configurable() -> None:
    event = ClockEvent("batch_run", at(16, 30), "last run (16:30)")
    assert message_for(event) == ("SETTLEMENT", "Batch settlement run 16:30 completed")
    assert message_for(event, final_label="last run") == ("SETTLEMENT", "Final batch settlement run completed")
    assert FINAL_RUN_LABEL == "final batch run"


def test_publish_event_publishes_at_event_time(board: BroadcastBoard, clock: BusinessClock) -> None:
    for event in clock.advance_to(at(18)):
        board.publish_event(event)
    final = board.enquire(category="SETTLEMENT")[-1]
    assert (final.text, final.at) == ("Final batch settlement run completed", at(15, 45))
    assert [m.at for m in board.enquire()] == sorted(m.at for m in board.enquire())


@settings(max_examples=50, deadline=None, database=None)
@given(
    st.lists(st.tuples(st.integers(0, 600), st.sampled_from(["SYSTEM", "SETTLEMENT", "CA"])), max_size=30),
    st.integers(0, 700),
    st.sampled_from([None, "SYSTEM", "SETTLEMENT", "CA"]),
    st.integers(0, 30),
)
def test_property_enquire_equals_naive_filter(
    steps: list[tuple[int, str]], since_offset: int, category: str | None, after: int
) -> None:
    board = BroadcastBoard(BusinessClock(TradingCalendar(), START))
    moment = START
    for minutes, cat in steps:
        moment += timedelta(minutes=minutes)
        board.publish(cat, f"m{minutes}", at=moment)
    everything = board.enquire()
    assert [m.message_id for m in everything] == [f"BM{i:08d}" for i in range(1, len(steps) + 1)]
    since = START + timedelta(minutes=since_offset)
    after_id = everything[after].message_id if after < len(everything) else None
    expected = [
        m
        for m in everything
        if m.at >= since
        and (category is None or m.category == category)
        and (after_id is None or m.message_id > after_id)
    ]
    assert board.enquire(since=since, category=category, after_id=after_id) == expected
