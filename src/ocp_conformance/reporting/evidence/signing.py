"""Ed25519 signatures of evidence packages: who made a package, and that nothing in it changed since.

The QA lead who runs the harness holds the private key and signs (``evidence pack --sign KEY``); whoever relies
on the package (the vendor's customer, an auditor) holds only the public key and verifies (``evidence verify
--key PUB``). The signature is detached from what it signs: ``manifest.sig`` in the package holds it, over the
canonical form of ``manifest.json`` (sorted keys, compact JSON), which records the verdict, the target and
contract fingerprints, ``created_at`` and the SHA-256 of every file; so a changed byte anywhere in a file or in
the manifest breaks it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["ALGORITHM", "SIGNATURE_NAME", "SignatureCheck", "SigningKeyError", "check_signature", "generate_keys",
           "key_id", "load_private_key", "load_public_key", "sign"]

SIGNATURE_NAME = "manifest.sig"
ALGORITHM = "Ed25519"
_MAX_SIGNATURE_BYTES = 4096


class SigningKeyError(ValueError):
    """A key file that is missing, unreadable or not an Ed25519 key of the expected kind."""


def key_id(public: Ed25519PublicKey) -> str:
    """``sha256:`` + the SHA-256 of the raw 32-byte public key: names a key without showing it."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def generate_keys(private_path: Path, public_path: Path) -> str:
    """Write a new Ed25519 key pair: the private key (PKCS#8 PEM, mode 0600, created exclusively: an existing
    file is never overwritten) and the public key (PEM); returns the key id.

    Raises:
        FileExistsError: either file exists.
    """
    if public_path.exists():
        raise FileExistsError(f"{public_path} exists")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(pem)
    private_path.chmod(0o600)  # whatever the umask
    public_path.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                              serialization.PublicFormat.SubjectPublicKeyInfo))
    return key_id(private.public_key())


def _read(path: Path, kind: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"{kind} {path}: {exc.strerror or exc}") from None


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file (as ``evidence keygen`` writes it)."""
    data = _read(path, "private key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"private key {path} is not an unencrypted PEM private key ({exc}); expected the "
                              ".key file of `ocp-conformance evidence keygen`") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"private key {path} is a {type(key).__name__}, expected an Ed25519 key "
                        "(`ocp-conformance evidence keygen` makes one)")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in a PEM file (the .pub file of ``evidence keygen``)."""
    data = _read(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        hint = " (this is a private key: give the .pub file)" if b"PRIVATE KEY" in data else ""
        raise SigningKeyError(f"public key {path} is not a PEM public key{hint} ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"public key {path} is a {type(key).__name__}, expected an Ed25519 key")
    return key


def sign(private: Ed25519PrivateKey, canonical_manifest: bytes) -> bytes:
    """The content of ``manifest.sig``: algorithm, key id and the base64 signature of the canonical manifest."""
    signature = private.sign(canonical_manifest)
    document = {"algorithm": ALGORITHM, "key_id": key_id(private.public_key()),
                "signs": "canonical manifest.json (sorted keys, compact JSON, UTF-8)",
                "signature": base64.b64encode(signature).decode("ascii")}
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    valid: bool
    message: str
    """One line: who signed (key id) when valid, else what is wrong."""


def check_signature(public: Ed25519PublicKey, signature_file: bytes, canonical_manifest: bytes) -> SignatureCheck:
    """Check ``manifest.sig`` against the canonical manifest with the trusted public key."""
    expected_id = key_id(public)
    if len(signature_file) > _MAX_SIGNATURE_BYTES:
        return SignatureCheck(False, f"{SIGNATURE_NAME}: {len(signature_file)} bytes, not a signature file")
    try:
        document = json.loads(signature_file.decode("utf-8"))
        algorithm, signer = document["algorithm"], document["key_id"]
        signature = base64.b64decode(document["signature"], validate=True)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, binascii.Error):
        return SignatureCheck(False, f"{SIGNATURE_NAME}: not a signature file of `ocp-conformance evidence pack "
                              "--sign`")
    if algorithm != ALGORITHM:
        return SignatureCheck(False, f"{SIGNATURE_NAME}: algorithm {algorithm!r}, expected {ALGORITHM!r}")
    if signer != expected_id:
        return SignatureCheck(False, f"{SIGNATURE_NAME}: signed by key {signer}, not by the trusted key "
                              f"{expected_id} given with --key")
    try:
        public.verify(signature, canonical_manifest)
    except InvalidSignature:
        return SignatureCheck(False, f"{SIGNATURE_NAME}: the signature does not match manifest.json: the manifest "
                              "changed after it was signed")
    return SignatureCheck(True, f"signature valid: signed by key {expected_id}")
