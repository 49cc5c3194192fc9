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
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from bayesnet.analysis.one_way import Tornado, tornado
from bayesnet.analysis.ranking import best_index, sort_frame
from bayesnet.checks import check_choice, check_positive_int
from bayesnet.errors import QueryError
from bayesnet.inference.evaluation import answer, gradients
from bayesnet.inference.intervals import summarise
from bayesnet.inference.posteriors import Posterior
from bayesnet.inference.questions import Question
from bayesnet.inference.results import plain

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
    posterior: Posterior | None

    @property
    def n_draws(self) -> int:
        """Posterior draws behind the intervals (0: none)."""
        return 0 if self.posterior is None else self.posterior.n_draws

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "target": self.question.target, "state": self.question.state,
            "situation": self.question.situation.describe(), "k": self.k, "method": self.method,
            "evaluated": self.evaluated, "before": plain(self.before.to_dict()),
            "after": plain(self.after.to_dict()), "best_set": dict(self.best_set),
            "p_improves": None if math.isnan(self.p_improves) else self.p_improves,
            "bound": self.bound, "hdi_prob": None if self.posterior is None else self.posterior.hdi_prob,
            "draws": self.n_draws,
            "singles": [plain({"lever": k, **v}) for k, v in self.singles.to_dict(orient="index").items()],
            "path": [plain(r) for r in self.path.to_dict(orient="records")],
            "givens": [plain({"node": k, **v}) for k, v in self.givens.to_dict(orient="index").items()],
        }


def _lever_candidates(q: Question) -> list[str]:
    return [n.id for n in q.model.codebook.of_kind("context") if n.modifiable and n.id not in q.situation.fixed]


def _also_set(q: Question, chosen: Mapping[str, int]) -> Question:
    """``q`` with ``chosen`` (node -> state index) set by intervention as well."""
    states = q.model.spec.states
    extra = {v: states[v][i] for v, i in chosen.items()}
    sit = q.situation
    return q.with_situation(replace(sit, do={**sit.do, **extra}))


def _evaluate_sets(q: Question, sets: Sequence[Mapping[str, int]]) -> np.ndarray:
    """``P(target = state | situation, do(set))`` on the mean network for many sets at once: each
    set is one column of the draw axis, with its own interventions."""
    out = np.empty(len(sets))
    levers = sorted({v for s in sets for v in s})
    for start in range(0, len(sets), _BATCH):
        batch = sets[start:start + _BATCH]
        per_column = {v: np.array([s.get(v, -1) for s in batch]) for v in levers}
        out[start:start + len(batch)] = answer(q, q.model.cpts, per_column=per_column)
    return out


def _with_draws(q: Question, chosen: Mapping[str, int], post: Posterior | None) -> np.ndarray | None:
    """``P(target = state | situation, do(chosen))`` for every posterior draw."""
    if post is None:
        return None
    return answer(_also_set(q, chosen), post.cpts)


def _greedy(q: Question, candidates: list[str], k: int) -> tuple[list[tuple[str, int, float]], int, float]:
    """Add the lever-state pair that most raises the probability, ``k`` times.

    Returns the path (lever, state index, probability after), the number of evaluations, and
    the bound ``p(G) + sum of the k best remaining single gains at G``.
    """
    model = q.model
    chosen: dict[str, int] = {}
    path: list[tuple[str, int, float]] = []
    evaluated = 0
    current = math.nan
    for step in range(k + 1):
        rest = [v for v in candidates if v not in chosen]
        g = gradients(_also_set(q, chosen), model.cpts, nodes=rest)
        current = float(g.posterior()[q.index, 0])
        best: dict[str, tuple[int, float]] = {}
        for v in rest:
            f = g.under_do(v)
            p = np.full(model.spec.card(v), current) if f is None else f[q.index, :, 0] / f[:, :, 0].sum(axis=0)
            evaluated += len(p)
            i = best_index(p)
            best[v] = (i, float(p[i]))
        if step == k:
            gains = sorted((max(p - current, 0.0) for _, p in best.values()), reverse=True)
            return path, evaluated, current + float(sum(gains[:k]))
        if not best:
            break
        names = sorted(best)
        v = names[best_index(np.array([best[n][1] for n in names]))]
        chosen[v] = best[v][0]
        path.append((v, best[v][0], best[v][1]))
    return path, evaluated, math.nan


def levers(
    q: Question,
    post: Posterior | None = None,
    *,
    k: int = 1,
    method: str = "auto",
    max_exact: int = MAX_EXACT,
    tornado_result: Tornado | None = None,
) -> LeverResult:
    """The best single lever and the best set of ``k`` levers for ``P(target = state)``.

    A lever is a context the codebook marks ``modifiable: true`` and the situation does not
    fix; setting it is an intervention (``do``). The search runs on the posterior-mean network;
    the chosen set is then evaluated over the posterior draws (before and after share draws).

    Parameters
    ----------
    q : Question
    post : Posterior, optional
        Posterior draws for the intervals (None: the mean network only).
    k : int
        Size of the set (at least 1; capped at the number of levers).
    method : {'auto', 'exact', 'greedy'}
        ``'exact'`` evaluates every combination of ``k`` levers and states (batched on the
        engine's draw axis); ``'greedy'`` adds, ``k`` times, the lever and state that raise the
        probability most; ``'auto'`` is exact when there are at most ``max_exact``
        combinations.
    tornado_result : Tornado, optional
        The tornado of ``q`` over ``post`` covering the contexts, to reuse its sweeps.

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
    k = check_positive_int(k, "k", "levers")
    method = check_choice(method, "method", "levers", ("auto", "exact", "greedy"))
    model = q.model
    candidates = _lever_candidates(q)
    t = tornado_result
    if t is None:
        t = tornado(q, post, kinds=("context",))
    elif t.question != q or t.posterior is not post or not set(candidates) <= set(t.frame.index):
        raise QueryError("the tornado given to levers answers another question, uses other draws or does not "
                         "cover the levers")
    hdi_prob = math.nan if post is None else post.hdi_prob
    before = t.baseline
    base_d = t.baseline_draws
    singles_rows = []
    for v in candidates:
        p = t.states.loc[v, "probability"].to_numpy()
        i = best_index(p)
        d = t.draws.get(v)
        mean, low, high = summarise(None if d is None else d[i], hdi_prob)
        improves = math.nan if d is None or base_d is None else float(np.mean(d[i] > base_d))
        singles_rows.append({"lever": v, "label": model.codebook[v].label, "state": model.spec.states[v][i],
                             "probability": float(p[i]), "gain": float(p[i] - before["probability"]),
                             "mean": mean, "low": low, "high": high, "p_improves": improves})
    singles = pd.DataFrame(singles_rows, columns=["lever", "label", "state", "probability", "gain", "mean", "low",
                                                  "high", "p_improves"])
    singles = sort_frame(singles.set_index("lever"), "gain")
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
        values = _evaluate_sets(q, sets)
        evaluated = len(sets)
        best = best_index(values)  # first of ties, in candidate order
        chosen = dict(sets[best])
        order = [v for v in singles.index if v in chosen]
        partial: dict[str, int] = {}
        partial_sets = []
        for v in order:
            partial[v] = chosen[v]
            partial_sets.append(dict(partial))
        partial_p = _evaluate_sets(q, partial_sets)
        path_rows = [{"step": i + 1, "lever": v, "state": model.spec.states[v][chosen[v]],
                      "probability": float(partial_p[i])} for i, v in enumerate(order)]
    else:
        path, evaluated, bound = _greedy(q, candidates, k)
        chosen = {v: i for v, i, _ in path}
        path_rows = [{"step": i + 1, "lever": v, "state": model.spec.states[v][s], "probability": p}
                     for i, (v, s, p) in enumerate(path)]
    after_point = float(_evaluate_sets(q, [chosen])[0]) if chosen else float(before["probability"])
    after_d = _with_draws(q, chosen, post) if chosen else base_d
    mean, low, high = summarise(after_d, hdi_prob)
    after = pd.Series({"probability": after_point, "mean": mean, "low": low, "high": high})
    improves = math.nan if after_d is None or base_d is None else float(np.mean(after_d > base_d))
    path_frame = pd.DataFrame(path_rows, columns=["step", "lever", "state", "probability"])
    return LeverResult(
        q, k, use, evaluated, before, after, {v: model.spec.states[v][i] for v, i in chosen.items()}, improves,
        singles, path_frame, bound, givens(q, t), post,
    )


def givens(q: Question, t: Tornado) -> pd.DataFrame:
    """Contexts that are not modifiable: what shapes the situation.

    Fixed ones (observed or set by the situation) with the probability had each been in each
    other state, the rest fixed as they are (mean network); free ones with their swing.
    """
    model = q.model
    rows = []
    base = float(t.baseline["probability"])
    for node in model.codebook.of_kind("context"):
        if node.modifiable:
            continue
        v = node.id
        sit = q.situation
        if v in sit.fixed:
            how = "observed" if v in sit.given else "set (do)"
            current = sit.given.get(v, sit.do.get(v))
            alternatives = {}
            for s in node.states:
                if s == current:
                    continue
                alt_given = dict(sit.given)
                alt_do = dict(sit.do)
                (alt_given if v in alt_given else alt_do)[v] = s
                alt = q.with_situation(replace(sit, given=alt_given, do=alt_do))
                alternatives[s] = float(answer(alt, model.cpts)[0])
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
    frame = frame.set_index("node")
    key = frame["effect"].abs().fillna(frame["swing"])
    fixed = frame["status"] != "free"  # fixed ones first, each group by size of effect
    return pd.concat([sort_frame(frame[part].assign(_key=key[part]), "_key").drop(columns="_key")
                      for part in (fixed, ~fixed)])
