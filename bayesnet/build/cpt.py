"""Conditional probability tables from coded evidence: a logistic model of signed links.

The model (Koller and Friedman, *Probabilistic Graphical Models*, section 5.4.2, the
generalised-linear / logistic CPD; docs/model.md has the full derivation and a worked
example): for a child ``X`` with parents ``P_1..P_k`` the log-odds of ``X``'s upper state is

    eta = bias_X + sum over links l into X of  w_l * (x_l - 1/2) * [moderator_l holds]

where ``x_l`` is the link's parent coded 0 for its lower state and 1 for its upper state
(``i / (card - 1)`` for a parent with more states), so a parent pushes the child up by
``w_l / 2`` in its upper state and down by ``w_l / 2`` in its lower state, and a moderated
link only acts while its moderator is in the named state (an interaction term). A link from
one state of its parent takes ``x_l`` = 1 in that state and 0 in the others (so a parent
with three ordered states can act from its middle one, which no ordered position can); a
joint cause takes ``x_l`` = 1 only while both its parents are in their named states. A child
with ``k > 2`` ordered states uses the adjacent-category logit ``P(j) ∝ exp(eta * j/(k-1))``,
which is the logistic model when ``k = 2``.

Why logistic and not noisy-OR: the review's links are signed (promoting and inhibiting) and
moderated (binding contracts help confidence in mandated types but harm trust in voluntary
ones); noisy-OR combines only promoting causes and has no natural interaction term.

This module is pure numpy: every function is vectorised over a trailing draw axis ``S``
(``S = 1`` for the posterior-mean model).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayesnet.build.graph import build_dag, same_time_parents, topological_order
from bayesnet.inputs.codebook import Codebook
from bayesnet.parallel import one_blas_thread, parallel_map

__all__ = [
    "ChildSpec",
    "LinkTerm",
    "NetworkSpec",
    "build_cpts",
    "category_probabilities",
    "design_matrix",
    "fill_categories",
    "link_term",
    "network_spec",
    "root_table",
    "upper_probability",
]


@dataclass(frozen=True)
class LinkTerm:
    """What one link adds to its child's log-odds, as :func:`design_matrix` reads it.

    Attributes
    ----------
    source : str
        The parent the link leaves from.
    source_state : int or None
        None: the parent's ordered position ``i / (card - 1)``; an index: the indicator of
        that state.
    partner : tuple of (str, int) or None
        A joint cause: the term is 1 only while this parent is in this state as well.
    moderator : tuple of (str, int) or None
        The term acts only while this parent is in this state.
    """

    source: str
    source_state: int | None = None
    partner: tuple[str, int] | None = None
    moderator: tuple[str, int] | None = None


def link_term(row: Mapping[str, object], states: Mapping[str, tuple[str, ...]],
              name: Callable[[str], str] = str) -> LinkTerm:
    """The :class:`LinkTerm` of a link-table row; ``name`` maps a node id to its name in the
    network (a time slice's copy, in the unrolled network)."""

    def text(key: str) -> str | None:
        value = row.get(key)
        return value if isinstance(value, str) else None

    source, state = str(row["from"]), text("from_state")
    partner, partner_state = text("and_node"), text("and_state")
    when, when_state = text("when_node"), text("when_state")
    return LinkTerm(
        name(source),
        None if state is None else states[source].index(state),
        None if partner is None else (name(partner), states[partner].index(str(partner_state))),
        None if when is None else (name(when), states[when].index(str(when_state))),
    )


def design_matrix(parents: Sequence[str], states: Mapping[str, Sequence[str]],
                  terms: Sequence[LinkTerm]) -> np.ndarray:
    """``(x - 1/2) * [moderator holds]`` for every parent configuration (C order over
    ``parents``) and term: shape ``(n_configs, len(terms))``.

    ``x`` is the source's ordered position ``i / (card - 1)``, or the indicator of its named
    state, times the indicator of the partner's state for a joint cause.
    """
    cards = [len(states[p]) for p in parents]
    grid = np.indices(cards).reshape(len(cards), -1)
    design = np.zeros((grid.shape[1], len(terms)))
    for j, term in enumerate(terms):
        at = grid[parents.index(term.source)]
        if term.source_state is None:
            x = at / (len(states[term.source]) - 1)
        else:
            x = (at == term.source_state).astype(float)
        if term.partner is not None:
            x = x * (grid[parents.index(term.partner[0])] == term.partner[1])
        column = x - 0.5
        if term.moderator is not None:
            column = np.where(grid[parents.index(term.moderator[0])] == term.moderator[1], column, 0.0)
        design[:, j] = column
    return design


@dataclass(frozen=True)
class ChildSpec:
    """How one non-root node's CPT is computed.

    Attributes
    ----------
    node : str
    parents : tuple of str
        Parent order of the CPT axes (sorted ids).
    link_rows : tuple of int
        Rows of the lag-0 link table that point into this node.
    design : numpy.ndarray
        Shape ``(n_parent_configs, n_links)``: ``(x - 1/2) * [moderator holds]`` for every
        configuration of the parents (C order over ``parents``) and link (see
        :func:`design_matrix`).
    """

    node: str
    parents: tuple[str, ...]
    link_rows: tuple[int, ...]
    design: np.ndarray


@dataclass(frozen=True)
class NetworkSpec:
    """The compiled structure of the same-time network: order, states, parents, links.

    Attributes
    ----------
    order : tuple of str
        Nodes in a topological order (ties broken by codebook order).
    states : dict
        Node -> tuple of states.
    parents : dict
        Node -> tuple of parents (empty for roots).
    roots : tuple of str
        Nodes without parents; their CPT is a base rate.
    children : tuple of ChildSpec
    links : pandas.DataFrame
        The lag-0 rows of the link table, re-indexed 0..L-1; ``link_rows`` index it.
    """

    order: tuple[str, ...]
    states: Mapping[str, tuple[str, ...]]
    parents: Mapping[str, tuple[str, ...]]
    roots: tuple[str, ...]
    children: tuple[ChildSpec, ...]
    links: pd.DataFrame

    def card(self, node: str) -> int:
        """Number of states of ``node``."""
        return len(self.states[node])

    @property
    def cards(self) -> dict[str, int]:
        """Node -> number of states."""
        return {n: len(s) for n, s in self.states.items()}


def network_spec(codebook: Codebook, links: pd.DataFrame) -> NetworkSpec:
    """Compile codebook and link table into a :class:`NetworkSpec`: the parents and order of
    :func:`bayesnet.build.graph.build_dag`'s DAG, without building it (networkx takes 0.1-0.2 s
    to import, a tenth of a command-line query).

    Parameters
    ----------
    codebook : Codebook
    links : pandas.DataFrame
        From :func:`bayesnet.build.graph.link_table`.

    Raises
    ------
    CycleError
        When the lag-0 links close a cycle (named by :func:`bayesnet.build.graph.build_dag`).
    """
    same_time = links[links["lag"] == 0].reset_index(drop=True)
    states = {n.id: n.states for n in codebook}
    parents = same_time_parents(codebook, links)
    found = topological_order(parents, codebook)
    if found is None:
        build_dag(codebook, links)  # raises the CycleError that names the cycle
        raise AssertionError("the parents close a cycle the DAG does not have")
    order = found
    roots = tuple(n for n in order if not parents[n])
    children = []
    to = same_time["to"].to_numpy()
    records = same_time.to_dict(orient="records")
    for node in order:
        if not parents[node]:
            continue
        rows = tuple(int(i) for i in np.flatnonzero(to == node))
        design = design_matrix(parents[node], states, [link_term(records[r], states) for r in rows])
        children.append(ChildSpec(node, parents[node], rows, design))
    return NetworkSpec(order, states, parents, roots, tuple(children), same_time)


def fill_categories(eta: np.ndarray, card: int, out: np.ndarray) -> None:
    """Fill ``out`` (card, configs, S) with P(state j) ∝ exp(eta * j / (card - 1)).

    Two states (the common case) is the logistic function, computed in place (``eta`` is
    overwritten; it may be ``out[1]`` itself) so that a child with many parents needs no
    temporaries the size of its table; ``1 / (1 + exp(-eta))`` with numpy's exp measured 10-20 times faster here than
    ``scipy.special.expit``. ``eta`` is clipped to +-700 so exp cannot overflow.
    """
    if card == 2:
        upper_probability(eta, out[1])
        np.subtract(1.0, out[1], out=out[0])
        return
    np.clip(eta, -700.0, 700.0, out=eta)
    steps = np.arange(card) / (card - 1)
    logits = eta[None, ...] * steps[:, None, None]
    logits -= logits.max(axis=0, keepdims=True)
    np.exp(logits, out=out)
    out /= out.sum(axis=0, keepdims=True)


def root_table(p: np.ndarray, card: int) -> np.ndarray:
    """``(card, S)``: a root's CPT from the probability ``p`` (shape ``(S,)``) of its upper state;
    the rest is spread evenly over its lower states."""
    table = np.empty((card, len(p)))
    table[-1] = p
    table[:-1] = (1.0 - p) / (card - 1)
    return table


def upper_probability(eta: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` with the logistic function of ``eta``, P(upper state) of a two-state child
    (``eta`` is clipped in place; ``out`` may be ``eta`` itself)."""
    np.clip(eta, -700.0, 700.0, out=eta)
    np.negative(eta, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)


def category_probabilities(eta: np.ndarray, card: int) -> np.ndarray:
    """P(state j) of a ``card``-state child for log-odds ``eta`` of any shape.

    The same adjacent-category (logistic for two states) map as the CPTs use.

    Returns
    -------
    numpy.ndarray
        Shape ``(card, *eta.shape)``; ``eta`` itself is not modified.
    """
    flat = np.array(eta, dtype=float).reshape(1, -1)
    out = np.empty((card, 1, flat.shape[1]))
    fill_categories(flat, card, out)
    return out.reshape((card, *np.shape(eta)))


#: Parent configurations computed at once when filling a large CPT (bounds temporaries).
_CONFIG_BLOCK = 256
#: Table size (configurations x draws) from which blocks are filled on all cores
#: (:mod:`bayesnet.parallel`): building trust's 4,096 x 4,000 table took 52 ms on two
#: threads against 136 ms on one (2-core machine).
_PARALLEL_MIN = 1_000_000


def _fill_block(child: ChildSpec, w: np.ndarray, b: np.ndarray, table: np.ndarray, start: int) -> None:
    """Fill the parent configurations ``start .. start + _CONFIG_BLOCK`` of ``table``
    (``(card, configs, S)``, or ``(configs, S)``: the upper row alone). For two states the
    log-odds go straight into the upper row and become its probability there: no temporary
    the size of the block."""
    stop = min(start + _CONFIG_BLOCK, child.design.shape[0])
    if table.ndim == 2:
        eta = table[start:stop]
        np.matmul(child.design[start:stop], w, out=eta)
        eta += b[None, :]
        upper_probability(eta, eta)
        return
    if table.shape[0] == 2:
        eta = table[1, start:stop]
        np.matmul(child.design[start:stop], w, out=eta)
    else:
        eta = child.design[start:stop] @ w
    eta += b[None, :]
    fill_categories(eta, table.shape[0], table[:, start:stop])


def _buffer(out: MutableMapping[str, np.ndarray] | None, node: str, shape: tuple[int, ...]) -> np.ndarray:
    """An array of ``shape`` to build ``node``'s table in: ``out[node]`` when it fits, else a new one
    (kept in ``out``)."""
    if out is not None:
        found = out.get(node)
        if found is not None and found.shape == shape and found.flags.writeable:
            return found
    table = np.empty(shape)
    if out is not None:
        out[node] = table
    return table


def build_cpts(
    spec: NetworkSpec,
    *,
    weights: np.ndarray,
    bias: Mapping[str, np.ndarray],
    base_rate: Mapping[str, np.ndarray],
    nodes: Collection[str] | None = None,
    out: MutableMapping[str, np.ndarray] | None = None,
    upper_only: Collection[str] = (),
) -> dict[str, np.ndarray]:
    """Every CPT for every draw.

    Parameters
    ----------
    spec : NetworkSpec
    weights : numpy.ndarray
        Shape ``(L, S)``: signed log-odds weight of each lag-0 link per draw.
    bias : mapping
        Non-root node -> shape ``(S,)`` bias (log-odds at the parents' midpoint).
    base_rate : mapping
        Root node -> shape ``(S,)`` probability of its upper state (for a root with more
        than two states, the remaining mass is spread evenly over its lower states).
    nodes : collection of str, optional
        Build only these nodes' CPTs (the weights of other links are not read).
    out : mutable mapping, optional
        Node -> an array to write the node's table into (``(card, n_configs, S)``, or
        ``(n_configs, S)`` for an ``upper_only`` node), reused
        when its shape fits; new arrays are stored in it. Rebuilding many models one after
        another (leave-one-out, other settings) then touches fresh memory once: on the
        2-core development machine the kernel took longer to hand over trust's 262 MB than
        the logistic function took to fill it. The tables returned are views of these
        arrays, valid until the next build into the same ``out``.
    upper_only : collection of str
        Two-state children whose upper row alone is computed (the lower is one minus it).

    Returns
    -------
    dict
        Node -> array of shape ``(card, *parent_cards, S)`` (pgmpy's TabularCPD layout
        plus a trailing draw axis); every column sums to 1. For ``upper_only`` nodes,
        ``(*parent_cards, S)``: the upper row.
    """
    with one_blas_thread():  # BLAS threads on these thin products only add overhead
        return _build(spec, np.asarray(weights, dtype=float), bias, base_rate, nodes=nodes, out=out,
                      upper_only=set(upper_only))


def _build(
    spec: NetworkSpec, weights: np.ndarray, bias: Mapping[str, np.ndarray], base_rate: Mapping[str, np.ndarray],
    *, nodes: Collection[str] | None, out: MutableMapping[str, np.ndarray] | None, upper_only: set[str],
) -> dict[str, np.ndarray]:
    n_draws = weights.shape[1] if weights.ndim == 2 else 1
    cpts: dict[str, np.ndarray] = {}
    for root in spec.roots:
        if nodes is not None and root not in nodes:
            continue
        card = spec.card(root)
        p = np.broadcast_to(np.asarray(base_rate[root], dtype=float), (n_draws,))
        table = _buffer(out, root, (card, n_draws))
        table[-1] = p
        table[:-1] = (1.0 - p) / (card - 1)
        cpts[root] = table
    for child in spec.children:
        if nodes is not None and child.node not in nodes:
            continue
        card = spec.card(child.node)
        b = np.broadcast_to(np.asarray(bias[child.node], dtype=float), (n_draws,))
        w = weights[list(child.link_rows), :]
        n_configs = child.design.shape[0]
        halved = child.node in upper_only and card == 2
        table = _buffer(out, child.node, (n_configs, n_draws) if halved else (card, n_configs, n_draws))

        fill = functools.partial(_fill_block, child, w, b, table)
        starts = range(0, n_configs, _CONFIG_BLOCK)
        if len(starts) > 1 and n_configs * n_draws >= _PARALLEL_MIN:
            parallel_map(fill, starts)
        else:
            for start in starts:
                fill(start)
        cards = tuple(spec.card(p) for p in child.parents)
        cpts[child.node] = table.reshape((*cards, n_draws) if halved else (card, *cards, n_draws))
    return cpts
