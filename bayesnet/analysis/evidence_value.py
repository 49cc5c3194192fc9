"""Which coded evidence an answer hangs on, and which links the next studies should examine.

For a question ``P(target = state | situation)`` and every same-time (lag-0) link ``l``:

* **Derivative.** ``dP / dw_l`` on the posterior-mean network, where ``w_l`` is the link's
  signed log-odds weight, and ``dP / dr_l = dP / dw_l * sign_l * 2 * weight_scale`` for its
  reliability ``r_l`` (``w = sign * weight_scale * (2 r - 1)``). Exact: the query's derivative
  with respect to the child's CPT (:mod:`bayesnet.engine`) times the CPT's derivative
  with respect to the weight (the logistic model of :mod:`bayesnet.build.cpt`); the tests check it
  against finite differences evaluated with perturbed weight sets on the engine's draw axis.
* **Value of one more study.** The reliability's posterior is ``Beta(alpha, beta)``; one more
  included study supporting the link makes it ``Beta(alpha + w, beta)``, one contradicting it
  ``Beta(alpha, beta + w)`` (``w`` = the included-study kind weight). Only that link's
  reliability is redrawn, with common random numbers: each posterior draw ``r`` is mapped to
  its quantile ``u = I_r(alpha, beta)`` and back through the new distribution's inverse CDF
  (``scipy.special.betaincinv``), every other parameter kept. The query is linear in the
  child's CPT, so the new probability of every draw is exact without new inference. The
  *narrowing* is the HDI width now minus the width after; the *expected narrowing* weights the
  two outcomes by the posterior predictive probability that a new study supports the link,
  ``alpha / (alpha + beta)``.

Ranked by expected narrowing, the table says which CMOCs further studies would most sharpen the
answer on. See docs/sensitivity.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import special

from bayesnet.analysis.ranking import sort_frame, tie_groups
from bayesnet.build.cpt import ChildSpec, category_probabilities
from bayesnet.engine import Gradients
from bayesnet.errors import QueryError
from bayesnet.inference.evaluation import derivative_pass, gradients
from bayesnet.inference.intervals import hdi
from bayesnet.inference.posteriors import Posterior
from bayesnet.inference.questions import Question
from bayesnet.inference.results import plain

if TYPE_CHECKING:
    from bayesnet.build.model import Model

__all__ = ["EvidenceRanking", "StudyValue", "evidence_ranking", "link_derivatives", "link_frame", "study_value"]


def link_frame(model: Model) -> pd.DataFrame:
    """The lag-0 links with their evidence and posterior-mean reliability and weight.

    Index ``link`` (0..L-1, the rows of ``model.spec.links``); columns ``from, to, sign, when,
    n_support, n_contradict, support_ids, reliability, weight, name``.
    """
    links = model.spec.links
    priors = model.priors
    rel = priors.reliability_mean
    when = [f"{n}={s}" if isinstance(n, str) else "" for n, s in zip(links["when_node"], links["when_state"],
                                                                       strict=True)]
    arrow = ["->" if s > 0 else "-|" for s in links["sign"]]
    name = [f"{a} {r} {b}" + (f" (when {w})" if w else "") for a, r, b, w in
            zip(links["from"], arrow, links["to"], when, strict=True)]
    frame = pd.DataFrame({
        "from": links["from"].to_numpy(), "to": links["to"].to_numpy(), "sign": links["sign"].to_numpy(),
        "when": when, "n_support": links["n_support"].to_numpy(), "n_contradict": links["n_contradict"].to_numpy(),
        "support_ids": [";".join(ids) for ids in links["support_ids"]],
        "reliability": rel, "weight": priors.weight(rel), "name": name,
    })
    frame.index.name = "link"
    return frame


def _categories(card: int) -> np.ndarray:
    return np.arange(card) / (card - 1)


def link_derivatives(q: Question) -> pd.DataFrame:
    """``dP(target = state | situation) / dw`` and ``/ dr`` for every lag-0 link (mean network).

    Returns
    -------
    pandas.DataFrame
        :func:`link_frame` plus ``d_weight`` and ``d_reliability``; a link the query does not
        read (its child is irrelevant to the target in this situation) gets 0.
    """
    model = q.model
    frame = link_frame(model)
    frame["d_weight"] = _derivatives(q)
    frame["d_reliability"] = frame["d_weight"] * model.priors.sign * 2.0 * model.priors.weight_scale
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


def _links_into(
    child: ChildSpec,
    *,
    live: np.ndarray,
    grad: np.ndarray,
    theta: np.ndarray,
    bias: np.ndarray,
    weights: np.ndarray,
    delta: np.ndarray,
    value: np.ndarray,
    index: int,
) -> np.ndarray:
    """New ``P(target = state)`` per draw when one link's weight into ``child`` changes.

    ``grad`` (k_T, card, c, s) is the query's derivative with respect to the child's CPT
    ``theta`` (card, *parents, s) at the parent configurations ``live`` the findings allow (the
    others do not count); ``weights`` (n_links, s) the child's link weights;
    ``delta`` (2, n_links, s) the weight changes. The query is linear in the CPT, so
    ``value + sum(grad * (theta' - theta))`` is the new answer, exactly. Returns (2, n_links, s).
    """
    card = theta.shape[0]
    n = theta.shape[-1]
    gk = grad
    v = np.stack([value[index], value.sum(axis=0)])  # (2, s): target state, total
    design = child.design[live]
    if card == 2:
        slope = gk[:, 1] - gk[:, 0]  # (k_T, c, s): the answer is linear in P(upper) with this slope
        # layout (draw, configuration): the work per link runs on contiguous memory
        eta = np.ascontiguousarray((design @ weights).T) + bias[:, None]  # (s, c)
        slope_rows = np.stack([slope[index], slope.sum(axis=0)]).transpose(2, 1, 0)  # (s, c, 2 rows)
        return _binary_links(design, eta, np.ascontiguousarray(slope_rows), delta, v)
    eta = (design @ weights).T + bias[:, None]  # (s, c)
    rows = np.stack([gk[index], gk.sum(axis=0)]).transpose(0, 1, 3, 2)  # (2, card, s, c)
    th = theta.reshape(card, -1, n)[:, live].transpose(0, 2, 1)  # (card, s, c)
    rows = np.ascontiguousarray(rows)
    out = np.empty((2, design.shape[1], n))
    for j in range(design.shape[1]):
        d = design[:, j]
        nz = np.flatnonzero(d != 0.0)
        if nz.size == 0:
            out[:, j] = v[0] / v[1]
            continue
        step = delta[:, j, :, None] * d[None, None, nz]  # (2 kinds, s, c)
        step += eta[:, nz]
        probs = category_probabilities(step, card)  # (card, 2, s, c)
        probs -= th[:, None][:, :, :, nz]
        change = np.einsum("jksc,rjsc->krs", probs, rows[:, :, :, nz])
        new = v[None] + change
        out[:, j] = new[:, 0] / new[:, 1]
    return out


def _binary_links(design: np.ndarray, eta: np.ndarray, slope: np.ndarray, delta: np.ndarray,
                  v: np.ndarray) -> np.ndarray:
    """:func:`_links_into` for a two-state child, where ``P(upper) = (1 + tanh(eta / 2)) / 2``.

    The answer is linear in ``P(upper)`` with ``slope`` = ``grad[upper] - grad[lower]`` (shape
    (s, c, 2): target state, total). A link's change moves ``eta`` by ``d * delta`` (``d`` its
    design column), so the new answer needs ``(tanh(h + d * delta / 2) - tanh(h)) / 2`` with
    ``h = eta / 2``, per configuration and draw, contracted over configurations by a batched
    matrix product. For the usual link, whose parent has two states and no moderator,
    ``d = +-1/2`` everywhere; then with ``A = tanh(h)``, ``beta = tanh(delta / 4)`` and
    ``sigma = sign(d)`` the addition theorem of tanh gives, without any tanh per entry,

        tanh(h + d * delta / 2) - tanh(h) = (1 - A^2) / (sigma / beta + A)     (beta != 0)

    (exact algebra; it also avoids subtracting two close tanh values).
    """
    n = eta.shape[0]
    half = np.ascontiguousarray(0.5 * eta)  # (s, c)
    base = np.tanh(half)  # A
    design = np.asfortranarray(design)  # columns contiguous
    weighted = np.ascontiguousarray(0.5 * (1.0 - base * base)[:, :, None] * slope)  # (s, c, 2)
    slope = 0.5 * slope  # dP(upper) = d tanh / 2
    delta_half = 0.5 * delta
    beta = np.tanh(0.25 * delta)  # (2 kinds, n_links, s)
    buf = np.empty((2, *eta.shape))
    out = np.empty((2, design.shape[1], n))
    for j in range(design.shape[1]):
        d = design[:, j]
        b = beta[:, j]
        if np.all(np.abs(d) == 0.5) and np.all(b != 0.0):
            np.multiply(1.0 / b[:, :, None], np.sign(d)[None, None, :], out=buf)  # sigma / beta
            buf += base
            np.reciprocal(buf, out=buf)
            change = np.matmul(buf.transpose(1, 0, 2), weighted)  # (s, 2 kinds, 2 rows)
        else:
            np.multiply(delta_half[:, j, :, None], d[None, None, :], out=buf)
            buf += half
            np.tanh(buf, out=buf)
            buf -= base  # exactly zero where the link does not act (d = 0)
            change = np.matmul(buf.transpose(1, 0, 2), slope)
        new = v.T[:, None, :] + change
        out[:, j] = (new[:, :, 0] / new[:, :, 1]).T
    return out


class StudyValue:
    """Reads, off a derivative pass, the target's probability in every draw if one more study
    supporting or contradicting each link were coded (see :func:`study_value`).

    Build it, feed it a derivative pass of the same question and draws (:meth:`run`, or
    :func:`bayesnet.inference.derivative_pass` shared with a
    :class:`~bayesnet.analysis.one_way.ContextSweep`), then call :meth:`frame`.
    """

    def __init__(self, q: Question, post: Posterior) -> None:
        model = q.model
        spec, priors = model.spec, model.priors
        self.model, self.question, self.posterior, self.n_draws = model, q, post, post.n_draws
        n_draws = post.n_draws
        self.params = post.parameters  # the draws behind post.cpts
        self.cpts = post.cpts
        self.study_weight = w = model.settings.kind_weights["included_study"]
        rel = self.params.reliability
        u = special.betainc(priors.alpha[:, None], priors.beta[:, None], rel)
        self.weights = priors.weight(rel)
        self.delta = np.stack([  # change of each link's weight per draw: (support | contradict, link, draw)
            priors.weight(special.betaincinv(priors.alpha[:, None] + w, priors.beta[:, None], u)),
            priors.weight(special.betaincinv(priors.alpha[:, None], priors.beta[:, None] + w, u)),
        ]) - self.weights[None]
        self.children = [c for c in spec.children if c.link_rows]
        self.base = np.empty(n_draws)
        self.after = np.full((2, len(spec.links), n_draws), np.nan)  # (support | contradict, link, draw)
        self._seen = 0

    @property
    def nodes(self) -> list[str]:
        """The children of the links: their CPT derivatives are read."""
        return [c.node for c in self.children]

    def update(self, g: Gradients) -> None:
        """Read one chunk."""
        sl, q = g.draws, self.question
        self.base[sl] = g.value[q.index] / g.value.sum(axis=0)
        for child in self.children:
            rows = list(child.link_rows)
            found = g.configurations(child.node)
            if found is None:  # the query does not read this child: no link into it matters
                self.after[:, rows, sl] = self.base[sl]
                continue
            live, grad = found
            self.after[:, rows, sl] = _links_into(
                child, live=live, grad=grad, theta=self.cpts[child.node][..., sl],
                bias=self.params.bias[child.node][sl], weights=self.weights[rows, sl],
                delta=self.delta[:, rows, sl], value=g.value, index=q.index)
        self._seen += len(self.base[sl])

    @property
    def done(self) -> bool:
        """True once every draw has been read."""
        return self._seen == self.n_draws

    def run(self, *, show_progress: bool = False) -> StudyValue:
        """Run its own derivative pass."""
        derivative_pass(self.question, self.cpts, [self], show_progress=show_progress, desc="evidence value")
        return self

    def frame(self) -> pd.DataFrame:
        """The table of :func:`study_value`."""
        hdi_prob = self.posterior.hdi_prob
        if self._seen != self.n_draws:
            raise QueryError(f"this StudyValue has read {self._seen} of its {self.n_draws} draws; run it first")
        priors = self.model.priors
        width = float(np.diff(hdi(self.base, hdi_prob)[0])[0])
        frame = link_frame(self.model)
        frame["width"] = width
        for i, kind in enumerate(("support", "contradict")):
            bounds = hdi(self.after[i].T, hdi_prob)
            frame[f"width_if_{kind}"] = bounds[:, 1] - bounds[:, 0]
        for i, kind in enumerate(("support", "contradict")):
            frame[f"mean_if_{kind}"] = self.after[i].mean(axis=1)
        frame["narrowing_if_support"] = width - frame["width_if_support"]
        frame["narrowing_if_contradict"] = width - frame["width_if_contradict"]
        frame["p_support"] = priors.alpha / (priors.alpha + priors.beta)
        frame["expected_narrowing"] = (frame["p_support"] * frame["narrowing_if_support"]
                                       + (1 - frame["p_support"]) * frame["narrowing_if_contradict"])
        frame.attrs.update(question=self.question.describe(), hdi_prob=hdi_prob, draws=self.n_draws,
                           seed=self.posterior.seed,
                           mean=float(self.base.mean()), study_weight=self.study_weight)
        return frame


def study_value(q: Question, post: Posterior, *, study: StudyValue | None = None,
                show_progress: bool = False) -> pd.DataFrame:
    """The narrowing of the target's HDI if one more included study were coded for each link.

    Parameters
    ----------
    q : Question
    post : Posterior
    study : StudyValue, optional
        Of ``q`` over ``post``, already fed by a derivative pass shared with other analyses.
    show_progress : bool

    Returns
    -------
    pandas.DataFrame
        :func:`link_frame` plus ``width`` (HDI width now), ``width_if_support``,
        ``width_if_contradict``, ``mean_if_support`` and ``mean_if_contradict`` (mean
        probability over draws after), ``narrowing_if_support``, ``narrowing_if_contradict``
        (width now minus after; negative: wider), ``p_support`` (posterior predictive
        probability that the next study supports the link) and ``expected_narrowing``.
    """
    if study is None:
        study = StudyValue(q, post).run(show_progress=show_progress)
    elif study.question != q or study.posterior is not post or not study.done:
        raise QueryError("the StudyValue given answers another question, uses other draws, or has not been run")
    return study.frame()


@dataclass(frozen=True)
class EvidenceRanking:
    """Links ranked by how much one more study would narrow the answer.

    Attributes
    ----------
    question : Question
    frame : pandas.DataFrame
        :func:`study_value` and :func:`link_derivatives` columns, ranked by
        ``expected_narrowing`` (then by ``|d_weight|``).
    width : float
        The target's HDI width now.
    posterior : Posterior
    """

    question: Question
    frame: pd.DataFrame
    width: float
    posterior: Posterior

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "target": self.question.target, "state": self.question.state,
            "situation": self.question.situation.describe(), "width": self.width,
            "hdi_prob": self.posterior.hdi_prob, "draws": self.posterior.n_draws, "seed": self.posterior.seed,
            "links": [plain({"link": int(k), **v}) for k, v in self.frame.to_dict(orient="index").items()],
        }


def evidence_ranking(q: Question, post: Posterior, *, study: StudyValue | None = None,
                     show_progress: bool = False) -> EvidenceRanking:
    """Every lag-0 link's derivative and value of one more study, ranked (see the module doc).

    ``study`` is passed to :func:`study_value`.
    """
    value = study_value(q, post, study=study, show_progress=show_progress)
    model = q.model
    value["d_weight"] = _derivatives(q)
    value["d_reliability"] = value["d_weight"] * model.priors.sign * 2.0 * model.priors.weight_scale
    # by expected narrowing, ties by |derivative|, then by link
    by_derivative = sort_frame(value.assign(_key=value["d_weight"].abs()), "_key").drop(columns="_key")
    order, groups = tie_groups(by_derivative["expected_narrowing"].to_numpy())
    frame = by_derivative.iloc[order[np.lexsort((order, groups))]]
    width = float(value["width"].iloc[0]) if len(value) else math.nan
    return EvidenceRanking(q, frame, width, post)
