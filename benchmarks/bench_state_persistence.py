"""Throughput of ``simulate --state`` relative to the in-memory simulator, in the same run.

Run ``python benchmarks/bench_state_persistence.py [N]``: it serves the simulator twice over HTTP on loopback
(once with ``--state`` on a fresh file, once without), creates N SIs (default 1000) on each with one client per
participant on 2 threads, alternating the two servers, best of 3; prints both throughputs and the ratio
persisted / in-memory, and exits 1 if the ratio is below 0.5.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Runnable from a checkout without installing the package.
_ROOT = Path(__file__).resolve().parent.parent
for _path in (_ROOT / "src", _ROOT):
    if _path.is_dir() and str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

try:
    import httpx

    from ocp_conformance.simulator.state import demo_token
except ModuleNotFoundError as _missing:  # e.g. the system's python3 instead of the venv's
    from benchmarks._environment import missing_package

    missing_package(__file__, _missing)

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
ROUNDS = 3
MIN_RATIO = 0.5
POSTERS = {"B01234": "B05678", "B05678": "B01234"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _served(*options: str) -> Iterator[str]:
    port = _free_port()
    source = str(_ROOT / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([sys.executable, "-m", "ocp_conformance", "simulate", "--port", str(port), *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/_sim/clock", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the simulator ({' '.join(options) or 'in memory'}) did not start")
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _create(base_url: str, count: int, tag: str) -> float:
    """Seconds to create ``count`` SIs, half by each participant, on one thread each."""
    day = httpx.get(f"{base_url}/_sim/clock", timeout=10).json()["businessDate"]
    failures: list[str] = []

    def post(participant: str) -> None:
        headers = {"Authorization": f"Bearer {demo_token(participant)}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
            for n in range(count // len(POSTERS)):
                body = {"side": "DELIVER", "counterpartyId": POSTERS[participant], "stockCode": "00005",
                        "quantity": 1 + n % 997, "settlementDate": day, "paymentType": "FOP"}
                response = client.post("/ocp/v1/settlement-instructions", json=body,
                                       headers={"Idempotency-Key": f"bench-{tag}-{participant}-{n:07d}"})
                if response.status_code != 201:
                    failures.append(response.text)
                    return

    threads = [threading.Thread(target=post, args=(participant,)) for participant in POSTERS]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"an SI was refused: {failures[0]}")
    return elapsed


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        state = Path(scratch) / "state.sqlite"
        with _served() as memory, _served("--state", str(state)) as persisted:
            _create(memory, 100, "warm"), _create(persisted, 100, "warm")
            best = {"in memory": float("inf"), "--state": float("inf")}
            for round_ in range(ROUNDS):
                best["in memory"] = min(best["in memory"], _create(memory, N, f"r{round_}"))
                best["--state"] = min(best["--state"], _create(persisted, N, f"r{round_}"))
        size = state.stat().st_size
    for name, seconds in best.items():
        print(f"{name:>9}: {N} SIs in {seconds:6.3f} s = {N / seconds:7.1f} SIs/s (best of {ROUNDS})")
    ratio = best["in memory"] / best["--state"]
    verdict = "OK" if ratio >= MIN_RATIO else "TOO SLOW"
    print(f"state file: {size / 1e6:.1f} MB after {ROUNDS * N + 100} SIs")
    print(f"ratio persisted / in memory: {ratio:.2f} (limit {MIN_RATIO}) {verdict}")
    return 0 if ratio >= MIN_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
