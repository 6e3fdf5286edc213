"""Holdings a check needs, whatever earlier checks left: a shared world (issue 20, item 2)."""

from __future__ import annotations

from ocp_conformance.client import OcpClient
from ocp_conformance.targets import CLOCK_CONTROL


def holding_at_most(client: OcpClient, participant: str, stock_account: str, stock_code: str, ceiling: int) -> None:
    """Bring ``participant``'s available holding of ``stock_code`` in ``stock_account`` down to ``ceiling`` if it is
    above it, when the target has simulator control: a check that needs a quantity above the holding must be able
    to write that quantity in the file, whatever earlier checks (a maximal-quantity settlement, say) left there."""
    control = client.contracts.control_document
    if not client.target.can(CLOCK_CONTROL) or control is None or "simSetHolding" not in control.operations:
        return
    position = client.call_operation("simGetPositions", participantId=participant, stockAccount=stock_account,
                                     stockCode=stock_code).expect(200)
    held = sum(int(h.get("quantity", 0)) for h in position.get("holdings", []))
    if held > ceiling:
        client.call_operation("simSetHolding", body={"participantId": participant, "stockAccount": stock_account,
                                                     "stockCode": stock_code, "quantity": ceiling}).expect(200)
