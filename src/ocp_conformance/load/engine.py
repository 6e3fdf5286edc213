"""The Locust side of ``ocp-conformance load``: an Environment with a local runner, or a master and its workers.

Importing this module imports Locust, which monkey-patches the standard library with gevent: only the load
process imports it (``python -m ocp_conformance.load``, which patches first), never the CLI or the test process.

Each simulated user is an :class:`~ocp_conformance.load.traffic.UserTraffic` driven by a Locust ``User``; each
call fires Locust's ``request`` event (name = catalogue function, type = role), so Locust's statistics, its
master/worker aggregation and its error table are the report's. What Locust does not carry (the acknowledged
instructions, the contract sample, latency per second) each worker sends to the master in a ``ocp_record``
message when it stops; the master then reads the acknowledged instructions back and checks the invariants.
"""

from __future__ import annotations

import random
import secrets
import socket
import string
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

import gevent
import gevent.event
from locust import LoadTestShape, User, between, constant, task
from locust.env import Environment
from locust.runners import STATE_STOPPED, LocalRunner, MasterRunner, WorkerRunner

from ocp_conformance.binding import load_binding
from ocp_conformance.bound_client import BoundClient
from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet
from ocp_conformance.load.acting import acting_participants
from ocp_conformance.load.generators import DrawContext, FileSequences, ReferenceSource
from ocp_conformance.load.invariants import InvariantResult, check_invariants, read_back
from ocp_conformance.load.profile import Profile
from ocp_conformance.load.record import RunRecord
from ocp_conformance.load.report import LoadReport, build_report
from ocp_conformance.load.traffic import Outcome, UserTraffic, own_connection, unbound_entries
from ocp_conformance.targets import Target

__all__ = ["LoadSettings", "NothingToRun", "run_load", "run_worker"]

_RUN_MESSAGE, _RECORD_MESSAGE, _DONE_MESSAGE = "ocp_run", "ocp_record", "ocp_done"
_STOP_TIMEOUT = 3.0  # seconds a stopping user may finish its call (a killed call leaves an unacknowledged write)


class NothingToRun(Exception):
    """The binding expresses none of the profile's calls: a configuration to fix, not a target's failure."""


@dataclass(slots=True)
class LoadSettings:
    """One run: what the CLI parsed and resolved."""

    profile: Profile
    contracts: ContractSet
    target: Target
    target_label: str
    users: int
    duration: float
    sample: float
    workers: int = 0
    expect_workers: int = 0
    master_bind: tuple[str, int] = ("127.0.0.1", 0)
    """Where the master listens for workers (port 0: a free one, for local workers only)."""
    worker_command: Sequence[str] = ()
    """The command line that starts one local worker (``--master HOST:PORT`` is appended)."""


@dataclass(slots=True)
class _RunConfig:
    run_id: str
    participants: list[str]
    business_dates: tuple[date, date]
    sample: float


@dataclass(slots=True)
class _Process:
    """Per process: the bound client, the run's config and record, the users' sequence."""

    profile: Profile
    bound: BoundClient
    skip: dict[str, str]
    index: int = 0
    config: _RunConfig | None = None
    record: RunRecord = field(default_factory=RunRecord)
    users: int = 0
    references: ReferenceSource | None = None
    sequences: FileSequences = field(default_factory=lambda: FileSequences(0))


def _bound(contracts: ContractSet, target: Target, sample: float) -> BoundClient:
    client = OcpClient(target, contracts, strict=False)
    rng = random.Random()
    client.sample = lambda: rng.random() < sample
    return BoundClient(client, load_binding(contracts))


def _user_class(process: _Process, environment_events: Any) -> type[User]:
    profile = process.profile

    class OcpUser(User):
        wait_time = between(profile.think_min, profile.think_max) if profile.think_max > 0 else constant(0)
        abstract = False
        shared: ClassVar[_Process] = process

        def on_start(self) -> None:
            state = self.shared
            while state.config is None:  # a worker: the master's run message comes before any spawn
                gevent.sleep(0.05)
            config = state.config
            if state.references is None:
                state.references = ReferenceSource(config.run_id, state.index)
                state.sequences = FileSequences(state.index, config.run_id)
            participant = config.participants[(state.users + state.index) % len(config.participants)]
            state.users += 1
            context = DrawContext(participant=participant, participants=config.participants,
                                  business_dates=config.business_dates, references=state.references,
                                  sequences=state.sequences)
            self.bound = own_connection(state.bound)
            self.traffic = UserTraffic(profile, self.bound, context, state.record, self._emit, skip=state.skip)
            self.traffic.setup()

        def on_stop(self) -> None:
            self.bound.client.target.http().close()

        def _emit(self, outcome: Outcome) -> None:
            environment_events.request.fire(request_type=outcome.role, name=outcome.function,
                                            response_time=outcome.ms, response_length=outcome.length,
                                            exception=outcome.error, context={})

        @task
        def step(self) -> None:
            if not self.traffic.step():
                gevent.sleep(0.01)  # nothing to act on yet (no SI of this user to cancel): try another task

    return OcpUser


class _Shape(LoadTestShape):
    """The profile's arrival: users over the run, then stop."""

    def __init__(self, profile: Profile, users: int, duration: float) -> None:
        super().__init__()
        self.profile, self.peak, self.duration = profile, users, duration

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        if elapsed >= self.duration:
            return None
        return self.profile.arrival.users_at(elapsed, self.duration, self.peak), max(10.0, self.peak * 2.0)


def run_load(settings: LoadSettings, log: Any = print) -> LoadReport:
    """Run the profile (local runner, or master with ``workers`` local worker processes plus ``expect_workers``
    remote ones), then read back and check the invariants; the report is not yet written."""
    profile = settings.profile
    bound = _bound(settings.contracts, settings.target, settings.sample)
    skip = unbound_entries(profile, bound)
    for label, why in skip.items():
        log(f"not run: {label}: {why}")
    if all(m.label in skip for m in profile.mix):
        raise NothingToRun(f"no call of profile {profile.name} can be made through the binding of "
                           f"{bound.binding.path}: every mix entry is not run (above)")
    participants = acting_participants(settings.target, profile.participants)
    config = _RunConfig(run_id=_run_id(), participants=participants,
                        business_dates=bound.client.business_dates(), sample=settings.sample)
    process = _Process(profile=profile, bound=bound, skip=skip, config=config)
    environment = Environment(stop_timeout=_STOP_TIMEOUT)
    environment.user_classes = [_user_class(process, environment.events)]
    environment.shape_class = _Shape(profile, settings.users, settings.duration)
    distributed = settings.workers + settings.expect_workers > 0
    records: list[RunRecord] = [] if distributed else [process.record]
    senders: list[str] = []
    children: list[subprocess.Popen[bytes]] = []
    runner: LocalRunner | MasterRunner
    if distributed:
        host, port = settings.master_bind
        port = port or _free_port(host)
        runner = environment.create_master_runner(host, port)

        def send_run(**_: Any) -> None:
            runner.send_message(_RUN_MESSAGE, {"run_id": config.run_id, "participants": participants,
                                               "dates": [d.isoformat() for d in config.business_dates],
                                               "sample": config.sample})

        environment.events.test_start.add_listener(send_run)
        def on_record(msg: Any, **_: Any) -> None:
            records.append(RunRecord.from_dict(msg.data))
            senders.append(msg.node_id)

        runner.register_message(_RECORD_MESSAGE, on_record)
        for _ in range(settings.workers):
            children.append(subprocess.Popen([*settings.worker_command, "--master", f"127.0.0.1:{port}"]))
        expected = settings.workers + settings.expect_workers
        log(f"master on {settings.master_bind[0]}:{port}: waiting for {expected} workers")
        deadline = time.monotonic() + 60
        while len(runner.clients.ready) < expected:
            if time.monotonic() > deadline or any(c.poll() is not None for c in children):
                _stop_children(children)
                raise RuntimeError(f"only {len(runner.clients.ready)} of {expected} Locust workers connected")
            gevent.sleep(0.2)
    else:
        runner = environment.create_local_runner()
    try:
        log(f"load: {profile.name}, {settings.users} users, {settings.duration:.0f} s against {settings.target_label}"
            + (f", {settings.workers + settings.expect_workers} workers" if distributed else ""))
        started = time.monotonic()
        runner.start_shape()
        gevent.sleep(settings.duration)
        deadline = time.monotonic() + _STOP_TIMEOUT + 30
        if distributed:  # each worker sends its record when it has stopped its users
            assert isinstance(runner, MasterRunner)
            while len(records) < settings.workers + settings.expect_workers and time.monotonic() < deadline:
                exited = [c.returncode for c in children if c.poll() is not None]
                if exited:
                    raise RuntimeError(f"a Locust worker exited (code {exited[0]}) before sending its record: "
                                       "see its output above")
                gevent.sleep(0.1)
            elapsed = time.monotonic() - started
            # the workers' last statistics reports trail their records: wait until Locust counted every request
            seen = sum(r.requests for r in records)
            while environment.stats.total.num_requests < seen and time.monotonic() < deadline:
                gevent.sleep(0.1)
        else:
            while runner.state != STATE_STOPPED and time.monotonic() < deadline:
                gevent.sleep(0.1)
            elapsed = time.monotonic() - started
        harness_errors = [f"{row['msg']} (x{row['count']})\n{row['traceback']}" for row in runner.exceptions.values()]
    finally:
        if distributed:  # to each worker by id: a stopped worker is off the master's list until it is ready again
            for sender in senders:
                runner.send_message(_DONE_MESSAGE, {}, client_id=sender)
            gevent.sleep(0.2)
        runner.quit()
        _stop_children(children)
    record = RunRecord()
    for each in records:
        record.merge(each)
    record.not_run.update(skip)
    invariants = _invariants(profile, bound, participants, config.run_id, record, log)
    rows, errors = _locust_rows(environment)
    report = build_report(profile, target=settings.target_label, users=settings.users,
                          workers=settings.workers + settings.expect_workers, duration_s=elapsed,
                          sample=settings.sample, rows=rows, errors=errors, record=record, invariants=invariants)
    report.harness_errors = harness_errors
    return report


def _invariants(profile: Profile, bound: BoundClient, participants: list[str], run_id: str, record: RunRecord,
                log: Any) -> list[InvariantResult]:
    results: list[InvariantResult] = []
    sampling = bound.client.sample
    bound.client.sample = None  # the read-back is checked whole
    try:
        for track in profile.track:
            if f"track {track.function}" in record.not_run or f"read back {track.function} ({track.enquiry})" \
                    in record.not_run:
                continue
            log(f"reading back {track.function} through {track.enquiry} for {', '.join(participants)}")
            found = read_back(bound, track, participants, run_id, record.acknowledged)
            results += check_invariants(track, record.acknowledged, found)
    finally:
        bound.client.sample = sampling
    return results


def _locust_rows(environment: Environment) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = []
    for (name, method), entry in environment.stats.entries.items():
        rows.append({"function": name, "role": method, "requests": entry.num_requests,
                     "failures": entry.num_failures,
                     "p50": entry.get_response_time_percentile(0.5) or 0,
                     "p95": entry.get_response_time_percentile(0.95) or 0,
                     "p99": entry.get_response_time_percentile(0.99) or 0,
                     "max": entry.max_response_time or 0, "mean": entry.avg_response_time or 0})
    errors = [{"function": e.name, "role": e.method, "error": e.error, "occurrences": e.occurrences}
              for e in environment.stats.errors.values()]
    return rows, errors


def run_worker(profile: Profile, contracts: ContractSet, target: Target, master: tuple[str, int],
               sample: float) -> None:
    """A Locust worker: connects to ``master``, runs the users it is given, sends its record when stopped."""
    bound = _bound(contracts, target, sample)
    process = _Process(profile=profile, bound=bound, skip=unbound_entries(profile, bound))
    environment = Environment(stop_timeout=_STOP_TIMEOUT)
    environment.user_classes = [_user_class(process, environment.events)]
    runner = environment.create_worker_runner(*master)
    assert isinstance(runner, WorkerRunner)

    def on_run(msg: Any, **_: Any) -> None:
        data = msg.data
        process.index = runner.worker_index + 1
        process.record = RunRecord()
        process.references = None
        process.config = _RunConfig(run_id=data["run_id"], participants=list(data["participants"]),
                                    business_dates=(date.fromisoformat(data["dates"][0]),
                                                    date.fromisoformat(data["dates"][1])),
                                    sample=float(data["sample"]))

    def on_stop(**_: Any) -> None:
        runner.send_message(_RECORD_MESSAGE, process.record.to_dict())

    done = gevent.event.Event()
    runner.register_message(_RUN_MESSAGE, on_run)
    runner.register_message(_DONE_MESSAGE, lambda msg, **_: done.set())
    environment.events.test_stop.add_listener(on_stop)
    gevent.spawn(lambda: (runner.greenlet.join(), done.set()))
    done.wait()


def _stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.terminate()
            child.wait(timeout=10)


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host if host not in ("*", "") else "127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_id() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(4))

