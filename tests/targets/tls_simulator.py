"""`ocp-conformance simulate` served over HTTPS with mutual TLS, on a free loopback port, with test certificates."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.served_simulator import free_port
from tests.targets.certificates import Issued, authority


@dataclass(frozen=True)
class MtlsSimulator:
    base_url: str
    tokens: dict[str, str]
    ca: Path
    """The CA of the server and of the accepted client certificates."""
    client: Issued
    """A client certificate the simulator accepts."""
    rogue_client: Issued
    """A client certificate from another CA: the simulator refuses it."""


@contextmanager
def mtls_simulator(folder: Path) -> Iterator[MtlsSimulator]:
    ca = authority(folder, "test-ca")
    server = ca.issue("server", server=True)
    client = ca.issue("client-b01234")
    rogue = authority(folder, "rogue-ca").issue("rogue-client")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ocp_conformance", "simulate", "--port", str(port), "--tls-cert", str(server.cert),
         "--tls-key", str(server.key), "--tls-client-ca", str(ca.cert)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base_url = f"https://127.0.0.1:{port}"
    try:
        import ssl

        context = ssl.create_default_context(cafile=str(ca.cert))
        context.load_cert_chain(str(client.cert), str(client.key))
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/_sim/clock", timeout=1, verify=context).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the simulator did not start on port {port}")
            time.sleep(0.2)
        assert process.stdout is not None
        banner = ""
        while banner.count("sim_") < 4:
            banner += process.stdout.readline()
        tokens = dict(re.findall(r"\b([A-Z][0-9]{5})\b.*?(sim_[A-Z][0-9]{5}_[0-9a-f]+)", banner))
        yield MtlsSimulator(base_url, tokens, ca.cert, client, rogue)
    finally:
        process.terminate()
        process.wait(timeout=10)
