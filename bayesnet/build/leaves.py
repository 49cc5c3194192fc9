"""What one query reads, built from parameter draws: the slices of its CPTs, chunk by chunk.

A question fixes some nodes (its findings and interventions), and the engine reads each CPT
of its plan only at those states, and only the upper row of a large two-state table
(:mod:`bayesnet.engine.plan`). :class:`DrawnLeaves` is the engine's
:class:`~bayesnet.engine.LeafSource` for one posterior: asked for a plan's leaves over some
draws, it computes the logistic CPT entries of exactly those parent configurations, rows and
draws, with the same arithmetic as :func:`bayesnet.build.cpt.build_cpts`, so a query answered
from it equals (to rounding) the same query answered from the whole CPT draws.

Measured (``benchmarks/bench_query.py``, default model, 4,000 draws): the buddying scenario
fixes two of trust's twelve parents, so a query builds 1,024 of its 4,096 configurations, and
its upper row only; a command-line query never holds the 340 MB of whole CPT draws, only a
chunk's slices (a few MB), which stay in cache between being built and being read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bayesnet import scratch
from bayesnet.build.cpt import ChildSpec, NetworkSpec, fill_categories, root_table, upper_probability
from bayesnet.build.parameters import ParameterDraws
from bayesnet.engine import ContractionPlan

__all__ = ["DrawnLeaves"]


@dataclass(frozen=True, eq=False)
class DrawnLeaves:
    """The CPT slices of any query, for the draws of ``parameters``.

    Attributes
    ----------
    spec : NetworkSpec
    parameters : ParameterDraws
    """

    spec: NetworkSpec
    parameters: ParameterDraws

    @property
    def n_draws(self) -> int:
        """Number of draws ``S``."""
        return self.parameters.n_draws

    @cached_property
    def _children(self) -> dict[str, ChildSpec]:
        return {child.node: child for child in self.spec.children}

    def leaves(self, plan: ContractionPlan, fixed: Mapping[str, int], draws: slice, *,
               upper: bool = True) -> list[np.ndarray]:
        """Each factor of ``plan`` at the fixed states, over ``draws`` (see
        :class:`bayesnet.engine.LeafSource`); large ones in :mod:`bayesnet.scratch` buffers,
        which the engine gives back once it has read them."""
        halves = plan.upper if upper else (False,) * len(plan.factors)
        return [self.leaf(node, axes, half, fixed, draws)
                for node, axes, half in zip(plan.factors, plan.fixed_axes, halves, strict=True)]

    def leaf(self, node: str, axes: tuple[tuple[int, str], ...], half: bool, fixed: Mapping[str, int],
             draws: slice) -> np.ndarray:
        """One factor of a plan (``axes``: its fixed CPT axes and their nodes; ``half``: its
        upper row only) at the fixed states, built over ``draws``."""
        at = {pos: fixed[name] for pos, name in axes}
        child = self._children.get(node)
        if child is None:
            table = self._root(node, draws)
        else:
            table = self._child(child, at, half, draws)
            at = {pos: value for pos, value in at.items() if pos == 0}  # parents are sliced already
        if half:
            return table[1] if child is None else table
        return table[at[0]] if 0 in at else table

    def table(self, node: str, draws: slice) -> np.ndarray:
        """``node``'s whole CPT over ``draws``."""
        child = self._children.get(node)
        if child is None:
            return self._root(node, draws)
        return self._child(child, {}, False, draws)

    def _root(self, node: str, draws: slice) -> np.ndarray:
        """``(card, s)``: a root's base-rate table over ``draws``."""
        return root_table(self.parameters.base_rate[node][draws], self.spec.card(node))

    def _child(self, child: ChildSpec, at: Mapping[int, int], upper: bool, draws: slice) -> np.ndarray:
        """A child's table at the parent states in ``at`` (CPT axis -> state; axis 0 is the
        child's own), over ``draws``: ``(card, *free parent cards, s)``, or ``(*free parent cards,
        s)`` holding only the upper row if ``upper``."""
        cards = [self.spec.card(p) for p in child.parents]
        index = tuple(at.get(i + 1, slice(None)) for i in range(len(cards)))
        rows = np.arange(child.design.shape[0]).reshape(cards)[index]
        free = rows.shape
        w = self.parameters.weights[list(child.link_rows), draws]
        eta = np.matmul(child.design[rows.ravel()], w, out=scratch.take((rows.size, w.shape[1])))
        eta += self.parameters.bias[child.node][draws][None, :]
        n = eta.shape[1]
        if upper:
            upper_probability(eta, eta)
            return eta.reshape((*free, n))
        card = self.spec.card(child.node)
        table = scratch.take((card, eta.shape[0], n))
        fill_categories(eta, card, table)
        scratch.give(eta)
        return table.reshape((card, *free, n))
