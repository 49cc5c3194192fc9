"""The uncertain parameters behind the CPTs, their posterior means and their draws.

Three kinds of parameter, each with a distribution set by the evidence and
``priors/settings.yaml``:

* a link's log-odds **weight**, from the kind-weighted numbers of distinct sources that
  state and contradict it (:mod:`bayesnet.build.graph`), through the weight model of
  :mod:`bayesnet.build.weights`: its direction from the evidence, its strength uncertain;
* a root node's **base rate** ``p ~ Beta(c * p0, c * (1 - p0))`` with ``p0`` from the
  codebook (or ``default_base_rate``) and ``c = base_rate_concentration``;
* a non-root node's **bias** ``b ~ Normal(logit(mechanism_base_rate), bias_sd / sqrt(1 + n))``,
  where ``n`` counts the kind-weighted distinct sources that report any cause of the node: the
  more of a mechanism's causes the review codes, the less of its level is left to causes it
  does not (``bias_sd`` is the spread for a mechanism none of whose causes is coded).

Pure numpy; randomness only through a ``numpy.random.Generator`` built from the caller's
seed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayesnet.build.cpt import NetworkSpec, build_cpts
from bayesnet.build.draws import CPTDraws, halved_nodes
from bayesnet.build.streams import BIAS, ROOT, stream
from bayesnet.build.weights import LinkEvidence, link_evidence
from bayesnet.inputs.codebook import Codebook
from bayesnet.inputs.settings import Settings

__all__ = ["ParameterDraws", "ParameterPriors", "cause_sources", "parameter_priors"]


@dataclass(frozen=True)
class ParameterPriors:
    """Distributions of all parameters of one network.

    Attributes
    ----------
    links : LinkEvidence
        The evidence on each lag-0 link and the weight model.
    base_alpha, base_beta : dict
        Root node -> Beta parameters of its base rate.
    bias_nodes : tuple of str
    bias_mean : float
    bias_sd : dict
        Non-root node -> the spread of its bias.
    links_to : tuple of str
        The child of each lag-0 link (in the order of :attr:`links`).
    """

    links: LinkEvidence
    base_alpha: Mapping[str, float]
    base_beta: Mapping[str, float]
    bias_nodes: tuple[str, ...]
    bias_mean: float
    bias_sd: Mapping[str, float]
    links_to: tuple[str, ...]

    @property
    def sign(self) -> np.ndarray:
        """``(L,)``: the direction each link is stated in, +1 or -1."""
        return self.links.sign

    def mean(self) -> ParameterDraws:
        """The posterior-mean parameters as a single draw (``S = 1``): the network pgmpy and the
        exports hold. (The headline answers are means over draws, not answers of this network.)"""
        weights = self.links.mean_weight()[:, None]
        base = {n: np.array([a / (a + self.base_beta[n])]) for n, a in self.base_alpha.items()}
        bias = {n: np.array([self.bias_mean]) for n in self.bias_nodes}
        return ParameterDraws(weights, base, bias, {}, seed=None)

    def draw(self, n_draws: int, seed: int, *, nodes: Collection[str] | None = None) -> ParameterDraws:
        """``n_draws`` independent draws of every parameter.

        Parameters
        ----------
        n_draws : int
        seed : int
            With each parameter's name, seeds its own generator
            (:mod:`bayesnet.build.streams`): the same seed gives identical draws, and a model
            that shares a parameter with this one draws it identically.
        nodes : collection of str, optional
            Draw only the parameters of these nodes' CPTs (the links into them, their biases or
            base rates); each is drawn exactly as when everything is drawn. The weights of
            other links are NaN and other nodes are left out.
        """
        wanted = None if nodes is None else set(nodes)

        def keep(node: str) -> bool:
            return wanted is None or node in wanted

        rows = None if wanted is None else [i for i, to in enumerate(self.links_to) if to in wanted]
        links = self.links.draw(n_draws, seed, rows=rows)
        base = {n: stream(seed, ROOT, n).beta(a, self.base_beta[n], size=n_draws)
                for n, a in self.base_alpha.items() if keep(n)}
        bias = {n: self.bias_mean + self.bias_sd[n] * stream(seed, BIAS, n).standard_normal(n_draws)
                for n in self.bias_nodes if keep(n)}
        return ParameterDraws(links.weights, base, bias, links.outcomes, seed=seed)


@dataclass(frozen=True)
class ParameterDraws:
    """Concrete parameter values, one column per draw.

    Attributes
    ----------
    weights : numpy.ndarray
        Shape ``(L, S)``: every lag-0 link's log-odds weight.
    base_rate : dict
        Root node -> shape ``(S,)``.
    bias : dict
        Non-root node -> shape ``(S,)``.
    outcomes : dict
        What one more study of each link could report -> ``(L, S)`` its probability under each
        draw (empty for the posterior mean); see :class:`bayesnet.build.weights.LinkDraws`.
    seed : int or None
        None for the posterior mean.
    """

    weights: np.ndarray
    base_rate: Mapping[str, np.ndarray]
    bias: Mapping[str, np.ndarray]
    outcomes: Mapping[str, np.ndarray]
    seed: int | None

    @property
    def n_draws(self) -> int:
        """Number of draws ``S``."""
        return int(self.weights.shape[1])

    def cpts(
        self, spec: NetworkSpec, *, nodes: Collection[str] | None = None,
        out: MutableMapping[str, np.ndarray] | None = None, upper_only: Collection[str] = (),
    ) -> dict[str, np.ndarray]:
        """Every CPT (or those of ``nodes``) for every draw, optionally into the arrays of ``out``
        and with the two-state tables of ``upper_only`` by their upper row (see
        :func:`bayesnet.build.cpt.build_cpts`)."""
        return build_cpts(spec, weights=self.weights, bias=self.bias, base_rate=self.base_rate, nodes=nodes, out=out,
                          upper_only=upper_only)

    def cpt_draws(self, spec: NetworkSpec) -> CPTDraws:
        """Every CPT for every draw, the large two-state ones held by their upper row
        (:class:`bayesnet.build.draws.CPTDraws`)."""
        halved = halved_nodes(spec)
        built = build_cpts(spec, weights=self.weights, bias=self.bias, base_rate=self.base_rate, upper_only=halved)
        upper = {node: built.pop(node) for node in halved}
        return CPTDraws(built, upper, spec.order)


def _logit(p: float) -> float:
    return float(np.log(p) - np.log1p(-p))


def cause_sources(links: pd.DataFrame, kinds: Mapping[str, str], settings: Settings) -> dict[str, float]:
    """Node -> kind-weighted number of distinct sources that report any cause of it (lag-0 links)."""
    ids: dict[str, set[str]] = {}
    for to, sup, con in zip(links["to"], links["support_ids"], links["contradict_ids"], strict=True):
        ids.setdefault(to, set()).update(sup, con)
    return {node: float(sum(settings.kind_weight(kinds[s]) for s in found)) for node, found in ids.items()}


def parameter_priors(
    spec: NetworkSpec, codebook: Codebook, settings: Settings, kinds: Mapping[str, str]
) -> ParameterPriors:
    """Distributions of every parameter, from the link counts, codebook and settings.

    ``kinds`` maps every source id to its kind (for the kind weights).
    """
    cause = cause_sources(spec.links, kinds, settings)
    cause_sources_ = {ch.node: cause.get(ch.node, 0.0) for ch in spec.children}
    c = settings.base_rate_concentration
    base_alpha: dict[str, float] = {}
    base_beta: dict[str, float] = {}
    for root in spec.roots:
        node = codebook[root]
        p0 = node.base_rate if node.base_rate is not None else settings.default_base_rate
        base_alpha[root] = c * p0
        base_beta[root] = c * (1.0 - p0)
    return ParameterPriors(
        links=link_evidence(spec.links, settings),
        base_alpha=base_alpha,
        base_beta=base_beta,
        bias_nodes=tuple(ch.node for ch in spec.children),
        bias_mean=_logit(settings.mechanism_base_rate),
        bias_sd={ch.node: settings.bias_sd / np.sqrt(1.0 + cause_sources_[ch.node]) for ch in spec.children},
        links_to=tuple(str(t) for t in spec.links["to"]),
    )
