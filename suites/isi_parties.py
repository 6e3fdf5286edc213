"""Who plays which part in the Maintain ISI suites: the investor, a broker on its list, a broker off it.

An ISI is between an Investor Participant and a broker/custodian, so these suites need a third kind of
participant besides the acting pair. On the simulator the demo investor is ``I00001``; on another target set
``OCP_TOKEN_<investor>`` and, if its id does not start with ``I``, ``OCP_ISI_INVESTOR=<id>``. Which brokers the
investor lists for ISIs without affirmation comes from simulator control when the target offers it, else from
``OCP_ISI_UNLISTED=<participant>`` (``OCP_ISI_LISTED=<participant>`` names one on it); without either, the
checks that need it skip with the reason.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest

from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.client import OcpClient
from ocp_conformance.targets import CLOCK_CONTROL, Target

__all__ = ["brokers", "fresh_reference", "input_isi", "input_isi_values", "investor", "listed_broker",
           "unlisted_broker"]


def investor(target: Target) -> str:
    """The Investor Participant the suites use (skips when the target has none)."""
    configured = os.environ.get("OCP_ISI_INVESTOR")
    candidates = [configured] if configured else [p for p in target.participants if p.startswith("I")]
    for candidate in candidates:
        if candidate in target.tokens:
            return candidate
    pytest.skip("the Maintain ISI suites need an Investor Participant's token (e.g. OCP_TOKEN_I00001; "
                "OCP_ISI_INVESTOR=<id> names it when its id does not start with I)")


def brokers(target: Target) -> list[str]:
    """The non-investor participants, the acting pair first (they input ISIs)."""
    pair = [p for p in target.acting_pair() if not p.startswith("I")]
    return [*pair, *(p for p in target.participants if p not in pair and not p.startswith("I"))]


def _listed(client: OcpClient, investor_id: str, setting: str) -> set[str]:
    """The brokers/custodians on the investor's list for ISIs without affirmation (simulator control), or skip
    naming the ``setting`` that tells it on another target."""
    control = client.contracts.control_document
    if not client.target.can(CLOCK_CONTROL) or control is None or "simGetIsiCounterparties" not in control.operations:
        pytest.skip(f"which brokers the investor lists is unknown here: set {setting}=<participant>")
    return set(client.call_operation("simGetIsiCounterparties", investorId=investor_id).expect()["counterparties"])


def unlisted_broker(client: OcpClient, investor_id: str) -> str:
    """A broker/custodian that is NOT on the investor's list for ISIs without affirmation (or skip)."""
    configured = os.environ.get("OCP_ISI_UNLISTED")
    if configured:
        return configured
    listed = _listed(client, investor_id, "OCP_ISI_UNLISTED")
    for broker in brokers(client.target):
        if broker not in listed:
            return broker
    pytest.skip(f"every broker with a token is on {investor_id}'s list; none can show the rejection")


def listed_broker(client: OcpClient, investor_id: str) -> str:
    """A broker/custodian on the investor's list for ISIs without affirmation (or skip)."""
    configured = os.environ.get("OCP_ISI_LISTED")
    if configured:
        return configured
    listed = _listed(client, investor_id, "OCP_ISI_LISTED")
    for broker in brokers(client.target):
        if broker in listed:
            return broker
    pytest.skip(f"no broker with a token is on {investor_id}'s list; none can input an ISI without affirmation")


def fresh_reference() -> str:
    return uuid.uuid4().hex[:16]


def input_isi_values(investor_id: str, **roles: Any) -> dict[str, Any]:
    """A valid FOP Input ISI by role (with affirmation, a fresh reference), overridden by ``roles``."""
    return {"investor": investor_id, "direction": "DELIVER_TO_INVESTOR", "stock_code": "00005",
            "quantity": 1 + uuid.uuid4().int % 10**6, "payment_type": "FOP", "with_affirmation": True,
            "own_reference": fresh_reference(), **roles}


def input_isi(bound: BoundClient, owner: str, investor_id: str, **roles: Any) -> BoundExchange:
    """Input ISI with a valid FOP request (with affirmation, a fresh reference) overridden by ``roles``."""
    return bound.call("Input ISI", "create", as_participant=owner, **input_isi_values(investor_id, **roles))
