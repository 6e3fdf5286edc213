"""All contracts of one folder: the catalogue, the OCP/GCP/RAP API documents and simulator control."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ocp_conformance.contracts.catalogue import Catalogue, CatalogueEntry
from ocp_conformance.contracts.locate import default_contracts_dir, project_resource
from ocp_conformance.contracts.openapi import ApiDocument, Operation
from ocp_conformance.contracts.source import SourceError
from ocp_conformance.contracts.suggest import did_you_mean

__all__ = ["CONTROL_DOCUMENT", "RAP_UPLOAD_DOCUMENT", "ContractSet", "UnknownOperationError", "load_contracts",
           "model_contracts"]

CONTROL_DOCUMENT = "simulator-control"
RAP_UPLOAD_DOCUMENT = "rap/rap-upload.yaml"
"""The HTTP binding of RAP uploads (``uploadRapFile``), relative to the contracts folder; not a participant API
document (RAP takes files by SFTP), so it is kept out of :attr:`ContractSet.documents`."""


class UnknownOperationError(LookupError):
    """An operationId no contract defines."""


@dataclass(frozen=True, slots=True)
class ContractSet:
    """Everything under a contracts folder, loaded and bundled once."""

    root: Path
    catalogue: Catalogue
    documents: tuple[ApiDocument, ...]

    @property
    def api_documents(self) -> tuple[ApiDocument, ...]:
        """The participant-facing documents (everything but simulator control)."""
        return tuple(d for d in self.documents if d.name != CONTROL_DOCUMENT)

    @property
    def control_document(self) -> ApiDocument | None:
        return next((d for d in self.documents if d.name == CONTROL_DOCUMENT), None)

    @property
    def rap_upload_document(self) -> ApiDocument | None:
        """``rap/rap-upload.yaml`` (operation ``uploadRapFile``) if this contracts folder has it, loaded once."""
        return _load_optional(self.root / RAP_UPLOAD_DOCUMENT)

    def document(self, name: str) -> ApiDocument:
        for doc in self.documents:
            if doc.name == name:
                return doc
        raise LookupError(f"no contract document {name!r} in {self.root / 'api'}")

    @property
    def operations(self) -> dict[str, Operation]:
        return {op_id: op for doc in self.documents for op_id, op in doc.operations.items()}

    def operation(self, operation_id: str) -> Operation:
        try:
            return self.operations[operation_id]
        except KeyError:
            hint = did_you_mean(operation_id, self.operations, cutoff=0.6)
            raise UnknownOperationError(f"no contract defines operationId {operation_id!r}.{hint}") from None

    def operations_of(self, entry: CatalogueEntry | str) -> tuple[Operation, ...]:
        """The operations serving a catalogue function (by entry or exact name)."""
        entry = self.catalogue.entry(entry) if isinstance(entry, str) else entry
        ops = self.operations
        return tuple(ops[o] for o in entry.operations if o in ops)

    def function_of(self, operation_id: str) -> CatalogueEntry | None:
        return self.catalogue.function_of(operation_id)

    @property
    def version(self) -> str:
        """The participant-facing contract version(s), e.g. ``ocp-api 0.1.0``."""
        return ", ".join(f"{d.name} {d.version}" for d in self.api_documents)

    def fingerprint(self) -> str:
        """SHA-256 over every contract file, to tie a report to the exact contracts it used."""
        digest = hashlib.sha256()
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(self.root)).encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()


def load_contracts(root: Path | None = None) -> ContractSet:
    """Load the catalogue and every ``api/*.yaml`` under ``root`` (default: :func:`default_contracts_dir`)."""
    return _load(Path(root).resolve() if root is not None else default_contracts_dir().resolve())


def model_contracts() -> ContractSet:
    """The model's own contracts (the project's ``contracts/``), whatever ``OCP_CONTRACTS`` says: the simulator's
    handlers and the scenarios are written in their names."""
    return load_contracts(project_resource("contracts"))


@cache
def _load(root: Path) -> ContractSet:
    if not (root / "catalogue.yaml").is_file():
        raise SourceError(root, "no catalogue.yaml in this contracts folder",
                          fix="point --contracts / OCP_CONTRACTS at a folder holding catalogue.yaml and api/")
    catalogue = Catalogue.load(root / "catalogue.yaml")
    documents = tuple(ApiDocument.load(p) for p in sorted((root / "api").glob("*.yaml")))
    return ContractSet(root=root, catalogue=catalogue, documents=documents)


@cache
def _load_optional(path: Path) -> ApiDocument | None:
    return ApiDocument.load(path) if path.is_file() else None
