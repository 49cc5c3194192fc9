"""Answers of a fixed set of queries, analyses and report tables, to show a refactoring changes no number.

Run before a change with ``--save FILE`` and after it with ``--compare FILE``: every array
must agree to ``--atol`` (default 1e-12). The set: 205 queries (every node unconditioned, the
key nodes under every scenario, 100 random situations with observations and interventions),
joint and compare, the tornado (contexts and mechanisms), findings, levers, the evidence
ranking, Sobol indices, a trajectory with collaborative inertia, a change report, and the
CSV tables of a report.

    .venv/bin/python benchmarks/golden.py --save /tmp/golden.npz
    .venv/bin/python benchmarks/golden.py --compare /tmp/golden.npz
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import bayesnet

DRAWS = 600
SEED = 7
HERE = Path(__file__).resolve().parent.parent


def _frame_arrays(prefix: str, frame: pd.DataFrame, out: dict[str, np.ndarray]) -> None:
    """Numeric columns as float arrays; the rest as the text of the whole frame. Rankings are
    compared row by row keyed by what they rank (node, lever or link), so that two entries
    tied to rounding may come in either order; the order itself is tested in tests/."""
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    key = next((c for c in ("node", "lever", "link") if c in frame.columns), None)
    if key is not None:
        frame = frame.drop(columns=["rank"], errors="ignore").sort_values(key, kind="stable").reset_index(drop=True)
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out[f"{prefix}/{col}"] = values.to_numpy(dtype=float)
        else:
            out[f"{prefix}/{col}#text"] = np.array([str(v) for v in values])


def situations(model: bayesnet.Model, n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    contexts = [node for node in model.codebook if node.kind == "context"]
    mechanisms = [node for node in model.codebook if node.kind != "context"]
    out = []
    for _ in range(n):
        given, do = {}, {}
        for node in rng.choice(contexts, size=int(rng.integers(0, 4)), replace=False):
            (given if rng.random() < 0.5 else do)[node.id] = str(rng.choice(node.states))
        if rng.random() < 0.3:
            node = mechanisms[int(rng.integers(len(mechanisms)))]
            do[node.id] = str(rng.choice(node.states))
        targets = [node.id for node in mechanisms if node.id not in do]
        target = targets[int(rng.integers(len(targets)))]
        out.append({"target": target, "given": given, "do": do})
    return out


def collect() -> dict[str, np.ndarray]:
    model = bayesnet.load()
    post = bayesnet.posterior(model, draws=DRAWS, seed=SEED)
    out: dict[str, np.ndarray] = {}

    def ask(key: str, target: str, **kw) -> None:
        r = bayesnet.query(model, target, draws=DRAWS, seed=SEED, **kw)
        out[f"{key}/point"] = np.asarray(r.point)
        out[f"{key}/draws"] = np.asarray(r.draws)
        out[f"{key}/interval"] = r.interval.to_numpy()

    for node in model.codebook:
        ask(f"q/none/{node.id}", node.id)
    for scen in model.scenarios.ids:
        for target in ("collaborative_behaviour", "trust", "faith", "initial_trust"):
            if target not in model.scenarios[scen].assignment:
                ask(f"q/{scen}/{target}", target, scenario=scen)
    for i, s in enumerate(situations(model, 100, 11)):
        ask(f"q/random{i}/{s['target']}", s["target"], given=s["given"], do=s["do"])
    n_queries = sum(1 for k in out if k.endswith("/point"))
    j = bayesnet.joint(model, ["trust", "faith"], scenario="buddying", draws=DRAWS, seed=SEED)
    _frame_arrays("joint", j.frame, out)
    comparison = bayesnet.compare(model, "collaborative_behaviour", ["buddying", "integrated_care_system"],
                                  draws=DRAWS, seed=SEED)
    _frame_arrays("compare", comparison.situations, out)
    _frame_arrays("compare/contrasts", comparison.contrasts, out)

    q = bayesnet.question(model, "collaborative_behaviour", scenario="integrated_care_system")
    t = bayesnet.tornado(q, post, kinds=("context", "mechanism"))
    _frame_arrays("tornado/frame", t.frame, out)
    _frame_arrays("tornado/states", t.states, out)
    _frame_arrays("findings", bayesnet.findings_sensitivity(q).frame, out)
    lv = bayesnet.levers(q, post, k=2)
    _frame_arrays("levers/singles", lv.singles, out)
    _frame_arrays("levers/givens", lv.givens, out)
    out["levers/after"] = lv.after.to_numpy(dtype=float)
    out["levers/best#text"] = np.array(sorted(f"{k}={v}" for k, v in lv.best_set.items()))
    ev = bayesnet.evidence_ranking(bayesnet.question(model, "trust", scenario="buddying"), post)
    _frame_arrays("evidence", ev.frame, out)
    _frame_arrays("sobol", bayesnet.sobol_indices(q, n=64, seed=SEED), out)

    timeline = HERE / "inference_examples" / "trajectories" / "mandated_early_conflict.yaml"
    inertia = bayesnet.collaborative_inertia(model, str(timeline), bayesnet.posterior(model, draws=200, seed=SEED),
                                             also=["trust"])
    _frame_arrays("trajectory", inertia.trajectory.frame, out)
    # ties in the lever ranking may come in either order: compare by lever and state
    _frame_arrays("inertia/levers", inertia.levers.sort_values(["lever", "state"]).reset_index(drop=True), out)

    study = HERE / "inference_examples" / "update_buddying_study" / "study.yaml"
    change = bayesnet.update_model(model, [study])
    report = bayesnet.change_report(change, draws=DRAWS, seed=SEED)
    _frame_arrays("change/links", report.links, out)
    _frame_arrays("change/queries", report.queries, out)

    with tempfile.TemporaryDirectory() as tmp:
        files = bayesnet.write_report(q, post, tmp, quiet=True)
        for name, path in sorted(files.tables.items()):
            _frame_arrays(f"report/{name}", pd.read_csv(io.StringIO(Path(path).read_text())), out)
    out["meta/n_queries"] = np.array([n_queries])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", metavar="FILE")
    group.add_argument("--compare", metavar="FILE")
    parser.add_argument("--atol", type=float, default=1e-12)
    args = parser.parse_args()
    now = collect()
    if args.save:
        np.savez_compressed(args.save, **now)
        print(f"saved {len(now)} arrays ({int(now['meta/n_queries'][0])} queries) to {args.save}")
        return 0
    before = dict(np.load(args.compare))
    bad = []
    for key in sorted(set(before) | set(now)):
        if key not in before or key not in now:
            bad.append(f"{key}: only {'after' if key in now else 'before'}")
            continue
        a, b = before[key], now[key]
        if key.endswith("#text"):
            if a.shape != b.shape or not np.array_equal(a, b):
                bad.append(f"{key}: text differs")
        elif a.shape != b.shape:
            bad.append(f"{key}: shape {a.shape} -> {b.shape}")
        elif not np.allclose(a, b, rtol=0.0, atol=args.atol, equal_nan=True):
            bad.append(f"{key}: max difference {np.nanmax(np.abs(a - b)):.3g}")
    print(f"compared {len(now)} arrays ({int(now['meta/n_queries'][0])} queries); {len(bad)} differ by more than "
          f"{args.atol:g}")
    for line in bad:
        print("  " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
