"""The guarded transport of URL targets: body cap, fail-fast after unanswered requests, the run limit.

Against httpx.MockTransport (no network); tests/resilience/ runs the same against real misbehaving servers.
"""

from __future__ import annotations

import httpx
import pytest

from ocp_conformance.contracts import load_contracts
from ocp_conformance.reporting import APPLICABLE_CHECKS, CheckResult, build_readiness
from ocp_conformance.targets.response_guard import GuardedTransport, ResponseLimits
from ocp_conformance.targets.run_deadline import RunDeadline, RunDeadlineReached
from ocp_conformance.targets.transport_failure import (
    ResponseTooLarge,
    TargetGaveUp,
    UnansweredRequests,
    describe_transport_failure,
)


def _client(handler: httpx.MockTransport, limits: ResponseLimits) -> httpx.Client:
    return httpx.Client(transport=GuardedTransport(handler, limits), base_url="http://target.test")


def test_a_body_over_the_cap_stops_reading_and_names_the_cap() -> None:
    chunks = (b"x" * 1024 for _ in range(4096))  # 4 MB, streamed
    limits = ResponseLimits(max_body_mb=1)
    with _client(httpx.MockTransport(lambda r: httpx.Response(200, content=chunks)), limits) as client, \
            pytest.raises(ResponseTooLarge, match=r"over the 1 MB cap \(1049600 bytes read; --max-body-mb\)"):
        client.get("/x")


def test_an_announced_body_over_the_cap_is_refused_before_reading() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-length": str(50 * 1024 * 1024)}, content=b"")

    with _client(httpx.MockTransport(handler), ResponseLimits(max_body_mb=1)) as client, \
            pytest.raises(ResponseTooLarge, match="announced 52428800 bytes"):
        client.get("/x")


def test_two_unanswered_requests_in_a_row_stop_further_sending() -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        raise httpx.ReadTimeout("timed out", request=request)

    with _client(httpx.MockTransport(handler), ResponseLimits(request_timeout=1)) as client:
        for _ in range(2):
            with pytest.raises(httpx.ReadTimeout):
                client.get("/x")
        with pytest.raises(TargetGaveUp, match=r"failed the last 2 requests in a row \(timed out: no answer within "
                                               r"1 s; timed out: no answer within 1 s\)"):
            client.get("/y")
    assert sent == ["/x", "/x"]


def test_an_answer_resets_the_count() -> None:
    answers = iter([httpx.ReadTimeout("t"), None, httpx.ReadTimeout("t"), None])

    def handler(request: httpx.Request) -> httpx.Response:
        failure = next(answers)
        if failure is not None:
            raise failure
        return httpx.Response(200, json={})

    with _client(httpx.MockTransport(handler), ResponseLimits()) as client:
        for expected in (None, 200, None, 200):
            if expected is None:
                with pytest.raises(httpx.ReadTimeout):
                    client.get("/x")
            else:
                assert client.get("/x").status_code == expected


def test_nothing_is_sent_after_the_run_limit() -> None:
    now = [0.0]
    deadline = RunDeadline(10, clock=lambda: now[0])
    sent: list[httpx.Request] = []
    limits = ResponseLimits(request_timeout=30, deadline=deadline)

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    with _client(httpx.MockTransport(handler), limits) as client:
        now[0] = 4.0
        client.get("/x")
        assert sent[0].extensions["timeout"]["read"] == 6.0  # clamped to what is left of the run
        now[0] = 10.0
        with pytest.raises(RunDeadlineReached, match=r"^not run: the run time limit \(10 s, --run-timeout\)"):
            client.get("/x")
    assert len(sent) == 1


@pytest.mark.parametrize(("failure", "named"), [
    (httpx.ConnectTimeout("t"), "timed out: no connection within 2 s"),
    (httpx.ReadTimeout("t"), "timed out: no answer within 2 s"),
    (httpx.ConnectError("refused"), "refused the connection or could not be reached"),
    (httpx.RemoteProtocolError("Server disconnected"), "closed the connection without a complete response"),
    (httpx.ReadError("[Errno 104] Connection reset by peer"), "reset the connection"),
])
def test_each_transport_failure_is_named(failure: httpx.TransportError, named: str) -> None:
    assert describe_transport_failure(failure, 2.0).startswith(named)


def test_limits_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="request timeout must be positive"):
        ResponseLimits(request_timeout=0)
    with pytest.raises(ValueError, match="run time limit must be positive"):
        RunDeadline(-1)
    with pytest.raises(ValueError, match="at least 1"):
        UnansweredRequests(limit=0)


def test_a_run_that_stopped_early_is_never_ready() -> None:
    contracts = load_contracts()
    results = [CheckResult(f"t{n}", (e.name,), check, "passed") for n, e in enumerate(contracts.catalogue)
               if e.contracted for check in APPLICABLE_CHECKS[e.kind]]
    ready = build_readiness(contracts.catalogue, results, target="t", contract_version="v")
    stopped = build_readiness(contracts.catalogue, results, target="t", contract_version="v",
                              stopped_early="the run time limit (5 s, --run-timeout) was reached")
    assert stopped.verdict == "not-ready"
    assert stopped.to_json()["stopped_early"].startswith("the run time limit")
    assert ready.verdict == "ready" and ready.to_json()["stopped_early"] is None
