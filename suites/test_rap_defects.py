"""RAP file check, defective files: every defect kind the generator plants is rejected with its code at the
right line (file-level: the whole file; record-level: that line only); a duplicate file sequence and a
corporate-action instruction above the available holding are rejected too."""

from __future__ import annotations

import io

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from suites.holdings import holding_at_most
from suites.rap_api_state import balances
from suites.rap_files import (
    FILE_SETTINGS,
    RapUpload,
    channel_of,
    defective_upload,
    entry_of,
    file_plans,
    file_types,
    layout_of,
    send_fresh,
    top_up_for_file,
    top_up_holdings,
    upload_attached,
    valid_upload,
)
from suites.rap_results import FileRuleBroken, expect_defect_caught, expect_record_rejected

from ocp_conformance.bound_client import BoundClient
from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.rap import DEFECTS, FileHeader, GeneratedFile, Layout, write_file
from ocp_conformance.targets import RapUploadRefused, Target

_LAYOUTS = {t: layout_of(load_contracts(), t) for t in file_types()}


def _made(upload: RapUpload) -> tuple[str, bytes, RapUpload]:
    return upload.file_name, upload.data, upload


def _marked(file_type: str, *rest: str) -> object:
    return pytest.param(file_type, *rest, marks=pytest.mark.ocp(functions=[entry_of(file_type)], check="file"),
                        id="-".join((file_type, *rest)))


DEFECT_CASES = [_marked(t, kind) for t in file_types() for kind, defect in DEFECTS.items()
                if defect.applies(_LAYOUTS[t])]


def _instructs_on_holding(layout: Layout) -> bool:
    """A corporate-action layout whose quantity no cross-field rule ties (so it can be raised alone)."""
    quantity = layout.detail.role("quantity")
    return layout.detail.role("event") is not None and quantity is not None \
        and not any(quantity.name in rule.fields for rule in layout.detail.rules)


CA_TYPES = [_marked(t) for t, layout in _LAYOUTS.items() if _instructs_on_holding(layout)]


@pytest.mark.parametrize(("file_type", "kind"), DEFECT_CASES)
@FILE_SETTINGS
@given(plan=file_plans(max_records=4))
def test_defect_is_rejected_with_its_code_at_its_line(file_type: str, kind: str, plan: tuple[int, int],
                                                      ocp_target: Target, ocp_client: OcpClient) -> None:
    records, seed = plan
    participant = ocp_target.acting_pair()[0]
    layout = layout_of(ocp_client.contracts, file_type)

    def make() -> tuple[str, bytes, GeneratedFile]:
        generated, data = defective_upload(ocp_client, layout, participant, kind, records, seed)
        top_up_for_file(ocp_client, participant, layout, data)  # its other records must be accepted: a shared world
        return generated.file_name, data, generated

    generated, result = send_fresh(channel_of(ocp_target), participant, make)
    expect_defect_caught(entry_of(file_type), generated, result)


@pytest.mark.parametrize("file_type", [_marked(t) for t in file_types()])
@FILE_SETTINGS
@given(plan=file_plans(max_records=2))
def test_duplicate_file_sequence_is_rejected(file_type: str, plan: tuple[int, int], ocp_target: Target,
                                             ocp_client: OcpClient) -> None:
    records, seed = plan
    participant = ocp_target.acting_pair()[0]
    layout = layout_of(ocp_client.contracts, file_type)
    channel = channel_of(ocp_target)
    first, _ = send_fresh(channel, participant, lambda: _made(valid_upload(ocp_client, layout, participant, records,
                                                                           seed)))
    again = valid_upload(ocp_client, layout, participant, records, seed + 1, sequence=first.sequence)
    try:
        result = upload_attached(channel, participant, again.file_name, again.data)
    except RapUploadRefused:
        return  # refused at the door (RAP's SFTP takes a file name once, and the name carries the sequence)
    if result.status != "REJECTED" or "DUPLICATE_SEQUENCE" not in {e.code for e in result.file_errors} \
            or result.accepted:
        raise FileRuleBroken(entry_of(file_type), f"{again.file_name} reuses the sequence number of a file already "
                             "processed: it must be rejected whole with DUPLICATE_SEQUENCE", result=result,
                             received=f"{result.status}; file errors {[(e.line, e.code) for e in result.file_errors]}",
                             expected="REJECTED; file error DUPLICATE_SEQUENCE; no record accepted")


@pytest.mark.parametrize("file_type", CA_TYPES)
@FILE_SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_instruction_above_holding_is_rejected(file_type: str, seed: int, ocp_target: Target,
                                               ocp_client: OcpClient, ocp_bound: BoundClient) -> None:
    participant = ocp_target.acting_pair()[0]
    layout = layout_of(ocp_client.contracts, file_type)
    account, stock, quantity = (layout.detail.role(r) for r in ("stock_account", "stock_code", "quantity"))
    assert account is not None and stock is not None and quantity is not None
    planned = valid_upload(ocp_client, layout, participant, 2, seed, sequence=1)
    template = planned.records[1]
    assume(layout.detail.draws_on_holding(template))  # an excess application may exceed the holding
    if quantity.maximum is not None:  # room above the holding for a quantity the layout still allows
        holding_at_most(ocp_client, participant, str(template[account.name]), str(template[stock.name]),
                        quantity.maximum // 2)
    # the valid first record must fit what earlier checks left in the account (a shared world: another check may
    # have brought this holding down to a few hundred shares); the second is set above the holding after that
    top_up_holdings(ocp_client, participant, planned)
    held = balances(ocp_bound, participant, [(str(template[account.name]), str(template[stock.name]))])
    above = next(iter(held.values())).get("available", 0) + 100

    def make() -> tuple[str, bytes, RapUpload]:
        upload = valid_upload(ocp_client, layout, participant, 2, seed)
        stream = io.BytesIO()
        write_file(stream, layout, FileHeader(participant, ocp_client.business_dates()[0].isoformat(),
                                              upload.sequence), [upload.records[0], {**upload.records[1],
                                                                                    quantity.name: above}])
        return upload.file_name, stream.getvalue(), upload

    upload, result = send_fresh(channel_of(ocp_target), participant, make)
    expect_record_rejected(entry_of(file_type), upload.file_name, 3, "QUANTITY_ABOVE_HOLDING", [2, 3], result)
