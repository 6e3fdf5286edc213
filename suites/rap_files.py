"""RAP files for the file suites: the layouts and catalogue entries of the contracts, and files made per example.

Every file gets a sequence number no other file of the run used for its type and date (a duplicate sequence is
itself a defect), and a valid file's client references are fresh (so the suites can find exactly its
instructions through the API). Files are drawn by hypothesis from a seed and a record count; the records come
from the generator's demo market (``ocp_conformance.rap.generator``), which the simulator accepts in full.
"""

from __future__ import annotations

import io
import itertools
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from suites.rule_broken import RuleBroken
from suites.sim_control import seed_holding

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.rap import (
    DEFECTS,
    FileHeader,
    GeneratedFile,
    Layout,
    RapResult,
    RecordGenerator,
    RecordResult,
    generate_file,
    load_layouts,
    validate,
    write_file,
)
from ocp_conformance.reporting.allure_exchanges import attach
from ocp_conformance.targets import CLOCK_CONTROL, RapChannel, RapUploadRefused, Target

__all__ = ["FILE_SETTINGS", "MAX_SEQUENCE", "HoldingNotSetUp", "RapUpload", "channel_of", "defective_upload",
           "entry_of", "file_plans", "file_types", "layout_of", "send_fresh", "top_up_for_file", "top_up_holdings",
           "upload_attached", "valid_upload"]

MAX_SEQUENCE: Final = 999
FILE_SETTINGS: Final = settings(
    max_examples=6, deadline=None, database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each replay uploads another file
    suppress_health_check=[HealthCheck.too_slow],
)
"""Few examples: each is an upload (a few ms in process, an SSH session over SFTP) and uses up stock."""


@cache
def _contracts() -> ContractSet:
    return load_contracts()


@cache
def _layouts(root: Path) -> dict[str, Layout]:
    return load_layouts(root / "rap")


def channel_of(target: Target) -> RapChannel:
    """The target's RAP channel; the test is skipped, saying how to give one, if it has none."""
    if target.rap is None:
        pytest.skip(f"target {target.name} has no RAP upload channel: give a URL target its RAP SFTP server with "
                    "--rap-sftp HOST:PORT, or declare RAP out of scope for the run with --out-of-scope rap")
    return target.rap


def file_types() -> list[str]:
    """The file types of the catalogue's RAP entries, in catalogue order (collection time: our contracts)."""
    return [e.file_type for e in _contracts().catalogue if e.kind == "rap" and e.file_type]


def entry_of(file_type: str) -> str:
    """The catalogue entry whose file type is ``file_type`` (the function a failing check blames)."""
    return next(e.name for e in _contracts().catalogue if e.kind == "rap" and e.file_type == file_type)


def layout_of(contracts: ContractSet, file_type: str) -> Layout:
    """The layout of ``file_type`` in the run's contracts."""
    return _layouts(contracts.root)[file_type]


_SEQUENCES: dict[tuple[str, str, str], Iterator[int]] = {}


class HoldingNotSetUp(RuntimeError):
    """The simulator refused a holding a check set up for its records: the harness's own failure (issue 20)."""


class SequencesUsedUp(RuleBroken):
    """Every sequence number of the day was refused as already used."""


def _next_sequence(participant: str, file_type: str, business_date: str) -> int:
    counter = _SEQUENCES.setdefault((participant, file_type, business_date), itertools.count(1))
    sequence = next(counter)
    if sequence > MAX_SEQUENCE:
        raise SequencesUsedUp(entry_of(file_type), f"no sequence number of {file_type} files for {business_date} "
                              "was left for the RAP file suites", received=f"sequences 1-{MAX_SEQUENCE} refused or "
                              "used", expected="a target whose files of the day are not all used up (reset it, or run "
                              "the suites on another business date)")
    return sequence


T = TypeVar("T")


def upload_attached(channel: RapChannel, participant: str, name: str, data: bytes) -> RapResult:
    """Upload ``data`` as ``name``; the file and the target's result file are attached to the Allure report."""
    result = channel.upload(participant, name, data)
    # once per kind of upload (file type, participant, result status) in a test, not once per generated file
    kind = (name.split("_")[1] if name.count("_") >= 2 else name, participant, result.status)
    attach(f"RAP upload {name} as {participant}", ("RAP upload", *kind),
           lambda: data.decode("utf-8", "replace")[:_ATTACHED_CHARS])
    attach(f"RAP result of {name}: {result.status}", ("RAP result", *kind), lambda: result.text[:_ATTACHED_CHARS])
    return result


_ATTACHED_CHARS: Final = 50_000
"""Attachments keep the start of a large file; the result names every line anyway."""


def send_fresh(channel: RapChannel, participant: str, make: Callable[[], tuple[str, bytes, T]]) -> tuple[T, RapResult]:
    """Upload what ``make`` builds (each call takes a new sequence number) until the target does not refuse it as
    a duplicate: a target reused across runs has seen our first sequence numbers of the day already."""
    while True:
        name, data, made = make()
        try:
            result = upload_attached(channel, participant, name, data)
        except RapUploadRefused:
            continue  # RAP's SFTP takes a name once: an earlier run uploaded this one
        if "DUPLICATE_SEQUENCE" not in {e.code for e in result.file_errors}:
            return made, result


def file_plans(*, min_records: int = 1, max_records: int = 5) -> st.SearchStrategy[tuple[int, int]]:
    """(record count, generator seed) pairs."""
    return st.tuples(st.integers(min_records, max_records), st.integers(0, 2**32 - 1))


@dataclass(frozen=True, slots=True)
class RapUpload:
    """A file to upload: its name, bytes and the detail records written (line ``i + 2`` holds record ``i``)."""

    layout: Layout
    file_name: str
    data: bytes
    records: tuple[dict[str, Any], ...]
    sequence: int

    def describe(self) -> str:
        return f"{self.file_name} ({len(self.records)} record(s))"


def _business_date(client: OcpClient) -> str:
    return client.business_dates()[0].isoformat()


def valid_upload(client: OcpClient, layout: Layout, participant: str, records: int, seed: int, *,
                 sequence: int | None = None) -> RapUpload:
    """A valid file of ``records`` demo-market records with fresh client references and a fresh sequence."""
    business_date = _business_date(client)
    sequence = sequence if sequence is not None else _next_sequence(participant, layout.file_type, business_date)
    generator = RecordGenerator(layout, seed=seed, participant=participant, business_date=business_date)
    reference = layout.detail.role("client_reference")
    tag = secrets.token_hex(5).upper()
    rows = []
    for index in range(records):
        record = generator.record(index)
        if reference is not None:
            record[reference.name] = f"F{tag}{index:04d}"
        rows.append(record)
    stream = io.BytesIO()
    write_file(stream, layout, FileHeader(participant, business_date, sequence), rows)
    return RapUpload(layout, layout.make_file_name(participant, business_date, sequence), stream.getvalue(),
                     tuple(rows), sequence)


def defective_upload(client: OcpClient, layout: Layout, participant: str, kind: str, records: int,
                     seed: int) -> tuple[GeneratedFile, bytes]:
    """A file with exactly one defect of ``kind`` (see ``ocp-conformance generate-file --list-defects``)."""
    business_date = _business_date(client)
    stream = io.BytesIO()
    generated = generate_file(stream, layout, max(records, DEFECTS[kind].min_records), defect=kind, seed=seed,
                              participant=participant, business_date=business_date,
                              sequence=_next_sequence(participant, layout.file_type, business_date))
    return generated, stream.getvalue()


def top_up_holdings(client: OcpClient, participant: str, upload: RapUpload) -> None:
    """Give ``participant`` the stock ``upload``'s records draw on (a transfer's from-account, an instruction's
    stock account), when the target has simulator control: the world is shared, and a full run's other checks
    move the demo holdings away, so a valid file must not depend on what is left (issue 20, item 2)."""
    _top_up(client, participant, upload.layout, upload.records)


def top_up_for_file(client: OcpClient, participant: str, layout: Layout, data: bytes) -> None:
    """:func:`top_up_holdings` for a file given as bytes (a generated file, a defect planted in it): the stock its
    readable records draw on, so that its other records are accepted whatever earlier checks left."""
    records = [event.values for event in validate(io.BytesIO(data), layout)
               if isinstance(event, RecordResult) and event.accepted and event.values is not None]
    _top_up(client, participant, layout, records)


def _top_up(client: OcpClient, participant: str, layout: Layout, records: Iterable[Mapping[str, Any]]) -> None:
    control = client.contracts.control_document
    if not client.target.can(CLOCK_CONTROL) or control is None or "simSeedHolding" not in control.operations:
        return
    stock, quantity = layout.detail.role("stock_code"), layout.detail.role("quantity")
    account = layout.detail.role("stock_account")
    if stock is None or quantity is None:
        return
    needed: dict[tuple[str, str], int] = {}
    for record in records:
        source = record.get(account.name) if account is not None else None
        amount = record.get(quantity.name)
        if source is None or not isinstance(amount, int) or amount <= 0 or record.get(stock.name) is None:
            continue  # a record drawing no holding (an excess application) still needs some held: counted too
        key = (str(source), str(record[stock.name]))
        needed[key] = needed.get(key, 0) + amount
    for (stock_account, stock_code), amount in sorted(needed.items()):
        if not seed_holding(client, participant, stock_code, amount, stock_account):
            raise HoldingNotSetUp(
                f"harness: the simulator refused to deposit {amount} of {stock_code} into {participant}'s account "
                f"{stock_account} (simSeedHolding), which the file's records instruct; the check cannot depend on "
                "what earlier checks left. Expected the simulator to take any stock a generated file quotes: "
                "report this as a harness defect")

