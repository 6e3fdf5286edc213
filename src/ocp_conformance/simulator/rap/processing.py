"""Process a RAP upload in the simulator: validate it, apply its records to the domain, write the result file.

[M] The processing model (the RAP Batch File Specification is not public; see ``contracts/rap/README.md``):

1. The layout is picked by the file type in the file name (``<participantId>_<fileType>_<YYYYMMDD>_<seq>.csv``),
   or, if the name does not follow the pattern, by the header's file type (the validator then reports the bad
   name). An unknown file type rejects the file.
2. The file is validated (:func:`ocp_conformance.rap.validate`) against the simulation: events from the
   corporate-action book (UNKNOWN_EVENT, EVENT_STOCK_MISMATCH), the ledger's available stock
   (QUANTITY_ABOVE_HOLDING) and the sequence numbers already used by the participant for the file type and date
   (DUPLICATE_SEQUENCE).
3. Any file-level error rejects the file whole: nothing is applied, the sequence number stays free.
4. Otherwise each record the validator accepted is applied once, in file order, through the same domain call
   the OCP API uses (Input SI, Input ISI, Input ATI, Input STI, a CA instruction); a :class:`DomainError` rejects
   that record with its code and message. The sequence number is then used.

   The bulk path (the default; ``RapProcessor(bulk=False)`` turns it off) gives the same result faster: the
   validator yields runs of accepted records as blocks of bytes, spooled whole, and an SI block is input with
   :meth:`SiBook.input_rows` (the same ids, statuses and matches as one Input SI per record); a record it does
   not plainly take goes the per-record way, which gives its code and message.
5. ``OUTBOX/<uploaded name>.result.csv`` is written atomically (format in :mod:`.result_writer`).

Before any of it, a file larger than :class:`RapLimits` ``max_bytes`` is rejected unread (FILE_TOO_LARGE), and
reading stops at the first detail record past ``max_records`` (TOO_MANY_RECORDS).

The whole of 2-4 runs under the simulator state's lock, so an upload is atomic with respect to HTTP calls. Memory
stays bounded whatever the file's size: a file-level error can come as late as the trailer, so each record's
outcome (or, if valid, its values) is spooled to a temporary file in file order during validation, and read back
one at a time to apply it and write its result row. What stays in memory: the validator's state (see
:mod:`ocp_conformance.rap.validator`), the first :data:`RECORDS_KEPT` outcomes (for callers such as tests), and
per-code counts.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final, Protocol

from ocp_conformance.rap import CaEvent, Layout, Problem, RecordBlock, RecordResult, load_layouts, validate
from ocp_conformance.rap.collector import collector_paused
from ocp_conformance.simulator.ccass import Appointee, DomainError, IsiInput, SiInput, Simulation, SiRow, Vote
from ocp_conformance.simulator.rap.defects import FAKE_INSTRUCTION_PREFIX, ProcessingDefects
from ocp_conformance.simulator.rap.folders import OUTBOX
from ocp_conformance.simulator.rap.limits import RapLimits
from ocp_conformance.simulator.rap.result_writer import (
    RECORDS_KEPT,
    ProcessingResult,
    RecordOutcome,
    ResultRows,
    write_result,
)

__all__ = ["APPLIERS", "CA_FILE_TYPES", "EVENT_TYPE_MISMATCH", "FILE_REJECTED", "INTERNAL_ERROR", "RECORDS_KEPT",
           "ProcessingResult", "RapProcessor", "RecordOutcome", "SimulationContext", "SimulationHolder", "block_fields"]

logger = logging.getLogger("ocp_conformance.simulator.rap")

CA_FILE_TYPES: Final = frozenset({"ELECTION", "SUBSCRIPTION", "VOTING", "CORPREP", "TENDER"})
"""File types whose records are corporate-action instructions (the file type is the event type)."""
FILE_REJECTED: Final = "FILE_REJECTED"
"""The code of a record that was valid but not applied because the file was rejected whole."""
INTERNAL_ERROR: Final = "INTERNAL_ERROR"
"""The code of a record whose application failed with an unexpected error (logged): the simulator's failure."""
EVENT_TYPE_MISMATCH: Final = "EVENT_TYPE_MISMATCH"
"""The code of a CA record naming an event of another type than the file's (e.g. a VOTING event in ELECTION)."""


class SimulationHolder(Protocol):
    """What the processor needs of the simulator: the current simulation (replaced on reset) and its lock."""

    @property
    def simulation(self) -> Simulation: ...

    @property
    def lock(self) -> threading.RLock: ...


class SimulationContext:
    """The validator's :class:`~ocp_conformance.rap.RecordContext`, answered by a simulation.

    Available stock is the ledger's (holding less holds); an instruction's entitlement on its event is the CA
    book's to check when the record is applied (also QUANTITY_ABOVE_HOLDING).
    """

    def __init__(self, simulation: Simulation) -> None:
        self._simulation = simulation

    def event(self, announcement_id: str) -> CaEvent | None:
        try:
            found = self._simulation.corporate_actions.event(announcement_id)
        except DomainError:
            return None
        return CaEvent(found.announcement_id, found.instructing_stock)

    def available(self, participant: str, account: str, stock: str) -> int:
        return self._simulation.ledger.available(participant, account, stock)


Applier = Callable[[Simulation, str, Mapping[str, Any]], str]
"""Apply one accepted record for a participant; return the id of what it created (or raise DomainError)."""


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _ca(file_type: str, option_field: str | None) -> Applier:
    def apply(sim: Simulation, participant: str, v: Mapping[str, Any]) -> str:
        book = sim.corporate_actions
        event = book.event(str(v["announcementId"]))
        if event.event_type != file_type:
            raise DomainError(EVENT_TYPE_MISMATCH, f"Received announcementId {event.announcement_id}, a "
                              f"{event.event_type} event, in a {file_type} file. Expected a {file_type} event; "
                              f"upload its instructions in a {event.event_type} file.", pointer="/announcementId")
        votes = appointee = None
        if file_type == "VOTING":
            votes = {int(v["resolutionNo"]): Vote(int(v["votesFor"]), int(v["votesAgainst"]),
                                                  int(v["votesAbstain"]))}
        if file_type == "CORPREP":
            appointee = Appointee(str(v["appointeeName"]), str(v["idDocumentNumber"]))
        # [M] a tender line's currency, like a subscription line's amount, is not compared with the event's
        tender_price = _decimal(v.get("tenderPrice")) if file_type == "TENDER" else None
        account, reference = str(v["stockAccount"]), _text(v.get("clientReference"))
        option = _text(v.get(option_field)) if option_field else None
        earlier = _live_instruction(sim, participant, event.announcement_id, account, reference)
        if earlier is not None:  # [M] change by reference: the same reference again replaces the instruction
            return book.change(participant, earlier, quantity=int(v["quantity"]), option=option, votes=votes,
                               appointee=appointee, tender_price=tender_price).instruction_id
        return book.instruct(participant, account, event.announcement_id, str(v["stockCode"]),
                             int(v["quantity"]), option=option, votes=votes, appointee=appointee,
                             client_reference=reference, tender_price=tender_price).instruction_id

    return apply


def _live_instruction(sim: Simulation, participant: str, announcement_id: str, account: str,
                      reference: str | None) -> str | None:
    """The id of ``participant``'s live instruction on the event from ``account`` with ``reference``, if any."""
    if reference is None:
        return None
    return next((i.instruction_id for i in sim.corporate_actions.instructions_of(participant, announcement_id)
                 if i.status == "ACCEPTED" and i.account == account and i.client_reference == reference), None)


def _si(sim: Simulation, participant: str, v: Mapping[str, Any]) -> str:
    si = sim.si_book.input_si(participant, SiInput(
        side=v["side"], counterparty_id=str(v["counterpartyId"]), stock_code=str(v["stockCode"]),
        quantity=int(v["quantity"]), settlement_date=date.fromisoformat(str(v["settlementDate"])),
        payment_type=v["paymentType"], amount=_decimal(v.get("amount")), currency=_text(v.get("currency")),
        stock_account=str(v["stockAccount"]), own_reference=_text(v.get("clientReference"))))
    return si.si_id


def _isi(sim: Simulation, participant: str, v: Mapping[str, Any]) -> str:
    isi = sim.isi_book.input_isi(participant, IsiInput(
        investor_id=str(v["investorId"]), direction=v["direction"], stock_code=str(v["stockCode"]),
        quantity=int(v["quantity"]), payment_type=v["paymentType"], amount=_decimal(v.get("amount")),
        currency=_text(v.get("currency")), with_affirmation=v["withAffirmation"] == "Y",
        own_reference=_text(v.get("clientReference")),
        settlement_date=None if v.get("settlementDate") is None else date.fromisoformat(str(v["settlementDate"])),
        dvp_on_hold_required=v.get("dvpOnHoldRequired") == "Y",
        hold_before_settlement=v.get("holdBeforeSettlement") == "Y"))
    return isi.isi_id


def _ati(sim: Simulation, participant: str, v: Mapping[str, Any]) -> str:
    return sim.transfers.input_ati(participant, str(v["fromAccount"]), str(v["toAccount"]), str(v["stockCode"]),
                                   int(v["quantity"]), _text(v.get("clientReference"))).ati_id


def _sti(sim: Simulation, participant: str, v: Mapping[str, Any]) -> str:
    return sim.transfers.input_sti(participant, str(v["fromAccount"]), str(v["toAccount"]), str(v["stockCode"]),
                                   int(v["quantity"]), str(v["paymentType"]), amount=_decimal(v.get("amount")),
                                   currency=_text(v.get("currency")),
                                   own_reference=_text(v.get("clientReference"))).sti_id


APPLIERS: Final[Mapping[str, Applier]] = {
    "ELECTION": _ca("ELECTION", "electionOption"), "SUBSCRIPTION": _ca("SUBSCRIPTION", "subscriptionKind"),
    "VOTING": _ca("VOTING", None), "CORPREP": _ca("CORPREP", "appointmentType"), "TENDER": _ca("TENDER", None),
    "SI": _si, "ISI": _isi, "ATI": _ati, "STI": _sti,
}
"""How each file type's record becomes a domain call (the same calls the OCP API handlers make)."""


class RapProcessor:
    """Process uploaded RAP files against the simulator's current simulation; usable as ``on_upload``.

    Args:
        state: the simulator state (its ``simulation`` is read at each upload, so a reset is followed).
        layouts: the layouts by file type (default: ``contracts/rap/``).
        log: called with :meth:`ProcessingResult.summary` after each file (e.g. a console printer).
        on_applied: called with (participant, path) under the state lock once a file was applied, before its
            result file is written (``simulate --state`` journals the upload there); if it raises, no result.
        defects: deliberate processing defects (fault profiles); none by default.
        limits: caps on one upload's bytes and records, and on the errors listed per code (settable).
        bulk: the bulk path (default), or one record at a time (``False``; same results, slower).

    Example:
        >>> processor = RapProcessor(SimulatorState())
        >>> processor.process("B01234", inbox / "B01234_ELECTION_20270406_001.csv").status
        'ACCEPTED'
    """

    def __init__(self, state: SimulationHolder, layouts: Mapping[str, Layout] | None = None, *,
                 log: Callable[[str], None] | None = None, defects: ProcessingDefects | None = None,
                 on_applied: Callable[[str, Path], None] | None = None, limits: RapLimits | None = None,
                 bulk: bool = True) -> None:
        self._state = state
        self.bulk = bulk
        """Validate in blocks and input SI records in bulk (:meth:`SiBook.input_rows`); ``False``: one record at a
        time through the same domain call as the API. Both give the same result (tests compare them)."""
        self.limits = limits if limits is not None else RapLimits()
        """The caps applied to each upload (``simulate --rap-max-bytes`` ...); settable."""
        self.defects = defects if defects is not None else ProcessingDefects()
        self._layouts = dict(layouts) if layouts is not None else load_layouts()
        self.log = log
        """Called with each file's summary line (e.g. the console of ``simulate``); settable."""
        self._on_applied = on_applied
        self.observers: list[Callable[[ProcessingResult, Path], None]] = []
        """Called with each file's result and the uploaded file (still in place) once its result file is written,
        whichever transport brought it (a rehearsal keeps what each upload said and did); settable."""
        # per simulation (a reset starts afresh): (participant, file type, YYYYMMDD) -> sequence numbers used
        self._sequences: weakref.WeakKeyDictionary[Simulation, dict[tuple[str, str, str], set[int]]] = (
            weakref.WeakKeyDictionary())

    def __call__(self, participant: str, path: Path) -> None:
        self.process(participant, path)

    def layout(self, file_type: str | None) -> Layout | None:
        """The layout the processor reads files of ``file_type`` with, if it knows that file type."""
        return self._layouts.get(file_type or "")

    def used_sequences(self, participant: str, file_type: str, business_date: str) -> frozenset[int]:
        """Sequence numbers of files of this type and date (YYYYMMDD or YYYY-MM-DD) processed, not rejected."""
        with self._state.lock:
            used = self._sequences.get(self._state.simulation, {})
            return frozenset(used.get((participant, file_type, business_date.replace("-", "")), ()))

    def process(self, participant: str, path: Path) -> ProcessingResult:
        """Validate and apply the file at ``path`` uploaded by ``participant``; write and return the result."""
        limits = self.limits
        result = ProcessingResult(path.name, participant, None, errors_per_code=limits.errors_per_code)
        layout, reason = self._layout(path)
        size = _size(path)
        if layout is None:
            result.add_file_error(Problem("BAD_FILE_NAME", 1, 1, reason, repr(path.name)))
        elif size > limits.max_bytes:  # rejected unread: nothing to apply, nothing to journal
            result.file_type = layout.file_type
            result.add_file_error(Problem("FILE_TOO_LARGE", 1, 1, f"at most {limits.max_bytes:,} bytes per file "
                                          "(simulate --rap-max-bytes)", f"{size:,} bytes; the file was not read"))
        else:
            result.file_type = layout.file_type
            result.rows = ResultRows(limits.errors_per_code)
            with self._state.lock:
                self._process(participant, path, layout, result)
                if self._on_applied is not None and not result.file_errors:
                    # e.g. journal it (simulate --state) before the result is written; a file rejected whole
                    # changed nothing, so its replay would change nothing either
                    self._on_applied(participant, path)
        result.result_file = self._write(path, result)
        if self.log is not None:
            self.log(result.summary())
        for observer in self.observers:
            observer(result, path)
        return result

    # ---------------------------------------------------------------- internals
    def _layout(self, path: Path) -> tuple[Layout | None, str]:
        known = ", ".join(sorted(self._layouts))
        for layout in self._layouts.values():
            parts = layout.parse_file_name(path.name)
            if parts is not None:
                found = self._layouts.get(parts.file_type)
                if found is not None:
                    return found, ""
                return None, f"a file type the simulator knows ({known}) in the file name"
        # the name does not follow the pattern: the header's file type picks the layout, the validator reports
        header = self._first_line(path)
        for layout in self._layouts.values():
            file_type = layout.header.role("file_type")
            fields = header.split(layout.delimiter) if layout.format == "csv" else []
            if file_type is not None and len(fields) > layout.header.index(file_type.name) + 1 \
                    and fields[0] == layout.header.code and fields[layout.header.index(file_type.name) + 1] == \
                    layout.file_type:
                return layout, ""
        example = next(iter(self._layouts.values())).make_file_name(participant="B01234", date="20270406",
                                                                    sequence=1) if self._layouts else ""
        return None, f"a name like {example} naming a known file type ({known})"

    @staticmethod
    def _first_line(path: Path) -> str:
        try:
            with path.open("rb") as stream:
                return stream.readline(4096).decode("ascii", "replace").rstrip("\r\n").removeprefix("\ufeff")
        except OSError:
            return ""

    def _process(self, participant: str, path: Path, layout: Layout, result: ProcessingResult) -> None:
        simulation = self._state.simulation
        used = self._sequences.setdefault(simulation, {})
        parts = layout.parse_file_name(path.name)
        key = (participant, layout.file_type, parts.date) if parts is not None else None
        with tempfile.TemporaryFile() as spool:
            with path.open("rb", buffering=1 << 20) as stream:
                validation = validate(stream, layout, SimulationContext(simulation), file_name=path.name,
                                      participant=participant, seen_sequences=used.get(key, ()) if key else (),
                                      blocks=self.bulk)
                self._spool(validation, layout, result, spool)
            spool.seek(0)
            apply = None if result.file_errors else APPLIERS.get(layout.file_type)
            # Applying makes thousands of long-lived, acyclic objects (SIs, index entries, instructions): the collector
            # is paused for all of it, not per block, so records spooled one at a time (CA files, whose records the
            # validator checks one by one against their event; bulk=False) are paused too: 50,000 SI records one at a
            # time took 1.92 s paused against 2.11 s (best of 3 each). The record cap bounds what the pause holds back.
            with collector_paused():
                for entry in _spooled(spool):
                    if entry[0] == _BLOCK:
                        self._apply_block(apply, simulation, participant, layout, entry[1], entry[2], result)
                        continue
                    if entry[0] == _DONE:
                        outcome = RecordOutcome(*entry[1:])
                    elif result.file_errors:
                        outcome = RecordOutcome(entry[1], _reference(layout, entry[2]), False, code=FILE_REJECTED,
                                                reason="valid, but not applied: the file was rejected whole (see its "
                                                       "E lines)")
                    else:
                        outcome = self._apply(apply, simulation, participant, layout, entry[1], entry[2])
                    self._add(result, layout, outcome)
        if not result.file_errors and key is not None and validation.summary.sequence is not None \
                and layout.file_type not in self.defects.sequences_forgotten:
            used.setdefault(key, set()).add(validation.summary.sequence)

    def _spool(self, validation: Iterable[RecordResult | Problem | RecordBlock], layout: Layout,
               result: ProcessingResult, spool: IO[bytes]) -> None:
        """Validate, writing each record's outcome (or, if valid, its values; or a block of valid records' bytes)
        to ``spool`` in file order."""
        file_type, defects, most = layout.file_type, self.defects, self.limits.max_records
        summary = getattr(validation, "summary", None)
        for item in validation:
            if summary is not None and summary.details > most:
                if isinstance(item, RecordBlock):  # its records up to the cap are spooled, as one by one
                    keep = most - (summary.details - item.lines)
                    if keep > 0:
                        _spool_block(spool, item.first_line, _first_lines(item.data, keep))
                    line = item.first_line + keep
                else:
                    line = item.line
                result.add_file_error(Problem("TOO_MANY_RECORDS", line, 1, f"at most {most:,} detail records per "
                                              "file (simulate --rap-max-records)", f"record {most + 1:,} on line "
                                              f"{line:,}; the rest of the file was not read"))
                return
            if isinstance(item, RecordBlock):
                _spool_block(spool, item.first_line, item.data)
                continue
            # the level decides, not what carries the problem: a detail line with a file-level problem
            # (BAD_ENCODING, LINE_ENDINGS) rejects the file; a stray line (RECORD_TYPE) only itself
            if isinstance(item, Problem):
                if item.level == "file":
                    if not defects.ignores_file_code(file_type, item.code):
                        result.add_file_error(item)
                else:
                    _done(spool, RecordOutcome(item.line, None, False, code=defects.code(file_type, item.code),
                                               reason=_reason((item,))))
                continue
            for problem in item.problems:
                if problem.level == "file" and not defects.ignores_file_code(file_type, problem.code):
                    result.add_file_error(problem)
            if not item.accepted and defects.ignores_record_codes(file_type, [p.code for p in item.problems]):
                _done(spool, _fake_accepted(item.line, _reference(layout, item.values)))
            elif item.accepted:
                marshal.dump((_PENDING, item.line, item.values or {}), spool)
            else:
                _done(spool, _rejected(layout, item, defects))

    def _add(self, result: ProcessingResult, layout: Layout, outcome: RecordOutcome) -> None:
        if outcome.accepted or layout.file_type not in self.defects.rejected_omitted:
            result.add(outcome)

    def _apply_block(self, apply: Applier | None, simulation: Simulation, participant: str, layout: Layout,
                     first_line: int, data: bytes, result: ProcessingResult) -> None:
        """Apply (or, if the file was rejected, report) a spooled block of accepted records, in file order."""
        fields = block_fields(layout, data)
        width = len(layout.detail.fields) + 1
        count = len(fields) // width
        if result.file_errors:
            for k in range(count):
                self._add(result, layout, RecordOutcome(
                    first_line + k, _reference(layout, _block_values(layout, fields, k)), False, code=FILE_REJECTED,
                    reason="valid, but not applied: the file was rejected whole (see its E lines)"))
            return
        rows = None
        defects = self.defects
        if apply is _si and layout.file_type not in defects.not_applied | defects.applied_twice:
            rows = _si_rows(layout, fields, count)
        if rows is None:
            for k in range(count):
                self._add(result, layout, self._apply(apply, simulation, participant, layout, first_line + k,
                                                      _block_values(layout, fields, k)))
            return
        references = [reference or None for reference in _column(layout, fields, "clientReference", count)]
        book, done = simulation.si_book, 0
        while done < count:
            ids = book.input_rows(participant, rows, done)
            if ids:
                result.add_accepted(first_line + done, references[done:done + len(ids)], ids)
                done += len(ids)
            if done < count:  # a row the bulk path does not take: the API's way, which says why if it is wrong
                self._add(result, layout, self._apply(apply, simulation, participant, layout, first_line + done,
                                                      _block_values(layout, fields, done)))
                done += 1

    def _apply(self, apply: Applier | None, simulation: Simulation, participant: str, layout: Layout,
               line: int, values: Mapping[str, Any]) -> RecordOutcome:
        reference = _reference(layout, values)
        file_type, defects = layout.file_type, self.defects
        if apply is None:
            return RecordOutcome(line, reference, False, code="FILE_TYPE_NOT_PROCESSED",
                                 reason=f"the simulator does not apply {layout.file_type} records")
        if file_type in defects.not_applied:
            return _fake_accepted(line, reference)
        try:
            created = apply(simulation, participant, values)
            if file_type in defects.applied_twice:
                with contextlib.suppress(DomainError):
                    apply(simulation, participant, _second_application(layout, values))
        except DomainError as error:
            if defects.ignores_record_codes(file_type, [error.code]):
                return _fake_accepted(line, reference)
            return RecordOutcome(line, reference, False, code=defects.code(file_type, error.code),
                                 reason=error.message)
        except Exception:  # a bug of ours (or a layout whose fields the appliers do not know): this record only
            logger.exception("applying line %d of a %s file failed", line, layout.file_type)
            return RecordOutcome(line, reference, False, code=INTERNAL_ERROR,
                                 reason="the simulator failed to apply this record (its bug, not the record's); "
                                        "nothing of it was applied")
        return RecordOutcome(line, reference, True, instruction_id=created)

    @staticmethod
    def _write(path: Path, result: ProcessingResult) -> Path | None:
        outbox = path.parent.parent / OUTBOX  # beside the INBOX the file came to
        target = outbox / f"{path.name}.result.csv"
        try:
            outbox.mkdir(exist_ok=True)
            write_result(target, result)
        except OSError:
            logger.exception("could not write the result file of %s from %s", path.name, result.participant)
            return None
        finally:
            if result.rows is not None:
                result.rows.close()
                result.rows = None
        return target


_DONE: Final = 0
_PENDING: Final = 1
_BLOCK: Final = 2


def _first_lines(data: bytes, count: int) -> bytes:
    """The first ``count`` lines of ``data`` (whole lines)."""
    end = 0
    for _ in range(count):
        end = data.index(b"\n", end) + 1
    return data[:end]


def block_fields(layout: Layout, data: bytes) -> list[str]:
    """The fields of a block's lines, record code first, line after line (``len(detail.fields) + 1`` a line).

    The validator took each line on its fast path: ASCII, exactly the layout's delimiters, no quote, its line
    ending at its end; so splitting at the delimiters gives the values the per-line check reads.
    """
    delimiter = layout.delimiter
    fields = data.decode("ascii").replace(layout.terminator, delimiter).split(delimiter)
    fields.pop()  # after the last line ending
    return fields


def _block_values(layout: Layout, fields: list[str], k: int) -> dict[str, Any]:
    """The values of the ``k``-th record of a block, as the validator gives them (empty fields left out)."""
    specs = layout.detail.fields
    start = k * (len(specs) + 1) + 1
    return {spec.name: int(raw) if spec.kind == "integer" else raw
            for spec, raw in zip(specs, fields[start:start + len(specs)], strict=True) if raw}


def _column(layout: Layout, fields: list[str], name: str, count: int) -> list[str]:
    """Field ``name`` of each record of a block."""
    width = len(layout.detail.fields) + 1
    start = layout.detail.index(name) + 1
    return fields[start:start + width * count:width]


def _si_rows(layout: Layout, fields: list[str], count: int) -> list[SiRow] | None:
    """The block's SI records as :meth:`SiBook.input_rows` takes them, converted as :func:`_si` converts one;
    ``None`` if a value does not convert (each record then goes the per-record way, which says why)."""
    def column(name: str) -> list[str]:
        return _column(layout, fields, name, count)

    try:
        days = column("settlementDate")
        parsed = {day: date.fromisoformat(day) for day in set(days)}
        amounts = column("amount")
        decimals = {amount: Decimal(amount) for amount in set(amounts) if amount}
        rows: list[SiRow] = list(zip(
            column("side"), column("counterpartyId"), column("stockCode"), map(int, column("quantity")),
            map(parsed.__getitem__, days), column("paymentType"), map(decimals.get, amounts),
            [currency or None for currency in column("currency")], column("stockAccount"),
            [reference or None for reference in column("clientReference")], strict=True))
    except (KeyError, ValueError, ArithmeticError):
        return None
    return rows


def _done(spool: IO[bytes], outcome: RecordOutcome) -> None:
    marshal.dump((_DONE, outcome.line, outcome.client_reference, outcome.accepted, outcome.instruction_id,
                  outcome.code, outcome.reason), spool)


def _spool_block(spool: IO[bytes], first_line: int, data: bytes) -> None:
    """Spool a block of accepted records: its first line and length, then its bytes as they are (read back in one
    read, about ten times faster than ``marshal.load`` of the same bytes)."""
    marshal.dump((_BLOCK, first_line, len(data)), spool)
    spool.write(data)


def _spooled(spool: IO[bytes]) -> Iterator[tuple[Any, ...]]:
    """The spooled entries in file order: ``(_DONE, *outcome)``, ``(_PENDING, line, values)`` or ``(_BLOCK,
    first line, bytes)``."""
    while True:
        try:
            entry = marshal.load(spool)
        except EOFError:
            return
        if entry[0] == _BLOCK:
            entry = (_BLOCK, entry[1], spool.read(entry[2]))
        yield entry


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it fails next, and says why


def _second_application(layout: Layout, values: Mapping[str, Any]) -> Mapping[str, Any]:
    """The values a duplicated application (fault profile) applies again. A CA record under the same client
    reference would change its instruction (change by reference), not duplicate it, so the duplicate of a CA
    record carries no reference: a second instruction, as a retry without a done-mark would make."""
    spec = layout.detail.role("client_reference")
    if spec is None or layout.file_type not in CA_FILE_TYPES:
        return values
    return {**values, spec.name: ""}


def _reference(layout: Layout, values: Mapping[str, Any] | None) -> str | None:
    spec = layout.detail.role("client_reference")
    if spec is None or values is None:
        return None
    return _text(values.get(spec.name))


def _rejected(layout: Layout, record: RecordResult, defects: ProcessingDefects) -> RecordOutcome:
    return RecordOutcome(record.line, _reference(layout, record.values), False,
                         code=defects.code(layout.file_type, record.problems[0].code), reason=_reason(record.problems))


def _fake_accepted(line: int, reference: str | None) -> RecordOutcome:
    """A record a defect reports accepted, though nothing of it was applied."""
    return RecordOutcome(line, reference, True, instruction_id=f"{FAKE_INSTRUCTION_PREFIX}{line:08d}")


def _reason(problems: Iterable[Problem]) -> str:
    """Every problem of a line: ``column <n>: <CODE> <message>``, joined by `` | ``."""
    return " | ".join(f"column {p.column}: {p.code} {p.message}" for p in problems)
