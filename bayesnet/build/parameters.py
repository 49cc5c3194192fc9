"""The uncertain parameters behind the CPTs, their posterior means and their draws.

Three kinds of parameter, each with a distribution set by the evidence and
``priors/settings.yaml``:

* a link's **reliability** ``r ~ Beta(a0 + w_support, b0 + w_contradict)``, where the
  counts are the kind-weighted numbers of distinct sources (``bayesnet.build.graph``); its
  log-odds **weight** is ``sign * weight_scale * (2 r - 1)``, bounded by ``weight_scale`` and
  monotone in the evidence;
* a root node's **base rate** ``p ~ Beta(c * p0, c * (1 - p0))`` with ``p0`` from the
  codebook (or ``default_base_rate``) and ``c = base_rate_concentration``;
* a non-root node's **bias** ``b ~ Normal(logit(mechanism_base_rate), bias_sd)``.

Pure numpy; randomness only through a ``numpy.random.Generator`` built from the caller's
seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from bayesnet.inputs.codebook import Codebook
from bayesnet.build.cpt import NetworkSpec, build_cpts
from bayesnet.inputs.settings import Settings

__all__ = ["ParameterDraws", "ParameterPriors", "parameter_priors"]


@dataclass(frozen=True)
class ParameterPriors:
    """Distributions of all parameters of one network.

    Attributes
    ----------
    alpha, beta : numpy.ndarray
        Shape ``(L,)``: Beta parameters of each lag-0 link's reliability.
    sign : numpy.ndarray
        Shape ``(L,)``: +1 or -1.
    weight_scale : float
    base_alpha, base_beta : dict
        Root node -> Beta parameters of its base rate.
    bias_mean, bias_sd : float
    """

    alpha: np.ndarray
    beta: np.ndarray
    sign: np.ndarray
    weight_scale: float
    base_alpha: Mapping[str, float]
    base_beta: Mapping[str, float]
    bias_nodes: tuple[str, ...]
    bias_mean: float
    bias_sd: float

    @property
    def reliability_mean(self) -> np.ndarray:
        """Posterior mean reliability of each link."""
        return self.alpha / (self.alpha + self.beta)

    def weight(self, reliability: np.ndarray) -> np.ndarray:
        """Signed log-odds weight(s) from reliability(ies) of the same leading shape."""
        sign = self.sign.reshape(self.sign.shape + (1,) * (np.ndim(reliability) - 1))
        return sign * self.weight_scale * (2.0 * np.asarray(reliability) - 1.0)

    def mean(self) -> ParameterDraws:
        """The posterior-mean parameters as a single draw (``S = 1``).

        The weight is linear in the reliability, so this is also the mean weight.
        """
        rel = self.reliability_mean[:, None]
        base = {n: np.array([a / (a + self.base_beta[n])]) for n, a in self.base_alpha.items()}
        bias = {n: np.array([self.bias_mean]) for n in self.bias_nodes}
        return ParameterDraws(rel, base, bias, seed=None)

    def draw(self, n_draws: int, seed: int) -> ParameterDraws:
        """``n_draws`` independent draws of every parameter.

        Parameters
        ----------
        n_draws : int
        seed : int
            Seeds a local :class:`numpy.random.Generator`; the same seed gives identical
            draws.
        """
        rng = np.random.default_rng(seed)
        rel = rng.beta(self.alpha[:, None], self.beta[:, None], size=(len(self.alpha), n_draws))
        base = {
            n: rng.beta(a, self.base_beta[n], size=n_draws) for n, a in sorted(self.base_alpha.items())
        }
        bias = {n: rng.normal(self.bias_mean, self.bias_sd, size=n_draws) for n in self.bias_nodes}
        return ParameterDraws(rel, base, bias, seed=seed)


@dataclass(frozen=True)
class ParameterDraws:
    """Concrete parameter values, one column per draw.

    Attributes
    ----------
    reliability : numpy.ndarray
        Shape ``(L, S)``.
    base_rate : dict
        Root node -> shape ``(S,)``.
    bias : dict
        Non-root node -> shape ``(S,)``.
    seed : int or None
        None for the posterior mean.
    """

    reliability: np.ndarray
    base_rate: Mapping[str, np.ndarray]
    bias: Mapping[str, np.ndarray]
    seed: int | None

    @property
    def n_draws(self) -> int:
        """Number of draws ``S``."""
        return int(self.reliability.shape[1])

    def cpts(self, spec: NetworkSpec, priors: ParameterPriors) -> dict[str, np.ndarray]:
        """Every CPT for every draw (see :func:`bayesnet.build.cpt.build_cpts`)."""
        return build_cpts(
            spec, weights=priors.weight(self.reliability), bias=self.bias, base_rate=self.base_rate
        )


def _logit(p: float) -> float:
    return float(np.log(p) - np.log1p(-p))


def parameter_priors(spec: NetworkSpec, codebook: Codebook, settings: Settings) -> ParameterPriors:
    """Distributions of every parameter, from the link counts, codebook and settings."""
    links = spec.links
    alpha = settings.reliability_a0 + links["w_support"].to_numpy(dtype=float)
    beta = settings.reliability_b0 + links["w_contradict"].to_numpy(dtype=float)
    sign = links["sign"].to_numpy(dtype=float)
    c = settings.base_rate_concentration
    base_alpha: dict[str, float] = {}
    base_beta: dict[str, float] = {}
    for root in spec.roots:
        node = codebook[root]
        p0 = node.base_rate if node.base_rate is not None else settings.default_base_rate
        base_alpha[root] = c * p0
        base_beta[root] = c * (1.0 - p0)
    return ParameterPriors(
        alpha=alpha,
        beta=beta,
        sign=sign,
        weight_scale=settings.weight_scale,
        base_alpha=base_alpha,
        base_beta=base_beta,
        bias_nodes=tuple(ch.node for ch in spec.children),
        bias_mean=_logit(settings.mechanism_base_rate),
        bias_sd=settings.bias_sd,
    )
