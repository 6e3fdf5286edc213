"""RAP batch uploads: layouts as data, a streaming validator, a writer, a generator and hypothesis strategies.

Imports only :mod:`ocp_conformance.contracts` (for its YAML loading and ``SourceError``). The simulator builds
its RAP processing on :func:`validate`, passing a :class:`RecordContext` for the checks that need its state.
"""

from __future__ import annotations

from ocp_conformance.rap.codes import CODES, Code, Problem
from ocp_conformance.rap.context import CaEvent, RecordContext
from ocp_conformance.rap.fields import FieldSpec
from ocp_conformance.rap.generator import (
    DEFECTS,
    DEMO_BUSINESS_DATE,
    DEMO_CA_EVENTS,
    DEMO_PARTICIPANT,
    Defect,
    GeneratedFile,
    RecordGenerator,
    generate_file,
)
from ocp_conformance.rap.layout import (
    FileName,
    Layout,
    RecordLayout,
    UnknownFileTypeError,
    default_layouts_dir,
    detail_schema,
    detail_validator,
    load_layout,
    load_layouts,
)
from ocp_conformance.rap.result_file import (
    RapResult,
    ResultFileError,
    ResultFileProblem,
    ResultRecord,
    parse_result_file,
)
from ocp_conformance.rap.result_json import result_json
from ocp_conformance.rap.results import RecordBlock, RecordResult, ValidationSummary
from ocp_conformance.rap.validator import FileError, Validation, validate, validate_path
from ocp_conformance.rap.writer import FileHeader, RapWriter, format_record, write_file

__all__ = [
    "CODES",
    "DEFECTS",
    "DEMO_BUSINESS_DATE",
    "DEMO_CA_EVENTS",
    "DEMO_PARTICIPANT",
    "CaEvent",
    "Code",
    "Defect",
    "FieldSpec",
    "FileError",
    "FileHeader",
    "FileName",
    "GeneratedFile",
    "Layout",
    "Problem",
    "RapResult",
    "RapWriter",
    "RecordBlock",
    "RecordContext",
    "RecordGenerator",
    "RecordLayout",
    "RecordResult",
    "ResultFileError",
    "ResultFileProblem",
    "ResultRecord",
    "UnknownFileTypeError",
    "Validation",
    "ValidationSummary",
    "default_layouts_dir",
    "detail_schema",
    "detail_validator",
    "format_record",
    "generate_file",
    "load_layout",
    "load_layouts",
    "parse_result_file",
    "result_json",
    "validate",
    "validate_path",
    "write_file",
]
