"""Is the reference simulator green every time? Full runs, repeated, in each way a user runs them.

Run ``.venv/bin/python benchmarks/stability_runs.py [--runs 20] [--mode MODE ...]``. Each mode runs the whole
harness (every suite and scenario, ``--no-allure-html``) ``--runs`` times in a row and counts the runs whose verdict
is READY:

- ``embedded``: ``run`` against the embedded simulator, in one process;
- ``embedded-workers``: the same with ``--workers auto`` (pytest-xdist);
- ``url``: a freshly served simulator (``simulate`` with its RAP SFTP channel) per run, run by URL with the
  printed tokens (``OCP_TOKEN_<P>``) and ``--rap-sftp``;
- ``url-reused``: one served simulator for all the runs of the mode, so every run after the first meets what the
  earlier full runs left behind (as on a shared testing portal).

A run that is not READY prints its failed and partial entries with their reasons. Exits 1 unless every run of every
mode was READY (issue 20: 20 runs x 4 modes = 80/80). The runs take minutes each on 2 cores: ``--runs 1`` checks the
script itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
RUN = [sys.executable, "-m", "ocp_conformance", "run", "--no-allure-html"]
MODES = ("embedded", "embedded-workers", "url", "url-reused")


@dataclass(frozen=True)
class Served:
    url: str
    sftp: str
    tokens: dict[str, str]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _served() -> Iterator[Served]:
    """``ocp-conformance simulate`` on free ports, its demo tokens read from the banner it prints."""
    port, sftp = _free_port(), _free_port()
    process = subprocess.Popen([sys.executable, "-m", "ocp_conformance", "simulate", "--port", str(port),
                                "--rap-sftp-port", str(sftp)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        banner, deadline = "", time.monotonic() + 60
        while time.monotonic() < deadline and (line := process.stdout.readline()):
            banner += line
            if line.lstrip().startswith("└"):
                break
        tokens = dict(re.findall(r"\b([A-Z][0-9]{5})\b.*?(sim_[A-Z][0-9]{5}_[0-9a-f]+)", banner))
        if not tokens:
            raise RuntimeError(f"the served simulator printed no tokens:\n{banner[-2000:]}")
        # keep reading what it prints (one line per RAP file processed): a full pipe would block the simulator
        threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
        yield Served(f"http://127.0.0.1:{port}", f"127.0.0.1:{sftp}", tokens)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            print("    the served simulator did not stop within 20 s of SIGTERM: killed", flush=True)
            process.kill()
            process.wait()


def _drain(stream: IO[str]) -> None:
    for _ in stream:
        pass


def _run(report: Path, args: list[str], env: dict[str, str]) -> tuple[str, float, dict[str, Any] | None, str]:
    start = time.perf_counter()
    completed = subprocess.run([*RUN, "--report", str(report), *args], capture_output=True, text=True, cwd=ROOT,
                               env={**os.environ, **env}, check=False)
    elapsed = time.perf_counter() - start
    path = report / "readiness.json"
    readiness = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    verdict = readiness["verdict"] if readiness else f"no readiness (exit {completed.returncode})"
    return verdict, elapsed, readiness, completed.stdout[-1500:] + completed.stderr[-1500:]


def _problems(readiness: dict[str, Any] | None) -> list[str]:
    if readiness is None:
        return []
    lines = [f"{e['name']}: {e['status']}: {e['reason'][:300]}" for e in readiness["entries"]
             if e["status"] in ("fail", "partial", "not-run") and e.get("reason") != "not yet contracted"]
    lines += [f"harness error: {h}" for h in readiness.get("harness_errors", [])]
    return lines


def _mode(mode: str, runs: int, scratch: Path) -> int:
    ready = 0
    served_once = _served() if mode == "url-reused" else None
    shared = served_once.__enter__() if served_once is not None else None
    try:
        for index in range(1, runs + 1):
            report = scratch / f"{mode}-{index}"
            if mode in ("embedded", "embedded-workers"):
                args = ["--workers", "auto" if mode == "embedded-workers" else "0"]
                verdict, elapsed, readiness, tail = _run(report, args, {})
            else:
                with _served() if shared is None else _nullcontext(shared) as served:
                    env = {f"OCP_TOKEN_{pid}": token for pid, token in served.tokens.items()}
                    verdict, elapsed, readiness, tail = _run(report, ["--target", served.url, "--rap-sftp",
                                                                      served.sftp], env)
            ready += verdict == "ready"
            print(f"{mode} run {index}/{runs}: {verdict.upper()} in {elapsed:.0f} s", flush=True)
            if verdict != "ready":
                for line in _problems(readiness) or [tail]:
                    print(f"    {line}", flush=True)
    finally:
        if served_once is not None:
            served_once.__exit__(None, None, None)
    return ready


@contextmanager
def _nullcontext(served: Served) -> Iterator[Served]:
    yield served


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per mode (default 20)")
    parser.add_argument("--mode", action="append", choices=MODES, help="a mode to run (repeatable; default all)")
    args = parser.parse_args()
    modes = args.mode or list(MODES)
    results: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="ocp-stability-") as scratch:
        for mode in modes:
            results[mode] = _mode(mode, args.runs, Path(scratch))
    total = sum(results.values())
    print("; ".join(f"{mode}: {count}/{args.runs} READY" for mode, count in results.items()))
    print(f"total: {total}/{args.runs * len(modes)} READY")
    return 0 if total == args.runs * len(modes) else 1


if __name__ == "__main__":
    sys.exit(main())
