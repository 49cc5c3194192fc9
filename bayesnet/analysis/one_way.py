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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet.analysis.ranking import TIE, best_index, sort_frame
from bayesnet.checks import check_choice
from bayesnet.display import Card, draws_note, interval_text, range_chart
from bayesnet.engine import Gradients
from bayesnet.errors import ParameterError, QueryError
from bayesnet.inference.evaluation import derivative_pass
from bayesnet.inference.intervals import summarise
from bayesnet.inference.posteriors import Posterior
from bayesnet.inference.questions import Question
from bayesnet.inference.results import plain
from bayesnet.inputs.codebook import KINDS

if TYPE_CHECKING:
    from bayesnet.display.charts import Axes

__all__ = ["TORNADO_COLUMNS", "ContextSweep", "Tornado", "context_sweep", "swept_nodes", "tornado"]

TORNADO_COLUMNS = (
    "node", "label", "kind", "role", "low_state", "high_state",
    "p_low_state", "p_low_state_low", "p_low_state_high",
    "p_high_state", "p_high_state_low", "p_high_state_high",
    "swing", "swing_low", "swing_high", "p_same_direction",
)
"""Columns of :attr:`Tornado.frame` (``node`` is its index)."""


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
        One row per swept node, ranked by swing (ties within rounding by node id). The bar's
        ends are ``p_low_state`` and ``p_high_state``: the probability with the node set to the
        state that gives the lowest and the highest (means over draws, the headline), each
        with its HDI (``p_low_state_low``, ``p_low_state_high`` ...); ``swing`` is their
        difference, ``swing_low``, ``swing_high`` the HDI of that difference draw by draw, and
        ``p_same_direction`` the share of draws in which ``high_state`` does give the higher
        probability. Without a posterior the ends are the posterior-mean network's answers.
    states : pandas.DataFrame
        Index ``(node, state)``: ``probability`` (the headline), ``low, high`` (its HDI),
        ``network`` (the posterior-mean network).
    baseline : pandas.Series
        ``probability`` (the headline), ``low``, ``high``, ``network`` of the target state in
        the situation.
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

    def headline_text(self) -> str:
        """The answer in words: which node moves the probability most, from what to what, and
        the nodes tied with it."""
        q = self.question
        base = self.baseline
        hdi_prob = None if self.posterior is None else self.posterior.hdi_prob
        now = interval_text(base["probability"], base["low"], base["high"], hdi_prob=hdi_prob)
        if self.frame.empty:
            return f"P({q.label(q.target)} = {q.state}) = {now}; the situation fixes every node a tornado sweeps."
        top = self.frame.iloc[0]
        tied = [r["label"] for _, r in self.frame.iloc[1:].iterrows() if abs(r["swing"] - top["swing"]) <= TIE]
        text = (f"{top['label']} matters most: from {top['low_state']} to {top['high_state']} it moves "
                f"P({q.label(q.target)} = {q.state}) from {top['p_low_state']:.3f} to {top['p_high_state']:.3f} "
                f"(swing {interval_text(top['swing'], top['swing_low'], top['swing_high'], hdi_prob=hdi_prob)})")
        if tied:
            text += f", tied with {', '.join(tied)}"
        return f"{text}. Now: {now}."

    def _card(self) -> Card:
        q = self.question
        shown = self.frame[["label", "role", "low_state", "high_state", "p_low_state", "p_high_state", "swing",
                            "swing_low", "swing_high", "p_same_direction"]].set_index("label")
        return Card(
            title=f"What matters most for P({q.label(q.target)} = {q.state} | {q.situation_text()})",
            headline=self.headline_text(),
            tables=[("One node at a time, set to each of its states", shown)],
            note=draws_note(self.n_draws, None if self.posterior is None else self.posterior.hdi_prob,
                            None if self.posterior is None else self.posterior.seed)
            + " p same direction: share of draws in which the high state gives the higher probability.",
            formats={"swing": "+.3f", "swing_low": "+.3f", "swing_high": "+.3f", "p_same_direction": ".0%"},
        )

    def _repr_html_(self) -> str:
        return self._card().to_html()

    def plot(self, ax: Axes | None = None, *, top: int = 15, roles: Sequence[str] | None = None) -> Axes:
        """Bars from the lowest to the highest probability as each node is set to each of its
        states, widest first, each end with its interval, coloured by role (levers green,
        givens grey, mechanisms blue); dashed: the situation's probability.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
        top : int
            Bars drawn.
        roles : sequence of str, optional
            Only these roles (``'lever'``, ``'given'``, ``'mechanism'``); default all.

        Returns
        -------
        matplotlib.axes.Axes
        """
        q = self.question
        frame = self.frame if roles is None else self.frame[self.frame["role"].isin(list(roles))]
        frame = frame.head(top)
        base = float(self.baseline["probability"])
        post = self.posterior
        has = post is not None
        whiskers = f"; whiskers: {post.hdi_prob:.0%} interval at each end" if post is not None else ""
        return range_chart(
            ax,
            [f"{r['label']}\n{r['low_state']} \u2192 {r['high_state']}" for _, r in frame.iterrows()],
            frame["p_low_state"].to_numpy(), frame["p_high_state"].to_numpy(),
            left_interval=(frame["p_low_state_low"].to_numpy(), frame["p_low_state_high"].to_numpy()) if has else None,
            right_interval=(frame["p_high_state_low"].to_numpy(), frame["p_high_state_high"].to_numpy())
            if has else None,
            roles=list(frame["role"]), baseline=base,
            xlabel=f"P({q.label(q.target)} = {q.state})\n(dashed: this situation, {base:.3f}{whiskers})",
            title="One node at a time, set to each of its states",
        )


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
        net = point[v][:, 0]
        d = per_draw.get(v)
        p = net if d is None else d.mean(axis=1)  # the headline: the mean over draws
        lo, hi = best_index(p, largest=False), best_index(p)
        if p[hi] - p[lo] <= TIE:  # no effect: report in state order
            lo, hi = 0, len(p) - 1
        node = model.codebook[v]
        diff = None if d is None else d[hi] - d[lo]
        _, swing_low, swing_high = summarise(diff, hdi_prob)
        _, lo_low, lo_high = summarise(None if d is None else d[lo], hdi_prob)
        _, hi_low, hi_high = summarise(None if d is None else d[hi], hdi_prob)
        rows.append({
            "node": v, "label": node.label, "kind": node.kind, "role": node.role,
            "low_state": node.states[lo], "high_state": node.states[hi],
            "p_low_state": float(p[lo]), "p_low_state_low": lo_low, "p_low_state_high": lo_high,
            "p_high_state": float(p[hi]), "p_high_state_low": hi_low, "p_high_state_high": hi_high,
            "swing": float(p[hi] - p[lo]), "swing_low": swing_low, "swing_high": swing_high,
            "p_same_direction": math.nan if diff is None else float(np.mean(diff > 0)),
        })
        for i, st in enumerate(node.states):
            _, low, high = summarise(None if d is None else d[i], hdi_prob)
            state_rows.append({"node": v, "state": st, "probability": float(p[i]), "low": low, "high": high,
                               "network": float(net[i])})
    frame = pd.DataFrame(rows, columns=list(TORNADO_COLUMNS))
    frame = sort_frame(frame.set_index("node"), "swing")
    states = pd.DataFrame(state_rows, columns=["node", "state", "probability", "low", "high", "network"])
    states = states.set_index(["node", "state"])
    mean, low, high = summarise(base_draws, hdi_prob)
    headline = float(base_point[0]) if base_draws is None else mean
    baseline = pd.Series({"probability": headline, "low": low, "high": high, "network": float(base_point[0])},
                         name=q.describe())
    return Tornado(q, frame, states, baseline, post, per_draw, base_draws)


