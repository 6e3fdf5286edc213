"""The rehearsal engine: plays a script's day on the simulator and judges its tasks, on whatever clock drives it.

:class:`Rehearsal` knows nothing of wall time: :meth:`Rehearsal.advance_to` moves the business clock (batch runs
and day-end processing happen on the way, as the simulator schedules them) and plays the script's market events at
their times; :meth:`Rehearsal.statuses` judges each task at the current business time; :meth:`Rehearsal.finish`
gives the final verdicts. Tests drive it with a fake clock, ``ocp-conformance rehearse`` with accelerated wall time
(:mod:`.serve`). Everything that touches the simulation holds the simulator's lock, as its HTTP handlers do.
"""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from ocp_conformance.binding import load_binding
from ocp_conformance.consumer import Exchange, Recorder
from ocp_conformance.rehearsal.rules import Evidence, RapFile, RapRecord, RuleResult, evaluate
from ocp_conformance.rehearsal.script import Event, Script, Task
from ocp_conformance.simulator.app import SimulatorApp
from ocp_conformance.simulator.ati_handlers import ati_json, mass_json
from ocp_conformance.simulator.ccass import CorporateActionEvent, DomainError, SiFilter, SiInput, SiStatus
from ocp_conformance.simulator.ccass.ca_events import ccass_deadline
from ocp_conformance.simulator.rap.processing import ProcessingResult
from ocp_conformance.simulator.representation import si_json
from ocp_conformance.simulator.sti_handlers import sti_json

__all__ = ["Rehearsal", "RehearsalResult", "TaskState", "TaskStatus", "TimelineEntry"]

TaskState = Literal["pending", "due", "done", "late", "pass", "fail"]
_SI_STATUSES: tuple[SiStatus, ...] = ("CANCELLED", "REVOKED", "PURGED")
# a counterparty SI's values are the binding's roles; the domain names them alike but for these
_DOMAIN_NAMES = {"counterparty": "counterparty_id"}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """Something that happened on the business clock: a batch run, a broadcast, a script event."""

    at: datetime
    kind: str
    text: str

    def to_json(self) -> dict[str, str]:
        return {"at": self.at.isoformat(timespec="seconds"), "kind": self.kind, "text": self.text}


@dataclass(frozen=True, slots=True)
class TaskStatus:
    """A task judged at one business time: live (pending, due, done, late) or final (pass, fail)."""

    task: Task
    state: TaskState
    reason: str
    results: tuple[RuleResult, ...]

    @property
    def evidence(self) -> tuple[int, ...]:
        return tuple(sorted({i for r in self.results for i in r.evidence}))


@dataclass(slots=True)
class RehearsalResult:
    script: Script
    tasks: list[TaskStatus]
    timeline: list[TimelineEntry]
    exchanges: list[Exchange]
    clock_reached: datetime
    problems: list[str] = field(default_factory=list)
    """The script's own events the simulator refused (the script's fault, never the client's)."""
    stopped_by: str = "end of day"
    wall_seconds: float | None = None
    speed: float | None = None
    client_exit: int | None = None
    harness_errors: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> Literal["pass", "fail", "incomplete"]:
        if self.problems or self.harness_errors or self.clock_reached < self.script.clock.end:
            return "incomplete"
        return "pass" if all(s.state == "pass" for s in self.tasks) else "fail"


class Rehearsal:
    """One rehearsal of ``script`` on ``simulator`` (served behind ``recorder``).

    Example:
        >>> rehearsal = Rehearsal(load_script(path), simulator, recorder)
        >>> rehearsal.start()                      # the business clock at the script's start
        >>> rehearsal.advance_to(script.clock.end)  # events, batch runs and broadcasts on the way
        >>> [s.state for s in rehearsal.finish().tasks]
    """

    def __init__(self, script: Script, simulator: SimulatorApp, recorder: Recorder) -> None:
        self.script = script
        self.simulator = simulator
        self.recorder = recorder
        self.model_binding = load_binding(simulator.contracts)
        self.timeline: list[TimelineEntry] = []
        self.problems: list[str] = []
        self._played = 0
        self._broadcasts_seen = 0
        self.rap_files: list[RapFile] = []
        simulator.rap.observers.append(self._rap_processed)

    @property
    def now(self) -> datetime:
        return self.simulator.state.simulation.clock.now

    def start(self) -> None:
        """A fresh simulation whose business clock stands at the script's start (tokens are kept)."""
        state = self.simulator.state
        with state.lock:
            state.start = self.script.clock.start
            state.reset()
            self._broadcasts_seen = len(state.simulation.broadcasts)
        self._played = 0
        self.timeline.clear()
        self.rap_files.clear()

    def advance_to(self, when: datetime) -> list[TimelineEntry]:
        """Move the business clock to ``when`` (never back, never past the script's end), playing the script's
        events due by then at their times; returns what happened on the way."""
        when = min(when, self.script.clock.end)
        before = len(self.timeline)
        state = self.simulator.state
        with state.lock:
            sim = state.simulation
            events = self.script.events
            while self._played < len(events) and events[self._played].at <= when:
                event = events[self._played]
                self._advance(max(event.at, sim.clock.now))
                self._play(event)
                self._played += 1
            if when > sim.clock.now:
                self._advance(when)
        return self.timeline[before:]

    def _advance(self, when: datetime) -> None:
        sim = self.simulator.state.simulation
        for run in sim.advance_to(when):
            self.timeline.append(TimelineEntry(run.at, "batch_run", f"batch settlement run {run.run_id}: "
                                               f"{len(run.settled)} settled, {len(run.failed)} failed"))
        self._note_broadcasts()

    def _note_broadcasts(self) -> None:
        board = self.simulator.state.simulation.broadcasts
        for message in board.enquire()[self._broadcasts_seen:]:
            self.timeline.append(TimelineEntry(message.at, "broadcast", f"{message.category}: {message.text}"))
        self._broadcasts_seen = len(board)

    def _play(self, event: Event) -> None:
        sim = self.simulator.state.simulation
        data = event.data
        try:
            if event.kind == "counterparty_si":
                values = {_DOMAIN_NAMES.get(role, role): value for role, value in data["values"].items()}
                values.setdefault("settlement_date", self.script.business_date)
                values["settlement_date"] = _date(values["settlement_date"])
                if values.get("amount") is not None:
                    values["amount"] = Decimal(str(values["amount"]))
                si = sim.si_book.input_si(data["participant"], SiInput(**values))
                self.timeline.append(TimelineEntry(event.at, "event", f"{event.id}: {data['participant']} input "
                                                   f"{si.si_id} ({si.side} {si.quantity} of {si.stock_code}), "
                                                   f"now {si.status}"))
            elif event.kind == "broadcast":
                sim.broadcasts.publish(str(data["category"]), str(data["text"]))
            elif event.kind == "batch_run":
                run = sim.run_batch_settlement()
                self.timeline.append(TimelineEntry(event.at, "batch_run", f"{event.id}: extra batch settlement run "
                                                   f"{run.run_id}: {len(run.settled)} settled, {len(run.failed)} "
                                                   "failed"))
                sim.broadcasts.publish("SETTLEMENT", f"Batch settlement run {event.at:%H:%M} completed")
            elif event.kind == "ca_announcement":
                announced = self._announce(event)
                self.timeline.append(TimelineEntry(event.at, "event", f"{event.id}: {announced.announcement_id} "
                                                   f"announced ({announced.event_type} on {announced.stock_code}), "
                                                   f"CCASS deadline {announced.ccass_deadline:%H:%M}"))
        except (DomainError, TypeError, ValueError) as exc:
            self.problems.append(f"event {event.id} at {event.at:%H:%M} was refused by the simulator: {exc}")
        self._note_broadcasts()

    def _announce(self, event: Event) -> CorporateActionEvent:
        """A corporate-action event announced at ``event.at``, open until its CCASS deadline on the business date
        (the issuer's deadline a business day later); entitlements are the holdings when it is announced."""
        sim = self.simulator.state.simulation
        data = event.data
        deadline = datetime.combine(self.script.business_date, time.fromisoformat(str(data["deadline"])),
                                    event.at.tzinfo)
        issuer = datetime.combine(sim.clock.calendar.add_business_days(self.script.business_date, 1),
                                  deadline.timetz())
        announced = CorporateActionEvent(
            str(data["announcement_id"]), data["event_type"], str(data["stock_code"]),
            str(data.get("description", event.id)), record_date=self.script.business_date,
            instructions_open=event.at, issuer_deadline=issuer, ccass_deadline=deadline,
            options=tuple(data.get("options") or ()), default_option=data.get("default_option"))
        if ccass_deadline(issuer, sim.clock.calendar, at=deadline.timetz()) != deadline:
            raise ValueError(f"the CCASS deadline {deadline:%H:%M} is not a business day before the issuer's")
        return sim.corporate_actions.register(announced)

    def _rap_processed(self, result: ProcessingResult, path: Path) -> None:
        """Keep what an upload said and what became of each record (the uploaded file may vanish after this)."""
        layout = self.simulator.rap.layout(result.file_type)
        values: dict[int, dict[str, Any]] = {}
        if layout is not None:
            try:
                text = path.read_text(encoding="ascii", errors="replace")
            except OSError:
                text = ""
            specs = layout.detail.fields
            for number, row in enumerate(csv.reader(text.splitlines(), delimiter=layout.delimiter), start=1):
                if row and row[0] == layout.detail.code:
                    values[number] = {(spec.role or spec.name): raw for spec, raw in zip(specs, row[1:], strict=False)
                                      if raw != ""}
        records = tuple(RapRecord(o.line, values.get(o.line, {}), o.accepted, o.instruction_id, o.code, o.reason)
                        for o in result.records)
        self.rap_files.append(RapFile(self.now, result.participant, result.file_name, result.file_type,
                                      result.status, tuple(f"{p.code} {p.message}" for p in result.file_errors),
                                      records))

    # ------------------------------------------------------------------------------------------ judging
    def evidence(self) -> Evidence:
        state = self.simulator.state
        pid = self.script.participant
        with state.lock:
            sim = state.simulation
            book = sim.si_book
            sis = book.enquire(pid, SiFilter())
            for status in _SI_STATUSES:
                sis.extend(book.enquire(pid, SiFilter(status=status)))
            instructions: list[dict[str, Any]] = [si_json(si) for si in sorted(sis, key=lambda s: s.si_id)]
            records = {
                "Input ATI": [ati_json(a) for a in sim.transfers.enquire(pid)],
                "Enquire STI": [sti_json(t) for t in sim.transfers.enquire_sti(pid)],
                "Enquire Mass ATI/STI": [mass_json(m) for m in sim.mass_transfers.enquire(pid)],
            }
            ca = [{f.name: getattr(i, f.name) for f in dataclasses.fields(i)}
                  for i in sim.corporate_actions.instructions_of(pid)]
            now = sim.clock.now
            exchanges = list(self.recorder.exchanges)
            rap_files = list(self.rap_files)
        # keyed by the field set each function's records are read with (the model's binding)
        by_field_set = {self.model_binding.functions[f].fields or f: r for f, r in records.items()
                        if f in self.model_binding.functions}
        return Evidence(pid, exchanges, self.recorder.binding, self.recorder.routes, self.model_binding,
                        instructions, now, state=by_field_set, ca_instructions=ca, rap_files=rap_files)

    def statuses(self) -> list[TaskStatus]:
        """Each task judged now: pending (window not open), done, due (open, not yet done) or late (closed)."""
        evidence = self.evidence()
        found = []
        for task in self.script.tasks:
            if evidence.now < task.opens:
                found.append(TaskStatus(task, "pending", f"opens at {task.opens:%H:%M}", ()))
                continue
            results = tuple(evaluate(rule, task, evidence) for rule in task.rules)
            failed = [r for r in results if not r.passed]
            if not failed:
                found.append(TaskStatus(task, "done", results[-1].reason, results))
            else:
                state: TaskState = "due" if evidence.now <= task.closes else "late"
                found.append(TaskStatus(task, state, failed[0].reason, results))
        return found

    def finish(self) -> RehearsalResult:
        """The final verdict of every task (the day need not have ended: a task whose window is still open is
        judged on what happened so far, and the rehearsal is then incomplete)."""
        evidence = self.evidence()
        tasks = []
        for task in self.script.tasks:
            results = tuple(evaluate(rule, task, evidence) for rule in task.rules)
            failed = [r for r in results if not r.passed]
            tasks.append(TaskStatus(task, "fail" if failed else "pass",
                                    failed[0].reason if failed else "; ".join(r.reason for r in results), results))
        return RehearsalResult(self.script, tasks, list(self.timeline), list(self.recorder.exchanges), evidence.now,
                               problems=list(self.problems), harness_errors=list(self.recorder.harness_errors))


def _date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
