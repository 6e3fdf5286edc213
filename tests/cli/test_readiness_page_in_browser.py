"""A real run against a fault, its readiness.html opened in headless Chromium, and its Allure HTML report.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it when absent); Allure 3 comes from
``npm ci``. Without them the tests skip locally and fail under CI. The screenshot stays in the report folder
(``REPORT/readiness.png``) for a reader to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.harness_run import RunOutcome, run_harness

pytestmark = pytest.mark.slow  # end-to-end runs: `pytest -m "not slow"` leaves them out for a quick loop

ROOT = Path(__file__).resolve().parents[2]
FAULT, FUNCTION = "accept-invalid-quantity", "Input SI"


def _require(tool: str | None, what: str, fix: str) -> str:
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing: {fix}")
        pytest.skip(f"{what} not installed here: {fix}")
    return tool


def _chromium() -> str:
    return _require(shutil.which("chromium") or shutil.which("chromium-browser"), "headless Chromium",
                    ".ci/run installs it with `apt-get install -y chromium`")


def _browse(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """Chromium, headless, with every host name unresolvable: a page that needs the network shows it."""
    return subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1366,900", "--virtual-time-budget=10000",
         *extra, url],
        capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunOutcome]:
    report = tmp_path_factory.mktemp("report")
    outcome = run_harness(report, "--only", FUNCTION, "--simulator-fault", FAULT, allure_html=True)
    assert outcome.exit_code == 1, outcome.output[-4000:]
    assert outcome.entry(FUNCTION)["status"] == "fail"
    return report, outcome


def test_readiness_page_shows_verdict_and_failing_function_in_chromium(faulty_run: tuple[Path, RunOutcome]) -> None:
    report, _ = faulty_run
    page = (report / "readiness.html").resolve().as_uri()
    dom = _browse(page, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert "NOT READY" in html
    # the failing function's row carries a failed cell, and the failure line names it and links to Allure
    failing_row = next(part for part in html.split("<tr") if f">{FUNCTION}<" in part or f">{FUNCTION} " in part)
    assert "s-fail" in failing_row, failing_row
    failures = html[html.index('id="failures"'):]
    assert FUNCTION in failures.split("</ul>")[0]
    assert "allure-report/index.html#" in failures.split("</ul>")[0]

    shot = report / "readiness.png"
    taken = _browse(page, f"--screenshot={shot}")
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_allure_html_report_is_built_and_opens_offline_on_the_failure(faulty_run: tuple[Path, RunOutcome]) -> None:
    report, outcome = faulty_run
    _require(shutil.which("node"), "Node.js", "install Node.js 20+ (Debian: apt-get install -y nodejs npm)")
    _require(str(ROOT / "node_modules" / "allure") if (ROOT / "node_modules" / "allure").is_dir() else None,
             "Allure 3 (npm)", "run `npm ci` in the checkout (allure is pinned in package.json)")
    index = report / "allure-report" / "index.html"
    assert index.is_file(), outcome.output[-3000:]
    assert "Allure HTML report:" in outcome.output
    readiness = json.loads((report / "readiness.json").read_text(encoding="utf-8"))
    assert readiness["verdict"] == "not-ready"
    link = next(line for line in (report / "readiness.md").read_text(encoding="utf-8").splitlines()
                if line.startswith(f"- **{FUNCTION}**") and "allure-report/index.html#" in line)
    fragment = link.split("allure-report/index.html#")[1].split(")")[0]
    # On a loaded machine headless Chromium may dump the page before the report's scripts read their inline data
    # ("Failed to fetch"); a report that cannot load offline shows it on every attempt.
    for _ in range(3):
        dom = _browse(index.resolve().as_uri() + "#" + fragment, "--dump-dom")
        assert dom.returncode == 0, dom.stderr[-2000:]
        if "Failed to fetch" not in dom.stdout:
            break
    assert "Failed to fetch" not in dom.stdout
    assert "test_each_forbidden_field_value_is_rejected_and_named" in dom.stdout or FUNCTION in dom.stdout


def test_allure_results_link_the_contract_operation_and_show_scenario_steps(
        faulty_run: tuple[Path, RunOutcome]) -> None:
    report, _ = faulty_run
    results = [json.loads(path.read_text(encoding="utf-8"))
               for path in (report / "allure-results").glob("*-result.json")]
    links = [link for result in results for link in result.get("links", [])]
    contract = next(link for link in links if link["name"].startswith("contract: inputSi (POST "))
    assert contract["url"].startswith("file://") and "#/paths/" in contract["url"]
    steps = [step for result in results if ".arazzo#" in result.get("fullName", "")
             for step in result.get("steps", [])]
    assert any(": " in step["name"] and step["status"] == "passed" for step in steps), [s["name"] for s in steps][:5]
    environment = (report / "allure-results" / "environment.properties").read_text(encoding="ascii")
    assert "harness.version=ocp-conformance" in environment and "\nparticipant=" in environment
