"""A 4,000-draw query on the embedded default model, in process: cached, cold, against pgmpy
and pyAgrum, and against the memory-traffic floor.

It times, in one run on one machine:

* a **cached** query: the CPT draws exist (as in a sweep of queries); the answer is the whole
  result a user sees: the posterior-mean network's answer, every draw's answer, the headline
  (the mean over draws) and the highest-density interval;
* a **cold** query: the same with a new seed each repetition: drawing every parameter and
  building the CPT slices the question reads (``Posterior.tables``), nothing cached;
* the same question answered draw by draw by pgmpy's ``VariableElimination`` and pyAgrum's
  ``LazyPropagation`` over the same CPT draws, on fewer draws scaled linearly to S, their
  query time alone (the model rebuilt per draw outside the timing);
* the **floor**: the bytes of the CPT entries the answer depends on (each table the query reads,
  at the situation's fixed parent states) over this machine's measured copy bandwidth;
* both weight models of ``priors/settings.yaml`` (``direction_and_strength``, the default, and
  ``signed_reliability``, the first release's), cached and cold.

Timings are the median and the best of ``--reps`` repetitions (the machine may be shared).

Run from the repository root::

    .venv/bin/python benchmarks/bench_query.py [--draws 4000] [--reps 15]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import bayesnet  # noqa: E402
from bayesnet import engine  # noqa: E402
from bayesnet.inference.queries import answer_query  # noqa: E402
from benchmarks.bench_engine import DEFAULT_QUERIES, Case, QuerySpec, machine, time_pgmpy, time_pyagrum  # noqa: E402

WEIGHT_MODELS = ("direction_and_strength", "signed_reliability")


def timings(fn: Callable[[], object], reps: int) -> tuple[float, float]:
    """(median, best) wall time of ``fn`` in ms over ``reps`` calls."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(times), min(times)


def copy_bandwidth(n_bytes: int = 256 * 2**20, reps: int = 9) -> float:
    """Bytes per second ``numpy.copyto`` copies between two existing arrays (best of ``reps``)."""
    src = np.ones(n_bytes // 8)
    dst = np.empty_like(src)
    best = min(timings(lambda: np.copyto(dst, src), reps))
    return n_bytes / (best / 1e3)


def bytes_read(model: bayesnet.Model, q: bayesnet.Question, n_draws: int) -> int:
    """Bytes of float64 CPT entries the answer to ``q`` depends on: every table the query reads
    (after barren-node pruning and graph surgery), at the situation's fixed parent states."""
    plan = engine.plan_contraction(model.structure, [q.target], evidence=list(q.evidence), do=list(q.do))
    total = 0
    for v, free in zip(plan.factors, plan.free_axes, strict=True):
        shape = model.structure.cpt_shape(v, n_draws)
        total += int(np.prod([shape[i] for i in free])) * n_draws * 8
    return total


def answer(q: bayesnet.Question, post: bayesnet.Posterior) -> Any:
    """What a user gets: the result with its headline and interval computed."""
    result = answer_query(q, post)
    result.distribution  # noqa: B018
    result.interval  # noqa: B018
    return result


def bench_question(model: bayesnet.Model, label: str, target: str, situation: dict[str, Any],
                   args: argparse.Namespace) -> dict[str, Any]:
    q = bayesnet.question(model, target, **situation)
    row: dict[str, Any] = {"query": label, "target": target, "draws": args.draws,
                           **cached_and_cold(model, q, args)}
    row["read_mb"] = bytes_read(model, q, args.draws) / 1e6
    row["floor_ms"] = 1e3 * row["read_mb"] * 1e6 / args.bandwidth
    row["cached_over_floor"] = row["cached_best_ms"] / row["floor_ms"]
    row["cold_over_floor"] = row["cold_best_ms"] / row["floor_ms"]

    n_ref = max(args.pgmpy_draws, args.pyagrum_draws)
    case = Case("default", model.structure, dict(model.cpt_draws(n_ref, 0)),
                [QuerySpec(label, (target,), dict(q.evidence), dict(q.do))])
    _, infer = time_pgmpy(case, case.queries[0], args.pgmpy_draws)
    row["pgmpy_ms"] = 1e3 * infer * args.draws
    _, infer = time_pyagrum(case, case.queries[0], args.pyagrum_draws)
    row["pyagrum_ms"] = 1e3 * infer * args.draws
    row["x_pgmpy"] = row["pgmpy_ms"] / row["cached_ms"]
    row["x_pyagrum"] = row["pyagrum_ms"] / row["cached_ms"]
    model._draws.clear()
    return row


def bench_weight_models(model: bayesnet.Model, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The first benchmark question under each weight model, built in the same run."""
    label, target, situation = DEFAULT_QUERIES[0]
    rows = []
    for name in WEIGHT_MODELS:
        other = dataclasses.replace(model, settings=dataclasses.replace(model.settings, weight_model=name))
        row = cached_and_cold(other, bayesnet.question(other, target, **situation), args)
        seeds = iter(range(1, 1_000_000))
        row["draw_ms"] = timings(lambda other=other, seeds=seeds: other.priors.draw(args.draws, next(seeds)),
                                 args.reps)[0]
        rows.append({"weight_model": name, "query": label, **row})
    return rows


def cached_and_cold(model: bayesnet.Model, q: bayesnet.Question, args: argparse.Namespace) -> dict[str, float]:
    """Median and best times of the whole answer, the model holding the CPT draws (cached) and
    with a new seed each time (cold); the plan is compiled first."""
    post = bayesnet.posterior(model, draws=args.draws, seed=0)
    post.cpts  # noqa: B018 - the model holds the CPT draws: "cached"
    answer(q, post)  # warm-up: compile the plan
    seeds = iter(range(1, 1_000_000))

    def cold() -> None:
        answer(q, bayesnet.posterior(model, draws=args.draws, seed=next(seeds)))

    cold()  # warm-up of the cold path
    cached = timings(lambda: answer(q, post), args.reps)
    cold_t = timings(cold, args.reps)
    model._draws.clear()
    return {"cached_ms": cached[0], "cached_best_ms": cached[1], "cold_ms": cold_t[0], "cold_best_ms": cold_t[1]}


def run(args: argparse.Namespace) -> dict[str, Any]:
    args.bandwidth = copy_bandwidth()
    model = bayesnet.load()
    rows = [bench_question(model, label, target, situation, args) for label, target, situation in DEFAULT_QUERIES]
    return {"machine": machine(), "bandwidth_gb_s": args.bandwidth / 1e9, "queries": rows,
            "weight_models": bench_weight_models(model, args)}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--draws", type=int, default=4000)
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--pgmpy-draws", type=int, default=40)
    p.add_argument("--pyagrum-draws", type=int, default=200)
    return p


def print_rows(rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    print("  ".join(f"{c:>16}" for c in columns))
    for row in rows:
        print("  ".join(f"{row[c]:>16.1f}" if isinstance(row[c], float) else f"{row[c]:>16}" for c in columns))


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out = run(args)
    print(f"# bench_query  {out['machine']}")
    print(f"# copy bandwidth {out['bandwidth_gb_s']:.1f} GB/s; S = {args.draws}; median and best of {args.reps}; "
          f"pgmpy on {args.pgmpy_draws} draws and pyAgrum on {args.pyagrum_draws}, scaled linearly to S")
    print_rows(out["queries"])
    print()
    print_rows(out["weight_models"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
