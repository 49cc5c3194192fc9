"""End-to-end benchmark of a 4,000-draw query on the embedded default model.

It times, in one run on one machine:

* loading and validating the model folder (``bayesnet.load()``);
* a **cold** query: drawing every parameter, building every CPT for S draws and the
  batched inference (a new seed per repetition, so no cache helps);
* a **cached** query: the CPT draws are reused, as in a sweep of queries;
* the same query answered draw by draw by pgmpy ``VariableElimination`` and by pyAgrum
  ``LazyPropagation`` (the model rebuilt from each draw's CPTs, as a loop must), on fewer
  draws, scaled linearly to S (said in the output);
* peak memory: traced allocations of the cold query, and the process's maximum RSS.

Targets of issue 4 on a 2-core machine: cold < 100 ms, cached < 20 ms, >= 1,000 times a
pgmpy loop, peak memory < 1 GB.

Run from the repository root::

    python benchmarks/bench_query.py [--draws 4000] [--reps 7] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import bayesnet  # noqa: E402
from bayesnet.inference.queries import situation  # noqa: E402
from benchmarks.bench_engine import Case, QuerySpec, machine, median_seconds, time_pgmpy, time_pyagrum  # noqa: E402

SITUATIONS = {
    "buddying": {"target": "collaborative_behaviour", "scenario": "buddying"},
    "ics+do": {"target": "faith", "scenario": "integrated_care_system", "do": {"quick_wins": "present"}},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=4000)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--pgmpy-draws", type=int, default=40)
    parser.add_argument("--pyagrum-draws", type=int, default=200)
    parser.add_argument("--json", help="also write the rows to this JSON file")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    model = bayesnet.load()
    model.structure  # noqa: B018
    load_ms = 1e3 * (time.perf_counter() - t0)
    print(f"# bench_query  {machine()}")
    print(
        f"# default model: {len(model.codebook)} nodes, {int((model.links['lag'] == 0).sum())} links; "
        f"load+validate {load_ms:.0f} ms; S = {args.draws}; pgmpy timed on {args.pgmpy_draws} draws and "
        f"pyAgrum on {args.pyagrum_draws}, both scaled linearly to S (model rebuilt per draw)"
    )
    rows: list[dict[str, Any]] = []
    for label, spec in SITUATIONS.items():
        target = spec["target"]
        kw = {k: v for k, v in spec.items() if k != "target"}
        model.query(target, draws=args.draws, seed=0, **kw)  # warm-up: compile the plan, import arviz
        seeds = iter(range(1, 10_000))

        def cold(kw: dict[str, Any] = kw, target: str = target, seeds: Any = seeds) -> None:
            model._draw_cache.clear()
            model.query(target, draws=args.draws, seed=next(seeds), **kw)

        def cached(kw: dict[str, Any] = kw, target: str = target) -> None:
            model.query(target, draws=args.draws, seed=0, **kw)

        def draw_and_build(seeds: Any = seeds) -> None:
            model.priors.draw(args.draws, next(seeds)).cpts(model.spec, model.priors)

        row: dict[str, Any] = {"query": label, "target": target}
        row["cold_ms"] = 1e3 * median_seconds(cold, args.reps)
        row["cached_ms"] = 1e3 * median_seconds(cached, args.reps)
        row["draw_and_build_ms"] = 1e3 * median_seconds(draw_and_build, args.reps)
        tracemalloc.start()
        cold()
        row["peak_traced_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()

        sit = situation(model, given=kw.get("given"), do=kw.get("do"), scenario=kw.get("scenario"))
        states = model.spec.states
        case = Case(
            "default",
            model.structure,
            model.cpt_draws(max(args.pgmpy_draws, args.pyagrum_draws), 0),
            [
                QuerySpec(
                    label,
                    (target,),
                    {k: states[k].index(v) for k, v in sit.given.items()},
                    {k: states[k].index(v) for k, v in sit.do.items()},
                )
            ],
        )
        q = case.queries[0]
        build, infer = time_pgmpy(case, q, args.pgmpy_draws)
        row["pgmpy_ms_scaled"] = 1e3 * (build + infer) * args.draws
        build, infer = time_pyagrum(case, q, args.pyagrum_draws)
        row["pyagrum_ms_scaled"] = 1e3 * (build + infer) * args.draws
        row["x_pgmpy_cold"] = row["pgmpy_ms_scaled"] / row["cold_ms"]
        row["x_pgmpy_cached"] = row["pgmpy_ms_scaled"] / row["cached_ms"]
        row["x_pyagrum_cold"] = row["pyagrum_ms_scaled"] / row["cold_ms"]
        rows.append(row)

    columns = [
        "query",
        "target",
        "cold_ms",
        "cached_ms",
        "draw_and_build_ms",
        "peak_traced_mb",
        "pgmpy_ms_scaled",
        "x_pgmpy_cold",
        "x_pgmpy_cached",
        "pyagrum_ms_scaled",
        "x_pyagrum_cold",
    ]
    print("  ".join(f"{c:>17}" for c in columns))
    for row in rows:
        print("  ".join(f"{row[c]:>17.1f}" if isinstance(row[c], float) else f"{row[c]:>17}" for c in columns))
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"# process max RSS {max_rss_mb:.0f} MB (includes pgmpy, pyAgrum, arviz imports)")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": machine(), "rows": rows, "max_rss_mb": max_rss_mb}, indent=2), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
