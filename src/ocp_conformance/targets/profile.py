"""Target profiles and the capability profile, read from ``ocp-conformance.toml`` (stdlib ``tomllib``).

A profile says where a target is and how each participant authenticates; secrets are never written in it,
only the environment variable or file that holds them. ``docs/ocp-conformance.example.toml`` shows every key.
Any defect is a :class:`~ocp_conformance.contracts.SourceError` at ``file:line:column`` with the fix. tomllib
gives no positions, so :class:`_Locator` finds table headers and ``key =`` lines by scanning the text (a header
inside a multi-line string would confuse it: the error then points at a nearby line).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from ocp_conformance.contracts.source import SourceError, SourceLocation, read_source
from ocp_conformance.contracts.suggest import did_you_mean

__all__ = ["AUTH_TYPES", "DEFAULT_CONFIG", "AuthProfile", "Config", "ParticipantProfile", "RunProfile", "SecretRef",
           "TargetProfile", "load_config"]

DEFAULT_CONFIG = Path("ocp-conformance.toml")
AuthType = Literal["oauth2", "bearer", "api-key", "mtls"]
AUTH_TYPES: tuple[AuthType, ...] = ("oauth2", "bearer", "api-key", "mtls")
_PARTICIPANT = re.compile(r"^[A-Z][0-9]{5}$")
_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_TARGET_KEYS = ("base_url", "rap_sftp_host", "rap_sftp_known_hosts", "ca_bundle", "insecure", "timeout",
                "connect_timeout", "max_concurrency", "rate_limit", "client_cert", "client_key", "participants",
                "auth")
_AUTH_KEYS: dict[AuthType, tuple[str, ...]] = {
    "oauth2": ("token_url", "client_id", "client_secret_env", "client_secret_file", "scope"),
    "bearer": ("token_env", "token_file"),
    "api-key": ("header", "key_env", "key_file"),
    "mtls": (),
}
_CERT_KEYS = ("client_cert", "client_key")
_PARTICIPANT_KEYS = ("type", "functions", "file_types", "pg_user")
_RUN_KEYS = ("fail_on",)
_TOP_KEYS = ("targets", "participant", "run")
#: Keys that would hold a secret inline, and the keys to use instead.
_INLINE_SECRETS = {"client_secret": "client_secret_env or client_secret_file", "token": "token_env or token_file",
                   "key": "key_env or key_file", "api_key": "key_env or key_file", "password": "an _env or _file key"}
_EXAMPLE = ('[targets.portal]\nbase_url = "https://ocp-test.example.hk"\n\n[targets.portal.auth.B01234]\n'
            'type = "bearer"\ntoken_env = "PORTAL_TOKEN_B01234"')


@dataclass(frozen=True, slots=True)
class SecretRef:
    """Where a secret is: an environment variable or a file (never the value itself)."""

    env: str | None
    file: Path | None
    location: SourceLocation

    def describe(self) -> str:
        return f"environment variable {self.env}" if self.env else f"file {self.file}"


@dataclass(frozen=True, slots=True)
class AuthProfile:
    """How one participant authenticates to one target."""

    participant: str
    type: AuthType
    location: SourceLocation
    secret: SecretRef | None = None
    token_url: str | None = None
    client_id: str | None = None
    scope: str | None = None
    header: str = "X-API-Key"
    client_cert: Path | None = None
    client_key: Path | None = None
    cert_location: SourceLocation | None = None
    """Where ``client_cert`` is set, for messages about the certificate."""


@dataclass(frozen=True, slots=True)
class TargetProfile:
    """``[targets.NAME]``: one target and its participants' credentials."""

    name: str
    base_url: str
    location: SourceLocation
    auth: dict[str, AuthProfile]
    participants: tuple[str, ...] = ()
    """Who acts first (the participant under test) and its counterparty; default: the auth tables in order."""
    rap_sftp_host: str | None = None
    rap_sftp_port: int = 22
    rap_sftp_known_hosts: Path | None = None
    ca_bundle: Path | None = None
    insecure: bool = False
    timeout: float = 30.0
    connect_timeout: float = 10.0
    max_concurrency: int = 4
    rate_limit: float = 10.0
    """Requests per second, at most, across the whole run (a shared portal must never be flooded)."""
    client_cert: Path | None = None
    client_key: Path | None = None
    cert_location: SourceLocation | None = None

    @property
    def acting_order(self) -> tuple[str, ...]:
        return self.participants or tuple(self.auth)


@dataclass(frozen=True, slots=True)
class ParticipantProfile:
    """``[participant]``: the capability profile (DESIGN.md §8)."""

    type: str
    functions: tuple[str, ...]
    file_types: tuple[str, ...]
    pg_user: bool
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class RunProfile:
    """``[run]``: defaults of ``ocp-conformance run`` that its options override."""

    fail_on: tuple[str, ...]
    """``run --fail-on`` conditions, unparsed (the reporting layer parses them; empty: not set here)."""
    fail_on_location: SourceLocation
    """Where ``fail_on`` is written, for an error about one of its values."""


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    targets: dict[str, TargetProfile] = field(default_factory=dict)
    participant: ParticipantProfile | None = None
    run: RunProfile | None = None

    def target(self, name: str) -> TargetProfile:
        """The profile ``name``; a :class:`SourceError` listing the profiles there are if none."""
        try:
            return self.targets[name]
        except KeyError:
            known = ", ".join(sorted(self.targets)) or "none"
            raise SourceError(self.path, f"no target profile {name!r} (profiles here: {known})."
                              + did_you_mean(name, list(self.targets)),
                              fix=f"add a [targets.{name}] table, or pick one of those") from None


PARTICIPANT_TYPES = ("Direct Clearing", "General Clearing", "Clearing Agency", "Custodian", "Stock Lender",
                     "Stock Pledgee", "Investor Participant")


def load_config(path: Path) -> Config:
    """Read ``path``; a :class:`SourceError` at the line of the first defect, with the fix."""
    text = read_source(path, what="configuration file",
                       missing_fix="create it (see docs/ocp-conformance.example.toml) or pass --config FILE")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _POSITION.search(str(exc))
        location: SourceLocation | Path = (SourceLocation(path, int(match.group(1)), int(match.group(2)))
                                           if match else path)
        raise SourceError(location, f"invalid TOML: {_POSITION.sub('', str(exc)).strip()}",
                          fix="correct the TOML syntax there; a target looks like:\n" + _EXAMPLE) from None
    where = _Locator(path, text)
    for key in data:
        if key not in _TOP_KEYS:
            raise SourceError(where.key((), key), f"unexpected top-level key {key!r}."
                              + did_you_mean(key, _TOP_KEYS),
                              fix="the file holds [targets.NAME] tables, one [participant] table and one [run] table")
    targets_raw = data.get("targets", {})
    if not isinstance(targets_raw, dict):
        raise SourceError(where.key((), "targets"), "`targets` must be a table of [targets.NAME] tables",
                          fix="e.g.:\n" + _EXAMPLE)
    targets = {name: _target(where, name, raw) for name, raw in targets_raw.items()}
    participant = _participant(where, data["participant"]) if "participant" in data else None
    run = _run(where, data["run"]) if "run" in data else None
    return Config(path=path, targets=targets, participant=participant, run=run)


def _target(where: _Locator, name: str, raw: object) -> TargetProfile:
    table = ("targets", name)
    if not isinstance(raw, dict):
        raise SourceError(where.key(("targets",), name), f"targets.{name} must be a table",
                          fix=f"write it as [targets.{name}] with base_url and auth tables")
    _known_keys(where, table, raw, _TARGET_KEYS)
    base_url = _string(where, table, raw, "base_url", required=True)
    assert base_url is not None
    if not base_url.startswith(("http://", "https://")):
        raise SourceError(where.key(table, "base_url"), f"base_url must start with https:// (or http://), "
                          f"received {base_url!r}", fix='e.g. base_url = "https://ocp-test.example.hk"')
    auth_raw = raw.get("auth", {})
    if not isinstance(auth_raw, dict) or not auth_raw:
        raise SourceError(where.table(table), f"target {name} has no [targets.{name}.auth.PARTICIPANT] tables",
                          fix="give credentials for the two participants the suites act as, e.g.:\n" + _EXAMPLE)
    auth = {pid: _auth(where, (*table, "auth", pid), pid, value) for pid, value in auth_raw.items()}
    participants = tuple(_string_list(where, table, raw, "participants"))
    for pid in participants:
        if pid not in auth:
            raise SourceError(where.key(table, "participants"), f"participants names {pid}, which has no "
                              f"[targets.{name}.auth.{pid}] table", fix="add its credentials, or remove it")
    insecure = raw.get("insecure", False)
    if not isinstance(insecure, bool):
        raise SourceError(where.key(table, "insecure"), f"insecure must be true or false, received {insecure!r}",
                          fix="leave it out: TLS certificates are then verified (only a lab may set true)")
    cert, key = _cert_pair(where, table, raw)
    sftp = _string(where, table, raw, "rap_sftp_host")
    sftp_host, sftp_port = _host_port(where, table, sftp) if sftp else (None, 22)
    return TargetProfile(
        name=name, base_url=base_url.rstrip("/"), location=where.table(table), auth=auth, participants=participants,
        rap_sftp_host=sftp_host, rap_sftp_port=sftp_port,
        rap_sftp_known_hosts=_path(where, table, raw, "rap_sftp_known_hosts"),
        ca_bundle=_path(where, table, raw, "ca_bundle"), insecure=insecure,
        timeout=_number(where, table, raw, "timeout", 30.0), connect_timeout=_number(where, table, raw,
                                                                                     "connect_timeout", 10.0),
        max_concurrency=int(_number(where, table, raw, "max_concurrency", 4, integer=True)),
        rate_limit=_number(where, table, raw, "rate_limit", 10.0), client_cert=cert, client_key=key,
        cert_location=where.key(table, "client_cert") if cert else None)


def _auth(where: _Locator, table: tuple[str, ...], pid: str, raw: object) -> AuthProfile:
    if not _PARTICIPANT.match(pid):
        raise SourceError(where.table(table), f"{pid!r} is not a participant ID (a letter and five digits)",
                          fix=f"name the table after the participant, e.g. [{'.'.join(table[:-1])}.B01234]")
    if not isinstance(raw, dict):
        raise SourceError(where.table(table), f"auth.{pid} must be a table", fix="e.g.:\n" + _EXAMPLE)
    for inline, instead in _INLINE_SECRETS.items():
        if inline in raw:
            raise SourceError(where.key(table, inline), f"{inline} is written in the file: secrets are never "
                              "kept in a profile (it ends up in version control and in bug reports)",
                              fix=f"put the value in an environment variable or a file and name it with {instead}")
    kind = raw.get("type")
    if kind not in AUTH_TYPES:
        raise SourceError(where.key(table, "type"), f"type must be one of {', '.join(AUTH_TYPES)}, received "
                          f"{kind!r}." + did_you_mean(str(kind), AUTH_TYPES), fix='e.g. type = "oauth2"')
    auth_type = cast(AuthType, kind)
    _known_keys(where, table, raw, ("type", *_AUTH_KEYS[auth_type], *_CERT_KEYS))
    cert, key = _cert_pair(where, table, raw)
    if auth_type == "mtls" and cert is None:
        raise SourceError(where.table(table), f"mtls authentication of {pid} needs client_cert and client_key",
                          fix='e.g. client_cert = "certs/b01234.pem" and client_key = "certs/b01234.key"')
    secret_prefix = {"oauth2": "client_secret", "bearer": "token", "api-key": "key"}.get(auth_type)
    secret = _secret(where, table, raw, secret_prefix) if secret_prefix else None
    token_url = _string(where, table, raw, "token_url", required=auth_type == "oauth2")
    if token_url is not None and not token_url.startswith(("https://", "http://")):
        raise SourceError(where.key(table, "token_url"), f"token_url must be a URL, received {token_url!r}",
                          fix='e.g. token_url = "https://auth.example.hk/oauth2/token"')
    return AuthProfile(participant=pid, type=auth_type, location=where.table(table), secret=secret,
                       token_url=token_url, client_id=_string(where, table, raw, "client_id",
                                                              required=auth_type == "oauth2"),
                       scope=_string(where, table, raw, "scope"),
                       header=_string(where, table, raw, "header") or "X-API-Key", client_cert=cert, client_key=key,
                       cert_location=where.key(table, "client_cert") if cert else None)


def _secret(where: _Locator, table: tuple[str, ...], raw: dict[str, Any], prefix: str) -> SecretRef:
    env, file = _string(where, table, raw, f"{prefix}_env"), _path(where, table, raw, f"{prefix}_file")
    if (env is None) == (file is None):
        raise SourceError(where.table(table), f"give exactly one of {prefix}_env and {prefix}_file "
                          f"({'both are' if env else 'neither is'} set)",
                          fix=f'e.g. {prefix}_env = "PORTAL_{prefix.upper()}" (the variable\'s name, not the value)')
    return SecretRef(env=env, file=file, location=where.key(table, f"{prefix}_env" if env else f"{prefix}_file"))


def _participant(where: _Locator, raw: object) -> ParticipantProfile:
    table = ("participant",)
    if not isinstance(raw, dict):
        raise SourceError(where.key((), "participant"), "participant must be a table",
                          fix='write [participant] with type, functions, file_types and pg_user')
    _known_keys(where, table, raw, _PARTICIPANT_KEYS)
    kind = _string(where, table, raw, "type", required=True)
    if kind not in PARTICIPANT_TYPES:
        raise SourceError(where.key(table, "type"), f"type {kind!r} is not a participant type."
                          + did_you_mean(str(kind), PARTICIPANT_TYPES),
                          fix=f"use one of {', '.join(PARTICIPANT_TYPES)}")
    pg_user = raw.get("pg_user", False)
    if not isinstance(pg_user, bool):
        raise SourceError(where.key(table, "pg_user"), f"pg_user must be true or false, received {pg_user!r}",
                          fix="pg_user = true if the participant uses the Participant Gateway today")
    return ParticipantProfile(type=str(kind), functions=tuple(_string_list(where, table, raw, "functions")),
                              file_types=tuple(_string_list(where, table, raw, "file_types")), pg_user=pg_user,
                              location=where.table(table))


def _run(where: _Locator, raw: object) -> RunProfile:
    table = ("run",)
    if not isinstance(raw, dict):
        raise SourceError(where.key((), "run"), "run must be a table", fix='write [run] with fail_on = ["mandatory"]')
    _known_keys(where, table, raw, _RUN_KEYS)
    return RunProfile(fail_on=tuple(_string_list(where, table, raw, "fail_on")),
                      fail_on_location=where.key(table, "fail_on"))


def _known_keys(where: _Locator, table: tuple[str, ...], raw: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in raw:
        if key not in allowed:
            raise SourceError(where.key(table, key), f"unknown key {key!r} in [{'.'.join(table)}]."
                              + did_you_mean(key, allowed), fix=f"the keys here are {', '.join(allowed)}")


def _string(where: _Locator, table: tuple[str, ...], raw: dict[str, Any], key: str,
            required: bool = False) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise SourceError(where.table(table), f"[{'.'.join(table)}] lacks {key}", fix=f'add {key} = "..."')
        return None
    if not isinstance(value, str) or not value.strip():
        raise SourceError(where.key(table, key), f"{key} must be a non-empty string, received {value!r}",
                          fix=f'write it in quotes: {key} = "..."')
    return value.strip()


def _string_list(where: _Locator, table: tuple[str, ...], raw: dict[str, Any], key: str) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SourceError(where.key(table, key), f"{key} must be a list of strings, received {value!r}",
                          fix=f'e.g. {key} = ["...", "..."]')
    return [v.strip() for v in value]


def _number(where: _Locator, table: tuple[str, ...], raw: dict[str, Any], key: str, default: float,
            integer: bool = False) -> float:
    value = raw.get(key, default)
    wrong_type = isinstance(value, bool) or not isinstance(value, int | float) or (integer and isinstance(value,
                                                                                                        float))
    if wrong_type or value <= 0:
        kind = "a whole number" if integer else "a number"
        raise SourceError(where.key(table, key), f"{key} must be {kind} above 0, received {value!r}",
                          fix=f"e.g. {key} = {int(default) if integer else default}")
    return float(value)


def _path(where: _Locator, table: tuple[str, ...], raw: dict[str, Any], key: str) -> Path | None:
    value = _string(where, table, raw, key)
    if value is None:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else where.path.parent / path  # relative to the configuration file


def _cert_pair(where: _Locator, table: tuple[str, ...], raw: dict[str, Any]) -> tuple[Path | None, Path | None]:
    cert, key = _path(where, table, raw, "client_cert"), _path(where, table, raw, "client_key")
    if (cert is None) != (key is None):
        missing = "client_key" if key is None else "client_cert"
        raise SourceError(where.key(table, "client_cert" if cert else "client_key"),
                          f"mutual TLS needs both client_cert and client_key; {missing} is missing",
                          fix=f'add {missing} = "path/to/file.pem"')
    return cert, key


def _host_port(where: _Locator, table: tuple[str, ...], value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":") if ":" in value else (value, "", "22")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SourceError(where.key(table, "rap_sftp_host"), f"rap_sftp_host must be HOST or HOST:PORT, received "
                          f"{value!r}", fix='e.g. rap_sftp_host = "rap-test.example.hk:22"')
    return host, int(port)


class _Locator:
    """Positions of table headers and ``key =`` lines, found by scanning the text."""

    _HEADER = re.compile(r"^\s*\[\[?([^\]]+)\]\]?")

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.headers: dict[tuple[str, ...], int] = {}
        for number, line in enumerate(self.lines):
            match = self._HEADER.match(line)
            if match:
                self.headers.setdefault(_split_key(match.group(1)), number)

    def table(self, table: tuple[str, ...]) -> SourceLocation:
        """The header of ``table`` (or of its nearest parent; line 1 if none)."""
        for size in range(len(table), 0, -1):
            number = self.headers.get(table[:size])
            if number is not None:
                line = self.lines[number]
                return SourceLocation(self.path, number + 1, len(line) - len(line.lstrip()) + 1)
        return SourceLocation(self.path, 1, 1)

    def key(self, table: tuple[str, ...], key: str) -> SourceLocation:
        """The ``key =`` line inside ``table`` (or a ``[table.key]`` header), else the table's header."""
        if (*table, key) in self.headers:
            return self.table((*table, key))
        start = self.headers[table] + 1 if table in self.headers else 0
        pattern = re.compile(r"^\s*([\"']?" + re.escape(key) + r"[\"']?)\s*[=.]")
        for number in range(start, len(self.lines)):
            if self._HEADER.match(self.lines[number]):
                break
            match = pattern.match(self.lines[number])
            if match:
                return SourceLocation(self.path, number + 1, match.start(1) + 1)
        return self.table(table)


def _split_key(header: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", header))
