"""Slow down guessing of SFTP passwords: an exponential delay per (user, peer) and per peer after failures.

The RAP SFTP server takes a participant's bearer token as its password. Without a delay a client tries hundreds
of passwords a second. A few failures are free (a person mistyping); after that each further attempt from the
same peer, for the same user or for any user, waits ``base_delay * 2**n`` seconds (at most ``max_delay``) before
it is answered, right or wrong. A success clears the user's count from that peer. Memory is bounded: the
least recently seen keys are forgotten past ``max_tracked``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

__all__ = ["LoginThrottle"]


@dataclass(slots=True)
class LoginThrottle:
    """Failure counts and the delay they earn (seconds)."""

    base_delay: float = 0.5
    max_delay: float = 16.0
    free_per_user: int = 3
    """Failures of one user from one peer before any delay."""
    free_per_peer: int = 10
    """Failures from one peer, over all user names, before any delay."""
    max_tracked: int = 10_000
    _failures: OrderedDict[str, int] = field(default_factory=OrderedDict)

    def delay(self, user: str, peer: str) -> float:
        """How long to wait before answering the next attempt of ``user`` from ``peer``."""
        excess = max(self._failures.get(_user_key(user, peer), 0) - self.free_per_user,
                     self._failures.get(_peer_key(peer), 0) - self.free_per_peer)
        if excess <= 0:
            return 0.0
        return float(min(self.base_delay * 2.0 ** min(excess - 1, 32), self.max_delay))

    def failed(self, user: str, peer: str) -> None:
        for key in (_user_key(user, peer), _peer_key(peer)):
            self._failures[key] = self._failures.pop(key, 0) + 1
        while len(self._failures) > self.max_tracked:
            self._failures.popitem(last=False)

    def succeeded(self, user: str, peer: str) -> None:
        self._failures.pop(_user_key(user, peer), None)


def _user_key(user: str, peer: str) -> str:
    return f"{user}\0{peer}"


def _peer_key(peer: str) -> str:
    return f"\0{peer}"
