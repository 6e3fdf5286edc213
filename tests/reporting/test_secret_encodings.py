"""Issue 16 item 4: a secret is found and removed in every common encoding, and inside compressed files.

Each case writes the token as an encoder would leave it inside a larger text (a base64 blob it is part of, a
JSON string, a UTF-16 file, a gzip file...); the pack's scan must name it, and the scrub must leave no form of it.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest

from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.reporting import Redactor, scrub_files
from ocp_conformance.reporting.evidence import SecretsFound, pack_evidence, scan_bytes, secret_scan
from ocp_conformance.reporting.secret_forms import secret_forms
from tests.reporting.evidence_report import make_report

#: URL-encoding, JSON-escaping and UTF-16 all change it (a slash, a plus, an accent).
TOKEN = "tok/3f9a+8b7c=6d5e_é4f3a2b1c0d"
SECRETS = {"OCP_TOKEN_B01234": TOKEN}


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


ENCODED: dict[str, Callable[[str], bytes]] = {
    "raw": lambda t: f"note {t} end".encode(),
    "base64 offset 0": lambda t: base64.b64encode(f"{t}:rest".encode()),
    "base64 offset 1": lambda t: b"Basic " + base64.b64encode(f"B{t}:password".encode()),
    "base64 offset 2": lambda t: base64.b64encode(f"xy{t}".encode()),
    "base64 (Bearer header)": lambda t: base64.b64encode(f"Authorization: Bearer {t}".encode()),
    "base64url": lambda t: base64.urlsafe_b64encode(f"??>{t}??>".encode()),
    "hex": lambda t: t.encode().hex().encode(),
    "hex upper case": lambda t: t.encode().hex().upper().encode(),
    "URL-encoded": lambda t: f"?q={quote(t + '/', safe='')}".encode(),
    "JSON \\u-escaped": lambda t: json.dumps({"v": "".join(f"\\u{ord(c):04x}" for c in t)}).replace(
        "\\\\", "\\").encode(),
    "UTF-16-LE": lambda t: f"note {t}".encode("utf-16-le"),
    "UTF-16-BE": lambda t: f"note {t}".encode("utf-16-be"),
    "UTF-16 with BOM": lambda t: f"note {t}".encode("utf-16"),
    "gzip": lambda t: gzip.compress(f"note {t}\n".encode()),
    "gzip of base64": lambda t: gzip.compress(base64.b64encode(f"..{t}".encode())),
    "zip member": lambda t: _zip("inner.txt", f"note {t}".encode()),
    "zip in gzip": lambda t: gzip.compress(_zip("inner.txt", f"x{t}".encode("utf-16-le"))),
}


@pytest.mark.parametrize("encoding", sorted(ENCODED))
def test_the_scan_finds_every_encoding(encoding: str) -> None:
    data = ENCODED[encoding](TOKEN)
    assert (TOKEN.encode() in data) == (encoding == "raw")
    hits = scan_bytes("allure-results/x-attachment.txt", data, SECRETS)
    assert hits, f"{encoding}: the token was not found"
    assert all("OCP_TOKEN_B01234" in hit.what for hit in hits)
    assert all(TOKEN not in hit.render() for hit in hits)


@pytest.mark.parametrize("encoding", sorted(e for e in ENCODED if "zip " not in e))  # the scan refuses zips
def test_the_scrub_leaves_no_form_of_the_secret(encoding: str, tmp_path: Path) -> None:
    path = tmp_path / "x-attachment.txt"
    path.write_bytes(ENCODED[encoding](TOKEN))
    assert scrub_files([tmp_path], Redactor([TOKEN])) == [path]
    assert scan_bytes("x", path.read_bytes(), SECRETS) == []


def test_the_redactor_removes_every_text_form_as_the_text_is_made() -> None:
    redactor = Redactor([TOKEN])
    for encoding in ("raw", "base64 offset 1", "base64url", "hex", "URL-encoded", "JSON \\u-escaped"):
        text = ENCODED[encoding](TOKEN).decode()
        assert "[REDACTED]" in redactor.redact_text(text), encoding
    utf16 = ENCODED["UTF-16-LE"](TOKEN)
    assert redactor.redact_bytes(utf16) == "note [REDACTED]".encode("utf-16-le")


def test_every_form_is_built_once_per_secret() -> None:
    forms = secret_forms(TOKEN)
    assert forms is secret_forms(TOKEN)
    encodings = {form.encoding for form in forms}
    assert {"raw", "base64", "base64 (offset 1)", "base64 (offset 2)", "hex", "hex (upper case)", "URL-encoded",
            "JSON-escaped", "UTF-16-LE", "UTF-16-BE"} <= encodings
    assert len({form.data for form in forms}) == len(forms)


def test_a_compressed_file_that_inflates_too_far_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secret_scan, "MAX_INFLATED_SCAN_BYTES", 10_000)
    bomb = gzip.compress(b"\0" * 50_000)
    assert [hit.what for hit in scan_bytes("a.gz", bomb, {})] == [
        "<compressed file not scanned, so refused: inflates beyond 10000 bytes>"]
    zipped = _zip("big.bin", b"\0" * 50_000)
    assert "inflates beyond" in scan_bytes("a.zip", zipped, {})[0].what
    assert "not valid gzip" in scan_bytes("b.gz", b"\x1f\x8b\x08garbage", {})[0].what


@pytest.fixture(scope="module")
def contracts() -> ContractSet:
    return load_contracts()


@pytest.mark.parametrize("encoding", ["base64 offset 1", "UTF-16-LE", "gzip", "hex"])
def test_a_planted_encoded_secret_fails_the_pack(encoding: str, tmp_path: Path, contracts: ContractSet) -> None:
    report = make_report(tmp_path / "report", contracts)
    (report / "allure-results" / "planted-attachment.bin").write_bytes(ENCODED[encoding](TOKEN))
    with pytest.raises(SecretsFound) as found:
        pack_evidence(report, tmp_path / "e.zip", contracts, secrets=SECRETS, harness_version="0.1.0")
    assert any(hit.path.startswith("allure-results/planted-attachment.bin") for hit in found.value.hits)
    assert not (tmp_path / "e.zip").exists()
