"""Did the client retry each injected failure safely? Verdicts from the recorded exchanges alone.

For each injected failure, its retry (the next request with the same fingerprint or the same Idempotency-Key
from the same participant, found by the recorder) is judged on:

- ``same-idempotency-key``: a retry of an instruction sends the key of the failed attempt (else a dropped
  connection's retry creates the instruction twice);
- ``backoff``: after 429/503 the retry waits at least ``Retry-After``; after a dropped connection, at least
  ``min_backoff`` seconds (no immediate hammering);
- ``no-duplicate``: after a dropped connection (the first attempt *was* processed), the retry does not create
  a second instruction.

A failure nobody retried gets ``retried: not-observed``: nothing was shown either way. Separately, any two
instructions created from the same request by one participant without a replay are a duplicate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ocp_conformance.consumer.recorder import Exchange

__all__ = ["RetryCheck", "RetryOutcome", "VerdictState", "analyse_retries", "duplicate_creations"]

VerdictState = Literal["pass", "fail", "not-observed"]


@dataclass(frozen=True, slots=True)
class RetryCheck:
    """One verdict on one retry: which rule, pass/fail/not-observed, and the evidence in words."""

    name: str
    state: VerdictState
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"check": self.name, "state": self.state, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class RetryOutcome:
    """An injected failure, the retry that followed it (if any) and the verdicts on it."""

    failed: Exchange
    retry: Exchange | None
    delay: float | None
    checks: tuple[RetryCheck, ...]

    @property
    def state(self) -> VerdictState:
        states = {c.state for c in self.checks}
        return "fail" if "fail" in states else "not-observed" if "not-observed" in states else "pass"

    def to_json(self) -> dict[str, Any]:
        return {"injected": self.failed.injected, "operationId": self.failed.operation_id,
                "function": self.failed.function, "exchange": self.failed.index,
                "retry": None if self.retry is None else self.retry.index,
                "delay": None if self.delay is None else round(self.delay, 3), "state": self.state,
                "checks": [c.to_json() for c in self.checks]}


def analyse_retries(exchanges: Sequence[Exchange], *, retry_after: int, min_backoff: float) -> list[RetryOutcome]:
    """One outcome per injected failure, in the order they were injected."""
    retries = {e.retry_of: e for e in exchanges if e.retry_of is not None}
    outcomes = []
    for failed in (e for e in exchanges if e.injected is not None):
        retry = retries.get(failed.index)
        if retry is None:
            outcomes.append(RetryOutcome(failed, None, None, (RetryCheck(
                "retried", "not-observed", f"the client never retried #{failed.index} ({_what(failed)}); its retry "
                "behaviour was not shown"),)))
            continue
        sent = failed.responded_at if failed.responded_at is not None else failed.at
        delay = retry.at - sent
        outcomes.append(RetryOutcome(failed, retry, delay, tuple(_checks(failed, retry, delay, retry_after,
                                                                         min_backoff))))
    return outcomes


def _checks(failed: Exchange, retry: Exchange, delay: float, retry_after: int, min_backoff: float) -> list[RetryCheck]:
    checks = [RetryCheck("retried", "pass", f"#{retry.index} retried #{failed.index} ({_what(failed)})")]
    if failed.creates or failed.idempotency_key or retry.idempotency_key:
        if retry.idempotency_key == failed.idempotency_key:
            checks.append(RetryCheck("same-idempotency-key", "pass",
                                     f"the retry sent the failed attempt's Idempotency-Key {failed.idempotency_key!r}"))
        else:
            checks.append(RetryCheck(
                "same-idempotency-key", "fail",
                f"Received: Idempotency-Key {retry.idempotency_key!r} on retry #{retry.index}. Expected: "
                f"{failed.idempotency_key!r}, the key of the failed attempt #{failed.index}; a new key makes the "
                "retry a new instruction (reuse the key for every retry of one instruction)"))
    required = float(retry_after) if failed.injected in ("429", "503") else min_backoff
    why = (f"Retry-After: {retry_after}" if failed.injected in ("429", "503")
           else f"the minimum backoff after a dropped connection, {min_backoff:g} s")
    if delay >= required:
        checks.append(RetryCheck("backoff", "pass", f"the retry waited {delay:.2f} s (at least {required:g} s, {why})"))
    else:
        checks.append(RetryCheck(
            "backoff", "fail", f"Received: a retry {delay:.2f} s after the {_kind(failed)}. Expected: at least "
            f"{required:g} s ({why}); wait as the server says, backing off exponentially when it does not say"))
    if failed.injected == "drop" and failed.created:
        if retry.created:
            checks.append(RetryCheck(
                "no-duplicate", "fail", f"Received: retry #{retry.index} created a second instruction (status "
                f"{retry.status}, not a replay) although #{failed.index} had been processed before the connection "
                "dropped. Expected: the first reply again (same Idempotency-Key, Idempotent-Replayed: true)"))
        else:
            checks.append(RetryCheck("no-duplicate", "pass", f"retry #{retry.index} created nothing new (status "
                                     f"{retry.status}{', replayed' if retry.replayed else ''})"))
    return checks


def duplicate_creations(exchanges: Sequence[Exchange]) -> list[tuple[Exchange, ...]]:
    """Groups of exchanges that each created an instruction from the same request of the same participant."""
    groups: dict[tuple[str, str], list[Exchange]] = defaultdict(list)
    for exchange in exchanges:
        if exchange.created:
            groups[(exchange.participant or "", exchange.fingerprint)].append(exchange)
    return [tuple(group) for group in groups.values() if len(group) > 1]


def _what(exchange: Exchange) -> str:
    return f"{exchange.operation_id or exchange.method + ' ' + exchange.path}, {_kind(exchange)}"


def _kind(exchange: Exchange) -> str:
    return {"429": "injected 429", "503": "injected 503", "drop": "dropped connection"}.get(exchange.injected or "",
                                                                                           "failure")
