"""Redaction: a configured secret never survives, and credential headers never show their values."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ocp_conformance.reporting import REDACTED, Redactor, is_sensitive_header

secret_values = st.text(min_size=4, max_size=12)
# Small alphabets, including the marker's own characters, make overlaps and near-misses likely.
tricky = st.text(alphabet="ab[]REDACT", max_size=40)


@given(
    st.lists(st.one_of(secret_values, st.text(alphabet="ab[]ED", min_size=4, max_size=8)), max_size=4), tricky
)
@example(["aaaa", "D]bb"], "aaaabb")  # a marker next to plain text spelling another secret
@example(["abab"], "ababab")
def test_no_secret_survives_redact_text(secrets: list[str], text: str) -> None:
    secrets = [s for s in secrets if s not in REDACTED]
    redactor = Redactor(secrets)
    for secret in secrets:
        text_with_secret = f"{text}{secret}{text}"
        redacted = redactor.redact_text(text_with_secret)
        for s in secrets:
            assert s not in redacted


@given(secret_values, st.text(max_size=50), st.text(max_size=50))
def test_secret_in_any_text_is_replaced(secret: str, before: str, after: str) -> None:
    if secret in REDACTED:
        return
    redacted = Redactor([secret]).redact_text(before + secret + after)
    assert secret not in redacted
    assert REDACTED in redacted


def test_redact_text_examples() -> None:
    redactor = Redactor(["hunter22", "hunter2233"])
    assert redactor.redact_text("pw=hunter2233;") == "pw=[REDACTED];"
    assert redactor.redact_text("hunter22hunter22") == REDACTED
    assert redactor.redact_text("nothing here") == "nothing here"


def test_short_and_empty_secrets_are_ignored() -> None:
    redactor = Redactor(["", "abc", "x"])
    assert redactor.secret_count == 0
    assert redactor.redact_text("abc x") == "abc x"


def test_secret_inside_the_marker_is_refused() -> None:
    with pytest.raises(ValueError, match="part of the marker"):
        Redactor(["DACTED"])


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "proxy-authorization",
        "Cookie",
        "SET-COOKIE",
        "X-Api-Key",
        "X-Auth-Token",
        "x-client-secret",
        "X-Signing-Key",
        "X-Client-Cert",
        "api_key",
    ],
)
def test_credential_headers_are_redacted(name: str) -> None:
    assert is_sensitive_header(name)
    assert Redactor([]).redact_headers({name: "Bearer abc.def"}) == {name: REDACTED}


@pytest.mark.parametrize(
    "name", ["Idempotency-Key", "X-Idempotency-Key", "Content-Type", "Accept", "X-Request-Id"]
)
def test_ordinary_headers_keep_their_values(name: str) -> None:
    assert not is_sensitive_header(name)
    assert Redactor(["s3cr3t"]).redact_headers({name: "abc"}) == {name: "abc"}


def test_secrets_in_ordinary_headers_are_redacted() -> None:
    redactor = Redactor(["participant-B01-secret"])
    headers = {"Location": "/si?token=participant-B01-secret", "Idempotency-Key": "k-1"}
    assert redactor.redact_headers(headers) == {"Location": "/si?token=[REDACTED]", "Idempotency-Key": "k-1"}


@given(st.dictionaries(st.text(max_size=20), st.text(max_size=30), max_size=5), secret_values)
def test_secret_never_survives_redact_headers(headers: dict[str, str], secret: str) -> None:
    if secret in REDACTED:
        return
    headers = {name: value + secret for name, value in headers.items()}
    for value in Redactor([secret]).redact_headers(headers).values():
        assert secret not in value
