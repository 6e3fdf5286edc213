"""manifest.json: the target without credentials, the file-list digest, and reading it back."""

from __future__ import annotations

import json

import pytest

from ocp_conformance.reporting.evidence import FileEntry, Manifest, ManifestError, describe_target
from ocp_conformance.reporting.evidence.manifest import files_digest, parse_manifest


def test_a_plain_target_is_kept_and_fingerprinted() -> None:
    described = describe_target("server at https://ocp.example.com/ocp/v1")
    assert described["description"] == "server at https://ocp.example.com/ocp/v1"
    assert described["fingerprint"].startswith("sha256:") and len(described["fingerprint"]) == 71


def test_credentials_and_query_strings_never_reach_the_manifest() -> None:
    target = "server at https://alice:hunter2secret@ocp.example.com/ocp/v1?api_key=k3y-value-123"
    described = describe_target(target)
    text = json.dumps(described)
    for secret in ("alice", "hunter2secret", "k3y-value-123"):
        assert secret not in text
    assert described["description"] == "server at https://<credentials removed>@ocp.example.com/ocp/v1"
    assert described["fingerprint"] != describe_target("server at https://ocp.example.com/ocp/v1")["fingerprint"]


def test_the_file_list_digest_ignores_order_but_not_content() -> None:
    a, b = FileEntry("a.txt", "0" * 64, 1), FileEntry("b.txt", "1" * 64, 2)
    assert files_digest((a, b)) == files_digest((b, a))
    assert files_digest((a, b)) != files_digest((a, FileEntry("b.txt", "2" * 64, 2)))
    assert files_digest((a, b)) != files_digest((a, FileEntry("c.txt", "1" * 64, 2)))


def test_a_manifest_reads_back_as_written() -> None:
    manifest = Manifest("0.1.0", "2026-11-22T07:00:00+00:00", {"description": "x", "fingerprint": "sha256:0"},
                        "ready", {"documents": {"ocp-api": "0.2.0"}},
                        (FileEntry("b", "1" * 64, 2), FileEntry("a", "0" * 64, 1)))
    document = json.loads(manifest.dumps())
    assert [f["path"] for f in document["files"]] == ["a", "b"]
    parsed, recorded = parse_manifest(manifest.dumps())
    assert recorded == manifest.files_sha256 == parsed.files_sha256
    assert parsed.files == tuple(sorted(manifest.files, key=lambda f: f.path))


@pytest.mark.parametrize(("data", "says"), [
    (b"not json", "not JSON"),
    (b'{"format": "something else"}', "not an ocp-conformance evidence manifest"),
    (b'{"format": "ocp-conformance evidence package 1", "files": []}', "lacks a field"),
])
def test_a_foreign_manifest_is_refused_precisely(data: bytes, says: str) -> None:
    with pytest.raises(ManifestError, match=says):
        parse_manifest(data)
