"""Reporting: test results, the readiness matrix and verdict, its renderings, Allure metadata, redaction."""

from __future__ import annotations

from ocp_conformance.reporting.allure_labels import (
    CATEGORIES,
    labels_for,
    write_categories,
    write_environment,
)
from ocp_conformance.reporting.console import render_summary
from ocp_conformance.reporting.markdown import render_markdown
from ocp_conformance.reporting.readiness import (
    APPLICABLE_CHECKS,
    CheckState,
    CheckStatus,
    EntryStatus,
    Readiness,
    Status,
    Verdict,
    build_readiness,
    write_readiness,
)
from ocp_conformance.reporting.redaction import REDACTED, Redactor, is_sensitive_header
from ocp_conformance.reporting.results import (
    CheckKind,
    CheckResult,
    Outcome,
    ResultFormatError,
    dump_results,
    load_results,
)
from ocp_conformance.reporting.waivers import Waiver, WaiverOutcome, WaiverState, load_waivers

__all__ = [
    "APPLICABLE_CHECKS",
    "CATEGORIES",
    "REDACTED",
    "CheckKind",
    "CheckResult",
    "CheckState",
    "CheckStatus",
    "EntryStatus",
    "Outcome",
    "Readiness",
    "Redactor",
    "ResultFormatError",
    "Status",
    "Verdict",
    "Waiver",
    "WaiverOutcome",
    "WaiverState",
    "build_readiness",
    "dump_results",
    "is_sensitive_header",
    "labels_for",
    "load_results",
    "load_waivers",
    "render_markdown",
    "render_summary",
    "write_categories",
    "write_environment",
    "write_readiness",
]
