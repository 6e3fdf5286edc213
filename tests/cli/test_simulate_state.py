"""`ocp-conformance simulate --state` as a real process: SIGKILLed at random points, also while requests are in
flight, and restarted on the same file, it still has every instruction it acknowledged, exactly once; a retry
with the same Idempotency-Key after the restart gets the original answer.

The same check run against the deliberate fault `--state-fault-answer-before-commit` (answers before the
journal is committed) finds the lost instructions: the check can fail.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ocp_conformance.simulator.state import demo_token

SI_PATH = "/ocp/v1/settlement-instructions"
POSTERS = {"B01234": "B05678", "B05678": "B01234"}  # participant -> counterparty, one posting thread each
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Simulator:
    process: subprocess.Popen[str]
    base_url: str

    def client(self, participant: str) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=10,
                            headers={"Authorization": f"Bearer {demo_token(participant)}"})

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        assert self.process.returncode == -signal.SIGKILL


@contextmanager
def _simulate(state: Path, *options: str) -> Iterator[Simulator]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "ocp_conformance", "simulate", "--port", str(port),
                                "--state", str(state), *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    simulator = Simulator(process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if httpx.get(f"{simulator.base_url}/_sim/clock", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the simulator did not start: {process.communicate(timeout=10)[1]}")
            time.sleep(0.1)
        yield simulator
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


@dataclass
class Ledger:
    """What the clients saw: acknowledged instructions and requests left without an answer."""

    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Idempotency-Key -> the 201 body."""
    unanswered: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    """Idempotency-Key -> (participant, body) of a request sent but not answered (in flight at the kill)."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def _body(counterparty: str, reference: str, day: str, quantity: int) -> dict[str, Any]:
    return {"side": "DELIVER", "counterpartyId": counterparty, "stockCode": "00005", "quantity": quantity,
            "settlementDate": day, "paymentType": "FOP", "ownReference": reference}


def _post_until_killed(simulator: Simulator, participant: str, tag: str, day: str, ledger: Ledger,
                       limit: int | None = None) -> None:
    with simulator.client(participant) as client:
        n = 0
        while limit is None or n < limit:
            key, reference = f"persist-{tag}-{n:06d}", f"{tag}.{n:06d}"
            body = _body(POSTERS[participant], reference, day, 1 + n % 997)
            with ledger.lock:
                ledger.unanswered[key] = (participant, body)
            try:
                response = client.post(SI_PATH, json=body, headers={"Idempotency-Key": key})
            except httpx.TransportError:
                return  # killed: this request stays unanswered
            assert response.status_code == 201, response.text
            with ledger.lock:
                del ledger.unanswered[key]
                ledger.acknowledged[key] = response.json()
            n += 1


def _listed(simulator: Simulator, participant: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 200}
    with simulator.client(participant) as client:
        while True:
            page = client.get(SI_PATH, params=params).json()
            items += page["items"]
            if not page.get("nextCursor"):
                return items
            params["cursor"] = page["nextCursor"]


def _lost_or_doubled(simulator: Simulator, ledger: Ledger) -> list[str]:
    """Every acknowledged instruction that is not there exactly once, as it was acknowledged; empty if none."""
    listed = [si for participant in POSTERS for si in _listed(simulator, participant)]
    by_reference: dict[str, list[dict[str, Any]]] = {}
    for si in listed:
        by_reference.setdefault(si["ownReference"], []).append(si)
    problems = []
    for key, acknowledged in ledger.acknowledged.items():
        found = by_reference.get(acknowledged["ownReference"], [])
        if [si["siId"] for si in found] != [acknowledged["siId"]]:
            problems.append(f"{key}: acknowledged as {acknowledged['siId']}, found {[si['siId'] for si in found]}")
    for key, (_, body) in ledger.unanswered.items():
        if len(by_reference.get(body["ownReference"], [])) > 1:
            problems.append(f"{key}: unanswered, found more than once")
    return problems


def _business_date(simulator: Simulator) -> str:
    return str(httpx.get(f"{simulator.base_url}/_sim/clock", timeout=10).json()["businessDate"])


def test_kill_9_at_random_points_loses_no_acknowledged_instruction(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    ledger = Ledger()
    for round_ in range(3):
        with _simulate(state) as simulator:
            assert not _lost_or_doubled(simulator, ledger), f"seed {seed}, round {round_}"
            day = _business_date(simulator)
            threads = [threading.Thread(target=_post_until_killed,
                                        args=(simulator, participant, f"r{round_}t{i}", day, ledger))
                       for i, participant in enumerate(POSTERS)]
            for thread in threads:
                thread.start()
            while len(ledger.acknowledged) < 20 * (round_ + 1):  # some acknowledged before the kill, at least
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.5))  # then a random point, requests in flight on both threads
            simulator.kill()
            for thread in threads:
                thread.join(timeout=30)
                assert not thread.is_alive()
    assert ledger.unanswered, "no request was in flight at any of the kills"
    with _simulate(state) as simulator:
        problems = _lost_or_doubled(simulator, ledger)
        assert not problems, f"seed {seed}: {problems[:5]}"
        assert len(ledger.acknowledged) >= 60
        # a client retrying its unanswered requests with the same key after the restart: at most one each,
        # and an acknowledged one retried gets its original answer
        for key, (participant, body) in ledger.unanswered.items():
            with simulator.client(participant) as client:
                retry = client.post(SI_PATH, json=body, headers={"Idempotency-Key": key})
            assert retry.status_code == 201, retry.text
            ledger.acknowledged[key] = retry.json()
        ledger.unanswered.clear()
        key, first = next(iter(ledger.acknowledged.items()))
        participant = "B01234" if first["participantId"] == "B01234" else "B05678"
        with simulator.client(participant) as client:
            again = client.post(SI_PATH, json=_body(POSTERS[participant], first["ownReference"],
                                                    first["settlementDate"], first["quantity"]),
                                headers={"Idempotency-Key": key})
        assert (again.status_code, again.headers.get("Idempotent-Replayed"), again.json()) == (201, "true", first)
        assert not _lost_or_doubled(simulator, ledger), f"seed {seed}"


def test_the_check_finds_the_loss_when_the_simulator_answers_before_committing(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    ledger = Ledger()
    with _simulate(state, "--state-fault-answer-before-commit") as simulator:
        day = _business_date(simulator)
        _post_until_killed(simulator, "B01234", "unsafe", day, ledger, limit=25)
        simulator.kill()
    with _simulate(state) as simulator:
        problems = _lost_or_doubled(simulator, ledger)
    assert len(problems) == 25, problems
    assert problems[0] == "persist-unsafe-000000: acknowledged as SI0000000001, found []"


def test_a_state_file_that_is_not_one_stops_the_simulator_with_exit_2(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 100)
    done = subprocess.run([sys.executable, "-m", "ocp_conformance", "simulate", "--port", str(_free_port()),
                           "--state", str(notes)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "1000"})  # a path is never wrapped mid-word
    assert done.returncode == 2, done.stderr
    message = " ".join(done.stderr.split())
    assert f"error: --state {notes}: not a state file" in message and "simulate --state" in message
    assert notes.read_text() == "not a database\n" * 100


def test_an_empty_state_file_stops_the_simulator_with_exit_2_unless_state_new(tmp_path: Path) -> None:
    emptied = tmp_path / "sim.sqlite"
    emptied.write_bytes(b"")  # as `truncate -s 0 sim.sqlite` leaves it
    done = subprocess.run([sys.executable, "-m", "ocp_conformance", "simulate", "--port", str(_free_port()),
                           "--state", str(emptied)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "1000"})
    assert done.returncode == 2, done.stderr
    message = " ".join(done.stderr.split())
    assert f"error: --state {emptied}: the file is empty (0 bytes)" in message and "pass --state-new" in message
    with _simulate(emptied, "--state-new") as simulator:
        assert httpx.get(f"{simulator.base_url}/_sim/clock", timeout=5).status_code == 200
