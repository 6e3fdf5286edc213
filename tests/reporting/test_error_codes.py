"""error-codes.md: which documented (status, code) pairs of each operation a run provoked (issue 15 item 3)."""

from __future__ import annotations

import json
from pathlib import Path

from ocp_conformance.binding import load_binding
from ocp_conformance.bound_client import seen_code
from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.reporting.error_codes import business_counts, coverage, write_coverage
from ocp_conformance.targets import simulator_target


def test_an_error_answer_is_read_at_the_bound_code_pointer_and_a_success_is_not_counted() -> None:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    client, binding = OcpClient(target, contracts), load_binding(contracts)
    participant = target.acting_pair()[0]
    unknown = client.call_operation("getSi", as_participant=participant, siId="SI9999999999")
    assert seen_code(binding, unknown) == ("getSi", "404", "SI_NOT_FOUND")
    listed = client.call_operation("enquireSi", as_participant=participant)
    assert listed.status == 200 and seen_code(binding, listed) is None


def test_coverage_splits_documented_codes_into_provoked_and_never_provoked(tmp_path: Path) -> None:
    contracts = load_contracts()
    rows = coverage(contracts, [("getSi", "404", "SI_NOT_FOUND"), ("getSi", "418", "TEAPOT")])
    get_si = next(row for row in rows if row.operation_id == "getSi")
    assert get_si.function == "Enquire SI"
    assert get_si.provoked == (("404", "SI_NOT_FOUND"),)
    assert ("404", "SI_NOT_FOUND") not in get_si.missing and get_si.missing  # the others stay listed
    assert get_si.undocumented == (("418", "TEAPOT"),)
    assert all(not row.provoked for row in rows if row.operation_id != "getSi")
    provoked, documented = write_coverage(rows, tmp_path)
    assert provoked == 1 and documented == sum(len(row.documented) for row in rows)
    written = json.loads((tmp_path / "error-codes.json").read_text(encoding="utf-8"))
    assert written["business"]["provoked"] == business_counts(rows)[0] == 1
    assert "| Enquire SI | `getSi` | 1/" in (tmp_path / "error-codes.md").read_text(encoding="utf-8")
