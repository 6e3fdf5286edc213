"""One line instead of a traceback when a benchmark runs with a Python that lacks the project's packages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn


def missing_package(script: str, exc: ModuleNotFoundError) -> NoReturn:
    """Print what is missing and the command that works, then exit 2 (a usage error, as the CLI's)."""
    name = Path(script).name
    print(f"{name}: this Python ({sys.executable}) lacks {exc.name or exc}, a package of the project; run it with "
          f"the project's venv: .venv/bin/python benchmarks/{name} (create it with: python3 -m venv .venv && "
          ".venv/bin/pip install -e '.[test]')", file=sys.stderr)
    raise SystemExit(2)
