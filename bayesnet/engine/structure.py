"""The shape of a discrete Bayesian network as the engine takes it: variables, cardinalities,
parents, a topological order, and which nodes a query needs.

Pure Python and numpy; errors are :class:`~bayesnet.errors.EngineError`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from bayesnet.errors import EngineError

__all__ = ["Structure", "relevant_nodes", "unknown_name"]


def unknown_name(name: object, known: Iterable[str], what: str) -> EngineError:
    """Build the error for an unknown variable name, with a suggestion."""
    close = difflib.get_close_matches(str(name), list(known), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return EngineError(f"unknown variable {name!r} in {what}{hint}")


@dataclass(frozen=True)
class Structure:
    """Variables, cardinalities and parent sets of a discrete DAG.

    Hashable, so it can key the compile cache.  Use :meth:`from_dicts` to build
    one from mappings.

    Parameters
    ----------
    variables : tuple of str
        Variable names, in any order, unique.
    cards : tuple of (str, int)
        Number of states of every variable (at least 1).
    parents : tuple of (str, tuple of str)
        Parents of each variable, in CPT axis order.  Variables without an
        entry are roots.

    Raises
    ------
    EngineError
        On duplicate or unknown names, a missing or invalid cardinality, a
        repeated parent, or a directed cycle (the cycle is named).
    """

    variables: tuple[str, ...]
    cards: tuple[tuple[str, int], ...]
    parents: tuple[tuple[str, tuple[str, ...]], ...]
    _card_map: dict[str, int] = field(init=False, repr=False, compare=False, hash=False)
    _parent_map: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False, hash=False)
    _order: tuple[str, ...] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for v in self.variables:
            if not isinstance(v, str):
                raise EngineError(f"variable names must be str; got {v!r}")
            if v in seen:
                raise EngineError(f"variable {v!r} is listed twice in variables")
            seen.add(v)
        card_map: dict[str, int] = {}
        for name, card in self.cards:
            if name not in seen:
                raise unknown_name(name, self.variables, "cards")
            if name in card_map:
                raise EngineError(f"variable {name!r} has two cardinalities")
            if isinstance(card, bool) or not isinstance(card, (int, np.integer)) or card < 1:
                raise EngineError(f"cardinality of {name!r} must be an integer >= 1; got {card!r}")
            card_map[name] = int(card)
        missing = [v for v in self.variables if v not in card_map]
        if missing:
            raise EngineError(f"no cardinality given for variables {missing}")
        parent_map: dict[str, tuple[str, ...]] = {v: () for v in self.variables}
        given: set[str] = set()
        for name, pas in self.parents:
            if name not in seen:
                raise unknown_name(name, self.variables, "parents")
            if name in given:
                raise EngineError(f"parents of {name!r} are given twice")
            given.add(name)
            for p in pas:
                if p not in seen:
                    raise unknown_name(p, self.variables, f"the parents of {name!r}")
            if len(set(pas)) != len(pas):
                raise EngineError(f"parents of {name!r} repeat a variable: {list(pas)}")
            if name in pas:
                raise EngineError(f"variable {name!r} is its own parent")
            parent_map[name] = tuple(pas)
        object.__setattr__(self, "_card_map", card_map)
        object.__setattr__(self, "_parent_map", parent_map)
        object.__setattr__(self, "_order", _topological_order(self.variables, parent_map))

    @classmethod
    def from_dicts(cls, cards: Mapping[str, int], parents: Mapping[str, Sequence[str]]) -> Structure:
        """Build a structure from ``{variable: card}`` and ``{variable: parents}``.

        Parameters
        ----------
        cards : Mapping of str to int
            Every variable with its number of states; its order is kept.
        parents : Mapping of str to Sequence of str
            Parents per variable, in CPT axis order; roots may be left out.

        Returns
        -------
        Structure
        """
        variables = tuple(cards)
        for name, pas in parents.items():
            if name not in cards:
                raise unknown_name(name, variables, "parents")
            if isinstance(pas, str):
                raise EngineError(f"parents of {name!r} must be a sequence of names, not the string {pas!r}")
        return cls(
            variables=variables,
            cards=tuple((v, cards[v]) for v in variables),
            parents=tuple((v, tuple(parents.get(v, ()))) for v in variables),
        )

    def card(self, name: str) -> int:
        """Number of states of ``name``."""
        try:
            return self._card_map[name]
        except KeyError:
            raise unknown_name(name, self.variables, "card()") from None

    def parents_of(self, name: str) -> tuple[str, ...]:
        """Parents of ``name`` in CPT axis order."""
        try:
            return self._parent_map[name]
        except KeyError:
            raise unknown_name(name, self.variables, "parents_of()") from None

    def cpt_shape(self, name: str, n_draws: int) -> tuple[int, ...]:
        """Expected shape of the CPT array of ``name`` with ``n_draws`` draws."""
        return (self.card(name), *(self.card(p) for p in self.parents_of(name)), n_draws)

    @property
    def topological_order(self) -> tuple[str, ...]:
        """Variables ordered so that parents come before children."""
        return self._order


def _topological_order(variables: Sequence[str], parent_map: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Kahn's algorithm; on a cycle, raise naming one."""
    indegree = {v: len(parent_map[v]) for v in variables}
    children: dict[str, list[str]] = {v: [] for v in variables}
    for v in variables:
        for p in parent_map[v]:
            children[p].append(v)
    ready = [v for v in variables if indegree[v] == 0]
    order: list[str] = []
    while ready:
        v = ready.pop()
        order.append(v)
        for c in children[v]:
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
    if len(order) == len(variables):
        return tuple(order)
    # Walk parents inside the remaining nodes until one repeats: that is a cycle.
    left = {v for v in variables if indegree[v] > 0}
    path = [next(v for v in variables if v in left)]
    while True:
        nxt = next(p for p in parent_map[path[-1]] if p in left)
        if nxt in path:
            cycle = [*path[path.index(nxt) :], nxt]
            break
        path.append(nxt)
    cycle.reverse()
    raise EngineError(f"the structure is not a DAG: cycle {' -> '.join(cycle)}")


def relevant_nodes(structure: Structure, sinks: Iterable[str], do: Iterable[str]) -> set[str]:
    """Ancestors of ``sinks`` (themselves included) in the graph mutilated by ``do``.

    Every other node is barren for a query about ``sinks``: its factor sums to one. The
    edges into an intervened node are cut, so its ancestors are not kept through it.
    """
    cut = set(do)
    keep: set[str] = set()
    stack = list(sinks)
    while stack:
        v = stack.pop()
        if v not in keep:
            keep.add(v)
            if v not in cut:
                stack.extend(structure.parents_of(v))
    return keep
