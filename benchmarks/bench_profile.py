"""The profile behind the issue-14 targets that are hard to meet: CPU time of each piece, in
one process (CPU time, not wall time, so that a shared machine distorts it less).

* reading the model files as shipped (libyaml after a scan for the bounds), and with the
  pure-Python loader;
* the 4,000 parameter draws;
* the cached and cold buddying question, and the steps of its contraction that cost most,
  with the bytes each reads;
* the report's query shapes: how many, and the CPU time to compile their plans;
* the trajectory's queries, slice by slice: flops per draw and CPU time for 1,000 draws.

    .venv/bin/python benchmarks/bench_profile.py
"""

from __future__ import annotations

import collections
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import bayesnet  # noqa: E402
from bayesnet import engine  # noqa: E402
from bayesnet.engine import plan as plan_module  # noqa: E402
from bayesnet.inference.queries import answer_query  # noqa: E402

TIMELINE = REPO / "inference_examples" / "trajectories" / "voluntary_quick_wins.yaml"


def cpu_ms(fn: Callable[[], object], reps: int = 5) -> float:
    """Least CPU time of ``fn`` over ``reps`` runs, in ms (all threads of the process)."""
    best = float("inf")
    for _ in range(reps):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return 1e3 * best


def yaml_loaders() -> list[str]:
    from bayesnet.inputs import folder, yamlio

    shipped = cpu_ms(lambda: folder.read_model_files(None))
    fast = yamlio._CLoader
    yamlio._CLoader = None  # what a PyYAML without libyaml (or a file with aliases) takes
    try:
        pure = cpu_ms(lambda: folder.read_model_files(None))
    finally:
        yamlio._CLoader = fast
    return [f"reading and validating the model files: {shipped:.0f} ms CPU as shipped (libyaml after an event "
            f"scan for the bounds), {pure:.0f} ms with the pure-Python loader"]


def query(model: bayesnet.Model) -> list[str]:
    q = bayesnet.question(model, "collaborative_behaviour", scenario="buddying")
    seeds = iter(range(1000, 100_000))
    lines = [f"4,000 parameter draws: {cpu_ms(lambda: model.priors.draw(4000, next(seeds))):.0f} ms CPU"]
    post = bayesnet.posterior(model, seed=0)
    answer_query(q, post)
    lines.append(f"buddying question, slices built from cached parameter draws: "
                 f"{cpu_ms(lambda: answer_query(q, post)):.0f} ms CPU")
    post.cpts  # noqa: B018
    answer_query(q, post)
    lines.append(f"buddying question, the model holding the CPT draws (cached): "
                 f"{cpu_ms(lambda: answer_query(q, post)):.0f} ms CPU")
    plan = engine.plan_contraction(model.structure, [q.target], evidence=list(q.evidence), do=list(q.do))
    leaves = post.cpts.leaves(plan, {**q.evidence, **q.do}, slice(None))
    costs = collections.defaultdict(float)
    reads = {}
    for _ in range(3):
        values = dict(enumerate(leaves))
        halves = {i for i, u in enumerate(plan.upper) if u}
        for step in plan.steps:
            inputs = [values.pop(i) for i in step.inputs]
            half = [i for i in step.inputs if i in halves]
            start = time.process_time()
            if half:
                out = plan_module._upper_step(step, step.inputs.index(half[0]), inputs, plan._sizes, None)
            else:
                out = np.einsum(step.equation, *inputs)
            label = ",".join(step.labels_in) + "->" + step.labels_out
            costs[label] = min(costs.get(label, float("inf")), 1e3 * (time.process_time() - start))
            reads[label] = (sum(x.nbytes for x in inputs) / 1e6, out.nbytes / 1e6)
            values[step.out] = out
    lines.append(f"its contraction, step by step on one core: {sum(costs.values()):.0f} ms CPU in {len(costs)} "
                 "steps; the costliest:")
    for label, ms in sorted(costs.items(), key=lambda kv: -kv[1])[:5]:
        read, wrote = reads[label]
        lines.append(f"    {ms:5.1f} ms  reads {read:5.1f} MB, writes {wrote:5.1f} MB")
    return lines


def report_shapes(model: bayesnet.Model) -> list[str]:
    from bayesnet.report import writer

    shapes: collections.Counter[tuple] = collections.Counter()
    original = plan_module._cached

    def spy(structure, targets, evidence, do, *, keep, optimize):
        shapes[(structure, targets, evidence, do, keep, optimize)] += 1
        return original(structure, targets, evidence, do, keep=keep, optimize=optimize)

    spy.cache_clear = original.cache_clear  # type: ignore[attr-defined]
    plan_module._cached = spy  # type: ignore[assignment]
    try:
        q = bayesnet.question(model, "collaborative_behaviour", scenario="integrated_care_system")
        with tempfile.TemporaryDirectory() as tmp:
            writer.write_report(q, bayesnet.posterior(model), tmp, quiet=True)
    finally:
        plan_module._cached = original

    def compile_all() -> None:
        original.cache_clear()
        for structure, targets, evidence, do, keep, optimize in shapes:
            original(structure, targets, evidence, do, keep=keep, optimize=optimize)

    return [f"the report asks {len(shapes)} query shapes ({sum(shapes.values())} evaluations); compiling their "
            f"plans takes {cpu_ms(compile_all, 3):.0f} ms CPU"]


def trajectory_slices(model: bayesnet.Model) -> list[str]:
    from bayesnet.dynamics import trajectories, unrolled

    timeline = bayesnet.read_timeline(TIMELINE)
    net, sit = trajectories.resolve_timeline(model, timeline, scenario="buddying", n_slices=None, persistence=None,
                                             per_slice=None, carried=None)
    post = bayesnet.posterior(model, draws=1000)
    params = unrolled.unrolled_parameters(model, net, post)
    cpts = unrolled.cpts_from_parameters(net, params.columns(slice(0, 200)))
    states = net.spec.states
    ev = {n: states[n].index(s) for n, s in sit.given.items()}
    dv = {n: states[n].index(s) for n, s in sit.do.items()}
    lines = ["the trajectory's queries (trust, faith, collaborative behaviour in one slice; 1,000 draws):"]
    total = 0.0
    for t in range(1, net.n_slices + 1):
        group = [net.name(n, t) for n in ("faith", "trust", "collaborative_behaviour") if not sit.how(net.name(n, t))]
        plan = engine.plan_contraction(net.structure, group, evidence=list(ev), do=list(dv))
        ops = plan.operands([cpts[f] for f in plan.factors], {**ev, **dv}, slice(None), upper=True)
        ms = 5 * cpu_ms(lambda plan=plan, ops=ops: plan.contract(ops, upper=True), 3)  # 200 draws -> 1,000
        total += ms
        lines.append(f"    slice {t}: {len(plan.factors):3d} factors, {plan.per_draw_flops:>9,d} flops per draw, "
                     f"{ms:6.0f} ms CPU")
    lines.append(f"    all slices: {total:.0f} ms CPU on one core")
    return lines


def main() -> int:
    model = bayesnet.load()
    for section in (yaml_loaders(), query(model), report_shapes(model), trajectory_slices(model)):
        print("\n".join(section))
    return 0


if __name__ == "__main__":
    sys.exit(main())
