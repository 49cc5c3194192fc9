"""Load on the what-if explorer: concurrent planners clicking, and one asking for a report.

Run from the repository root (needs the web extra):

    .venv/bin/python benchmarks/bench_web.py [--clients 8] [--interactions 50] [--think 0] [--seed 1]

Starts ``bayesnet serve --port 0`` in its own process (the embedded model, the default 4,000
draws), waits for the address it prints, then runs ``--clients`` threads, each making
``--interactions`` interactions as the page does on a click: change the situation, then ask
``/api/answer`` (the new probability and the contrast), ``/api/analysis`` (levers and
tornado) and ``/api/web`` (the coloured causal web) at once. Each client walks from a preset
(ICS, buddying, merger or blank), at each step observing, setting or clearing one random
context, with its own seeded generator: mostly situations the server has not seen, so the
server's per-what-if cache helps little. ``--think`` seconds pass between a client's clicks
(0: none, a stress test). After every client has made a fifth of its interactions, one more
client asks for ``/api/report`` (10-30 s of work in the server's report thread).

Prints p50/p95/max latency per request kind and per whole interaction (until all three
answers are in), the errors, and the same figures for the interactions that overlapped the
report; exits 1 if any request failed. Bounded: every request has a 300 s timeout, every
loop a fixed count, and only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

PRESETS = ("integrated_care_system", "buddying", "merger", None)
KINDS = ("answer", "analysis", "web")


@dataclass
class Log:
    rows: list[tuple[str, float, float, bool]] = field(default_factory=list)  # kind, start, end, ok
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, start: float, end: float, ok: bool, error: str = "") -> None:
        with self.lock:
            self.rows.append((kind, start, end, ok))
            if error:
                self.errors.append(error)


def start_server() -> tuple[subprocess.Popen[str], str]:
    entry = "import sys; from bayesnet.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", entry, "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("bayesnet explorer: "):
        proc.kill()
        raise SystemExit(f"the server did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    url = line.split()[2]
    assert url.startswith("http://127.0.0.1:")
    return proc, url.rstrip("/")


def contexts(base: str) -> list[tuple[str, tuple[str, ...]]]:
    import httpx

    model = httpx.get(f"{base}/api/model", timeout=300).json()
    return [(n["id"], tuple(n["states"])) for n in model["nodes"] if n["kind"] == "context"]


def walk(client_id: int, base: str, nodes: list[tuple[str, tuple[str, ...]]], *, n: int, think: float, seed: int,
         log: Log, progress: list[int]) -> None:
    import httpx

    rng = np.random.default_rng([seed, client_id])
    preset = PRESETS[client_id % len(PRESETS)]
    given: dict[str, str] = {}
    do: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=300) as http, ThreadPoolExecutor(len(KINDS)) as pool:
        for step in range(n):
            node, states = nodes[int(rng.integers(len(nodes)))]
            given.pop(node, None)
            do.pop(node, None)
            how = int(rng.integers(3))  # 0: back to unknown, 1: observe, 2: set
            if how:
                (given if how == 1 else do)[node] = states[int(rng.integers(len(states)))]
            params = [("target", "collaborative_behaviour")]
            if preset:
                params.append(("preset", preset))
            params += [(f"given.{k}", v) for k, v in sorted(given.items())]
            params += [(f"do.{k}", v) for k, v in sorted(do.items())]

            def ask(kind: str, params: list[tuple[str, str]] = params) -> tuple[float, bool]:
                t0 = time.perf_counter()
                try:
                    r = http.get(f"/api/{kind}", params=params)
                    ok = r.status_code == 200
                    error = "" if ok else f"{kind} {r.status_code}: {r.text[:200]}"
                except Exception as err:  # every failure is counted and shown
                    ok, error = False, f"{kind}: {type(err).__name__}: {err}"
                log.add(kind, t0, time.perf_counter(), ok, error)
                return t0, ok

            t0 = time.perf_counter()
            done = list(pool.map(ask, KINDS))
            log.add("interaction", t0, time.perf_counter(), all(ok for _, ok in done))
            progress[client_id] = step + 1
            if think:
                time.sleep(think)


def summary(rows: list[tuple[str, float, float, bool]], kind: str) -> str:
    ms = np.array([(e - s) * 1000 for k, s, e, _ in rows if k == kind])
    if not len(ms):
        return f"{kind:<12} {'-':>6}"
    bad = sum(1 for k, _, _, ok in rows if k == kind and not ok)
    return (f"{kind:<12} {len(ms):>6} {np.percentile(ms, 50):>9.0f} {np.percentile(ms, 95):>9.0f} "
            f"{ms.max():>9.0f} {bad:>7}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--interactions", type=int, default=50)
    parser.add_argument("--think", type=float, default=0.0, help="seconds between a client's clicks")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-report", action="store_true", help="leave out the report client")
    args = parser.parse_args(argv)

    proc, base = start_server()
    try:
        nodes = contexts(base)
        log = Log()
        progress = [0] * args.clients
        report: dict[str, float] = {}

        def report_client() -> None:
            import httpx

            while min(progress) < max(1, args.interactions // 5):
                time.sleep(0.05)
            t0 = time.perf_counter()
            r = httpx.get(f"{base}/api/report", params={"preset": "integrated_care_system",
                                                        "do.quick_wins": "present"}, timeout=300)
            report.update(start=t0, end=time.perf_counter(), status=r.status_code, size=len(r.content))
            log.add("report", t0, report["end"], r.status_code == 200,
                    "" if r.status_code == 200 else f"report {r.status_code}: {r.text[:200]}")

        started = time.perf_counter()
        threads = [threading.Thread(target=walk, args=(i, base, nodes), kwargs={
            "n": args.interactions, "think": args.think, "seed": args.seed, "log": log, "progress": progress})
            for i in range(args.clients)]
        if not args.no_report:
            threads.append(threading.Thread(target=report_client))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()

    print(f"{args.clients} clients x {args.interactions} interactions, think {args.think:g} s, "
          f"{os.cpu_count()} cores, load average before the end {os.getloadavg()[0]:.1f}; wall {wall:.0f} s")
    head = f"{'request':<12} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'errors':>7}"
    print("\nAll requests")
    print(head)
    for kind in (*KINDS, "interaction", "report"):
        print(summary(log.rows, kind))
    if report:
        during = [r for r in log.rows if r[0] != "report" and r[1] < report["end"] and r[2] > report["start"]]
        print(f"\nWhile the report was written ({report['end'] - report['start']:.1f} s, status "
              f"{int(report['status'])}, {report['size'] / 1e3:.0f} kB zip)")
        print(head)
        for kind in (*KINDS, "interaction"):
            print(summary(during, kind))
    for error in log.errors[:10]:
        print("error:", error)
    print(f"\nerrors: {len(log.errors)}")
    return 1 if log.errors else 0


if __name__ == "__main__":
    sys.exit(main())
