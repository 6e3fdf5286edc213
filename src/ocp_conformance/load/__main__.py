"""``python -m ocp_conformance.load``: the load process ``ocp-conformance load`` starts (and each local worker).

gevent patches the standard library before anything imports ssl or sockets: that is why the load runs in a process
of its own rather than inside the CLI. Options are ``ocp-conformance load``'s (it has checked them already).
Exit codes: 0 every invariant and threshold passed, 1 one failed or part of the profile was not run (partial), 2 usage
or configuration, 3 harness error.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402  (after the patch, on purpose)
import os  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_HARNESS = 0, 1, 2, 3


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: expected HOST:PORT, e.g. 127.0.0.1:5557")
    return host, int(port)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ocp_conformance.load")
    parser.add_argument("--target", required=True)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--users", type=int)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--sample", type=float)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--expect-workers", type=int, default=0)
    parser.add_argument("--master-bind", type=_host_port)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--master", type=_host_port)
    parser.add_argument("--report", type=Path, default=Path("reports/load"))
    parser.add_argument("--contracts", type=Path)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--request-timeout", type=float, default=30.0)
    parser.add_argument("--rap-sftp")
    parser.add_argument("--rap-known-hosts", type=Path)
    return parser


def main(argv: list[str]) -> int:
    options = _parser().parse_args(argv)
    from ocp_conformance.contracts import SourceError
    from ocp_conformance.load.setup import load_target, resolve
    from ocp_conformance.targets import TargetError

    try:
        contracts, profile = resolve(options.profile, options.contracts)
        # a worker is one of --workers processes sharing a profile's rate limit
        share = max(1, options.workers) if options.worker else 1
        target = load_target(options.target, options.config, options.request_timeout, share=share,
                             rap_sftp=options.rap_sftp, rap_known_hosts=options.rap_known_hosts)
    except (SourceError, TargetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sample = options.sample if options.sample is not None else profile.sample
    from ocp_conformance.load import engine

    if options.worker:
        if options.master is None:
            print("error: --worker needs --master HOST:PORT", file=sys.stderr)
            return EXIT_USAGE
        engine.run_worker(profile, contracts, target, options.master, sample)
        # the master has our record; leave without waiting on the message socket's linger at interpreter exit
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_PASS)
    from ocp_conformance.load.report import write_report

    worker_command = [sys.executable, "-m", "ocp_conformance.load", "--worker", "--target", options.target,
                      "--profile", str(profile.path), "--request-timeout", str(options.request_timeout),
                      "--workers", str(options.workers + options.expect_workers)]
    for flag, value in (("--contracts", options.contracts), ("--config", options.config),
                        ("--rap-sftp", options.rap_sftp), ("--rap-known-hosts", options.rap_known_hosts)):
        if value is not None:
            worker_command += [flag, str(value)]
    settings = engine.LoadSettings(
        profile=profile, contracts=contracts, target=target, target_label=target.base_url,
        users=options.users or profile.users, duration=options.duration or profile.duration, sample=sample,
        workers=options.workers, expect_workers=options.expect_workers,
        master_bind=options.master_bind or ("127.0.0.1", 0), worker_command=worker_command)
    try:
        report = engine.run_load(settings, log=lambda line: print(line, flush=True))
    except engine.NothingToRun as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    written = write_report(report, options.report)
    print(summary(report))
    print("reports: " + ", ".join(str(p) for p in written))
    if report.harness_errors:
        print("\n".join(report.harness_errors), file=sys.stderr)
        print("harness error: a load user crashed; this is a bug in the harness, not your target", file=sys.stderr)
        return EXIT_HARNESS
    return EXIT_PASS if report.verdict == "pass" else EXIT_FAIL


def summary(report: "object") -> str:
    from ocp_conformance.load.report import LoadReport

    assert isinstance(report, LoadReport)
    lines = [f"{report.requests} requests in {report.duration_s:.1f} s: {report.throughput:.1f}/s; "
             f"{len(report.record.acknowledged)} instructions acknowledged; contract sample: "
             f"{sum(report.record.checked.values())} checked, {sum(report.record.violations.values())} violations"]
    lines += [f"  {f.function} ({f.role}): {f.requests} requests, {f.failures} failed, p50 {f.p50:.0f} ms, "
              f"p95 {f.p95:.0f} ms, p99 {f.p99:.0f} ms" for f in report.functions]
    lines += [f"  error {e['function']} ({e['role']}): {e['status']} {e['code']} x{e['count']}"
              + (" (expected)" if e["expected"] else "") for e in report.errors[:10]]
    lines += [f"{'PASS' if i.passed else 'FAIL'} invariant {i.name}: {i.detail}" for i in report.invariants]
    lines += [f"{'PASS' if t.passed else 'FAIL'} threshold {t.name}: {t.detail}" for t in report.thresholds]
    not_run = len(report.record.not_run)
    lines.append(f"load verdict: {report.verdict.upper()}"
                 + (f" ({not_run} part(s) of the profile not run, named above: not a pass)"
                    if report.verdict == "partial" else ""))
    return "\n".join(lines)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except SystemExit:
        raise
    except Exception:
        traceback.print_exc()
        print("harness error: the load run crashed; this is a bug in the harness, not your target", file=sys.stderr)
        sys.exit(EXIT_HARNESS)
