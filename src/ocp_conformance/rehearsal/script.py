"""Rehearsal scripts (``rehearsals/*.yaml``): a business day as data, checked against a JSON Schema.

A script gives the business date, the clock plan (accelerated: the day's hours in so many wall-clock minutes), the
market events the simulator plays at given times, and the participant's tasks: each a window, an instruction in
plain words, and acceptance rules (:mod:`.rules`). Every defect is reported at file:line:column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from ocp_conformance.contracts import SourceError, YamlDocument, load_yaml, project_resource
from ocp_conformance.simulator.ccass import HKT

__all__ = ["ClockPlan", "Event", "Rule", "Script", "Task", "load_script", "script_schema", "scripts_folder"]

_SCHEMA_FILE = Path(__file__).with_name("rehearsal.schema.yaml")


@cache
def script_schema() -> dict[str, Any]:
    """The JSON Schema every rehearsal script must satisfy (shipped with the package)."""
    schema: dict[str, Any] = yaml.safe_load(_SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


def scripts_folder() -> Path:
    """The shipped scripts (``rehearsals/`` of the checkout, bundled in the wheel)."""
    return project_resource("rehearsals")


@dataclass(frozen=True, slots=True)
class ClockPlan:
    """The business hours played and how long they take: ``minutes`` of wall time at speed 1."""

    start: datetime
    end: datetime
    minutes: float

    def wall_seconds(self, speed: float) -> float:
        return self.minutes * 60.0 / speed

    def business_at(self, wall_elapsed: float, speed: float) -> datetime:
        """The business time ``wall_elapsed`` seconds after the start, at ``speed`` (clamped at the end)."""
        fraction = min(1.0, max(0.0, wall_elapsed / self.wall_seconds(speed)))
        return self.start + (self.end - self.start) * fraction


@dataclass(frozen=True, slots=True)
class Event:
    """A market event the simulator plays at ``at``: a counterparty's SI, a broadcast, an extra batch run."""

    id: str
    at: datetime
    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rule:
    """One acceptance rule of a task: its kind and parameters (times already resolved on the business date)."""

    kind: str
    params: Mapping[str, Any]
    where: str
    """file:line:column of the rule, for reports."""

    def time(self, name: str) -> datetime | None:
        value = self.params.get(name)
        return value if isinstance(value, datetime) else None


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    title: str
    opens: datetime
    closes: datetime
    instruction: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Script:
    path: Path
    title: str
    description: str
    participant: str
    business_date: date
    clock: ClockPlan
    events: tuple[Event, ...]
    tasks: tuple[Task, ...]
    inject: tuple[str, ...] = ()


def load_script(path: Path) -> Script:
    """Read and check one script.

    Raises:
        SourceError: the file is not YAML, breaks the schema, or says something impossible (a window that closes
            before it opens, a time outside the clock plan, two events or tasks with one id, a date that is not a
            date), at its line and column.
    """
    document = load_yaml(path)
    data = document.data
    errors = sorted(Draft202012Validator(script_schema()).iter_errors(data),
                    key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        first = min(errors, key=lambda e: -len(e.absolute_path))  # the deepest: the precise defect
        message = first.message
        if first.validator == "type" and isinstance(first.instance, int | date):
            message += " (YAML read an unquoted time or date: quote it)"
        raise SourceError(document.locate(tuple(first.absolute_path)),
                          f"rehearsal script: {message}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1
                                                             else ""),
                          fix=f"see {_SCHEMA_FILE.name} in the package and docs/rehearsal.md; write times as "
                              "\"HH:MM\" and dates as \"YYYY-MM-DD\", in quotes")
    try:
        day = date.fromisoformat(data["business_date"])
    except ValueError:
        raise SourceError(document.locate(("business_date",)), f"rehearsal script: {data['business_date']!r} is not "
                          "a date", fix="write the business date as \"YYYY-MM-DD\"") from None

    def at(value: str) -> datetime:
        return datetime.combine(day, time.fromisoformat(value), HKT)

    clock = ClockPlan(at(data["clock"]["start"]), at(data["clock"]["end"]), float(data["clock"]["minutes"]))
    if clock.end <= clock.start:
        raise SourceError(document.locate(("clock", "end")), "rehearsal script: the clock ends before it starts",
                          fix="give an end later than the start")

    def within(moment: datetime, parts: tuple[str | int, ...]) -> datetime:
        if not clock.start <= moment <= clock.end:
            raise SourceError(document.locate(parts), f"rehearsal script: {moment:%H:%M} is outside the clock plan "
                              f"({clock.start:%H:%M}-{clock.end:%H:%M})", fix="move it inside, or widen the clock")
        return moment

    events = []
    for index, raw in enumerate(data.get("events") or ()):
        moment = within(at(raw["at"]), ("events", index, "at"))
        events.append(Event(raw["id"], moment, raw["kind"],
                            {k: v for k, v in raw.items() if k not in ("id", "at", "kind")}))
    _unique(document, "events", [e.id for e in events])
    tasks = []
    for index, raw in enumerate(data["tasks"]):
        opens = within(at(raw["window"]["from"]), ("tasks", index, "window", "from"))
        closes = within(at(raw["window"]["to"]), ("tasks", index, "window", "to"))
        if closes <= opens:
            raise SourceError(document.locate(("tasks", index, "window", "to")),
                              "rehearsal script: the window closes before it opens", fix="give a later `to`")
        rules = tuple(_rule(document, raw_rule, ("tasks", index, "accept", number), at)
                      for number, raw_rule in enumerate(raw["accept"]))
        tasks.append(Task(raw["id"], raw["title"], opens, closes, raw["instruction"].strip(), rules))
    _unique(document, "tasks", [t.id for t in tasks])
    return Script(path=path, title=data["title"], description=str(data.get("description", "")).strip(),
                  participant=data["participant"], business_date=day, clock=clock,
                  events=tuple(sorted(events, key=lambda e: e.at)), tasks=tuple(tasks),
                  inject=tuple(data.get("inject") or ()))


def _rule(document: YamlDocument, raw: dict[str, Any], parts: tuple[str | int, ...], at: Any) -> Rule:
    params = {key: (at(value) if key in ("before", "after") else value) for key, value in raw.items() if key != "kind"}
    return Rule(raw["kind"], params, str(document.locate(parts)))


def _unique(document: YamlDocument, section: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for index, ident in enumerate(ids):
        if ident in seen:
            raise SourceError(document.locate((section, index, "id")), f"rehearsal script: {section} id {ident!r} is "
                              "used twice", fix="give each a distinct id")
        seen.add(ident)
