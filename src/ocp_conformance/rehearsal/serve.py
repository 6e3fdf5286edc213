"""Serve a rehearsal: the simulator behind consumer mode's recorder, its business clock driven in accelerated time.

uvicorn serves on its own thread; the calling thread paces the clock (the script's hours in ``minutes / speed`` of
wall time), plays the events, reports progress, and runs the participant's automated client (``--client``) as a
subprocess with the base URL and its token in the environment. The day ends at the script's end time, at SIGINT or
SIGTERM, or when the server fails.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from ocp_conformance.consumer import DropConnections, Recorder
from ocp_conformance.rehearsal.engine import Rehearsal, RehearsalResult, TaskStatus, TimelineEntry

__all__ = ["Progress", "client_environment", "serve_rehearsal"]

Progress = Callable[[Rehearsal, list[TaskStatus], list[TimelineEntry]], None]
"""Called after each step of the clock with the tasks judged now and what happened since the last call."""


def client_environment(rehearsal: Rehearsal, host: str, port: int) -> dict[str, str]:
    """What an automated client is given: where the API is, whose token to use, where the clock is."""
    script = rehearsal.script
    root = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    return {"OCP_BASE_URL": f"{root}/ocp/v1", "OCP_GCP_URL": f"{root}/gcp/v1", "OCP_SIM_URL": f"{root}/_sim",
            "OCP_PARTICIPANT": script.participant, "OCP_TOKEN": rehearsal.simulator.token_of(script.participant),
            "OCP_BUSINESS_DATE": script.business_date.isoformat(),
            "OCP_REHEARSAL_END": script.clock.end.isoformat()}


def serve_rehearsal(rehearsal: Rehearsal, recorder: Recorder, sock: socket.socket, *, speed: float,
                    client: str | None = None, progress: Progress | None = None, step: float = 0.05,
                    judge_every: float = 0.5, client_grace: float = 5.0) -> RehearsalResult:
    """Play the whole day; return the final verdicts. Must run in the main thread (it handles SIGINT/SIGTERM)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(DropConnections(recorder), log_level="warning", lifespan="off",
                                           access_log=False))
    # uvicorn captures signals only on the main thread; on its own thread it leaves ours in place
    stopped: list[str] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopped.append(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    rehearsal.start()
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="rehearsal-server", daemon=True)
    thread.start()
    process: subprocess.Popen[bytes] | None = None
    plan = rehearsal.script.clock
    began = time.monotonic()
    try:
        while not server.started and thread.is_alive():
            time.sleep(0.01)
        if client:
            host, port = sock.getsockname()[:2]
            env = {**os.environ, **client_environment(rehearsal, str(host), int(port))}
            process = subprocess.Popen(shlex.split(client), env=env)  # the operator's own command
        began = time.monotonic()
        judged = -judge_every
        while not stopped:
            elapsed = time.monotonic() - began
            now = plan.business_at(elapsed, speed)
            happened = rehearsal.advance_to(now)
            if progress is not None and (happened or elapsed - judged >= judge_every or now >= plan.end):
                judged = elapsed
                progress(rehearsal, rehearsal.statuses(), happened)
            if now >= plan.end:
                break
            if not thread.is_alive():
                stopped.append("server failure")
                break
            time.sleep(step)
    finally:
        wall = time.monotonic() - began
        exit_code = _stop_client(process, client_grace)
        server.should_exit = True
        thread.join(timeout=10)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
    result = rehearsal.finish()
    result.stopped_by = stopped[0] if stopped else "end of day"
    result.wall_seconds, result.speed, result.client_exit = wall, speed, exit_code
    return result


def _stop_client(process: subprocess.Popen[Any] | None, grace: float) -> int | None:
    if process is None:
        return None
    try:
        return process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            return process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()
