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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bayesnet.engine.forward import LeafSource
from bayesnet.engine.plan import DEFAULT_OPTIMIZE, ContractionPlan, plan_contraction
from bayesnet.engine.plan import local_equation as _local
from bayesnet.engine.structure import Structure
from bayesnet.errors import EngineError, ZeroProbabilityError
from bayesnet.progress import progress

__all__ = ["GRADIENT_MEMORY_BUDGET", "Consumer", "GradientPlan", "Gradients", "compile_gradients", "run_pass"]

#: Bytes the intermediates and adjoints of one chunk of draws may take. Measured on the
#: default model's report (4,000 draws, integrated care system): 96 MB gave a 399 MB peak,
#: 48 MB 333 MB at the same speed (0.38 s of CPU for the tornado), 24 MB 303 MB but 20 % slower.
GRADIENT_MEMORY_BUDGET = 48 * 2**20


@dataclass(frozen=True)
class _Adjoint:
    """One CPT's derivative as the backward pass leaves it: over the CPT's free axes only."""

    array: np.ndarray  # labels ``labels``
    labels: str  # the leaf's labels, with the target label first if it is not one of them
    operand: np.ndarray  # the CPT restricted to the findings (the contraction's leaf), labels ``leaf``
    leaf: str
    whole: Callable[[], np.ndarray]  # the whole CPT for these draws

    @property
    def cpt(self) -> np.ndarray:
        """The whole CPT for these draws (built on demand when the CPTs come from a source)."""
        return self.whole()


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
            :attr:`bayesnet.build.cpt.ChildSpec.design`) and the derivative there, shape
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


class GradientPlan:
    """A compiled query shape ``P(target, evidence | do)`` with its backward pass.

    Build with :func:`compile_gradients`; the forward contraction is the shared
    :class:`~bayesnet.engine.plan.ContractionPlan`.

    Attributes
    ----------
    plan : ContractionPlan
    target : str
    evidence, do : tuple of str
    factors : tuple of str
        Nodes whose CPTs the query reads (after surgery and, with ``keep='relevant'``,
        pruning to the ancestors of the target and the evidence).
    per_draw_elements : int
        Elements stored per draw (intermediates and adjoints); sets the chunk size.
    """

    def __init__(self, plan: ContractionPlan) -> None:
        self.plan = plan
        self.structure = plan.structure
        self.target = plan.targets[0]
        self.evidence = plan.evidence
        self.do = plan.do
        self.factors = plan.factors
        self.path = plan.path
        self._index = {v: i for i, v in enumerate(self.factors)}
        self._tau = plan.symbols[self.target]
        self._k = plan.structure.card(self.target)
        self._fixed_axes = plan.fixed_axes
        self._free_axes = plan.free_axes
        self._leaf_labels = plan.leaf_labels
        self._output = plan.output
        self._steps = plan.steps
        size = {plan.draw_symbol: 1, **{s: plan.structure.card(v) for v, s in plan.symbols.items()}}
        per = 0
        for lab in (*plan.leaf_labels, *(s.labels_out for s in plan.steps)):
            per += 2 * int(np.prod([size[c] for c in lab])) * (1 if self._tau in lab else self._k)
        self.per_draw_elements = max(per, 1)

    @property
    def tau(self) -> str:
        """The einsum label of the target."""
        return self._tau

    @property
    def draw_symbol(self) -> str:
        """The einsum label of the draw axis."""
        return self.plan.draw_symbol

    def symbol(self, node: str) -> str | None:
        """The einsum label of a free node (None if it is observed, set, or not read)."""
        return self.plan.symbols.get(node)

    def live_configurations(self, node: str, fixed: Mapping[str, int]) -> np.ndarray:
        """Indices (C order) of ``node``'s parent configurations that agree with ``fixed``."""
        parents = self.structure.parents_of(node)
        return _live(self.structure, node, tuple((p, fixed[p]) for p in parents if p in fixed))

    def __repr__(self) -> str:
        ev = f" | {', '.join(self.evidence)}" if self.evidence else ""
        dd = f", do({', '.join(self.do)})" if self.do else ""
        return f"<GradientPlan P({self.target}{ev}{dd}): {len(self.factors)} factors>"

    def chunks(self, n_draws: int, memory_budget: int | None = None) -> list[slice]:
        """Slices of draws small enough for ``memory_budget`` bytes of stored tensors (default
        :data:`GRADIENT_MEMORY_BUDGET`)."""
        budget = GRADIENT_MEMORY_BUDGET if memory_budget is None else memory_budget
        size = max(1, min(n_draws, budget // (8 * self.per_draw_elements)))
        return [slice(a, min(a + size, n_draws)) for a in range(0, n_draws, size)]

    def gradients(
        self,
        cpts: Mapping[str, np.ndarray] | LeafSource,
        *,
        evidence: Mapping[str, int] | None = None,
        do: Mapping[str, int] | None = None,
        nodes: Iterable[str] | None = None,
        draws: slice | None = None,
    ) -> Gradients:
        """Value and CPT derivatives for the draws ``draws`` (default: all).

        Parameters
        ----------
        cpts : mapping or LeafSource
            Node -> CPT draws ``(card, *parent_cards, S)`` (checked beforehand: this does not
            re-validate column sums), or a source of the leaves (whole, not upper rows).
        evidence, do : mapping
            State index of every compiled evidence / intervention node.
        nodes : iterable of str, optional
            Nodes whose derivatives to return (default: every factor).
        draws : slice, optional

        Raises
        ------
        EngineError
            Wrong evidence or do nodes.
        ZeroProbabilityError
            Findings with probability zero in some draw.
        """
        ev = dict(evidence or {})
        dv = dict(do or {})
        if set(ev) != set(self.evidence) or set(dv) != set(self.do):
            raise EngineError(
                f"this plan was compiled for evidence on {list(self.evidence)} and do on "
                f"{list(self.do)}; got {sorted(ev)} and {sorted(dv)}"
            )
        fixed = {**ev, **dv}
        want = set(self.factors if nodes is None else nodes) & set(self.factors)
        sl = draws if draws is not None else slice(None)
        if isinstance(cpts, LeafSource):
            leaves = cpts.leaves(self.plan, fixed, sl, upper=False)
        else:
            leaves = self.plan.operands([np.asarray(cpts[v], dtype=float) for v in self.factors], fixed, sl)
        n = leaves[0].shape[-1]
        values: dict[int, np.ndarray] = dict(enumerate(leaves))
        labels: dict[int, str] = dict(enumerate(self._leaf_labels))
        for step in self._steps:
            values[step.out] = np.einsum(step.equation, *(values[i] for i in step.inputs))
            labels[step.out] = step.labels_out
        final = self._steps[-1].out
        value = values[final]
        total = value.sum(axis=0)
        if not np.all(total > 0):
            bad = np.flatnonzero(~(total > 0))
            raise ZeroProbabilityError(
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
                                      _whole(cpts, self.factors[i], sl))
            for i in sorted(wanted_ids)
        }
        return Gradients(self, sl if draws is not None else slice(0, n), value, adjoints, fixed)

    def expand(self, node: str, grad: np.ndarray, lab: str, fixed: Mapping[str, int]) -> np.ndarray:
        """A leaf adjoint (labels ``lab``) as ``(k_T, card_v, *parent_cards, n)``, zeros where
        the findings exclude."""
        i = self._index[node]
        v = node
        n = grad.shape[lab.index(self.draw_symbol)]
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


def _whole(cpts: Mapping[str, np.ndarray] | LeafSource, node: str, draws: slice) -> Callable[[], np.ndarray]:
    """A function giving ``node``'s whole CPT over ``draws``."""
    if isinstance(cpts, LeafSource):
        source = cpts
        return lambda: source.table(node, draws)
    arr = np.asarray(cpts[node])
    return lambda: arr[..., draws]


def compile_gradients(
    structure: Structure,
    target: str,
    *,
    evidence: Iterable[str] = (),
    do: Iterable[str] = (),
    keep: str = "relevant",
    optimize: str = DEFAULT_OPTIMIZE,
) -> GradientPlan:
    """Compile ``P(target, evidence | do)`` with its backward pass.

    The plan is :func:`~bayesnet.engine.plan.plan_contraction`'s, cached per shape and shared
    with the forward pass.

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
        As for :func:`~bayesnet.engine.plan.plan_contraction`.

    Raises
    ------
    EngineError
        Unknown names, a target that is observed or intervened on, an unknown ``keep``.
    """
    return GradientPlan(plan_contraction(structure, [target], evidence=evidence, do=do, keep=keep,
                                         optimize=optimize))


@functools.lru_cache(maxsize=4096)
def _live(structure: Structure, node: str, fixed: tuple[tuple[str, int], ...]) -> np.ndarray:
    parents = structure.parents_of(node)
    mask = np.ones([structure.card(p) for p in parents], dtype=bool)
    given = dict(fixed)
    for pos, p in enumerate(parents):
        if p in given:
            keep = np.zeros(structure.card(p), dtype=bool)
            keep[given[p]] = True
            mask &= keep.reshape([-1 if i == pos else 1 for i in range(len(parents))])
    out = np.flatnonzero(mask.ravel())
    out.setflags(write=False)
    return out


class Consumer(Protocol):
    """Something that reads the derivatives of one pass, chunk by chunk."""

    @property
    def nodes(self) -> Sequence[str]:
        """Nodes whose derivatives it reads."""

    def update(self, g: Gradients) -> None:
        """Read one chunk of draws."""


def run_pass(
    plan: GradientPlan,
    cpts: Mapping[str, np.ndarray] | LeafSource,
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
