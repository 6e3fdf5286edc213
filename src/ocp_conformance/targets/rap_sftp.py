"""A URL target's RAP channel by SFTP (``run --rap-sftp HOST:PORT [--rap-known-hosts FILE]``).

The SFTP user is the participant id; its password is ``OCP_RAP_PASSWORD_<PARTICIPANT>`` if set, else the
participant's bearer token (``OCP_TOKEN_<PARTICIPANT>``), which is what ``ocp-conformance simulate`` accepts.
Passwords come from the environment only, never the command line, and are redacted like tokens.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ocp_conformance.targets.rap_channel import SftpRapChannel
from ocp_conformance.targets.target import Target, TargetError

__all__ = ["RAP_PASSWORD_ENV_PREFIX", "attach_sftp_channel", "parse_host_port"]

RAP_PASSWORD_ENV_PREFIX = "OCP_RAP_PASSWORD_"


def parse_host_port(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT`` for IPv6), or a :class:`TargetError` saying what was expected."""
    host, sep, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise TargetError(f"--rap-sftp {value!r}: expected HOST:PORT with a port from 1 to 65535, e.g. "
                          "--rap-sftp 127.0.0.1:2222 (the port `ocp-conformance simulate --rap-sftp-port` prints)")
    return host, int(port)


def attach_sftp_channel(target: Target, value: str, known_hosts: Path | None = None,
                        environ: Mapping[str, str] | None = None) -> Target:
    """Give ``target`` an :class:`SftpRapChannel` to ``value`` (HOST:PORT), one password per participant."""
    host, port = parse_host_port(value)
    if known_hosts is not None and not known_hosts.is_file():
        raise TargetError(f"--rap-known-hosts {known_hosts}: no such file; give an OpenSSH known_hosts file with "
                          f"the key of {host}:{port} (e.g. from ssh-keyscan -p {port} {host})")
    environ = os.environ if environ is None else environ
    passwords = {participant: environ.get(f"{RAP_PASSWORD_ENV_PREFIX}{participant}", "").strip() or token
                 for participant, token in target.tokens.items()}
    target.rap = SftpRapChannel(host, port, passwords, known_hosts=known_hosts)
    target.rap_secrets = tuple(p for p in passwords.values() if p)
    return target
