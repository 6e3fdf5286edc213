"""Fault profiles of Enquire Settlement Account/Status (stock balance, movement, activity, money position)."""

from __future__ import annotations

from decimal import Decimal

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import SiFilter
from ocp_conformance.simulator.faults.fault import Fault
from ocp_conformance.simulator.problems import Problem
from ocp_conformance.simulator.representation import encode
from ocp_conformance.simulator.roles import path, read, set_field

_MOVEMENT, _MONEY = "Enquire Stock Account Movement", "Enquire Money Position"

__all__ = ["ENQUIRY_FAULTS"]


def _omit_deposits(call: Call, inner: Handler) -> Reply:
    """Like a movement query that joins only instruction tables and forgets stock deposited from outside."""
    reply = inner(call)
    if reply.status == 200:
        set_field(call, reply.body, "items", [m for m in read(_MOVEMENT, reply.body, "items")
                                              if read(_MOVEMENT, m, "movement_type") != "DEPOSIT"])
    return reply


def _ignore_rdp(call: Call, inner: Handler) -> Reply:
    """Like a money position fed by the DVP batch only: settled RDP amounts are left out."""
    reply = inner(call)
    if reply.status != 200:
        return reply
    assert call.participant is not None
    sim = call.state.simulation
    rdp: dict[tuple[str, str], Decimal] = {}
    for si in sim.si_book.enquire(call.participant, SiFilter(status="SETTLED")):
        if si.payment_type == "RDP" and si.amount is not None and si.currency is not None:
            stock = sim.reference.stock(si.stock_code)
            key = (stock.market if stock else "HKMK", si.currency)
            rdp[key] = rdp.get(key, Decimal(0)) + (si.amount if si.side == "DELIVER" else -si.amount)
    for item in read(_MONEY, reply.body, "items"):
        missing = rdp.get((read(_MONEY, item, "market"), read(_MONEY, item, "currency")), Decimal(0))
        for role in ("balance", "ledger_settlement"):
            set_field(call, item, role, encode(Decimal(read(_MONEY, item, role)) - missing))
    return reply


def _any_participants_account(call: Call, inner: Handler) -> Reply:
    """Like an authorisation check that only asks whether the account exists, not whose it is."""
    try:
        return inner(call)
    except Problem as problem:
        if problem.code != "STOCK_ACCOUNT_NOT_FOUND":
            raise
        owner = path(call, "account_id")[:6]
        if call.state.simulation.reference.participant(owner) is None:
            raise
        return inner(Call(call.operation_id, owner, call.request, call.state))


def _no_batch_runs(call: Call, inner: Handler) -> Reply:
    reply = inner(call)
    if reply.status == 200:
        set_field(call, reply.body, "batch_runs", [])
    return reply


ENQUIRY_FAULTS = [
    Fault("movements-omit-deposits", "Enquire Stock Account Movement", "scenario",
          "Enquire Stock Account Movement leaves out deposits, so a balance no longer equals its movements",
          wrappers={"enquireStockAccountMovement": _omit_deposits}),
    Fault("money-position-ignores-rdp", "Enquire Money Position", "scenario",
          "Enquire Money Position leaves settled RDP amounts out of the position",
          wrappers={"enquireMoneyPosition": _ignore_rdp}),
    Fault("other-participants-balance-visible", "Enquire Stock Account Balance", "security",
          "Enquire Stock Account Balance shows another participant's stock account",
          wrappers={"enquireStockAccountBalance": _any_participants_account}),
    Fault("activity-omits-batch-runs", "Enquire Settlement Activity", "scenario",
          "Enquire Settlement Activity lists no batch settlement run results",
          wrappers={"enquireSettlementActivity": _no_batch_runs}),
]
