"""``ocp-conformance load``: a day's traffic against a target, on Locust, with contract sampling and invariants.

Locust runs on gevent, whose patch of the standard library must come before anything imports ssl or sockets:
``python -m ocp_conformance.load`` patches first, so this package's ``__init__`` imports nothing. Import the
modules: :mod:`~ocp_conformance.load.profile` (profiles as data), :mod:`~ocp_conformance.load.generators`,
:mod:`~ocp_conformance.load.traffic` (one user's calls through the binding), :mod:`~ocp_conformance.load.invariants`,
:mod:`~ocp_conformance.load.report`; only :mod:`~ocp_conformance.load.engine` imports Locust.
"""
