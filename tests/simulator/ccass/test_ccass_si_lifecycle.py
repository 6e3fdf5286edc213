"""Matched-SI functions (hold, revoke, change matched/settled) and the enquiries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ccass_helpers import ALPHA, BETA, DELTA, GAMMA, MakeSi, PairFn, dvp, next_business_day

from ocp_conformance.simulator.ccass import HKT, DomainError, SiFilter, Simulation


def error_of(call: Any, *args: Any) -> DomainError:
    with pytest.raises(DomainError) as info:
        call(*args)
    return info.value


class TestHold:
    def test_each_party_controls_its_own_flag(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, receive = matched_pair()
        book = sim.si_book
        assert book.set_hold(ALPHA, deliver.si_id, True).status == "MATCHED_ON_HOLD"
        assert book.get(BETA, receive.si_id).status == "MATCHED_ON_HOLD"
        assert book.set_hold(BETA, receive.si_id, True).status == "MATCHED_ON_HOLD"
        # releasing one flag is not enough while the other party still holds
        assert book.set_hold(BETA, receive.si_id, False).status == "MATCHED_ON_HOLD"
        released = book.set_hold(ALPHA, deliver.si_id, False)
        assert released.status == "MATCHED" and book.get(BETA, receive.si_id).status == "MATCHED"

    def test_matched_on_hold_at_input_is_released_by_setter(
        self, sim: Simulation, matched_pair: PairFn
    ) -> None:
        deliver, receive = matched_pair(r_hold=True)
        assert deliver.status == "MATCHED_ON_HOLD" and not deliver.hold and receive.hold
        assert sim.si_book.set_hold(ALPHA, deliver.si_id, False).status == "MATCHED_ON_HOLD"
        assert sim.si_book.set_hold(BETA, receive.si_id, False).status == "MATCHED"

    def test_hold_of_unmatched_conflicts(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        assert error_of(sim.si_book.set_hold, ALPHA, si.si_id, True).code == "SI_STATE_CONFLICT"

    def test_hold_needs_a_boolean(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, _ = matched_pair()
        assert error_of(sim.si_book.set_hold, ALPHA, deliver.si_id, "Y").code == "FIELD_INVALID"


class TestRevoke:
    def test_both_parties_must_request(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, receive = matched_pair()
        first = sim.si_book.revoke(ALPHA, deliver.si_id)
        assert first.status == "REVOKE_PENDING" and first.revocation_requested_by_owner
        other = sim.si_book.get(BETA, receive.si_id)
        assert other.status == "REVOKE_PENDING" and other.revocation_requested_by_counterparty
        assert not other.revocation_requested_by_owner
        second = sim.si_book.revoke(BETA, receive.si_id)
        assert second.status == "REVOKED" and second.deleted_at == sim.clock.now
        assert sim.si_book.get(ALPHA, deliver.si_id).status == "REVOKED"

    def test_same_party_twice(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, _ = matched_pair()
        sim.si_book.revoke(ALPHA, deliver.si_id)
        error = error_of(sim.si_book.revoke, ALPHA, deliver.si_id)
        assert (error.code, error.status) == ("REVOCATION_ALREADY_REQUESTED", 409)

    def test_revoke_on_hold_allowed_but_not_unmatched_or_revoked(
        self, sim: Simulation, matched_pair: PairFn, make_si: MakeSi
    ) -> None:
        deliver, receive = matched_pair(hold=True)
        assert sim.si_book.revoke(BETA, receive.si_id).status == "REVOKE_PENDING"
        sim.si_book.revoke(ALPHA, deliver.si_id)
        assert error_of(sim.si_book.revoke, ALPHA, deliver.si_id).code == "SI_STATE_CONFLICT"
        unmatched = sim.si_book.input_si(ALPHA, make_si(quantity=7))
        assert error_of(sim.si_book.revoke, ALPHA, unmatched.si_id).code == "SI_STATE_CONFLICT"

    def test_hold_change_while_revoke_pending_conflicts(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, _ = matched_pair()
        sim.si_book.revoke(ALPHA, deliver.si_id)
        assert error_of(sim.si_book.set_hold, ALPHA, deliver.si_id, True).code == "SI_STATE_CONFLICT"


class TestChangeMatched:
    def test_reference_and_narrative_change_without_unmatching(
        self, sim: Simulation, matched_pair: PairFn
    ) -> None:
        deliver, receive = matched_pair(own_reference="OLD")
        changed = sim.si_book.change_matched(ALPHA, deliver.si_id, {"own_reference": "NEW", "narrative": "n"})
        assert (changed.status, changed.own_reference, changed.narrative) == ("MATCHED", "NEW", "n")
        assert changed.match_id == receive.match_id
        assert sim.si_book.get(BETA, receive.si_id).own_reference is None  # the counterparty's is untouched

    def test_account_and_batch_flag_before_settlement(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, _ = matched_pair()
        changed = sim.si_book.change_matched(
            ALPHA, deliver.si_id, {"stock_account": "02", "exclude_from_batch": True}
        )
        assert (changed.stock_account, changed.exclude_from_batch) == ("02", True)

    def test_bad_account_and_types(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, _ = matched_pair()
        book = sim.si_book
        assert error_of(book.change_matched, ALPHA, deliver.si_id, {"stock_account": "55"}).code == (
            "STOCK_ACCOUNT_UNKNOWN"
        )
        assert (
            error_of(book.change_matched, ALPHA, deliver.si_id, {"exclude_from_batch": 1}).code
            == "FIELD_INVALID"
        )
        assert error_of(book.change_matched, ALPHA, deliver.si_id, {"narrative": 5}).code == "FIELD_INVALID"

    def test_matching_fields_are_not_changeable(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, _ = matched_pair()
        error = error_of(sim.si_book.change_matched, ALPHA, deliver.si_id, {"quantity": 1, "narrative": "x"})
        assert (error.code, error.pointer) == ("FIELD_NOT_CHANGEABLE", "/quantity")
        assert sim.si_book.get(ALPHA, deliver.si_id).narrative is None  # all or nothing
        assert (
            error_of(sim.si_book.change_matched, ALPHA, deliver.si_id, {"colour": 1}).code == "FIELD_UNKNOWN"
        )

    def test_settled_si_locks_account_and_batch_flag(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, _ = matched_pair()
        sim.run_batch_settlement()
        for key, value in (("stock_account", "02"), ("exclude_from_batch", True)):
            error = error_of(sim.si_book.change_matched, ALPHA, deliver.si_id, {key: value})
            assert (error.code, error.status) == ("SETTLED_SI_FIELD_LOCKED", 409)
        settled = sim.si_book.change_matched(ALPHA, deliver.si_id, {"own_reference": "after"})
        assert (settled.status, settled.own_reference) == ("SETTLED", "after")

    def test_revoke_pending_allowed_unmatched_not(
        self, sim: Simulation, matched_pair: PairFn, make_si: MakeSi
    ) -> None:
        deliver, _ = matched_pair()
        sim.si_book.revoke(ALPHA, deliver.si_id)
        assert sim.si_book.change_matched(ALPHA, deliver.si_id, {"narrative": "x"}).status == "REVOKE_PENDING"
        unmatched = sim.si_book.input_si(ALPHA, make_si(quantity=3))
        error = error_of(sim.si_book.change_matched, ALPHA, unmatched.si_id, {"narrative": "x"})
        assert error.code == "SI_STATE_CONFLICT"


class TestGetAndEnquire:
    def test_get_unknown_or_foreign_is_not_found(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        assert error_of(sim.si_book.get, ALPHA, "SI9999999999").code == "SI_NOT_FOUND"
        foreign = error_of(sim.si_book.get, BETA, si.si_id)
        assert (foreign.code, foreign.status) == ("SI_NOT_FOUND", 404)

    def test_enquire_filters_and_sorts(self, sim: Simulation, make_si: MakeSi) -> None:
        book = sim.si_book
        tomorrow = next_business_day(sim)
        a = book.input_si(ALPHA, make_si(own_reference="R1"))
        b = book.input_si(ALPHA, make_si("RECEIVE", GAMMA, stock_code="00005", settlement_date=tomorrow))
        c = book.input_si(ALPHA, make_si(counterparty_id=DELTA))
        book.input_si(BETA, make_si("RECEIVE", ALPHA))  # matches a
        book.cancel_si(ALPHA, c.si_id)
        book.input_si(BETA, make_si("DELIVER", ALPHA, quantity=77))  # BETA's own
        ids = [si.si_id for si in book.enquire(ALPHA, SiFilter())]
        assert ids == [a.si_id, b.si_id]
        assert [si.si_id for si in book.enquire(ALPHA, SiFilter(status="CANCELLED"))] == [c.si_id]
        assert [si.si_id for si in book.enquire(ALPHA, SiFilter(status="MATCHED"))] == [a.si_id]
        assert [si.si_id for si in book.enquire(ALPHA, SiFilter(stock_code="00005"))] == [b.si_id]
        assert [si.si_id for si in book.enquire(ALPHA, SiFilter(settlement_date=tomorrow))] == [b.si_id]
        assert [si.si_id for si in book.enquire(ALPHA, SiFilter(counterparty_id=GAMMA))] == [b.si_id]
        assert [si.si_id for si in book.enquire(ALPHA, SiFilter(own_reference="R1"))] == [a.si_id]
        assert [si.si_id for si in book.enquire(ALPHA, SiFilter(side="RECEIVE"))] == [b.si_id]
        assert book.enquire(GAMMA, SiFilter()) == []


class TestUnmatchedReasons:
    def test_no_counter_instruction_is_cmis(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        sim.si_book.input_si(GAMMA, make_si("RECEIVE", ALPHA))  # wrong counterparty: not a candidate
        report = sim.si_book.unmatched_reasons(ALPHA, si.si_id)
        assert (report.si_id, report.status, report.reason_code, report.candidates) == (
            si.si_id,
            "UNMATCHED",
            "CMIS",
            (),
        )

    def test_closest_candidates_first_with_field_codes(self, sim: Simulation, make_si: MakeSi) -> None:
        book = sim.si_book
        si = book.input_si(ALPHA, make_si(**dvp("100")))
        tomorrow = next_business_day(sim)
        book.input_si(BETA, make_si("DELIVER", ALPHA, stock_code="00005", **dvp("100")))  # DELN, DSEC
        book.input_si(BETA, make_si("RECEIVE", ALPHA, quantity=900, **dvp("100")))  # DQUA
        book.input_si(BETA, make_si("RECEIVE", ALPHA, settlement_date=tomorrow))  # DDAT FRAP DMON NCRR
        book.input_si(BETA, make_si("RECEIVE", ALPHA, quantity=5, **dvp("99", "USD")))  # DQUA DMON NCRR
        report = book.unmatched_reasons(ALPHA, si.si_id)
        assert report.reason_code == "DQUA"
        codes = [[d.code for d in c.differences] for c in report.candidates]
        assert codes == [["DQUA"], ["DELN", "DSEC"], ["DQUA", "DMON", "NCRR"]]
        first = report.candidates[0].differences[0]
        assert (first.field, first.own_value, first.counterparty_value) == ("quantity", "1000", "900")
        dates = book.input_si(ALPHA, make_si(quantity=4, settlement_date=date(2027, 4, 8)))
        late = book.input_si(BETA, make_si("RECEIVE", ALPHA, quantity=4, settlement_date=tomorrow))
        report = book.unmatched_reasons(BETA, late.si_id)
        assert report.candidates[0].differences[0].own_value == tomorrow.isoformat()
        assert dates.si_id not in repr(report)  # privacy: no counterparty ids
        diff = book.unmatched_reasons(ALPHA, si.si_id).candidates
        assert all("own_reference" not in repr(c) for c in diff)

    def test_payment_type_difference(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si(**dvp("5")))
        sim.si_book.input_si(
            BETA, make_si("RECEIVE", ALPHA, payment_type="RDP", amount=Decimal(5), currency="HKD")
        )
        assert sim.si_book.unmatched_reasons(ALPHA, si.si_id).reason_code == "FRAP"

    def test_matched_si_conflicts(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, _ = matched_pair()
        assert error_of(sim.si_book.unmatched_reasons, ALPHA, deliver.si_id).code == "SI_STATE_CONFLICT"


class TestDeletedToday:
    def test_cancelled_revoked_and_purged_today_only(
        self, sim: Simulation, make_si: MakeSi, matched_pair: PairFn
    ) -> None:
        book = sim.si_book
        cancelled = book.input_si(ALPHA, make_si(quantity=1))
        book.cancel_si(ALPHA, cancelled.si_id)
        deliver, receive = matched_pair()
        book.revoke(ALPHA, deliver.si_id)
        book.revoke(BETA, receive.si_id)
        book.input_si(ALPHA, make_si(quantity=2))  # unmatched, still live
        assert [si.si_id for si in book.deleted_today(ALPHA)] == [cancelled.si_id, deliver.si_id]
        assert [si.si_id for si in book.deleted_today(BETA)] == [receive.si_id]
        sim.advance_to(datetime(2027, 4, 7, 9, 0, tzinfo=HKT))
        assert book.deleted_today(ALPHA) == []

    def test_purged_at_day_end_is_deleted_that_day(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        sim.advance_to(sim.clock.now.replace(hour=23, minute=59, second=30))
        purged = sim.si_book.deleted_today(ALPHA)
        assert [p.si_id for p in purged] == [si.si_id]
        assert purged[0].status == "PURGED"
        assert purged[0].deleted_at == datetime(2027, 4, 6, 23, 59, tzinfo=HKT)
        assert sim.clock.now - purged[0].deleted_at < timedelta(minutes=1)
