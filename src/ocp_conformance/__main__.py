"""`python -m ocp_conformance` is the `ocp-conformance` command."""

from ocp_conformance.cli import main

main()
