"""Evidence packages (DESIGN.md §8): one zip of a run's report, Allure results and contracts with a SHA-256
manifest, secret-scanned before it is written; and its verification."""

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
from ocp_conformance.reporting.evidence.verify import NotAnEvidencePackage, Verification, verify_evidence

__all__ = [
    "MANIFEST_NAME",
    "TOKEN_SHAPES",
    "EvidenceError",
    "FileEntry",
    "Manifest",
    "ManifestError",
    "NotAnEvidencePackage",
    "PackResult",
    "SecretHit",
    "SecretsFound",
    "Verification",
    "describe_target",
    "pack_evidence",
    "report_environment",
    "scan_bytes",
    "scan_files",
    "verify_evidence",
]
