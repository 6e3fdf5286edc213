"""Arazzo 1.0 business scenarios: load ``*.arazzo.yaml`` files and run their workflows against a target.

Example:
    >>> document = load_arazzo(Path("scenarios/si/si-settlement.arazzo.yaml"), contracts)
    >>> run_workflow(document, "dvpMatchedAndSettled", OcpClient(target, contracts)).check()
"""

from __future__ import annotations

from ocp_conformance.scenarios.collect import collect_file
from ocp_conformance.scenarios.document import ArazzoDocument, Step, Workflow, load_arazzo
from ocp_conformance.scenarios.inputs import harness_inputs
from ocp_conformance.scenarios.runner import (
    ScenarioError,
    ScenarioFailure,
    StepResult,
    WorkflowResult,
    run_workflow,
)

__all__ = [
    "ArazzoDocument",
    "ScenarioError",
    "ScenarioFailure",
    "Step",
    "StepResult",
    "Workflow",
    "WorkflowResult",
    "collect_file",
    "harness_inputs",
    "load_arazzo",
    "run_workflow",
]
