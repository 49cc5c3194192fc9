"""Situations compared as paired contrasts, the way a trial reports a difference.

Every situation is answered over the same posterior draws (common random numbers), so the
difference between two situations is computed draw by draw: its mean, its highest-density
interval and the share of draws in which one is higher (``P(higher)``). Two intervals that
overlap can still hide a difference that is positive in 95% of the draws; the contrast says
so.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet.defaults import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_SEED
from bayesnet.display import Card, draws_note, interval_chart, interval_text
from bayesnet.errors import QueryError, closest
from bayesnet.inference.evaluation import answer
from bayesnet.inference.intervals import summarise
from bayesnet.inference.posteriors import Posterior, checked_posterior
from bayesnet.inference.questions import Question, question
from bayesnet.inference.results import plain

if TYPE_CHECKING:
    from bayesnet.build.model import Model
    from bayesnet.display.charts import Axes

__all__ = ["Comparison", "compare", "contrast", "versus"]


@dataclass(frozen=True)
class Comparison:
    """``P(target = state)`` in several situations, and their paired contrasts.

    Attributes
    ----------
    questions : tuple of Question
        One per situation; the same target and state.
    names : tuple of str
        A name for each situation (its scenario, or a description).
    posterior : Posterior
    draws : numpy.ndarray
        ``(situation, S)``: the probability in each situation under each draw.
    network : numpy.ndarray
        ``(situation,)``: the posterior-mean network's answers.
    baseline : int
        Position of the situation the others are contrasted with.
    all_pairs : bool
        Whether :attr:`contrasts` holds every pair, not only each situation against the baseline.
    """

    questions: tuple[Question, ...]
    names: tuple[str, ...]
    posterior: Posterior
    draws: np.ndarray
    network: np.ndarray
    baseline: int
    all_pairs: bool = False

    @property
    def target(self) -> str:
        """The node compared."""
        return self.questions[0].target

    @property
    def state(self) -> str:
        """Its state whose probability is compared."""
        return self.questions[0].state

    @property
    def situations(self) -> pd.DataFrame:
        """One row per situation: ``probability`` (the headline: the mean over draws), ``low``,
        ``high`` (its HDI), ``network`` (the posterior-mean network) and the situation."""
        rows = []
        for name, q, d, net in zip(self.names, self.questions, self.draws, self.network, strict=True):
            mean, low, high = summarise(d, self.posterior.hdi_prob)
            rows.append({"situation": name, "probability": mean, "low": low, "high": high, "network": float(net),
                         "described": q.situation.describe()})
        return pd.DataFrame(rows).set_index("situation")

    def _pairs(self) -> list[tuple[int, int]]:
        n = len(self.names)
        if self.all_pairs:
            return [(i, j) for j in range(n) for i in range(n) if i > j]
        return [(i, self.baseline) for i in range(n) if i != self.baseline]

    @property
    def contrasts(self) -> pd.DataFrame:
        """One row per contrast ``situation - baseline``: ``difference`` (mean of the paired
        difference), ``low``, ``high`` (its HDI) and ``p_higher`` (share of draws in which the
        situation is higher than the baseline)."""
        rows = []
        for i, j in self._pairs():
            diff = self.draws[i] - self.draws[j]
            mean, low, high = summarise(diff, self.posterior.hdi_prob)
            rows.append({"situation": self.names[i], "baseline": self.names[j], "difference": mean, "low": low,
                         "high": high, "p_higher": float(np.mean(diff > 0))})
        return pd.DataFrame(rows, columns=["situation", "baseline", "difference", "low", "high", "p_higher"])

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the situations and the contrasts, with the draws behind them."""
        post = self.posterior
        return plain({
            "target": self.target, "state": self.state, "baseline": self.names[self.baseline],
            "hdi_prob": post.hdi_prob, "draws": post.n_draws, "seed": post.seed,
            "situations": [{"situation": k, **v} for k, v in self.situations.to_dict(orient="index").items()],
            "contrasts": self.contrasts.to_dict(orient="records"),
        })

    def label(self, name: str) -> str:
        """A situation's name in words: a scenario's label for a scenario's id."""
        scenarios = self.questions[0].model.scenarios
        return scenarios[name].label if name in scenarios.ids else name

    def headline_text(self) -> str:
        """The comparison in words: the highest situation, and for two situations (or against
        the baseline) the paired difference with its interval and ``P(higher)``."""
        sits, con = self.situations, self.contrasts
        hdi_prob = self.posterior.hdi_prob
        top = sits["probability"].idxmax()
        row = sits.loc[top]
        now = interval_text(row["probability"], row["low"], row["high"], hdi_prob=hdi_prob)
        text = f"Highest: {self.label(top)}, {now}"
        if len(con) == 1 or not self.all_pairs:
            best = con.iloc[int(np.argmax(np.abs(con["difference"].to_numpy())))]
            text += (f". {self.label(best['situation'])} minus {self.label(best['baseline'])}: "
                     f"{interval_text(best['difference'], best['low'], best['high'], hdi_prob=hdi_prob, signed=True)}, "
                     f"higher in {best['p_higher']:.0%} of draws")
        return text

    def _card(self) -> Card:
        q = self.questions[0]
        sits = self.situations.drop(columns=["network", "described"]).rename(index=self.label)
        con = self.contrasts
        con = con.assign(situation=con["situation"].map(self.label), baseline=con["baseline"].map(self.label))
        con = con.set_index(["situation", "baseline"])
        return Card(
            title=f"P({q.label(self.target)} = {self.state}) in {len(self.names)} situations",
            headline=self.headline_text(),
            tables=[("Each situation", sits), ("Paired contrasts (the same draws on both sides)", con)],
            note=draws_note(self.posterior.n_draws, self.posterior.hdi_prob, self.posterior.seed),
            formats={"difference": "+.3f", "low": ".3f", "high": ".3f", "p_higher": ".0%"},
        )

    def _repr_html_(self) -> str:
        return self._card().to_html()

    def plot(self, ax: Axes | None = None, *, kind: str = "situations") -> Axes:
        """Draw the situations (``kind='situations'``: each probability with its interval, the
        baseline red) or the paired contrasts (``kind='contrasts'``: each difference with its
        interval, a dashed line at zero).

        Returns
        -------
        matplotlib.axes.Axes
        """
        label = f"P({self.questions[0].label(self.target)} = {self.state})"
        if kind == "contrasts":
            con = self.contrasts
            pairs = zip(con["situation"], con["baseline"], strict=True)
            names = [f"{self.label(a)} - {self.label(b)}" for a, b in pairs]
            return interval_chart(ax, names, con["difference"].to_numpy(), con["low"].to_numpy(),
                                  con["high"].to_numpy(), xlabel=f"difference in {label} (paired draws)",
                                  reference=0.0, limits=None)
        if kind != "situations":
            raise QueryError(f"unknown plot kind {kind!r}; use 'situations' or 'contrasts'",
                             suggestions=closest(kind, ("situations", "contrasts")))
        sits = self.situations
        return interval_chart(ax, [self.label(n) for n in sits.index], sits["probability"].to_numpy(),
                              sits["low"].to_numpy(), sits["high"].to_numpy(), xlabel=label,
                              highlight=[i == self.baseline for i in range(len(sits))])

    def __repr__(self) -> str:
        post = self.posterior
        lines = [f"P({self.target} = {self.state}): mean and {post.hdi_prob:.0%} HDI over {post.n_draws} draws"]
        for name, r in self.situations.iterrows():
            lines.append(f"  {name:<28} {r['probability']:.3f}  [{r['low']:.3f}, {r['high']:.3f}]")
        lines.append(f"Paired contrasts (the same draws on both sides), {post.hdi_prob:.0%} HDI of the difference:")
        lines.extend(f"  {r.situation} - {r.baseline}: {r.difference:+.3f}  [{r.low:+.3f}, {r.high:+.3f}]  "
                     f"P(higher) {r.p_higher:.2f}" for r in self.contrasts.itertuples(index=False))
        return "\n".join(lines)


def contrast(
    questions: Sequence[Question],
    post: Posterior,
    *,
    names: Sequence[str] | None = None,
    baseline: int = 0,
    all_pairs: bool = False,
) -> Comparison:
    """Answer every question over the same draws and contrast them.

    Parameters
    ----------
    questions : sequence of Question
        At least two, about the same target and state, in different situations.
    post : Posterior
    names : sequence of str, optional
        One per question (default: each situation's description).
    baseline : int
        Position of the question the others are contrasted with.
    all_pairs : bool
        Contrast every pair, not only each with the baseline.

    Raises
    ------
    QueryError
        Fewer than two questions, questions about different targets or models, a bad name list.
    """
    qs = tuple(questions)
    if len(qs) < 2:
        raise QueryError("a comparison needs at least two situations")
    first = qs[0]
    for q in qs[1:]:
        if q.model is not first.model or q.target != first.target or q.state != first.state:
            raise QueryError("every situation of a comparison must ask about the same target and state of one model")
    labels = tuple(names) if names is not None else tuple(q.situation.describe() for q in qs)
    if len(labels) != len(qs) or len(set(labels)) != len(labels):
        raise QueryError(f"give one distinct name per situation; got {list(labels)}")
    if not 0 <= baseline < len(qs):
        raise QueryError(f"the baseline must be one of the {len(qs)} situations; got position {baseline}")
    draws = np.stack([answer(q, post.cpts) for q in qs])
    network = np.array([float(answer(q, first.model.cpts)[0]) for q in qs])
    return Comparison(qs, labels, post, draws, network, baseline, all_pairs)


def versus(q: Question, post: Posterior, settings: Mapping[str, str]) -> Comparison:
    """``q`` contrasted with the same question where some of its interventions set other states.

    Parameters
    ----------
    q : Question
        A question with interventions (``do``).
    post : Posterior
    settings : mapping
        Node -> the other state; every node must be one ``q`` intervenes on.

    Returns
    -------
    Comparison
        Of ``q`` (first) against the other settings (the baseline).

    Raises
    ------
    QueryError
        A node ``q`` does not set, or an unknown state.
    """
    if len(q.targets) != 1:
        raise QueryError("a contrast asks about one target; name one")
    sit = q.situation
    for node in settings:
        if node not in sit.do:
            raise QueryError(f"--vs names {node!r}, which the question does not set; set it with --do "
                             f"{node}=STATE and contrast it with --vs {node}=OTHER", suggestions=closest(node, sit.do))
    checked = q.model.codebook.resolve(dict(settings), what="vs")
    other = q.with_situation(replace(sit, do={**sit.do, **checked}))
    mine = ", ".join(f"{k}={sit.do[k]}" for k in checked)
    theirs = ", ".join(f"{k}={v}" for k, v in checked.items())
    if mine == theirs:
        raise QueryError(f"--vs sets the same states as --do ({theirs}); give another state to contrast with")
    return contrast([q, other], post, names=[f"do {mine}", f"do {theirs}"], baseline=1)


def compare(
    model: Model,
    target: str,
    scenarios: Sequence[str | None],
    *,
    state: str | None = None,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    baseline: str | None = None,
    all_pairs: bool = False,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    hdi_prob: float = DEFAULT_HDI,
) -> Comparison:
    """``P(target = state)`` under several collaboration-type scenarios, as paired contrasts.

    Parameters
    ----------
    model : Model
    target : str
    scenarios : sequence of str or None
        Scenario ids (None: no scenario), at least two, each once.
    state : str, optional
        Default: the target's upper state.
    given, do : mapping, optional
        Observations and interventions added to every scenario.
    baseline : str, optional
        The scenario the others are contrasted with (default: the first).
    all_pairs : bool
        Contrast every pair.
    draws, seed, hdi_prob
        The posterior every scenario is answered over.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import bayesnet
    >>> c = bayesnet.compare(bayesnet.load(), "collaborative_behaviour", ["integrated_care_system", "buddying"],
    ...                      draws=1000)
    >>> row = c.contrasts.iloc[0]
    >>> (row["situation"], row["baseline"], bool(row["p_higher"] > 0.5))
    ('buddying', 'integrated_care_system', True)
    """
    post = checked_posterior(model, draws, seed, hdi_prob, owner="compare")
    assert post is not None
    names = [s if s is not None else "(none)" for s in scenarios]
    if len(set(names)) != len(names):
        raise QueryError(f"a scenario is named twice: {', '.join(names)}")
    questions = [question(model, target, state=state, given=given, do=do, scenario=s) for s in scenarios]
    position = 0
    if baseline is not None:
        if baseline not in names:
            raise QueryError(f"the baseline {baseline!r} is not one of the scenarios compared ({', '.join(names)})",
                             suggestions=closest(baseline, names))
        position = names.index(baseline)
    return contrast(questions, post, names=names, baseline=position, all_pairs=all_pairs)

