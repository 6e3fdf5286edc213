"""Handlers of simulator-control.yaml: reset, seed or set holdings, positions, clock, batch settlement now, exchange
trades booked, the investor's affirmation of an ISI.

The control API is the simulator's own (the same whatever contract is bound), so these handlers keep its names.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass.reference import Participant
from ocp_conformance.simulator.isi_handlers import isi_json
from ocp_conformance.simulator.problems import FieldError, Problem
from ocp_conformance.simulator.representation import encode, run_json

__all__ = ["CONTROL_HANDLERS"]


def _clock(call: Call) -> dict[str, object]:
    clock = call.state.simulation.clock
    return {"now": encode(clock.now), "businessDate": encode(clock.today),
            # the next day an SI input today may settle on (a half-day eve is skipped)
            "nextBusinessDate": encode(clock.calendar.next_settlement_day(clock.today)),
            "inFunctionWindow": clock.in_function_window()}


def reset(call: Call) -> Reply:
    call.state.reset()
    return Reply(200, _clock(call))


def get_clock(call: Call) -> Reply:
    return Reply(200, _clock(call))


def _known_participant(call: Call, pid: str) -> Participant:
    """The simulation's participant ``pid``; 422 PARTICIPANT_UNKNOWN naming the known ones if there is none."""
    reference = call.state.simulation.reference
    participant = reference.participant(pid)
    if participant is None:
        raise Problem(422, "PARTICIPANT_UNKNOWN", f"no participant {pid}; known: {', '.join(reference.participants)}",
                      (FieldError("/participantId", "unknown participant"),))
    return participant


def _holding_of(call: Call) -> tuple[str, str, str]:
    """The participant, stock account and stock of a holdings request, each known to the simulation."""
    body = call.request.body
    sim = call.state.simulation
    pid, account = body["participantId"], body.get("stockAccount", "01")
    participant = _known_participant(call, pid)
    if account not in participant.stock_accounts:
        raise Problem(422, "STOCK_ACCOUNT_UNKNOWN", f"{pid} has accounts {', '.join(participant.stock_accounts)}",
                      (FieldError("/stockAccount", "unknown stock account"),))
    stock = body["stockCode"]
    if sim.reference.stock(stock) is None:
        event_stocks = _event_stocks(call)
        if stock not in event_stocks:
            known = [*sim.reference.stocks, *sorted(event_stocks)]
            raise Problem(422, "STOCK_UNKNOWN", f"no stock {stock}; known: {', '.join(known)}",
                          (FieldError("/stockCode", "unknown stock"),))
    return pid, account, stock


def _event_stocks(call: Call) -> set[str]:
    """The codes corporate-action instructions quote that are event data, not on the stock list (nil-paid rights,
    warrants): a check sets up a holding of them like any stock's."""
    return {event.instructing_stock for event in call.state.simulation.corporate_actions.events()}


def _holding_reply(call: Call, pid: str, account: str, stock: str) -> Reply:
    quantity = call.state.simulation.ledger.holding(pid, account, stock)
    return Reply(200, {"participantId": pid, "stockAccount": account, "stockCode": stock, "quantity": quantity})


def seed_holding(call: Call) -> Reply:
    pid, account, stock = _holding_of(call)
    sim = call.state.simulation
    # Dated, so Enquire Stock Account Movement lists the deposit like any other movement.
    sim.ledger.deposit(pid, account, stock, call.request.body["quantity"], at=sim.clock.now)
    return _holding_reply(call, pid, account, stock)


def set_holding(call: Call) -> Reply:
    pid, account, stock = _holding_of(call)
    sim = call.state.simulation
    difference = call.request.body["quantity"] - sim.ledger.available(pid, account, stock)
    if difference > 0:
        sim.ledger.deposit(pid, account, stock, difference, at=sim.clock.now)
    elif difference < 0:
        sim.ledger.withdraw(pid, account, stock, -difference, at=sim.clock.now)
    return _holding_reply(call, pid, account, stock)


def positions(call: Call) -> Reply:
    pid = call.request.path["participantId"]
    sim = call.state.simulation
    if sim.reference.participant(pid) is None:
        raise Problem(404, "PARTICIPANT_UNKNOWN", f"no participant {pid}")
    account, stock = call.request.query.get("stockAccount"), call.request.query.get("stockCode")
    holdings = [{"participantId": pid, "stockAccount": a, "stockCode": s, "quantity": q}
                for a, s, q in sim.ledger.holdings_of(pid)
                if account in (None, a) and stock in (None, s)]
    if account is not None and stock is not None and not holdings:
        holdings = [{"participantId": pid, "stockAccount": account, "stockCode": stock, "quantity": 0}]
    money = [{"currency": c, "amount": encode(v)} for c, v in sorted(sim.ledger.money_of(pid).items())]
    return Reply(200, {"participantId": pid, "holdings": holdings, "money": money})


def ca_instructions(call: Call) -> Reply:
    pid = call.request.path["participantId"]
    sim = call.state.simulation
    if sim.reference.participant(pid) is None:
        raise Problem(404, "PARTICIPANT_UNKNOWN", f"no participant {pid}")
    event, reference = call.request.query.get("announcementId"), call.request.query.get("clientReference")
    items = [{
        "instructionId": i.instruction_id, "announcementId": i.announcement_id, "eventType": i.event_type,
        "stockCode": i.stock_code, "stockAccount": i.account, "quantity": i.quantity, "option": i.option,
        "status": i.status, "earmarked": i.earmarked, "clientReference": i.client_reference,
        "amount": encode(i.amount) if i.amount is not None else None, "currency": i.currency,
        "tenderPrice": encode(i.tender_price) if i.tender_price is not None else None, "delivered": i.delivered,
        "allotted": i.allotted,
        "votes": [{"resolutionNo": n, "votesFor": v.for_, "votesAgainst": v.against, "votesAbstain": v.abstain}
                  for n, v in sorted((i.votes or {}).items())],
        "appointee": ({"name": i.appointee.name, "idDocumentNumber": i.appointee.id_document}
                      if i.appointee is not None else None),
    } for i in sim.corporate_actions.instructions_of(pid, event) if reference in (None, i.client_reference)]
    return Reply(200, {"participantId": pid, "items": items})


def advance_clock(call: Call) -> Reply:
    sim = call.state.simulation
    body = call.request.body
    if "to" in body:
        target = datetime.fromisoformat(body["to"])
    else:
        target = sim.clock.now + timedelta(minutes=int(body["minutes"]))
    if target < sim.clock.now:
        raise Problem(422, "CLOCK_BACKWARDS", f"the clock is at {encode(sim.clock.now)}; it only moves forward",
                      (FieldError("/to", "earlier than the current time"),))
    runs = sim.advance_to(target)
    return Reply(200, {"clock": _clock(call), "settlementRuns": [run_json(r) for r in runs]})


def run_settlement(call: Call) -> Reply:
    return Reply(200, run_json(call.state.simulation.run_batch_settlement()))


def book_trade(call: Call) -> Reply:
    """simBookExchangeTrade: without tradeDate, the trade settles on the current business date (or
    businessDaysOverdue business days before it)."""
    body = call.request.body
    sim = call.state.simulation
    book = sim.cns
    stock = sim.reference.stock(body["stockCode"])
    market = body.get("market") or (stock.market if stock else "HKMK")
    if "tradeDate" in body:
        trade_date = date.fromisoformat(body["tradeDate"])
    else:
        trade_date = book.trade_date_due_today(market, days_overdue=int(body.get("businessDaysOverdue", 0)))
    trade, position = book.book_trade(body["participantId"], body["stockCode"], body["side"], body["quantity"],
                                      trade_date, body.get("market"))
    return Reply(200, {"tradeId": trade.trade_id, "participantId": trade.participant, "stockCode": trade.stock_code,
                       "side": trade.side, "quantity": trade.quantity, "tradeDate": encode(trade.trade_date),
                       "market": trade.market, "settlementDate": encode(trade.settlement_date),
                       "position": {"settlementDate": encode(position.settlement_date),
                                    "positionType": position.position_type, "direction": position.direction,
                                    "quantity": abs(position.obligation),
                                    "outstandingQuantity": abs(position.outstanding)}})


def fail_rdp_payment(call: Call) -> Reply:
    """Simulator control: the receiver's CHATS payment of an RDP pair at SHARES_ON_HOLD fails (the pair unwinds)."""
    si = call.state.simulation.si_book.fail_rdp_payment(str(call.request.path["siId"]))  # simulator control: not bound
    return Reply(200, {"siId": si.si_id, "matchId": si.match_id, "status": si.status})


def sim_affirm(call: Call) -> Reply:
    """Simulator control: the investor affirms (or refuses to affirm) an ISI."""
    body = call.request.body
    book = call.state.simulation.isi_book
    investor, isi_id = str(body["investorId"]), str(call.request.path["isiId"])  # simulator control: not bound
    isi = book.affirm(investor, isi_id) if body["affirm"] else book.reject_affirmation(investor, isi_id)
    return Reply(200, isi_json(isi))


def _investor(call: Call) -> str:
    investor = str(call.request.path["investorId"])
    participant = call.state.simulation.reference.participant(investor)
    if participant is None or participant.participant_type.upper() != "INVESTOR":
        raise Problem(404, "PARTICIPANT_UNKNOWN", f"no Investor Participant {investor}")
    return investor


def _counterparties(call: Call, investor: str) -> Reply:
    counterparties = call.state.simulation.isi_book.counterparties_without_affirmation(investor)
    return Reply(200, {"investorId": investor, "counterparties": list(counterparties)})


def sim_counterparties(call: Call) -> Reply:
    """Simulator control: who the investor allows to input ISIs without affirmation."""
    return _counterparties(call, _investor(call))


def sim_set_counterparty(call: Call) -> Reply:
    """Simulator control: the investor puts a broker/custodian on its list, or takes it off."""
    investor, counterparty = _investor(call), str(call.request.path["participantId"])
    book = call.state.simulation.isi_book
    if call.request.body["listed"]:
        book.allow_without_affirmation(investor, counterparty)
    else:
        book.disallow_without_affirmation(investor, counterparty)
    return _counterparties(call, investor)


def issue_refusing_token(call: Call) -> Reply:
    """Simulator control: a token of the participant that every OCP API request presenting it is refused with."""
    pid, code = str(call.request.path["participantId"]), str(call.request.body["code"])
    _known_participant(call, pid)
    try:
        token = call.state.refusing_token(pid, code)
    except KeyError:  # a served simulator given tokens for some participants only
        raise Problem(422, "PARTICIPANT_HAS_NO_TOKEN", f"{pid} was issued no token, so it has no refusing token "
                      "either; give it one (simulate --tokens-file)",
                      (FieldError("/participantId", "no token issued"),)) from None
    return Reply(201, {"participantId": pid, "code": code, "token": token})


CONTROL_HANDLERS: dict[str, Handler] = {
    "simReset": reset,
    "simGetClock": get_clock,
    "simSeedHolding": seed_holding,
    "simSetHolding": set_holding,
    "simGetPositions": positions,
    "simEnquireCaInstructions": ca_instructions,
    "simAdvanceClock": advance_clock,
    "simRunBatchSettlement": run_settlement,
    "simBookExchangeTrade": book_trade,
    "simFailRdpPayment": fail_rdp_payment,
    # the investor's side: investors do not affirm through the brokers' OCP API
    "simAffirmIsi": sim_affirm,
    "simGetIsiCounterparties": sim_counterparties,
    "simSetIsiCounterparty": sim_set_counterparty,
    "simIssueRefusingToken": issue_refusing_token,
}
