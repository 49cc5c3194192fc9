"""Benchmark of ``bayesnet.engine``: batched exact inference over parameter draws.

For each network and query it times

* compiling the query shape with each path optimiser (``greedy``,
  ``random-greedy-128`` and the engine's default ``adaptive``);
* evaluating the query for all draws at once (median of ``--reps`` runs);
* the same query answered draw by draw with pgmpy's ``VariableElimination``
  and with pyAgrum's ``LazyPropagation`` (a model rebuilt per draw, as a real
  loop over draws must), on fewer draws, scaled up linearly to ``--draws``;
* peak memory of one evaluation (tracemalloc) and of the process (ru_maxrss);

the draw axis stored first versus last (same path), and, on one network, the
effect of the chunk size.

Run from the repository root::

    python benchmarks/bench_engine.py                      # asia, alarm, child, insurance
    python benchmarks/bench_engine.py --networks alarm --draws 4000 --json out.json

To add another network (e.g. the project's default model), register a function
``(n_draws, seed) -> Case`` in ``NETWORKS``; a ``Case`` is a ``Structure``, CPT
draws of shape ``(card, *parent_cards, n_draws)`` and a list of ``QuerySpec``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import opt_einsum as oe

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bayesnet import engine  # noqa: E402
from bayesnet.engine import Structure, compile_query  # noqa: E402
from bayesnet.engine import plan as _plan  # noqa: E402
from tests import public_networks as pn  # noqa: E402

OPTIMIZERS = ("greedy", "random-greedy-128", "adaptive")


@dataclass(frozen=True)
class QuerySpec:
    """One query: ``P(targets | evidence, do(do))`` with state indices."""

    label: str
    targets: tuple[str, ...]
    evidence: dict[str, int] = field(default_factory=dict)
    do: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """A network with its CPT draws and the queries to time on it."""

    name: str
    structure: Structure
    cpts: dict[str, np.ndarray]
    queries: list[QuerySpec]


def _leaves(structure: Structure) -> list[str]:
    has_child = {p for v in structure.variables for p in structure.parents_of(v)}
    return sorted(v for v in structure.variables if v not in has_child)


def public_case(name: str) -> Callable[[int, int], Case]:
    """Loader for one of pgmpy's bundled networks with Dirichlet-noised draws.

    Queries: the alphabetically first root given the first five leaves
    ("typical") and given every leaf ("all leaves"); evidence states are
    forward-sampled from draw 0 so they have non-zero probability.
    """

    def load(n_draws: int, seed: int) -> Case:
        structure, point = pn.load_network(name)
        rng = np.random.default_rng(seed)
        cpts = pn.dirichlet_draws(structure, point, n_draws, rng)
        state = pn.forward_sample(structure, cpts, 0, rng)
        root = sorted(v for v in structure.variables if not structure.parents_of(v))[0]
        leaves = [v for v in _leaves(structure) if v != root]
        queries = [
            QuerySpec("typical", (root,), {v: state[v] for v in leaves[:5]}),
            QuerySpec("all leaves", (root,), {v: state[v] for v in leaves}),
        ]
        return Case(name, structure, cpts, queries)

    return load


def default_model_case(n_draws: int, seed: int) -> Case:
    """The project's embedded default model with its own posterior CPT draws.

    Queries: P(collaborative_behaviour) in the buddying scenario ("typical": its five
    observed contexts) and P(faith) in the integrated care system scenario with
    do(quick_wins = present) ("scenario+do").
    """
    import bayesnet

    model = bayesnet.load()
    queries = []
    for label, target, kw in DEFAULT_QUERIES:
        q = bayesnet.question(model, target, **kw)
        queries.append(QuerySpec(label, (target,), dict(q.evidence), dict(q.do)))
    return Case("default", model.structure, model.cpt_draws(n_draws, seed), queries)


DEFAULT_QUERIES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("typical", "collaborative_behaviour", {"scenario": "buddying"}),
    ("scenario+do", "faith", {"scenario": "integrated_care_system", "do": {"quick_wins": "present"}}),
)
"""The default model's two benchmark queries: (label, target, situation)."""


NETWORKS: dict[str, Callable[[int, int], Case]] = {name: public_case(name) for name in pn.NETWORKS}
NETWORKS["default"] = default_model_case
DEFAULT_NETWORKS = ("default", "asia", "alarm", "child", "insurance")


def median_seconds(fn: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_compile(case: Case, q: QuerySpec, optimize: str) -> tuple[float, engine.CompiledQuery]:
    """Compile time in seconds (cache cleared first) and the compiled query."""
    _plan._cached.cache_clear()
    start = time.perf_counter()
    plan = compile_query(case.structure, q.targets, evidence=list(q.evidence), do=list(q.do), optimize=optimize)
    return time.perf_counter() - start, plan


def time_pgmpy(case: Case, q: QuerySpec, n: int) -> tuple[float, float]:
    """Seconds per draw for (building the pgmpy model, VariableElimination query)."""
    ve_cls = pn.import_pgmpy()["VariableElimination"]
    build = infer = 0.0
    for d in range(n):
        t0 = time.perf_counter()
        model = pn.pgmpy_model(case.structure, case.cpts, d)
        if q.do:
            model = model.do(list(q.do))
        t1 = time.perf_counter()
        ve_cls(model).query(list(q.targets), evidence={**q.evidence, **q.do}, joint=True, show_progress=False)
        t2 = time.perf_counter()
        build, infer = build + t1 - t0, infer + t2 - t1
    return build / n, infer / n


def time_pyagrum(case: Case, q: QuerySpec, n: int) -> tuple[float, float]:
    """Seconds per draw for (building the pyAgrum BN, LazyPropagation query)."""
    gum = pn.import_pyagrum()
    build = infer = 0.0
    for d in range(n):
        t0 = time.perf_counter()
        bn = pn.pyagrum_model(case.structure, case.cpts, d, do=tuple(q.do))
        t1 = time.perf_counter()
        ie = gum.LazyPropagation(bn)
        fixed = {**q.evidence, **q.do}
        if fixed:
            ie.setEvidence(fixed)
        for t in q.targets:
            ie.addTarget(t)
        ie.makeInference()
        for t in q.targets:
            ie.posterior(t)
        t2 = time.perf_counter()
        build, infer = build + t1 - t0, infer + t2 - t1
    return build / n, infer / n


def peak_memory(plan: engine.CompiledQuery, case: Case, q: QuerySpec, **kw: Any) -> float:
    """Peak traced allocation (bytes) of one evaluation."""
    tracemalloc.start()
    try:
        plan(case.cpts, evidence=q.evidence, do=q.do, validate=False, **kw)
        return float(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def bench_query(case: Case, q: QuerySpec, args: argparse.Namespace) -> dict[str, Any]:
    n_draws = next(iter(case.cpts.values())).shape[-1]
    row: dict[str, Any] = {"network": case.name, "query": q.label, "draws": n_draws}
    row["nodes"] = len(case.structure.variables)
    row["evidence"] = len(q.evidence)
    for opt in OPTIMIZERS:
        compile_s, plan = time_compile(case, q, opt)
        plan(case.cpts, evidence=q.evidence, do=q.do)  # warm-up
        row[f"compile_ms[{opt}]"] = 1e3 * compile_s
        row[f"eval_ms[{opt}]"] = 1e3 * median_seconds(
            lambda p=plan: p(case.cpts, evidence=q.evidence, do=q.do, validate=False), args.reps
        )
        row[f"flops_per_draw[{opt}]"] = plan.per_draw_flops
    plan = compile_query(case.structure, q.targets, evidence=list(q.evidence), do=list(q.do))
    row["factors"] = len(plan.factors)
    row["largest_intermediate_per_draw"] = plan.per_draw_intermediate
    row["chunk_size"] = plan.default_chunk_size
    row["eval_ms"] = row["eval_ms[adaptive]"]
    row["eval_validated_ms"] = 1e3 * median_seconds(lambda: plan(case.cpts, evidence=q.evidence, do=q.do), args.reps)
    row["peak_mb"] = peak_memory(plan, case, q) / 2**20
    build, infer = time_pgmpy(case, q, min(args.pgmpy_draws, n_draws))
    row["pgmpy_draws_timed"] = min(args.pgmpy_draws, n_draws)
    row["pgmpy_ms_scaled"] = 1e3 * (build + infer) * n_draws
    row["pgmpy_query_only_ms_scaled"] = 1e3 * infer * n_draws
    build, infer = time_pyagrum(case, q, min(args.pyagrum_draws, n_draws))
    row["pyagrum_draws_timed"] = min(args.pyagrum_draws, n_draws)
    row["pyagrum_ms_scaled"] = 1e3 * (build + infer) * n_draws
    row["pyagrum_query_only_ms_scaled"] = 1e3 * infer * n_draws
    row["speedup_vs_pgmpy"] = row["pgmpy_ms_scaled"] / row["eval_validated_ms"]
    row["speedup_vs_pyagrum"] = row["pyagrum_ms_scaled"] / row["eval_validated_ms"]
    return row


def bench_draw_axis(case: Case, q: QuerySpec, reps: int) -> dict[str, Any]:
    """Same path, operands stored draw-last (the engine) vs draw-first (contiguous copies)."""
    plan = compile_query(case.structure, q.targets, evidence=list(q.evidence), do=list(q.do), optimize="greedy")
    arrays, _ = plan._check_cpts(case.cpts, validate=False)
    views = plan.plan.operands(arrays, {**q.evidence, **q.do}, slice(None))
    last = [np.ascontiguousarray(a) for a in views]
    first = [np.ascontiguousarray(np.moveaxis(a, -1, 0)) for a in views]
    inputs, output = plan.equation.split("->")
    eq_first = ",".join(t[-1] + t[:-1] for t in inputs.split(",")) + "->" + output[-1] + output[:-1]
    expr_last = oe.contract_expression(plan.equation, *[a.shape for a in last], optimize=plan.path)
    expr_first = oe.contract_expression(eq_first, *[a.shape for a in first], optimize=plan.path)
    np.testing.assert_allclose(np.moveaxis(expr_last(*last), -1, 0), expr_first(*first), rtol=1e-12, atol=1e-300)
    t_last = median_seconds(lambda: expr_last(*last), reps)
    t_first = median_seconds(lambda: expr_first(*first), reps)
    return {
        "network": case.name,
        "query": q.label,
        "draw_last_ms": 1e3 * t_last,
        "draw_first_ms": 1e3 * t_first,
        "first_over_last": t_first / t_last,
    }


def bench_chunks(case: Case, q: QuerySpec, reps: int) -> list[dict[str, Any]]:
    """Evaluation time and traced peak memory against chunk size."""
    plan = compile_query(case.structure, q.targets, evidence=list(q.evidence), do=list(q.do))
    n_draws = next(iter(case.cpts.values())).shape[-1]
    rows = []
    sizes = {64, 256, 1024, n_draws, min(plan.default_chunk_size, n_draws)}
    for size in sorted(s for s in sizes if s <= n_draws):
        t = median_seconds(
            lambda s=size: plan(case.cpts, evidence=q.evidence, do=q.do, validate=False, chunk_size=s),
            reps,
        )
        peak = peak_memory(plan, case, q, chunk_size=size)
        rows.append(
            {
                "network": case.name,
                "query": q.label,
                "chunk_size": size,
                "default": size == min(plan.default_chunk_size, n_draws),
                "eval_ms": 1e3 * t,
                "peak_mb": peak / 2**20,
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]], columns: list[tuple[str, str, str]]) -> None:
    """Print ``rows`` with (key, header, format) columns."""
    cells = [[format(r[k], f) if f else str(r[k]) for k, _, f in columns] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, (_, h, _) in enumerate(columns)]
    print("  ".join(h.rjust(w) for (_, h, _), w in zip(columns, widths, strict=True)))
    for c in cells:
        print("  ".join(x.rjust(w) for x, w in zip(c, widths, strict=True)))


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return {
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "opt_einsum": oe.__version__,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=4000, help="parameter draws S (default 4000)")
    parser.add_argument(
        "--networks",
        default=",".join(DEFAULT_NETWORKS),
        help=f"comma-separated, from {', '.join(NETWORKS)} (default: %(default)s)",
    )
    parser.add_argument("--reps", type=int, default=7, help="repetitions per timing (median)")
    parser.add_argument("--pgmpy-draws", type=int, default=50, help="draws timed with pgmpy")
    parser.add_argument("--pyagrum-draws", type=int, default=200, help="draws timed with pyAgrum")
    parser.add_argument("--chunk-network", default="insurance", help="network for chunk timing")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write all results to this JSON file")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.networks.split(",") if n.strip()]
    unknown = [n for n in names if n not in NETWORKS]
    if unknown:
        parser.error(f"unknown networks {unknown}; choose from {', '.join(NETWORKS)}")

    info = machine()
    print(f"# bench_engine  {info}")
    print(
        f"# S = {args.draws} draws; pgmpy timed on {args.pgmpy_draws} draws and pyAgrum on "
        f"{args.pyagrum_draws}, both scaled linearly to S (model rebuilt per draw)."
    )
    cases = {n: NETWORKS[n](args.draws, args.seed) for n in names}
    rows = [bench_query(case, q, args) for case in cases.values() for q in case.queries]

    print("\n## Engine vs per-draw loops (times in ms for all S draws; engine validates CPTs)")
    print_table(
        rows,
        [
            ("network", "network", ""),
            ("query", "query", ""),
            ("nodes", "nodes", "d"),
            ("evidence", "evid", "d"),
            ("factors", "factors", "d"),
            ("compile_ms[adaptive]", "compile", ".1f"),
            ("eval_validated_ms", "engine", ".1f"),
            ("eval_ms", "engine(novalid)", ".1f"),
            ("peak_mb", "peakMB", ".1f"),
            ("pgmpy_ms_scaled", "pgmpy", ".0f"),
            ("speedup_vs_pgmpy", "x pgmpy", ".0f"),
            ("pyagrum_ms_scaled", "pyAgrum", ".0f"),
            ("speedup_vs_pyagrum", "x pyAgrum", ".0f"),
        ],
    )
    print("\n(pgmpy / pyAgrum query only, without rebuilding the model per draw, in ms for S)")
    print_table(
        rows,
        [
            ("network", "network", ""),
            ("query", "query", ""),
            ("pgmpy_query_only_ms_scaled", "pgmpy query", ".0f"),
            ("pyagrum_query_only_ms_scaled", "pyAgrum query", ".0f"),
        ],
    )

    print("\n## Path optimiser: compile and evaluate (ms, evaluation without CPT checks)")
    print_table(
        rows,
        [("network", "network", ""), ("query", "query", "")]
        + [
            col
            for opt in OPTIMIZERS
            for col in (
                (f"compile_ms[{opt}]", f"compile {opt}", ".1f"),
                (f"eval_ms[{opt}]", f"eval {opt}", ".1f"),
            )
        ],
    )

    axis_rows = [bench_draw_axis(case, q, args.reps) for case in cases.values() for q in case.queries]
    print("\n## Draw axis first vs last (same greedy path, contiguous operands, ms)")
    print_table(
        axis_rows,
        [
            ("network", "network", ""),
            ("query", "query", ""),
            ("draw_last_ms", "last", ".2f"),
            ("draw_first_ms", "first", ".2f"),
            ("first_over_last", "first/last", ".1f"),
        ],
    )
    chunk_rows = []
    if args.chunk_network in cases:
        case = cases[args.chunk_network]
        chunk_rows = bench_chunks(case, case.queries[-1], args.reps)
        print(f"\n## Chunk size on {case.name} / {case.queries[-1].label}")
        print_table(
            chunk_rows,
            [
                ("chunk_size", "chunk", "d"),
                ("default", "default", ""),
                ("eval_ms", "eval ms", ".1f"),
                ("peak_mb", "peak MB", ".1f"),
            ],
        )
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS {maxrss_mb:.0f} MB")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "queries": rows,
                    "draw_axis": axis_rows,
                    "chunks": chunk_rows,
                    "max_rss_mb": maxrss_mb,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
