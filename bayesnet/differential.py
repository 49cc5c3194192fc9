"""Derivatives of a query with respect to every CPT, for all parameter draws at once.

The joint probability of a target state and the findings is a multilinear polynomial in
the CPT entries (Darwiche 2003, "A differential approach to inference in Bayesian
networks", J. ACM 50(3)): every term holds exactly one entry of each CPT. So with
``f_t = P(T = t, e | do)`` and ``G_v[t] = df_t / d theta_v`` (same shape as node ``v``'s CPT):

* ``f_t = sum(G_v[t] * theta_v)`` for every node ``v``: ``f_t`` is *linear* in one CPT, so
  replacing one CPT by any other table ``theta'_v`` gives the new answer exactly as
  ``sum(G_v[t] * theta'_v)`` -- no new inference;
* intervening on ``v`` (graph surgery) replaces its CPT by the one-hot table of the set state,
  so ``P(T = t, e | do(v = x)) = sum over parent states of G_v[t][x, ...]``;
* ``P(T = t, v = x, e) = sum over parent states of theta_v[x, ...] * G_v[t][x, ...]``: the joint
  of the target with every node, hence mutual information, in one pass.

One forward contraction (with a fixed ``opt_einsum`` path) and one backward pass through the
same pairwise steps give every ``G_v``, vectorised over the trailing draw axis and chunked so
the stored intermediates stay within a memory budget. The backward pass costs two to three
forward passes, against one full inference per node and state for the sweeps it replaces.

Pure numpy; the CPT layout is :mod:`bayesnet.engine`'s: ``(card_v, *parent_cards, S)``.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import opt_einsum as oe

from bayesnet.engine import Structure, relevant_nodes
from bayesnet.errors import QueryError
from bayesnet.progress import progress

__all__ = ["GRADIENT_MEMORY_BUDGET", "Consumer", "GradientPlan", "Gradients", "compile_gradients", "run_pass"]

#: Bytes the intermediates and adjoints of one chunk of draws may take.
GRADIENT_MEMORY_BUDGET = 96 * 2**20
_NOMINAL_DRAWS = 1000
_KEEP = ("relevant", "all")


@dataclass(frozen=True)
class _Adjoint:
    """One CPT's derivative as the backward pass leaves it: over the CPT's free axes only."""

    array: np.ndarray  # labels ``labels``
    labels: str  # the leaf's labels, with the target label first if it is not one of them
    operand: np.ndarray  # the CPT restricted to the findings (the contraction's leaf), labels ``leaf``
    leaf: str
    cpt: np.ndarray  # the whole CPT for these draws


class Gradients:
    """A query's value and its derivatives for one chunk of draws.

    Attributes
    ----------
    draws : slice
        Which draws of the CPTs these are.
    value : numpy.ndarray
        Shape ``(k_T, s)``: ``P(T = t, e | do)`` per draw (not normalised).
    nodes : tuple of str
        Nodes whose derivatives are held: those asked for that the query reads (a node the
        query does not read does not affect the answer).
    """

    def __init__(self, plan: GradientPlan, draws: slice, value: np.ndarray, adjoints: dict[str, _Adjoint],
                 fixed: Mapping[str, int]) -> None:
        self.plan = plan
        self.draws = draws
        self.value = value
        self._adjoints = adjoints
        self._fixed = dict(fixed)

    @property
    def nodes(self) -> tuple[str, ...]:
        """Nodes whose derivatives are held."""
        return tuple(self._adjoints)

    @property
    def total(self) -> np.ndarray:
        """``P(e | do)`` per draw, shape ``(s,)``."""
        return self.value.sum(axis=0)

    def posterior(self) -> np.ndarray:
        """``P(T | e, do)`` per draw, shape ``(k_T, s)``."""
        return self.value / self.total

    def grad(self, node: str) -> np.ndarray | None:
        """``d value[t] / d theta_node`` as ``(k_T, card, *parent_cards, s)`` (zero at parent
        states the findings exclude), or None if the query does not read ``node``."""
        adj = self._adjoints.get(node)
        if adj is None:
            return None
        return self.plan.expand(node, adj.array, adj.labels, self._fixed)

    def _reduce(self, node: str, with_cpt: bool) -> np.ndarray | None:
        adj = self._adjoints.get(node)
        if adj is None:
            return None
        tau, own, draw = self.plan.tau, self.plan.symbol(node), self.plan.draw_symbol
        if own is None or own == tau or own not in adj.leaf:  # observed, or the target itself
            full = self.grad(node)
            assert full is not None
            if with_cpt:
                full = full * adj.cpt[None]
            return full.reshape(full.shape[0], full.shape[1], -1, full.shape[-1]).sum(axis=2)
        out = tau + own + draw
        if with_cpt:
            return np.einsum(_local(f"{adj.labels},{adj.leaf}->{out}"), adj.array, adj.operand)
        return np.einsum(_local(f"{adj.labels}->{out}"), adj.array)

    def under_do(self, node: str) -> np.ndarray | None:
        """``P(T = t, e | do, do(node = x))``, shape ``(k_T, card_node, s)``, or None if ``node``
        is not read by the query (intervening on it changes nothing)."""
        return self._reduce(node, with_cpt=False)

    def joint_with(self, node: str) -> np.ndarray | None:
        """``P(T = t, node = x, e | do)``, shape ``(k_T, card_node, s)``, or None if ``node`` is
        not read by the query."""
        return self._reduce(node, with_cpt=True)

    def configurations(self, node: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The derivative over the parent configurations the findings allow.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray) or None
            Indices of those configurations (C order over the parents, as the rows of
            :attr:`bayesnet.cpt.ChildSpec.design`) and the derivative there, shape
            ``(k_T, card, n_configurations, s)``; None if the query does not read ``node``.
        """
        adj = self._adjoints.get(node)
        if adj is None:
            return None
        plan = self.plan
        own = plan.symbol(node)
        n = self.value.shape[-1]
        if own is None or own == plan.tau or plan.tau in adj.leaf:  # rare shapes: from the full derivative
            full = self.grad(node)
            assert full is not None
            g = full.reshape(full.shape[0], full.shape[1], -1, n)
            live = np.flatnonzero(np.any(g != 0.0, axis=(0, 1, 3)))
            return live, g[:, :, live]
        order = [adj.labels.index(c) for c in plan.tau + adj.leaf]
        g = np.transpose(adj.array, order)  # (tau, own, free parents..., draw)
        g = np.ascontiguousarray(g).reshape(g.shape[0], g.shape[1], -1, n)
        return plan.live_configurations(node, self._fixed), g

    def replaced(self, node: str, cpt: np.ndarray) -> np.ndarray | None:
        """``P(T = t, e | do)`` with ``node``'s CPT replaced by ``cpt`` (exact), shape ``(k_T, s)``."""
        g = self.grad(node)
        if g is None:
            return None
        return (g * cpt[None, ...]).reshape(g.shape[0], -1, g.shape[-1]).sum(axis=1)


@dataclass(frozen=True)
class _Step:
    out: int
    inputs: tuple[int, ...]
    labels_in: tuple[str, ...]
    labels_out: str


class GradientPlan:
    """A compiled query shape ``P(target, evidence | do)`` with its backward pass.

    Build with :func:`compile_gradients`.

    Attributes
    ----------
    target : str
    evidence, do : tuple of str
    factors : tuple of str
        Nodes whose CPTs the query reads (after surgery and, with ``keep='relevant'``,
        pruning to the ancestors of the target and the evidence).
    per_draw_elements : int
        Elements stored per draw (intermediates and adjoints); sets the chunk size.
    """

    def __init__(
        self,
        structure: Structure,
        *,
        target: str,
        evidence: frozenset[str],
        do: frozenset[str],
        keep: str,
        optimize: str,
    ) -> None:
        order = structure.topological_order
        self.structure = structure
        self.target = target
        self.evidence = tuple(v for v in order if v in evidence)
        self.do = tuple(v for v in order if v in do)
        kept = set(order) if keep == "all" else relevant_nodes(structure, [target, *self.evidence], do)
        self.factors = tuple(v for v in order if v in kept and v not in do)
        fixed = evidence | do
        free = [v for v in order if v in kept and v not in fixed]
        symbol = {v: oe.get_symbol(i + 1) for i, v in enumerate(free)}
        self._symbols = symbol
        self._index = {v: i for i, v in enumerate(self.factors)}
        self._draw = oe.get_symbol(0)
        self._tau = symbol[target]
        self._k = structure.card(target)
        self._fixed_axes: list[tuple[tuple[int, str], ...]] = []
        self._free_axes: list[tuple[int, ...]] = []
        leaf_labels: list[str] = []
        shapes: list[tuple[int, ...]] = []
        for v in self.factors:
            axes = (v, *structure.parents_of(v))
            self._fixed_axes.append(tuple((i, a) for i, a in enumerate(axes) if a in fixed))
            self._free_axes.append(tuple(i for i, a in enumerate(axes) if a not in fixed))
            kept_axes = [a for a in axes if a not in fixed]
            leaf_labels.append("".join(symbol[a] for a in kept_axes) + self._draw)
            shapes.append((*(structure.card(a) for a in kept_axes), _NOMINAL_DRAWS))
        self._leaf_labels = tuple(leaf_labels)
        self._output = self._tau + self._draw
        equation = ",".join(leaf_labels) + "->" + self._output
        state = random.getstate()
        try:
            path, _ = oe.contract_path(equation, *shapes, shapes=True, optimize=optimize)
        finally:
            random.setstate(state)
        self.path = [tuple(p) for p in path]
        self._steps, labels = self._build_steps(leaf_labels, self.path)
        size = {self._draw: 1, **{symbol[v]: structure.card(v) for v in free}}
        per = 0
        for lab in labels:
            per += 2 * int(np.prod([size[c] for c in lab])) * (1 if self._tau in lab else self._k)
        self.per_draw_elements = max(per, 1)
        self._live: dict[tuple[Any, ...], np.ndarray] = {}

    def _build_steps(
        self, leaf_labels: list[str], path: list[tuple[int, ...]]
    ) -> tuple[list[_Step], list[str]]:
        """Replay the opt_einsum path: operands popped in descending position, result appended."""
        current = list(range(len(leaf_labels)))
        labels = list(leaf_labels)
        steps = []
        for contract in path:
            popped = [current.pop(i) for i in sorted(contract, reverse=True)]
            remaining = set(self._output).union(*(labels[i] for i in current)) if current else set(self._output)
            seen: list[str] = []
            for i in popped:
                for c in labels[i]:
                    if c not in seen and c in remaining:
                        seen.append(c)
            out_id = len(labels)
            out_labels = self._output if not current else "".join(seen)
            labels.append(out_labels)
            steps.append(_Step(out_id, tuple(popped), tuple(labels[i] for i in popped), out_labels))
            current.append(out_id)
        if not path:  # a single operand that already is the output
            only = current[0]
            steps.append(_Step(len(labels), (only,), (labels[only],), self._output))
            labels.append(self._output)
        return steps, labels

    @property
    def tau(self) -> str:
        """The einsum label of the target."""
        return self._tau

    @property
    def draw_symbol(self) -> str:
        """The einsum label of the draw axis."""
        return self._draw

    def symbol(self, node: str) -> str | None:
        """The einsum label of a free node (None if it is observed, set, or not read)."""
        return self._symbols.get(node)

    def live_configurations(self, node: str, fixed: Mapping[str, int]) -> np.ndarray:
        """Indices (C order) of ``node``'s parent configurations that agree with ``fixed``."""
        parents = self.structure.parents_of(node)
        key = (node, tuple((p, fixed[p]) for p in parents if p in fixed))
        cached = self._live.get(key)
        if cached is None:
            mask = np.ones([self.structure.card(p) for p in parents], dtype=bool)
            for pos, p in enumerate(parents):
                if p in fixed:
                    keep = np.zeros(self.structure.card(p), dtype=bool)
                    keep[fixed[p]] = True
                    mask &= keep.reshape([-1 if i == pos else 1 for i in range(len(parents))])
            cached = self._live[key] = np.flatnonzero(mask.ravel())
        return cached

    def __repr__(self) -> str:
        ev = f" | {', '.join(self.evidence)}" if self.evidence else ""
        dd = f", do({', '.join(self.do)})" if self.do else ""
        return f"<GradientPlan P({self.target}{ev}{dd}): {len(self.factors)} factors>"

    def chunks(self, n_draws: int, memory_budget: int = GRADIENT_MEMORY_BUDGET) -> list[slice]:
        """Slices of draws small enough for ``memory_budget`` bytes of stored tensors."""
        size = max(1, min(n_draws, memory_budget // (8 * self.per_draw_elements)))
        return [slice(a, min(a + size, n_draws)) for a in range(0, n_draws, size)]

    def gradients(
        self,
        cpts: Mapping[str, np.ndarray],
        *,
        evidence: Mapping[str, int] | None = None,
        do: Mapping[str, int] | None = None,
        nodes: Iterable[str] | None = None,
        draws: slice | None = None,
    ) -> Gradients:
        """Value and CPT derivatives for the draws ``draws`` (default: all).

        Parameters
        ----------
        cpts : mapping
            Node -> CPT draws ``(card, *parent_cards, S)`` (checked beforehand: this does not
            re-validate column sums).
        evidence, do : mapping
            State index of every compiled evidence / intervention node.
        nodes : iterable of str, optional
            Nodes whose derivatives to return (default: every factor).
        draws : slice, optional

        Raises
        ------
        QueryError
            Wrong evidence or do nodes, or findings with probability zero in some draw.
        """
        ev = dict(evidence or {})
        dv = dict(do or {})
        if set(ev) != set(self.evidence) or set(dv) != set(self.do):
            raise QueryError(
                f"this plan was compiled for evidence on {list(self.evidence)} and do on "
                f"{list(self.do)}; got {sorted(ev)} and {sorted(dv)}"
            )
        fixed = {**ev, **dv}
        want = set(self.factors if nodes is None else nodes) & set(self.factors)
        sl = draws if draws is not None else slice(None)
        leaves = []
        for v, axes in zip(self.factors, self._fixed_axes, strict=True):
            arr = np.asarray(cpts[v], dtype=float)
            idx: list[int | slice] = [slice(None)] * (arr.ndim - 1)
            for pos, name in axes:
                idx[pos] = fixed[name]
            idx.append(sl)
            leaves.append(arr[tuple(idx)])
        n = leaves[0].shape[-1]
        values: dict[int, np.ndarray] = dict(enumerate(leaves))
        labels: dict[int, str] = dict(enumerate(self._leaf_labels))
        for step in self._steps:
            eq = _local(",".join(step.labels_in) + "->" + step.labels_out)
            values[step.out] = np.einsum(eq, *(values[i] for i in step.inputs))
            labels[step.out] = step.labels_out
        final = self._steps[-1].out
        value = values[final]
        total = value.sum(axis=0)
        if not np.all(total > 0):
            bad = np.flatnonzero(~(total > 0))
            raise QueryError(
                f"the findings have probability zero in {len(bad)} of {n} draws; the answer is "
                "undefined there"
            )
        # backward: adjoint of a tensor X carries X's labels plus the target label tau
        adj: dict[int, np.ndarray] = {final: np.ones((self._k, n))}
        adj_lab: dict[int, str] = {final: self._output}
        leaf_ids = set(range(len(self.factors)))
        wanted_ids = {i for i, v in enumerate(self.factors) if v in want}
        for step in reversed(self._steps):
            d_out = adj.pop(step.out)
            d_lab = adj_lab.pop(step.out)
            for i in step.inputs:
                if i in leaf_ids and i not in wanted_ids:
                    continue
                others = [k for k in step.inputs if k != i]
                target_lab = labels[i] if self._tau in labels[i] else self._tau + labels[i]
                present = set(d_lab).union(*(labels[k] for k in others))
                out_lab = "".join(c for c in target_lab if c in present)
                eq = _local(",".join([d_lab, *(labels[k] for k in others)]) + "->" + out_lab)
                grad = np.einsum(eq, d_out, *(values[k] for k in others))
                if out_lab != target_lab:  # labels summed in X alone: the derivative is constant along them
                    shape = [grad.shape[out_lab.index(c)] if c in out_lab else 1 for c in target_lab]
                    order = [out_lab.index(c) for c in target_lab if c in out_lab]
                    grad = np.transpose(grad, order).reshape(shape)
                    full = [values[i].shape[labels[i].index(c)] if c in labels[i] else self._k for c in target_lab]
                    grad = np.broadcast_to(grad, full)
                adj[i] = grad
                adj_lab[i] = target_lab
            for i in step.inputs:
                if i not in leaf_ids:
                    values.pop(i, None)
        adjoints = {
            self.factors[i]: _Adjoint(adj[i], adj_lab[i], leaves[i], self._leaf_labels[i],
                                      np.asarray(cpts[self.factors[i]])[..., sl])
            for i in sorted(wanted_ids)
        }
        return Gradients(self, sl if draws is not None else slice(0, n), value, adjoints, fixed)

    def expand(self, node: str, grad: np.ndarray, lab: str, fixed: Mapping[str, int]) -> np.ndarray:
        """A leaf adjoint (labels ``lab``) as ``(k_T, card_v, *parent_cards, n)``, zeros where
        the findings exclude."""
        i = self._index[node]
        v = node
        n = grad.shape[lab.index(self._draw)]
        shape = self.structure.cpt_shape(v, n)
        out = np.zeros((self._k, *shape))
        leaf = self._leaf_labels[i]
        tau_in_leaf = self._tau in leaf
        # bring the adjoint to (tau, *free axes of the leaf, draw) order
        if tau_in_leaf:
            grad = np.transpose(grad, [lab.index(c) for c in leaf])
        else:
            grad = np.transpose(grad, [lab.index(c) for c in self._tau + leaf])
        idx: list[int | slice] = [slice(None)] * (len(shape) - 1)
        for pos, name in self._fixed_axes[i]:
            idx[pos] = fixed[name]
        if not tau_in_leaf:
            out[(slice(None), *idx, slice(None))] = grad
            return out
        # the target is one of the leaf's own axes: df_t/dtheta is zero off the diagonal
        tau_pos = self._free_axes[i][leaf.index(self._tau)]
        for t in range(self._k):
            sub = list(idx)
            sub[tau_pos] = t
            take: list[int | slice] = [slice(None)] * grad.ndim
            take[leaf.index(self._tau)] = t
            out[(t, *sub, slice(None))] = grad[tuple(take)]
        return out


_ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@functools.lru_cache(maxsize=8192)
def _local(equation: str) -> str:
    """The equation with its labels renamed to ASCII letters (numpy's einsum takes 52 at most
    per call, and one pairwise step never uses that many)."""
    mapping: dict[str, str] = {}
    out = []
    for c in equation:
        if c in ",->":
            out.append(c)
            continue
        if c not in mapping:
            mapping[c] = _ASCII[len(mapping)]
        out.append(mapping[c])
    return "".join(out)


def compile_gradients(
    structure: Structure,
    target: str,
    *,
    evidence: Iterable[str] = (),
    do: Iterable[str] = (),
    keep: str = "relevant",
    optimize: str = "greedy",
) -> GradientPlan:
    """Compile ``P(target, evidence | do)`` with its backward pass (cached per shape).

    Parameters
    ----------
    structure : bayesnet.engine.Structure
    target : str
    evidence, do : iterable of str
        Observed and intervened nodes (their values are given at call time).
    keep : {'relevant', 'all'}
        ``'relevant'``: only the ancestors of the target and the evidence (every other CPT
        sums out and has zero derivative); ``'all'``: every node, so that the joint of the
        target with its descendants is available (mutual information).
    optimize : str
        An ``opt_einsum`` path optimiser.
    """
    if keep not in _KEEP:
        raise QueryError(f"The 'keep' parameter of compile_gradients must be one of {', '.join(_KEEP)}. "
                         f"Got {keep!r} instead.")
    ev = frozenset(evidence)
    dd = frozenset(do)
    known = set(structure.variables)
    for name in (target, *ev, *dd):
        if name not in known:
            raise QueryError(f"unknown node {name!r}")
    if target in ev | dd:
        raise QueryError(f"target {target!r} is observed or intervened on; ask about another node")
    if ev & dd:
        raise QueryError(f"nodes {sorted(ev & dd)} are both observed and intervened on")
    return _compile_cached(structure, target, evidence=ev, do=dd, keep=keep, optimize=optimize)


@functools.lru_cache(maxsize=256)
def _compile_cached(
    structure: Structure, target: str, *, evidence: frozenset[str], do: frozenset[str], keep: str, optimize: str
) -> GradientPlan:
    return GradientPlan(structure, target=target, evidence=evidence, do=do, keep=keep, optimize=optimize)


class Consumer(Protocol):
    """Something that reads the derivatives of one pass, chunk by chunk."""

    @property
    def nodes(self) -> Sequence[str]:
        """Nodes whose derivatives it reads."""

    def update(self, g: Gradients) -> None:
        """Read one chunk of draws."""


def run_pass(
    plan: GradientPlan,
    cpts: Mapping[str, np.ndarray],
    *,
    evidence: Mapping[str, int],
    do: Mapping[str, int],
    n_draws: int,
    consumers: Sequence[Consumer],
    show_progress: bool = False,
    desc: str = "derivatives",
) -> None:
    """One forward-backward pass over ``n_draws`` draws, chunk by chunk, feeding every consumer
    (analyses of the same question share the pass instead of each running its own)."""
    nodes = list(dict.fromkeys(n for c in consumers for n in c.nodes))
    chunks = plan.chunks(n_draws)
    for sl in progress(chunks, enabled=show_progress, desc=desc, total=len(chunks)):
        g = plan.gradients(cpts, evidence=evidence, do=do, nodes=nodes, draws=sl)
        for consumer in consumers:
            consumer.update(g)
