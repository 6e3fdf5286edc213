"""Input SI, Change SI and Cancel SI: validation, immediate matching and the matching index."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ccass_helpers import ALPHA, BETA, DELTA, GAMMA, MakeSi, dvp, next_business_day

from ocp_conformance.simulator.ccass import DomainError, SiInput, Simulation

SAT = date(2027, 4, 10)


def rejection(sim: Simulation, si: SiInput, owner: str = ALPHA) -> DomainError:
    with pytest.raises(DomainError) as info:
        sim.si_book.input_si(owner, si)
    assert len(sim.si_book) == 0, "a rejected SI must not be stored"
    return info.value


class TestValidation:
    @pytest.mark.parametrize(
        ("overrides", "code", "pointer"),
        [
            ({"counterparty_id": "B99999"}, "COUNTERPARTY_UNKNOWN", "/counterpartyId"),
            ({"counterparty_id": ALPHA}, "COUNTERPARTY_IS_SELF", "/counterpartyId"),
            ({"stock_code": "99999"}, "STOCK_UNKNOWN", "/stockCode"),
            ({"stock_account": "55"}, "STOCK_ACCOUNT_UNKNOWN", "/stockAccount"),
            ({"quantity": 0}, "QUANTITY_INVALID", "/quantity"),
            ({"quantity": -5}, "QUANTITY_INVALID", "/quantity"),
            ({"quantity": True}, "QUANTITY_INVALID", "/quantity"),
            ({"settlement_date": date(2027, 4, 2)}, "SETTLEMENT_DATE_IN_PAST", "/settlementDate"),
            ({"settlement_date": SAT}, "SETTLEMENT_DATE_NOT_BUSINESS_DAY", "/settlementDate"),
            ({"settlement_date": date(2027, 5, 13)}, "SETTLEMENT_DATE_NOT_BUSINESS_DAY", "/settlementDate"),
            ({"payment_type": "DVP"}, "AMOUNT_REQUIRED", "/amount"),
            ({"payment_type": "RDP", "amount": Decimal(10)}, "AMOUNT_REQUIRED", "/amount"),
            ({"payment_type": "DVP", "currency": "HKD"}, "AMOUNT_REQUIRED", "/amount"),
            ({"amount": Decimal(10)}, "AMOUNT_NOT_ALLOWED", "/amount"),
            ({"currency": "HKD"}, "AMOUNT_NOT_ALLOWED", "/amount"),
            (dvp("0"), "AMOUNT_INVALID", "/amount"),
            (dvp("NaN"), "AMOUNT_INVALID", "/amount"),
            (dvp(currency="EUR"), "CURRENCY_UNSUPPORTED", "/currency"),
            ({"side": "SELL"}, "FIELD_INVALID", "/side"),
            ({"payment_type": "CASH"}, "FIELD_INVALID", "/paymentType"),
            ({"payment_type": "DVP", "amount": 10.5, "currency": "HKD"}, "FIELD_INVALID", "/amount"),
            ({"settlement_date": "2027-04-06"}, "FIELD_INVALID", "/settlementDate"),
            ({"hold": "yes"}, "FIELD_INVALID", "/hold"),
        ],
    )
    def test_rejections(
        self, sim: Simulation, make_si: MakeSi, overrides: dict[str, Any], code: str, pointer: str
    ) -> None:
        error = rejection(sim, make_si(**overrides))
        assert (error.code, error.pointer, error.status) == (code, pointer, 422)
        assert "Received" in error.message and "Expected" in error.message

    def test_unknown_owner(self, sim: Simulation, make_si: MakeSi) -> None:
        assert rejection(sim, make_si(), owner="Z00000").code == "PARTICIPANT_UNKNOWN"

    def test_stock_code_hint_for_missing_leading_zeros(self, sim: Simulation, make_si: MakeSi) -> None:
        assert "'00700'" in rejection(sim, make_si(stock_code="700")).message

    def test_non_business_day_suggests_next(self, sim: Simulation, make_si: MakeSi) -> None:
        assert "2027-04-12" in rejection(sim, make_si(settlement_date=SAT)).message

    @pytest.mark.parametrize(
        "payment", [dvp(), dvp(currency="CNY"), {**dvp(currency="USD"), "payment_type": "RDP"}]
    )
    def test_valid_against_payment(self, sim: Simulation, make_si: MakeSi, payment: dict[str, Any]) -> None:
        si = sim.si_book.input_si(ALPHA, make_si(**payment))
        assert si.status == "UNMATCHED"


class TestInput:
    def test_creates_unmatched_si_with_sequential_ids(self, sim: Simulation, make_si: MakeSi) -> None:
        first = sim.si_book.input_si(ALPHA, make_si(own_reference="REF-1", narrative="custody move"))
        second = sim.si_book.input_si(ALPHA, make_si(quantity=2))
        assert (first.si_id, second.si_id) == ("SI0000000001", "SI0000000002")
        assert first.owner == ALPHA and first.status == "UNMATCHED" and first.match_id is None
        assert first.created_at == first.updated_at == sim.clock.now
        assert (first.deliverer, first.receiver) == (ALPHA, BETA)
        assert (first.own_reference, first.narrative, first.stock_account) == ("REF-1", "custody move", "01")
        assert len(sim.si_book) == 2

    def test_returned_si_is_a_copy(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        si.quantity = 5
        assert sim.si_book.get(ALPHA, si.si_id).quantity == 1_000

    def test_matching_pair_matches_immediately(self, sim: Simulation, make_si: MakeSi) -> None:
        deliver = sim.si_book.input_si(ALPHA, make_si("DELIVER", BETA, **dvp("100.00")))
        receive = sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA, **dvp("100")))  # same value
        deliver = sim.si_book.get(ALPHA, deliver.si_id)
        assert deliver.status == receive.status == "MATCHED"
        assert deliver.match_id == receive.match_id == "M0000000001"
        assert deliver.matched_at == receive.matched_at == sim.clock.now
        assert (receive.deliverer, receive.receiver) == (ALPHA, BETA)

    def test_not_matched_on_references_accounts_narrative_or_batch_flag(
        self, sim: Simulation, make_si: MakeSi
    ) -> None:
        sim.si_book.input_si(ALPHA, make_si(own_reference="A", stock_account="02", narrative="x"))
        receive = sim.si_book.input_si(
            BETA, make_si("RECEIVE", ALPHA, own_reference="B", stock_account="80", exclude_from_batch=True)
        )
        assert receive.status == "MATCHED"

    @pytest.mark.parametrize(
        "different",
        [
            {"quantity": 999},
            {"stock_code": "00005"},
            {"settlement_date": date(2027, 4, 7)},
            {"payment_type": "DVP", "amount": Decimal(1), "currency": "HKD"},
            {"side": "DELIVER"},
        ],
    )
    def test_any_matching_field_difference_prevents_match(
        self, sim: Simulation, make_si: MakeSi, different: dict[str, Any]
    ) -> None:
        sim.si_book.input_si(ALPHA, make_si())
        fields = {"side": "RECEIVE", "counterparty_id": ALPHA, **different}
        other = sim.si_book.input_si(BETA, make_si(**fields))
        assert other.status == "UNMATCHED"

    def test_amount_and_currency_must_agree(self, sim: Simulation, make_si: MakeSi) -> None:
        sim.si_book.input_si(ALPHA, make_si(**dvp("100")))
        assert sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA, **dvp("100.01"))).status == "UNMATCHED"
        assert (
            sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA, **dvp("100", "USD"))).status == "UNMATCHED"
        )

    def test_third_party_si_does_not_match(self, sim: Simulation, make_si: MakeSi) -> None:
        sim.si_book.input_si(ALPHA, make_si())
        assert sim.si_book.input_si(GAMMA, make_si("RECEIVE", ALPHA)).status == "UNMATCHED"
        assert sim.si_book.input_si(BETA, make_si("RECEIVE", DELTA)).status == "UNMATCHED"

    def test_oldest_counterpart_matches_first(self, sim: Simulation, make_si: MakeSi) -> None:
        first = sim.si_book.input_si(ALPHA, make_si())
        second = sim.si_book.input_si(ALPHA, make_si())
        sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA))
        assert sim.si_book.get(ALPHA, first.si_id).status == "MATCHED"
        assert sim.si_book.get(ALPHA, second.si_id).status == "UNMATCHED"
        sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA))
        assert sim.si_book.get(ALPHA, second.si_id).match_id == "M0000000002"

    @pytest.mark.parametrize(("deliver_hold", "receive_hold"), [(True, False), (False, True), (True, True)])
    def test_hold_flag_on_either_side_matches_on_hold(
        self, sim: Simulation, make_si: MakeSi, deliver_hold: bool, receive_hold: bool
    ) -> None:
        sim.si_book.input_si(ALPHA, make_si(hold=deliver_hold))
        receive = sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA, hold=receive_hold))
        assert receive.status == "MATCHED_ON_HOLD"


class TestChange:
    def test_change_fixes_difference_and_matches(self, sim: Simulation, make_si: MakeSi) -> None:
        deliver = sim.si_book.input_si(ALPHA, make_si(quantity=999))
        sim.clock.advance_to(sim.clock.now + timedelta(minutes=5))
        sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA))
        changed = sim.si_book.change_si(ALPHA, deliver.si_id, {"quantity": 1_000, "own_reference": "fixed"})
        assert changed.status == "MATCHED" and changed.own_reference == "fixed"
        assert changed.updated_at == sim.clock.now > changed.created_at

    def test_change_away_from_counterpart_leaves_it_unmatched(self, sim: Simulation, make_si: MakeSi) -> None:
        deliver = sim.si_book.input_si(ALPHA, make_si())
        sim.si_book.change_si(ALPHA, deliver.si_id, {"quantity": 5})
        receive = sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA))
        assert receive.status == "UNMATCHED"
        again = sim.si_book.change_si(ALPHA, deliver.si_id, {"quantity": 1_000})
        assert again.status == "MATCHED"

    def test_change_of_counterparty_and_side(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        sim.si_book.input_si(GAMMA, make_si("DELIVER", ALPHA))
        changed = sim.si_book.change_si(ALPHA, si.si_id, {"counterparty_id": GAMMA, "side": "RECEIVE"})
        assert changed.status == "MATCHED" and (changed.deliverer, changed.receiver) == (GAMMA, ALPHA)

    def test_change_revalidates_and_keeps_si_on_failure(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        with pytest.raises(DomainError) as info:
            sim.si_book.change_si(ALPHA, si.si_id, {"settlement_date": SAT})
        assert info.value.code == "SETTLEMENT_DATE_NOT_BUSINESS_DAY"
        assert sim.si_book.get(ALPHA, si.si_id).settlement_date == sim.clock.today
        # still indexed under the old values
        assert sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA)).status == "MATCHED"

    def test_unknown_field(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        with pytest.raises(DomainError) as info:
            sim.si_book.change_si(ALPHA, si.si_id, {"settlementDate": next_business_day(sim)})
        assert info.value.code == "FIELD_UNKNOWN" and "'settlement_date'" in info.value.message

    def test_change_of_matched_si_conflicts(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA))
        with pytest.raises(DomainError) as info:
            sim.si_book.change_si(ALPHA, si.si_id, {"quantity": 1})
        assert (info.value.code, info.value.status) == ("SI_STATE_CONFLICT", 409)


class TestCancel:
    def test_cancel_unmatched(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        cancelled = sim.si_book.cancel_si(ALPHA, si.si_id)
        assert cancelled.status == "CANCELLED" and cancelled.deleted_at == sim.clock.now
        # a cancelled SI is out of the matching index
        assert sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA)).status == "UNMATCHED"

    def test_cancel_twice_or_matched_conflicts(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        sim.si_book.cancel_si(ALPHA, si.si_id)
        with pytest.raises(DomainError, match="CANCELLED") as info:
            sim.si_book.cancel_si(ALPHA, si.si_id)
        assert info.value.code == "SI_STATE_CONFLICT"
        matched = sim.si_book.input_si(ALPHA, make_si())
        sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA))
        with pytest.raises(DomainError):
            sim.si_book.cancel_si(ALPHA, matched.si_id)

    def test_cancel_someone_elses_si_is_not_found(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        with pytest.raises(DomainError) as info:
            sim.si_book.cancel_si(BETA, si.si_id)
        assert (info.value.code, info.value.status) == ("SI_NOT_FOUND", 404)
        assert sim.si_book.get(ALPHA, si.si_id).status == "UNMATCHED"
