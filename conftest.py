"""Thin on purpose: the `ocp_conformance` pytest plugin (installed as an entry point) does the work."""
