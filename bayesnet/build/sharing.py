"""CPT draws that two models share: build only what differs.

Every parameter is drawn from its own random stream (:mod:`bayesnet.build.streams`), so a node
whose CPT has the same inputs in two models -- the same states and parents, links into it
with the same names and the same evidence, the same settings acting on it -- has identical
CPT draws in both, for the same number of draws and seed. :func:`cpt_signatures` names those
inputs; :func:`shared_cpt_draws` gives a model's CPT draws by taking every identical table
from another model's draws (no copy) and building only the others, and :func:`shared_leaves`
gives what one question reads of them: the other model's tables where they are identical,
and only the slices the question reads of the others. A model without one source
then costs the tables that source touches, and a model with other settings the tables the
settings act on, and both equal the model rebuilt from scratch exactly.

Pure numpy.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bayesnet.build.draws import CPTDraws, halved_nodes
from bayesnet.build.leaves import DrawnLeaves
from bayesnet.build.model import CPTs
from bayesnet.build.weights import link_evidence
from bayesnet.engine import ContractionPlan

if TYPE_CHECKING:
    from bayesnet.build.model import Model

__all__ = ["SharedLeaves", "cpt_signatures", "shared_cpt_draws", "shared_leaves"]

_WEIGHT_SETTINGS = ("weight_model", "direction_prior", "strength_a0", "strength_b0", "reliability_a0",
                    "reliability_b0", "weight_scale")
"""Settings that act on a link's weight (the kind weights act through its evidence counts)."""


def cpt_signatures(model: Model) -> dict[str, Hashable]:
    """Node -> everything its CPT draws depend on besides the number of draws and the seed.

    Two models whose signatures of a node are equal have the same CPT draws of that node for
    the same ``(draws, seed)``.
    """
    spec = model.spec
    priors = model.priors
    states = spec.states
    out: dict[str, Hashable] = {}
    for root in spec.roots:
        out[root] = ("root", states[root], priors.base_alpha[root], priors.base_beta[root])
    if not spec.children:
        return out
    evidence = link_evidence(spec.links, model.settings)
    weight_settings = tuple(getattr(model.settings, name) for name in _WEIGHT_SETTINGS)
    for child in spec.children:
        links = tuple((evidence.keys[i], float(evidence.support[i]), float(evidence.contradict[i]))
                      for i in child.link_rows)
        parents = tuple((p, states[p]) for p in child.parents)
        out[child.node] = ("child", states[child.node], parents, links, weight_settings, priors.bias_mean,
                           priors.bias_sd[child.node])
    return out


def shared_cpt_draws(
    model: Model,
    base: Model,
    base_cpts: CPTs,
    *,
    n_draws: int,
    seed: int,
    nodes: Collection[str] | None = None,
    signatures: Mapping[str, Hashable] | None = None,
    base_signatures: Mapping[str, Hashable] | None = None,
    buffers: MutableMapping[str, np.ndarray] | None = None,
) -> tuple[CPTs, tuple[str, ...]]:
    """``model``'s CPT draws, taking every table it shares with ``base`` from ``base_cpts``.

    Parameters
    ----------
    model : Model
    base : Model
        A model over the same codebook whose CPT draws ``base_cpts`` are.
    base_cpts : mapping
        ``base``'s CPT draws for ``(n_draws, seed)`` (all of them, or some: a table missing
        there is built).
    n_draws, seed : int
        The draws of ``base_cpts``.
    nodes : collection of str, optional
        Only these nodes' tables (e.g. the nodes a question reads); default every node.
    signatures, base_signatures : mapping, optional
        :func:`cpt_signatures` of ``model`` and of ``base``, when the caller has them already.
    buffers : mutable mapping, optional
        Arrays to build the tables in, reused from one call to the next (see ``out`` of
        :func:`bayesnet.build.cpt.build_cpts`): a loop over many models passes the same
        mapping, and the tables one call returns are then valid until the next call.

    Returns
    -------
    (CPTDraws, tuple of str)
        The read-only CPT draws of ``model`` (of ``nodes``), equal to
        ``model.cpt_draws(n_draws, seed)`` there, the large two-state tables by their upper row
        (shared ones are the base's own arrays); and the nodes whose tables were built.
    """
    wanted = list(model.spec.order) if nodes is None else [n for n in model.spec.order if n in set(nodes)]
    mine = cpt_signatures(model) if signatures is None else signatures
    theirs = cpt_signatures(base) if base_signatures is None else base_signatures
    halved = set(halved_nodes(model.spec))
    whole: dict[str, np.ndarray] = {}
    upper: dict[str, np.ndarray] = {}
    build = []
    for node in wanted:
        if node not in base_cpts or mine[node] != theirs.get(node) or _width(base_cpts, node) != n_draws:
            build.append(node)
        elif isinstance(base_cpts, CPTDraws) and base_cpts.halved(node):
            upper[node] = base_cpts.upper_row(node)  # the same array: nothing is built or copied
        else:
            whole[node] = base_cpts[node]
    if build:
        built = model.priors.draw(n_draws, seed, nodes=build).cpts(model.spec, nodes=build, out=buffers,
                                                                   upper_only=halved & set(build))
        for n, a in built.items():  # views, read-only: the buffers stay writable for the next call
            (upper if n in halved else whole)[n] = a.view()
    return CPTDraws(whole, upper, tuple(wanted)), tuple(build)


def _width(cpts: CPTs, node: str) -> int:
    """Draws ``node``'s table holds (without building a halved table whole)."""
    if isinstance(cpts, CPTDraws):
        return cpts.n_draws
    return int(cpts[node].shape[-1])


@dataclass(frozen=True, eq=False)
class SharedLeaves:
    """The engine's :class:`~bayesnet.engine.LeafSource` for a model that shares CPT draws with
    another: the ``rebuilt`` nodes' slices are built from ``drawn`` as a query reads them, every
    other node's are read from ``base``.

    Attributes
    ----------
    base : CPTDraws
        The other model's CPT draws.
    drawn : DrawnLeaves
        This model's parameter draws (of the ``rebuilt`` nodes at least).
    rebuilt : frozenset of str
        Nodes whose tables differ from ``base``'s.
    """

    base: CPTDraws
    drawn: DrawnLeaves
    rebuilt: frozenset[str]

    @property
    def n_draws(self) -> int:
        """Number of draws ``S``."""
        return self.base.n_draws

    def leaves(self, plan: ContractionPlan, fixed: Mapping[str, int], draws: slice, *,
               upper: bool = True) -> list[np.ndarray]:
        """Each factor of ``plan`` at the fixed states over ``draws`` (see
        :class:`bayesnet.engine.LeafSource`)."""
        halves = plan.upper if upper else (False,) * len(plan.factors)
        return [(self.drawn if node in self.rebuilt else self.base).leaf(node, axes, half, fixed, draws)
                for node, axes, half in zip(plan.factors, plan.fixed_axes, halves, strict=True)]

    def table(self, node: str, draws: slice) -> np.ndarray:
        """``node``'s whole CPT over ``draws``."""
        return (self.drawn if node in self.rebuilt else self.base).table(node, draws)


def shared_leaves(
    model: Model,
    base: Model,
    base_cpts: CPTDraws,
    *,
    seed: int,
    signatures: Mapping[str, Hashable] | None = None,
    base_signatures: Mapping[str, Hashable] | None = None,
) -> tuple[SharedLeaves, tuple[str, ...]]:
    """What questions of ``model`` read, taking every table it shares with ``base`` from
    ``base_cpts`` and building the others' slices only as a question reads them.

    A question of ``model`` answered from the result equals the same question answered from
    ``model.cpt_draws(base_cpts.n_draws, seed)`` (to rounding), without ever holding a whole
    table: leaving out a source that touches trust builds only the configurations of trust's
    parents the question leaves free, chunk by chunk, as a single query does.

    Parameters
    ----------
    model, base : Model
        Over the same codebook; ``base_cpts`` are ``base``'s CPT draws for ``seed``.
    base_cpts : CPTDraws
    seed : int
    signatures, base_signatures : mapping, optional
        :func:`cpt_signatures` of ``model`` and of ``base``, when the caller has them already.

    Returns
    -------
    (SharedLeaves, tuple of str)
        The source, and the nodes whose tables differ from ``base``'s (in ``model``'s order).
    """
    mine = cpt_signatures(model) if signatures is None else signatures
    theirs = cpt_signatures(base) if base_signatures is None else base_signatures
    rebuilt = tuple(n for n in model.spec.order if n not in base_cpts or mine[n] != theirs.get(n))
    parameters = model.priors.draw(base_cpts.n_draws, seed, nodes=rebuilt)
    return SharedLeaves(base_cpts, DrawnLeaves(model.spec, parameters), frozenset(rebuilt)), rebuilt
