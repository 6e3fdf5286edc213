"""Model-based test of Mass ATI/STI: random mixes of valid and invalid items, each applied exactly once or
rejected with a reason, checked against the stock positions before and after the batch run.

Rules the model applies (DOMAIN.md §4; processing model in contracts/README.md):

- a submission is RECEIVED and moves nothing until the next batch run; until then it may be changed (the new
  items replace the old) or cancelled (nothing is ever applied);
- the run processes items in order: an item breaking a rule is REJECTED with one of the codes that rule
  allows (ACCOUNT_SAME, STOCK_ACCOUNT_UNKNOWN, STOCK_UNKNOWN, and for ATIs INSUFFICIENT_BALANCE against the
  balance left by the items before it) and a reason; any other item is ACCEPTED with the transfer it created;
- accepted ATIs move at once, accepted STIs settle in the same run (the suite keeps their sources well stocked);
- every accepted item moves its quantity exactly once: a further run changes nothing.

Needs clock-control (the batch run on demand and the positions operation); skipped elsewhere. The world is
shared, so the suite flushes pending work with a run before reading positions, uses a participant outside the
acting pair where the target has one, and only compares the accounts and stocks it uses.

Everything contract-specific comes through the binding: the Mass ATI/STI operations by function and role, the
submission's fields and each item's by role, enum values and error codes as the model's. Simulator control (batch
runs, positions, seeding) keeps its own names, the same whatever contract is bound.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from isi_parties import brokers
from suites.first_finding import Findings
from suites.rule_broken import RuleBroken
from suites.sim_control import holdings, seed_holding

from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.pytest_plugin import Harness
from ocp_conformance.targets import Target

INPUT, CHANGE, CANCEL, ENQUIRE = "Input Mass ATI/STI", "Change Mass ATI/STI", "Cancel Mass ATI/STI", \
    "Enquire Mass ATI/STI"
MASS_FUNCTIONS: Final = ["Input Mass ATI/STI", "Change Mass ATI/STI", "Cancel Mass ATI/STI", "Enquire Mass ATI/STI"]
ACCOUNTS: Final = ("01", "02", "80")
UNKNOWN_ACCOUNT: Final = "77"
STOCKS: Final = ("00001", "00388", "02800")
UNKNOWN_STOCK: Final = "99999"
HUGE: Final = 900_000_000_000  # more than any account holds
TOP_UP_BELOW: Final = 100_000
TOP_UP: Final = 1_000_000

Position = tuple[str, str]  # (stock account, stock code)
_ECHOED: Final = ("kind", "from_account", "to_account", "stock_code", "quantity")
"""The item roles an answer carries back as sent."""
Action = Literal["process", "change", "cancel"]


class MassMismatch(RuleBroken):
    """The target's mass processing differs from what the Mass ATI/STI rules predict."""

    def __init__(self, function: str, what: str, *, received: object, expected: object, items: Sequence[Item],
                 exchange: Exchange | None = None) -> None:
        super().__init__(function, what, received=received, expected=expected, exchange=exchange,
                         context=[f"Items: {[item.describe() for item in items]}"])
        _FINDINGS.record(self)


_FINDINGS = Findings()
"""Every mismatch of the current run (the first seen is the finding)."""


@dataclass(frozen=True, slots=True)
class Item:
    kind: str
    from_account: str
    to_account: str
    stock_code: str
    quantity: int

    def roles(self) -> tuple[Any, ...]:
        """(kind, from_account, to_account, stock_code, quantity): what an answer echoes of the item."""
        return self.kind, self.from_account, self.to_account, self.stock_code, self.quantity

    def body(self, bound: BoundClient) -> dict[str, Any]:
        """The item in the bound contract's names."""
        return bound.item(INPUT, dict(zip(_ECHOED, self.roles(), strict=True)))

    def describe(self) -> str:
        return f"{self.kind} {self.from_account}->{self.to_account} {self.quantity} x {self.stock_code}"

    def refusals(self, balances: Mapping[Position, int]) -> set[str]:
        """The codes a rejection of this item may carry given ``balances``; empty if it must be accepted."""
        codes: set[str] = set()
        if self.from_account == self.to_account:
            codes.add("ACCOUNT_SAME")
        if {self.from_account, self.to_account} - set(ACCOUNTS):
            codes.add("STOCK_ACCOUNT_UNKNOWN")
        if self.stock_code not in STOCKS:
            codes.add("STOCK_UNKNOWN")
        known_source = self.from_account in ACCOUNTS and self.stock_code in STOCKS
        if self.kind == "ATI" and known_source and self.quantity > balances[(self.from_account, self.stock_code)]:
            codes.add("INSUFFICIENT_BALANCE")
        return codes


def _item(kind: str, source: str, target: str, stock: str, quantity: int) -> Item:
    return Item(kind, source, target, stock, 50 if kind == "STI" and quantity == HUGE else quantity)


OBVIOUSLY_VALID: Final = Item("ATI", "01", "02", "00001", 10)
"""Random mixes may, by chance, accept no ATI item at all; this one is always among the examples."""
ACCOUNT_CHOICES: Final = st.sampled_from((*ACCOUNTS, *ACCOUNTS, UNKNOWN_ACCOUNT))
ITEMS: Final = st.lists(st.builds(
    _item, st.sampled_from(("ATI", "STI")), ACCOUNT_CHOICES, ACCOUNT_CHOICES,
    st.sampled_from((*STOCKS, *STOCKS, UNKNOWN_STOCK)),
    st.one_of(st.integers(min_value=1, max_value=50), st.just(HUGE))), min_size=1, max_size=8)
SETTINGS: Final = settings(max_examples=15, deadline=None, database=None,
                           phases=[Phase.explicit, Phase.reuse, Phase.generate],  # each replay costs requests
                           suppress_health_check=list(HealthCheck))


@dataclass(frozen=True, slots=True)
class Expected:
    """What processing ``items`` from ``before`` leads to."""

    refusals: tuple[set[str], ...]
    after: dict[Position, int]

    @property
    def status(self) -> str:
        rejected = sum(1 for codes in self.refusals if codes)
        if not rejected:
            return "PROCESSED"
        return "REJECTED" if rejected == len(self.refusals) else "PARTIALLY_REJECTED"


def predict(items: Sequence[Item], before: Mapping[Position, int]) -> Expected:
    """Apply ``items`` in order: ATIs move at once, accepted STIs settle after every item was processed."""
    balances = dict(before)
    refusals: list[set[str]] = []
    settling: list[Item] = []
    for item in items:
        codes = item.refusals(balances)
        refusals.append(codes)
        if codes:
            continue
        if item.kind == "ATI":
            _move(balances, item)
        else:
            settling.append(item)
    for item in settling:
        if balances[(item.from_account, item.stock_code)] >= item.quantity:
            _move(balances, item)
    return Expected(tuple(refusals), balances)


def _move(balances: dict[Position, int], item: Item) -> None:
    balances[(item.from_account, item.stock_code)] -= item.quantity
    balances[(item.to_account, item.stock_code)] += item.quantity


class Run:
    """One example against the target: submit, maybe change or cancel, process, and check."""

    def __init__(self, client: OcpClient, bound: BoundClient, participant: str) -> None:
        self.client = client
        self.bound = bound
        self.participant = participant

    def positions(self) -> dict[Position, int]:
        held = {(h.stock_account, h.stock_code): h.quantity for h in holdings(self.client, self.participant)}
        return {(account, stock): held.get((account, stock), 0) for account in ACCOUNTS for stock in STOCKS}

    def top_up(self) -> None:
        for (account, stock), quantity in self.positions().items():
            if quantity < TOP_UP_BELOW:
                seed_holding(self.client, self.participant, stock, TOP_UP, account)

    def get(self, mass_id: str) -> BoundExchange:
        return self.bound.call(ENQUIRE, "get", as_participant=self.participant, mass_id=mass_id)

    def items(self, items: Sequence[Item]) -> list[dict[str, Any]]:
        return [item.body(self.bound) for item in items]

    def check(self, items: Sequence[Item], action: Action, replacement: Sequence[Item]) -> None:
        self.top_up()
        self.client.call_operation("simRunBatchSettlement")  # flush what others left pending
        before = self.positions()
        reference = uuid.uuid4().hex[:16]
        created = self.bound.call(INPUT, "create", as_participant=self.participant, own_reference=reference,
                                  transfers=self.items(items))
        self._expect_received(created, items, INPUT)
        created.expect()
        mass_id = created.get("mass_id")
        applied: Sequence[Item] = items
        blame = INPUT
        if action == "change":
            blame = CHANGE
            changed = self.bound.call(CHANGE, "change", as_participant=self.participant, mass_id=mass_id,
                                      transfers=self.items(replacement))
            self._expect_received(changed, replacement, blame)
            applied = replacement
        elif action == "cancel":
            blame = CANCEL
            cancelled = self.bound.call(CANCEL, "cancel", as_participant=self.participant, mass_id=mass_id)
            if not cancelled.ok or cancelled.get("status", None) != "CANCELLED":
                raise MassMismatch(blame, "cancelling a RECEIVED submission failed", items=items,
                                   exchange=cancelled.exchange, received=f"HTTP {cancelled.status} {cancelled.body}",
                                   expected="2xx CANCELLED")
            applied = ()
        if self.positions() != before:
            raise MassMismatch(blame, "stock moved before the batch run processed the submission", items=applied,
                               received=self.positions(), expected=before)
        self.client.call_operation("simRunBatchSettlement")
        expected = predict(applied, before)
        processed = self.get(mass_id)
        if action == "change" and _echo(processed) != [i.roles() for i in replacement]:
            raise MassMismatch(blame, "the processed submission does not hold the changed items", items=replacement,
                               exchange=processed.exchange, received=_echo(processed), expected=replacement)
        blame = CANCEL if action == "cancel" else INPUT  # processing's rules
        self._expect_processed(processed, action, applied, expected, blame)
        after = self.positions()
        if after != expected.after:
            raise MassMismatch(blame, "positions after the batch run are not before + each accepted item once",
                               items=applied, received=_diff(before, after), expected=_diff(before, expected.after))
        listed = self.bound.call(ENQUIRE, "list", as_participant=self.participant, own_reference=reference)
        listed.expect()
        listed_ids = [listed.item_value(s, "mass_id") for s in listed.items()]
        if listed_ids != [mass_id]:
            raise MassMismatch(ENQUIRE, "the list filtered by own reference is not the submission", items=applied,
                               exchange=listed.exchange, received=listed_ids, expected=[mass_id])
        self.client.call_operation("simRunBatchSettlement")
        if self.positions() != after:
            raise MassMismatch(blame, "a further batch run moved the submission's stock again", items=applied,
                               received=_diff(after, self.positions()), expected="no movement")

    def _expect_received(self, answer: BoundExchange, items: Sequence[Item], function: str) -> None:
        echoed = [(*fields, result) for fields, result in zip(_echo(answer), _results(answer), strict=False)]
        wanted = [(*i.roles(), None) for i in items]
        status = answer.get("status", None) if isinstance(answer.body, dict) else None
        if not answer.ok or status != "RECEIVED" or echoed != wanted:
            raise MassMismatch(function, "the submission is not RECEIVED with the items as sent", items=items,
                               exchange=answer.exchange, received=f"HTTP {answer.status} {status} {echoed}",
                               expected=f"RECEIVED {wanted}")

    def _expect_processed(self, answer: BoundExchange, action: Action, items: Sequence[Item], expected: Expected,
                          function: str) -> None:
        answer.expect()  # the owner's read of its own submission: anything else is Enquire's failure
        status = answer.get("status")
        results = _results(answer)
        if action == "cancel":
            if status != "CANCELLED" or any(r is not None for r in results):
                raise MassMismatch(function, "a cancelled submission was processed", items=items,
                                   exchange=answer.exchange, received=f"{status} {results}",
                                   expected="CANCELLED, no results")
            return
        if len(results) != len(items) or any(r is None for r in results):
            raise MassMismatch(function, "the batch run did not give every item a result", items=items,
                               exchange=answer.exchange, received=results, expected=f"{len(items)} results")
        for index, (item, listed, codes) in enumerate(zip(items, answer.items("transfers"), expected.refusals,
                                                          strict=True)):
            problem = _result_problem(answer, item, listed, codes)
            if problem is not None:
                raise MassMismatch(function, f"item {index} ({item.describe()}): {problem}", items=items,
                                   exchange=answer.exchange, received=answer.item_value(listed, "result"),
                                   expected=f"REJECTED with one of {sorted(codes)}" if codes else "ACCEPTED")
        counts = (answer.get("accepted_count"), answer.get("rejected_count"))
        wanted_counts = (sum(1 for c in expected.refusals if not c), sum(1 for c in expected.refusals if c))
        if status != expected.status or counts != wanted_counts:
            raise MassMismatch(function, "the submission's status or counts do not follow its items", items=items,
                               exchange=answer.exchange, received=f"{status} {counts}",
                               expected=f"{expected.status} {wanted_counts}")


def _result_problem(answer: BoundExchange, item: Item, listed: Any, codes: set[str]) -> str | None:
    """What is wrong with the result of ``item`` (``listed``: the answer's element for it), or ``None``."""
    outcome = answer.item_value(listed, "outcome")
    if codes:
        code = answer.binding.model_error_code(answer.item_value(listed, "rejection_code"))
        if outcome != "REJECTED" or code not in codes:
            return "not rejected with a code its rule allows"
        if not answer.item_value(listed, "rejection_reason"):
            return "rejected without a reason"
        return None
    if outcome != "ACCEPTED":
        return "a valid item was rejected"
    if not str(answer.item_value(listed, "transfer_id") or "").startswith(item.kind):
        return f"accepted without the {item.kind} it created"
    return None


def _echo(answer: BoundExchange) -> list[tuple[Any, ...]]:
    """Per listed item, the roles it echoes (:data:`_ECHOED`)."""
    return [tuple(answer.item_value(i, role) for role in _ECHOED) for i in _listed(answer)]


def _results(answer: BoundExchange) -> list[Any]:
    return [answer.item_value(i, "result") for i in _listed(answer)]


def _listed(answer: BoundExchange) -> list[Any]:
    """The submission's items (none when the answer is no submission)."""
    return answer.items("transfers") if isinstance(answer.body, dict) else []


def _diff(before: Mapping[Position, int], after: Mapping[Position, int]) -> dict[str, int]:
    return {f"{a}/{s}": after[(a, s)] - before[(a, s)] for a, s in sorted(after) if after[(a, s)] != before[(a, s)]}


def _participant(target: Target) -> str:
    """The last broker/custodian outside the acting pair (never an investor: it has one account only)."""
    outside = [p for p in brokers(target) if p not in target.acting_pair()]
    return outside[-1] if outside else target.acting_pair()[0]


@pytest.mark.ocp(functions=MASS_FUNCTIONS, check="scenario")
def test_mass_items_are_applied_exactly_once_or_rejected_with_a_reason(ocp_harness: Harness) -> None:
    """Random mass submissions (some changed or cancelled first) follow the model, item by item."""
    ocp_client, ocp_target = ocp_harness.client, ocp_harness.target
    if not ocp_target.can("clock-control"):
        pytest.skip("needs clock-control: a batch run on demand and the positions operation")
    clock = ocp_client.call_operation("simGetClock").body
    if not clock.get("inFunctionWindow", True):
        pytest.skip(f"the target's clock ({clock.get('now')}) is outside the function window")
    run = Run(ocp_client, ocp_harness.bound, _participant(ocp_target))

    @SETTINGS
    @example(items=[OBVIOUSLY_VALID], action="process", replacement=[OBVIOUSLY_VALID])  # always one applied item
    @given(items=ITEMS, action=st.sampled_from(("process", "process", "change", "cancel")), replacement=ITEMS)
    def submissions(items: list[Item], action: Action, replacement: list[Item]) -> None:
        run.check(items, action, replacement)

    with _FINDINGS.first_seen():
        submissions()
