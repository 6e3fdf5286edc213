"""What an uploaded file's accepted records must have done, seen through the OCP API.

- SI, ISI, STI records become instructions: Enquire SI / ISI / STI by the record's client reference
  (``ownReference``) shows exactly one, with the result file's instruction id and the record's values; a
  rejected record's reference shows none.
- ATI records move stock between the participant's own accounts at once: the accounts' totals (Enquire Stock
  Account Balance) change by exactly the accepted quantities.
- Corporate-action records earmark the instructed stock (on hold; an excess application earmarks nothing,
  DOMAIN.md §6): the account's ``onHold`` grows by exactly the accepted quantities. There is no OCP API
  enquiry of CA instructions themselves, so the earmark is what the API shows of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from suites.rap_files import RapUpload
from suites.rap_results import FileRuleBroken

from ocp_conformance.client import OcpClient
from ocp_conformance.rap import RapResult

__all__ = ["ENQUIRY_OF", "Balances", "balances", "expect_instructions_visible", "expected_balance_changes"]

ENQUIRY_OF: Final[Mapping[str, str]] = {"SI": "Enquire SI", "ISI": "Enquire ISI", "STI": "Enquire STI"}
"""File types whose records become instructions, and the API function that lists them by ``ownReference``."""
_OWN_REFERENCE: Final = "ownReference"

Balances = dict[tuple[str, str], dict[str, int]]
"""(stock account, stock code) -> the balance fields (available, onHold, total, ...)."""


def _same(file_value: object, api_value: object) -> bool:
    if isinstance(api_value, bool):
        return str(file_value).upper() in ({"Y", "TRUE"} if api_value else {"N", "FALSE"})
    try:
        return Decimal(str(file_value)) == Decimal(str(api_value))
    except InvalidOperation:
        return str(file_value) == str(api_value)


def expect_instructions_visible(client: OcpClient, entry: str, participant: str, upload: RapUpload,
                                result: RapResult) -> None:
    """Each record's reference lists exactly the instruction the result file names (none if rejected)."""
    function = ENQUIRY_OF[upload.layout.file_type]
    reference = upload.layout.detail.role("client_reference")
    assert reference is not None, f"layout {upload.layout.file_type} has no client_reference field"
    for index, record in enumerate(upload.records):
        line = index + 2
        outcome = result.record_at(line)
        items = client.call(function, as_participant=participant,
                            ownReference=record[reference.name]).expect()["items"]
        wanted = 1 if outcome is not None and outcome.accepted else 0
        ids = [item for item in items if outcome is not None and outcome.instruction_id in item.values()]
        if len(items) != wanted or (wanted and not ids):
            raise FileRuleBroken(entry, f"{upload.file_name} line {line}: {function} by ownReference "
                                 f"{record[reference.name]} must show exactly the instruction the result file names",
                                 result=result, received=f"{len(items)} instruction(s): {items}",
                                 expected=f"{wanted} instruction(s)" + (
                                     f", id {outcome.instruction_id}" if wanted and outcome else ""))
        if wanted:
            differ = {name: (value, items[0].get(name)) for name, value in record.items()
                      if name in items[0] and not _same(value, items[0][name])}
            if differ:
                raise FileRuleBroken(entry, f"{upload.file_name} line {line}: the instruction differs from the "
                                     "record", result=result, received={k: v[1] for k, v in differ.items()},
                                     expected={k: v[0] for k, v in differ.items()})


def balances(client: OcpClient, participant: str, accounts: Sequence[tuple[str, str]]) -> Balances:
    """The balance of each (stock account, stock code) of ``participant``."""
    seen: Balances = {}
    for account, stock in sorted(set(accounts)):
        items = client.call("Enquire Stock Account Balance", as_participant=participant,
                            accountId=f"{participant}{account}", stockCode=stock).expect()["items"]
        row = next((i for i in items if i.get("stockCode") == stock), {})
        seen[(account, stock)] = {k: int(v) for k, v in row.items() if isinstance(v, int)}
    return seen


def touched_accounts(upload: RapUpload) -> list[tuple[str, str]]:
    """The (stock account, stock code) pairs the file's records act on."""
    layout = upload.layout
    stock = layout.detail.role("stock_code")
    assert stock is not None
    accounts = [f.name for f in layout.detail.fields if f.role == "stock_account" or f.name in ("fromAccount",
                                                                                                 "toAccount")]
    return [(str(record[a]), str(record[stock.name])) for record in upload.records for a in accounts if a in record]


def expected_balance_changes(upload: RapUpload, result: RapResult) -> tuple[str, Counter[tuple[str, str]]]:
    """Which balance field the accepted records change, and by how much per (account, stock)."""
    layout = upload.layout
    stock = layout.detail.role("stock_code")
    quantity = layout.detail.role("quantity")
    assert stock is not None and quantity is not None
    accepted = {r.line for r in result.accepted}
    change: Counter[tuple[str, str]] = Counter()
    for index, record in enumerate(upload.records):
        if index + 2 not in accepted:
            continue
        amount = int(record[quantity.name])
        if "fromAccount" in record:  # a transfer: from one own account to another
            change[(str(record["fromAccount"]), str(record[stock.name]))] -= amount
            change[(str(record["toAccount"]), str(record[stock.name]))] += amount
        elif not str(_option(record)).startswith("EXCESS"):
            account = layout.detail.role("stock_account")
            assert account is not None
            change[(str(record[account.name]), str(record[stock.name]))] += amount
    field = "total" if layout.file_type == "ATI" else "onHold"
    return field, change


def _option(record: Mapping[str, Any]) -> object:
    return record.get("subscriptionKind", "")
