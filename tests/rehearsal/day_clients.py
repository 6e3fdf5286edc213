"""Example automated participant clients for the mass ATI/STI day (rehearsals/mass-transfer-day.yaml) and the
corporate-action election day (rehearsals/ca-election-day.yaml).

Like :mod:`tests.rehearsal.example_client`, ``tick(now)`` does whatever is due at business time ``now``; the correct
client completes every task, and each variant gets one thing wrong, the way a participant's system might:

Mass ATI/STI day (:class:`MassTransferDayClient`):

- ``no-pickup``: reads the mass submission once, before the batch run processes it, and never picks up its outcome;
- ``double-submit``: after a dropped connection, inputs the ATI again with a new Idempotency-Key.

CA election day (:class:`CaElectionDayClient`), uploading RAP files by HTTP (``POST /rap/v1/files/{fileName}``):

- ``late-change``: uploads the change of ELEC-1 at 16:30, after the 16:00 CCASS deadline;
- ``ignores-result``: never reads the first file's result, so the rejected ELEC-2 is never corrected.

Run as a program (``ocp-conformance rehearse SCRIPT --client``)::

    python tests/rehearsal/day_clients.py mass-transfer-day [--variant no-pickup]
    python tests/rehearsal/day_clients.py ca-election-day [--variant late-change]
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

MASS_VARIANTS = ("correct", "no-pickup", "double-submit")
CA_VARIANTS = ("correct", "late-change", "ignores-result")
API = "/ocp/v1"
EVENT = "CA2027000101"


def _at(now: datetime, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return now.replace(hour=hours, minute=minutes, second=0, microsecond=0)


def _api_open(now: datetime) -> bool:
    """The API's function windows: 08:00-15:45 and 17:00-19:00."""
    return _at(now, "08:00") <= now < _at(now, "15:45") or _at(now, "17:00") <= now < _at(now, "19:00")


@dataclass
class _Client:
    http: httpx.Client
    """Its base URL is the server root (paths start with /ocp/v1 and /rap/v1)."""
    participant: str
    token: str
    variant: str = "correct"
    done: set[str] = field(default_factory=set)
    log: list[str] = field(default_factory=list)
    sleep: Callable[[float], None] = time.sleep

    def call(self, method: str, path: str, **options: Any) -> httpx.Response:
        """One call; a 429 or 503 is retried (up to 3 times) after waiting as long as its Retry-After says."""
        headers = {**self._auth(), **options.pop("headers", {})}
        for _ in range(3):
            response = self.http.request(method, path, headers=headers, **options)
            self.log.append(f"{method} {path}: {response.status_code}")
            if response.status_code not in (429, 503):
                break
            self.sleep(float(response.headers.get("Retry-After", "1")))
        return response

    def create(self, path: str, body: dict[str, Any], what: str) -> dict[str, Any]:
        """A create call, retried after a dropped connection with the same Idempotency-Key (a new one in the
        ``double-submit`` variant: the defect)."""
        key = uuid.uuid4().hex
        for attempt in range(5):
            if attempt and self.variant == "double-submit":
                key = uuid.uuid4().hex
            try:
                response = self.http.post(path, json=body, headers={**self._auth(), "Idempotency-Key": key})
            except httpx.TransportError as exc:
                self.log.append(f"{what}: {type(exc).__name__}, retrying")
                continue
            if response.status_code in (200, 201):
                answer: dict[str, Any] = response.json()
                return answer
            raise RuntimeError(f"{what}: {response.status_code} {response.text}")
        raise RuntimeError(f"{what}: no answer after 5 attempts")

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class MassTransferDayClient(_Client):
    poll_every: timedelta = timedelta(minutes=10)
    ids: dict[str, str] = field(default_factory=dict)
    mass_status: str | None = None
    last_poll: datetime | None = None

    def tick(self, now: datetime) -> None:
        if "ati" not in self.done and _api_open(now):
            answer = self.create(f"{API}/account-transfers", {
                "fromAccount": "01", "toAccount": "02", "stockCode": "00700", "quantity": 5000,
                "ownReference": "MTD-ATI-1"}, "Input ATI")
            self.ids["MTD-ATI-1"] = answer["atiId"]
            answer = self.create(f"{API}/segregated-transfers", {
                "fromAccount": "02", "toAccount": "01", "stockCode": "00005", "quantity": 2000, "paymentType": "FOP",
                "ownReference": "MTD-STI-1"}, "Input STI")
            self.ids["MTD-STI-1"] = answer["stiId"]
            self.done.add("ati")
        if now >= _at(now, "09:00") and "mass" not in self.done:
            answer = self.create(f"{API}/mass-transfers", {"ownReference": "MTD-MASS-1", "items": [
                {"kind": "ATI", "fromAccount": "01", "toAccount": "02", "stockCode": "00700", "quantity": 2000},
                {"kind": "STI", "fromAccount": "02", "toAccount": "01", "stockCode": "00005", "quantity": 1000,
                 "paymentType": "FOP"},
                {"kind": "ATI", "fromAccount": "02", "toAccount": "01", "stockCode": "00388", "quantity": 50000},
            ]}, "Input Mass ATI/STI")
            self.ids["MTD-MASS-1"] = answer["massId"]
            self.mass_status = answer["status"]
            self.done.add("mass")
        gave_up = self.variant == "no-pickup" and "read-once" in self.done  # the defect: one read, never again
        if "mass" in self.done and self.mass_status == "RECEIVED" and not gave_up and _api_open(now) \
                and self._poll_due(now):
            response = self.call("GET", f"{API}/mass-transfers/{self.ids['MTD-MASS-1']}")
            if response.status_code == 200:
                self.mass_status = response.json()["status"]
            self.done.add("read-once")
        if now >= _at(now, "17:05") and "eod" not in self.done and _api_open(now):
            self.call("GET", f"{API}/segregated-transfers/{self.ids['MTD-STI-1']}")
            self.call("GET", f"{API}/stock-accounts/{self.participant}01/balances")
            self.done.add("eod")

    def finished(self) -> bool:
        return "eod" in self.done

    def _poll_due(self, now: datetime) -> bool:
        if self.last_poll is not None and now - self.last_poll < self.poll_every:
            return False
        self.last_poll = now
        return True


@dataclass
class CaElectionDayClient(_Client):
    sequence: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)

    def tick(self, now: datetime) -> None:
        if now >= _at(now, "09:00") and "upload" not in self.done:
            result = self.upload(now, [("ELEC-1", "01", 20000, "SCRIP"), ("ELEC-2", "02", 12000, "CASH")])
            self.done.add("upload")
            if self.variant != "ignores-result":
                rejected = {r.get("clientReference") for r in result.get("records", []) if not r.get("accepted")}
                if "ELEC-2" in rejected:  # account 02 holds 10,000: instruct on what it holds
                    self.upload(now, [("ELEC-2", "02", 10000, "CASH")])
        change_at = "16:30" if self.variant == "late-change" else "13:10"
        if now >= _at(now, change_at) and "change" not in self.done:
            self.upload(now, [("ELEC-1", "01", 15000, "SCRIP")])
            self.done.add("change")
        if now >= _at(now, "17:05") and "enquire" not in self.done and _api_open(now):
            self.call("GET", f"{API}/stock-accounts/{self.participant}01/balances")
            self.done.add("enquire")

    def finished(self) -> bool:
        return "enquire" in self.done

    def upload(self, now: datetime, records: list[tuple[str, str, int, str]]) -> dict[str, Any]:
        """An ELECTION file (contracts/rap/election.yaml) uploaded by HTTP; the answer is its result file."""
        self.sequence += 1
        day = now.date()
        lines = [f"H,ELECTION,{self.participant},{day.isoformat()},{self.sequence}"]
        lines += [f"D,{reference},{EVENT},00005,{account},{quantity},{option}"
                  for reference, account, quantity, option in records]
        lines.append(f"T,{len(records)},{sum(quantity for _, _, quantity, _ in records)}")
        name = f"{self.participant}_ELECTION_{day:%Y%m%d}_{self.sequence:03d}.csv"
        response = self.call("POST", f"/rap/v1/files/{name}", content="\r\n".join(lines) + "\r\n",
                             headers={"Content-Type": "text/csv"})
        if response.status_code != 200:
            raise RuntimeError(f"upload {name}: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        self.results.append(result)
        return result


CLIENTS: dict[str, tuple[type[MassTransferDayClient] | type[CaElectionDayClient], tuple[str, ...]]] = {
    "mass-transfer-day": (MassTransferDayClient, MASS_VARIANTS),
    "ca-election-day": (CaElectionDayClient, CA_VARIANTS),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", choices=sorted(CLIENTS))
    parser.add_argument("--variant", default="correct")
    args = parser.parse_args()
    kind, variants = CLIENTS[args.script]
    if args.variant not in variants:
        parser.error(f"--variant: one of {', '.join(variants)}")
    base, control = os.environ["OCP_BASE_URL"], os.environ["OCP_SIM_URL"]
    end = datetime.fromisoformat(os.environ["OCP_REHEARSAL_END"])
    with httpx.Client(base_url=base.removesuffix("/ocp/v1"), timeout=10) as http:
        client = kind(http, os.environ["OCP_PARTICIPANT"], os.environ["OCP_TOKEN"], args.variant)
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
