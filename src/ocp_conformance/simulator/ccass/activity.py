"""Settlement activity of a business date: what settled for a participant, and the batch runs' results.

The items come from the ledger's stock journal and money journal, not from any one book, so every instruction
type that settles through the ledger (SI, ISI, ATI, STI, and DI once it exists) is listed with no change here.
Batch runs are the runs the :class:`~.simulation.Simulation` performed that day, seen from the participant:
its own SIs (and ISIs) settled in the run, and its own SIs the run could not settle, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from .isi import IsiBatchRun, IsiBook
from .ledger import Ledger
from .settlement import SettlementRun
from .si_book import SiBook, SiFilter
from .statements import SourceIds, source_type

__all__ = ["NOT_SETTLEMENT_KINDS", "ActivityItem", "BatchRunRecord", "RunResult", "SettlementActivity",
           "SettlementActivityReader"]

# Journal kinds that are not settlement of an instruction (the simulator's own seeding and withdrawals).
NOT_SETTLEMENT_KINDS: Final = frozenset({"DEPOSIT", "WITHDRAWAL"})


@dataclass(frozen=True, slots=True)
class BatchRunRecord:
    """One batch settlement run as the simulation performed it: the SI part and the ISI retries."""

    si_run: SettlementRun
    isi_run: IsiBatchRun


@dataclass(frozen=True, slots=True)
class RunResult:
    """A batch run as one participant sees it.

    Attributes:
        run_id: e.g. ``"R00000001"``.
        at: when it ran.
        settled: the participant's own SI and ISI ids settled by the run.
        failed: ``(instruction id, reason)`` of the participant's own instructions the run could not settle.
    """

    run_id: str
    at: datetime
    settled: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ActivityItem:
    """One settlement: a stock movement of the participant, with the money that moved with it, if any.

    ``amount`` is signed from the participant's side (credit positive), ``None`` with ``currency`` when the
    instruction moved no money (FOP, ATI, a DVP STI between two segregated accounts).
    """

    movement_id: int
    at: datetime
    source_type: str
    source_id: str | None
    stock_account: str
    stock_code: str
    quantity: int
    amount: Decimal | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class SettlementActivity:
    """Answer to Enquire Settlement Activity for one participant and business date."""

    business_date: date
    batch_runs: tuple[RunResult, ...]
    items: tuple[ActivityItem, ...]


class SettlementActivityReader:
    """Builds :class:`SettlementActivity` from the ledger's journals, the run history and the books' ids.

    Args:
        ledger: stock and money journals.
        runs: the batch run history (the simulation appends to it).
        si_book: to name the participant's own SIs in run results.
        isi_book: to name the participant's own ISIs in run results.
        source_ids: per journal kind, reference -> the participant's own instruction id.
    """

    def __init__(self, ledger: Ledger, runs: Sequence[BatchRunRecord], si_book: SiBook, isi_book: IsiBook,
                 source_ids: dict[str, SourceIds]) -> None:
        self._ledger = ledger
        self._runs = runs
        self._si_book = si_book
        self._isi_book = isi_book
        self._source_ids = source_ids

    def read(self, participant: str, business_date: date, *,
             date_of: Callable[[datetime], date] = datetime.date) -> SettlementActivity:
        """The activity of ``participant`` on ``business_date`` (``date_of`` maps a time to its business date)."""
        return SettlementActivity(business_date, tuple(self._run_results(participant, business_date, date_of)),
                                  tuple(self._items(participant, business_date, date_of)))

    def _items(self, participant: str, day: date, date_of: Callable[[datetime], date]) -> list[ActivityItem]:
        money: dict[tuple[str, str | None], tuple[Decimal, str]] = {}
        for posting in self._ledger.money_ledger.postings(participant):
            if posting.at is not None and date_of(posting.at) == day:
                key = (posting.kind, posting.reference)
                previous = money.get(key)
                money[key] = (posting.amount + (previous[0] if previous else Decimal(0)), posting.currency)
        resolved: dict[str, dict[str, str]] = {}
        items = []
        for line in self._ledger.movements(participant):
            if line.at is None or line.kind in NOT_SETTLEMENT_KINDS or date_of(line.at) != day:
                continue
            # The money of an instruction goes with its first stock line only (an ATI has two lines, no money).
            amount, currency = money.pop((line.kind, line.reference), (None, None))
            items.append(ActivityItem(line.seq, line.at, source_type(line.kind),
                                      self._own_id(participant, line.kind, line.reference, resolved),
                                      line.account, line.stock, line.quantity, amount, currency))
        return items

    def _own_id(self, participant: str, kind: str, reference: str | None,
                resolved: dict[str, dict[str, str]]) -> str | None:
        resolver = self._source_ids.get(kind)
        if resolver is None or reference is None:
            return reference
        if kind not in resolved:
            resolved[kind] = dict(resolver(participant))
        return resolved[kind].get(reference, reference)

    def _run_results(self, participant: str, day: date, date_of: Callable[[datetime], date]) -> list[RunResult]:
        todays = [run for run in self._runs if date_of(run.si_run.at) == day]
        if not todays:
            return []
        own_sis = {si.match_id: si.si_id for si in self._si_book.enquire(participant, SiFilter())
                   if si.match_id is not None}
        own_isis = {isi.isi_id for isi in self._isi_book.enquire(participant)}
        results = []
        for run in todays:
            settled = [own_sis[m] for m in run.si_run.settled if m in own_sis]
            settled += [i for i in run.isi_run.settled if i in own_isis]
            failed = [(own_sis[m], reason) for m, reason in run.si_run.failed if m in own_sis]
            failed += [(i, reason) for i, reason in run.isi_run.failed if i in own_isis]
            results.append(RunResult(run.si_run.run_id, run.si_run.at, tuple(settled), tuple(failed)))
        return results
