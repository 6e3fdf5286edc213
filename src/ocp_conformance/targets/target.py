"""A Target: where the suites send requests, as whom, and what it can do beyond OCP."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from ocp_conformance.targets.rap_channel import RapChannel

__all__ = ["CLOCK_CONTROL", "Target", "TargetError"]

CLOCK_CONTROL = "clock-control"
"""Capability: the target serves simulator-control.yaml (reset, seed, advance the clock, settle now)."""


class TargetError(Exception):
    """The target cannot be used as configured: says what is wrong and how to fix it."""


@dataclass(slots=True)
class Target:
    """Base URL + transport + per-participant auth + capabilities."""

    name: str
    kind: str
    base_url: str
    tokens: Mapping[str, str]
    """participant ID -> bearer token. Secret: never logged, attached or reported."""
    capabilities: frozenset[str] = frozenset()
    roles: tuple[str, ...] = ()
    """Participants in the order the suites act as them (first = the participant under test); default sorted."""
    make_client: Callable[[], httpx.Client] | None = None
    description: str = ""
    rap: RapChannel | None = None
    """How RAP files reach the target (in process, or SFTP); ``None``: the RAP suites skip, saying why."""
    rap_secrets: tuple[str, ...] = ()
    """The RAP channel's passwords. Secret: never logged, attached or reported."""
    header_auth: Callable[[str], dict[str, str]] | None = None
    """participant ID -> authentication headers, when not ``Authorization: Bearer <tokens[participant]>``
    (OAuth2, API keys, mutual TLS alone); ``tokens`` then holds a per-participant handle the scenarios pass."""
    extra_secrets: Callable[[], list[str]] | None = None
    """Secret values beyond ``tokens`` (client secrets, API keys, private keys), for redaction."""
    warnings: tuple[str, ...] = ()
    """Settings that weaken the run's guarantees (e.g. TLS verification off), reported loudly."""
    _client: httpx.Client | None = field(default=None, repr=False)

    @property
    def participants(self) -> tuple[str, ...]:
        return tuple(sorted(self.tokens))

    def acting_pair(self) -> tuple[str, str]:
        """The participant under test and its counterparty: suites and scenarios act as these two."""
        order = [p for p in self.roles if p in self.tokens] or list(self.participants)
        if len(order) < 2:
            raise TargetError(
                f"the suites act as two participants (one side and its counterparty), but target {self.name} has "
                f"credentials for {len(order)}: {', '.join(order) or 'none'}. Set OCP_TOKEN_<PARTICIPANT> for two "
                "participants (e.g. OCP_TOKEN_B01234 and OCP_TOKEN_B05678); OCP_PARTICIPANTS=B01234,B05678 chooses "
                "which acts first"
            )
        return order[0], order[1]

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    def http(self) -> httpx.Client:
        """The shared HTTP client (created on first use)."""
        if self._client is None:
            if self.make_client is None:
                raise TargetError(f"target {self.name} has no transport")
            self._client = self.make_client()
        return self._client

    def token(self, participant: str) -> str:
        try:
            return self.tokens[participant]
        except KeyError:
            known = ", ".join(self.participants) or "none"
            raise TargetError(
                f"target {self.name} has no credentials for participant {participant} (it has: {known}); "
                f"set OCP_TOKEN_{participant} or choose one of those"
            ) from None

    def auth_headers(self, participant: str | None) -> dict[str, str]:
        if participant is None:
            return {}
        if self.header_auth is not None:
            self.token(participant)  # an unknown participant is a TargetError saying who is configured
            return self.header_auth(participant)
        return {"Authorization": f"Bearer {self.token(participant)}"}

    def secrets(self) -> list[str]:
        """Every secret value this target holds, for the report's redaction and secret scan."""
        extra = self.extra_secrets() if self.extra_secrets is not None else []
        return [t for t in [*self.tokens.values(), *self.rap_secrets, *extra] if t]

    def rap_channel(self) -> RapChannel:
        """The RAP upload channel; a :class:`TargetError` saying how to configure one if there is none."""
        if self.rap is None:
            raise TargetError(f"target {self.name} has no RAP upload channel, so RAP file checks cannot run; give "
                              "the target a RAP SFTP host (the embedded simulator has one built in)")
        return self.rap

    def close(self) -> None:
        if self.rap is not None:
            self.rap.close()
        if self._client is not None:
            self._client.close()
            self._client = None
