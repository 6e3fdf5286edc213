"""The load harness's cost per request, against plain Locust on the same served simulator, in the same run.

Run ``.venv/bin/python benchmarks/bench_load_overhead.py [SECONDS]`` (default 8 s per round). It serves the
simulator on loopback, then alternates two Locust runs of the same traffic (half Input SI, half Enquire SI by id of
an SI the user created), the same users and no think time, ``ROUNDS`` times each:

* **harness**: the users ``ocp-conformance load`` runs (:class:`~ocp_conformance.load.traffic.UserTraffic`:
  requests built through the binding, 5 % of responses and requests checked against the contract, acknowledged
  instructions recorded for the invariants);
* **plain**: Locust's own ``HttpUser`` (requests), bodies prepared once per user through the binding and only the
  quantity and reference replaced per request: the least a load test can do.

It prints requests/s and the load process's CPU time per request for each, and the ratios; the verdict (exit 1
above 1.3) is on the time per request, plain's throughput over the harness's: how much the harness slows the load
it generates. Then it measures the served simulator alone with plain Locust: requests/s of Input SI and of Enquire
SI by id. The simulator is one process with its state in memory, so it is not served by several uvicorn workers.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402  (after the patch, on purpose: Locust runs on gevent)
import random  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

_ROOT = Path(__file__).resolve().parent.parent
for _path in (_ROOT / "src", _ROOT):
    if _path.is_dir() and str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

try:
    import gevent
    import httpx
    from locust import HttpUser, User, constant, task
    from locust.env import Environment

    from ocp_conformance.binding import load_binding, place_pointer
    from ocp_conformance.bound_client import BoundClient
    from ocp_conformance.client import OcpClient
    from ocp_conformance.contracts import load_contracts
    from ocp_conformance.load.generators import DrawContext, ReferenceSource
    from ocp_conformance.load.profile import MixEntry, OnTracked, find_profile, load_profile
    from ocp_conformance.load.record import RunRecord
    from ocp_conformance.load.traffic import Outcome, UserTraffic, own_connection
    from ocp_conformance.targets.url_target import url_target
except ModuleNotFoundError as _missing:
    from benchmarks._environment import missing_package

    missing_package(__file__, _missing)

USERS = 8
ROUNDS = 2
LIMIT = 1.3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _served() -> Iterator[tuple[str, dict[str, str], int]]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "ocp_conformance", "simulate", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/_sim/clock", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the simulator did not start")
            time.sleep(0.2)
        assert process.stdout is not None
        banner = ""
        while (line := process.stdout.readline()) and not line.lstrip().startswith("└"):
            banner += line
        gevent.spawn(lambda: [None for _ in process.stdout or ()])
        yield base, dict(re.findall(r"\b([A-Z][0-9]{5})\b.*?(sim_[A-Z][0-9]{5}_[0-9a-f]+)", banner)), process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(user_class: type[User], seconds: float, server_pid: int) -> dict[str, float]:
    environment = Environment(user_classes=[user_class], host=user_class.host)
    runner = environment.create_local_runner()
    runner.start(USERS, spawn_rate=USERS)
    gevent.sleep(1.5)  # every user started (its setup done), connections open
    environment.stats.reset_all()
    cpu, server, started = time.process_time(), _cpu_seconds(server_pid), time.monotonic()
    gevent.sleep(seconds)
    total = environment.stats.total
    requests, failures = total.num_requests, total.num_failures
    elapsed = time.monotonic() - started
    cpu, server = time.process_time() - cpu, _cpu_seconds(server_pid) - server
    runner.quit()
    return {"rps": requests / elapsed, "cpu_ms": 1000 * cpu / max(requests, 1),
            "server_ms": 1000 * server / max(requests, 1), "requests": requests, "failures": failures}


def _harness_user(base: str, tokens: dict[str, str]) -> type[User]:
    contracts = load_contracts()
    target = url_target(base, tokens=tokens)
    client = OcpClient(target, contracts, strict=False)
    sampler = random.Random(7)
    client.sample = lambda: sampler.random() < 0.05
    bound = BoundClient(client, load_binding(contracts))
    profile = load_profile(find_profile("peak-day"))
    create = MixEntry(function="Input SI", role="create", weight=1, values=profile.mix[0].values)
    enquire = MixEntry(function="Enquire SI", role="get", weight=1, on=OnTracked(created_by="Input SI"))
    participants = sorted(tokens)[:2]
    references = ReferenceSource("BH", 0)
    dates = client.business_dates()
    record = RunRecord()

    class HarnessUser(User):
        host = base
        wait_time = constant(0)
        count = 0

        def on_start(self) -> None:
            HarnessUser.count += 1
            context = DrawContext(participant=participants[HarnessUser.count % 2], participants=participants,
                                  business_dates=dates, references=references)
            self.traffic = UserTraffic(profile, own_connection(bound), context, record, self._emit)
            self.traffic.run(create)

        def _emit(self, outcome: Outcome) -> None:
            self.environment.events.request.fire(request_type=outcome.role, name=outcome.function,
                                                 response_time=outcome.ms, response_length=outcome.length,
                                                 exception=outcome.error, context={})

        @task
        def step(self) -> None:
            self.traffic.run(create if random.random() < 0.5 else enquire)

    return HarnessUser


def _plain_user(base: str, tokens: dict[str, str], mix: Callable[[], bool]) -> type[HttpUser]:
    """Plain Locust: a body prepared once through the binding, quantity and reference replaced per request."""
    contracts = load_contracts()
    bound = BoundClient(OcpClient(url_target(base, tokens=tokens), contracts, strict=False),
                        load_binding(contracts))
    binding = bound.binding
    participants = sorted(tokens)[:2]
    today = bound.client.business_dates()[0].isoformat()
    create_path = bound.operation("Input SI", "create").url_template
    get_template = bound.operation("Enquire SI", "get").url_template
    id_pointer, quantity_pointer = binding.pointer("Input SI", "si_id"), binding.pointer("Input SI", "quantity")
    reference_pointer, id_parameter = (binding.pointer("Input SI", "own_reference"),
                                       binding.parameter("Enquire SI", "si_id"))
    counter = iter(range(10**9))

    class PlainUser(HttpUser):
        host = base
        wait_time = constant(0)
        count = 0

        def on_start(self) -> None:
            PlainUser.count += 1
            me = participants[PlainUser.count % 2]
            other = participants[(PlainUser.count + 1) % 2]
            self.headers = {"Authorization": f"Bearer {tokens[me]}"}
            _, self.body = bound.request("Input SI", "create", {
                "side": "DELIVER", "counterparty": other, "stock_code": "00005", "quantity": 100,
                "settlement_date": today, "payment_type": "FOP", "own_reference": "x"})
            self.ids: list[str] = []
            self.create()

        def create(self) -> None:
            body = dict(self.body)
            place_pointer(body, quantity_pointer, 100 * random.randint(1, 500))
            place_pointer(body, reference_pointer, f"BP-{next(counter):x}")
            headers = {**self.headers, "Idempotency-Key": os.urandom(8).hex()}
            with self.client.post(create_path, json=body, headers=headers, name="Input SI",
                                  catch_response=True) as answer:
                if answer.status_code == 201:
                    self.ids.append(str(answer.json()[id_pointer.lstrip("/")]))
                    answer.success()
                else:
                    answer.failure(f"HTTP {answer.status_code}")

        @task
        def step(self) -> None:
            if mix() or not self.ids:
                self.create()
            else:
                url = get_template.format(**{id_parameter: random.choice(self.ids[-200:])})
                self.client.get(url, headers=self.headers, name="Enquire SI")

    return PlainUser


def main(argv: list[str]) -> int:
    seconds = float(argv[0]) if argv else 8.0
    with _served() as (base, tokens, pid):
        harness = _harness_user(base, tokens)
        plain = _plain_user(base, tokens, lambda: random.random() < 0.5)
        results: dict[str, list[dict[str, float]]] = {"harness": [], "plain": []}
        for round_number in range(ROUNDS):
            for name, user in (("harness", harness), ("plain", plain)):
                measured = _measure(user, seconds, pid)
                results[name].append(measured)
                print(f"round {round_number + 1} {name:8}: {measured['rps']:7.1f} requests/s, "
                      f"load process {measured['cpu_ms']:.2f} ms CPU/request, simulator "
                      f"{measured['server_ms']:.2f} ms CPU/request, {int(measured['requests'])} requests, "
                      f"{int(measured['failures'])} failed", flush=True)
        best = {name: max(rows, key=lambda r: r["rps"]) for name, rows in results.items()}
        ratio = best["plain"]["rps"] / best["harness"]["rps"]
        cpu_ratio = best["harness"]["cpu_ms"] / best["plain"]["cpu_ms"]
        print(f"time per request, harness / plain (best rounds): {ratio:.2f} (limit {LIMIT})")
        print(f"load process CPU per request, harness / plain: {cpu_ratio:.2f} (not a verdict: the simulator, on the "
              "same cores, is most of each request's time)")
        print("served simulator alone (plain Locust, "
              f"{USERS} users, no think time, {seconds:.0f} s each):")
        for label, share in (("Input SI", 1.0), ("Enquire SI by id", 0.0)):
            measured = _measure(_plain_user(base, tokens, lambda share=share: random.random() < share), seconds, pid)
            print(f"  {label:17}: {measured['rps']:7.1f} requests/s, simulator {measured['server_ms']:.2f} ms "
                  f"CPU/request, {int(measured['failures'])} failed", flush=True)
    verdict = "OK" if ratio <= LIMIT else "TOO SLOW"
    print(f"verdict on the time per request: {ratio:.2f} (limit {LIMIT}) {verdict}")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
