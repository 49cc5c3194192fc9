"""Time-sliced model: the batched engine on the unrolled network vs pgmpy.

It times, on the embedded default model (5 slices, the buddying scenario with a quick win
in slice 2, P(trust, faith, collaborative behaviour high) in every slice):

* ``bayesnet.dynamics.trajectory`` with the posterior-mean parameters only, cold (compiling
  every query) and warm (compiled queries and CPTs cached), and with S posterior draws
  (a new seed per repetition, so no CPT cache helps; CPTs are built in chunks);
* pgmpy ``VariableElimination`` on the same unrolled network (posterior-mean CPTs, one
  query per node and slice), and that loop scaled to S draws, counting the ~ms of rebuilding
  the network's CPDs per draw;
* pgmpy ``DBNInference`` on the equivalent two-slice ``DynamicBayesianNetwork`` (static
  nodes copied forward with identity CPDs, as pgmpy's template needs every node in both
  slices); it is tried under a memory limit and its failure is reported as measured.

Run from the repository root::

    python benchmarks/bench_dynamics.py [--draws 4000] [--reps 3]
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

import bayesnet  # noqa: E402
from bayesnet import dynamics  # noqa: E402
from bayesnet.dynamics.unrolled import unrolled_cpts  # noqa: E402
from benchmarks.bench_engine import machine  # noqa: E402

TIMELINE = [{"slice": 2, "do": {"quick_wins": "present"}}]
SCENARIO = "buddying"


def _time(fn: Any, reps: int) -> float:
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return median(out)


def _split(name: str) -> tuple[str, int]:
    node, t = name.split("@")
    return node, int(t) - 1


def pgmpy_dbn(model: bayesnet.Model) -> str:
    """Build the two-slice pgmpy DBN and try DBNInference; say what happened."""
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import DBNInference
    from pgmpy.models import DynamicBayesianNetwork

    net = dynamics.unroll(model, 2)
    cpts = unrolled_cpts(model, net)
    static = set(net.static)

    def dbn_name(parent: str, child: str) -> tuple[str, int]:
        p, c = _split(parent), _split(child)
        return (p[0], 1) if c[1] == 1 and p[1] == 0 and p[0] in static else p

    dbn = DynamicBayesianNetwork()
    edges = [(dbn_name(p, v), _split(v)) for v in net.spec.order for p in net.spec.parents[v]]
    edges += [((s, 0), (s, 1)) for s in net.static]
    dbn.add_edges_from(edges)
    cpds = []
    for v in net.spec.order:
        ours = [dbn_name(p, v) for p in net.spec.parents[v]]
        theirs = sorted(dbn.get_parents(_split(v)), key=str)
        arr = np.transpose(cpts[v][..., 0], [0] + [1 + ours.index(q) for q in theirs])
        cpds.append(
            TabularCPD(
                _split(v),
                arr.shape[0],
                arr.reshape(arr.shape[0], -1),
                evidence=theirs or None,
                evidence_card=list(arr.shape[1:]) or None,
            )
        )
    for s in net.static:
        k = net.spec.card(f"{s}@1")
        theirs = sorted(dbn.get_parents((s, 1)), key=str)
        cards = [net.spec.card(f"{q[0]}@1") for q in theirs]
        grid = np.indices(cards).reshape(len(cards), -1)[theirs.index((s, 0))]
        cpds.append(TabularCPD((s, 1), k, np.eye(k)[:, grid], evidence=theirs, evidence_card=cards))
    dbn.add_cpds(*cpds)
    interface = len(dbn.get_interface_nodes(0))
    t0 = time.perf_counter()
    try:
        inference = DBNInference(dbn)
        inference.forward_inference([("faith", 4)], evidence={("mandated", 0): 0})
    except (MemoryError, ValueError) as err:
        return (
            f"{interface} interface nodes; DBNInference failed after {time.perf_counter() - t0:.1f} s: "
            f"{type(err).__name__}: {str(err)[:120]}"
        )
    return f"{interface} interface nodes; DBNInference answered P(faith@5) in {time.perf_counter() - t0:.1f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=4000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--pgmpy-draws", type=int, default=5)
    parser.add_argument("--skip-dbn", action="store_true",
                        help="leave out pgmpy's DBNInference (about a minute to fail, up to 8 GB)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # pgmpy logs a warning per replaced CPD

    model = bayesnet.load()
    print(f"# bench_dynamics  {machine()}")
    net = dynamics.unroll(model, 5)
    print(
        f"# unrolled: {len(net.spec.order)} nodes, {len(net.static)} static, {len(net.dynamic)} per slice, "
        f"carried {net.persistent}"
    )

    def run(draws: int | None, seed: int = 1) -> dynamics.Trajectory:
        post = None if draws is None else bayesnet.posterior(model, draws=draws, seed=seed)
        return dynamics.trajectory(model, TIMELINE, post, scenario=SCENARIO)

    t0 = time.perf_counter()
    run(None)
    cold = time.perf_counter() - t0
    warm = _time(lambda: run(None), args.reps)
    seeds = iter(range(100, 100 + args.reps))
    drawn = _time(lambda: run(args.draws, next(seeds)), args.reps)
    print(f"engine, posterior mean: cold {cold:.2f} s (compiling 5 queries), warm {1e3 * warm:.1f} ms")
    print(f"engine, {args.draws} draws: {drawn:.2f} s (median of {args.reps}, new seed each)")

    from pgmpy.inference import VariableElimination

    from bayesnet.build.network import to_pgmpy

    cpts = unrolled_cpts(model, net)
    evidence = {f"{k}@1": v for k, v in model.scenarios[SCENARIO].assignment.items()}
    targets = [f"{n}@{t}" for t in range(1, 6) for n in dynamics.DEFAULT_NODES]

    def pgmpy_once() -> None:
        network = to_pgmpy(net.spec, cpts)
        ve = VariableElimination(network)
        for x in targets:  # quick_wins@2 is a root: do equals observe
            ve.query([x], evidence={**evidence, "quick_wins@2": "present"}, show_progress=False)

    per = _time(pgmpy_once, args.pgmpy_draws)
    print(
        f"pgmpy VariableElimination, posterior mean: {per:.2f} s (15 queries, network rebuilt); "
        f"scaled to {args.draws} draws: {per * args.draws / 60:.0f} min "
        f"({per * args.draws / drawn:.0f} x the engine)"
    )
    if args.skip_dbn:
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (8 * 2**30, hard))
    try:
        print(f"pgmpy DBNInference (2-slice template): {pgmpy_dbn(model)}")
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    return 0


if __name__ == "__main__":
    sys.exit(main())
