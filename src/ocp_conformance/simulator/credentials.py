"""Which bearer tokens the served simulator issues: fixed demo tokens on loopback, random ones beyond it.

Demo tokens are ``sim_<participant>_`` plus a hash of a public seed (:func:`ocp_conformance.simulator.state.
demo_token`): anyone can compute them, which is what a demo on one's own machine wants (workflows and scripts can
be given them). A simulator listening beyond loopback is reachable by others, so ``simulate`` issues random tokens
per start instead (printed once), or the tokens of a ``--tokens-file``.

A tokens file has one ``PARTICIPANT TOKEN`` pair a line; blank lines and ``#`` comments are ignored; a token is
16 to 128 printable ASCII characters without spaces; participants not listed get a random token.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Final

__all__ = ["TokensFileError", "is_loopback", "random_tokens", "read_tokens_file"]

_TOKEN: Final = re.compile(r"[!-~]{16,128}")


class TokensFileError(ValueError):
    """A tokens file cannot be used; the message says ``file:line``, what was received and what is expected."""


def is_loopback(host: str) -> bool:
    """True if ``host`` is reachable only from this machine (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything


def random_tokens(participants: Iterable[str]) -> dict[str, str]:
    """A fresh, unguessable token per participant (same shape as the demo tokens)."""
    return {pid: f"sim_{pid}_{secrets.token_hex(12)}" for pid in participants}  # 96 bits, as wide as a demo token


def read_tokens_file(path: Path, participants: Iterable[str]) -> dict[str, str]:
    """The tokens of ``path`` for ``participants``, random for those it does not list (:class:`TokensFileError`)."""
    known = set(participants)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TokensFileError(f"{path}: cannot read it ({getattr(exc, 'strerror', None) or exc}); expected a "
                              "UTF-8 text file of `PARTICIPANT TOKEN` lines") from None
    tokens: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        where = f"{path}:{number}"
        parts = text.split()
        if len(parts) != 2:
            raise TokensFileError(f"{where}: received {len(parts)} field(s); expected `PARTICIPANT TOKEN`")
        pid, token = parts
        if pid not in known:
            raise TokensFileError(f"{where}: received participant {pid!r}; expected one of the simulator's: "
                                  f"{', '.join(sorted(known))}")
        if pid in tokens:
            raise TokensFileError(f"{where}: participant {pid} is listed twice; expected one token each")
        if not _TOKEN.fullmatch(token):
            raise TokensFileError(f"{where}: the token of {pid} is not 16-128 printable ASCII characters without "
                                  "spaces; make one with `python -c 'import secrets; print(secrets.token_hex(24))'`")
        if token in tokens.values():
            raise TokensFileError(f"{where}: the token of {pid} is another participant's too; expected one each")
        tokens[pid] = token
    return {**random_tokens(known - set(tokens)), **tokens}
