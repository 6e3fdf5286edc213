"""Fault profiles of the Broadcast Messages group and of the discontinued Participant Gateway functions."""

from __future__ import annotations

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.faults.fault import Fault
from ocp_conformance.simulator.problems import Problem
from ocp_conformance.simulator.state import SimulatorState

__all__ = ["BROADCAST_FAULTS"]

_FINAL_RUN_TEXT = "Final batch settlement run completed"


def _hide_final_run(call: Call, inner: Handler) -> Reply:
    """Like a board that publishes every batch run but the last one of the day."""
    reply = inner(call)
    if reply.status == 200:
        reply.body["items"] = [m for m in reply.body["items"] if m["text"] != _FINAL_RUN_TEXT]
    return reply


def _ignore_category(call: Call, inner: Handler) -> Reply:
    """Like a board whose category filter is accepted but not applied: every category is listed."""
    call.request.query.pop("category", None)
    return inner(call)


def _foreign_cursor_restarts(call: Call, inner: Handler) -> Reply:
    """Like a board that takes a cursor it never issued as "from the start" instead of refusing it."""
    try:
        return inner(call)
    except Problem as refused:
        if refused.code != "CURSOR_INVALID":
            raise
        call.request.query.pop("cursor", None)
        return inner(call)


def _list_atis(state: SimulatorState, participant: str, path: dict[str, str]) -> Reply:
    """Enquire ATI as the Participant Gateway offered it: the participant's ATIs, as if still current."""
    atis = state.simulation.transfers.enquire(participant)
    return Reply(200, {"items": [{"atiId": a.ati_id, "status": a.status} for a in atis], "nextCursor": None})


BROADCAST_FAULTS = [
    Fault("final-run-broadcast-missing", "Enquire Broadcast Message", "scenario",
          "Enquire Broadcast Message never lists the 'Final batch settlement run completed' message",
          wrappers={"enquireBroadcastMessages": _hide_final_run}),
    Fault("broadcast-category-filter-ignored", "Enquire Broadcast Message", "contract",
          "Enquire Broadcast Message accepts the category filter and lists every category",
          wrappers={"enquireBroadcastMessages": _ignore_category}),
    Fault("broadcast-foreign-cursor-accepted", "Enquire Broadcast Message", "negative",
          "Enquire Broadcast Message takes a cursor it never issued as the first page instead of refusing it",
          wrappers={"enquireBroadcastMessages": _foreign_cursor_restarts}),
    # Enquire ATI was discontinued with the Participant Gateway; its successor in the OCP API is Input ATI.
    Fault("discontinued-enquire-ati-offered", "Input ATI", "contract",
          "GET /account-transfers answers 200 with a list: the discontinued Enquire ATI is offered as if current",
          routes={("GET", "/ocp/v1/account-transfers"): _list_atis}),
]
