"""The repository stands alone: every relative link in every tracked Markdown file resolves inside it.

A link to a folder beside the clone (``../shared/...``) works on one machine and nowhere else; this test names
each such link with its file and line.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from ocp_conformance.reporting.allure_html import ALLURE_REPORT_DIR
from ocp_conformance.reporting.history import HISTORY_DIR

REPO = Path(__file__).resolve().parents[1]

# [text](target) and [text](<target> "title"); reference definitions `[id]: target`
_INLINE = re.compile(r"!?\[[^\]\n]*\]\(\s*(?:<([^>\n]+)>|([^)\s]+))(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"`[^`\n]*`")


def _markdown_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z", "*.md"], cwd=REPO, capture_output=True, check=False)
    if listed.returncode != 0:  # not a git checkout (e.g. an unpacked sdist): every Markdown file of the tree
        return sorted(p for p in REPO.rglob("*.md") if not {".venv", "node_modules"} & set(p.parts))
    return sorted(REPO / name for name in listed.stdout.decode().split("\0") if name)


def relative_links(text: str) -> list[tuple[int, str]]:
    """(line number, target) of each link that is neither absolute (scheme:) nor an in-page anchor."""
    links: list[tuple[int, str]] = []
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        line = _CODE_SPAN.sub("", line)
        targets = [m.group(1) or m.group(2) for m in _INLINE.finditer(line)]
        reference = _REFERENCE.match(line)
        if reference:
            targets.append(reference.group(1))
        for target in targets:
            if target.startswith("#") or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                continue
            links.append((number, target))
    return links


def test_link_extraction_sees_links_and_skips_code_urls_and_anchors() -> None:
    text = ("see [a](docs/a.md#part) and ![img](<b c.png>) [web](https://x.org) [top](#intro)\n"
            "`[not](a link)`\n```\n[also not](x.md)\n```\n[ref]: ../other.md\n")
    assert relative_links(text) == [(1, "docs/a.md#part"), (1, "b c.png"), (6, "../other.md")]


FILES = _markdown_files()


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(REPO)) for p in FILES])
def test_every_relative_link_resolves_inside_the_repository(path: Path) -> None:
    broken = []
    for line, target in relative_links(path.read_text(encoding="utf-8")):
        resolved = (path.parent / unquote(target.split("#", 1)[0])).resolve()
        if not resolved.is_relative_to(REPO):
            broken.append(f"{path.relative_to(REPO)}:{line}: {target} points outside the repository")
        elif not resolved.exists():
            broken.append(f"{path.relative_to(REPO)}:{line}: {target} does not exist")
    assert not broken, "links that do not resolve (fix the path, or vendor the file into docs/):\n" + "\n".join(
        broken)


def test_reports_readme_is_markdown_and_names_what_a_run_writes() -> None:
    text = (REPO / "reports" / "README.md").read_text(encoding="utf-8")
    assert "\\n" not in text, "reports/README.md holds a literal \\n (an escaped newline written as text)"
    written = ["readiness.json", "readiness.md", "readiness.html", "junit.xml", "allure-results/",
               f"{ALLURE_REPORT_DIR}/index.html", f"{HISTORY_DIR}/"]
    assert [name for name in written if name not in text] == []
