"""Soak run of Real Time Trade Information: a million trades pulled through the served simulator, with
random disconnects and resumes, and not one lost or duplicated.

Run ``python benchmarks/soak_gcp_trades.py`` (``--trades N`` for another size). It serves
``ocp-conformance simulate --gcp-trades-per-day N`` on a free loopback port, moves the business clock past the
close so the whole day's feed is issued, and then reads the demo GCP's feed three ways:

1. **plain pull**: ``GET /gcp/v1/trades`` page after page (limit 200), the baseline;
2. **pull with disconnects**: the same, but a random tenth of the requests is cut off part-way through the body
   (the connection is closed), a random twentieth of the pages is received and then dropped as if the client
   crashed before storing it, and every so often the client opens a new connection pool; it always resumes
   from the last sequence it stored;
3. **stream with disconnects**: ``GET /gcp/v1/trades/stream`` (Server-Sent Events), cut off after a random
   number of events and resumed with ``Last-Event-ID``.

Each reader keeps only what it stored; every run must store sequences 1..N exactly once, and the digest of
the stored records must equal the plain pull's. The script prints the counts and trades/s of each reader and
their ratio to the plain pull, and exits 1 on any loss, duplicate or difference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Runnable from a checkout without installing the package; it serves the simulator as the tests do.
_ROOT = Path(__file__).resolve().parent.parent
for _path in (_ROOT / "src", _ROOT):
    if _path.is_dir() and str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

try:
    import httpx
    from httpx_sse import EventSource

    from ocp_conformance.simulator.ccass import DEMO_GCP
    from ocp_conformance.simulator.state import demo_token
    from tests.served_simulator import served_simulator
except ModuleNotFoundError as _missing:  # e.g. the system's python3 instead of the venv's
    from benchmarks._environment import missing_package

    missing_package(__file__, _missing)

PAGE = 200
# After the close (16:00) of the simulator's first business day, so the whole day's feed is issued, and in the
# evening window (17:00-19:00) when the API services are open again.
AFTER_CLOSE = "2027-04-06T17:30:00+08:00"


@dataclass
class Tally:
    """What one reader did and what it stored."""

    name: str
    requests: int = 0
    disconnects: int = 0
    dropped_pages: int = 0
    new_connections: int = 0
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    gaps: int = 0
    seconds: float = 0.0
    digest: Any = field(default_factory=hashlib.sha256)
    last: int = 0

    def store(self, record: dict[str, Any]) -> None:
        """Store one record: it must be the next sequence number."""
        sequence = record["sequence"]
        if sequence <= self.last:
            self.duplicates += 1
            return
        if sequence != self.last + 1:
            self.gaps += sequence - self.last - 1
        self.last = sequence
        self.stored += 1
        self.digest.update(json.dumps(record, sort_keys=True, separators=(",", ":")).encode())

    @property
    def rate(self) -> float:
        return self.stored / self.seconds if self.seconds else 0.0


def _client(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {demo_token(DEMO_GCP)}"})


def _page(client: httpx.Client, after: int) -> dict[str, Any]:
    response = client.get("/gcp/v1/trades", params={"afterSequence": after, "limit": PAGE})
    response.raise_for_status()
    page: dict[str, Any] = response.json()
    return page


def plain_pull(base: str, total: int) -> Tally:
    tally = Tally("plain pull")
    with _client(base) as client:
        started = time.perf_counter()
        while tally.last < total:
            page = _page(client, tally.last)
            tally.requests += 1
            if not page["items"]:
                break
            tally.received += len(page["items"])
            for record in page["items"]:
                tally.store(record)
        tally.seconds = time.perf_counter() - started
    return tally


def pull_with_disconnects(base: str, total: int, rng: random.Random) -> Tally:
    tally = Tally("pull, disconnects")
    client = _client(base)
    started = time.perf_counter()
    try:
        while tally.last < total:
            if rng.random() < 0.01:
                client.close()
                client = _client(base)
                tally.new_connections += 1
            tally.requests += 1
            if rng.random() < 0.1:
                with client.stream("GET", "/gcp/v1/trades",
                                   params={"afterSequence": tally.last, "limit": PAGE}) as response:
                    next(response.iter_raw(rng.randint(1, 4096)), b"")
                # Leaving the block unread closes the connection: the server's answer is lost mid-body.
                tally.disconnects += 1
                continue
            page = _page(client, tally.last)
            if not page["items"]:
                break
            tally.received += len(page["items"])
            if rng.random() < 0.05:
                tally.dropped_pages += 1  # received, then the client "crashed" before storing it
                continue
            for record in page["items"]:
                tally.store(record)
    finally:
        client.close()
    tally.seconds = time.perf_counter() - started
    return tally


def stream_with_disconnects(base: str, total: int, rng: random.Random) -> Tally:
    tally = Tally("stream, disconnects")
    started = time.perf_counter()
    with _client(base) as client:
        while tally.last < total:
            cut_after = rng.randint(1, 5000) if rng.random() < 0.5 else None
            headers = {"Last-Event-ID": str(tally.last)} if tally.last else {}
            tally.requests += 1
            events = 0
            with client.stream("GET", "/gcp/v1/trades/stream", headers=headers) as response:
                response.raise_for_status()
                for event in EventSource(response).iter_sse():
                    record = json.loads(event.data)
                    if event.id != str(record["sequence"]):
                        raise SystemExit(f"event id {event.id} is not the record's sequence {record['sequence']}")
                    tally.received += 1
                    tally.store(record)
                    events += 1
                    if cut_after is not None and events >= cut_after:
                        tally.disconnects += 1
                        break
            if events == 0:
                break
    tally.seconds = time.perf_counter() - started
    return tally


def _run(name: str, reader: Callable[[], Tally]) -> Tally:
    print(f"  {name} ...", end="", flush=True)
    tally = reader()
    print(f" {tally.stored:,} stored in {tally.seconds:.1f} s")
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trades", type=int, default=1_000_000, help="trades in the demo GCP's day")
    parser.add_argument("--seed", type=int, default=7, help="seed of the disconnects")
    parser.add_argument("--fault", action="append", default=[], help="serve the simulator with this fault profile "
                        "(to see the soak catch it, e.g. trade-sequence-gap)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"serving the simulator with {args.trades:,} trades for {DEMO_GCP} ...")
    with served_simulator(*args.fault, options=["--gcp-trades-per-day", str(args.trades)]) as served:
        base = served.base_url
        clock = httpx.post(f"{base}/_sim/clock/advance", json={"to": AFTER_CLOSE}, timeout=60)
        clock.raise_for_status()
        started = time.perf_counter()
        with _client(base) as client:
            first = _page(client, 0)  # the first read generates the day's feed
        generated = time.perf_counter() - started
        print(f"  feed generated and first page served in {generated:.1f} s (business date {first['businessDate']})")
        total = args.trades
        tallies = [
            _run("plain pull", lambda: plain_pull(base, total)),
            _run("pull with disconnects", lambda: pull_with_disconnects(base, total, rng)),
            _run("stream with disconnects", lambda: stream_with_disconnects(base, total, rng)),
        ]
    baseline = tallies[0]
    print()
    print(f"{'reader':<22}{'stored':>11}{'lost':>7}{'dup':>6}{'requests':>10}{'cut':>7}{'dropped':>9}"
          f"{'new conn':>9}{'received':>11}{'trades/s':>10}{'vs plain':>9}")
    failures: list[str] = []
    for tally in tallies:
        lost = total - tally.stored
        print(f"{tally.name:<22}{tally.stored:>11,}{lost:>7,}{tally.duplicates:>6,}{tally.requests:>10,}"
              f"{tally.disconnects:>7,}{tally.dropped_pages:>9,}{tally.new_connections:>9,}{tally.received:>11,}"
              f"{tally.rate:>10,.0f}{tally.rate / baseline.rate:>9.2f}")
        if lost or tally.duplicates or tally.gaps:
            failures.append(f"{tally.name}: {lost} lost, {tally.duplicates} duplicated, {tally.gaps} skipped")
        if tally.digest.hexdigest() != baseline.digest.hexdigest():
            failures.append(f"{tally.name}: the stored records differ from the plain pull's")
    if failures:
        print("verdict: FAIL\n  " + "\n  ".join(failures))
        return 1
    print(f"verdict: OK: every reader stored sequences 1..{total:,} exactly once, with the same content")
    return 0


if __name__ == "__main__":
    sys.exit(main())
