"""What an uploaded file's accepted records must have done, seen through the OCP API.

- SI, ISI, STI records become instructions: Enquire SI / ISI / STI by the record's client reference
  (its own reference) shows exactly one, with the result file's instruction id and the record's values; a
  rejected record's reference shows none.
- ATI records move stock between the participant's own accounts at once: the accounts' totals (Enquire Stock
  Account Balance) change by exactly the accepted quantities.
- Corporate-action records earmark the instructed stock (on hold; an excess application earmarks nothing,
  DOMAIN.md §6): the account's on-hold quantity grows by exactly the accepted quantities. There is no OCP API
  enquiry of CA instructions themselves, so the earmark is what the API shows of them.
- Tender records apply for a new issue (issue 17 correction 3): they earmark nothing (the layout's quantity has no
  `quantity` role, it is not held) and debit their tender monies, quantity x tender price, through CCASS money
  settlement: the entitlements sub-ledger of Enquire Money Position falls by exactly their sum.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from suites.rap_files import RapUpload
from suites.rap_results import FileRuleBroken

from ocp_conformance.binding import BindingMissing, role_of_pointer
from ocp_conformance.bound_client import BoundClient
from ocp_conformance.rap import RapResult

__all__ = ["ENQUIRY_OF", "MONEY", "Balances", "balances", "entitlements_money", "expect_instructions_visible",
           "expected_balance_changes", "expected_money_change", "paying_currency"]

ENQUIRY_OF: Final[Mapping[str, str]] = {"SI": "Enquire SI", "ISI": "Enquire ISI", "STI": "Enquire STI"}
"""File types whose records become instructions, and the API function that lists them by own reference."""
BALANCE: Final = "Enquire Stock Account Balance"
MONEY: Final = "Enquire Money Position"
TENDER_PRICE: Final = "tenderPrice"
"""The field of a record that pays quantity x it (a TENDER's tender monies)."""
_MARKET: Final = "HKMK"
_BALANCE_ROLES: Final = ("available", "on_hold", "total", "pending_in", "pending_out")
_API_ROLE_OF: Final[Mapping[str, Mapping[str, str]]] = {
    "Enquire STI": {"stock_account": "from_account"},
}
"""A RAP layout role read under another role of the function's answer (an STI leaves its ``from_account``)."""

Balances = dict[tuple[str, str], dict[str, int]]
"""(stock account, stock code) -> the balance roles (available, on_hold, total, pending_in, pending_out)."""


def _same(file_value: object, api_value: object) -> bool:
    if isinstance(api_value, bool):
        return str(file_value).upper() in ({"Y", "TRUE"} if api_value else {"N", "FALSE"})
    try:
        return Decimal(str(file_value)) == Decimal(str(api_value))
    except InvalidOperation:
        return str(file_value) == str(api_value)


def _api_role(bound: BoundClient, function: str, upload: RapUpload, name: str) -> str | None:
    """The role of ``function``'s answer that carries the record field ``name``: by the layout's role where it has
    one, else the role the binding gives a field of that name; ``None`` if the answer has no such role."""
    spec = next((f for f in upload.layout.detail.fields if f.name == name), None)
    rap_role = spec.role if spec is not None else None
    if rap_role == "client_reference":
        rap_role = "own_reference"
    role = _API_ROLE_OF.get(function, {}).get(rap_role, rap_role) if rap_role else None
    try:
        known = bound.binding.fields_of(function)
    except BindingMissing:
        return None
    if role is not None and role in known:
        return role
    return role_of_pointer(bound.binding, function, f"/{name}")


def _differences(bound: BoundClient, function: str, upload: RapUpload, record: Mapping[str, Any],
                 listed: Any, item: Any) -> dict[str, tuple[object, object]]:
    """{record field: (file value, API value)} of the record's values the instruction shows differently: each field
    read by its role (enums as the model's values, the file's own codes); a field no role carries, by its name."""
    differ: dict[str, tuple[object, object]] = {}
    for name, value in record.items():
        role = _api_role(bound, function, upload, name)
        if role is not None:
            shown = listed.item_value(item, role)
        elif isinstance(item, dict) and name in item:
            shown = item[name]
        else:
            continue
        if shown is not None and not _same(value, shown):
            differ[name] = (value, shown)
    return differ


def expect_instructions_visible(bound: BoundClient, entry: str, participant: str, upload: RapUpload,
                                result: RapResult) -> None:
    """Each record's reference lists exactly the instruction the result file names (none if rejected)."""
    function = ENQUIRY_OF[upload.layout.file_type]
    reference = upload.layout.detail.role("client_reference")
    assert reference is not None, f"layout {upload.layout.file_type} has no client_reference field"
    for index, record in enumerate(upload.records):
        line = index + 2
        outcome = result.record_at(line)
        listed = bound.call(function, "list", as_participant=participant, own_reference=record[reference.name])
        listed.expect()
        items = listed.items()
        wanted = 1 if outcome is not None and outcome.accepted else 0
        ids = [item for item in items if outcome is not None and isinstance(item, dict)
               and outcome.instruction_id in item.values()]
        if len(items) != wanted or (wanted and not ids):
            raise FileRuleBroken(entry, f"{upload.file_name} line {line}: {function} by own reference "
                                 f"{record[reference.name]} must show exactly the instruction the result file names",
                                 result=result, received=f"{len(items)} instruction(s): {items}",
                                 expected=f"{wanted} instruction(s)" + (
                                     f", id {outcome.instruction_id}" if wanted and outcome else ""))
        if wanted:
            differ = _differences(bound, function, upload, record, listed, items[0])
            if differ:
                raise FileRuleBroken(entry, f"{upload.file_name} line {line}: the instruction differs from the "
                                     "record", result=result, received={k: v[1] for k, v in differ.items()},
                                     expected={k: v[0] for k, v in differ.items()})


def balances(bound: BoundClient, participant: str, accounts: Sequence[tuple[str, str]]) -> Balances:
    """The balance of each (stock account, stock code) of ``participant``, by role."""
    seen: Balances = {}
    for account, stock in sorted(set(accounts)):
        listed = bound.call(BALANCE, "get", as_participant=participant, account_id=f"{participant}{account}",
                            stock_code=stock)
        listed.expect()
        row = next((i for i in listed.items() if listed.item_value(i, "stock_code") == stock), {})
        values = {role: listed.item_value(row, role) for role in _BALANCE_ROLES}
        seen[(account, stock)] = {role: int(v) for role, v in values.items() if isinstance(v, int)}
    return seen


def touched_accounts(upload: RapUpload) -> list[tuple[str, str]]:
    """The (stock account, stock code) pairs the file's records act on (none for a tender: it applies for a new
    issue nobody holds yet, and the stock list may not know it before the allotment)."""
    layout = upload.layout
    stock = layout.detail.role("stock_code")
    assert stock is not None
    if layout.detail.role("quantity") is None:
        return []
    accounts = [f.name for f in layout.detail.fields if f.role in ("stock_account", "to_account")]
    return [(str(record[a]), str(record[stock.name])) for record in upload.records for a in accounts if a in record]


def expected_balance_changes(upload: RapUpload, result: RapResult) -> tuple[str, Counter[tuple[str, str]]]:
    """Which balance role the accepted records change, and by how much per (account, stock)."""
    layout = upload.layout
    stock = layout.detail.role("stock_code")
    quantity = layout.detail.role("quantity")
    account = layout.detail.role("stock_account")
    to_account = layout.detail.role("to_account")
    assert stock is not None and account is not None
    if quantity is None:  # a tender applies for a new issue: nothing held, nothing earmarked
        return "on_hold", Counter()
    accepted = {r.line for r in result.accepted}
    change: Counter[tuple[str, str]] = Counter()
    for index, record in enumerate(upload.records):
        if index + 2 not in accepted:
            continue
        amount = int(record[quantity.name])
        if to_account is not None:  # a transfer: from one own account to another
            change[(str(record[account.name]), str(record[stock.name]))] -= amount
            change[(str(record[to_account.name]), str(record[stock.name]))] += amount
        elif not str(_option(record)).startswith("EXCESS"):
            change[(str(record[account.name]), str(record[stock.name]))] += amount
    role = "total" if to_account is not None else "on_hold"
    return role, change


def paying_currency(upload: RapUpload) -> str | None:
    """The currency a file's records pay quantity x a price in (a TENDER's tender monies); ``None`` if they pay
    none that way."""
    names = {f.name for f in upload.layout.detail.fields}
    if not {TENDER_PRICE, "quantity", "currency"} <= names:
        return None
    currencies = {str(record["currency"]) for record in upload.records} or {"HKD"}
    assert len(currencies) == 1, f"one currency per generated file, got {currencies}"
    return currencies.pop()


def expected_money_change(upload: RapUpload, result: RapResult) -> Decimal:
    """The change of the entitlements sub-ledger the accepted records of a tender file make (negative: debited)."""
    accepted = {r.line for r in result.accepted}
    return -sum((Decimal(str(record[TENDER_PRICE])) * int(record["quantity"])
                 for index, record in enumerate(upload.records) if index + 2 in accepted), Decimal(0))


def entitlements_money(bound: BoundClient, participant: str, currency: str) -> Decimal:
    """The entitlements sub-ledger of ``participant``'s HKMK money position in ``currency`` (0 if none shown)."""
    listed = bound.call(MONEY, "list", as_participant=participant, market=_MARKET, currency=currency)
    listed.expect()
    items = listed.items()
    return Decimal(str(listed.item_value(items[0], "ledger_entitlements"))) if items else Decimal(0)


def _option(record: Mapping[str, Any]) -> object:
    return record.get("subscriptionKind", "")
