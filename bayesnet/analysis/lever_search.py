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
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet.analysis.one_way import Tornado, tornado
from bayesnet.analysis.ranking import best_index, rank, sort_frame, tie_groups
from bayesnet.checks import check_choice, check_positive_int
from bayesnet.display import Card, bar_chart, draws_note, interval_text
from bayesnet.errors import QueryError
from bayesnet.inference.evaluation import answer, gradients
from bayesnet.inference.intervals import summarise
from bayesnet.inference.posteriors import Posterior
from bayesnet.inference.questions import Question
from bayesnet.inference.results import plain

if TYPE_CHECKING:
    from bayesnet.display.charts import Axes

__all__ = ["MAX_EXACT", "LeverResult", "givens", "levers"]

MAX_EXACT = 20_000
"""Most lever-state combinations the exact best-set search evaluates before going greedy."""
_BATCH = 2048


TOP_SETS = 10
"""Sets of levers the search keeps from the posterior-mean network and evaluates over every
posterior draw (more when the tenth is tied with the next ones)."""
TIED = 1e-9
"""Sets (or single levers) whose headline gains differ by less than this are tied."""


@dataclass(frozen=True)
class LeverResult:
    """The best levers for a situation, how sure the ranking is, and the givens that shape it.

    Attributes
    ----------
    question : Question
    k : int
    method : {'exact', 'greedy'}
    evaluated : int
        Lever-state combinations evaluated on the posterior-mean network.
    before, after : pandas.Series
        ``probability`` (the headline: the mean over draws), ``low``, ``high`` (its HDI) and
        ``network`` of the target state without and with the best set.
    best_set : dict
        Lever -> state: the set with the largest headline gain.
    p_improves : float
        Share of draws in which the best set raises the probability (paired draws).
    singles : pandas.DataFrame
        Each lever at its best state, ranked by gain: ``rank`` (tied levers share one),
        ``label, state, probability, gain, low, high`` (the HDI of the paired gain),
        ``p_improves``, ``tied``.
    sets : pandas.DataFrame
        The best sets of ``k`` levers the search found, ranked by headline gain: ``rank`` (tied
        sets share one), ``levers`` (``a=x, b=y``), ``probability, gain, low, high`` (HDI of the
        paired gain), ``p_best`` (share of draws in which the set gives the largest gain of the
        sets listed), ``tied`` (a gain within :data:`TIED` of another set's), ``network``;
        ``label`` writes the set with labels (``Quick wins = present, ...``).
    path : pandas.DataFrame
        The best set, lever by lever, with the probability after adding each.
    bound : float or None
        Greedy only: the highest probability any set of ``k`` levers could reach on the
        posterior-mean network *if* the levers have diminishing returns (see :func:`levers`).
    givens : pandas.DataFrame
        Contexts that are not modifiable: those fixed by the situation with the probability
        had they been otherwise, and the others with their swing.
    posterior : Posterior or None
    set_draws : numpy.ndarray or None
        ``(set, S)``: the probability with each set of :attr:`sets` (in its order) per draw.
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
    sets: pd.DataFrame
    path: pd.DataFrame
    bound: float | None
    givens: pd.DataFrame
    posterior: Posterior | None
    set_draws: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_draws(self) -> int:
        """Posterior draws behind the intervals (0: none)."""
        return 0 if self.posterior is None else self.posterior.n_draws

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return plain({
            "target": self.question.target, "state": self.question.state,
            "situation": self.question.situation.describe(), "k": self.k, "method": self.method,
            "evaluated": self.evaluated, "before": self.before.to_dict(), "after": self.after.to_dict(),
            "best_set": dict(self.best_set), "p_improves": self.p_improves, "bound": self.bound,
            "hdi_prob": None if self.posterior is None else self.posterior.hdi_prob, "draws": self.n_draws,
            "singles": [{"lever": k, **v} for k, v in self.singles.to_dict(orient="index").items()],
            "sets": self.sets.to_dict(orient="records"),
            "path": self.path.to_dict(orient="records"),
            "givens": [{"node": k, **v} for k, v in self.givens.to_dict(orient="index").items()],
        })

    def headline_text(self) -> str:
        """The answer in words: the best set, what it does to the probability, how sure the
        ranking is, and the sets tied with it."""
        q = self.question
        hdi_prob = None if self.posterior is None else self.posterior.hdi_prob
        what = f"P({q.label(q.target)} = {q.state})"
        if not self.best_set:
            return f"No lever is left free: {what} stays {self.before['probability']:.3f}."
        top = self.sets.iloc[0]
        text = (f"Best {'lever' if self.k == 1 else f'set of {self.k} levers'}: {top['label']}, "
                f"{what} from {self.before['probability']:.3f} to {top['probability']:.3f} "
                f"(gain {interval_text(top['gain'], top['low'], top['high'], hdi_prob=hdi_prob, signed=True)}")
        text += f"; best in {top['p_best']:.0%} of draws)" if self.posterior is not None else ")"
        tied = [str(x) for x in self.sets["label"].iloc[1:][self.sets["rank"].iloc[1:] == top["rank"]]]
        if tied:
            text += f", tied with {'; '.join(tied)}"
        return text + "."

    def _card(self) -> Card:
        q = self.question
        sets = self.sets[["rank", "label", "probability", "gain", "low", "high", "p_best", "tied"]].set_index("rank")
        singles = self.singles[["rank", "label", "state", "probability", "gain", "low", "high", "p_improves",
                                "tied"]].set_index("rank")
        return Card(
            title=f"Levers for P({q.label(q.target)} = {q.state} | {q.situation_text()})",
            headline=self.headline_text(),
            tables=[(f"Best sets of {self.k} ({self.method} search)", sets.rename(columns={"label": "set"})),
                    ("Each lever alone, at its best state", singles.rename(columns={"label": "lever"}))],
            note=draws_note(self.n_draws, None if self.posterior is None else self.posterior.hdi_prob,
                            None if self.posterior is None else self.posterior.seed)
            + " Setting a lever is an intervention (do); gains are paired over the same draws.",
            formats={"gain": "+.3f", "low": "+.3f", "high": "+.3f", "p_best": ".0%", "p_improves": ".0%"},
            max_rows=8,
        )

    def _repr_html_(self) -> str:
        return self._card().to_html()

    def plot(self, ax: Axes | None = None, *, kind: str = "singles", top: int = 15) -> Axes:
        """The gain of each lever alone at its best state (``kind='singles'``) or of each best set
        (``kind='sets'``), with the interval of the paired gain, largest first.

        Returns
        -------
        matplotlib.axes.Axes
        """
        kind = check_choice(kind, "kind", "LeverResult.plot", ("singles", "sets"))
        q = self.question
        frame = (self.singles if kind == "singles" else self.sets).head(top)
        labels = ([f"{r['label']} = {r['state']}" for _, r in frame.iterrows()] if kind == "singles"
                  else [str(x).replace(", ", ",\n") for x in frame["label"]])
        has = self.posterior is not None
        return bar_chart(
            ax, labels, frame["gain"].to_numpy(), frame["low"].to_numpy() if has else None,
            frame["high"].to_numpy() if has else None,
            xlabel=f"gain in P({q.label(q.target)} = {q.state}) over this situation"
            + (f" ({self.posterior.hdi_prob:.0%} interval of the paired gain)" if has and self.posterior else ""),
            title="Each lever alone" if kind == "singles" else f"Best sets of {self.k} levers",
        )


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


class _SetDraws:
    """``P(target = state | situation, do(set))`` per posterior draw, each set answered once:
    single levers come from the tornado's sweep (the same quantity, already computed over
    the same draws), other sets from :func:`_with_draws`."""

    def __init__(self, q: Question, post: Posterior | None, t: Tornado) -> None:
        self.q, self.post = q, post
        self.known: dict[frozenset[tuple[str, int]], np.ndarray] = {}
        if post is not None:
            for v, d in t.draws.items():
                for i in range(d.shape[0]):
                    self.known[frozenset({(v, i)})] = d[i]

    def __call__(self, chosen: Mapping[str, int]) -> np.ndarray | None:
        if self.post is None:
            return None
        key = frozenset(chosen.items())
        if key not in self.known:
            out = _with_draws(self.q, chosen, self.post)
            assert out is not None
            self.known[key] = out
        return self.known[key]


def _with_draws(q: Question, chosen: Mapping[str, int], post: Posterior | None) -> np.ndarray | None:
    """``P(target = state | situation, do(chosen))`` for every posterior draw.

    Setting a node is replacing its CPT by the one-hot table of the state set, in every
    column (:func:`bayesnet.engine.intervene_columns`), so every set is answered through
    ``q``'s own compiled contraction: one plan for all the sets a search evaluates, instead
    of one plan search per set."""
    if post is None:
        return None
    per_column = {v: np.full(post.n_draws, i) for v, i in chosen.items()}
    return answer(q, post.cpts, per_column=per_column) if per_column else answer(q, post.cpts)


def _greedy(q: Question, candidates: list[str], k: int) -> tuple[list[dict[str, int]], int, float]:
    """Add the lever-state pair that most raises the probability, ``k`` times.

    Returns the short list (the greedy set first, then the same first ``k - 1`` levers with
    each of the next best last ones), the number of evaluations, and the bound ``p(G) + sum of
    the k best remaining single gains at G``.
    """
    model = q.model
    chosen: dict[str, int] = {}
    shortlist: list[dict[str, int]] = []
    evaluated = 0
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
            return shortlist, evaluated, current + float(sum(gains[:k]))
        names = sorted(best)
        order = rank(np.array([best[n][1] for n in names]), names)
        if step == k - 1:
            shortlist = [{**chosen, names[j]: best[names[j]][0]} for j in order[:TOP_SETS]]
        chosen[names[order[0]]] = best[names[order[0]]][0]
    return shortlist, evaluated, math.nan


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
    before = t.baseline
    base_d = t.baseline_draws
    singles_rows = []
    for v in candidates:
        p = t.states.loc[v, "probability"].to_numpy()
        i = best_index(p)
        d = t.draws.get(v)
        gain_draws = None if d is None or base_d is None else d[i] - base_d
        singles_rows.append({"lever": v, "label": model.codebook[v].label, "state": model.spec.states[v][i],
                             "probability": float(p[i]), **_gain(float(p[i]) - before["probability"], gain_draws,
                                                                 post)})
    singles = _ranked(pd.DataFrame(singles_rows, columns=["lever", "label", "state", "probability", "gain", "low",
                                                          "high", "p_improves"]).set_index("lever"))
    k = min(int(k), len(candidates))
    combos = sum(math.prod(model.spec.card(v) for v in c) for c in itertools.combinations(candidates, k)) if k else 0
    use = method if method != "auto" else ("exact" if combos <= max_exact else "greedy")
    bound: float | None = None
    if k == 0:
        shortlist: list[dict[str, int]] = [{}]
        use, evaluated = "exact", 0
    elif use == "exact":
        sets = [dict(zip(c, st, strict=True)) for c in itertools.combinations(candidates, k)
                for st in itertools.product(*(range(model.spec.card(v)) for v in c))]
        values = _evaluate_sets(q, sets)
        evaluated = len(sets)
        shortlist = [sets[i] for i in _shortlist(values)]
    else:
        shortlist, evaluated, bound = _greedy(q, candidates, k)
    set_draws = _SetDraws(q, post, t)
    ranked = _rank_sets(q, shortlist, post, before, base_d, set_draws=set_draws)
    chosen = ranked.chosen
    after = ranked.after
    path_rows = []
    partial: dict[str, int] = {}
    for v in [v for v in singles.index if v in chosen]:
        partial[v] = chosen[v]
        path_rows.append({"step": len(partial), "lever": v, "state": model.spec.states[v][chosen[v]],
                          "probability": _headline(q, dict(partial), set_draws)})
    path_frame = pd.DataFrame(path_rows, columns=["step", "lever", "state", "probability"])
    return LeverResult(
        q, k, use, evaluated, before, after, {v: model.spec.states[v][i] for v, i in chosen.items()},
        ranked.p_improves, singles, ranked.frame, path_frame, bound, givens(q, t), post, ranked.draws,
    )


@dataclass(frozen=True)
class _RankedSets:
    frame: pd.DataFrame
    chosen: dict[str, int]
    after: pd.Series
    p_improves: float
    draws: np.ndarray | None


def _gain(gain: float, draws: np.ndarray | None, post: Posterior | None) -> dict[str, float]:
    """``gain`` with the HDI of its paired draws and the share of draws in which it is positive."""
    if draws is None or post is None:
        return {"gain": gain, "low": math.nan, "high": math.nan, "p_improves": math.nan}
    _, low, high = summarise(draws, post.hdi_prob)
    return {"gain": gain, "low": low, "high": high, "p_improves": float(np.mean(draws > 0))}


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted by ``gain`` (ties within :data:`TIED` by index), with ``rank`` (shared by
    tied rows) and ``tied``."""
    frame = sort_frame(frame, "gain", tol=TIED)
    order, groups = tie_groups(frame["gain"].to_numpy(), tol=TIED)
    group_of = np.empty(len(frame), dtype=int)
    group_of[order] = groups
    first = {g: int(np.flatnonzero(group_of == g).min()) + 1 for g in set(group_of)}
    sizes = {g: int(np.sum(group_of == g)) for g in set(group_of)}
    frame.insert(0, "rank", [first[g] for g in group_of])
    frame["tied"] = [sizes[g] > 1 for g in group_of]
    return frame


def _shortlist(values: np.ndarray) -> list[int]:
    """Positions of the :data:`TOP_SETS` best values, and of every value tied with the last."""
    order, groups = tie_groups(values, tol=TIED)
    if len(order) <= TOP_SETS:
        return [int(i) for i in order]
    last = groups[TOP_SETS - 1]
    return [int(i) for i, g in zip(order, groups, strict=True) if g <= last]


def _headline(q: Question, chosen: dict[str, int], set_draws: _SetDraws) -> float:
    """The headline probability with ``chosen`` set: the mean over draws (or the network's)."""
    draws = set_draws(chosen)
    return float(_evaluate_sets(q, [chosen])[0]) if draws is None else float(draws.mean())


def _rank_sets(
    q: Question, shortlist: Sequence[dict[str, int]], post: Posterior | None, before: pd.Series,
    base_d: np.ndarray | None, *, set_draws: _SetDraws,
) -> _RankedSets:
    """The short-listed sets over every draw: headline gain, its HDI, P(best), ties."""
    states = q.model.spec.states
    network = _evaluate_sets(q, shortlist)
    per_draw = [set_draws(dict(s)) for s in shortlist]
    rows = []
    wins = np.zeros(len(shortlist))
    if post is not None and base_d is not None:
        stacked = np.stack([d for d in per_draw if d is not None])  # (sets, S)
        best = stacked.max(axis=0)
        winners = stacked >= best - TIED  # a draw's tie is shared
        wins = (winners / winners.sum(axis=0)).mean(axis=1)
    for i, (chosen, d) in enumerate(zip(shortlist, per_draw, strict=True)):
        probability = float(network[i]) if d is None else float(d.mean())
        gain_draws = None if d is None or base_d is None else d - base_d
        name = ", ".join(f"{v}={states[v][x]}" for v, x in chosen.items())
        words = ", ".join(f"{q.label(v)} = {states[v][x]}" for v, x in chosen.items())
        rows.append({"set": i, "levers": name, "label": words, "probability": probability,
                     **_gain(probability - float(before["probability"]), gain_draws, post),
                     "p_best": float(wins[i]) if post is not None else math.nan, "network": float(network[i])})
    frame = _ranked(pd.DataFrame(rows).set_index("set"))
    top = int(frame.index[0])
    chosen = dict(shortlist[top])
    d = per_draw[top]
    mean, low, high = summarise(d, post.hdi_prob if post is not None else math.nan)
    after = pd.Series({"probability": float(network[top]) if d is None else mean, "low": low, "high": high,
                       "network": float(network[top])})
    p_improves = float(frame.loc[top, "p_improves"])
    order = [int(i) for i in frame.index]
    draws = None if post is None else np.stack([per_draw[i] for i in order])  # type: ignore[misc]
    frame = frame.reset_index(drop=True)[["rank", "levers", "label", "probability", "gain", "low", "high", "p_improves",
                                          "p_best", "tied", "network"]]
    return _RankedSets(frame, chosen, after, p_improves, draws)


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
