"""Evidence packages (DESIGN.md §8): one zip of a run's report, Allure results and contracts with a SHA-256
manifest, secret-scanned before it is written and optionally signed (Ed25519); and its verification."""

from __future__ import annotations

from ocp_conformance.reporting.evidence.manifest import (
    MANIFEST_NAME,
    FileEntry,
    Manifest,
    ManifestError,
    describe_target,
)
from ocp_conformance.reporting.evidence.pack import (
    EvidenceError,
    PackResult,
    SecretsFound,
    pack_evidence,
    report_environment,
)
from ocp_conformance.reporting.evidence.secret_scan import TOKEN_SHAPES, SecretHit, scan_bytes, scan_files
from ocp_conformance.reporting.evidence.signing import (
    SIGNATURE_NAME,
    SigningKeyError,
    generate_keys,
    key_id,
    load_private_key,
    load_public_key,
)
from ocp_conformance.reporting.evidence.verify import Limits, NotAnEvidencePackage, Verification, verify_evidence

__all__ = [
    "MANIFEST_NAME",
    "SIGNATURE_NAME",
    "TOKEN_SHAPES",
    "EvidenceError",
    "FileEntry",
    "Limits",
    "Manifest",
    "ManifestError",
    "NotAnEvidencePackage",
    "PackResult",
    "SecretHit",
    "SecretsFound",
    "SigningKeyError",
    "Verification",
    "describe_target",
    "generate_keys",
    "key_id",
    "load_private_key",
    "load_public_key",
    "pack_evidence",
    "report_environment",
    "scan_bytes",
    "scan_files",
    "verify_evidence",
]
