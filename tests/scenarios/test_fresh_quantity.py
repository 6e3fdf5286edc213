"""A fresh quantity is drawn where the workflow says, so a run's SIs do not meet an earlier run's leftovers."""

from __future__ import annotations

from typing import Any

import pytest

from ocp_conformance.scenarios.document import Workflow
from ocp_conformance.scenarios.inputs import InputsError, fresh_quantity_range


def _workflow(quantity: dict[str, Any] | None) -> Workflow:
    properties = {"quantity": quantity} if quantity is not None else {}
    return Workflow(workflow_id="wf", index=0, functions=(), steps=(),
                    raw={"inputs": {"type": "object", "properties": properties}})


def test_without_a_declared_maximum_the_narrow_default_range_is_used() -> None:
    assert fresh_quantity_range(_workflow({"type": "integer", "minimum": 1})) == (1000, 9999)
    assert fresh_quantity_range(_workflow(None)) == (1000, 9999)


def test_a_declared_maximum_widens_the_range_and_leaves_room_for_the_mismatch_quantity() -> None:
    assert fresh_quantity_range(_workflow({"type": "integer", "minimum": 1, "maximum": 99999999})) == (1000, 99999998)
    assert fresh_quantity_range(_workflow({"type": "integer", "minimum": 5000, "maximum": 6000})) == (5000, 5999)


def test_a_maximum_too_small_for_a_fresh_quantity_is_an_authoring_error_naming_the_fix() -> None:
    with pytest.raises(InputsError, match="raise the maximum"):
        fresh_quantity_range(_workflow({"type": "integer", "maximum": 500}))
