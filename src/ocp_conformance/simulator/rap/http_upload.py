"""``uploadRapFile`` over HTTP (``contracts/rap/rap-upload.yaml``): a RAP upload for independent Arazzo runners.

RAP takes files by SFTP; this route lets a runner that only speaks HTTP (Redocly respect) run the same RAP
workflows against ``ocp-conformance simulate``: ``POST /rap/v1/files/{fileName}`` with the file as the body and a
participant's bearer token. The file goes through the simulator's one :class:`RapProcessor` (the same sequence
numbers as SFTP uploads) via a private INBOX, and the answer is the parsed result file as JSON.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ocp_conformance.rap import ResultFileError, parse_result_file, result_json
from ocp_conformance.simulator.problems import Problem, problem_response
from ocp_conformance.simulator.rap.folders import file_name_problem, participant_folders
from ocp_conformance.simulator.rap.processing import RapProcessor
from ocp_conformance.simulator.state import SimulatorState

__all__ = ["UPLOAD_PATH", "upload_route"]

UPLOAD_PATH: Final = "/rap/v1/files/{fileName}"
_MAX_BYTES: Final = 50 * 1024 * 1024


def upload_route(processor: Callable[[], RapProcessor], state: SimulatorState) -> Route:
    """The route; ``processor`` gives the simulator's RAP processor (built on first use)."""

    async def upload(request: Request) -> Response:
        instance = request.url.path
        participant = state.participant_of(request.headers.get("authorization"))
        if participant is None:
            return problem_response(Problem(401, "UNAUTHENTICATED", "send `Authorization: Bearer <token>` with a "
                                            "participant's token (`ocp-conformance simulate` prints the demo tokens)",
                                            headers={"WWW-Authenticate": 'Bearer realm="ocp"'}), instance)
        name = str(request.path_params["fileName"])
        bad_name = file_name_problem(name)
        if bad_name:
            return problem_response(Problem(400, "BAD_FILE_NAME", bad_name), instance)
        content = await request.body()
        if not content or len(content) > _MAX_BYTES:
            return problem_response(Problem(400, "BAD_REQUEST", f"received a body of {len(content)} bytes; expected "
                                            f"the file's content (1 to {_MAX_BYTES} bytes, text/csv)"), instance)
        with tempfile.TemporaryDirectory(prefix="ocp-rap-http-") as root:
            path = participant_folders(Path(root), participant).inbox / name
            path.write_bytes(content)
            processed = processor().process(participant, path)
            text = processed.result_file.read_text(encoding="utf-8") if processed.result_file else None
        if text is None:
            return problem_response(Problem(500, "INTERNAL_ERROR", f"the simulator wrote no result file for {name} "
                                            f"({processed.summary()})"), instance)
        try:
            result = parse_result_file(text, f"OUTBOX/{name}.result.csv")
        except ResultFileError as exc:
            return problem_response(Problem(500, "INTERNAL_ERROR", f"the simulator's result file is malformed: "
                                            f"{exc}"), instance)
        return JSONResponse(result_json(result))

    return Route(UPLOAD_PATH, upload, methods=["POST"])
