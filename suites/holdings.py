"""Holdings a check needs, whatever earlier checks left: a shared world (issue 20, item 2)."""

from __future__ import annotations

from suites.sim_control import held, set_holding

from ocp_conformance.client import OcpClient
from ocp_conformance.targets import CLOCK_CONTROL


def holding_at_most(client: OcpClient, participant: str, stock_account: str, stock_code: str, ceiling: int) -> None:
    """Bring ``participant``'s available holding of ``stock_code`` in ``stock_account`` down to ``ceiling`` if it is
    above it, when the target has simulator control: a check that needs a quantity above the holding must be able
    to write that quantity in the file, whatever earlier checks (a maximal-quantity settlement, say) left there."""
    control = client.contracts.control_document
    if not client.target.can(CLOCK_CONTROL) or control is None or "simSetHolding" not in control.operations:
        return
    if held(client, participant, stock_account, stock_code) > ceiling:
        set_holding(client, participant, stock_account, stock_code, ceiling)
