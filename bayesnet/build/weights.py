"""How a link's coded evidence becomes its log-odds weight: the direction from the evidence,
the strength uncertain.

A link is stated by ``w_support`` and contradicted by ``w_contradict`` kind-weighted distinct
sources (:mod:`bayesnet.build.graph`); ``n = w_support + w_contradict``. Two models are
offered, chosen by ``weight_model`` in ``priors/settings.yaml``:

``direction_and_strength`` (the default)
    * the **direction share** ``pi ~ Beta(e + w_support, e + w_contradict)`` is the share of
      studies of this mechanism that would report the stated direction; the link acts in the
      stated direction when ``pi > 1/2`` (the direction most studies report). With a small
      ``e = direction_prior`` a link stated by one source and contradicted by none keeps its
      direction in 99% of the draws (98% for a half-weight source), whatever the number of
      sources; contradicting sources make the direction uncertain, to one half when the two
      sides balance;
    * the **strength** ``F ~ Beta(a + n, b)`` (``a = strength_a0``, ``b = strength_b0``), a
      share of ``weight_scale``: each source that reports the link, either way, is one more
      observation that it is a mechanism studies find, so the expected strength grows with
      the sources (``(a + n) / (a + n + b)``: a quarter of the largest effect with none, 0.4
      with one included study, 0.75 with eight) and its spread shrinks;
    * the **weight** ``w = sign * (+1 if pi > 1/2 else -1) * weight_scale * F``.

``signed_reliability`` (the model of the first release)
    ``r ~ Beta(a0 + w_support, b0 + w_contradict)`` and ``w = sign * weight_scale * (2 r - 1)``:
    direction and strength are one number, so a link stated by one study is reversed in a
    quarter of the draws. Kept so a user can see how far a conclusion depends on the choice.

Each model also says what one more study of the link could report and how likely each
report is under every draw (:attr:`LinkDraws.outcomes`): the likelihoods the value of one
more study (:mod:`bayesnet.analysis.evidence_value`) reweights the draws by. Under
``direction_and_strength`` a new study reports the link in the stated direction (probability
``F * pi``), in the other direction (``F * (1 - pi)``) or not at all (``1 - F``), which is the
Bernoulli likelihood the Beta distributions above are conjugate to.

Pure numpy; randomness only through the caller's generator. The one special function the
means need, the regularised incomplete beta function at one half, is :func:`below_half` (a
continued fraction, within 1e-14 of ``scipy.special.betainc``, tested): importing
``scipy.special`` took 0.12-0.25 s, a tenth of a command-line query, for 92 numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayesnet.build.graph import row_link_name
from bayesnet.build.streams import LINK, stream
from bayesnet.inputs.settings import WEIGHT_MODELS, Settings

__all__ = ["WEIGHT_MODELS", "LinkDraws", "LinkEvidence", "below_half", "link_evidence"]


@dataclass(frozen=True)
class LinkDraws:
    """Weights of some links under every draw, and what one more study could report.

    Attributes
    ----------
    weights : numpy.ndarray
        ``(L, S)`` signed log-odds weights.
    outcomes : dict
        Report of a new study (``"support"``, ``"contradict"`` and, where the model has it,
        ``"none"``) -> ``(L, S)`` its probability under each draw; they sum to one.
    """

    weights: np.ndarray
    outcomes: Mapping[str, np.ndarray]

    def columns(self, part: slice) -> LinkDraws:
        """The draws in ``part``."""
        return LinkDraws(self.weights[:, part], {k: v[:, part] for k, v in self.outcomes.items()})


@dataclass(frozen=True)
class LinkEvidence:
    """The evidence on some links and the model that turns it into weights.

    Attributes
    ----------
    sign : numpy.ndarray
        ``(L,)``: +1 or -1, the direction most of the kind-weighted sources state.
    support, contradict : numpy.ndarray
        ``(L,)``: kind-weighted numbers of distinct sources stating and contradicting it.
    settings : Settings
    keys : tuple of str
        A stable name of each link (its random stream, :mod:`bayesnet.build.streams`).
    """

    sign: np.ndarray
    support: np.ndarray
    contradict: np.ndarray
    settings: Settings
    keys: tuple[str, ...]

    @property
    def model(self) -> str:
        """The weight model's name (``settings.weight_model``)."""
        return self.settings.weight_model

    @property
    def _direction_params(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.settings
        if self.model == "direction_and_strength":
            return s.direction_prior + self.support, s.direction_prior + self.contradict
        return s.reliability_a0 + self.support, s.reliability_b0 + self.contradict

    @property
    def _strength_params(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.settings
        n = self.support + self.contradict
        return s.strength_a0 + n, np.full_like(n, s.strength_b0, dtype=float)

    def direction_probability(self) -> np.ndarray:
        """``(L,)``: the probability that each link acts in its stated direction."""
        a, b = self._direction_params
        return 1.0 - below_half(a, b)

    def mean_strength(self) -> np.ndarray:
        """``(L,)``: the expected size of the weight, as a share of ``weight_scale``."""
        if self.model == "direction_and_strength":
            a, b = self._strength_params
            return a / (a + b)
        a, b = self._direction_params  # E|2r - 1| for r ~ Beta(a, b)
        return _mean_abs_two_r_minus_one(a, b)

    def mean_weight(self) -> np.ndarray:
        """``(L,)``: the posterior-mean weight of each link."""
        scale = self.settings.weight_scale
        if self.model == "direction_and_strength":
            p = self.direction_probability()
            return self.sign * (2.0 * p - 1.0) * scale * self.mean_strength()
        a, b = self._direction_params
        return self.sign * scale * (2.0 * a / (a + b) - 1.0)

    def weight_interval(self, prob: float, *, n_draws: int = 20_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """``(L,)`` low and high ends of the equal-tailed ``prob`` interval of each weight
        (from ``n_draws`` draws of a fixed seed: the same evidence gives the same interval)."""
        weights = self.draw(n_draws, seed).weights
        tail = (1.0 - prob) / 2.0
        return np.quantile(weights, tail, axis=1), np.quantile(weights, 1.0 - tail, axis=1)

    def draw(self, n_draws: int, seed: int, *, rows: Iterable[int] | None = None) -> LinkDraws:
        """``n_draws`` draws of every link's weight (and the likelihoods of a new study's report),
        each link from its own stream (:func:`bayesnet.build.streams.stream`).

        ``rows``: draw only these links (the others' rows are NaN); each is drawn exactly as
        when every link is drawn.
        """
        scale = self.settings.weight_scale
        a, b = self._direction_params
        fa, fb = self._strength_params
        share = np.full((len(a), n_draws), np.nan)
        strength = np.full((len(a), n_draws), np.nan)
        for i in range(len(a)) if rows is None else sorted(set(rows)):
            rng = stream(seed, LINK, self.keys[i])
            share[i] = rng.beta(a[i], b[i], size=n_draws)
            strength[i] = rng.beta(fa[i], fb[i], size=n_draws)
        if self.model == "signed_reliability":
            weights = self.sign[:, None] * scale * (2.0 * share - 1.0)
            return LinkDraws(weights, {"support": share, "contradict": 1.0 - share})
        direction = np.where(share > 0.5, 1.0, -1.0)
        weights = self.sign[:, None] * direction * scale * strength
        outcomes = {"support": strength * share, "contradict": strength * (1.0 - share), "none": 1.0 - strength}
        return LinkDraws(weights, outcomes)


def _mean_abs_two_r_minus_one(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``E|2r - 1|`` for ``r ~ Beta(a, b)``: ``2 E|r - 1/2|``, from the incomplete beta function."""
    below = below_half(a, b)  # P(r < 1/2)
    mean = a / (a + b)
    partial = mean * below_half(a + 1.0, b)  # E[r ; r < 1/2]
    return 2.0 * ((mean - partial) - 0.5 * (1.0 - below) + (0.5 * below - partial))


def below_half(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``P(r < 1/2)`` for ``r ~ Beta(a, b)``: the regularised incomplete beta function
    ``I_{1/2}(a, b)``, elementwise (``a, b > 0``).

    The continued fraction of Numerical Recipes (3rd ed., section 6.4, evaluated by the
    modified Lentz method) converges fast where ``b < a`` (at ``x = 1/2`` that is its condition
    ``x < (a + 1) / (a + b + 2)``); elsewhere ``I_{1/2}(a, b) = 1 - I_{1/2}(b, a)``.
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    swap = b >= a
    p, q = np.where(swap, b, a), np.where(swap, a, b)  # now q < p or q == p
    lgamma = np.vectorize(math.lgamma, otypes=[float])
    log_front = lgamma(p + q) - lgamma(p) - lgamma(q) - (p + q) * math.log(2.0)
    value = np.exp(log_front) * _beta_fraction(p, q) / p
    return np.where(swap, 1.0 - value, value)


def _beta_fraction(a: np.ndarray, b: np.ndarray, *, x: float = 0.5, max_terms: int = 1000) -> np.ndarray:
    """The continued fraction of ``I_x(a, b)`` (Numerical Recipes' ``betacf``), elementwise."""
    tiny, eps = 1e-300, 4e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(a)
    d = 1.0 - qab * x / qap
    d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
    h = d.copy()
    for m in range(1, max_terms + 1):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + aa * d
            d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
            c = 1.0 + aa / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            step = d * c
            h = h * step
        if np.all(np.abs(step - 1.0) < eps):
            return h
    raise ArithmeticError(f"the incomplete beta fraction did not converge in {max_terms} terms")


def link_evidence(links: pd.DataFrame, settings: Settings) -> LinkEvidence:
    """The :class:`LinkEvidence` of the rows of a link table (:func:`bayesnet.build.graph.link_table`)."""
    keys = tuple(row_link_name(r) for r in links.to_dict(orient="records"))
    return LinkEvidence(
        sign=links["sign"].to_numpy(dtype=float),
        support=links["w_support"].to_numpy(dtype=float),
        contradict=links["w_contradict"].to_numpy(dtype=float),
        settings=settings,
        keys=keys,
    )
