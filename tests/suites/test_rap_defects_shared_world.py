"""The corporate-action file checks set up the holdings they need: on a shared world another check may have brought
the account down to a few hundred shares, and a file's valid records must still be accepted (issue 20 item 2; a
stability run failed Election so: available 393, the above-holding check's valid first record 400)."""

from __future__ import annotations

from suites import test_rap_defects as rap_defects
from suites.sim_control import set_holding

from ocp_conformance.binding import load_binding
from ocp_conformance.bound_client import BoundClient
from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.rap.generator import DEMO_CA_EVENTS
from ocp_conformance.targets import Target, simulator_target

LOW = 150  # generated election records instruct 100 to 500 shares each


def _brought_down() -> tuple[Target, OcpClient]:
    """A simulator whose acting participant holds only LOW shares of the demo election's stock."""
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    client = OcpClient(target, contracts)
    set_holding(client, target.acting_pair()[0], "01", DEMO_CA_EVENTS["ELECTION"][1], LOW)
    return target, client


def test_the_above_holding_check_passes_after_the_holding_was_brought_down() -> None:
    target, client = _brought_down()
    rap_defects.test_instruction_above_holding_is_rejected(
        file_type="ELECTION", ocp_target=target, ocp_client=client,
        ocp_bound=BoundClient(client, load_binding(client.contracts)))
    target.close()


def test_a_record_level_defect_check_passes_after_the_holding_was_brought_down() -> None:
    target, client = _brought_down()
    rap_defects.test_defect_is_rejected_with_its_code_at_its_line(file_type="ELECTION", kind="bad-enum",
                                                                  ocp_target=target, ocp_client=client)
    target.close()
