"""Waivers (``waivers.toml``, DESIGN.md §8): a known failure accepted for a while, with a reason and a ticket.

The file is a list of ``[[waiver]]`` tables::

    [[waiver]]
    function = "Revoke Matched SI"   # a catalogue entry, exactly as HKEX writes it
    check = "contract"               # contract | negative | scenario | security | file (as the entry's kind allows)
    reason = "vendor fix in release 4.2"
    ticket = "OPS-123"
    expires = 2027-03-31             # a TOML date, no quotes; from the day after, the waiver no longer waives

Any defect is a :class:`~ocp_conformance.contracts.SourceError` at ``file:line:column`` with the fix. tomllib
gives no positions, so the loader finds the ``[[waiver]]`` headers and ``key =`` lines by scanning the text: a
``[[waiver]]`` header inside a multi-line string would confuse it (the error then points at a nearby line).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, cast

from ocp_conformance.contracts.catalogue import Catalogue
from ocp_conformance.contracts.source import SourceError, SourceLocation, read_source
from ocp_conformance.contracts.suggest import did_you_mean
from ocp_conformance.reporting.results import CHECK_KINDS, CheckKind

__all__ = ["WAIVER_FIELDS", "WAIVER_STATES", "Waiver", "WaiverOutcome", "WaiverState", "load_waivers", "waiver_counts"]

WaiverState = Literal["applied", "expired", "unused-passing", "unused-not-run"]
WAIVER_STATES: tuple[WaiverState, ...] = ("applied", "expired", "unused-passing", "unused-not-run")
WAIVER_FIELDS: tuple[str, ...] = ("function", "check", "reason", "ticket", "expires")
_EXAMPLE = ('[[waiver]]\nfunction = "Revoke Matched SI"\ncheck = "contract"\nreason = "vendor fix in 4.2"\n'
            'ticket = "OPS-123"\nexpires = 2027-03-31')
_HEADER = re.compile(r"^\s*\[")
_WAIVER_HEADER = re.compile(r"^\s*\[\[\s*(?:waiver|\"waiver\"|'waiver')\s*\]\]")
_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True, slots=True)
class Waiver:
    """One ``[[waiver]]`` table: the failure of ``check`` of ``function`` is accepted until ``expires``."""

    function: str
    check: CheckKind
    reason: str
    ticket: str
    expires: date
    location: SourceLocation | None = None

    def expired(self, today: date) -> bool:
        """True once ``today`` is after ``expires`` (the waiver holds through its expiry date)."""
        return self.expires < today

    def describe(self) -> str:
        """``OPS-123 (Revoke Matched SI / contract)``: how reports name the waiver."""
        return f"{self.ticket} ({self.function} / {self.check})"

    def to_json(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "check": self.check,
            "reason": self.reason,
            "ticket": self.ticket,
            "expires": self.expires.isoformat(),
            "source": str(self.location) if self.location else "",
        }


@dataclass(frozen=True, slots=True)
class WaiverOutcome:
    """What one waiver did in a run, and a sentence saying so (and what to do about it)."""

    waiver: Waiver
    state: WaiverState
    note: str

    def to_json(self) -> dict[str, Any]:
        return {**self.waiver.to_json(), "state": self.state, "note": self.note}


def load_waivers(path: Path, catalogue: Catalogue) -> list[Waiver]:
    """Read and check ``path`` against ``catalogue``; every defect is a :class:`SourceError` at its line.

    Checked: TOML syntax; only ``[[waiver]]`` tables; each has exactly the fields ``function``, ``check``,
    ``reason``, ``ticket`` (non-empty strings) and ``expires`` (a TOML date); the function is a catalogue entry;
    the check applies to that entry's kind; no two waivers cover the same function and check.
    """
    # Imported here: readiness builds on this module (it applies waivers), so a top-level import would be circular.
    from ocp_conformance.reporting.readiness import APPLICABLE_CHECKS

    text = read_source(path, what="waiver file", missing_fix="check the path (or leave --waivers out)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = _POSITION.sub("", str(exc)).strip()
        fix = ("write a real calendar date, YYYY-MM-DD, no quotes: expires = 2027-03-31" if "date" in problem.lower()
               else "correct the TOML syntax there; a waiver looks like:\n" + _EXAMPLE)
        raise SourceError(_decode_location(path, str(exc)), f"invalid TOML: {problem}", fix=fix) from None
    where = _Locator(path, text)
    for key in data:
        if key != "waiver":
            raise SourceError(where.top_level(key), f"unexpected top-level key {key!r}",
                              fix="the file holds only [[waiver]] tables, e.g.:\n" + _EXAMPLE)
    tables = data.get("waiver", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise SourceError(where.top_level("waiver"), "`waiver` must be a list of tables",
                          fix="write each waiver as a [[waiver]] table (double brackets), e.g.:\n" + _EXAMPLE)

    by_name = {entry.name: entry for entry in catalogue}
    seen: dict[tuple[str, str], int] = {}
    waivers: list[Waiver] = []
    for index, table in enumerate(cast("list[dict[str, Any]]", tables)):
        unknown = [key for key in table if key not in WAIVER_FIELDS]
        if unknown:
            key = unknown[0]
            raise SourceError(where.key(index, key), f"unknown waiver field {key!r}.{did_you_mean(key, WAIVER_FIELDS)}",
                              fix=f"a waiver has exactly the fields {', '.join(WAIVER_FIELDS)}")
        missing = [key for key in WAIVER_FIELDS if key not in table]
        if missing:
            raise SourceError(where.table(index), f"waiver lacks {', '.join(missing)}",
                              fix=f"every waiver needs {', '.join(WAIVER_FIELDS)}, e.g.:\n" + _EXAMPLE)
        for key in ("function", "check", "reason", "ticket"):
            value = table[key]
            if not isinstance(value, str) or not value.strip():
                raise SourceError(where.value(index, key), f"{key} must be a non-empty string, received {value!r}",
                                  fix=f'e.g. {key} = "{_example_value(key)}"')
        function, check = table["function"], table["check"]
        entry = by_name.get(function)
        if entry is None:
            raise SourceError(where.value(index, "function"), f"function {function!r} is not a catalogue entry."
                              + did_you_mean(function, by_name),
                              fix="names are exactly as HKEX writes them (see contracts/catalogue.yaml)")
        if check not in CHECK_KINDS:
            raise SourceError(where.value(index, "check"), f"check {check!r} is not a check kind."
                              + did_you_mean(check, CHECK_KINDS), fix=f"use one of {', '.join(CHECK_KINDS)}")
        applicable = APPLICABLE_CHECKS[entry.kind]
        if check not in applicable:
            raise SourceError(where.value(index, "check"),
                              f"check {check!r} does not apply to {function!r} ({entry.kind} entries take only "
                              f"{', '.join(applicable)} checks)", fix=f"use one of {', '.join(applicable)}")
        expires = table["expires"]
        if not isinstance(expires, date) or isinstance(expires, datetime):
            raise SourceError(where.value(index, "expires"),
                              f"expires must be a TOML date, received {_toml_type(expires)} {expires!r}",
                              fix="write a bare date, no quotes and no time: expires = 2027-03-31")
        cell = (function, check)
        if cell in seen:
            first = where.table(seen[cell])
            raise SourceError(where.table(index), f"a second waiver for {function!r} / {check} "
                              f"(the first is at line {first.line})",
                              fix="keep one waiver per function and check: merge the two (one reason, one ticket)")
        seen[cell] = index
        waivers.append(Waiver(function=function, check=cast(CheckKind, check), reason=table["reason"].strip(),
                              ticket=table["ticket"].strip(), expires=expires, location=where.table(index)))
    return waivers


def waiver_counts(outcomes: Iterable[WaiverOutcome]) -> dict[WaiverState, int]:
    """How many waivers ended in each state, every state listed."""
    counts = dict.fromkeys(WAIVER_STATES, 0)
    for outcome in outcomes:
        counts[outcome.state] += 1
    return counts


class _Locator:
    """Positions of ``[[waiver]]`` headers and their ``key =`` lines, found by scanning the text."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.headers = [number for number, line in enumerate(self.lines) if _WAIVER_HEADER.match(line)]

    def table(self, index: int) -> SourceLocation:
        """The ``[[waiver]]`` header of the ``index``-th waiver (line 1 if the scan cannot tell)."""
        if index >= len(self.headers):
            return SourceLocation(self.path, 1, 1)
        number = self.headers[index]
        line = self.lines[number]
        return SourceLocation(self.path, number + 1, len(line) - len(line.lstrip()) + 1)

    def key(self, index: int, key: str) -> SourceLocation:
        """The ``key =`` line in the ``index``-th waiver, else its header."""
        return self._find(index, key, value=False)

    def value(self, index: int, key: str) -> SourceLocation:
        """Where the value of ``key =`` starts in the ``index``-th waiver (a wrong value is shown there)."""
        return self._find(index, key, value=True)

    def _find(self, index: int, key: str, *, value: bool) -> SourceLocation:
        if index >= len(self.headers):
            return self.table(index)
        start = self.headers[index] + 1
        pattern = _key_pattern(key)
        for number in range(start, len(self.lines)):
            line = self.lines[number]
            if _HEADER.match(line):
                break
            match = pattern.match(line)
            if match:
                return SourceLocation(self.path, number + 1, (match.end() if value else match.start(1)) + 1)
        return self.table(index)

    def top_level(self, key: str) -> SourceLocation:
        """Where a top-level key or table is defined (``key =``, ``[key]``, ``[[key]]``), else line 1."""
        quoted = re.escape(key)
        pattern = re.compile(r"^\s*(?:\[\[?\s*)?[\"']?" + quoted + r"[\"']?\s*[=.\]]")
        for number, line in enumerate(self.lines):
            if pattern.match(line):
                return SourceLocation(self.path, number + 1, len(line) - len(line.lstrip()) + 1)
        return SourceLocation(self.path, 1, 1)


def _key_pattern(key: str) -> re.Pattern[str]:
    quoted = re.escape(key)
    return re.compile(r"^\s*(" + quoted + r"|\"" + quoted + r"\"|'" + quoted + r"')\s*=\s*")


def _decode_location(path: Path, message: str) -> SourceLocation | Path:
    match = _POSITION.search(message)
    return SourceLocation(path, int(match.group(1)), int(match.group(2))) if match else path


def _toml_type(value: object) -> str:
    if isinstance(value, datetime):
        return "a date-time"
    return {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}.get(type(value), "a value")


def _example_value(key: str) -> str:
    return {"function": "Revoke Matched SI", "check": "contract", "reason": "vendor fix in 4.2",
            "ticket": "OPS-123"}[key]
