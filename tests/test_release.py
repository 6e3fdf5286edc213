"""The release process of docs/RELEASING.md holds: CHANGELOG sections per version, one version source, and on a
tagged commit the tag, the package version and the changelog agree."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from ocp_conformance import __version__

REPO = Path(__file__).resolve().parents[1]
_SECTION = re.compile(r"^## (.+)$", re.MULTILINE)
_RELEASED = re.compile(r"^\[(\d+)\.(\d+)\.(\d+)\] - \d{4}-\d{2}-\d{2}$")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _released(changelog: str) -> list[tuple[int, ...]]:
    headings = _SECTION.findall(changelog)
    assert headings and headings[0] == "[Unreleased]", f"CHANGELOG.md must start with ## [Unreleased]: {headings[:1]}"
    versions = []
    for heading in headings[1:]:
        match = _RELEASED.match(heading)
        assert match, f"CHANGELOG.md: {heading!r} is not '[X.Y.Z] - YYYY-MM-DD' (docs/RELEASING.md)"
        versions.append(tuple(int(g) for g in match.groups()))
    return versions


def test_changelog_has_unreleased_on_top_then_versions_newest_first() -> None:
    released = _released((REPO / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert released == sorted(released, reverse=True), released
    if released:
        assert _version(__version__) >= released[0], f"__version__ {__version__} is older than the last release"


def test_a_malformed_changelog_is_caught() -> None:
    for text in ("# Changelog\n## [0.1.0] - 2027-01-01\n", "## [Unreleased]\n## 0.2.0\n"):
        try:
            _released(text)
        except AssertionError:
            continue
        raise AssertionError(f"accepted {text!r}")


def release_problems(tag: str, version: str, changelog: str) -> list[str]:
    """What disagrees between a release tag ``vX.Y.Z``, the package version and the changelog."""
    problems = []
    if tag != f"v{version}":
        problems.append(f"tag {tag} but __version__ is {version} (src/ocp_conformance/__init__.py)")
    if not re.search(rf"^## \[{re.escape(tag[1:])}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.MULTILINE):
        problems.append(f"CHANGELOG.md has no '## [{tag[1:]}] - YYYY-MM-DD' section for tag {tag}")
    return problems


def test_tag_version_and_changelog_must_agree() -> None:
    released = "## [Unreleased]\n\n## [0.2.0] - 2027-05-01\n"
    assert release_problems("v0.2.0", "0.2.0", released) == []
    assert len(release_problems("v0.2.0", "0.1.0", released)) == 1
    assert len(release_problems("v0.3.0", "0.3.0", released)) == 1
    # and this checkout, when its commit is a release (a tag v*)
    described = subprocess.run(["git", "describe", "--tags", "--exact-match", "--match", "v*"], cwd=REPO,
                               capture_output=True, text=True, check=False)
    if described.returncode == 0:
        changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
        assert release_problems(described.stdout.strip(), __version__, changelog) == []
