"""What the GCP services suites share: reading a whole dataset page by page, rows by role, and the failure type.

The four datasets (Participant List, Stock List, Trading and Settlement Calendar, NCP/GCP Mapping) share one
shape: a business date, items and a next cursor, with an ``ETag`` for the whole dataset on every page. Every name
of the contract comes through the binding (the ``gcp`` field set of ``binding.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from suites.rule_broken import RuleBroken

from ocp_conformance.binding import ABSENT, read_role
from ocp_conformance.bound_client import BoundClient, BoundExchange

__all__ = ["CALENDAR", "DATASETS", "MAPPING", "PARTICIPANTS", "STOCKS", "Dataset", "GcpFailure", "fetch_all", "value"]

PARTICIPANTS: Final = "Participant List"
STOCKS: Final = "Stock List"
CALENDAR: Final = "Trading and Settlement Calendar"
MAPPING: Final = "NCP/GCP Mapping"
DATASETS: Final = (PARTICIPANTS, STOCKS, CALENDAR, MAPPING)


class GcpFailure(RuleBroken):
    """A reference dataset or the trade feed broke a rule."""


def value(bound: BoundClient, function: str, row: Any, role: str) -> Any:
    """``row``'s value of ``role`` (enums as the model's values); a row without it is ``function``'s failure."""
    found = read_role(bound.binding, function, row, role)
    if found is ABSENT:
        raise GcpFailure(function, f"a row without its {role}", received=row,
                         expected=f"a value at {bound.binding.pointer(function, role)}")
    return found


@dataclass(frozen=True, slots=True)
class Dataset:
    """A whole dataset as one participant read it."""

    business_date: str
    etag: str
    items: list[dict[str, Any]]
    pages: list[BoundExchange]


def fetch_all(bound: BoundClient, function: str, participant: str, *, limit: int = 200) -> Dataset:
    """Every page of ``function``'s dataset, checking that each page carries the first page's version."""
    pages: list[BoundExchange] = []
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        answer = bound.call(function, "list", as_participant=participant, limit=limit,
                            **({"cursor": cursor} if cursor else {}))
        answer.expect(200)
        first = pages[0] if pages else answer
        first_date, page_date = first.get("business_date"), answer.get("business_date")
        etag, first_etag = answer.exchange.response.headers.get("etag"), first.exchange.response.headers.get("etag")
        if page_date != first_date or etag != first_etag:
            raise GcpFailure(function, "pages of one dataset carry different versions",
                             received=f"{page_date} {etag}", expected=f"{first_date} {first_etag} (as the first page)",
                             exchange=answer.exchange)
        pages.append(answer)
        items += answer.items()
        cursor = answer.get("next_cursor", default=None)
        if cursor is None:
            return Dataset(str(first_date), str(first_etag), items, pages)
        if len(pages) > 1000:
            raise GcpFailure(function, "paging never ends", received=f"{len(pages)} pages", expected="a last page",
                             exchange=answer.exchange)
