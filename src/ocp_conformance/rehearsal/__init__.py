"""Rehearsals (``ocp-conformance rehearse``): a practice-session business day the participant's own system lives
through, task by task, judged on the simulator's state and the exchanges consumer mode records.

Scripts are data (``rehearsals/*.yaml``, :mod:`.script`); acceptance rules are a small set of kinds read through
the binding (:mod:`.rules`); :class:`Rehearsal` plays the day on any clock (:mod:`.engine`); :mod:`.serve` serves it
in accelerated time; :mod:`.report` writes rehearsal.json/.md/.html.
"""

from __future__ import annotations

from ocp_conformance.rehearsal.engine import Rehearsal, RehearsalResult, TaskState, TaskStatus, TimelineEntry
from ocp_conformance.rehearsal.rules import RULE_KINDS, Evidence, RuleResult, evaluate
from ocp_conformance.rehearsal.script import (
    ClockPlan,
    Event,
    Rule,
    Script,
    Task,
    load_script,
    script_schema,
    scripts_folder,
)

__all__ = [
    "RULE_KINDS",
    "ClockPlan",
    "Event",
    "Evidence",
    "Rehearsal",
    "RehearsalResult",
    "Rule",
    "RuleResult",
    "Script",
    "Task",
    "TaskState",
    "TaskStatus",
    "TimelineEntry",
    "evaluate",
    "load_script",
    "script_schema",
    "scripts_folder",
]
