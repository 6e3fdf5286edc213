"""`ocp-conformance record` as a user runs it: a real process on a free loopback port, real sockets, real
sleeps; the correct example client passes (exit 0), the wrong one fails (exit 1) with each fault named."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.consumer.example_clients import CorrectClient, WrongClient, si_body


@dataclass
class Recording:
    process: subprocess.Popen[str]
    base_url: str
    token: str
    report: Path

    def stop(self, signum: signal.Signals) -> tuple[int, str]:
        self.process.send_signal(signum)
        output, _ = self.process.communicate(timeout=30)
        return self.process.returncode, output


@contextmanager
def recording(report: Path, *options: str) -> Iterator[Recording]:
    args = [sys.executable, "-m", "ocp_conformance", "record", "--port", "0", "--report", str(report), *options]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "COLUMNS": "200"})
    try:
        assert process.stdout is not None
        banner, deadline = "", time.monotonic() + 60
        while "recording on port" not in banner:
            line = process.stdout.readline()
            assert line or process.poll() is None, f"record exited early:\n{banner}"
            assert time.monotonic() < deadline, f"record did not start:\n{banner}"
            banner += line
        port = re.search(r"recording on port (\d+)", banner)
        token = re.search(r"sim_B01234_[0-9a-f]+", banner)
        assert port and token, banner
        base_url = f"http://127.0.0.1:{port.group(1)}"
        deadline = time.monotonic() + 30
        while True:  # the port is bound before uvicorn listens: wait until it accepts
            try:
                httpx.get(f"{base_url}/_sim/clock", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "record never accepted a connection"
                time.sleep(0.1)
        yield Recording(process, base_url, token.group(0), report)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def test_the_correct_client_passes_against_a_real_record_process(tmp_path: Path) -> None:
    with recording(tmp_path, "--inject", "429", "--inject", "503", "--inject", "drop") as rec:
        with httpx.Client(base_url=rec.base_url, timeout=10) as http:
            client = CorrectClient(http, rec.token, time.sleep, backoff=0.3)
            for n in range(3):
                response = client.input_si(si_body(f"REAL{n}"))
                assert response is not None and response.status_code == 201, client.log
        code, output = rec.stop(signal.SIGINT)
    assert "attempt 0: RemoteProtocolError" in client.log  # the drop closed the socket with no response
    assert code == 0, output
    report = json.loads((tmp_path / "client-conformance.json").read_text(encoding="utf-8"))
    assert (report["verdict"], report["stoppedBy"], report["requests"]) == ("pass", "SIGINT", 6)
    assert "Exception in ASGI" not in output and "Traceback" not in output


def test_the_wrong_client_is_caught_against_a_real_record_process(tmp_path: Path) -> None:
    # generous waits expected, so an immediate retry is caught even on a machine too busy to retry at once
    with recording(tmp_path, "--inject", "drop", "--inject", "429", "--retry-after", "5", "--min-backoff", "5") as rec:
        with httpx.Client(base_url=rec.base_url, timeout=10) as http:
            client = WrongClient(http, rec.token, time.sleep, new_key_on_retry=True, no_backoff=True,
                                 extra_field=False)
            client.input_si(si_body("WRONG1"))
            client.input_si(si_body("WRONG2"))
            WrongClient(http, rec.token, time.sleep, extra_field=True).input_si(si_body("WRONG3"))
            client.enquire_discontinued_di()
        code, output = rec.stop(signal.SIGTERM)
    assert code == 1, output
    report = json.loads((tmp_path / "client-conformance.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "fail" and report["stoppedBy"] == "SIGTERM"
    failed = {(r["injected"], c["check"]) for op in report["operations"] for r in op["retries"]
              for c in r["checks"] if c["state"] == "fail"}
    assert failed == {("drop", "same-idempotency-key"), ("drop", "backoff"), ("drop", "no-duplicate"),
                      ("429", "same-idempotency-key"), ("429", "backoff")}
    violations = [v for op in report["operations"] for v in op["violations"]]
    # WRONG3 breaks the contract, so it is not failed on purpose: one request, one violation
    assert [(v["pointer"], v.get("seen")) for v in violations] == [("/priority", "HIGH")]
    assert [c["function"] for op in report["operations"] for c in op["discontinuedCalls"]] == ["Enquire DI"]
    assert len(report["duplicates"]) == 1
    for path in tmp_path.iterdir():
        assert rec.token not in path.read_text(encoding="utf-8"), f"{path.name} leaks the bearer token"
    markdown = (tmp_path / "client-conformance.md").read_text(encoding="utf-8")
    assert "**Verdict: FAIL**" in markdown and "no-duplicate: fail" in markdown
