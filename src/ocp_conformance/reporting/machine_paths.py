"""Report text without absolute paths of the machine that ran it (issue 20: a failure line reads the same anywhere).

A reason such as ``not run: /home/ci/work/scenarios/si/si-hold.arazzo.yaml:10:10: written for ...`` or ``no binding
for ... in /tmp/v2/binding.yaml`` names where the harness ran, not what failed. :func:`without_machine_paths`
writes a path under one of the run's roots (the project, the working folder) relative to it, and any other path
on this machine as ``…/<folder>/<file>``. What only looks like a path (a JSON pointer such as ``/errors/0/pointer``,
an API path ``/si/{siId}``) stays: a path is rewritten only when its folder exists on this machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

__all__ = ["without_machine_paths"]

# An absolute POSIX path: starts after a space, quote, bracket or the start of the text (not inside a URL or a
# word), runs until a space, quote, bracket, comma, semicolon or colon (so file:line:column keeps its numbers).
_PATH = re.compile(r"(?<![\w.:/~\\-])/(?:[^\s/:'\"`()\[\]{},;<>|]+/)+[^\s/:'\"`()\[\]{},;<>|]+")


def without_machine_paths(text: str, roots: Iterable[Path]) -> str:
    """``text`` with every absolute path of this machine made relative to the first (longest) root holding it,
    else shortened to its last two parts.

    Example:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> (root / "scenarios").mkdir()
        >>> without_machine_paths(f"not run: {root}/scenarios/si.arazzo.yaml:10:10: written for x", [root])
        'not run: scenarios/si.arazzo.yaml:10:10: written for x'
        >>> without_machine_paths("field /errors/0/pointer of GET /si/{siId}", [root])
        'field /errors/0/pointer of GET /si/{siId}'
    """
    bases = sorted({str(Path(root).resolve()) for root in roots} | {str(Path(root)) for root in roots},
                   key=len, reverse=True)

    def relative(match: re.Match[str]) -> str:
        found = match.group(0)
        for base in bases:
            if found.startswith(base.rstrip("/") + "/"):
                return found[len(base.rstrip("/")) + 1:]
        path = PurePosixPath(found)
        if not Path(path.parent).is_dir():
            return found  # not a place on this machine: a JSON pointer, an API path
        return "…/" + "/".join(path.parts[-2:])

    return _PATH.sub(relative, text)
