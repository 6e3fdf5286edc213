"""TransferBook's STI rules added for the API: DVP payment fields, own references and enquiry criteria."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ocp_conformance.simulator.ccass import DomainError, Simulation, TransferBook

ALPHA = "B01234"


@pytest.fixture
def book() -> TransferBook:
    return Simulation().transfers


@pytest.mark.parametrize(
    ("payment", "code", "pointer"),
    [
        ({"payment_type": "FOP", "amount": Decimal(1)}, "AMOUNT_NOT_ALLOWED", "/amount"),
        ({"payment_type": "FOP", "currency": "HKD"}, "AMOUNT_NOT_ALLOWED", "/currency"),
        ({"payment_type": "DVP"}, "AMOUNT_REQUIRED", "/amount"),
        ({"payment_type": "DVP", "amount": Decimal(5)}, "AMOUNT_REQUIRED", "/currency"),
        ({"payment_type": "DVP", "amount": Decimal(0), "currency": "HKD"}, "AMOUNT_INVALID", "/amount"),
        ({"payment_type": "DVP", "amount": Decimal(5), "currency": "EUR"}, "FIELD_INVALID", "/currency"),
        ({"payment_type": "RDP"}, "PAYMENT_TYPE_UNSUPPORTED", "/paymentType"),
    ],
)
def test_payment_rules(book: TransferBook, payment: dict[str, object], code: str, pointer: str) -> None:
    with pytest.raises(DomainError) as caught:
        book.input_sti(ALPHA, "01", "02", "00700", 5, **payment)  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.status, caught.value.pointer) == (code, 422, pointer)
    assert book.enquire_sti(ALPHA) == []


def test_dvp_sti_settles_its_money_through_ccass_and_keeps_its_amount(book: TransferBook) -> None:
    """Issue 17 correction 9: the money of a DVP STI is no longer settled outside CCASS (the old [M])."""
    sti = book.input_sti(ALPHA, "01", "80", "00700", 5, "DVP", amount=Decimal("10.50"), currency="HKD",
                         own_reference="ref-1")
    money_before = book.ledger.money_of(ALPHA).get("HKD", Decimal(0))
    (settled,) = [s for s in book.settle_pending() if s.sti_id == sti.sti_id]
    assert (settled.status, settled.amount, settled.currency, settled.own_reference) == (
        "SETTLED", Decimal("10.50"), "HKD", "ref-1")
    assert book.ledger.money_of(ALPHA)["HKD"] == money_before + Decimal("10.50")


def test_enquiry_criteria_apply_together_and_unknown_ones_are_a_bug(book: TransferBook) -> None:
    first = book.input_sti(ALPHA, "01", "02", "00700", 5, own_reference="a")
    second = book.input_sti(ALPHA, "01", "80", "00700", 5, own_reference="a")
    book.revoke_sti(ALPHA, second.sti_id)
    assert [s.sti_id for s in book.enquire_sti(ALPHA, own_reference="a", status=None)] == [first.sti_id,
                                                                                          second.sti_id]
    assert [s.sti_id for s in book.enquire_sti(ALPHA, own_reference="a", status="REVOKED")] == [second.sti_id]
    assert book.enquire_sti(ALPHA, to_account="02", status="REVOKED") == []
    with pytest.raises(ValueError, match="stock"):
        book.enquire_sti(ALPHA, stock="00700")
