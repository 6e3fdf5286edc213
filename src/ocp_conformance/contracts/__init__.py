"""Contracts: load and bundle the OpenAPI documents, the catalogue, and lint them. Imports nothing of ours."""

from __future__ import annotations

from ocp_conformance.contracts.catalogue import Catalogue, CatalogueEntry, EntryKind, UnknownFunctionError
from ocp_conformance.contracts.contract_set import ContractSet, UnknownOperationError, load_contracts, model_contracts
from ocp_conformance.contracts.lint import LintFinding, lint_contracts
from ocp_conformance.contracts.locate import default_contracts_dir, project_resource
from ocp_conformance.contracts.openapi import ApiDocument, Operation
from ocp_conformance.contracts.source import SourceError, SourceLocation, YamlDocument, load_yaml
from ocp_conformance.contracts.suggest import close_names, did_you_mean

__all__ = [
    "ApiDocument",
    "Catalogue",
    "CatalogueEntry",
    "ContractSet",
    "EntryKind",
    "LintFinding",
    "Operation",
    "SourceError",
    "SourceLocation",
    "UnknownFunctionError",
    "UnknownOperationError",
    "YamlDocument",
    "close_names",
    "default_contracts_dir",
    "did_you_mean",
    "lint_contracts",
    "load_contracts",
    "load_yaml",
    "model_contracts",
    "project_resource",
]
