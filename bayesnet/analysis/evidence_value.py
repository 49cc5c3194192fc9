"""Which coded evidence an answer hangs on, and what one more study of each link is worth.

For a question ``P(target = state | situation)`` and every same-time (lag-0) link ``l``:

* **Derivative.** ``dP / dw_l`` on the posterior-mean network, where ``w_l`` is the link's
  log-odds weight. Exact: the query's derivative with respect to the child's CPT
  (:mod:`bayesnet.engine.backward`) times the CPT's derivative with respect to the weight
  (the logistic model of :mod:`bayesnet.build.cpt`); the tests check it against finite
  differences.
* **Value of one more study** (a preposterior calculation). A new study of the link could
  report it in the stated direction, in the other direction or, under the
  ``direction_and_strength`` weight model, not find it; under each posterior draw ``s`` each
  report ``y`` has a probability ``L_y(s)`` (:class:`bayesnet.build.weights.LinkDraws`), and
  its predictive probability is their mean ``P(y)``. Reweighting the draws of the answer
  ``theta_s`` by ``L_y(s)`` gives the posterior after that report (importance sampling of the
  conjugate update, no new inference), so for every link at once::

      E[theta | y] = sum_s L_y(s) theta_s / sum_s L_y(s)
      expected variance reduction = sum_y P(y) (E[theta | y] - E[theta])^2

  which is ``Var(theta) - E_y[Var(theta | y)]`` by the law of total variance: never
  negative. For a conclusion the user draws from several answers (which of two situations
  is higher, which set of levers is best; :class:`Conclusion`), the probability that one
  more study would change it is ``sum_y P(y) [the argmax of the reweighted means != now]``.

Ranked by expected variance reduction, the table says which CMOCs further studies would most
sharpen the answer on. See docs/sensitivity.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet.analysis.ranking import sort_frame, tie_groups
from bayesnet.build.graph import row_link_name
from bayesnet.build.weights import link_evidence
from bayesnet.display import Card, bar_chart, draws_note
from bayesnet.engine import relevant_nodes
from bayesnet.errors import QueryError
from bayesnet.inference.evaluation import answer, gradients
from bayesnet.inference.posteriors import Posterior
from bayesnet.inference.questions import Question
from bayesnet.inference.results import plain

if TYPE_CHECKING:
    from bayesnet.analysis.lever_search import LeverResult
    from bayesnet.build.model import Model
    from bayesnet.display.charts import Axes
    from bayesnet.inference.comparison import Comparison

__all__ = ["Conclusion", "EvidenceRanking", "evidence_ranking", "link_derivatives", "link_frame", "study_value"]


def link_frame(model: Model) -> pd.DataFrame:
    """The lag-0 links with their evidence and what the weight model makes of it.

    Index ``link`` (the link's id in ``model.links``); columns ``from, to, sign, when,
    n_support, n_contradict, support_ids, p_direction`` (the probability the link acts in its
    stated direction), ``strength`` (its mean size, a share of ``weight_scale``), ``weight``
    (the posterior-mean weight), ``name`` (ids) and ``label`` (labels), the link written
    as :func:`~bayesnet.build.graph.link_name` writes it.
    """
    links = model.spec.links
    evidence = link_evidence(links, model.settings)
    when = [f"{n}={s}" if isinstance(n, str) else "" for n, s in zip(links["when_node"], links["when_state"],
                                                                       strict=True)]
    rows = links.to_dict(orient="records")
    names = [row_link_name(row) for row in rows]
    labels = [row_link_name(row, labels=model.labels) for row in rows]
    frame = pd.DataFrame({
        "from": links["from"].to_numpy(), "to": links["to"].to_numpy(), "sign": links["sign"].to_numpy(),
        "when": when, "n_support": links["n_support"].to_numpy(), "n_contradict": links["n_contradict"].to_numpy(),
        "support_ids": [";".join(ids) for ids in links["support_ids"]],
        "p_direction": evidence.direction_probability(), "strength": evidence.mean_strength(),
        "weight": evidence.mean_weight(), "name": names, "label": labels,
    }, index=pd.Index(links["link"].to_numpy(), name="link"))
    return frame


def _categories(card: int) -> np.ndarray:
    return np.arange(card) / (card - 1)


def link_derivatives(q: Question) -> pd.DataFrame:
    """``dP(target = state | situation) / dw`` for every lag-0 link, on the posterior-mean network.

    Returns
    -------
    pandas.DataFrame
        :func:`link_frame` plus ``d_weight``; a link the query does not read (its child is
        irrelevant to the target in this situation) gets 0.
    """
    frame = link_frame(q.model)
    frame["d_weight"] = _derivatives(q)
    frame.attrs["question"] = q.describe()
    return frame


def _derivatives(q: Question) -> np.ndarray:
    model = q.model
    spec = model.spec
    children = [c for c in spec.children if c.link_rows]
    g = gradients(q, model.cpts, nodes=[c.node for c in children])
    total = float(g.total[0])
    p = g.value[:, 0] / total
    out = np.zeros(len(spec.links))
    for child in children:
        grad = g.grad(child.node)
        if grad is None:
            continue
        card = spec.card(child.node)
        theta = model.cpts[child.node].reshape(card, -1)  # (card, n_cfg)
        gk = grad.reshape(grad.shape[0], card, -1)  # (k_T, card, n_cfg)
        s = _categories(card)
        dtheta_deta = theta * (s[:, None] - (theta * s[:, None]).sum(axis=0))  # (card, n_cfg)
        df_deta = np.einsum("tjc,jc->tc", gk, dtheta_deta)  # (k_T, n_cfg)
        df_dw = df_deta @ child.design  # (k_T, n_links of child)
        dp = (df_dw[q.index] - p[q.index] * df_dw.sum(axis=0)) / total
        out[list(child.link_rows)] = dp
    return out


@dataclass(frozen=True)
class Conclusion:
    """What a user concludes from several answers: which of them is the largest.

    Attributes
    ----------
    description : str
        ``"buddying is higher than integrated_care_system"``, ``"best set of levers: Quick wins =
        present, ..."`` (the set by its labels).
    names : tuple of str
        The candidates.
    draws : numpy.ndarray
        ``(candidate, S)``: each candidate's value under each posterior draw.
    """

    description: str
    names: tuple[str, ...]
    draws: np.ndarray

    @property
    def current(self) -> int:
        """The candidate concluded now: the largest mean."""
        return int(np.argmax(self.draws.mean(axis=1)))

    @classmethod
    def higher(cls, comparison: Comparison, situation: str | None = None) -> Conclusion:
        """Which of a situation and the comparison's baseline is higher."""
        names = list(comparison.names)
        i = names.index(situation) if situation is not None else next(
            j for j in range(len(names)) if j != comparison.baseline)
        j = comparison.baseline
        pair = np.stack([comparison.draws[i], comparison.draws[j]])
        first, second = (names[i], names[j]) if pair[0].mean() >= pair[1].mean() else (names[j], names[i])
        return cls(f"{first} is higher than {second}", (names[i], names[j]), pair)

    @classmethod
    def best_levers(cls, result: LeverResult) -> Conclusion:
        """Which of the short-listed sets of levers is best."""
        if result.set_draws is None:
            raise QueryError("the lever result has no posterior draws: run levers with a posterior")
        names = tuple(result.sets["levers"])
        return cls(f"best set of levers: {result.sets['label'].iloc[0]}", names, result.set_draws)


def study_value(q: Question, post: Posterior, *, conclusion: Conclusion | None = None) -> pd.DataFrame:
    """The preposterior value of one more study of each link (see the module docstring).

    Parameters
    ----------
    q : Question
    post : Posterior
    conclusion : Conclusion, optional
        Also the probability that one more study would change this conclusion.

    Returns
    -------
    pandas.DataFrame
        :func:`link_frame` plus ``p_support``, ``p_contradict``, ``p_none`` (what a new study
        would report, predictive probabilities), ``mean_if_support``, ``mean_if_contradict``,
        ``mean_if_none`` (the headline after each report), ``variance_reduction`` (expected),
        ``sd_now``, ``sd_after`` (expected), and with a conclusion ``p_changes_conclusion``.
    """
    theta = answer(q, post.cpts)
    frame = link_frame(q.model)
    mean = float(theta.mean())
    var = float(theta.var())
    outcomes = post.parameters.outcomes
    relevant = _relevant_links(q)
    reduction = np.zeros(len(frame))
    p_change = np.zeros(len(frame))
    for y in ("support", "contradict", "none"):
        likelihood = outcomes.get(y)
        if likelihood is None:
            frame[f"p_{y}"] = 0.0
            frame[f"mean_if_{y}"] = math.nan
            continue
        total = likelihood.sum(axis=1)  # (L,)
        p_y = total / likelihood.shape[1]
        after = (likelihood @ theta) / np.where(total > 0, total, 1.0)
        frame[f"p_{y}"] = p_y
        frame[f"mean_if_{y}"] = np.where(relevant, after, mean)
        reduction += np.where(relevant, p_y * (after - mean) ** 2, 0.0)
        if conclusion is not None:
            means_after = (likelihood @ conclusion.draws.T) / np.where(total > 0, total, 1.0)[:, None]  # (L, m)
            p_change += np.where(relevant, p_y * (np.argmax(means_after, axis=1) != conclusion.current), 0.0)
    frame["variance_reduction"] = reduction
    frame["sd_now"] = math.sqrt(var)
    frame["sd_after"] = np.sqrt(np.maximum(var - reduction, 0.0))
    if conclusion is not None:
        frame["p_changes_conclusion"] = p_change
        frame.attrs["conclusion"] = conclusion.description
    frame.attrs.update(question=q.describe(), hdi_prob=post.hdi_prob, draws=post.n_draws, seed=post.seed, mean=mean)
    return frame


def _relevant_links(q: Question) -> np.ndarray:
    """``(L,)``: whether the query reads the link's child at all (else its value is exactly 0,
    not the noise of reweighting draws it does not depend on)."""
    model = q.model
    read = relevant_nodes(model.structure, [q.target, *q.evidence], q.do) - set(q.do)
    return model.spec.links["to"].isin(read).to_numpy()


@dataclass(frozen=True)
class EvidenceRanking:
    """Links ranked by how much one more study would narrow the answer.

    Attributes
    ----------
    question : Question
    frame : pandas.DataFrame
        :func:`study_value` and :func:`link_derivatives` columns, ranked by
        ``variance_reduction`` (ties within rounding by ``|d_weight|``, then by link).
    sd : float
        The answer's posterior standard deviation now.
    posterior : Posterior
    conclusion : str or None
        The conclusion ``p_changes_conclusion`` is about.
    """

    question: Question
    frame: pd.DataFrame
    sd: float
    posterior: Posterior
    conclusion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return plain({
            "target": self.question.target, "state": self.question.state,
            "situation": self.question.situation.describe(), "sd": self.sd, "conclusion": self.conclusion,
            "hdi_prob": self.posterior.hdi_prob, "draws": self.posterior.n_draws, "seed": self.posterior.seed,
            "links": [{"link": int(k), **v} for k, v in self.frame.to_dict(orient="index").items()],
        })

    def headline_text(self) -> str:
        """The answer in words: the link whose next study would narrow the answer most."""
        q = self.question
        what = f"P({q.label(q.target)} = {q.state})"
        if self.frame.empty:
            return f"No link bears on {what} in this situation."
        top = self.frame.iloc[0]
        text = (f"One more study of {top['label']} (link {self.frame.index[0]}, now {int(top['n_support'])} "
                f"supporting, {int(top['n_contradict'])} contradicting) would narrow {what} most: its posterior "
                f"sd is expected to fall from {self.sd:.4f} to {top['sd_after']:.4f}")
        if self.conclusion is not None and "p_changes_conclusion" in self.frame:
            text += f"; it would change the conclusion ({self.conclusion}) with probability " \
                    f"{top['p_changes_conclusion']:.0%}"
        return text + "."

    def _card(self) -> Card:
        q = self.question
        cols = ["label", "n_support", "n_contradict", "support_ids", "p_direction", "sd_after", "variance_reduction"]
        if "p_changes_conclusion" in self.frame:
            cols.append("p_changes_conclusion")
        return Card(
            title=f"Which studies would tell most about P({q.label(q.target)} = {q.state} | {q.situation_text()})",
            headline=self.headline_text(),
            tables=[("Links, by the expected narrowing of the answer from one more study",
                     self.frame[cols].rename(columns={"support_ids": "sources"}))],
            note=draws_note(self.posterior.n_draws, self.posterior.hdi_prob, self.posterior.seed)
            + " A study is expected to support, contradict or not report the link with the probabilities the "
              "posterior gives (docs/sensitivity.md).",
            formats={"variance_reduction": ".2e", "sd_after": ".4f", "p_direction": ".3f",
                     "p_changes_conclusion": ".0%"},
        )

    def _repr_html_(self) -> str:
        return self._card().to_html()

    def plot(self, ax: Axes | None = None, *, top: int = 15) -> Axes:
        """The expected narrowing of the answer's posterior sd from one more study of each link,
        largest first."""
        frame = self.frame.head(top)
        return bar_chart(
            ax, [f"{r['label']}  [{int(r['n_support'])} src]" for _, r in frame.iterrows()],
            (frame["sd_now"] - frame["sd_after"]).to_numpy(),
            xlabel=f"expected narrowing of the posterior sd of the answer (now {self.sd:.4f})\n"
                   "if one more study of the link were coded",
            title="Which links the next studies should examine", colour="#e69138",
        )


def evidence_ranking(q: Question, post: Posterior, *, conclusion: Conclusion | None = None) -> EvidenceRanking:
    """Every lag-0 link's derivative and preposterior value of one more study, ranked.

    Parameters
    ----------
    q : Question
    post : Posterior
    conclusion : Conclusion, optional
        Adds the probability that one more study of each link would change it.

    Returns
    -------
    EvidenceRanking

    Examples
    --------
    >>> import bayesnet
    >>> model = bayesnet.load()
    >>> q = bayesnet.question(model, "collaborative_behaviour", scenario="integrated_care_system")
    >>> r = bayesnet.evidence_ranking(q, bayesnet.posterior(model, draws=1000))
    >>> bool((r.frame["variance_reduction"] >= 0).all())
    True
    """
    value = study_value(q, post, conclusion=conclusion)
    value["d_weight"] = _derivatives(q)
    by_derivative = sort_frame(value.assign(_key=value["d_weight"].abs()), "_key").drop(columns="_key")
    order, groups = tie_groups(by_derivative["variance_reduction"].to_numpy())
    frame = by_derivative.iloc[order[np.lexsort((order, groups))]]
    sd = float(value["sd_now"].iloc[0]) if len(value) else math.nan
    return EvidenceRanking(q, frame, sd, post, conclusion.description if conclusion is not None else None)
