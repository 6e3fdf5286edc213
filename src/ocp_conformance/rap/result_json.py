"""A parsed result file as the JSON of ``uploadRapFile`` (``contracts/rap/rap-upload.yaml``, schema RapResult).

One conversion for both bindings of that operation: the scenario runner's (the target's RAP channel) and the
simulator's HTTP route, so a workflow sees the same body whichever way the file travelled.
"""

from __future__ import annotations

from typing import Any

from ocp_conformance.rap.result_file import RapResult

__all__ = ["result_json"]


def result_json(result: RapResult) -> dict[str, Any]:
    """``result`` as the RapResult JSON object (field names as in the contract)."""
    return {
        "fileName": result.file_name, "participantId": result.participant, "fileType": result.file_type,
        "status": result.status, "recordsTotal": result.records_total, "acceptedTotal": result.accepted_total,
        "rejectedTotal": result.rejected_total,
        "fileErrors": [{"line": p.line, "column": p.column, "code": p.code, "message": p.message}
                       for p in result.file_errors],
        "records": [{"line": r.line, "clientReference": r.client_reference,
                     "outcome": "ACCEPTED" if r.accepted else "REJECTED", "instructionId": r.instruction_id,
                     "code": r.code, "reason": r.reason} for r in result.records],
    }
