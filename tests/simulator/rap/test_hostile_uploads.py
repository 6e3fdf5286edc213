"""RAP transports against hostile clients (issue 16, items 9 and 11): file names with control characters or of
absurd length are refused by both transports with a precise reason; SFTP password guessing is slowed down."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from rap_transport_helpers import DEADLINE, Recorder, sftp_session

from ocp_conformance.contracts import load_contracts
from ocp_conformance.simulator.rap import RapSftpServer, serve_in_thread
from ocp_conformance.simulator.rap.login_throttle import LoginThrottle
from ocp_conformance.simulator.rap.sftp import _Auth
from ocp_conformance.simulator.state import demo_token
from ocp_conformance.targets import Target, simulator_target

A = "B01234"
CREDENTIALS = {A: demo_token(A)}
CONTENT = b"H,SI,B01234,2027-04-06,1\r\nT,0,0\r\n"


@pytest.fixture
def target() -> Iterator[Target]:
    target, _ = simulator_target(load_contracts())
    yield target
    target.close()


@pytest.mark.parametrize("name", ["B01234_SI_20270406_001%00.csv", "x" * 300, "a%0Ab.csv", "a%7F.csv"],
                         ids=["nul", "300-characters", "newline", "delete"])
def test_an_http_upload_name_with_a_control_character_or_too_long_is_400(target: Target, name: str) -> None:
    headers = {"content-type": "text/csv", **target.auth_headers(A)}
    answer = target.http().post(f"/rap/v1/files/{name}", content=CONTENT, headers=headers)
    assert answer.status_code == 400, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == "BAD_FILE_NAME" and "expected a plain name" in problem["detail"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[RapSftpServer, Recorder]]:
    recorder = Recorder()
    with serve_in_thread(tmp_path / "rap", CREDENTIALS, recorder) as running:
        yield running, recorder


@pytest.mark.parametrize("name", ["a\nb.csv", "a\rb.csv", "tab\there.csv", "x" * 200])
def test_an_sftp_upload_name_with_a_control_character_or_too_long_is_refused(
        server: tuple[RapSftpServer, Recorder], name: str) -> None:
    running, recorder = server

    async def body() -> None:
        async with sftp_session(running.port, A, CREDENTIALS[A]) as sftp:
            with pytest.raises(asyncssh.SFTPError, match="expected a plain name"):
                async with sftp.open(f"/INBOX/{name}", "wb") as file:
                    await file.write(CONTENT)

    asyncio.run(asyncio.wait_for(body(), DEADLINE))
    assert not any((running.root / A / "INBOX").iterdir())
    assert recorder.calls == []


def test_the_throttle_grows_exponentially_after_the_free_failures_and_a_success_clears_it() -> None:
    throttle = LoginThrottle(base_delay=0.5, max_delay=4.0, free_per_user=3, free_per_peer=10)
    delays = []
    for _ in range(8):
        delays.append(throttle.delay(A, "10.0.0.9"))
        throttle.failed(A, "10.0.0.9")
    assert delays == [0, 0, 0, 0, 0.5, 1.0, 2.0, 4.0]
    assert throttle.delay(A, "10.0.0.8") == 0  # another peer is not slowed by this one's guesses
    throttle.succeeded(A, "10.0.0.9")
    assert throttle.delay(A, "10.0.0.9") == 0


def test_the_throttle_counts_a_peer_over_every_user_name_and_stays_bounded() -> None:
    throttle = LoginThrottle(base_delay=1.0, free_per_user=3, free_per_peer=10, max_tracked=50)
    for n in range(11):
        throttle.failed(f"B{n:05d}", "10.0.0.9")
    assert throttle.delay("B99999", "10.0.0.9") == 1.0  # a fresh user name from the same peer waits too
    for n in range(1000):
        throttle.failed(f"U{n}", f"10.1.{n // 250}.{n % 250}")
    assert len(throttle._failures) <= 50


class _Connection:
    def get_extra_info(self, name: str) -> Any:
        return ("192.0.2.7", 50000) if name == "peername" else None


def test_repeated_wrong_passwords_wait_before_being_answered(tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    server = RapSftpServer(tmp_path, CREDENTIALS, Recorder(), throttle=LoginThrottle(base_delay=0.5))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    server._sleep = sleep
    auth = _Auth(server)
    auth.connection_made(_Connection())  # type: ignore[arg-type]

    async def attempts() -> list[bool]:
        results = [await auth.validate_password(A, f"guess-{n}") for n in range(6)]
        results.append(await auth.validate_password(A, CREDENTIALS[A]))
        results.append(await auth.validate_password(A, "guess-again"))
        return results

    with caplog.at_level(logging.WARNING, logger="ocp_conformance.simulator.rap"):
        results = asyncio.run(attempts())
    assert results == [False] * 6 + [True, False]
    assert slept == [0.5, 1.0, 2.0]  # after 3 free failures each attempt waits, the right one too; then cleared
    assert len(caplog.records) == 7 and all("192.0.2.7" in r.getMessage() for r in caplog.records)
    assert not any(CREDENTIALS[A] in r.getMessage() or "guess" in r.getMessage() for r in caplog.records)
