"""suites/sim_control.py: the suites' one client of the simulator's control API."""

from __future__ import annotations

from suites.sim_control import business_date, held, holdings, run_batch_settlement, seed_holding, set_holding

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.targets import simulator_target


def _client() -> tuple[OcpClient, str]:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    return OcpClient(target, contracts), target.acting_pair()[0]


def test_holdings_are_seeded_set_and_read_back() -> None:
    client, participant = _client()
    before = held(client, participant, "02", "00005")
    assert seed_holding(client, participant, "00005", 700, "02")
    assert held(client, participant, "02", "00005") == before + 700
    set_holding(client, participant, "02", "00005", 123)
    assert [h.quantity for h in holdings(client, participant, "02", "00005")] == [123]
    assert not seed_holding(client, participant, "99999", 1)  # a stock the simulator does not know: refused


def test_batch_runs_have_their_own_ids_and_the_clock_a_business_date() -> None:
    client, _ = _client()
    first, second = run_batch_settlement(client), run_batch_settlement(client)
    assert first.run_id and first.run_id != second.run_id and not first.failed_match_ids
    assert business_date(client) == client.business_dates()[0].isoformat()
