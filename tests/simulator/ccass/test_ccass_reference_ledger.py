"""ReferenceData, Ledger and the demo seed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ocp_conformance.simulator.ccass import (
    InsufficientStock,
    Ledger,
    Participant,
    ReferenceData,
    Stock,
    demo_reference_data,
    seed_demo_holdings,
)


class TestReferenceData:
    def test_demo_participants_and_stocks(self) -> None:
        ref = demo_reference_data()
        assert sorted(ref.participants) == ["B01234", "B05678", "B07777", "C00019", "I00001"]
        alpha = ref.participant("B01234")
        assert alpha is not None
        assert (alpha.name, alpha.participant_type, alpha.stock_accounts) == (
            "Alpha Securities",
            "BROKER",
            ("01", "02", "80", "81"),
        )
        custodian = ref.participant("C00019")
        assert custodian is not None and custodian.participant_type == "CUSTODIAN"
        assert sorted(ref.stocks) == ["00001", "00005", "00388", "00700", "02800", "08001", "70001", "90001"]
        assert {code: stock.market for code, stock in ref.stocks.items() if stock.market != "HKMK"} == {
            "70001": "SZMK", "90001": "MAMK"}  # China Connect, Shenzhen and Shanghai

    def test_unknown_lookups_return_none(self) -> None:
        ref = demo_reference_data()
        assert ref.participant("X99999") is None
        assert ref.stock("5") is None

    def test_mappings_are_read_only(self) -> None:
        ref = demo_reference_data()
        with pytest.raises(TypeError):
            ref.participants["X"] = Participant("X", "x", "BROKER", ())  # type: ignore[index]

    def test_duplicates_are_rejected(self) -> None:
        p = Participant("B00001", "P", "BROKER", ("01",))
        with pytest.raises(ValueError, match="Duplicate participant"):
            ReferenceData([p, p], [])
        s = Stock("00001", "S", "HKMK")
        with pytest.raises(ValueError, match="Duplicate stock"):
            ReferenceData([], [s, s])


class TestLedger:
    def test_deposit_and_holding(self) -> None:
        ledger = Ledger()
        assert ledger.holding("B01234", "01", "00005") == 0
        ledger.deposit("B01234", "01", "00005", 100)
        ledger.deposit("B01234", "01", "00005", 50)
        assert ledger.holding("B01234", "01", "00005") == 150

    @pytest.mark.parametrize("quantity", [0, -1])
    def test_deposit_and_move_need_positive_quantity(self, quantity: int) -> None:
        ledger = Ledger()
        with pytest.raises(ValueError):
            ledger.deposit("B01234", "01", "00005", quantity)
        with pytest.raises(ValueError):
            ledger.move(stock="00005", quantity=quantity, source=("B01234", "01"), target=("B05678", "01"))

    def test_move_conserves_and_drops_empty_positions(self) -> None:
        ledger = Ledger()
        ledger.deposit("B01234", "01", "00005", 100)
        ledger.move(stock="00005", quantity=100, source=("B01234", "01"), target=("B05678", "02"))
        assert ledger.holdings_of("B01234") == []
        assert ledger.holdings_of("B05678") == [("02", "00005", 100)]
        assert ledger.total("00005") == 100

    def test_move_short_raises_and_moves_nothing(self) -> None:
        ledger = Ledger()
        ledger.deposit("B01234", "01", "00005", 10)
        with pytest.raises(InsufficientStock) as info:
            ledger.move(stock="00005", quantity=11, source=("B01234", "01"), target=("B05678", "01"))
        assert (info.value.code, info.value.needed, info.value.available, info.value.status) == (
            "INSUFFICIENT_STOCK",
            11,
            10,
            409,
        )
        assert ledger.holding("B01234", "01", "00005") == 10
        assert ledger.holding("B05678", "01", "00005") == 0

    def test_money_positions(self) -> None:
        ledger = Ledger()
        assert ledger.money("B01234", "HKD") == Decimal(0)
        ledger.post_money("B01234", "HKD", Decimal("100.50"))
        ledger.post_money("B01234", "HKD", Decimal("-200"))
        ledger.post_money("B01234", "USD", Decimal("1"))
        assert ledger.money("B01234", "HKD") == Decimal("-99.50")
        assert ledger.money_of("B01234") == {"HKD": Decimal("-99.50"), "USD": Decimal("1")}
        assert ledger.money_of("B05678") == {}

    def test_holdings_are_sorted(self) -> None:
        ledger = Ledger()
        ledger.deposit("B01234", "02", "00700", 1)
        ledger.deposit("B01234", "01", "00700", 2)
        ledger.deposit("B01234", "01", "00005", 3)
        assert ledger.holdings_of("B01234") == [("01", "00005", 3), ("01", "00700", 2), ("02", "00700", 1)]


def test_seed_demo_holdings() -> None:
    ref = demo_reference_data()
    ledger = Ledger()
    seed_demo_holdings(ledger, ref)
    for pid, participant in ref.participants.items():
        for code in ref.stocks:
            assert ledger.holding(pid, "01", code) == 1_000_000
            assert ledger.holding(pid, "02", code) == (10_000 if "02" in participant.stock_accounts else 0)
            assert ledger.holding(pid, "80", code) == 0
    assert ledger.total("00700") == 4 * 1_010_000 + 1_000_000  # four brokers/custodians and the investor
