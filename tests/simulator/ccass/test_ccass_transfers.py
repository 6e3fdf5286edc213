"""ATI (at once) and STI (pending until a batch, revocable) between a participant's own accounts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ocp_conformance.simulator.ccass import DomainError, Simulation
from ocp_conformance.simulator.ccass.calendar import TradingCalendar
from ocp_conformance.simulator.ccass.clock import BusinessClock
from ocp_conformance.simulator.ccass.ledger import Ledger
from ocp_conformance.simulator.ccass.reference import Participant, ReferenceData, Stock
from ocp_conformance.simulator.ccass.simulation import DEFAULT_START
from ocp_conformance.simulator.ccass.transfers import SpsaPolicy, TransferBook

ALPHA, BETA = "B01234", "B05678"


@pytest.fixture
def sim() -> Simulation:
    return Simulation()


@pytest.fixture
def book(sim: Simulation) -> TransferBook:
    return TransferBook(sim.reference, sim.ledger, sim.clock)


def spsa_book(policy: SpsaPolicy | None = None) -> TransferBook:
    reference = ReferenceData(
        [Participant(ALPHA, "Alpha", "BROKER", ("01", "02", "80", "81"))], [Stock("00700", "Tencent", "HKMK")]
    )
    ledger = Ledger()
    for account in ("01", "02", "80", "81"):
        ledger.deposit(ALPHA, account, "00700", 1_000)
    clock = BusinessClock(TradingCalendar(), DEFAULT_START)
    if policy is None:
        return TransferBook(reference, ledger, clock)
    return TransferBook(reference, ledger, clock, spsa_policy=policy)


def rejected(call: object, *args: object) -> DomainError:
    assert callable(call)
    with pytest.raises(DomainError) as caught:
        call(*args)
    return caught.value


class TestAti:
    def test_settles_at_once(self, sim: Simulation, book: TransferBook) -> None:
        ati = book.input_ati(ALPHA, "01", "02", "00700", 500, reference="MY-REF")
        assert (ati.ati_id, ati.status, ati.reason, ati.created_at) == ("ATI0000000001", "SETTLED", None, sim.clock.now)
        assert sim.ledger.holding(ALPHA, "01", "00700") == 999_500
        assert sim.ledger.holding(ALPHA, "02", "00700") == 10_500
        ati_lines = [m for m in sim.ledger.movements(ALPHA) if m.kind == "ATI"]
        assert [(m.account, m.quantity, m.reference, m.at) for m in ati_lines] == [
            ("01", -500, "ATI0000000001", sim.clock.now),
            ("02", 500, "ATI0000000001", sim.clock.now),
        ]
        assert book.input_ati(ALPHA, "02", "01", "00700", 1).ati_id == "ATI0000000002"

    @pytest.mark.parametrize(
        ("args", "code", "status", "pointer"),
        [
            (("01", "01", "00700", 5), "ACCOUNT_SAME", 422, "/toAccount"),
            (("03", "02", "00700", 5), "STOCK_ACCOUNT_UNKNOWN", 422, "/fromAccount"),
            (("01", "07", "00700", 5), "STOCK_ACCOUNT_UNKNOWN", 422, "/toAccount"),
            (("01", "02", "00701", 5), "STOCK_UNKNOWN", 422, "/stockCode"),
            (("01", "02", "00700", 0), "QUANTITY_INVALID", 422, "/quantity"),
            (("01", "02", "00700", -3), "QUANTITY_INVALID", 422, "/quantity"),
            (("01", "02", "00700", True), "QUANTITY_INVALID", 422, "/quantity"),
            (("02", "01", "00700", 10_001), "INSUFFICIENT_BALANCE", 422, "/quantity"),
        ],
    )
    def test_rules(self, sim: Simulation, book: TransferBook, args: tuple[object, ...], code: str, status: int,
                   pointer: str) -> None:
        before = sim.ledger.movements(ALPHA)
        error = rejected(book.input_ati, ALPHA, *args)
        assert (error.code, error.status, error.pointer) == (code, status, pointer)
        assert sim.ledger.movements(ALPHA) == before
        assert book.enquire(ALPHA) == []

    def test_insufficient_message_and_holds(self, sim: Simulation, book: TransferBook) -> None:
        sim.ledger.hold(ALPHA, "02", "00700", 9_000, "H1")
        error = rejected(book.input_ati, ALPHA, "02", "01", "00700", 1_001)
        assert "needed 1001, available 1000" in error.message
        assert book.input_ati(ALPHA, "02", "01", "00700", 1_000).status == "SETTLED"

    def test_unknown_owner_has_no_accounts(self, book: TransferBook) -> None:
        assert rejected(book.input_ati, "B99999", "01", "02", "00700", 1).code == "STOCK_ACCOUNT_UNKNOWN"

    def test_spsa_out_allowed(self, sim: Simulation, book: TransferBook) -> None:
        sim.ledger.deposit(ALPHA, "80", "00700", 100)
        assert book.input_ati(ALPHA, "80", "01", "00700", 100).status == "SETTLED"
        assert book.input_ati(ALPHA, "01", "80", "00700", 100).status == "SETTLED"

    def test_spsa_to_spsa_refused(self) -> None:
        book = spsa_book()
        error = rejected(book.input_ati, ALPHA, "80", "81", "00700", 1)
        assert (error.code, error.status, error.pointer) == ("SPSA_TRANSFER_NOT_ALLOWED", 422, "/toAccount")
        assert book.input_ati(ALPHA, "81", "02", "00700", 1).status == "SETTLED"

    def test_spsa_policy_is_configurable(self) -> None:
        assert spsa_book(SpsaPolicy(allow_spsa_to_spsa=True)).input_ati(ALPHA, "80", "81", "00700", 1)
        strict = spsa_book(SpsaPolicy(allow_into_spsa=False, allow_out_of_spsa=False))
        assert rejected(strict.input_ati, ALPHA, "01", "80", "00700", 1).code == "SPSA_TRANSFER_NOT_ALLOWED"
        assert rejected(strict.input_ati, ALPHA, "80", "01", "00700", 1).code == "SPSA_TRANSFER_NOT_ALLOWED"
        assert strict.input_ati(ALPHA, "01", "02", "00700", 1).status == "SETTLED"
        narrow = spsa_book(SpsaPolicy(spsa_range=(81, 81)))
        assert narrow.input_ati(ALPHA, "80", "81", "00700", 1).status == "SETTLED"

    def test_get_and_enquire_are_private(self, book: TransferBook) -> None:
        ati = book.input_ati(ALPHA, "01", "02", "00700", 1)
        book.input_ati(BETA, "01", "02", "00700", 1)
        assert book.get(ALPHA, ati.ati_id) == ati
        error = rejected(book.get, BETA, ati.ati_id)
        assert (error.code, error.status) == ("ATI_NOT_FOUND", 404)
        assert rejected(book.get, ALPHA, "ATI9999999999").code == "ATI_NOT_FOUND"
        assert [a.owner for a in book.enquire(ALPHA)] == [ALPHA]
        copy_ = book.enquire(ALPHA)[0]
        copy_.quantity = 99
        assert book.get(ALPHA, ati.ati_id).quantity == 1


class TestSti:
    def test_pending_until_settle(self, sim: Simulation, book: TransferBook) -> None:
        sti = book.input_sti(ALPHA, "01", "02", "00700", 500)
        assert (sti.sti_id, sti.status, sti.payment_type, sti.settled_at) == ("STI0000000001", "PENDING", "FOP", None)
        assert sim.ledger.holding(ALPHA, "02", "00700") == 10_000
        sim.clock.advance_to(sim.clock.now + timedelta(hours=1))
        (attempt,) = book.settle_pending()
        assert (attempt.status, attempt.settled_at, attempt.reason) == ("SETTLED", sim.clock.now, None)
        assert sim.ledger.holding(ALPHA, "02", "00700") == 10_500
        assert [m.reference for m in sim.ledger.movements(ALPHA) if m.kind == "STI"] == [sti.sti_id] * 2
        assert book.settle_pending() == []

    def test_lack_stays_pending_then_settles(self, sim: Simulation, book: TransferBook) -> None:
        sti = book.input_sti(ALPHA, "02", "01", "00700", 10_001)
        (attempt,) = book.settle_pending()
        assert attempt.status == "PENDING"
        assert attempt.reason is not None and attempt.reason.startswith("LACK")
        assert book.get_sti(ALPHA, sti.sti_id).reason == attempt.reason
        sim.ledger.deposit(ALPHA, "02", "00700", 1)
        (attempt,) = book.settle_pending()
        assert (attempt.status, attempt.reason) == ("SETTLED", None)

    @pytest.mark.parametrize(
        ("from_account", "to_account", "posted"),
        [("01", "02", Decimal("250.00")), ("80", "01", Decimal("-250.00")), ("02", "80", None)],
    )
    def test_dvp_money_posts_to_the_settlement_sub_ledger_when_settled(
            self, sim: Simulation, book: TransferBook, from_account: str, to_account: str,
            posted: Decimal | None) -> None:
        """Issue 17 correction 9 [F]: DVP STI money settles through CCASS; [M] the participant's side only, a
        credit out of 01, a debit into 01, nothing between two segregated accounts (the statement recipients')."""
        sim.ledger.deposit(ALPHA, from_account, "00700", 5)
        sti = book.input_sti(ALPHA, from_account, to_account, "00700", 5, "DVP", amount=Decimal("250.00"),
                             currency="USD")
        assert sim.ledger.money_ledger.postings(ALPHA) == []  # PENDING: no money yet
        book.settle_pending()
        postings = [(p.market, p.currency, p.sub_ledger, p.amount, p.kind, p.reference)
                    for p in sim.ledger.money_ledger.postings(ALPHA)]
        expected = [] if posted is None else [("HKMK", "USD", "SETTLEMENT", posted, "STI", sti.sti_id)]
        assert postings == expected

    def test_fop_sti_posts_no_money(self, sim: Simulation, book: TransferBook) -> None:
        book.input_sti(ALPHA, "01", "02", "00700", 5)
        book.settle_pending()
        assert sim.ledger.money_ledger.postings(ALPHA) == []

    def test_revoke(self, sim: Simulation, book: TransferBook) -> None:
        sti = book.input_sti(ALPHA, "01", "80", "00700", 5)
        revoked = book.revoke_sti(ALPHA, sti.sti_id)
        assert revoked.status == "REVOKED"
        assert book.settle_pending() == []
        assert sim.ledger.holding(ALPHA, "80", "00700") == 0
        error = rejected(book.revoke_sti, ALPHA, sti.sti_id)
        assert (error.code, error.status) == ("STI_STATE_CONFLICT", 409)

    def test_revoke_after_settlement_refused(self, book: TransferBook) -> None:
        sti = book.input_sti(ALPHA, "01", "02", "00700", 5)
        book.settle_pending()
        assert rejected(book.revoke_sti, ALPHA, sti.sti_id).code == "STI_STATE_CONFLICT"

    def test_privacy(self, book: TransferBook) -> None:
        sti = book.input_sti(ALPHA, "01", "02", "00700", 5)
        for call in (book.revoke_sti, book.get_sti):
            error = rejected(call, BETA, sti.sti_id)
            assert (error.code, error.status) == ("STI_NOT_FOUND", 404)
        assert [s.sti_id for s in book.enquire_sti(ALPHA)] == [sti.sti_id]
        assert book.enquire_sti(BETA) == []

    @pytest.mark.parametrize(
        ("args", "code"),
        [
            (("01", "02", "00700", 5, "RDP"), "PAYMENT_TYPE_UNSUPPORTED"),
            (("01", "02", "00700", 5, "DVP"), "AMOUNT_REQUIRED"),
            (("02", "02", "00700", 5), "ACCOUNT_SAME"),
            (("01", "05", "00700", 5), "STOCK_ACCOUNT_UNKNOWN"),
            (("01", "02", "12345", 5), "STOCK_UNKNOWN"),
            (("01", "02", "00700", 0), "QUANTITY_INVALID"),
        ],
    )
    def test_rules(self, book: TransferBook, args: tuple[object, ...], code: str) -> None:
        assert rejected(book.input_sti, ALPHA, *args).code == code
        assert book.enquire_sti(ALPHA) == []

    def test_spsa_to_spsa_refused(self) -> None:
        assert rejected(spsa_book().input_sti, ALPHA, "80", "81", "00700", 1).code == "SPSA_TRANSFER_NOT_ALLOWED"

