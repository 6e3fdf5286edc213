"""Handlers of Enquire Settlement Account/Status: stock balance, stock movement, settlement activity, money.

A participant only ever sees its own accounts: another participant's account id answers 404
STOCK_ACCOUNT_NOT_FOUND, exactly as an account that does not exist.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import ActivityItem, MoneyPosition, StatementLine, StockBalance
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.problems import FieldError, Problem
from ocp_conformance.simulator.representation import camel, encode

__all__ = ["ENQUIRY_HANDLERS", "activity_item_json", "balance_json", "money_position_json", "movement_json"]


def _participant(call: Call) -> str:
    assert call.participant is not None, "authentication runs before handlers"
    return call.participant


def _account(call: Call) -> tuple[str, str]:
    """(participant, 2-digit account) of the path's accountId, if it is one of the acting participant's."""
    participant = _participant(call)
    account_id = str(call.request.path["accountId"])
    owner, account = account_id[:6], account_id[6:]
    known = call.state.simulation.reference.participant(participant)
    if owner != participant or known is None or account not in known.stock_accounts:
        accounts = ", ".join(participant + a for a in known.stock_accounts) if known else "none"
        raise Problem(404, "STOCK_ACCOUNT_NOT_FOUND",
                      f"Received accountId {account_id!r}. Expected one of your stock accounts ({accounts}).",
                      (FieldError("/path/accountId", "not a stock account of the acting participant"),))
    return participant, account


def _stock(call: Call) -> str | None:
    """The stockCode filter: a listed stock, or the rights or warrants a corporate action credits (held like one)."""
    code = call.request.query.get("stockCode")
    sim = call.state.simulation
    ca_codes = {e.instruction_stock_code for e in sim.corporate_actions.events() if e.instruction_stock_code}
    if code is not None and sim.reference.stock(code) is None and code not in ca_codes:
        known = ", ".join([*sim.reference.stocks, *sorted(ca_codes)])
        raise Problem(422, "STOCK_UNKNOWN", f"Received stockCode {code!r}. Expected a listed stock: {known}.",
                      (FieldError("/query/stockCode", "not on the stock list"),))
    return str(code) if code is not None else None


def _date(call: Call, name: str, default: date) -> date:
    value = call.request.query.get(name)
    return date.fromisoformat(value) if isinstance(value, str) else default


def _paged(call: Call, items: list[Any]) -> tuple[list[Any], str | None]:
    query = call.request.query
    chunk, next_cursor = page(items, query.get("cursor"), int(query.get("limit", 50)))
    return list(chunk), next_cursor


# ---------------------------------------------------------------------- representations
def balance_json(balance: StockBalance) -> dict[str, Any]:
    return {"stockCode": balance.stock_code, "available": balance.available, "onHold": balance.on_hold,
            "total": balance.total, "pendingIn": balance.pending_in, "pendingOut": balance.pending_out}


def movement_json(line: StatementLine) -> dict[str, Any]:
    return {"movementId": line.movement_id, "at": encode(line.at), "stockCode": line.stock_code,
            "quantity": line.quantity, "direction": "IN" if line.quantity > 0 else "OUT",
            "movementType": line.movement_type, "sourceType": line.source_type, "sourceId": line.source_id,
            "balanceAfter": line.balance_after}


def activity_item_json(item: ActivityItem) -> dict[str, Any]:
    return {"movementId": item.movement_id, "at": encode(item.at), "sourceType": item.source_type,
            "sourceId": item.source_id, "stockAccount": item.stock_account, "stockCode": item.stock_code,
            "quantity": item.quantity, "direction": "IN" if item.quantity > 0 else "OUT",
            "amount": encode(item.amount), "currency": item.currency}


def money_position_json(position: MoneyPosition) -> dict[str, Any]:
    return {"market": position.market, "currency": position.currency, "balance": encode(position.balance),
            "subLedgers": {camel(name.lower()): encode(value) for name, value in position.sub_ledgers.items()}}


# ---------------------------------------------------------------------- handlers
def enquire_balance(call: Call) -> Reply:
    participant, account = _account(call)
    sim = call.state.simulation
    balances = sim.statements.balances(participant, account, _stock(call))
    items, next_cursor = _paged(call, balances)
    return Reply(200, {"accountId": participant + account, "asOf": encode(sim.clock.now),
                       "items": [balance_json(b) for b in items], "nextCursor": next_cursor})


def enquire_movements(call: Call) -> Reply:
    participant, account = _account(call)
    sim = call.state.simulation
    today = sim.clock.today
    since, until = _date(call, "fromDate", today), _date(call, "toDate", today)
    if since > until:
        raise Problem(422, "DATE_RANGE_INVALID", f"Received fromDate {since} after toDate {until}. "
                      "Expected fromDate on or before toDate.", (FieldError("/query/fromDate", "after toDate"),))
    lines = sim.statements.movements(participant, account, since, until, _stock(call))
    source_id = call.request.query.get("sourceId")
    if source_id is not None:
        lines = [line for line in lines if line.source_id == source_id]
    items, next_cursor = _paged(call, lines)
    return Reply(200, {"accountId": participant + account, "fromDate": since.isoformat(),
                       "toDate": until.isoformat(), "items": [movement_json(m) for m in items],
                       "nextCursor": next_cursor})


def enquire_activity(call: Call) -> Reply:
    sim = call.state.simulation
    day = _date(call, "businessDate", sim.clock.today)
    activity = sim.activity.read(_participant(call), day, date_of=sim.clock.business_date_of)
    query = call.request.query
    kind, source_id, run_id = query.get("sourceType"), query.get("sourceId"), query.get("runId")
    listed = [item for item in activity.items
              if (kind is None or item.source_type == kind) and (source_id is None or item.source_id == source_id)]
    items, next_cursor = _paged(call, listed)
    def wanted(instruction: str) -> bool:
        return source_id is None or instruction == source_id

    runs = [{"runId": run.run_id, "at": encode(run.at), "settled": [i for i in run.settled if wanted(i)],
             "failed": [{"instructionId": i, "reason": r} for i, r in run.failed if wanted(i)]}
            for run in activity.batch_runs if run_id is None or run.run_id == run_id]
    return Reply(200, {"businessDate": day.isoformat(), "batchRuns": runs,
                       "items": [activity_item_json(i) for i in items], "nextCursor": next_cursor})


def enquire_money(call: Call) -> Reply:
    sim = call.state.simulation
    participant = _participant(call)
    market, currency = call.request.query.get("market"), call.request.query.get("currency")
    money = sim.ledger.money_ledger
    if market is not None and currency is not None:
        positions = [money.position(participant, market, currency)]
    else:
        positions = [p for p in money.positions_of(participant)
                     if (market is None or p.market == market) and (currency is None or p.currency == currency)]
    return Reply(200, {"asOf": encode(sim.clock.now), "items": [money_position_json(p) for p in positions]})


ENQUIRY_HANDLERS: dict[str, Handler] = {
    "enquireStockAccountBalance": enquire_balance,
    "enquireStockAccountMovement": enquire_movements,
    "enquireSettlementActivity": enquire_activity,
    "enquireMoneyPosition": enquire_money,
}
