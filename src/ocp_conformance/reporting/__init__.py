"""Reporting: test results, the readiness matrix and verdict, its renderings, Allure metadata, redaction."""

from __future__ import annotations

from ocp_conformance.reporting.allure_html import AllureBuild, build_allure_html
from ocp_conformance.reporting.allure_labels import (
    CATEGORIES,
    labels_for,
    write_categories,
    write_environment,
)
from ocp_conformance.reporting.allure_links import NODE_ID_LABEL, allure_detail_links, operation_link
from ocp_conformance.reporting.console import render_summary
from ocp_conformance.reporting.fail_on import FailOn, FailOnError, fail_on_breaches, parse_fail_on
from ocp_conformance.reporting.history import RunSnapshot, Trend
from ocp_conformance.reporting.html import render_html
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
from ocp_conformance.reporting.report_files import write_report
from ocp_conformance.reporting.results import (
    CheckKind,
    CheckResult,
    Outcome,
    ResultFormatError,
    dump_results,
    load_results,
)
from ocp_conformance.reporting.scores import Score, Scores, score_readiness
from ocp_conformance.reporting.scrub import scrub_files
from ocp_conformance.reporting.waivers import Waiver, WaiverOutcome, WaiverState, load_waivers

__all__ = [
    "APPLICABLE_CHECKS",
    "CATEGORIES",
    "NODE_ID_LABEL",
    "REDACTED",
    "AllureBuild",
    "CheckKind",
    "CheckResult",
    "CheckState",
    "CheckStatus",
    "EntryStatus",
    "FailOn",
    "FailOnError",
    "Outcome",
    "Readiness",
    "Redactor",
    "ResultFormatError",
    "RunSnapshot",
    "Score",
    "Scores",
    "Status",
    "Trend",
    "Verdict",
    "Waiver",
    "WaiverOutcome",
    "WaiverState",
    "allure_detail_links",
    "build_allure_html",
    "build_readiness",
    "dump_results",
    "fail_on_breaches",
    "is_sensitive_header",
    "labels_for",
    "load_results",
    "load_waivers",
    "operation_link",
    "parse_fail_on",
    "render_html",
    "render_markdown",
    "render_summary",
    "score_readiness",
    "scrub_files",
    "write_categories",
    "write_environment",
    "write_readiness",
    "write_report",
]
