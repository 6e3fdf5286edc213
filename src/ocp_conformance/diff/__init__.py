"""Cross-target diff: the same deterministic requests to two targets, every divergence per catalogue function.

``ocp-conformance diff --target A --target B`` points A at our simulator and B at the exchange's offline simulator
(or an adapter) and reports where they answer differently. What may legitimately differ is data: ``diff.yaml``.
"""

from ocp_conformance.diff.plan import Plan, Step, build_plan
from ocp_conformance.diff.report import diff_json, diff_markdown, write_diff_report
from ocp_conformance.diff.rules import DIFF_FILE, DiffRules, load_diff_rules
from ocp_conformance.diff.runner import DiffResult, Divergence, SideInfo, run_diff

__all__ = ["DIFF_FILE", "DiffResult", "DiffRules", "Divergence", "Plan", "SideInfo", "Step", "build_plan",
           "diff_json", "diff_markdown", "load_diff_rules", "run_diff", "write_diff_report"]
