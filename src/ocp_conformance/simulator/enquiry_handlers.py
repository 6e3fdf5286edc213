"""Handlers of Enquire Settlement Account/Status: stock balance, stock movement, settlement activity, money.

A participant only ever sees its own accounts: another participant's account id answers 404
STOCK_ACCOUNT_NOT_FOUND, exactly as an account that does not exist. The handlers name catalogue functions and
roles (the binding's ``account``, ``activity`` and ``money`` field sets), never the contract's names.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import ActivityItem, MoneyPosition, StatementLine, StockBalance
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.problems import FieldError, Problem
from ocp_conformance.simulator.representation import encode
from ocp_conformance.simulator.roles import body_of, by_operation, page_body, parameter, path, query

__all__ = ["ENQUIRY_HANDLERS", "activity_item_json", "balance_json", "money_position_json", "movement_json"]

_BALANCE, _MOVEMENT = "Enquire Stock Account Balance", "Enquire Stock Account Movement"
_ACTIVITY, _MONEY = "Enquire Settlement Activity", "Enquire Money Position"


def _participant(call: Call) -> str:
    assert call.participant is not None, "authentication runs before handlers"
    return call.participant


def _account(call: Call) -> tuple[str, str]:
    """(participant, 2-digit account) of the path's account id, if it is one of the acting participant's."""
    participant = _participant(call)
    account_id = path(call, "account_id")
    owner, account = account_id[:6], account_id[6:]
    known = call.state.simulation.reference.participant(participant)
    if owner != participant or known is None or account not in known.stock_accounts:
        accounts = ", ".join(participant + a for a in known.stock_accounts) if known else "none"
        name = parameter(call, "account_id")
        raise Problem(404, "STOCK_ACCOUNT_NOT_FOUND",
                      f"Received {name} {account_id!r}. Expected one of your stock accounts ({accounts}).",
                      (FieldError(f"/path/{name}", "not a stock account of the acting participant"),))
    return participant, account


def _stock(call: Call) -> str | None:
    """The stock code filter: a listed stock, or the rights or warrants a corporate action credits (held like one)."""
    code = query(call, "stock_code")
    sim = call.state.simulation
    ca_codes = {e.instruction_stock_code for e in sim.corporate_actions.events() if e.instruction_stock_code}
    if code is not None and sim.reference.stock(code) is None and code not in ca_codes:
        known = ", ".join([*sim.reference.stocks, *sorted(ca_codes)])
        name = parameter(call, "stock_code")
        raise Problem(422, "STOCK_UNKNOWN", f"Received {name} {code!r}. Expected a listed stock: {known}.",
                      (FieldError(f"/query/{name}", "not on the stock list"),))
    return str(code) if code is not None else None


def _date(call: Call, role: str, default: date) -> date:
    value = query(call, role)
    return date.fromisoformat(value) if isinstance(value, str) else default


def _paged(call: Call, items: list[Any]) -> tuple[list[Any], str | None]:
    chunk, next_cursor = page(items, query(call, "cursor"), int(query(call, "limit", 50)))
    return list(chunk), next_cursor


def _direction(quantity: int) -> str:
    return "IN" if quantity > 0 else "OUT"


# ---------------------------------------------------------------------- representations, by role
def balance_json(balance: StockBalance) -> dict[str, Any]:
    return body_of(_BALANCE, {"stock_code": balance.stock_code, "available": balance.available,
                              "on_hold": balance.on_hold, "total": balance.total,
                              "pending_in": balance.pending_in, "pending_out": balance.pending_out})


def movement_json(line: StatementLine) -> dict[str, Any]:
    return body_of(_MOVEMENT, {"movement_id": line.movement_id, "at": encode(line.at), "stock_code": line.stock_code,
                               "quantity": line.quantity, "direction": _direction(line.quantity),
                               "movement_type": line.movement_type, "source_type": line.source_type,
                               "source_id": line.source_id, "balance_after": line.balance_after})


def activity_item_json(item: ActivityItem) -> dict[str, Any]:
    return body_of(_ACTIVITY, {"movement_id": item.movement_id, "at": encode(item.at),
                               "source_type": item.source_type, "source_id": item.source_id,
                               "stock_account": item.stock_account, "stock_code": item.stock_code,
                               "quantity": item.quantity, "direction": _direction(item.quantity),
                               "amount": encode(item.amount), "currency": item.currency})


def money_position_json(position: MoneyPosition) -> dict[str, Any]:
    """A money position; each sub-ledger at the role ``ledger_`` + its name (SETTLEMENT: ``ledger_settlement``)."""
    ledgers = {f"ledger_{name.lower()}": encode(value) for name, value in position.sub_ledgers.items()}
    return body_of(_MONEY, {"market": position.market, "currency": position.currency,
                            "balance": encode(position.balance), **ledgers})


# ---------------------------------------------------------------------- handlers
def enquire_balance(call: Call) -> Reply:
    participant, account = _account(call)
    sim = call.state.simulation
    balances = sim.statements.balances(participant, account, _stock(call))
    items, next_cursor = _paged(call, balances)
    return Reply(200, {**body_of(_BALANCE, {"account_id": participant + account, "as_of": encode(sim.clock.now)}),
                       **page_body(call, [balance_json(b) for b in items], next_cursor)})


def enquire_movements(call: Call) -> Reply:
    participant, account = _account(call)
    sim = call.state.simulation
    today = sim.clock.today
    since, until = _date(call, "from_date", today), _date(call, "to_date", today)
    if since > until:
        after, before = parameter(call, "from_date"), parameter(call, "to_date")
        raise Problem(422, "DATE_RANGE_INVALID", f"Received {after} {since} after {before} {until}. "
                      f"Expected {after} on or before {before}.", (FieldError(f"/query/{after}", f"after {before}"),))
    lines = sim.statements.movements(participant, account, since, until, _stock(call))
    source_id = query(call, "source_id")
    if source_id is not None:
        lines = [line for line in lines if line.source_id == source_id]
    items, next_cursor = _paged(call, lines)
    return Reply(200, {**body_of(_MOVEMENT, {"account_id": participant + account, "from_date": since.isoformat(),
                                             "to_date": until.isoformat()}),
                       **page_body(call, [movement_json(m) for m in items], next_cursor)})


def enquire_activity(call: Call) -> Reply:
    sim = call.state.simulation
    day = _date(call, "business_date", sim.clock.today)
    activity = sim.activity.read(_participant(call), day, date_of=sim.clock.business_date_of)
    kind, source_id, run_id = query(call, "source_type"), query(call, "source_id"), query(call, "run_id")
    listed = [item for item in activity.items
              if (kind is None or item.source_type == kind) and (source_id is None or item.source_id == source_id)]
    items, next_cursor = _paged(call, listed)
    def wanted(instruction: str) -> bool:
        return source_id is None or instruction == source_id

    runs = [body_of(_ACTIVITY, {"run_id": run.run_id, "at": encode(run.at),
                                "settled": [i for i in run.settled if wanted(i)],
                                "failed": [body_of(_ACTIVITY, {"instruction_id": i, "reason": r})
                                           for i, r in run.failed if wanted(i)]})
            for run in activity.batch_runs if run_id is None or run.run_id == run_id]
    return Reply(200, {**body_of(_ACTIVITY, {"business_date": day.isoformat(), "batch_runs": runs}),
                       **page_body(call, [activity_item_json(i) for i in items], next_cursor)})


def enquire_money(call: Call) -> Reply:
    sim = call.state.simulation
    participant = _participant(call)
    market, currency = query(call, "market"), query(call, "currency")
    money = sim.ledger.money_ledger
    if market is not None and currency is not None:
        positions = [money.position(participant, market, currency)]
    else:
        positions = [p for p in money.positions_of(participant)
                     if (market is None or p.market == market) and (currency is None or p.currency == currency)]
    return Reply(200, body_of(_MONEY, {"as_of": encode(sim.clock.now),
                                       "items": [money_position_json(p) for p in positions]}))


ENQUIRY_HANDLERS: dict[str, Handler] = by_operation({
    (_BALANCE, "get"): enquire_balance,
    (_MOVEMENT, "get"): enquire_movements,
    (_ACTIVITY, "list"): enquire_activity,
    (_MONEY, "list"): enquire_money,
})
