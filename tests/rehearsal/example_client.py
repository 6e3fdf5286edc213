"""An example automated participant client that lives through the SI-day rehearsal (rehearsals/si-day.yaml).

``SiDayClient.tick(now)`` does whatever is due at business time ``now``; the correct client completes every task.
Each variant gets one thing wrong, the way a participant's system might:

- ``late-cancel``: cancels SIDAY-2 in the evening window, after the 15:45 cut-off;
- ``stale-status``: reads SIDAY-1 once, before it matched, and acts on that status all day;
- ``double-submit``: after a dropped connection, submits the SI again with a new Idempotency-Key;
- ``no-reconcile``: reads the settlement result but skips the end-of-day reconciliation;
- ``tight-polling``: polls SIDAY-1 every minute while it waits for the match;
- ``ignores-retry-after``: retries a request refused with 429 at once, not after Retry-After;
- ``discontinued``: still calls a Participant Gateway function the API discontinued (Enquire ATI).

Run as a program (what ``ocp-conformance rehearse --client`` starts), it reads the base URL, the control URL and
its token from the environment and follows the simulator's business clock (``GET /_sim/clock``, not recorded)::

    python tests/rehearsal/example_client.py [--variant late-cancel]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

VARIANTS = ("correct", "late-cancel", "stale-status", "double-submit", "no-reconcile", "tight-polling",
            "ignores-retry-after", "discontinued")
SI = "/ocp/v1/settlement-instructions"


def _at(now: datetime, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return now.replace(hour=hours, minute=minutes, second=0, microsecond=0)


@dataclass
class SiDayClient:
    http: httpx.Client
    """Its base URL is the server root (paths start with /ocp/v1)."""
    participant: str
    token: str
    variant: str = "correct"
    poll_every: timedelta = timedelta(minutes=10)
    ids: dict[str, str] = field(default_factory=dict)
    """own reference -> SI id, from the answers to Input SI."""
    seen: dict[str, str] = field(default_factory=dict)
    """own reference -> the last status read."""
    done: set[str] = field(default_factory=set)
    last_poll: datetime | None = None
    log: list[str] = field(default_factory=list)
    sleep: Callable[[float], None] = time.sleep
    """How it waits out a Retry-After (tests pass a fake wall clock's)."""

    def __post_init__(self) -> None:
        if self.variant == "tight-polling":
            self.poll_every = timedelta(minutes=1)

    # ------------------------------------------------------------------ the day
    def tick(self, now: datetime) -> None:
        if "input" not in self.done:
            self.input_si("SIDAY-1", {"side": "DELIVER", "counterpartyId": "B05678", "stockCode": "00700",
                                      "quantity": 10000, "settlementDate": now.date().isoformat(),
                                      "paymentType": "DVP", "amount": "3500000.00", "currency": "HKD",
                                      "ownReference": "SIDAY-1", "hold": True})
            self.input_si("SIDAY-2", {"side": "DELIVER", "counterpartyId": "B05678", "stockCode": "00005",
                                      "quantity": 2000, "settlementDate": now.date().isoformat(),
                                      "paymentType": "FOP", "ownReference": "SIDAY-2"})
            self.done.add("input")
        if self.variant == "stale-status":
            if "read-once" not in self.done:  # one read, before B05678's SI arrives; never again
                self.read("SIDAY-1")
                self.done.add("read-once")
        elif now < _at(now, "12:00") and self.seen.get("SIDAY-1") != "MATCHED_ON_HOLD" and self._poll_due(now):
            self.read("SIDAY-1")
        if _at(now, "13:00") <= now < _at(now, "15:45") and "release" not in self.done \
                and (self.variant == "stale-status" or self.seen.get("SIDAY-1") == "MATCHED_ON_HOLD"):
            self.call("PUT", f"{SI}/{self.ids['SIDAY-1']}/hold", json={"hold": False})
            self.done.add("release")
        cancel_at = "17:05" if self.variant == "late-cancel" else "15:00"
        if now >= _at(now, cancel_at) and "cancel" not in self.done and self._open(now):
            self.call("DELETE", f"{SI}/{self.ids['SIDAY-2']}")
            self.done.add("cancel")
        if now >= _at(now, "17:10") and "result" not in self.done and self._open(now):
            self.read("SIDAY-1")
            self.call("GET", "/ocp/v1/broadcast-messages", params={"businessDate": now.date().isoformat()})
            self.done.add("result")
        if now >= _at(now, "17:20") and "reconcile" not in self.done and self.variant != "no-reconcile" \
                and self._open(now):
            for reference in self.ids:
                self.read(reference)
            self.call("GET", f"/ocp/v1/stock-accounts/{self.participant}01/balances")
            if self.variant == "discontinued":
                self.call("GET", "/ocp/v1/account-transfers")  # Enquire ATI: discontinued with the PG
            self.done.add("reconcile")

    def finished(self) -> bool:
        return "reconcile" in self.done or (self.variant == "no-reconcile" and "result" in self.done)

    # ------------------------------------------------------------------ the calls
    def input_si(self, reference: str, body: dict[str, Any]) -> None:
        key = uuid.uuid4().hex
        for attempt in range(5):
            if attempt and self.variant == "double-submit":
                key = uuid.uuid4().hex  # the defect: a retry that the server cannot recognise as one
            try:
                response = self.http.post(SI, json=body, headers={**self._auth(), "Idempotency-Key": key})
            except httpx.TransportError as exc:
                self.log.append(f"Input SI {reference}: {type(exc).__name__}, retrying")
                continue
            if response.status_code in (201, 200):
                self.ids[reference] = response.json()["siId"]
                self.seen[reference] = response.json()["status"]
                return
            raise RuntimeError(f"Input SI {reference}: {response.status_code} {response.text}")
        raise RuntimeError(f"Input SI {reference}: no answer after 5 attempts")

    def read(self, reference: str) -> None:
        response = self.call("GET", f"{SI}/{self.ids[reference]}")
        if response.status_code == 200:
            self.seen[reference] = response.json()["status"]

    def call(self, method: str, path: str, **options: Any) -> httpx.Response:
        """One call; a 429 or 503 is retried (up to 3 times) after waiting as long as its Retry-After says."""
        for _ in range(3):
            response = self.http.request(method, path, headers=self._auth(), **options)
            self.log.append(f"{method} {path}: {response.status_code}")
            if response.status_code not in (429, 503):
                break
            if self.variant != "ignores-retry-after":
                self.sleep(float(response.headers.get("Retry-After", "1")))
        return response

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _poll_due(self, now: datetime) -> bool:
        if self.last_poll is not None and now - self.last_poll < self.poll_every:
            return False
        self.last_poll = now
        return True

    @staticmethod
    def _open(now: datetime) -> bool:
        """The API's function windows: 08:00-15:45 and 17:00-19:00."""
        return _at(now, "08:00") <= now < _at(now, "15:45") or _at(now, "17:00") <= now < _at(now, "19:00")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=VARIANTS, default="correct")
    args = parser.parse_args()
    base, control = os.environ["OCP_BASE_URL"], os.environ["OCP_SIM_URL"]
    root = base.removesuffix("/ocp/v1")
    end = datetime.fromisoformat(os.environ["OCP_REHEARSAL_END"])
    with httpx.Client(base_url=root, timeout=10) as http:
        client = SiDayClient(http, os.environ["OCP_PARTICIPANT"], os.environ["OCP_TOKEN"], args.variant)
        while True:
            now = datetime.fromisoformat(httpx.get(f"{control}/clock", timeout=10).json()["now"])
            if now >= end or client.finished():
                break
            client.tick(now)
            time.sleep(0.02)
    print("\n".join(client.log))
    return 0


if __name__ == "__main__":
    sys.exit(main())
