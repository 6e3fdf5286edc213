"""`ocp-conformance simulate --rap-sftp-port 0`: a participant logs in with its id and demo token and uploads."""

from __future__ import annotations

import asyncio
import io
import os
import queue
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import asyncssh

from ocp_conformance.rap import generate_file, load_layouts
from ocp_conformance.simulator.state import demo_token

DEADLINE = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue[str], pattern: str) -> re.Match[str]:
    seen = []
    while True:
        try:
            line = lines.get(timeout=DEADLINE)
        except queue.Empty:
            raise AssertionError(f"no line matching {pattern!r} within {DEADLINE} s; output: {''.join(seen)}") from None
        seen.append(line)
        if match := re.search(pattern, line):
            return match


async def _upload(port: int, participant: str, name: str, data: bytes) -> None:
    async with asyncssh.connect("127.0.0.1", port, username=participant, password=demo_token(participant),
                                known_hosts=None, client_keys=None, agent_path=None,
                                connect_timeout=DEADLINE) as connection:
        sftp = await connection.start_sftp_client()
        async with sftp.open(f"/INBOX/{name}", "wb") as file:
            await file.write(data)
        sftp.exit()


def test_simulate_processes_rap_uploads_over_sftp_and_writes_results(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "ocp_conformance", "simulate", "--port", str(_free_port()),
            "--rap-sftp-port", "0", "--rap-root", str(tmp_path)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        lines = _lines(process)
        banner = _wait_for(lines, r"RAP uploads over SFTP on 127\.0\.0\.1:(\d+) .*participant id as user name.*"
                                  r"demo token.*password")
        port = int(banner.group(1))
        election = io.BytesIO()
        name = generate_file(election, load_layouts()["ELECTION"], 3).file_name
        asyncio.run(asyncio.wait_for(_upload(port, "B01234", name, election.getvalue()), DEADLINE))
        _wait_for(lines, rf"RAP: {re.escape(name)} from B01234: ACCEPTED, 3 record\(s\), 3 accepted, 0 rejected")
        asyncio.run(asyncio.wait_for(_upload(port, "B01234", "B01234_CAE_20260105_001.csv", b"H,CAE\n"), DEADLINE))
        _wait_for(lines, r"RAP: B01234_CAE_20260105_001\.csv from B01234: REJECTED")
    finally:
        process.terminate()
        process.wait(timeout=DEADLINE)
    outbox = tmp_path / "B01234" / "OUTBOX"
    header = f"H,{name},B01234,ELECTION,ACCEPTED,3,3,0,0\r\n".encode()
    assert (outbox / f"{name}.result.csv").read_bytes().startswith(header)
    assert "BAD_FILE_NAME" in (outbox / "B01234_CAE_20260105_001.csv.result.csv").read_text()


def test_a_taken_rap_sftp_port_is_a_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        completed = subprocess.run(
            [sys.executable, "-m", "ocp_conformance", "simulate", "--port", str(_free_port()),
             "--rap-sftp-port", str(taken.getsockname()[1])],
            capture_output=True, text=True, timeout=DEADLINE, check=False)
    assert completed.returncode == 2, completed.stderr
    assert "--rap-sftp-port" in completed.stderr


def _host_key_of_a_start(state: Path, root: Path) -> str:
    """Start `simulate --state STATE --rap-sftp-port 0`, read the host key fingerprint it prints, stop it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ocp_conformance", "simulate", "--port", str(_free_port()), "--state", str(state),
         "--rap-sftp-port", "0", "--rap-root", str(root)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        return _wait_for(_lines(process), r"RAP uploads over SFTP on .* \(host key (SHA256:[^)]+)\)").group(1)
    finally:
        process.terminate()
        process.wait(timeout=DEADLINE)


def test_with_state_the_sftp_host_key_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sim.sqlite"
    first = _host_key_of_a_start(state, tmp_path / "rap")
    second = _host_key_of_a_start(state, tmp_path / "rap")
    assert first == second, "a restart with the same --state changed the SFTP host key: clients would refuse it"
    key_file = tmp_path / "sim.sqlite.sftp-host-key"
    assert key_file.is_file(), f"no host key kept beside the state file at {key_file}"
    assert key_file.stat().st_mode & 0o077 == 0, "the host key must be readable by its owner only"
