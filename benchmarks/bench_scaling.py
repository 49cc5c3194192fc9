"""How the cost of a query grows: draws, the largest parent set, nodes; the engine against
per-draw loops of pgmpy and pyAgrum, on models shaped like the default.

Three sweeps, each with the default model's benchmark question (collaborative behaviour,
the buddying scenario's five contexts observed):

* **draws** 1,000 to 16,000 on the default model;
* **largest parent set** 8 to 16: the default model with trust's parents cut to the first
  ``K`` (by id) or joined by more contexts (``context -> trust`` links of one study each),
  4,000 draws;
* **nodes** 60 to 240: one to four copies of the default model in a chain (copy ``i``'s
  collaborative behaviour is a cause of copy ``i + 1``'s initial trust), the buddying
  contexts observed in every copy and the last copy's collaborative behaviour asked,
  4,000 draws.

For each point it measures the engine **cached** (the model holds the CPT draws: time of one
whole answer, and the memory the draws take plus the traced peak of the query) and **cold**
(a new seed: drawing the parameters, building the query's slices, answering; the traced
peak of that), and pgmpy's ``VariableElimination`` and pyAgrum's ``LazyPropagation`` looping
over the draws: the query time alone on a few draws, scaled linearly to all (the model is
rebuilt per draw outside the timing), and as memory the draws they loop over (whole float64
CPTs) plus the traced peak of building and querying one draw. The cached engine is skipped
where its draws would take more than ``--cache-limit`` bytes, and every point says how many
draws the package's memory bound (:data:`bayesnet.checks.MAX_DRAW_BYTES`) allows.

Writes ``benchmarks/scaling.svg`` (and the rows to ``--json``), prints the tables and the
growth: the slope of log time and log memory against log draws and log nodes, and the
factor per added parent; and, unless ``--quick`` or ``--no-write``, rewrites the block of
``benchmarks/README.md`` between ``<!-- bench_scaling: begin -->`` and ``<!-- bench_scaling:
end -->`` with them (about 15 minutes on 2 cores).

    .venv/bin/python benchmarks/bench_scaling.py [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import bayesnet  # noqa: E402
from bayesnet.checks import MAX_DRAW_BYTES  # noqa: E402
from bayesnet.inference.queries import answer_query  # noqa: E402
from bayesnet.inputs.codebook import Codebook  # noqa: E402
from bayesnet.inputs.evidence import CMOC, Evidence, Source  # noqa: E402
from benchmarks.bench_engine import Case, QuerySpec, machine, time_pgmpy, time_pyagrum  # noqa: E402

TARGET = "collaborative_behaviour"
SCENARIO = "buddying"
HUB = "trust"
DRAWS = (1000, 2000, 4000, 8000, 16000)
PARENTS = (8, 10, 12, 14, 16)
COPIES = (1, 2, 3, 4)


# -- models shaped like the default -------------------------------------------------------------


def _rename(cmoc: CMOC, name: Callable[[str], str]) -> CMOC:
    when = None if cmoc.when is None else (name(cmoc.when[0]), cmoc.when[1])
    return dataclasses.replace(cmoc, context=name(cmoc.context), mechanism=name(cmoc.mechanism),
                               outcome=None if cmoc.outcome is None else name(cmoc.outcome), when=when)


def _study(ref: int, cmocs: list[CMOC]) -> Source:
    return Source(f"S{ref}", "included_study", ref, f"Synthetic study {ref}.", 2020, None, None, tuple(cmocs),
                  "<bench_scaling>")


def chained(base: bayesnet.Model, copies: int) -> bayesnet.Model:
    """``copies`` copies of ``base`` (copy ``i > 0``'s ids end in ``__i``), each one's
    collaborative behaviour a cause of the next one's initial trust."""
    def name(i: int) -> Callable[[str], str]:
        return (lambda n: n) if i == 0 else (lambda n: f"{n}__{i}")

    nodes = [dataclasses.replace(node, id=name(i)(node.id)) for i in range(copies) for node in base.codebook]
    sources = []
    for i in range(copies):
        for src in base.evidence:
            ref = src.reference + 10_000 * i
            sources.append(dataclasses.replace(src, id=f"S{ref}", reference=ref,
                                               cmocs=tuple(_rename(c, name(i)) for c in src.cmocs)))
    links = [CMOC(name(i)(TARGET), name(i + 1)("initial_trust"), +1) for i in range(copies - 1)]
    if links:
        sources.append(_study(90_000, links))
    codebook = Codebook(tuple(nodes), "<bench_scaling>")
    return bayesnet.Model(codebook, Evidence(sources), base.settings, base.scenarios)


def with_parents(base: bayesnet.Model, k: int) -> bayesnet.Model:
    """``base`` with ``k`` parents of trust: its first ``k`` by id, or all and more contexts."""
    parents = list(base.spec.parents[HUB])
    if k <= len(parents):
        dropped = set(parents[k:])
        sources = []
        for src in base.evidence:
            kept = tuple(c for c in src.cmocs if not any(
                a.target == HUB and (a.source in dropped or (a.when and a.when[0] in dropped)) for a in c.arrows()))
            sources.append(dataclasses.replace(src, cmocs=kept))
        model = bayesnet.Model(base.codebook, Evidence(sources), base.settings, base.scenarios)
    else:
        descendants = _descendants(base, HUB)
        extra = [n.id for n in base.codebook if n.kind == "context" and n.id not in parents
                 and n.id not in descendants][: k - len(parents)]
        study = _study(90_001, [CMOC(c, HUB, +1) for c in extra])
        model = bayesnet.Model(base.codebook, Evidence([*base.evidence, study]), base.settings, base.scenarios)
    got = len(model.spec.parents[HUB])
    if got != k:
        raise RuntimeError(f"asked for {k} parents of {HUB}, built {got}")
    return model


def _descendants(model: bayesnet.Model, node: str) -> set[str]:
    children: dict[str, list[str]] = {}
    for child, parents in model.spec.parents.items():
        for p in parents:
            children.setdefault(p, []).append(child)
    seen, stack = set(), [node]
    while stack:
        for c in children.get(stack.pop(), []):
            if c not in seen:
                seen.add(c)
                stack.append(c)
    return seen


def question(model: bayesnet.Model, copies: int = 1) -> bayesnet.Question:
    """The benchmark question: the buddying contexts observed in every copy, the last copy's
    collaborative behaviour asked."""
    given = {}
    for i in range(copies):
        for node, state in model.scenarios[SCENARIO].assignment.items():
            given[node if i == 0 else f"{node}__{i}"] = state
    target = TARGET if copies == 1 else f"{TARGET}__{copies - 1}"
    return bayesnet.question(model, target, given=given)


# -- measurements -------------------------------------------------------------------------------


def _best(fn: Callable[[], object], reps: int) -> float:
    """Median wall time of ``fn`` in ms over ``reps`` runs."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(times)


def _traced_peak(fn: Callable[[], object]) -> float:
    """Peak bytes numpy and Python allocate while ``fn`` runs."""
    tracemalloc.start()
    try:
        fn()
        return float(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def _answer(q: bayesnet.Question, post: bayesnet.Posterior) -> None:
    result = answer_query(q, post)
    result.distribution  # noqa: B018
    result.interval  # noqa: B018


def measure(model: bayesnet.Model, q: bayesnet.Question, n_draws: int, args: argparse.Namespace,
            **labels: Any) -> dict[str, Any]:
    """One point of a sweep: engine cached and cold, pgmpy and pyAgrum loops."""
    row: dict[str, Any] = {**labels, "draws": n_draws, "nodes": len(model.codebook),
                           "trust_parents": len(model.spec.parents[HUB])}
    per_draw = model.bytes_per_draw
    row["draws_allowed"] = MAX_DRAW_BYTES // per_draw
    row["cpt_draws_mb"] = per_draw * n_draws / 1e6
    whole_per_draw = sum(int(np.prod(a.shape[:-1])) for a in model.cpts.values()) * 8
    seeds = iter(range(100, 10_000))

    def cold() -> None:
        model._draws.clear()
        model._parameters.clear()
        _answer(q, bayesnet.posterior(model, draws=n_draws, seed=next(seeds)))

    if n_draws > row["draws_allowed"]:
        row.update(cold_ms=math.nan, cold_peak_mb=math.nan, cached_ms=math.nan, cached_peak_mb=math.nan)
    else:
        cold()  # compile the plan
        row["cold_ms"] = _best(cold, args.reps)
        row["cold_peak_mb"] = _traced_peak(cold) / 1e6
        if per_draw * n_draws <= args.cache_limit:
            post = bayesnet.posterior(model, draws=n_draws, seed=1)
            post.cpts  # noqa: B018 - the draws a sweep would hold
            _answer(q, post)
            row["cached_ms"] = _best(lambda: _answer(q, post), args.reps)
            row["cached_peak_mb"] = per_draw * n_draws / 1e6 + _traced_peak(lambda: _answer(q, post)) / 1e6
        else:
            row["cached_ms"] = row["cached_peak_mb"] = math.nan
        model._draws.clear()
        model._parameters.clear()
    n_ref = max(args.pgmpy_draws, args.pyagrum_draws)
    case = Case("shaped", model.structure, dict(model.cpt_draws(n_ref, 0)),
                [QuerySpec("q", (q.target,), dict(q.evidence), dict(q.do))])
    spec = case.queries[0]
    _, infer = time_pgmpy(case, spec, args.pgmpy_draws)
    row["pgmpy_ms"] = 1e3 * infer * n_draws
    row["pgmpy_peak_mb"] = (whole_per_draw * n_draws + _traced_peak(lambda: time_pgmpy(case, spec, 1))) / 1e6
    _, infer = time_pyagrum(case, spec, args.pyagrum_draws)
    row["pyagrum_ms"] = 1e3 * infer * n_draws
    row["pyagrum_peak_mb"] = (whole_per_draw * n_draws + _traced_peak(lambda: time_pyagrum(case, spec, 1))) / 1e6
    model._draws.clear()
    return row


def sweeps(args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    base = bayesnet.load()
    out: dict[str, list[dict[str, Any]]] = {"draws": [], "parents": [], "nodes": []}
    q = question(base)
    for n in args.draws:
        out["draws"].append(measure(base, q, n, args, sweep="draws"))
        print(_line(out["draws"][-1]), flush=True)
    for k in args.parents:
        model = base if k == len(base.spec.parents[HUB]) else with_parents(base, k)
        out["parents"].append(measure(model, question(model), args.fixed_draws, args, sweep="parents"))
        print(_line(out["parents"][-1]), flush=True)
    for c in args.copies:
        model = base if c == 1 else chained(base, c)
        out["nodes"].append(measure(model, question(model, c), args.fixed_draws, args, sweep="nodes"))
        print(_line(out["nodes"][-1]), flush=True)
    return out


COLUMNS = ("sweep", "draws", "trust_parents", "nodes", "cached_ms", "cold_ms", "pgmpy_ms", "pyagrum_ms",
           "cpt_draws_mb", "cached_peak_mb", "cold_peak_mb", "pgmpy_peak_mb", "pyagrum_peak_mb", "draws_allowed")


def _line(row: dict[str, Any]) -> str:
    return "  ".join(f"{row[c]:>10.1f}" if isinstance(row[c], float) else f"{row[c]!s:>10}" for c in COLUMNS)


# -- growth and pictures ------------------------------------------------------------------------


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log y against log x (finite points only)."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if y and math.isfinite(y) and y > 0]
    if len(pts) < 2:
        return math.nan
    return float(np.polyfit([p[0] for p in pts], [p[1] for p in pts], 1)[0])


def per_parent(ks: list[float], ys: list[float]) -> float:
    """Factor by which y grows per added parent (least squares on log y)."""
    pts = [(k, math.log(y)) for k, y in zip(ks, ys, strict=True) if y and math.isfinite(y) and y > 0]
    if len(pts) < 2:
        return math.nan
    return float(math.exp(np.polyfit([p[0] for p in pts], [p[1] for p in pts], 1)[0]))


ENGINES = (("cached", "engine, CPT draws held"), ("cold", "engine, cold"), ("pgmpy", "pgmpy VE loop"),
           ("pyagrum", "pyAgrum LP loop"))


def growth(out: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    rows = []
    for key, label in ENGINES:
        row: dict[str, Any] = {"engine": label}
        for sweep, x, fit in (("draws", "draws", slope), ("parents", "trust_parents", per_parent),
                              ("nodes", "nodes", slope)):
            xs = [r[x] for r in out[sweep]]
            row[f"time vs {sweep}"] = fit(xs, [r[f"{key}_ms"] for r in out[sweep]])
            row[f"memory vs {sweep}"] = fit(xs, [r[f"{key}_peak_mb"] for r in out[sweep]])
        rows.append(row)
    return rows


def plot(out: dict[str, list[dict[str, Any]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text as text: a smaller, searchable file
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), constrained_layout=True)
    styles = {"cached": ("C0", "o-"), "cold": ("C1", "s-"), "pgmpy": ("C2", "^--"), "pyagrum": ("C3", "v--")}
    for j, (sweep, x, xlabel) in enumerate((("draws", "draws", "posterior draws"),
                                            ("parents", "trust_parents", "parents of trust (the largest CPT)"),
                                            ("nodes", "nodes", "nodes"))):
        rows = out[sweep]
        xs = [r[x] for r in rows]
        for i, (what, unit) in enumerate((("ms", "query time (ms, log)"), ("peak_mb", "peak memory (MB, log)"))):
            ax = axes[i, j]
            for key, label in ENGINES:
                color, style = styles[key]
                ax.plot(xs, [r[f"{key}_{what}"] for r in rows], style, color=color, label=label)
            if what == "peak_mb":
                ax.plot(xs, [r["cpt_draws_mb"] for r in rows], ":", color="0.4",
                        label="CPT draws held whole (computed)")
                ax.axhline(MAX_DRAW_BYTES / 1e6, color="0.4", lw=0.8)
                ax.text(xs[0], MAX_DRAW_BYTES / 1e6, " memory bound on the CPT draws (4 GiB)", va="bottom",
                        fontsize=8, color="0.3")
            ax.set_yscale("log")
            if sweep != "parents":
                ax.set_xscale("log", base=2)
            ax.set_xticks(xs, [str(v) for v in xs])
            ax.set_xlabel(xlabel)
            ax.set_ylabel(unit)
            ax.grid(True, which="both", alpha=0.3)
            allowed = [r["draws_allowed"] for r in rows]
            bites = [xv for xv, r, a in zip(xs, rows, allowed, strict=True) if r["draws"] > a]
            if bites:
                ax.axvspan(min(bites), max(xs), color="0.85", zorder=0)
                ax.text(min(bites), ax.get_ylim()[1], " beyond the memory bound", va="top", fontsize=8)
    axes[0, 0].legend(fontsize=8)
    axes[1, 0].legend(fontsize=8, loc="lower right")
    fig.suptitle("P(collaborative behaviour | buddying contexts): engine vs per-draw loops (loops timed on a few "
                 "draws, scaled)", fontsize=10)
    fig.savefig(path)
    plt.close(fig)


def bound_lines(out: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Where the memory bound on the CPT draws bites."""
    lines = []
    for sweep, x in (("draws", "draws"), ("parents", "trust_parents"), ("nodes", "nodes")):
        parts = [f"{r[x]}: {r['draws_allowed']:,}" for r in out[sweep]]
        lines.append(f"draws the bound allows ({sweep} sweep, {x}: draws): {'; '.join(parts)}")
    return lines


def readme_block(out: dict[str, list[dict[str, Any]]], info: dict[str, Any]) -> list[str]:
    rows = ["  ".join(f"{c:>15}" for c in COLUMNS)]
    rows += ["  ".join(f"{r[c]:>15.1f}" if isinstance(r[c], float) else f"{r[c]!s:>15}" for c in COLUMNS)
             for sweep in out.values() for r in sweep]
    grow = growth(out)
    head = list(grow[0])
    rows += ["", "growth: slope of log y against log draws / log nodes; factor per added parent of trust",
             "  ".join(f"{h:>18}" for h in head)]
    rows += ["  ".join(f"{v:>18.2f}" if isinstance(v, float) else f"{v:>18}" for v in g.values()) for g in grow]
    rows += ["", *bound_lines(out)]
    return [f"Output of the run on {info['cpu']}, {info['nproc']} cores, {info['date']} (times in ms, memory in MB; "
            "pgmpy and pyAgrum timed on a few draws and scaled; 'nan': not run, see the docstring):", "",
            "![query time and peak memory against draws, parents and nodes](scaling.svg)", "", "```", *rows, "```"]


def write_readme(block: list[str]) -> None:
    readme = REPO / "benchmarks" / "README.md"
    begin, end = "<!-- bench_scaling: begin -->", "<!-- bench_scaling: end -->"
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(head + begin + "\n" + "\n".join(block) + "\n" + end + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer points and repetitions (a smoke run)")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--pgmpy-draws", type=int, default=6)
    p.add_argument("--pyagrum-draws", type=int, default=30)
    p.add_argument("--cache-limit", type=float, default=1.2e9, help="largest CPT draws held for 'cached' (bytes)")
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "scaling.svg")
    p.add_argument("--json", type=Path)
    p.add_argument("--no-write", action="store_true", help="leave benchmarks/README.md alone")
    args = p.parse_args(argv)
    args.draws, args.parents, args.copies, args.fixed_draws = DRAWS, PARENTS, COPIES, 4000
    if args.quick:
        args.draws, args.parents, args.copies, args.reps = (1000, 2000), (10, 12), (1, 2), 2
        args.pgmpy_draws, args.pyagrum_draws, args.fixed_draws = 2, 5, 1000
    info = machine()
    print(f"# bench_scaling  {info}")
    print("  ".join(f"{c:>10}" for c in COLUMNS))
    out = sweeps(args)
    print("\n# growth: slope of log time / log memory against log draws and log nodes; factor per parent")
    for row in growth(out):
        print("  ".join(f"{v:>16.2f}" if isinstance(v, float) else f"{v:>22}" for v in row.values()))
    print("\n".join(bound_lines(out)))
    plot(out, args.out)
    print(f"# wrote {args.out}")
    if not (args.quick or args.no_write):
        write_readme(readme_block(out, info))
        print("# wrote the block of benchmarks/README.md")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "sweeps": out, "growth": growth(out)}, indent=2,
                                        default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
