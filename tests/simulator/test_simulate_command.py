"""`ocp-conformance simulate` as a user starts it, in process with the server itself stubbed out (issue 16):
unusable TLS files, a port in use and a host that is no address are usage errors (exit 2, one line and the fix,
no traceback); fixed demo tokens on loopback, random or --tokens-file tokens beyond it."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ocp_conformance.cli import app
from ocp_conformance.simulator import serving
from ocp_conformance.simulator.state import demo_token
from tests.targets.certificates import authority

runner = CliRunner()


class Served:
    """Stands in for serving.serve: records what would have been served."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, asgi: Any, sock: socket.socket, limits: serving.ServeLimits, *, tls: Any = None) -> None:
        self.calls.append({"asgi": asgi, "host": sock.getsockname()[0], "limits": limits, "tls": tls})


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Served:
    stub = Served()
    monkeypatch.setattr(serving, "serve", stub)
    return stub


def _usage_error(args: list[str]) -> str:
    result = runner.invoke(app, ["simulate", *args])
    text = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert text.count("error:") == 1
    return text


def test_a_tls_key_that_is_not_a_key_is_a_usage_error(tmp_path: Path, served: Served) -> None:
    server = authority(tmp_path, "test-ca").issue("server", server=True)
    bogus = tmp_path / "bogus.key"
    bogus.write_text("this is not a PEM private key\n")
    text = _usage_error(["--port", "0", "--tls-cert", str(server.cert), "--tls-key", str(bogus)])
    assert "--tls-key" in text and "give the PEM files" in text
    assert served.calls == []


def test_a_tls_client_ca_that_is_not_a_certificate_is_a_usage_error(tmp_path: Path, served: Served) -> None:
    server = authority(tmp_path, "test-ca").issue("server", server=True)
    text = _usage_error(["--port", "0", "--tls-cert", str(server.cert), "--tls-key", str(server.key),
                         "--tls-client-ca", str(server.key)])
    assert "--tls-client-ca" in text


def test_a_port_in_use_is_a_usage_error_with_the_fix(served: Served) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        text = _usage_error(["--port", str(taken.getsockname()[1])])
    assert "cannot listen on 127.0.0.1" in text and "choose another --port" in text
    assert served.calls == []


def test_a_host_that_is_no_address_is_a_usage_error(served: Served) -> None:
    text = _usage_error(["--host", "999.1.1.1", "--port", "0"])
    assert "cannot listen on 999.1.1.1" in text and "--host" in text


def _tokens(served: Served) -> dict[str, str]:
    state = served.calls[-1]["asgi"].state.simulator
    return {pid: token for token, pid in state.tokens.items()}


def test_on_loopback_the_tokens_are_the_documented_demo_tokens(served: Served) -> None:
    result = runner.invoke(app, ["simulate", "--port", "0"])
    assert result.exit_code == 0, result.output
    tokens = _tokens(served)
    assert tokens and all(token == demo_token(pid) for pid, token in tokens.items())
    assert "demo only" in result.output


def test_beyond_loopback_each_start_issues_random_tokens(served: Served) -> None:
    starts = [runner.invoke(app, ["simulate", "--host", "0.0.0.0", "--port", "0"]) for _ in range(2)]
    assert [r.exit_code for r in starts] == [0, 0], starts[0].output
    first = {pid: t for t, pid in served.calls[0]["asgi"].state.simulator.tokens.items()}
    second = {pid: t for t, pid in served.calls[1]["asgi"].state.simulator.tokens.items()}
    assert set(first) == set(second)
    for pid in first:
        assert first[pid] != demo_token(pid) and first[pid] != second[pid]
        assert first[pid] in starts[0].output  # printed once, at start
    assert "random, this start only" in " ".join(starts[0].output.split())


def test_tokens_can_come_from_a_file(tmp_path: Path, served: Served) -> None:
    tokens_file = tmp_path / "tokens.txt"
    tokens_file.write_text("# our test network\nB01234 correct-horse-battery-staple-01\n")
    result = runner.invoke(app, ["simulate", "--host", "0.0.0.0", "--port", "0", "--tokens-file", str(tokens_file)])
    assert result.exit_code == 0, result.output
    tokens = _tokens(served)
    assert tokens["B01234"] == "correct-horse-battery-staple-01"
    assert tokens["B05678"] != demo_token("B05678")  # not listed: random


@pytest.mark.parametrize(("line", "expected"), [
    ("Z99999 correct-horse-battery-staple-01", "received participant 'Z99999'"),
    ("B01234 short", "16-128 printable ASCII"),
    ("B01234", "expected `PARTICIPANT TOKEN`"),
])
def test_a_bad_tokens_file_is_a_usage_error_at_its_line(tmp_path: Path, served: Served, line: str,
                                                        expected: str) -> None:
    tokens_file = tmp_path / "tokens.txt"
    tokens_file.write_text(f"# comment\n{line}\n")
    text = _usage_error(["--port", "0", "--tokens-file", str(tokens_file)])
    assert f"{tokens_file}:2" in text and expected in text


def test_request_limits_are_options_with_defaults(served: Served) -> None:
    assert runner.invoke(app, ["simulate", "--port", "0"]).exit_code == 0
    assert served.calls[-1]["limits"] == serving.DEFAULT_SERVE_LIMITS
    guard = served.calls[-1]["asgi"].user_middleware[0]
    assert guard.kwargs["limits"].max_body_bytes == 1024 * 1024
    options = ["--max-connections", "3", "--header-timeout", "2.5", "--keep-alive-timeout", "7",
               "--max-header-bytes", "8192", "--max-body-bytes", "4096"]
    assert runner.invoke(app, ["simulate", "--port", "0", *options]).exit_code == 0
    assert served.calls[-1]["limits"] == serving.ServeLimits(max_connections=3, header_timeout=2.5,
                                                             keep_alive_timeout=7, max_header_bytes=8192)
    assert served.calls[-1]["asgi"].user_middleware[0].kwargs["limits"].max_body_bytes == 4096


def test_record_beyond_loopback_issues_random_tokens_too(tmp_path: Path) -> None:
    result = runner.invoke(app, ["record", "--host", "0.0.0.0", "--port", "0", "--duration", "0.2",
                                 "--report", str(tmp_path)])
    assert "sim_B01234_" in result.output, result.output
    assert demo_token("B01234") not in result.output
    assert "random" in result.output
