"""The secret scan: configured values and token shapes are found with file:line; placeholders are not."""

from __future__ import annotations

import pytest

from ocp_conformance.reporting import REDACTED
from ocp_conformance.reporting.evidence import scan_bytes, scan_files

TOKEN = "sim_B01234_a474948e0cc381adf7319706"
SECRETS = {"OCP_TOKEN_B01234": TOKEN}


def test_a_configured_secret_is_named_by_its_label_and_line_never_by_value() -> None:
    data = f"line one\nAuthorization: Bearer {TOKEN}\nthird {TOKEN}\n".encode()
    hits = scan_bytes("allure-results/x-attachment.txt", data, SECRETS)
    rendered = [hit.render() for hit in hits]
    assert "allure-results/x-attachment.txt:2: <secret OCP_TOKEN_B01234>" in rendered
    assert "allure-results/x-attachment.txt:3: <secret OCP_TOKEN_B01234>" in rendered
    assert all(TOKEN not in line for line in rendered)


def test_url_encoded_and_json_escaped_secrets_are_found() -> None:
    secrets = {"SECRET": "p@ss/word+1"}
    assert scan_bytes("a", b"x=p%40ss%2Fword%2B1", secrets)
    assert scan_bytes("a", b'{"v": "p@ss\\/word+1"}', secrets)


@pytest.mark.parametrize(("text", "shape"), [
    ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JWT"),
    ("Authorization: Bearer 3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", "bearer token"),
    ("-----BEGIN RSA PRIVATE KEY-----", "private key"),
    ("-----BEGIN PRIVATE KEY-----", "private key"),
    ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AWS access key"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS secret key"),
    ("GET https://alice:hunter2@ocp.example.com/", "URL with credentials"),
])
def test_token_shapes_are_found_without_configuration(text: str, shape: str) -> None:
    hits = scan_bytes("readiness.md", f"# report\n{text}\n".encode(), {})
    assert [hit.render() for hit in hits] == [f"readiness.md:2: <token shape: {shape}>"]


@pytest.mark.parametrize("text", [
    f"Authorization: {REDACTED}",
    f"Authorization: Bearer {REDACTED}",
    "Authorization: Bearer <redacted>",
    "the token <token of B01234> was refused",
    "GET https://<credentials removed>@ocp.example.com/",
    "GET https://user:***@ocp.example.com/",
    "Bearer token missing",
    "see https://ocp.example.com/a@b",
])
def test_the_harness_placeholders_are_not_secrets(text: str) -> None:
    assert scan_bytes("readiness.md", text.encode(), {"OCP_TOKEN_B01234": TOKEN}) == []


def test_short_values_are_not_scanned_and_hits_come_in_path_order() -> None:
    assert scan_bytes("a", b"abc abc", {"SHORT": "abc"}) == []
    hits = scan_files([("b.txt", TOKEN.encode()), ("a.txt", f"\n{TOKEN}".encode())], SECRETS)
    assert [hit.render() for hit in hits] == ["a.txt:2: <secret OCP_TOKEN_B01234>",
                                              "b.txt:1: <secret OCP_TOKEN_B01234>"]
