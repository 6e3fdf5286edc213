"""The check before a run against a plain URL (issue 20.3): only "nothing to test" stops the run, in one line.

A refused connection is a configuration to fix (exit 2 before any test); a target that answers, however badly,
is the suites' to judge (their failure, exit 1), so the check lets it through.
"""

from __future__ import annotations

import pytest

from ocp_conformance.targets import check_url_target, url_target
from tests.misbehaving_server import Mode, misbehaving_server
from tests.served_simulator import free_port

PROBE = "/ocp/v1/settlement-instructions"
TOKENS = {"B01234": "token-a", "B05678": "token-b"}


def test_a_refused_connection_fails_in_one_line_naming_the_fix() -> None:
    port = free_port()
    outcome = check_url_target(url_target(f"http://127.0.0.1:{port}", tokens=TOKENS, probe_capabilities=False),
                               PROBE)
    assert not outcome.ok
    assert outcome.failures() == [f"B01234: refused: nothing accepts connections at 127.0.0.1:{port}; check the port "
                                  "in the --target URL and that the server runs (or that a firewall lets you through)"]


@pytest.mark.parametrize("mode", ["500", "hang", "reset", "huge-body"])
def test_a_target_that_answers_badly_is_left_to_the_suites(mode: Mode) -> None:
    with misbehaving_server(mode) as base_url:
        outcome = check_url_target(url_target(base_url, tokens=TOKENS, probe_capabilities=False), PROBE, timeout=1)
    assert outcome.ok, outcome.failures()
