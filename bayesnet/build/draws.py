"""The CPT draws of a posterior, the large two-state tables held by their upper row only.

A two-state node's CPT is ``[1 - U, U]``, and the engine reads only ``U`` of the large ones
(:mod:`bayesnet.engine.plan`). :class:`CPTDraws` keeps every two-state child with at least
:data:`HALVED_MIN` parent configurations as ``U`` alone: the default model's 4,000 draws take
175 MB instead of 340 (trust, twelve parents: 131 MB instead of 262), which is what keeps a
report within 400 MB. It is the engine's :class:`~bayesnet.engine.LeafSource` (forward and
derivative passes read slices of it, building ``1 - U`` only where a plan needs the lower row,
one chunk of draws at a time) and a read-only mapping of whole CPTs for everyone else, built on
access for the halved nodes (``1 - U`` is computed as :func:`bayesnet.build.cpt.build_cpts`
computes it, so those arrays are exactly what it returns).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from bayesnet import scratch
from bayesnet.build.cpt import NetworkSpec
from bayesnet.engine import ContractionPlan

__all__ = ["HALVED_MIN", "CPTDraws", "halved_nodes"]

HALVED_MIN = 64
"""Parent configurations from which a two-state child's draws are held by their upper row."""


def halved_nodes(spec: NetworkSpec) -> tuple[str, ...]:
    """The two-state children of at least :data:`HALVED_MIN` parent configurations."""
    return tuple(ch.node for ch in spec.children if spec.card(ch.node) == 2 and ch.design.shape[0] >= HALVED_MIN)


class CPTDraws(Mapping[str, np.ndarray]):
    """Read-only CPT draws ``(card, *parent_cards, S)`` per node; see the module docstring.

    Parameters
    ----------
    whole : mapping
        Node -> its CPT draws.
    upper : mapping
        Node -> ``(*parent_cards, S)``: the upper row of a two-state node's CPT draws.
    order : sequence of str
        The nodes, in the order the mapping lists them.
    """

    def __init__(self, whole: Mapping[str, np.ndarray], upper: Mapping[str, np.ndarray], order: tuple[str, ...]):
        self._whole = dict(whole)
        self._upper = dict(upper)
        self._order = order
        for arr in (*self._whole.values(), *self._upper.values()):
            arr.setflags(write=False)
        first = next(iter((*self._whole.values(), *self._upper.values())))
        self.n_draws = int(first.shape[-1])

    def __getitem__(self, node: str) -> np.ndarray:
        if node in self._whole:
            return self._whole[node]
        table = _stacked(self._upper[node], np.empty((2, *self._upper[node].shape)))
        table.setflags(write=False)
        return table

    def __contains__(self, node: object) -> bool:
        # Mapping's own test reads the item: it would build a halved table whole (262 MB for trust)
        return node in self._whole or node in self._upper

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    @property
    def nbytes(self) -> int:
        """Memory the draws take."""
        return sum(a.nbytes for a in (*self._whole.values(), *self._upper.values()))

    def halved(self, node: str) -> bool:
        """Whether ``node``'s draws are held by their upper row."""
        return node in self._upper

    def upper_row(self, node: str) -> np.ndarray:
        """The upper row ``(*parent_cards, S)`` a halved node's draws are held by (read-only), so
        that another model sharing the table can hold the same array."""
        return self._upper[node]

    def leaves(self, plan: ContractionPlan, fixed: Mapping[str, int], draws: slice, *,
               upper: bool = True) -> list[np.ndarray]:
        """Each factor of ``plan`` at the fixed states over ``draws``: views, except the lower
        rows of halved nodes a plan reads whole (built into :mod:`bayesnet.scratch` buffers).
        See :class:`bayesnet.engine.LeafSource`."""
        halves = plan.upper if upper else (False,) * len(plan.factors)
        return [self.leaf(v, axes, half, fixed, draws)
                for v, axes, half in zip(plan.factors, plan.fixed_axes, halves, strict=True)]

    def leaf(self, node: str, axes: tuple[tuple[int, str], ...], half: bool, fixed: Mapping[str, int],
             draws: slice) -> np.ndarray:
        """One factor of a plan (``axes``: its fixed CPT axes and their nodes; ``half``: its
        upper row only) at the fixed states over ``draws``: a view, or a scratch buffer."""
        at = {pos: fixed[name] for pos, name in axes}
        if node in self._whole:
            arr = self._whole[node]
            index: list[int | slice] = [at.get(i, slice(None)) for i in range(arr.ndim - 1)]
            if half:
                index[0] = 1
            return arr[(*index, draws)]
        u = self._upper[node]
        u = u[(*(at.get(i + 1, slice(None)) for i in range(u.ndim - 1)), draws)]
        if half or at.get(0) == 1:
            return u
        if 0 in at:  # the lower row alone
            return np.subtract(1.0, u, out=scratch.take(u.shape))
        return _stacked(u, scratch.take((2, *u.shape)))

    def table(self, node: str, draws: slice) -> np.ndarray:
        """``node``'s whole CPT over ``draws`` (a view, or built for a halved node)."""
        if node in self._whole:
            return self._whole[node][..., draws]
        u = self._upper[node][..., draws]
        return _stacked(u, np.empty((2, *u.shape)))


def _stacked(u: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out`` filled with ``[1 - u, u]`` (the lower row computed as build_cpts computes it)."""
    out[1] = u
    np.subtract(1.0, u, out=out[0])
    return out
