"""What the GCP reference-data suites share: reading a whole dataset page by page, and its failure type.

The four datasets (Participant List, Stock List, Trading and Settlement Calendar, NCP/GCP Mapping) share one
shape: ``businessDate``, ``items`` and ``nextCursor``, with an ``ETag`` for the whole dataset on every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from suites.rule_broken import RuleBroken

from ocp_conformance.client import Exchange, OcpClient

__all__ = ["CALENDAR", "DATASETS", "MAPPING", "PARTICIPANTS", "STOCKS", "Dataset", "GcpFailure", "fetch_all"]

PARTICIPANTS: Final = "Participant List"
STOCKS: Final = "Stock List"
CALENDAR: Final = "Trading and Settlement Calendar"
MAPPING: Final = "NCP/GCP Mapping"
DATASETS: Final = (PARTICIPANTS, STOCKS, CALENDAR, MAPPING)


class GcpFailure(RuleBroken):
    """A reference dataset or the trade feed broke a rule."""


@dataclass(frozen=True, slots=True)
class Dataset:
    """A whole dataset as one participant read it."""

    business_date: str
    etag: str
    items: list[dict[str, Any]]
    pages: list[Exchange]


def fetch_all(client: OcpClient, function: str, participant: str, *, limit: int = 200) -> Dataset:
    """Every page of ``function``'s dataset, checking that each page carries the first page's version."""
    pages: list[Exchange] = []
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        fields: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        exchange = client.call(function, as_participant=participant, **fields)
        if exchange.status != 200:
            raise GcpFailure(function, "a page of the dataset was not returned", received=f"HTTP {exchange.status}",
                             expected="HTTP 200", exchange=exchange)
        page = exchange.expect(200)
        first = pages[0] if pages else exchange
        first_date = first.expect(200)["businessDate"]
        etag, first_etag = exchange.response.headers.get("etag"), first.response.headers.get("etag")
        if page["businessDate"] != first_date or etag != first_etag:
            raise GcpFailure(function, "pages of one dataset carry different versions",
                             received=f"{page['businessDate']} {etag}",
                             expected=f"{first_date} {first_etag} (as the first page)",
                             exchange=exchange)
        pages.append(exchange)
        items += page["items"]
        cursor = page["nextCursor"]
        if cursor is None:
            return Dataset(str(first_date), str(first_etag), items, pages)
        if len(pages) > 1000:
            raise GcpFailure(function, "paging never ends", received=f"{len(pages)} pages", expected="a last page",
                             exchange=exchange)
