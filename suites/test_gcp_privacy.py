"""NCP/GCP Mapping privacy: each participant sees only the NCPs that clear through itself.

A GCP's mapping names its own NCPs and no other GCP's; a participant that is no GCP (not listed as one on
the Participant List) sees no mapping at all.
"""

from __future__ import annotations

import pytest
from suites.gcp_datasets import MAPPING, PARTICIPANTS, GcpFailure, fetch_all, value

from ocp_conformance.bound_client import BoundClient
from ocp_conformance.targets import Target


@pytest.mark.ocp(functions=[MAPPING], check="security")
def test_mapping_shows_only_own_ncps(ocp_bound: BoundClient, ocp_target: Target) -> None:
    listed = fetch_all(ocp_bound, PARTICIPANTS, ocp_target.acting_pair()[0]).items
    gcps = {value(ocp_bound, PARTICIPANTS, p, "participant") for p in listed
            if value(ocp_bound, PARTICIPANTS, p, "clearing_type") == "GCP"}
    for participant in ocp_target.participants:
        mapping = fetch_all(ocp_bound, MAPPING, participant)
        foreign = [row for row in mapping.items if value(ocp_bound, MAPPING, row, "gcp_id") != participant]
        if foreign:
            raise GcpFailure(MAPPING, f"{participant} sees mappings of other GCPs", received=foreign[:3],
                             expected=f"only its own rows (GCP {participant})", exchange=mapping.pages[0].exchange)
        if participant not in gcps and mapping.items:
            raise GcpFailure(MAPPING, f"{participant}, no GCP, sees NCP mappings", received=mapping.items[:3],
                             expected="an empty mapping", exchange=mapping.pages[0].exchange)
