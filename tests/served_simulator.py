"""Serve `ocp-conformance simulate` on a free loopback port for tests that need a real HTTP server."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class ServedSimulator:
    base_url: str
    tokens: dict[str, str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_simulator(*faults: str, options: Sequence[str] = ()) -> Iterator[ServedSimulator]:
    """``ocp-conformance simulate`` with ``faults`` applied and further ``options`` (e.g. --gcp-trades-per-day)."""
    port = free_port()
    args = [sys.executable, "-m", "ocp_conformance", "simulate", "--port", str(port), *options]
    for fault in faults:
        args += ["--fault", fault]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/_sim/clock", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the simulator did not start on port {port}")
            time.sleep(0.2)
        assert process.stdout is not None
        banner = ""  # the whole table of demo participants, to its bottom border: every token, the investor's too
        while (line := process.stdout.readline()) and not line.lstrip().startswith("└"):
            banner += line
        tokens = dict(re.findall(r"\b([A-Z][0-9]{5})\b.*?(sim_[A-Z][0-9]{5}_[0-9a-f]+)", banner))
        # keep reading what it prints (a line per RAP file processed): a full pipe would block the simulator
        threading.Thread(target=lambda: [None for _ in process.stdout or ()], daemon=True).start()
        yield ServedSimulator(base_url, tokens)
    finally:
        process.terminate()
        process.wait(timeout=10)
