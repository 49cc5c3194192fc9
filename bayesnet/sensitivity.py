"""Which contexts matter for a target in a situation, which of them can be changed, and which
findings would tell most about it.

Three analyses, each on the posterior-mean network (the point answer) and, where it says so,
over posterior draws of the parameters (all settings share the same draws, so differences
between them are not Monte Carlo noise):

* :func:`tornado` -- one-way context sensitivity. For every context not fixed by the
  situation, ``P(target = state | situation, do(context = x))`` for each state ``x``; the
  *swing* ``max_x - min_x``; its highest-density interval over draws (the per-draw difference
  between the two states that give the max and the min on the mean network); and the
  probability that the swing has the sign shown. Mechanisms too, on request.
* :func:`findings_sensitivity` -- how much observing each node would tell about the target,
  as Netica's "sensitivity to findings" reports it: mutual information (entropy reduction, in
  bits) and variance reduction of the target's state number.
* :func:`bayesnet.levers.levers` (its own module) -- contexts the codebook marks
  ``modifiable: true`` are *levers*: the best single lever and the best set of ``k``, with the
  target's probability and interval before and after; the other contexts are *givens*.

Every sweep comes from one forward-backward pass of :mod:`bayesnet.differential` per set of
draws (intervening on a node replaces its CPT by a one-hot table, and the query is linear in
each CPT), checked in the tests against separate :func:`bayesnet.query.query` calls.
See docs/sensitivity.md for the formulas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet.codebook import KINDS
from bayesnet.differential import Consumer, Gradients, compile_gradients, run_pass
from bayesnet.errors import ParameterError, QueryError, closest
from bayesnet.query import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_SEED, Situation, check_seed, situation
from bayesnet.uncertainty import check_hdi, hdi

if TYPE_CHECKING:
    from bayesnet.model import Model

__all__ = [
    "ContextSweep",
    "Question",
    "Tornado",
    "findings_sensitivity",
    "question",
    "sweep",
    "tornado",
]


@dataclass(frozen=True)
class Question:
    """A resolved analysis question: ``P(target = state | situation)``.

    Attributes
    ----------
    target, state : str
    index : int
        Position of ``state`` among the target's states.
    situation : Situation
    evidence, do : dict
        Node -> state index, as the engines take them.
    """

    target: str
    state: str
    index: int
    situation: Situation
    evidence: dict[str, int]
    do: dict[str, int]

    def describe(self) -> str:
        """``P(collaborative_behaviour = collaborative | scenario=...)``."""
        return f"P({self.target} = {self.state} | {self.situation.describe()})"


def question(
    model: Model,
    target: str,
    *,
    state: str | None = None,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    scenario: str | None = None,
) -> Question:
    """Check and resolve a target, its state (default: the upper state) and a situation.

    Raises
    ------
    QueryError
        Unknown target or state (with the closest names), or a target fixed by the situation.
    """
    if target not in model.codebook:
        raise QueryError(f"unknown target node {target!r}", suggestions=closest(target, model.codebook.ids))
    node = model.codebook[target]
    if state is None:
        state = node.upper
    if state not in node.states:
        raise QueryError(
            f"node {target!r} has no state {state!r}; its states are {', '.join(node.states)}",
            suggestions=closest(str(state), node.states),
        )
    sit = situation(model, given=given, do=do, scenario=scenario)
    if target in sit.fixed:
        how = "observed" if target in sit.given else "intervened on"
        raise QueryError(f"target {target!r} is {how} in this situation; ask about another node")
    states = model.spec.states
    return Question(
        target, state, node.states.index(state), sit,
        {n: states[n].index(s) for n, s in sit.given.items()},
        {n: states[n].index(s) for n, s in sit.do.items()},
    )


def check_analysis_args(
    model: Model, draws: int | None, seed: int, hdi_prob: float, owner: str
) -> tuple[int | None, int, float]:
    """Validate draws (None allowed), seed and HDI probability of an analysis named ``owner``."""
    from bayesnet.model import check_draws

    n = None if draws is None else check_draws(draws, model, owner)
    return n, check_seed(seed, owner), check_hdi(hdi_prob, owner)


def role_of(model: Model, node: str) -> str:
    n = model.codebook[node]
    if n.kind == "context":
        return "lever" if n.modifiable else "given"
    return n.kind


class ContextSweep:
    """Reads ``P(target = state | situation, do(node = x))`` for every draw off a derivative pass.

    Attributes
    ----------
    nodes : list of str
    base : numpy.ndarray
        Shape ``(S,)``: ``P(target = state | situation)``.
    out : dict
        Node -> shape ``(card, S)`` (a node the query does not read gets its baseline in every
        row: intervening on it changes nothing).
    """

    def __init__(self, model: Model, q: Question, nodes: Sequence[str], n_draws: int) -> None:
        self.q = q
        self.nodes = list(nodes)
        self.base = np.empty(n_draws)
        self.out = {v: np.empty((model.spec.card(v), n_draws)) for v in nodes}

    def update(self, g: Gradients) -> None:
        """Read one chunk."""
        sl = g.draws
        self.base[sl] = g.posterior()[self.q.index]
        for v in self.nodes:
            f = g.under_do(v)
            self.out[v][:, sl] = self.base[sl] if f is None else f[self.q.index] / f.sum(axis=0)


def sweep(
    model: Model,
    q: Question,
    nodes: Sequence[str],
    cpts: Mapping[str, np.ndarray],
    n_draws: int,
    *,
    show_progress: bool = False,
    shared: Sequence[Consumer] = (),
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``P(target = state | situation)`` and ``P(target = state | situation, do(node = x))``.

    ``shared`` consumers are fed by the same derivative pass.

    Returns
    -------
    (numpy.ndarray, dict)
        See :class:`ContextSweep`.
    """
    plan = compile_gradients(model.structure, q.target, evidence=list(q.evidence), do=list(q.do))
    consumer = ContextSweep(model, q, nodes, n_draws)
    run_pass(plan, cpts, evidence=q.evidence, do=q.do, n_draws=n_draws, consumers=[consumer, *shared],
             show_progress=show_progress, desc="context sweep")
    return consumer.base, consumer.out


def summarise(samples: np.ndarray | None, hdi_prob: float) -> tuple[float, float, float]:
    if samples is None:
        return (math.nan, math.nan, math.nan)
    low, high = hdi(samples, hdi_prob)[0]
    return float(samples.mean()), float(low), float(high)


@dataclass(frozen=True)
class Tornado:
    """One-way sensitivity of ``P(target = state)`` to each context (and mechanism).

    Attributes
    ----------
    question : Question
    frame : pandas.DataFrame
        One row per swept node, ranked by swing: ``label, kind, role, low_state, high_state,
        p_low_state, p_high_state, swing`` (mean network), ``swing_mean, swing_low,
        swing_high`` (over draws; the HDI), ``p_sign`` (share of draws in which the
        ``high_state`` gives the higher probability).
    states : pandas.DataFrame
        Index ``(node, state)``: ``probability`` (mean network), ``mean, low, high`` (draws).
    baseline : pandas.Series
        ``probability, mean, low, high`` of the target state in the situation.
    hdi_prob : float
    n_draws : int
    seed : int
    """

    question: Question
    frame: pd.DataFrame
    states: pd.DataFrame
    baseline: pd.Series
    hdi_prob: float
    n_draws: int
    seed: int
    draws: Mapping[str, np.ndarray] = field(repr=False, default_factory=dict)
    baseline_draws: np.ndarray | None = field(repr=False, default=None)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        sit = self.question.situation
        return {
            "target": self.question.target, "state": self.question.state, "scenario": sit.scenario,
            "given": dict(sit.given), "do": dict(sit.do), "hdi_prob": self.hdi_prob,
            "draws": self.n_draws, "seed": self.seed,
            "baseline": json_floats(self.baseline.to_dict()),
            "nodes": [json_floats({"node": k, **v}) for k, v in self.frame.to_dict(orient="index").items()],
        }


def json_floats(d: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, float | np.floating):
            out[k] = None if math.isnan(v) else float(v)
        elif isinstance(v, np.integer):
            out[k] = int(v)
        elif isinstance(v, np.bool_):
            out[k] = bool(v)
        else:
            out[k] = v
    return out


def tornado(
    model: Model,
    target: str,
    *,
    state: str | None = None,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    scenario: str | None = None,
    kinds: Sequence[str] = ("context",),
    draws: int | None = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    hdi_prob: float = DEFAULT_HDI,
    show_progress: bool = False,
    shared: Sequence[Consumer] = (),
) -> Tornado:
    """One-way sensitivity (tornado) of ``P(target = state | situation)``.

    Parameters
    ----------
    model : Model
    target : str
    state : str, optional
        Default: the target's upper state.
    given, do, scenario
        The situation, as for :func:`bayesnet.query.query`. Nodes it fixes are not swept.
    kinds : sequence of {'context', 'mechanism', 'outcome'}
        Which nodes to sweep (``("context", "mechanism")`` adds mechanisms).
    draws : int or None
        Posterior draws for the intervals (None: the mean network only).
    seed, hdi_prob
        As for :func:`bayesnet.query.query`.
    show_progress : bool
        A tqdm bar over chunks of draws (only on a terminal).
    shared : sequence of Consumer
        Other analyses of the same question and draws (such as
        :class:`bayesnet.evidence_sensitivity.StudyValue`) to feed from the same derivative pass.

    Returns
    -------
    Tornado

    Examples
    --------
    >>> import bayesnet
    >>> from bayesnet.sensitivity import tornado
    >>> t = tornado(bayesnet.load(), "collaborative_behaviour", scenario="buddying")  # doctest: +SKIP
    >>> t.frame.head()  # doctest: +SKIP
    """
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise ParameterError.out_of_range("kinds", "tornado", f"a non-empty subset of {', '.join(KINDS)}", list(kinds))
    n_draws, seed, hdi_prob = check_analysis_args(model, draws, seed, hdi_prob, "tornado")
    q = question(model, target, state=state, given=given, do=do, scenario=scenario)
    nodes = [n.id for n in model.codebook if n.kind in kinds and n.id not in q.situation.fixed and n.id != target]
    base_point, point = sweep(model, q, nodes, model.cpts, 1)
    base_draws: np.ndarray | None = None
    per_draw: dict[str, np.ndarray] = {}
    if n_draws is not None:
        base_draws, per_draw = sweep(model, q, nodes, model.cpt_draws(n_draws, seed), n_draws,
                                     show_progress=show_progress, shared=shared)
    elif shared:
        raise ParameterError("tornado can feed other analyses only from posterior draws (draws=None was given)")
    rows, state_rows = [], []
    for v in nodes:
        p = point[v][:, 0]
        lo, hi = int(np.argmin(p)), int(np.argmax(p))
        if p[hi] - p[lo] == 0.0:  # no effect: report in state order
            lo, hi = 0, len(p) - 1
        node = model.codebook[v]
        d = per_draw.get(v)
        diff = None if d is None else d[hi] - d[lo]
        mean, low, high = summarise(diff, hdi_prob)
        rows.append({
            "node": v, "label": node.label, "kind": node.kind, "role": role_of(model, v),
            "low_state": node.states[lo], "high_state": node.states[hi],
            "p_low_state": float(p[lo]), "p_high_state": float(p[hi]), "swing": float(p[hi] - p[lo]),
            "swing_mean": mean, "swing_low": low, "swing_high": high,
            "p_sign": math.nan if diff is None else float(np.mean(diff > 0)),
        })
        intervals = hdi(d.T, hdi_prob) if d is not None else None
        for i, s in enumerate(node.states):
            state_rows.append({
                "node": v, "state": s, "probability": float(p[i]),
                "mean": math.nan if d is None else float(d[i].mean()),
                "low": math.nan if intervals is None else float(intervals[i, 0]),
                "high": math.nan if intervals is None else float(intervals[i, 1]),
            })
    frame = pd.DataFrame(rows, columns=[
        "node", "label", "kind", "role", "low_state", "high_state", "p_low_state", "p_high_state", "swing",
        "swing_mean", "swing_low", "swing_high", "p_sign"])
    frame = frame.sort_values(["swing", "node"], ascending=[False, True], kind="stable").set_index("node")
    states = pd.DataFrame(state_rows, columns=["node", "state", "probability", "mean", "low", "high"])
    states = states.set_index(["node", "state"])
    mean, low, high = summarise(base_draws, hdi_prob)
    baseline = pd.Series({"probability": float(base_point[0]), "mean": mean, "low": low, "high": high},
                         name=q.describe())
    return Tornado(q, frame, states, baseline, hdi_prob, n_draws or 0, seed, per_draw, base_draws)


# -- sensitivity to findings --------------------------------------------------------------


def findings_sensitivity(
    model: Model,
    target: str,
    *,
    state: str | None = None,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    scenario: str | None = None,
) -> pd.DataFrame:
    """Mutual information and variance reduction between each node and the target (Netica's
    "sensitivity to findings"), on the posterior-mean network, under the situation.

    For a node ``F`` not fixed by the situation, with ``P`` conditioned on the situation::

        I(T; F) = sum_t sum_f P(t, f) log2( P(t, f) / (P(t) P(f)) )           (bits)
        VR      = V(T) - sum_f P(f) V(T | f),   V(T) = sum_t P(t) (x_t - E[x_T])^2

    with ``x_t`` the state number ``0..k-1`` of the target (for a two-state target,
    ``VR = sum_f P(f) (P(t1 | f) - P(t1))^2``).

    Returns
    -------
    pandas.DataFrame
        Index ``node``, ranked by mutual information: ``label, kind, role, mutual_info,
        mi_percent`` (of the target's entropy), ``variance_reduction, vr_percent`` (of its
        variance), ``p_min, p_max`` (of ``P(target = state | F = f)`` over the node's states).
        Nodes with no path to the target get zero.
    """
    q = question(model, target, state=state, given=given, do=do, scenario=scenario)
    plan = compile_gradients(model.structure, q.target, evidence=list(q.evidence), do=list(q.do), keep="all")
    nodes = [v for v in plan.factors if v != target and v not in q.situation.fixed]
    g = plan.gradients(model.cpts, evidence=q.evidence, do=q.do, nodes=nodes)
    total = float(g.total[0])
    p_t = g.value[:, 0] / total
    x = np.arange(len(p_t), dtype=float)
    var_t = float(np.sum(p_t * (x - np.sum(p_t * x)) ** 2))
    h_t = float(-np.sum(p_t[p_t > 0] * np.log2(p_t[p_t > 0])))
    rows = []
    for v in nodes:
        j = g.joint_with(v)
        assert j is not None
        joint = j[..., 0] / total  # (k_T, card_v)
        p_f = joint.sum(axis=0)
        outer = p_t[:, None] * p_f[None, :]
        nz = joint > 0
        mi = float(np.sum(joint[nz] * np.log2(joint[nz] / outer[nz])))
        seen = p_f > 0
        cond = joint[:, seen] / p_f[seen]
        e_f = (x[:, None] * cond).sum(axis=0)
        var_f = ((x[:, None] - e_f) ** 2 * cond).sum(axis=0)
        vr = var_t - float(np.sum(p_f[seen] * var_f))
        node = model.codebook[v]
        rows.append({
            "node": v, "label": node.label, "kind": node.kind, "role": role_of(model, v),
            "mutual_info": mi, "mi_percent": 100.0 * mi / h_t if h_t > 0 else 0.0,
            "variance_reduction": vr, "vr_percent": 100.0 * vr / var_t if var_t > 0 else 0.0,
            "p_min": float(cond[q.index].min()), "p_max": float(cond[q.index].max()),
        })
    frame = pd.DataFrame(rows, columns=["node", "label", "kind", "role", "mutual_info", "mi_percent",
                                        "variance_reduction", "vr_percent", "p_min", "p_max"])
    frame = frame.sort_values(["mutual_info", "node"], ascending=[False, True], kind="stable").set_index("node")
    frame.attrs.update(question=q.describe(), entropy=h_t, variance=var_t)
    return frame
