"""RAP file check, valid files: every generated valid file of each file type is accepted in full, and its
accepted records are what the OCP API then shows (instructions by reference, stock moved or earmarked)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from suites.rap_api_state import (
    ENQUIRY_OF,
    balances,
    entitlements_money,
    expect_instructions_visible,
    expected_balance_changes,
    expected_money_change,
    paying_currency,
    touched_accounts,
)
from suites.rap_files import (
    FILE_SETTINGS,
    RapUpload,
    channel_of,
    entry_of,
    file_plans,
    file_types,
    layout_of,
    send_fresh,
    top_up_holdings,
    valid_upload,
)
from suites.rap_results import FileRuleBroken, expect_accepted_in_full

from ocp_conformance.bound_client import BoundClient
from ocp_conformance.client import OcpClient
from ocp_conformance.targets import Target


def _made(upload: RapUpload) -> tuple[str, bytes, RapUpload]:
    return upload.file_name, upload.data, upload


TYPES = [pytest.param(t, marks=pytest.mark.ocp(functions=[entry_of(t)], check="file"), id=t) for t in file_types()]


@pytest.mark.parametrize("file_type", TYPES)
@FILE_SETTINGS
@given(plan=file_plans())
def test_valid_file_is_accepted_in_full(file_type: str, plan: tuple[int, int], ocp_target: Target,
                                        ocp_client: OcpClient) -> None:
    records, seed = plan
    participant = ocp_target.acting_pair()[0]
    layout = layout_of(ocp_client.contracts, file_type)
    # the records a seed draws do not depend on the file's sequence number
    top_up_holdings(ocp_client, participant, valid_upload(ocp_client, layout, participant, records, seed, sequence=1))
    upload, result = send_fresh(channel_of(ocp_target), participant, lambda: _made(
        valid_upload(ocp_client, layout, participant, records, seed)))
    expect_accepted_in_full(entry_of(file_type), upload.file_name, range(2, records + 2), result)


@pytest.mark.parametrize("file_type", TYPES)
@FILE_SETTINGS
@given(plan=file_plans())
def test_accepted_records_are_the_api_state(file_type: str, plan: tuple[int, int], ocp_target: Target,
                                            ocp_client: OcpClient, ocp_bound: BoundClient) -> None:
    records, seed = plan
    entry = entry_of(file_type)
    participant = ocp_target.acting_pair()[0]
    layout = layout_of(ocp_client.contracts, file_type)
    channel = channel_of(ocp_target)
    if file_type in ENQUIRY_OF:
        top_up_holdings(ocp_client, participant, valid_upload(ocp_client, layout, participant, records, seed,
                                                              sequence=1))
        upload, result = send_fresh(channel, participant, lambda: _made(
            valid_upload(ocp_client, layout, participant, records, seed)))
        expect_instructions_visible(ocp_bound, entry, participant, upload, result)
        return
    # the accounts a file of this seed acts on do not depend on its sequence number
    probe = valid_upload(ocp_client, layout, participant, records, seed, sequence=1)
    top_up_holdings(ocp_client, participant, probe)
    accounts = touched_accounts(probe)
    before = balances(ocp_bound, participant, accounts)
    currency = paying_currency(probe)
    money_before = entitlements_money(ocp_bound, participant, currency) if currency is not None else None
    upload, result = send_fresh(channel, participant, lambda: _made(
        valid_upload(ocp_client, layout, participant, records, seed)))
    after = balances(ocp_bound, participant, accounts)
    if currency is not None and money_before is not None:
        moved = entitlements_money(ocp_bound, participant, currency) - money_before
        paid = expected_money_change(upload, result)
        if moved != paid:
            raise FileRuleBroken(entry, f"{upload.file_name}: the accepted tenders must debit exactly their tender "
                                 "monies (quantity x tender price) from the entitlements sub-ledger of Enquire Money "
                                 "Position", result=result, received=str(moved), expected=str(paid))
    role, expected = expected_balance_changes(upload, result)
    seen = Counter({key: after[key].get(role, 0) - before[key].get(role, 0) for key in before})
    if +seen != +expected or -seen != -expected:
        raise FileRuleBroken(entry, f"{upload.file_name}: the accepted records must change the {role} quantity of "
                             "Enquire Stock Account Balance by exactly their quantities", result=result,
                             received={f"{a}/{s}": n for (a, s), n in seen.items() if n},
                             expected={f"{a}/{s}": n for (a, s), n in expected.items() if n})
