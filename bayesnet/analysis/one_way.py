"""One-way sensitivity (the tornado): which contexts move the target most, one at a time.

For every context the situation leaves free (and every mechanism, on request),
``P(target = state | situation, do(node = x))`` for each state ``x`` on the posterior-mean
network; the *swing* ``max_x - min_x``; its highest-density interval over posterior draws
(the per-draw difference between the two states that give the max and the min on the mean
network); and the share of draws in which that difference has the sign shown. Levers
(contexts implementers can change) are told apart from givens.

Every sweep comes from one forward-backward pass (:func:`bayesnet.inference.derivative_pass`):
intervening on a node replaces its CPT by a one-hot table, and the query is linear in each
CPT. Checked in the tests against separate :func:`bayesnet.query` calls. See
docs/sensitivity.md for the formulas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bayesnet.analysis.ranking import TIE, best_index, sort_frame
from bayesnet.checks import check_choice
from bayesnet.engine import Gradients
from bayesnet.errors import ParameterError, QueryError
from bayesnet.inference.evaluation import derivative_pass
from bayesnet.inference.intervals import hdi, summarise
from bayesnet.inference.posteriors import Posterior
from bayesnet.inference.questions import Question
from bayesnet.inference.results import plain
from bayesnet.inputs.codebook import KINDS

__all__ = ["ContextSweep", "Tornado", "context_sweep", "swept_nodes", "tornado"]


def swept_nodes(q: Question, kinds: Sequence[str] = ("context",)) -> list[str]:
    """The nodes a tornado of ``q`` sweeps: those of ``kinds`` the situation leaves free."""
    if isinstance(kinds, str) or not kinds:
        raise ParameterError.out_of_range("kinds", "tornado", f"a non-empty subset of {', '.join(KINDS)}", kinds)
    for k in kinds:
        check_choice(k, "kinds", "tornado", KINDS)
    fixed = q.situation.fixed
    return [n.id for n in q.model.codebook if n.kind in kinds and n.id not in fixed and n.id != q.target]


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

    def __init__(self, q: Question, nodes: Sequence[str], n_draws: int) -> None:
        self.question = q
        self.nodes = list(nodes)
        self.n_draws = n_draws
        self.base = np.empty(n_draws)
        self.out = {v: np.empty((q.model.spec.card(v), n_draws)) for v in nodes}
        self._seen = 0

    def update(self, g: Gradients) -> None:
        """Read one chunk."""
        sl = g.draws
        index = self.question.index
        self.base[sl] = g.posterior()[index]
        for v in self.nodes:
            f = g.under_do(v)
            self.out[v][:, sl] = self.base[sl] if f is None else f[index] / f.sum(axis=0)
        self._seen += len(self.base[sl])

    @property
    def done(self) -> bool:
        """True once every draw has been read."""
        return self._seen == self.n_draws


def context_sweep(
    q: Question, cpts: Any, nodes: Sequence[str], *, show_progress: bool = False
) -> ContextSweep:
    """``P(target = state | situation)`` and ``P(target = state | situation, do(node = x))`` for
    every draw of ``cpts``, from one derivative pass."""
    n_draws = next(iter(cpts.values())).shape[-1]
    consumer = ContextSweep(q, nodes, n_draws)
    derivative_pass(q, cpts, [consumer], show_progress=show_progress, desc="context sweep")
    return consumer


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
    posterior : Posterior or None
        The draws behind the intervals (None: the mean network only).
    draws : dict
        Node -> ``(card, S)``: the probability with the node set to each state, per draw.
    baseline_draws : numpy.ndarray or None
        ``(S,)``: the probability in the situation, per draw.
    """

    question: Question
    frame: pd.DataFrame
    states: pd.DataFrame
    baseline: pd.Series
    posterior: Posterior | None
    draws: Mapping[str, np.ndarray] = field(repr=False, default_factory=dict)
    baseline_draws: np.ndarray | None = field(repr=False, default=None)

    @property
    def n_draws(self) -> int:
        """Posterior draws behind the intervals (0: none)."""
        return 0 if self.posterior is None else self.posterior.n_draws

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        sit = self.question.situation
        post = self.posterior
        return {
            "target": self.question.target, "state": self.question.state, "scenario": sit.scenario,
            "given": dict(sit.given), "do": dict(sit.do), "hdi_prob": None if post is None else post.hdi_prob,
            "draws": self.n_draws, "seed": None if post is None else post.seed,
            "baseline": plain(self.baseline.to_dict()),
            "nodes": [plain({"node": k, **v}) for k, v in self.frame.to_dict(orient="index").items()],
        }


def tornado(
    q: Question,
    post: Posterior | None = None,
    *,
    kinds: Sequence[str] = ("context",),
    sweep: ContextSweep | None = None,
    show_progress: bool = False,
) -> Tornado:
    """One-way sensitivity (tornado) of ``P(target = state | situation)``.

    Parameters
    ----------
    q : Question
        The target, its state and the situation (nodes the situation fixes are not swept).
    post : Posterior, optional
        Posterior draws for the intervals (None: the mean network only).
    kinds : sequence of {'context', 'mechanism', 'outcome'}
        Which nodes to sweep (``("context", "mechanism")`` adds mechanisms).
    sweep : ContextSweep, optional
        The sweep of ``q`` over ``post``'s draws covering these nodes, already run (by a
        derivative pass shared with other analyses, as the report does).
    show_progress : bool
        A tqdm bar over chunks of draws (only on a terminal).

    Returns
    -------
    Tornado

    Examples
    --------
    >>> import bayesnet
    >>> model = bayesnet.load()
    >>> q = bayesnet.question(model, "collaborative_behaviour", scenario="buddying")
    >>> t = bayesnet.tornado(q, bayesnet.posterior(model, draws=200))
    >>> t.frame.index[0] in model.codebook
    True
    """
    model = q.model
    nodes = swept_nodes(q, kinds)
    point_sweep = context_sweep(q, model.cpts, nodes)
    base_point, point = point_sweep.base, point_sweep.out
    base_draws: np.ndarray | None = None
    per_draw: dict[str, np.ndarray] = {}
    if post is not None:
        if sweep is None:
            sweep = context_sweep(q, post.cpts, nodes, show_progress=show_progress)
        elif sweep.question != q or sweep.n_draws != post.n_draws or not sweep.done or not set(nodes) <= set(
                sweep.nodes):
            raise QueryError("the sweep given to tornado answers another question, covers other nodes or "
                             "other draws, or has not been run")
        base_draws, per_draw = sweep.base, sweep.out
    elif sweep is not None:
        raise ParameterError("tornado reads a sweep of posterior draws only with the posterior (post) it ran on")
    hdi_prob = post.hdi_prob if post is not None else math.nan
    rows, state_rows = [], []
    for v in nodes:
        p = point[v][:, 0]
        lo, hi = best_index(p, largest=False), best_index(p)
        if p[hi] - p[lo] <= TIE:  # no effect: report in state order
            lo, hi = 0, len(p) - 1
        node = model.codebook[v]
        d = per_draw.get(v)
        diff = None if d is None else d[hi] - d[lo]
        mean, low, high = summarise(diff, hdi_prob)
        rows.append({
            "node": v, "label": node.label, "kind": node.kind, "role": node.role,
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
    frame = sort_frame(frame.set_index("node"), "swing")
    states = pd.DataFrame(state_rows, columns=["node", "state", "probability", "mean", "low", "high"])
    states = states.set_index(["node", "state"])
    mean, low, high = summarise(base_draws, hdi_prob)
    baseline = pd.Series({"probability": float(base_point[0]), "mean": mean, "low": low, "high": high},
                         name=q.describe())
    return Tornado(q, frame, states, baseline, post, per_draw, base_draws)


