"""The test plan a capability profile (``[participant]``, DESIGN.md §8) makes of the catalogue.

Each catalogue entry is, for this participant:

- **mandatory**: a function or RAP file type it declares it uses (for a PG user, those it already uses through
  the Participant Gateway must keep working on OCP from day one). It runs, its failure blocks the verdict, and
  ``--only`` may not leave it out.
- **conditional**: not declared, but in the same group as a declared function, or a GCP service of a General
  Clearing Participant: it runs and is reported, and does not block the verdict.
- **not-applicable**: neither; it does not run and does not count.

With no ``[participant]`` table, every entry is mandatory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ocp_conformance.contracts.catalogue import Catalogue
from ocp_conformance.contracts.source import SourceError
from ocp_conformance.contracts.suggest import did_you_mean
from ocp_conformance.targets.profile import ParticipantProfile, load_config

__all__ = ["PlanLevel", "PlannedEntry", "TestPlan", "compile_plan", "plan_for"]

PlanLevel = Literal["mandatory", "conditional", "not-applicable"]


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    name: str
    level: PlanLevel
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "level": self.level, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class TestPlan:
    """Every catalogue entry with its level and why; :meth:`refusal` guards ``--only``."""

    __test__ = False  # a plan, not a pytest test class

    entries: tuple[PlannedEntry, ...]
    profile: ParticipantProfile | None = None

    def names(self, *levels: PlanLevel) -> list[str]:
        return [e.name for e in self.entries if e.level in levels]

    def levels(self) -> dict[str, tuple[str, str]]:
        """``name -> (level, reason)``, for the readiness report."""
        return {e.name: (e.level, e.reason) for e in self.entries}

    def refusal(self, only: Iterable[str], catalogue: Catalogue) -> str | None:
        """Why ``--only`` may not be used as given (it leaves a mandatory entry out), or ``None``."""
        selected = set(only)
        if not selected:
            return None
        left_out = [e for e in self.entries if e.level == "mandatory" and e.name not in selected
                    and catalogue.entry(e.name).group not in selected]
        if not left_out or self.profile is None:
            return None  # without a profile, --only is a partial run, reported as such (not ready)
        names = ", ".join(repr(e.name) for e in left_out[:5]) + (" ..." if len(left_out) > 5 else "")
        return (f"--only would leave out {len(left_out)} mandatory check(s) of the capability profile at "
                f"{self.profile.location}: {names}; mandatory checks cannot be deselected")

    def to_json(self) -> list[dict[str, Any]]:
        return [e.to_json() for e in self.entries]


def compile_plan(catalogue: Catalogue, profile: ParticipantProfile | None) -> TestPlan:
    """The plan for ``profile``; a :class:`SourceError` at the profile if it names an unknown function/file type."""
    if profile is None:
        return TestPlan(tuple(PlannedEntry(e.name, "mandatory", "no [participant] profile: every entry applies")
                              for e in catalogue))
    by_name = {e.name: e for e in catalogue}
    # a RAP entry's file type, or its name until its layout is contracted (e.g. "SI", "ELECTION")
    file_types = {(e.file_type or e.name).upper(): e for e in catalogue if e.kind == "rap"}
    for name in profile.functions:
        if name not in by_name or by_name[name].kind == "rap":
            functions = [e.name for e in catalogue if e.kind != "rap"]
            raise SourceError(profile.location, f"functions lists {name!r}, which is not an API function or GCP "
                              f"service of the catalogue.{did_you_mean(name, functions)}",
                              fix="names are exactly as HKEX writes them (see contracts/catalogue.yaml)")
    for file_type in profile.file_types:
        if file_type.upper() not in file_types:
            raise SourceError(profile.location, f"file_types lists {file_type!r}, which is not a RAP file type."
                              + did_you_mean(file_type, list(file_types)), fix=f"use {', '.join(sorted(file_types))}")
    declared = set(profile.functions) | {file_types[t.upper()].name for t in profile.file_types}
    declared_groups = {by_name[n].group: n for n in profile.functions}
    planned = []
    for entry in catalogue:
        if entry.name in declared:
            if entry.kind == "rap":
                reason = f"file type {entry.file_type or entry.name} declared in [participant] file_types"
            elif profile.pg_user and not entry.new_in_ocp:
                reason = "used today through PG (pg_user = true): must work on OCP from day one"
            else:
                reason = "declared in [participant] functions"
            planned.append(PlannedEntry(entry.name, "mandatory", reason))
        elif entry.kind != "rap" and entry.group in declared_groups:
            planned.append(PlannedEntry(entry.name, "conditional", f"same group ({entry.group}) as declared "
                                        f"{declared_groups[entry.group]!r}; reported, does not block the verdict"))
        elif entry.kind == "gcp" and profile.type == "General Clearing":
            planned.append(PlannedEntry(entry.name, "conditional", "GCP service available to a General Clearing "
                                        "Participant; reported, does not block the verdict"))
        else:
            planned.append(PlannedEntry(entry.name, "not-applicable", f"not used by this {profile.type} "
                                        "participant (not declared in [participant])"))
    return TestPlan(tuple(planned), profile)


def plan_for(config_path: str | Path | None, catalogue: Catalogue) -> TestPlan | None:
    """The test plan of the ``[participant]`` table in ``config_path``; ``None`` without a file or a table."""
    if config_path is None:
        return None
    participant = load_config(Path(config_path)).participant
    return compile_plan(catalogue, participant) if participant is not None else None
