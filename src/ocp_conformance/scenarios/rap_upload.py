"""The runner's binding of ``uploadRapFile`` (``contracts/rap/rap-upload.yaml``) to the target's RAP channel.

RAP takes files by SFTP, not HTTP: a step calling ``uploadRapFile`` hands the file to
:meth:`Target.rap_channel <ocp_conformance.targets.Target.rap_channel>` (in process for the embedded simulator,
SFTP for a served one or the exchange's portal) and turns the parsed result file into the operation's JSON
response, so the workflow's criteria read it as if it came over HTTP. The exchange is credited to the catalogue
entry of the file type in the file name (``B01234_ELECTION_20270406_001.csv`` -> Election).
"""

from __future__ import annotations

import json
import time
from typing import Final

import httpx

from ocp_conformance.client import Exchange
from ocp_conformance.contracts import ContractSet, Operation
from ocp_conformance.rap import result_json
from ocp_conformance.targets import Target, TargetError

__all__ = ["UPLOAD_OPERATION", "RapUploadError", "entry_of_file", "is_upload", "upload"]

UPLOAD_OPERATION: Final = "uploadRapFile"


class RapUploadError(Exception):
    """The upload could not be made or its result not read (the channel's message says where and how to fix)."""


def is_upload(operation: Operation) -> bool:
    """True for the operation the runner binds to the RAP channel instead of HTTP."""
    return operation.operation_id == UPLOAD_OPERATION


def entry_of_file(contracts: ContractSet, file_name: str) -> str | None:
    """The catalogue entry of the file type in ``file_name`` (``<participant>_<TYPE>_<date>_<seq>.csv``)."""
    parts = file_name.split("_")
    file_type = parts[1] if len(parts) > 2 else None
    return next((e.name for e in contracts.catalogue if e.kind == "rap" and e.file_type == file_type), None)


def upload(target: Target, contracts: ContractSet, operation: Operation, participant: str | None,
           file_name: str, content: str) -> Exchange:
    """Upload ``content`` as ``file_name`` for ``participant`` and answer as ``uploadRapFile`` would over HTTP.

    Raises:
        RapUploadError: no acting participant, no RAP channel, or the channel failed (SFTP, a malformed result).
    """
    if participant is None:
        raise RapUploadError(f"{UPLOAD_OPERATION} needs the acting participant: pass `Authorization: Bearer "
                             "{$inputs.delivererToken}` (a token of the target) as a header parameter")
    started = time.perf_counter()
    try:
        channel = target.rap_channel()
        result = channel.upload(participant, file_name, content.encode("ascii", "replace"))
    except TargetError as exc:  # RapChannelError is a TargetError
        raise RapUploadError(str(exc)) from None
    url = f"rap://{participant}@{target.name}/rap/v1/files/{file_name}"
    request = httpx.Request("POST", url, content=content.encode("ascii", "replace"),
                            headers={"content-type": "text/csv", "x-rap-channel": channel.description})
    response = httpx.Response(200, content=json.dumps(result_json(result)).encode(),
                              headers={"content-type": "application/json"}, request=request)
    return Exchange(operation=operation, function=entry_of_file(contracts, file_name), participant=participant,
                    request=request, response=response, elapsed_ms=(time.perf_counter() - started) * 1000)
