"""Every figure of issue 14 in one run, written into ``benchmarks/README.md``'s target table.

Run from the repository root (about 10 minutes on a 2-core machine)::

    .venv/bin/python benchmarks/run_all.py            # measure, print, rewrite the table
    .venv/bin/python benchmarks/run_all.py --no-write # measure and print only

It measures, on the machine it runs on:

* the in-process 4,000-draw questions of ``benchmarks/bench_query.py`` (cached, cold, the
  memory-traffic floor, pgmpy's and pyAgrum's query time over the same draws, both weight
  models);
* whole commands, each in a fresh process (wall time, CPU time, peak RSS): ``bayesnet query
  collaborative_behaviour --scenario buddying``, ``bayesnet report --scenario
  integrated_care_system``, the README's ``bayesnet trajectory``, ``bayesnet --help``, and for
  scale a one-shot pgmpy script that reads the exported BIF and answers the query at one point;
* where the time of each command goes (a fresh process timing its stages) and the profile of
  ``benchmarks/bench_profile.py``, so a target that is missed comes with what explains it.

Timings are the median (and best) of ``--reps`` runs: the machine may be shared, and the
load average before and after is printed with the machine. The table in the README is
replaced between the lines ``<!-- run_all: begin -->`` and ``<!-- run_all: end -->``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

README = REPO / "benchmarks" / "README.md"
BEGIN, END = "<!-- run_all: begin -->", "<!-- run_all: end -->"
PYTHON = sys.executable
BAYESNET = str(Path(PYTHON).with_name("bayesnet"))
TIMELINE = "inference_examples/trajectories/voluntary_quick_wins.yaml"

TARGETS = {
    "cached_ms": 20.0, "cold_ms": 100.0, "x_pgmpy": 1000.0, "over_floor": 3.0,
    "query_s": 1.0, "query_mb": 300.0, "report_s": 4.0, "report_mb": 400.0, "trajectory_s": 2.0,
}
BEFORE = {  # the "now" column of issue 14, measured before this work
    "cached_ms": "41-54 ms", "cold_ms": "232-262 ms", "x_pgmpy": "~790x", "query": "1.8 s, 530 MB",
    "report": "5-7.8 s, 583 MB", "trajectory": "5 s",
}

PGMPY_ONE_SHOT = """
import sys, warnings
warnings.filterwarnings("ignore")
from pgmpy.readwrite import BIFReader
from pgmpy.inference import VariableElimination
model = BIFReader(sys.argv[1]).get_model()
evidence = dict(a.split("=") for a in sys.argv[2:])
print(VariableElimination(model).query(["collaborative_behaviour"], evidence=evidence, show_progress=False))
"""


# -- whole commands -----------------------------------------------------------------------------


LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
print(json.dumps({"status": status, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_mb": usage.ru_maxrss / 1024, "stderr": proc.stderr.read().decode()[-2000:]}))
"""
"""Runs a command and reports its own rusage. Linux counts a forked child's peak RSS from its
parent's at the fork, so the command is started by this small process, not by this benchmark
(which holds hundreds of MB of draws by then)."""


def run_command(argv: list[str], reps: int) -> dict[str, Any]:
    """Wall time, CPU time and peak RSS of ``argv`` in fresh processes (median and best)."""
    walls, cpus, rss = [], [], []
    for _ in range(reps):
        out = subprocess.run([PYTHON, "-c", LAUNCHER, *argv], cwd=REPO, check=True, capture_output=True, text=True)
        got = json.loads(out.stdout)
        if got["status"] != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {got['stderr']}")
        walls.append(got["wall"])
        cpus.append(got["cpu"])
        rss.append(got["rss_mb"])
    return {"command": " ".join(Path(a).name if a in (PYTHON, BAYESNET) else a for a in argv),
            "wall_s": statistics.median(walls), "wall_best_s": min(walls), "cpu_s": statistics.median(cpus),
            "rss_mb": max(rss)}


def commands(reps: int, tmp: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    out["help"] = run_command([BAYESNET, "--help"], reps)
    out["query"] = run_command([BAYESNET, "query", "collaborative_behaviour", "--scenario", "buddying"], reps)
    out["report"] = run_command([BAYESNET, "report", "--scenario", "integrated_care_system", "--out",
                                 str(tmp / "report"), "--quiet"], max(2, reps // 2))
    out["trajectory"] = run_command([BAYESNET, "trajectory", "--scenario", "buddying", "--timeline", TIMELINE,
                                     "--out", str(tmp / "trust.svg")], max(2, reps // 2))
    bif = tmp / "model.bif"
    subprocess.run([BAYESNET, "export", "--out", str(bif)], cwd=REPO, check=True, capture_output=True)
    script = tmp / "pgmpy_one_shot.py"
    script.write_text(PGMPY_ONE_SHOT, encoding="utf-8")
    import bayesnet

    given = [f"{k}={v}" for k, v in bayesnet.load().scenarios["buddying"].assignment.items()]
    out["pgmpy_one_shot"] = run_command([PYTHON, str(script), str(bif), *given], max(2, reps // 2))
    return out


# -- where the time goes (a fresh process each) -------------------------------------------------


def phases(kind: str) -> list[tuple[str, float, float]]:
    """(stage, wall s, CPU s) of one command's work, timed inside a fresh process."""
    marks: list[tuple[str, float, float]] = [("start", time.perf_counter(), time.process_time())]

    def mark(name: str) -> None:
        marks.append((name, time.perf_counter(), time.process_time()))

    import bayesnet

    if kind == "query":
        from bayesnet.cli import parser  # noqa: F401 - what the command imports
        from bayesnet.inference.queries import answer_query

        mark("imports")
        model = bayesnet.load()
        mark("load and validate the model files")
        q = bayesnet.question(model, "collaborative_behaviour", scenario="buddying")
        model.cpts  # noqa: B018
        mark("question, posterior-mean CPTs")
        post = bayesnet.posterior(model)
        post.parameters  # noqa: B018
        mark("draw 4,000 sets of parameters")
        result = answer_query(q, post)
        mark("plan, build the query's CPT slices, contract")
        repr(result)
        mark("headline, HDI, text")
    elif kind == "report":
        from bayesnet.report import writer

        mark("imports")
        model = bayesnet.load()
        mark("load and validate the model files")
        original = writer.Steps.__call__
        names = {"tornado": "question", "findings": "CPT draws, derivative pass (tornado)", "levers": "findings",
                 "evidence": "levers", "scenarios": "value of one more study", "studies": "scenario contrasts",
                 "pictures": "studies that carry the answer (each source left out)",
                 "writing": "pictures (matplotlib, Graphviz)", "done": "writing the files"}

        def step(self: Any, name: str) -> None:
            mark(names.get(name, name))
            original(self, name)

        writer.Steps.__call__ = step  # type: ignore[method-assign]
        with tempfile.TemporaryDirectory() as tmp:
            q = bayesnet.question(model, "collaborative_behaviour", scenario="integrated_care_system")
            writer.write_report(q, bayesnet.posterior(model), tmp, quiet=True)
    elif kind == "trajectory":
        from bayesnet.dynamics import trajectory_and_inertia
        from bayesnet.dynamics.trajectories import resolve_timeline

        mark("imports")
        model = bayesnet.load()
        timeline = bayesnet.read_timeline(REPO / TIMELINE)
        mark("load the model and the timeline")
        post = bayesnet.posterior(model, draws=1000)
        resolve_timeline(model, timeline, scenario="buddying", n_slices=None, persistence=None, per_slice=None,
                         carried=None)  # cached by the model: trajectory_and_inertia finds it
        mark("unroll five slices")
        traj, inertia = trajectory_and_inertia(model, timeline, post, scenario="buddying")
        mark("trajectory and inertia (plans, CPTs, 1,000 draws)")
        from bayesnet.report import write_trajectory_plot

        with tempfile.TemporaryDirectory() as tmp:
            write_trajectory_plot(traj, Path(tmp) / "trust.svg", inertia=inertia)
        mark("picture (matplotlib)")
    return [(name, t - marks[i][1], c - marks[i][2]) for i, (name, t, c) in enumerate(marks[1:])]


def phases_in_fresh_process(kind: str) -> list[tuple[str, float, float]]:
    out = subprocess.run([PYTHON, __file__, "--phases", kind], cwd=REPO, check=True, capture_output=True, text=True)
    return [tuple(x) for x in json.loads(out.stdout.splitlines()[-1])]  # type: ignore[misc]


# -- the table ----------------------------------------------------------------------------------


def machine_line(load_before: tuple[float, ...], load_after: tuple[float, ...]) -> str:
    from benchmarks.bench_engine import machine

    info = machine()
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for name in ("pgmpy", "pyagrum"):
        try:
            versions.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name} absent")
    return (f"{info['cpu']}, {info['nproc']} cores, Python {platform.python_version()}, numpy {info['numpy']}, "
            f"opt_einsum {info['opt_einsum']}, {', '.join(versions)}; {info['date']}; load average "
            f"{load_before[0]:.1f} before, {load_after[0]:.1f} after")


def verdict(value: float, target: float, *, higher: bool = False) -> str:
    ok = value >= target if higher else value <= target
    return "met" if ok else "not met"


def whole(c: dict[str, Any]) -> str:
    """A command's cell: median wall time (best; CPU), peak memory."""
    return f"{c['wall_s']:.2f} s ({c['wall_best_s']:.2f}; CPU {c['cpu_s']:.2f} s), {c['rss_mb']:.0f} MB"


def table(q: dict[str, Any], cmd: dict[str, dict[str, Any]]) -> list[str]:
    rows = ["| what | before (issue 14) | target | measured: median (best) | |", "|---|---|---|---|---|"]
    for r in q["queries"]:
        label = f"{r['target']} ({r['query']})"
        rows.append(f"| 4,000-draw query, CPT draws cached: {label} | {BEFORE['cached_ms']} | <= 20 ms | "
                    f"{r['cached_ms']:.1f} ms ({r['cached_best_ms']:.1f}) | "
                    f"{verdict(r['cached_ms'], TARGETS['cached_ms'])} |")
        rows.append(f"| 4,000-draw query, cold: {label} | {BEFORE['cold_ms']} | <= 100 ms | "
                    f"{r['cold_ms']:.1f} ms ({r['cold_best_ms']:.1f}) | {verdict(r['cold_ms'], TARGETS['cold_ms'])} |")
        rows.append(f"| against a pgmpy VariableElimination loop (query only): {label} | {BEFORE['x_pgmpy']} | "
                    f">= 1,000x | {r['x_pgmpy']:.0f}x (pyAgrum loop: {r['x_pyagrum']:.0f}x) | "
                    f"{verdict(r['x_pgmpy'], TARGETS['x_pgmpy'], higher=True)} |")
        rows.append(f"| cached time over the floor ({r['read_mb']:.0f} MB read / {q['bandwidth_gb_s']:.1f} GB/s = "
                    f"{r['floor_ms']:.1f} ms): {label} | | <= 3x | {r['cached_ms'] / r['floor_ms']:.1f}x "
                    f"({r['cached_over_floor']:.1f}x) | "
                    f"{verdict(r['cached_ms'] / r['floor_ms'], TARGETS['over_floor'])} |")
    c = cmd["query"]
    rows.append(f"| `{c['command']}`, whole process | {BEFORE['query']} | <= 1.0 s, <= 300 MB | "
                f"{whole(c)} | "
                f"{verdict(c['wall_s'], TARGETS['query_s'])}, {verdict(c['rss_mb'], TARGETS['query_mb'])} |")
    c = cmd["report"]
    rows.append(f"| `bayesnet report --scenario integrated_care_system` | {BEFORE['report']} | <= 4 s, <= 400 MB | "
                f"{whole(c)} | "
                f"{verdict(c['wall_s'], TARGETS['report_s'])}, {verdict(c['rss_mb'], TARGETS['report_mb'])} |")
    c = cmd["trajectory"]
    rows.append(f"| `bayesnet trajectory` (README example) | {BEFORE['trajectory']} | <= 2 s | "
                f"{whole(c)} | "
                f"{verdict(c['wall_s'], TARGETS['trajectory_s'])} |")
    c = cmd["pgmpy_one_shot"]
    rows.append(f"| for scale: pgmpy reads the exported BIF, answers at one point | 3.0 s, 378 MB | | "
                f"{whole(c)} | |")
    c = cmd["help"]
    rows.append(f"| `bayesnet --help` | | | {c['wall_s']:.2f} s ({c['wall_best_s']:.2f}), {c['rss_mb']:.0f} MB | |")
    w = {r["weight_model"]: r for r in q["weight_models"]}
    new, old = w["direction_and_strength"], w["signed_reliability"]
    rows.append(f"| weight models, buddying query cached / cold / parameter draws: direction_and_strength (new) "
                f"vs signed_reliability (old) | | new no slower | {new['cached_ms']:.1f} / {new['cold_ms']:.1f} / "
                f"{new['draw_ms']:.1f} ms vs {old['cached_ms']:.1f} / {old['cold_ms']:.1f} / {old['draw_ms']:.1f} ms "
                f"| {'met' if new['cached_ms'] <= 1.1 * old['cached_ms'] else 'not met'} (cached, within 10 %) |")
    return rows


def phase_lines(name: str, stages: list[tuple[str, float, float]]) -> list[str]:
    total_w = sum(s[1] for s in stages)
    total_c = sum(s[2] for s in stages)
    lines = [f"{name}: {total_w:.2f} s wall, {total_c:.2f} s CPU in process"]
    lines += [f"    {stage:<48} {w:6.2f} s wall  {c:6.2f} s CPU" for stage, w, c in stages]
    return lines


def write_readme(block: list[str]) -> None:
    text = README.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{README} has no {BEGIN} ... {END} block to replace")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(head + BEGIN + "\n" + "\n".join(block) + "\n" + END + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=7, help="repetitions of each timing (commands: about half)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave benchmarks/README.md alone")
    parser.add_argument("--phases", choices=("query", "report", "trajectory"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phases:  # the fresh process of phases_in_fresh_process
        print(json.dumps(phases(args.phases)))
        return 0

    from benchmarks import bench_query

    load_before = os.getloadavg()
    qargs = bench_query.parser().parse_args(["--reps", str(2 * args.reps + 1)])
    q = bench_query.run(qargs)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = commands(args.reps, Path(tmp))
    stages = {kind: phases_in_fresh_process(kind) for kind in ("query", "report", "trajectory")}
    profile = subprocess.run([PYTHON, str(REPO / "benchmarks" / "bench_profile.py")], cwd=REPO, check=True,
                             capture_output=True, text=True).stdout.rstrip().splitlines()
    load_after = os.getloadavg()

    block = [f"Measured by `.venv/bin/python benchmarks/run_all.py` on {machine_line(load_before, load_after)}.",
             "", *table(q, cmd), "", "Where the time goes (one fresh process each, stages in order):", "", "```"]
    for kind, label in (("query", "bayesnet query collaborative_behaviour --scenario buddying"),
                        ("report", "bayesnet report --scenario integrated_care_system"),
                        ("trajectory", "bayesnet trajectory (README example)")):
        block += phase_lines(label, stages[kind])
    block += ["```", "", "The profile behind them (`.venv/bin/python benchmarks/bench_profile.py`, CPU time in one "
              "process):", "", "```", *profile, "```"]
    print("\n".join(block))
    print("\n# bench_query rows")
    bench_query.print_rows(q["queries"])
    bench_query.print_rows(q["weight_models"])
    if not args.no_write:
        write_readme(block)
        print(f"\n# wrote the table into {README.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
