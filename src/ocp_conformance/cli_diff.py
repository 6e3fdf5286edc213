"""``ocp-conformance diff --target A --target B``: the same requests to two targets, every divergence reported.

Exit codes as :mod:`ocp_conformance.cli`: 0 no divergence, 1 divergences, 2 a usage or configuration error (a
target that cannot be reached or refuses the credentials included), 3 a harness error.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ocp_conformance.cli_errors import fail
from ocp_conformance.cli_targets import ConfigOption, check_profile_before_run, check_url_before_run, config_path
from ocp_conformance.contracts import ContractSet, SourceError, load_contracts

if TYPE_CHECKING:
    from ocp_conformance.targets import Target

__all__ = ["diff"]

EXIT_SAME, EXIT_DIVERGES, EXIT_USAGE, EXIT_HARNESS = 0, 1, 2, 3
console = Console()
errors = Console(stderr=True)


def _fail(code: int, message: str, fix: str = "") -> typer.Exit:
    return fail(message, fix, code=code)


def _target(spec: str, contracts: ContractSet, config: Path | None, timeout: float | None) -> Target:
    """``simulator`` (a fresh embedded one), a base URL (tokens from OCP_TOKEN_<P>) or a [targets.NAME] profile,
    each checked as ``run`` checks it first (reachable, credentials accepted)."""
    from ocp_conformance.binding import credential_header, load_binding
    from ocp_conformance.targets import TargetError, simulator_target, url_target
    from ocp_conformance.targets.profile_target import target_for
    from ocp_conformance.targets.response_guard import ResponseLimits

    if spec == "simulator":
        return simulator_target(contracts)[0]
    check_profile_before_run(spec, config, [], contracts)
    check_url_before_run(spec, contracts, rap_channel=True, out_of_scope=[], timeout=timeout)
    try:
        if spec.startswith(("http://", "https://")):
            return url_target(spec, limits=ResponseLimits(request_timeout=timeout or 30.0),
                              credential_header=credential_header(contracts, load_binding(contracts)))
        return target_for(spec, config_path(config))
    except (TargetError, SourceError) as exc:
        raise _fail(EXIT_USAGE, f"target {spec}: {exc}") from None


def diff(
    target: Annotated[list[str], typer.Option(
        "--target", metavar="TARGET", help="simulator, a base URL or a [targets.NAME] profile of --config; give it "
        "twice: A (e.g. simulator) then B (e.g. the exchange's offline simulator)")],
    report: Annotated[Path, typer.Option(help="where to write diff.json and diff.md")] = Path("reports"),
    seed: Annotated[int, typer.Option(help="seed of the property-generated cases (the same on both sides)")] = 17,
    cases: Annotated[int, typer.Option(min=0, max=500, help="property-generated Input SI cases")] = 24,
    run_id: Annotated[str | None, typer.Option(
        "--run-id", help="letters and digits put into every own reference and the quantities (default: random), "
        "so SIs of earlier runs on a shared target never match this run's", show_default=False)] = None,
    reset: Annotated[bool, typer.Option("--reset", help="first return both targets to their seeded state (needs "
                                        "simulator control on both: our simulator), so whole-world enquiries such "
                                        "as balances start equal")] = False,
    contracts: Annotated[Path | None, typer.Option("--contracts", help="contracts folder (default: ours, or "
                                                   "$OCP_CONTRACTS); its diff.yaml says what may differ",
                                                   show_default=False)] = None,
    config: ConfigOption = None,
    request_timeout: Annotated[float | None, typer.Option(
        "--request-timeout", min=0.001, help="seconds each request may take, body included (default 30)",
        show_default=False)] = None,
) -> None:
    """Send the same deterministic requests (each Maintain SI workflow, the enquiries, seeded property cases) to
    two targets and report every divergence per catalogue function; exit 0 only if there is none."""
    from ocp_conformance.client import TargetUnreachable
    from ocp_conformance.diff import run_diff, write_diff_report
    from ocp_conformance.targets import TargetError

    if len(target) != 2:
        raise _fail(EXIT_USAGE, f"diff compares two targets; got {len(target)} --target", "give --target A --target B")
    if run_id is not None and not (run_id.isascii() and run_id.isalnum() and len(run_id) <= 12):
        raise _fail(EXIT_USAGE, f"--run-id {run_id!r}: expected 1-12 letters and digits")
    try:
        contract_set = load_contracts(contracts)
    except SourceError as exc:
        raise _fail(EXIT_USAGE, exc.render()) from None
    sides = [_target(spec, contract_set, config, request_timeout) for spec in target]
    chosen_run = run_id or secrets.token_hex(4)
    console.print(f"ocp-conformance diff: A = {target[0]}, B = {target[1]} (seed {seed}, {cases} cases, run id "
                  f"{chosen_run})", highlight=False, markup=False, soft_wrap=True)
    try:
        result = run_diff(sides[0], sides[1], contract_set, seed=seed, cases=cases, run_id=chosen_run,
                          reset=reset)
    except (TargetError, TargetUnreachable) as exc:
        raise _fail(EXIT_USAGE, str(exc)) from None
    except SourceError as exc:
        raise _fail(EXIT_USAGE, exc.render()) from None
    finally:
        for side in sides:
            side.close()
    json_path, md_path = write_diff_report(result, report)
    by_function = result.by_function()
    for name, found in by_function.items():
        console.print(f"  {result.shown(name)}: {len(found) or 'same'}", highlight=False, markup=False, soft_wrap=True)
    primary = len(result.primary)
    console.print(f"{'no divergence' if not primary else f'{primary} divergence(s)'} in "
                  f"{result.a.requests} + {result.b.requests} requests; reports: {json_path}, {md_path}",
                  highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_DIVERGES if primary else EXIT_SAME)
