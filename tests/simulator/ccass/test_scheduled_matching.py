"""Issue 17 correction 4: SI matching is scheduled, not instant.

SIs may be input from 08:00 but stay UNMATCHED until the first matching at 10:00 (``MATCHING_SCHEDULE``); that
matching takes every waiting SI in input order; from then on an SI matches as soon as it is input or changed.
"""

from __future__ import annotations

from datetime import date, datetime, time

from ccass_helpers import ALPHA, BETA, GAMMA
from hypothesis import given, settings
from hypothesis import strategies as st

from ocp_conformance.simulator.ccass import (
    DEFAULT_START,
    HKT,
    MATCHING_SCHEDULE,
    SiInput,
    Simulation,
    SiRow,
)

TUE = date(2027, 4, 6)
WED = date(2027, 4, 7)


def at(hh: int, mm: int = 0, day: date = TUE) -> datetime:
    return datetime.combine(day, time(hh, mm), HKT)


def si(side: str, counterparty: str, quantity: int = 1_000, day: date = TUE, **extra: object) -> SiInput:
    return SiInput(side, counterparty, "00700", quantity, day, "FOP", **extra)  # type: ignore[arg-type]


def statuses(sim: Simulation, *sis: tuple[str, str]) -> list[str]:
    return [sim.si_book.get(owner, si_id).status for owner, si_id in sis]


def test_the_schedule_is_sourced_data_with_the_first_matching_at_ten() -> None:
    first = MATCHING_SCHEDULE[0]
    assert first.at == time(10, 0) and first.continuous
    assert first.source.startswith("[F]") and "Operational Procedures" in first.source
    assert "6.2" in first.source and "10:00 first SI matching" in first.source  # the section that gives the time
    # the default start is at the first matching, so an SI pair input at the start matches when input
    assert DEFAULT_START.time() == first.at


def test_a_pair_input_at_0830_stays_unmatched_until_the_clock_passes_ten() -> None:
    sim = Simulation(start=at(8, 30))
    deliver = sim.si_book.input_si(ALPHA, si("DELIVER", BETA))
    receive = sim.si_book.input_si(BETA, si("RECEIVE", ALPHA))
    assert (deliver.status, receive.status) == ("UNMATCHED", "UNMATCHED")
    assert sim.si_book.unmatched_reasons(BETA, receive.si_id).reason_code == "CMIS"
    assert sim.si_book.awaiting_matching() == 2
    sim.advance_to(at(9, 59))
    assert statuses(sim, (ALPHA, deliver.si_id), (BETA, receive.si_id)) == ["UNMATCHED", "UNMATCHED"]
    sim.advance_to(at(10, 15))
    matched = sim.si_book.get(ALPHA, deliver.si_id)
    assert matched.status == "MATCHED" and matched.matched_at == at(10)  # matched by the 10:00 matching
    assert matched.match_id == sim.si_book.get(BETA, receive.si_id).match_id
    assert sim.si_book.awaiting_matching() == 0
    runs = sim.advance_to(at(10, 30))  # the first batch run settles what the first matching matched
    assert runs[0].settled == (matched.match_id,)


def test_a_pair_input_at_1030_matches_at_once() -> None:
    sim = Simulation(start=at(10, 30))
    sim.si_book.input_si(ALPHA, si("DELIVER", BETA))
    receive = sim.si_book.input_si(BETA, si("RECEIVE", ALPHA))
    assert receive.status == "MATCHED" and receive.matched_at == at(10, 30)


def test_the_first_matching_keeps_input_order_among_several_candidates() -> None:
    sim = Simulation(start=at(8))
    first = sim.si_book.input_si(ALPHA, si("DELIVER", BETA, own_reference="first"))
    second = sim.si_book.input_si(ALPHA, si("DELIVER", BETA, own_reference="second"))
    receive = sim.si_book.input_si(BETA, si("RECEIVE", ALPHA))
    other = sim.si_book.input_si(GAMMA, si("RECEIVE", ALPHA, quantity=7))  # no counterpart at all
    sim.advance_to(at(10))
    assert statuses(sim, (ALPHA, first.si_id), (ALPHA, second.si_id), (BETA, receive.si_id), (GAMMA, other.si_id)) \
        == ["MATCHED", "UNMATCHED", "MATCHED", "UNMATCHED"]
    assert sim.si_book.get(ALPHA, first.si_id).match_id == sim.si_book.get(BETA, receive.si_id).match_id
    later = sim.si_book.input_si(BETA, si("RECEIVE", ALPHA))  # after 10:00: immediate, with the one left
    assert later.status == "MATCHED" and sim.si_book.get(ALPHA, second.si_id).match_id == later.match_id


def test_a_changed_si_waits_too_and_goes_behind_the_sis_waiting_before_it() -> None:
    sim = Simulation(start=at(8))
    first = sim.si_book.input_si(ALPHA, si("DELIVER", BETA, quantity=999))
    second = sim.si_book.input_si(ALPHA, si("DELIVER", BETA))
    sim.si_book.input_si(BETA, si("RECEIVE", ALPHA))
    changed = sim.si_book.change_si(ALPHA, first.si_id, {"quantity": 1_000})
    assert changed.status == "UNMATCHED"  # before 10:00 a change does not match either
    sim.advance_to(at(10))
    assert statuses(sim, (ALPHA, first.si_id), (ALPHA, second.si_id)) == ["UNMATCHED", "MATCHED"]


def test_a_cancelled_si_is_not_matched_at_ten() -> None:
    sim = Simulation(start=at(8))
    deliver = sim.si_book.input_si(ALPHA, si("DELIVER", BETA))
    receive = sim.si_book.input_si(BETA, si("RECEIVE", ALPHA))
    sim.si_book.cancel_si(ALPHA, deliver.si_id)
    sim.advance_to(at(11))
    assert statuses(sim, (ALPHA, deliver.si_id), (BETA, receive.si_id)) == ["CANCELLED", "UNMATCHED"]


def test_each_business_day_waits_for_its_own_first_matching() -> None:
    sim = Simulation(start=at(11))
    deliver = sim.si_book.input_si(ALPHA, si("DELIVER", BETA, day=WED))  # no counterpart on Tuesday
    sim.advance_to(at(8, 30, WED))
    receive = sim.si_book.input_si(BETA, si("RECEIVE", ALPHA, day=WED))
    assert receive.status == "UNMATCHED"  # Wednesday's first matching has not run yet
    sim.advance_to(at(10, 0, WED))
    assert statuses(sim, (ALPHA, deliver.si_id), (BETA, receive.si_id)) == ["MATCHED", "MATCHED"]


def test_a_clock_moved_alone_past_ten_matches_the_waiting_sis_first() -> None:
    sim = Simulation(start=at(8))
    waiting = sim.si_book.input_si(ALPHA, si("DELIVER", BETA))
    sim.clock.advance_to(at(10, 5))  # the clock alone: no scheduled processing
    newer = sim.si_book.input_si(ALPHA, si("DELIVER", BETA))
    receive = sim.si_book.input_si(BETA, si("RECEIVE", ALPHA))
    assert statuses(sim, (ALPHA, waiting.si_id), (ALPHA, newer.si_id)) == ["MATCHED", "UNMATCHED"]
    assert receive.match_id == sim.si_book.get(ALPHA, waiting.si_id).match_id


def test_bulk_rows_input_before_ten_wait_like_input_si() -> None:
    sim = Simulation(start=at(8, 30))
    rows: list[SiRow] = [("DELIVER", BETA, "00700", 1_000, TUE, "FOP", None, None, "01", None)]
    (deliver_id,) = sim.si_book.input_rows(ALPHA, rows)
    receive = sim.si_book.input_si(BETA, si("RECEIVE", ALPHA))
    assert statuses(sim, (ALPHA, deliver_id), (BETA, receive.si_id)) == ["UNMATCHED", "UNMATCHED"]
    sim.advance_to(at(10))
    assert statuses(sim, (ALPHA, deliver_id), (BETA, receive.si_id)) == ["MATCHED", "MATCHED"]


# ---------------------------------------------------------------- model: waiting = input at 10:00 in order

_PARTIES = (ALPHA, BETA)
_inputs = st.lists(
    st.tuples(st.sampled_from(_PARTIES), st.sampled_from(["DELIVER", "RECEIVE"]), st.sampled_from([100, 200]),
              st.booleans()),
    min_size=1, max_size=14,
)


def _enter(sim: Simulation, inputs: list[tuple[str, str, int, bool]]) -> list[tuple[str, str]]:
    """Input each SI, by Input SI or as a bulk RAP row, and return (owner, id) in input order."""
    entered: list[tuple[str, str]] = []
    for owner, side, quantity, bulk in inputs:
        counterparty = BETA if owner == ALPHA else ALPHA
        if bulk:
            row: SiRow = (side, counterparty, "00700", quantity, TUE, "FOP", None, None, "01", None)  # type: ignore[assignment]
            (si_id,) = sim.si_book.input_rows(owner, [row])
        else:
            si_id = sim.si_book.input_si(owner, si(side, counterparty, quantity)).si_id
        entered.append((owner, si_id))
    return entered


def _pairs(sim: Simulation, entered: list[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """Each SI's status and the position (in input order) of its counterpart, if matched."""
    records = [sim.si_book.get(owner, si_id) for owner, si_id in entered]
    by_match: dict[str, list[int]] = {}
    for number, record in enumerate(records):
        if record.match_id is not None:
            by_match.setdefault(record.match_id, []).append(number)
    return [
        (record.status, None if record.match_id is None else
         str(next(n for n in by_match[record.match_id] if n != number)))
        for number, record in enumerate(records)
    ]


@settings(max_examples=60, deadline=None, database=None)
@given(inputs=_inputs)
def test_sis_waiting_for_the_first_matching_pair_as_if_input_at_ten_in_order(
    inputs: list[tuple[str, str, int, bool]],
) -> None:
    early = Simulation(start=at(8, 0))
    entered_early = _enter(early, inputs)
    assert all(status == "UNMATCHED" for status, _ in _pairs(early, entered_early))
    early.advance_to(at(10, 0))
    on_time = Simulation(start=at(10, 0))
    entered_on_time = _enter(on_time, inputs)
    assert _pairs(early, entered_early) == _pairs(on_time, entered_on_time)
    assert early.si_book.awaiting_matching() == 0


@settings(max_examples=30, deadline=None, database=None)
@given(inputs=_inputs, hour=st.sampled_from([8, 9, 10, 12]))
def test_bulk_rows_and_input_si_agree_at_any_hour(inputs: list[tuple[str, str, int, bool]], hour: int) -> None:
    by_rows, one_by_one = Simulation(start=at(hour)), Simulation(start=at(hour))
    entered_rows = _enter(by_rows, [(*item[:3], True) for item in inputs])
    entered_api = _enter(one_by_one, [(*item[:3], False) for item in inputs])
    assert _pairs(by_rows, entered_rows) == _pairs(one_by_one, entered_api)
    by_rows.advance_to(at(13))
    one_by_one.advance_to(at(13))
    assert _pairs(by_rows, entered_rows) == _pairs(one_by_one, entered_api)
