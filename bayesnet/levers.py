"""Levers and givens: which modifiable contexts to change for a target in a situation.

Contexts the codebook marks ``modifiable: true`` and the situation leaves free are *levers*;
setting one is an intervention (``do``). :func:`levers` finds the best single lever and the
best set of ``k`` levers -- exact search over every combination of ``k`` levers and states
when there are at most ``max_exact`` of them (each combination a column of the engine's
draw axis, the levers' CPTs one-hot), greedy otherwise with the bound in its docstring --
on the posterior-mean network, then evaluates the chosen set over the posterior draws
(before and after share draws). Contexts that are not modifiable are *givens*: reported as
what shapes the situation, not as advice. See docs/sensitivity.md.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet import engine
from bayesnet.differential import compile_gradients
from bayesnet.errors import ParameterError
from bayesnet.query import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_SEED
from bayesnet.sensitivity import Question, Tornado, check_analysis_args, json_floats, question, summarise, tornado

if TYPE_CHECKING:
    from bayesnet.model import Model

__all__ = ["MAX_EXACT", "LeverResult", "givens", "levers"]

MAX_EXACT = 20_000
"""Most lever-state combinations the exact best-set search evaluates before going greedy."""
_BATCH = 2048


@dataclass(frozen=True)
class LeverResult:
    """The best levers for a situation, and the givens that shape it.

    Attributes
    ----------
    question : Question
    k : int
    method : {'exact', 'greedy'}
    evaluated : int
        Lever-state combinations evaluated on the mean network.
    before, after : pandas.Series
        ``probability, mean, low, high`` of the target state without and with the best set.
    best_set : dict
        Lever -> state.
    p_improves : float
        Share of draws in which the best set raises the probability (paired draws).
    singles : pandas.DataFrame
        Each lever at its best state, ranked by gain: ``label, state, probability, gain,
        mean, low, high, p_improves``.
    path : pandas.DataFrame
        The set, lever by lever, with the probability after adding each (greedy order, or for
        the exact search the order of the levers' single gains).
    bound : float or None
        Greedy only: the highest probability any set of ``k`` levers could reach *if* the
        levers have diminishing returns (see :func:`levers`).
    givens : pandas.DataFrame
        Contexts that are not modifiable: those fixed by the situation with the probability
        had they been otherwise (mean network), and the others with their swing.
    """

    question: Question
    k: int
    method: str
    evaluated: int
    before: pd.Series
    after: pd.Series
    best_set: dict[str, str]
    p_improves: float
    singles: pd.DataFrame
    path: pd.DataFrame
    bound: float | None
    givens: pd.DataFrame
    hdi_prob: float
    n_draws: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "target": self.question.target, "state": self.question.state,
            "situation": self.question.situation.describe(), "k": self.k, "method": self.method,
            "evaluated": self.evaluated, "before": json_floats(self.before.to_dict()),
            "after": json_floats(self.after.to_dict()), "best_set": dict(self.best_set),
            "p_improves": None if math.isnan(self.p_improves) else self.p_improves,
            "bound": self.bound, "hdi_prob": self.hdi_prob, "draws": self.n_draws,
            "singles": [json_floats({"lever": k, **v}) for k, v in self.singles.to_dict(orient="index").items()],
            "path": [json_floats(r) for r in self.path.to_dict(orient="records")],
            "givens": [json_floats({"node": k, **v}) for k, v in self.givens.to_dict(orient="index").items()],
        }


def _lever_candidates(model: Model, q: Question) -> list[str]:
    return [n.id for n in model.codebook.of_kind("context") if n.modifiable and n.id not in q.situation.fixed]


def _evaluate_sets(model: Model, q: Question, sets: Sequence[Mapping[str, int]]) -> np.ndarray:
    """``P(target = state | situation, do(set))`` on the mean network for many sets at once: each
    set is one column of the engine's draw axis, its levers' CPTs one-hot."""
    plan = engine.compile_query(model.structure, [q.target], evidence=list(q.evidence), do=list(q.do),
                                optimize="greedy")
    out = np.empty(len(sets))
    for start in range(0, len(sets), _BATCH):
        batch = sets[start:start + _BATCH]
        b = len(batch)
        cpts: dict[str, np.ndarray] = {}
        for v in plan.factors:
            arr = model.cpts[v]
            cols = [j for j, s in enumerate(batch) if v in s]
            if not cols:
                cpts[v] = np.broadcast_to(arr, (*arr.shape[:-1], b))
                continue
            full = np.repeat(arr, b, axis=-1)
            flat = full.reshape(arr.shape[0], -1, b)
            chosen = np.array([batch[j][v] for j in cols])
            cols_a = np.array(cols)
            flat[:, :, cols_a] = 0.0
            for x in range(arr.shape[0]):
                flat[x, :, cols_a[chosen == x]] = 1.0
            cpts[v] = full
        out[start:start + b] = plan(cpts, evidence=q.evidence, do=q.do, validate=False)[:, q.index]
    return out


def _with_draws(
    model: Model, q: Question, chosen: Mapping[str, int], n_draws: int | None, seed: int
) -> np.ndarray | None:
    """``P(target = state | situation, do(chosen))`` for every posterior draw."""
    if n_draws is None:
        return None
    do = {**q.do, **chosen}
    plan = engine.compile_query(model.structure, [q.target], evidence=list(q.evidence), do=list(do), optimize="greedy")
    return plan(model.cpt_draws(n_draws, seed), evidence=q.evidence, do=do, validate=False)[:, q.index]


def _greedy(
    model: Model, q: Question, candidates: list[str], k: int
) -> tuple[list[tuple[str, int, float]], int, float]:
    """Add the lever-state pair that most raises the probability, ``k`` times.

    Returns the path (lever, state index, probability after), the number of evaluations, and
    the bound ``p(G) + sum of the k best remaining single gains at G``.
    """
    chosen: dict[str, int] = {}
    path: list[tuple[str, int, float]] = []
    evaluated = 0
    current = math.nan
    for step in range(k + 1):
        do = {**q.do, **chosen}
        plan = compile_gradients(model.structure, q.target, evidence=list(q.evidence), do=list(do))
        rest = [v for v in candidates if v not in chosen]
        g = plan.gradients(model.cpts, evidence=q.evidence, do=do, nodes=rest)
        current = float(g.posterior()[q.index, 0])
        best: dict[str, tuple[int, float]] = {}
        for v in rest:
            f = g.under_do(v)
            p = np.full(model.spec.card(v), current) if f is None else f[q.index, :, 0] / f[:, :, 0].sum(axis=0)
            evaluated += len(p)
            i = int(np.argmax(p))
            best[v] = (i, float(p[i]))
        if step == k:
            gains = sorted((max(p - current, 0.0) for _, p in best.values()), reverse=True)
            return path, evaluated, current + float(sum(gains[:k]))
        if not best:
            break
        v = max(sorted(best), key=lambda n: best[n][1])
        chosen[v] = best[v][0]
        path.append((v, best[v][0], best[v][1]))
    return path, evaluated, math.nan


def levers(
    model: Model,
    target: str,
    *,
    k: int = 1,
    state: str | None = None,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    scenario: str | None = None,
    method: str = "auto",
    max_exact: int = MAX_EXACT,
    draws: int | None = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    hdi_prob: float = DEFAULT_HDI,
    tornado_result: Tornado | None = None,
) -> LeverResult:
    """The best single lever and the best set of ``k`` levers for ``P(target = state)``.

    A lever is a context the codebook marks ``modifiable: true`` and the situation does not
    fix; setting it is an intervention (``do``). The search runs on the posterior-mean network;
    the chosen set is then evaluated over the posterior draws (before and after share draws).

    Parameters
    ----------
    k : int
        Size of the set (at least 1; capped at the number of levers).
    method : {'auto', 'exact', 'greedy'}
        ``'exact'`` evaluates every combination of ``k`` levers and states (batched on the
        engine's draw axis); ``'greedy'`` adds, ``k`` times, the lever and state that raise the
        probability most; ``'auto'`` is exact when there are at most ``max_exact``
        combinations.
    tornado_result : Tornado, optional
        A tornado of the same question and draws covering the contexts, to reuse its sweeps.

    Notes
    -----
    The greedy bound. Greedy is exact for ``k = 1``. For ``k > 1``, if the gain of a set of
    levers is monotone and submodular (each lever helps less once others are set), greedy
    reaches at least ``1 - 1/e`` (63%) of the best achievable gain (Nemhauser, Wolsey and
    Fisher 1978), and the best ``k``-set can reach at most ``bound`` = the greedy probability
    plus the ``k`` largest gains any single remaining lever still offers. The logistic model
    does not guarantee diminishing returns (two links into one node can reinforce each other),
    so ``bound`` is a diagnostic, not a certificate; the exact search has no such caveat.

    Returns
    -------
    LeverResult
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ParameterError.out_of_range("k", "levers", "a positive integer", k)
    if method not in ("auto", "exact", "greedy"):
        raise ParameterError(f"The 'method' parameter of levers must be one of 'auto', 'exact', 'greedy'. "
                             f"Got {method!r} instead.")
    n_draws, seed, hdi_prob = check_analysis_args(model, draws, seed, hdi_prob, "levers")
    q = question(model, target, state=state, given=given, do=do, scenario=scenario)
    candidates = _lever_candidates(model, q)
    t = tornado_result
    if t is None or t.question != q or t.n_draws != (n_draws or 0) or (n_draws and t.seed != seed) or not set(
        candidates) <= set(t.frame.index):
        t = tornado(model, target, state=state, given=given, do=do, scenario=scenario, kinds=("context",),
                    draws=n_draws, seed=seed, hdi_prob=hdi_prob)
    before = t.baseline
    base_d = t.baseline_draws
    singles_rows = []
    for v in candidates:
        p = t.states.loc[v, "probability"].to_numpy()
        i = int(np.argmax(p))
        d = t.draws.get(v)
        mean, low, high = summarise(None if d is None else d[i], hdi_prob)
        improves = math.nan if d is None or base_d is None else float(np.mean(d[i] > base_d))
        singles_rows.append({"lever": v, "label": model.codebook[v].label, "state": model.spec.states[v][i],
                             "probability": float(p[i]), "gain": float(p[i] - before["probability"]),
                             "mean": mean, "low": low, "high": high, "p_improves": improves})
    singles = pd.DataFrame(singles_rows, columns=["lever", "label", "state", "probability", "gain", "mean", "low",
                                                  "high", "p_improves"])
    singles = singles.sort_values(["gain", "lever"], ascending=[False, True], kind="stable").set_index("lever")
    k = min(int(k), len(candidates))
    combos = sum(math.prod(model.spec.card(v) for v in c) for c in itertools.combinations(candidates, k)) if k else 0
    use = method if method != "auto" else ("exact" if combos <= max_exact else "greedy")
    bound: float | None = None
    chosen: dict[str, int] = {}
    path_rows: list[dict[str, Any]] = []
    if k == 0:
        use, evaluated = "exact", 0
    elif use == "exact":
        sets = [dict(zip(c, s, strict=True)) for c in itertools.combinations(candidates, k)
                for s in itertools.product(*(range(model.spec.card(v)) for v in c))]
        values = _evaluate_sets(model, q, sets)
        evaluated = len(sets)
        best = int(np.argmax(values))  # first of ties, in candidate order
        chosen = dict(sets[best])
        order = [v for v in singles.index if v in chosen]
        partial: dict[str, int] = {}
        partial_sets = []
        for v in order:
            partial[v] = chosen[v]
            partial_sets.append(dict(partial))
        partial_p = _evaluate_sets(model, q, partial_sets)
        path_rows = [{"step": i + 1, "lever": v, "state": model.spec.states[v][chosen[v]],
                      "probability": float(partial_p[i])} for i, v in enumerate(order)]
    else:
        path, evaluated, bound = _greedy(model, q, candidates, k)
        chosen = {v: i for v, i, _ in path}
        path_rows = [{"step": i + 1, "lever": v, "state": model.spec.states[v][s], "probability": p}
                     for i, (v, s, p) in enumerate(path)]
    after_point = float(_evaluate_sets(model, q, [chosen])[0]) if chosen else float(before["probability"])
    after_d = _with_draws(model, q, chosen, n_draws, seed) if chosen else base_d
    mean, low, high = summarise(after_d, hdi_prob)
    after = pd.Series({"probability": after_point, "mean": mean, "low": low, "high": high})
    improves = math.nan if after_d is None or base_d is None else float(np.mean(after_d > base_d))
    path_frame = pd.DataFrame(path_rows, columns=["step", "lever", "state", "probability"])
    return LeverResult(
        q, k, use, evaluated, before, after, {v: model.spec.states[v][i] for v, i in chosen.items()}, improves,
        singles, path_frame, bound, givens(model, q, t), hdi_prob, n_draws or 0,
    )


def givens(model: Model, q: Question, t: Tornado) -> pd.DataFrame:
    """Contexts that are not modifiable: what shapes the situation.

    Fixed ones (observed or set by the situation) with the probability had each been in each
    other state, the rest fixed as they are (mean network); free ones with their swing.
    """
    rows = []
    base = float(t.baseline["probability"])
    for node in model.codebook.of_kind("context"):
        if node.modifiable:
            continue
        v = node.id
        if v in q.situation.fixed:
            how = "observed" if v in q.situation.given else "set (do)"
            current = q.situation.given.get(v, q.situation.do.get(v))
            alternatives = {}
            for s in node.states:
                if s == current:
                    continue
                alt_given = dict(q.situation.given)
                alt_do = dict(q.situation.do)
                (alt_given if v in alt_given else alt_do)[v] = s
                alt = Question(q.target, q.state, q.index, q.situation,
                               {n: model.spec.states[n].index(x) for n, x in alt_given.items()},
                               {n: model.spec.states[n].index(x) for n, x in alt_do.items()})
                alternatives[s] = _point(model, alt)
            other, p_other = max(alternatives.items(), key=lambda kv: abs(kv[1] - base))
            rows.append({"node": v, "label": node.label, "status": how, "state": current,
                         "probability": base, "other_state": other, "p_other": p_other, "effect": base - p_other,
                         "swing": math.nan})
        elif v in t.frame.index:
            r = t.frame.loc[v]
            rows.append({"node": v, "label": node.label, "status": "free", "state": "",
                         "probability": base, "other_state": "", "p_other": math.nan, "effect": math.nan,
                         "swing": float(r["swing"])})
    frame = pd.DataFrame(rows, columns=["node", "label", "status", "state", "probability", "other_state", "p_other",
                                        "effect", "swing"])
    frame["_free"] = frame["status"] == "free"  # fixed ones first, each group by size of effect
    frame["_key"] = frame["effect"].abs().fillna(frame["swing"])
    frame = frame.sort_values(["_free", "_key", "node"], ascending=[True, False, True], kind="stable")
    frame = frame.drop(columns=["_free", "_key"])
    return frame.set_index("node")


def _point(model: Model, q: Question) -> float:
    plan = engine.compile_query(model.structure, [q.target], evidence=list(q.evidence), do=list(q.do),
                                optimize="greedy")
    return float(plan(model.cpts, evidence=q.evidence, do=q.do, validate=False)[0, q.index])
