"""BroadcastBoard additions for the API: get by id and the businessDate filter."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ocp_conformance.simulator.ccass import HKT, DomainError, Simulation


def test_get_and_business_date_filter_after_a_whole_day() -> None:
    sim = Simulation()
    sim.advance_to(datetime(2027, 4, 7, 9, 0, tzinfo=HKT))
    board = sim.broadcasts
    day = board.enquire(business_date=date(2027, 4, 6))
    assert [m.text for m in day][-2:] == ["Final batch settlement run completed", "Business day 2027-04-06 closed"]
    assert board.enquire(business_date=date(2027, 4, 7)) == []
    assert board.get(day[-2].message_id) == day[-2]
    assert board.enquire(category="SYSTEM", business_date=date(2027, 4, 6)) == [day[-1]]
    with pytest.raises(DomainError) as caught:
        board.get("BM99999999")
    assert (caught.value.code, caught.value.status) == ("BROADCAST_MESSAGE_NOT_FOUND", 404)
