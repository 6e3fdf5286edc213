"""The simulator's mutable state: the domain simulation, participants' tokens and idempotency records."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ocp_conformance.simulator.ccass import DEFAULT_RULES, DEFAULT_TRADES_PER_DAY, Simulation, SiRules

if TYPE_CHECKING:
    from ocp_conformance.simulator.persistence.journal import Journal

__all__ = ["DEMO_TOKEN_SEED", "IdempotencyRecord", "SimulatorState", "demo_token"]

DEMO_TOKEN_SEED = "ocp-conformance-demo"


def demo_token(participant_id: str, seed: str = DEMO_TOKEN_SEED) -> str:
    """The bearer token of a demo participant: stable for a seed, so workflows and scripts can be given it."""
    digest = hashlib.sha256(f"{seed}:{participant_id}".encode()).hexdigest()[:24]
    return f"sim_{participant_id}_{digest}"


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The first reply to a (participant, operationId, Idempotency-Key)."""

    request_hash: str
    status: int
    body: Any
    headers: dict[str, str]


@dataclass(slots=True)
class SimulatorState:
    """Everything a reset restores."""

    token_seed: str = DEMO_TOKEN_SEED
    rules: SiRules = DEFAULT_RULES
    patches: tuple[Callable[[Simulation], None], ...] = ()
    """Applied to every simulation built (at start and on reset): how fault profiles break deeper rules."""
    trades_per_day: int = DEFAULT_TRADES_PER_DAY
    """Records in each GCP's trade feed per business date."""
    start: datetime | None = None
    """Where the business clock of every simulation built starts (None: the domain's default start); a rehearsal
    sets it to its business date's opening time, then resets."""
    simulation: Simulation = field(init=False)
    idempotency: dict[tuple[str, str, str], IdempotencyRecord] = field(default_factory=dict)
    refusing: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Refusing token -> (participant, the error code every request presenting it gets): see
    :meth:`refusing_token`."""
    tokens: dict[str, str] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    """Held while anything reads or changes :attr:`simulation`: every HTTP handler call, and the processing of a
    RAP upload (which runs on the SFTP delivery thread), so each is atomic with respect to the others."""
    journal: Journal | None = field(default=None, repr=False, compare=False)
    """Where state changes are recorded before they are answered (``simulate --state``); kept across resets."""
    issued: dict[str, str] | None = field(default=None, repr=False, compare=False)
    """Participant id -> token, in place of the demo tokens (see :meth:`use_tokens`); kept across resets."""

    def __post_init__(self) -> None:
        self.simulation = self._new_simulation()
        self._issue_tokens()

    def reset(self) -> None:
        self.simulation = self._new_simulation()
        self.idempotency.clear()
        self.refusing.clear()
        self._issue_tokens()

    def _new_simulation(self) -> Simulation:
        simulation = Simulation(rules=self.rules, trades_per_day=self.trades_per_day, start=self.start,
                                standing_demo=True)
        for patch in self.patches:
            patch(simulation)
        return simulation

    def _issue_tokens(self) -> None:
        participants = self.simulation.reference.participants
        if self.issued is not None:
            self.tokens = {token: pid for pid, token in self.issued.items() if pid in participants}
        else:
            self.tokens = {demo_token(pid, self.token_seed): pid for pid in participants}

    def use_tokens(self, tokens: dict[str, str]) -> None:
        """Issue ``tokens`` (participant id -> token) instead of the demo tokens, e.g. random ones for a simulator
        served beyond loopback; a participant without one cannot authenticate."""
        self.issued = dict(tokens)
        self._issue_tokens()

    def token_of(self, participant_id: str) -> str:
        for token, pid in self.tokens.items():
            if pid == participant_id:
                return token
        raise KeyError(participant_id)

    def refusing_token(self, participant_id: str, code: str) -> str:
        """A token of ``participant_id`` that every API request presenting it is refused with ``code`` (simulator
        control: how a suite provokes FUNCTION_NOT_SUBSCRIBED, RATE_LIMITED, SERVICE_UNAVAILABLE or
        SERVICE_WINDOW_CLOSED without changing anything for anyone else). It reads and changes nothing, so it is
        no credential; it is derived from the participant's own token, so it is the same after a restart that
        replays the journal and cannot be guessed where the own token cannot."""
        digest = hashlib.sha256(f"{self.token_of(participant_id)}:refused:{code}".encode()).hexdigest()[:24]
        token = f"refused_{participant_id}_{digest}"
        self.refusing[token] = (participant_id, code)
        return token

    def refusal_of(self, authorization: str | None) -> tuple[str, str] | None:
        """(participant, code) of a refusing token (:meth:`refusing_token`) presented as a bearer token."""
        scheme, _, token = (authorization or "").partition(" ")
        return self.refusing.get(token.strip()) if scheme.lower() == "bearer" else None

    def participant_of(self, authorization: str | None) -> str | None:
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.tokens.get(token.strip())
