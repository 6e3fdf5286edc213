"""The command line's target profiles: ``ocp-conformance targets check``, the checks ``run --target PROFILE``
makes before any test, the capability profile's guard on ``--only``, and ``simulate``'s TLS options.

Exit codes as :mod:`ocp_conformance.cli`: 2 for a configuration the run cannot use (bad profile, unreachable or
refusing target, a mandatory check deselected).
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from ocp_conformance.cli_errors import EXIT_USAGE, errors, fail
from ocp_conformance.contracts import ContractSet, SourceError, load_contracts

if TYPE_CHECKING:  # imported when used: the targets layer pulls in the simulator, too slow for `--help`
    from ocp_conformance.targets import Config, TargetCheck

__all__ = ["OUT_OF_SCOPE_VALUES", "ConfigOption", "check_profile_before_run", "check_url_before_run",
           "profile_fail_on", "profile_secrets", "targets_app", "tls_options"]

EXIT_OK = 0
DEFAULT_CONFIG = Path("ocp-conformance.toml")  # = targets.DEFAULT_CONFIG (tested), without importing targets
_PROBE_FUNCTION = "Enquire SI"  # read-only, authenticated, in every OCP contract: proves reach and credentials
OUT_OF_SCOPE_VALUES = ("rap",)  # = pytest_plugin.OUT_OF_SCOPE (tested), without importing the plugin

targets_app = typer.Typer(no_args_is_help=True, help="Target profiles of ocp-conformance.toml.")
console = Console()

ConfigOption = Annotated[Path | None, typer.Option(
    "--config", help="target profiles and [participant] capability profile (default: ./ocp-conformance.toml if it "
    "exists)", show_default=False)]


def config_path(option: Path | None) -> Path | None:
    """``--config``, else ``./ocp-conformance.toml`` if it exists, else ``None``."""
    return option if option is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)


def _load(path: Path) -> Config:
    from ocp_conformance.targets import load_config

    try:
        return load_config(path)
    except SourceError as exc:
        raise fail(f"{exc.location}: {exc.message}", exc.fix) from None


def _probe_path(contracts: ContractSet) -> str:
    operations = contracts.operations_of(_PROBE_FUNCTION)
    return operations[0].url_template if operations else "/"


def _print_warnings(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        errors.print(f"[bold red on yellow] WARNING [/] {escape(warning)}", highlight=False, soft_wrap=True)


def _check(config: Config, name: str, contracts: ContractSet) -> TargetCheck:
    from ocp_conformance.targets import TargetError, check_target, profile_target

    try:
        profile = config.target(name)
    except SourceError as exc:
        raise fail(f"{exc.location}: {exc.message}", exc.fix) from None
    try:
        target = profile_target(profile, probe_capabilities=False)
    except TargetError as exc:
        raise fail(str(exc)) from None
    try:
        return check_target(target, profile, _probe_path(contracts))
    finally:
        target.close()


@targets_app.command("check")
def targets_check(
    name: Annotated[str, typer.Argument(metavar="NAME", help="a [targets.NAME] profile", show_default=False)],
    config: ConfigOption = None,
    contracts: Annotated[Path | None, typer.Option("--contracts", help="contracts folder", show_default=False)
                         ] = None,
) -> None:
    """Reach the target as each participant of the profile and authenticate; explain any failure in one line with
    the fix. Exit 0 all good, 2 otherwise."""
    path = config_path(config) or DEFAULT_CONFIG
    try:
        contract_set = load_contracts(contracts)
    except SourceError as exc:
        raise fail(exc.render()) from None
    outcome = _check(_load(path), name, contract_set)
    _print_warnings(outcome.warnings)
    for check in outcome.checks:
        style = "green" if check.ok else "bold red"
        console.print(f"[{style}]{check.participant}[/]: {escape(check.line)}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_OK if outcome.ok else EXIT_USAGE)


def profile_fail_on(config: Path | None) -> tuple[str, ...] | None:
    """The ``[run] fail_on`` conditions of the profile, checked (exit 2 at ``file:line:column`` if one is not a
    condition); ``None`` when there is no profile or it sets none. ``run --fail-on`` overrides them."""
    from ocp_conformance.reporting import FailOnError, parse_fail_on

    path = config_path(config)
    run = _load(path).run if path is not None else None
    if run is None or not run.fail_on:
        return None
    try:
        parse_fail_on(run.fail_on, where=f"{run.fail_on_location}: fail_on value")
    except FailOnError as exc:
        raise fail(str(exc), "use mandatory, any or score<N (0-100) in [run] fail_on, or pass --fail-on") from None
    return run.fail_on


def profile_secrets(config: Path | None, target: str) -> dict[str, str]:
    """``label -> value`` of every secret the ``[targets.NAME]`` profile resolves (labels are safe to print);
    exit 2 if the profile is wrong or one of its secrets cannot be read (it could not be scanned for)."""
    from ocp_conformance.targets import TargetError, resolve_profile_secrets

    path = config_path(config) or DEFAULT_CONFIG
    try:
        return resolve_profile_secrets(_load(path).target(target))
    except SourceError as exc:
        raise fail(f"{exc.location}: {exc.message}", exc.fix) from None
    except TargetError as exc:
        raise fail(str(exc), "set it as for the run (the pack scans the report for its value), or drop --target"
                    ) from None


def check_profile_before_run(target: str, config: Path | None, only: list[str], contracts: ContractSet) -> list[str]:
    """Checks ``run`` makes before any test; the extra pytest options (``--ocp-config``). A profile target must
    answer and accept every participant's credentials (else exit 2, one line each); ``--only`` may not leave
    out a mandatory check of the ``[participant]`` capability profile."""
    path = config_path(config)
    is_profile = target != "simulator" and not target.startswith(("http://", "https://"))
    if path is None:
        if is_profile:
            raise fail(f"target {target!r} is neither 'simulator', a URL, nor a profile: there is no "
                        f"{DEFAULT_CONFIG} here", f"write [targets.{target}] in {DEFAULT_CONFIG} (see "
                        "docs/ocp-conformance.example.toml) or pass --config FILE")
        return []
    from ocp_conformance.targets import compile_plan

    loaded = _load(path)
    if is_profile:
        outcome = _check(loaded, target, contracts)
        _print_warnings(outcome.warnings)
        if not outcome.ok:
            for line in outcome.failures():
                errors.print(f"[bold red]error:[/] target {escape(target)}: {escape(line)}", highlight=False,
                             soft_wrap=True)
            raise typer.Exit(EXIT_USAGE)
    try:
        plan = compile_plan(contracts.catalogue, loaded.participant)
    except SourceError as exc:
        raise fail(f"{exc.location}: {exc.message}", exc.fix) from None
    refusal = plan.refusal(only, contracts.catalogue)
    if refusal is not None:
        raise fail(refusal, "drop --only (a run of the whole plan), or add those functions to --only")
    if loaded.participant is not None:
        counts = {level: len(plan.names(level)) for level in ("mandatory", "conditional", "not-applicable")}
        console.print(f"test plan from {path}: {counts['mandatory']} mandatory, {counts['conditional']} conditional, "
                      f"{counts['not-applicable']} not applicable (readiness.json test_plan says why)",
                      highlight=False, markup=False)
    return ["--ocp-config", str(path.resolve())]


def check_url_before_run(target: str, contracts: ContractSet, *, rap_channel: bool, out_of_scope: list[str],
                         timeout: float | None = None) -> None:
    """Before a run against a plain URL: two participants' tokens, a connection, credentials accepted (else exit 2,
    one line: an unreachable target is a configuration to fix, not a target that is not ready); and a note when
    the RAP checks will be skipped for want of a RAP channel. ``--out-of-scope`` values are checked for any target.
    """
    from ocp_conformance.contracts import did_you_mean

    for value in out_of_scope:
        if value not in OUT_OF_SCOPE_VALUES:
            raise fail(f"--out-of-scope {value!r} is not a part of the catalogue that can be declared out of scope."
                        + did_you_mean(value, list(OUT_OF_SCOPE_VALUES)), "use --out-of-scope rap (the RAP file "
                        "types), or a [participant] capability profile for a finer scope")
    if not target.startswith(("http://", "https://")):
        return
    from ocp_conformance.binding import credential_header, load_binding
    from ocp_conformance.targets import TargetError, check_url_target, url_target

    try:
        built = url_target(target, probe_capabilities=False,
                           credential_header=credential_header(contracts, load_binding(contracts)))
        built.acting_pair()
    except TargetError as exc:
        raise fail(str(exc)) from None
    outcome = check_url_target(built, _probe_path(contracts), **({"timeout": timeout} if timeout else {}))
    if not outcome.ok:
        for line in outcome.failures():
            errors.print(f"[bold red]error:[/] target {escape(target)}: {escape(line)}", highlight=False,
                         soft_wrap=True)
        raise typer.Exit(EXIT_USAGE)
    if not rap_channel and "rap" not in out_of_scope:
        console.print("RAP: no --rap-sftp, so the RAP file checks are skipped (partial, not ready); give --rap-sftp "
                      "HOST:PORT, or --out-of-scope rap to declare RAP out of scope (n/a)", highlight=False,
                      markup=False, soft_wrap=True)


def tls_options(cert: Path | None, key: Path | None, client_ca: Path | None) -> dict[str, Any]:
    """uvicorn's TLS settings for ``simulate``: HTTPS with ``cert``/``key``; with ``client_ca``, a client
    certificate signed by it is required (mutual TLS)."""
    if (cert is None) != (key is None):
        raise fail("--tls-cert and --tls-key go together", "give both (PEM files), or neither for plain HTTP")
    if client_ca is not None and cert is None:
        raise fail("--tls-client-ca needs --tls-cert and --tls-key", "mutual TLS runs over HTTPS: give all three")
    for option, path in (("--tls-cert", cert), ("--tls-key", key), ("--tls-client-ca", client_ca)):
        if path is not None and not path.is_file():
            raise fail(f"{option} {path}: no such file", "give a PEM file")
    if cert is None:
        return {}
    options: dict[str, Any] = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    if client_ca is not None:
        options |= {"ssl_ca_certs": str(client_ca), "ssl_cert_reqs": ssl.CERT_REQUIRED}
    return options
