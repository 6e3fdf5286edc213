"""Two small participant clients of the OCP API (httpx), one that retries safely and one that does not.

They are what consumer mode checks: ``CorrectClient`` reuses the Idempotency-Key on every retry of one SI,
waits as Retry-After says (or backs off after a dropped connection) and sends only contract fields.
``WrongClient`` does each of those wrong when told to: a new key per attempt, no wait, or an extra field.
``sleep`` is injectable so in-process tests advance a fake clock instead of waiting.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

SI_PATH = "/ocp/v1/settlement-instructions"


def si_body(reference: str, *, counterparty: str = "B05678", quantity: int = 1000) -> dict[str, Any]:
    """A free-of-payment delivery SI, unique by ``reference``."""
    return {"side": "DELIVER", "counterpartyId": counterparty, "stockCode": "00005", "quantity": quantity,
            "settlementDate": "2027-04-08", "paymentType": "FOP", "ownReference": reference}


@dataclass
class CorrectClient:
    http: httpx.Client
    token: str
    sleep: Callable[[float], None]
    attempts: int = 5
    backoff: float = 0.5
    log: list[str] = field(default_factory=list)

    def input_si(self, body: dict[str, Any]) -> httpx.Response | None:
        key = self.new_key()
        for attempt in range(self.attempts):
            try:
                response = self.http.post(SI_PATH, json=self.payload(body), headers=self.headers(key, attempt))
            except httpx.TransportError as exc:
                self.log.append(f"attempt {attempt}: {type(exc).__name__}")
                self.wait(self.backoff * 2 ** attempt)
                continue
            self.log.append(f"attempt {attempt}: {response.status_code}")
            if response.status_code in (429, 503):
                self.wait(float(response.headers.get("Retry-After", self.backoff * 2 ** attempt)))
                continue
            return response
        return None

    def enquire_discontinued_di(self) -> httpx.Response:
        """Enquire DI, a PG function the OCP API does not offer (only the wrong client should call it)."""
        return self.http.get("/ocp/v1/delivery-instructions", headers={"Authorization": f"Bearer {self.token}"})

    # the knobs WrongClient turns
    def new_key(self) -> str:
        return uuid.uuid4().hex

    def headers(self, key: str, attempt: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Idempotency-Key": key}

    def wait(self, seconds: float) -> None:
        self.sleep(seconds)

    def payload(self, body: dict[str, Any]) -> dict[str, Any]:
        return body


@dataclass
class WrongClient(CorrectClient):
    """Retries unsafely in the ways switched on."""

    new_key_on_retry: bool = False
    no_backoff: bool = False
    extra_field: bool = False

    def headers(self, key: str, attempt: int) -> dict[str, str]:
        if self.new_key_on_retry and attempt:
            key = self.new_key()
        return super().headers(key, attempt)

    def wait(self, seconds: float) -> None:
        if not self.no_backoff:
            super().wait(seconds)

    def payload(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "priority": "HIGH"} if self.extra_field else body
