"""targets check's one-line diagnoses, each provoked for real where a loopback can (DNS, refused) and with
httpx's MockTransport for answers (401, 403, clock skew, 5xx)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from ocp_conformance.targets import check_target, load_config, profile_target


def _config(tmp_path: Path, base_url: str) -> Path:
    path = tmp_path / "ocp-conformance.toml"
    path.write_text(f'[targets.t]\nbase_url = "{base_url}"\nconnect_timeout = 2\n'
                    '[targets.t.auth.B01234]\ntype = "bearer"\ntoken_env = "DIAG_TOKEN"\n', encoding="utf-8")
    return path


def _check(tmp_path: Path, base_url: str, handler: Callable[[httpx.Request], httpx.Response] | None = None,
           now: datetime | None = None) -> list[str]:
    profile = load_config(_config(tmp_path, base_url)).target("t")
    target = profile_target(profile, probe_capabilities=False)
    if handler is not None:
        target.make_client = lambda: httpx.Client(base_url=base_url, transport=httpx.MockTransport(handler))
    outcome = check_target(target, profile, "/ocp/v1/settlement-instructions",
                           now=(lambda: now) if now else lambda: datetime.now(UTC))
    return [check.line for check in outcome.checks if not check.ok]


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIAG_TOKEN", "diagnosis-token")


def test_dns(tmp_path: Path) -> None:
    [line] = _check(tmp_path, "https://no-such-host.invalid")
    assert line.startswith("DNS: cannot resolve no-such-host.invalid") and "base_url" in line


def test_refused(tmp_path: Path) -> None:
    [line] = _check(tmp_path, "http://127.0.0.1:9")
    assert line.startswith("refused: nothing accepts connections at 127.0.0.1:9")


@pytest.mark.parametrize(("status", "start"), [(401, "401: the target did not accept the credentials of B01234"),
                                               (403, "403: B01234 is authenticated but not allowed"),
                                               (503, "503: ")])
def test_refusing_answers(tmp_path: Path, status: int, start: str) -> None:
    [line] = _check(tmp_path, "https://t.invalid", lambda r: httpx.Response(status))
    assert line.startswith(start) and "\n" not in line


def test_clock_skew_from_the_date_header(tmp_path: Path) -> None:
    theirs = datetime(2027, 4, 6, 2, 0, tzinfo=UTC)
    ours = datetime(2027, 4, 6, 2, 5, tzinfo=UTC)
    answer = httpx.Response(200, headers={"Date": format_datetime(theirs, usegmt=True)})
    [line] = _check(tmp_path, "https://t.invalid", lambda r: answer, now=ours)
    assert line.startswith("clock skew: your clock differs from t.invalid's by -300 s") and "NTP" in line
    denied = httpx.Response(401, headers={"Date": format_datetime(theirs, usegmt=True)})
    [line] = _check(tmp_path, "https://t.invalid", lambda r: denied, now=ours)
    assert line.startswith("401:") and "clock differs" in line


def test_an_untrusted_server_certificate(tmp_path: Path) -> None:
    from tests.targets.tls_simulator import mtls_simulator

    with mtls_simulator(tmp_path) as simulator:  # its CA is not in the system's trust store
        [line] = _check(tmp_path, simulator.base_url)
    assert line.startswith("TLS: the server certificate of 127.0.0.1:") and "set ca_bundle" in line


def test_the_token_is_sent_and_a_good_answer_passes(tmp_path: Path) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json={"items": []})

    assert _check(tmp_path, "https://t.invalid", handler) == []
    assert seen == ["Bearer diagnosis-token"]
