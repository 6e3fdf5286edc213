"""One simulated CCASS market: reference data, ledger, clock and SI book, driven by simulated time."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from .activity import BatchRunRecord, SettlementActivityReader
from .broadcast import BroadcastBoard
from .ca_demo import roll_demo_events, seed_demo_corporate_actions
from .calendar import TradingCalendar
from .clock import HKT, BusinessClock, ClockEvent
from .cns import CnsBook, seed_demo_positions
from .corporate_actions import CorporateActionBook
from .gcp_reference import DEMO_NCP_MAPPINGS, NcpGcpMapping
from .gcp_trades import DEFAULT_TRADES_PER_DAY, TradeFeed
from .isi import IsiBook
from .ledger import Ledger, seed_demo_holdings
from .mass_transfers import MassTransferBook
from .reference import DEMO_ISI_COUNTERPARTIES, ReferenceData, demo_reference_data
from .rules import DEFAULT_RULES, SiRules
from .settlement import SettlementRun
from .si_book import SiBook
from .statements import AccountStatements, SourceIds, isi_pending, si_pending, si_source_ids, sti_pending
from .transfers import TransferBook

__all__ = ["DEFAULT_START", "Simulation"]

# Tuesday after Ching Ming 2027 (Mon 5 Apr is a holiday): a business day in the OCP launch quarter, at the first
# SI matching (10:00: an SI pair input at the start matches when input, as the suites and scenarios expect) and
# before the first batch run (10:30), so a fresh simulation starts with a whole settlement day ahead.
DEFAULT_START: Final = datetime(2027, 4, 6, 10, 0, tzinfo=HKT)


class Simulation:
    """A self-contained CCASS: the entry point for the HTTP simulator and for tests.

    Args:
        reference: participants and stocks; defaults to :func:`demo_reference_data` with demo holdings
            (:func:`seed_demo_holdings`) and the demo investors' ISI counterparty lists
            (:data:`DEMO_ISI_COUNTERPARTIES`) and the demo corporate-action events (:func:`.ca_demo.demo_ca_events`,
        with the rights of the demo rights issue). A reference passed in starts with an empty ledger, no lists
        and no events.
        start: initial simulated time; defaults to :data:`DEFAULT_START`.
        rules: the SI rules (fault profiles change them).
        trades_per_day: records in each GCP's trade feed per business date.
        standing_demo: keep the demo corporate-action events open as the clock moves on, day after day
            (:func:`.ca_demo.roll_demo_events`), as a served simulator must; off, their deadlines pass.

    Example:
        >>> sim = Simulation()
        >>> runs = sim.advance_to(datetime(2027, 4, 6, 12, 30, tzinfo=HKT))
        >>> [run.run_id for run in runs]
        ['R00000001', 'R00000002']
    """

    def __init__(self, *, reference: ReferenceData | None = None, start: datetime | None = None,
                 rules: SiRules = DEFAULT_RULES, trades_per_day: int = DEFAULT_TRADES_PER_DAY,
                 standing_demo: bool = False) -> None:
        seed = reference is None
        self.standing_demo = standing_demo and seed
        reference = reference if reference is not None else demo_reference_data()
        self.ledger = Ledger(markets={code: stock.market for code, stock in reference.stocks.items()})
        if seed:
            seed_demo_holdings(self.ledger, reference)
        self.reference = reference
        self.clock = BusinessClock(TradingCalendar(), start if start is not None else DEFAULT_START)
        self.si_book = SiBook(reference=self.reference, ledger=self.ledger, clock=self.clock, rules=rules)
        self.isi_book = IsiBook(self.reference, self.ledger, self.clock)
        if seed:
            for investor, counterparties in DEMO_ISI_COUNTERPARTIES.items():
                for counterparty in counterparties:
                    self.isi_book.allow_without_affirmation(investor, counterparty)
        self.transfers = TransferBook(self.reference, self.ledger, self.clock)
        self.mass_transfers = MassTransferBook(self.transfers, self.clock)
        self.broadcasts = BroadcastBoard(self.clock)
        self.cns = CnsBook(self.reference, self.ledger, self.clock)
        if seed:
            seed_demo_positions(self.cns)
        self.corporate_actions = CorporateActionBook(self.reference, self.ledger, self.clock)
        """Corporate-action events and participants' instructions on them (what RAP CA uploads act on)."""
        if seed:
            seed_demo_corporate_actions(self.corporate_actions, self.reference, self.clock.calendar)
        if self.standing_demo:  # a later start (a rehearsal's business date) also finds the demo events open
            roll_demo_events(self.corporate_actions, self.clock.calendar, self.clock.today)
        self.ncp_gcp_mappings: tuple[NcpGcpMapping, ...] = DEMO_NCP_MAPPINGS if seed else ()
        """Which GCP clears each NCP's trades (GCP services reference data)."""
        self.trade_feed = TradeFeed(self.reference, self.clock.calendar, self.ncp_gcp_mappings,
                                    settlement_cycles=self.cns.rules.settlement_cycles, trades_per_day=trades_per_day)
        """The Real Time Trade Information of each GCP, revealed as the business clock passes trade times."""
        self.batch_runs: list[BatchRunRecord] = []
        """Every batch run performed, in order (read by Enquire Settlement Activity)."""
        source_ids: dict[str, SourceIds] = {"SI_SETTLEMENT": si_source_ids(self.si_book)}
        self.statements = AccountStatements(
            self.ledger, [si_pending(self.si_book), sti_pending(self.transfers), isi_pending(self.isi_book)],
            source_ids)
        self.activity = SettlementActivityReader(self.ledger, self.batch_runs, self.si_book, self.isi_book,
                                                 source_ids)

    def advance_to(self, when: datetime) -> list[SettlementRun]:
        """Move simulated time to ``when``, processing SI matchings, batch runs and day ends on the way, in order,
        and the RDP pairs (:meth:`_move_clock`) whenever the clock moves.

        The clock stands at each event's time while it is processed, so settled_at and purge times are the
        scheduled times. Returns the batch settlement runs performed.

        Raises:
            ValueError: ``when`` is before the current simulated time.
        """
        events = self.clock.pending_events(when)  # rejects a naive datetime
        if when < self.clock.now:
            self.clock.advance_to(when)  # raises the explanatory ValueError
        runs: list[SettlementRun] = []
        for event in events:
            self._move_clock(event.at)
            run = self._process(event)
            if run is not None:
                runs.append(run)
        self._move_clock(when)
        return runs

    def _move_clock(self, when: datetime) -> None:
        """Move the clock to ``when`` (no scheduled event on the way), stopping at each RDP moment (a payment
        confirmed, a cut-off: :meth:`.SiBook.next_rdp_moment`) before it; each stop and ``when`` are processing
        points of the RDP pairs (:meth:`.SiBook.process_rdp`), so a pair settles at the time its payment is
        confirmed."""
        book, clock = self.si_book, self.clock
        while (moment := book.next_rdp_moment()) is not None and moment < when:
            clock.advance_to(max(moment, clock.now))
            book.process_rdp()
        clock.advance_to(when)
        book.process_rdp()

    def run_batch_settlement(self) -> SettlementRun:
        """Run a batch settlement now (outside the schedule, e.g. on demand from a test): SIs, then the ISIs
        waiting for stock under the same run id, then mass ATI/STI submissions and the STIs pending."""
        run = self.si_book.run_batch_settlement()
        self.batch_runs.append(BatchRunRecord(run, self.isi_book.run_batch(run.run_id)))
        self.mass_transfers.process_all()
        self.transfers.settle_pending()
        self.cns.run_batch(run.run_id)  # after the SIs: automatic CNS delivery takes what stock is left
        return run

    def _process(self, event: ClockEvent) -> SettlementRun | None:
        run = None
        if event.kind == "matching":
            self.si_book.run_matching()
        elif event.kind == "batch_run":
            run = self.run_batch_settlement()
        else:
            self.si_book.on_day_end(event.at.date())
            self.isi_book.on_day_end(event.at.date())
            self.cns.on_day_end(event.at.date())
            if self.standing_demo:
                roll_demo_events(self.corporate_actions, self.clock.calendar, event.at.date())
        self.broadcasts.publish_event(event)  # after processing: the message says the run completed
        return run

    def __repr__(self) -> str:
        return f"Simulation(now={self.clock.now.isoformat()}, sis={len(self.si_book)})"
