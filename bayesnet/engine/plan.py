"""The one contraction compiler: a query shape becomes a fixed einsum plan.

A query *shape* names the targets, the observed (evidence) and the intervened (do)
variables, not their values. :func:`plan_contraction` compiles it once, and both the
forward pass (:mod:`bayesnet.engine.forward`) and the derivative pass
(:mod:`bayesnet.engine.backward`) run the same plan:

1. graph surgery for ``do``: the CPT of an intervened variable is dropped and its incoming
   edges are cut; the variable is fixed to its value;
2. barren-node pruning (``keep='relevant'``): only ancestors of the targets and the evidence
   in the mutilated graph are kept, the others sum to one; ``keep='all'`` keeps every node
   (the joint of the target with its descendants, for mutual information);
3. labels: one einsum symbol per free variable and one for the draw axis, which comes last
   in every operand; evidence and ``do`` values are absorbed at call time by indexing CPT
   axes (views, no copies), so the plan does not depend on the values;
4. path planning, fixed once: first every large factor absorbs, in one pass, the smaller
   factors whose labels it holds (below), then :data:`DEFAULT_OPTIMIZE` (measured below)
   orders the rest;
5. execution (:meth:`ContractionPlan.contract`): one ``numpy.einsum`` per step of the path,
   every intermediate with the draw axis last, so each step's innermost loop runs over
   contiguous draws (opt_einsum's own executor put the draw axis in the middle of some
   intermediates and then read them with a stride).

Plans are cached per shape (:func:`functools.lru_cache`, the package's one cache policy for
hashable keys).

Path optimiser, measured (``benchmarks/bench_engine.py``, 2-core machine, 4,000 draws):
``'greedy'`` compiles in 0.4-5 ms and is as good as ``'random-greedy-128'`` on cheap
queries; a random-greedy search pays off only on expensive ones (insurance given all
leaves: 187 -> 77 ms an evaluation). ``'adaptive'`` takes the greedy plan and, when it costs
more than ``_ADAPTIVE_FLOPS`` (10,000) flops per draw, also tries a random-greedy search and
keeps the cheaper plan: 8 trials. (Before absorption, below, greedy planned 1.7e9 flops per
draw on the unrolled network of five slices where 32 trials found 4.6e6, and the heaviest
plans had 32 trials. With absorption greedy plans 1.9e6-6.5e6 there and 8 trials find the
same plans as 32 (0.26e6-0.62e6 flops per draw) in a quarter of the time: 0.1-0.2 s a shape
instead of 0.25-0.5 s, most of a ``bayesnet trajectory``'s compile time.) It then also
tries :class:`EliminationPath`, a path that follows a min-weight elimination order, and keeps
the cheapest of the three: once the review's passages coded for issue 12 (ambition's three
states, the competition between partners, work on functioning) tied the slices of the
unrolled network more closely, random-greedy kept several slices' variables in one
intermediate (19 labels) and planned 2.6e7 flops per draw for P(trust@5, faith@5,
collaborative_behaviour@5) on buddying, where the elimination order plans 1.3e6; over that
trajectory's 10 queries, 5.8e7 flops per draw fell to 6.2e6. The elimination path costs about
2 ms to plan on the static model's queries and 23 ms on five slices. Labels are assigned in
topological order, the random-greedy trials are seeded, and every search runs on integer labels
(:class:`_IntegerLabels`: opt_einsum iterates over sets of labels, whose order
for letters depends on ``PYTHONHASHSEED``), so a plan, and every answer, is the same bit for
bit in every process.

Absorption, measured (``benchmarks/bench_query.py``, default model, 4,000 draws): a path
search counts flops, not passes over memory, and sums a large factor's variables out one at a
time (trust, 12 parents: 11 passes over a 65 MB slice, each writing half of what it read).
Multiplying the small factors a large one holds (root priors, findings) into one small tensor
first and contracting it with the large factor in one step costs the same flops and reads the
large factor once: 7.7 ms for trust's slice against 36 ms. Factors of at least
``_ABSORB_MIN`` (256) entries per draw absorb those of at most a quarter of their size.

Upper rows, measured the same way: a two-state node's CPT is ``[1 - U, U]`` with ``U`` its
upper row, so a step that reads it needs ``U`` and sums of the other operand only
(:func:`_upper_step`): the forward pass reads half of every large two-state table (trust's
65 MB slice: 3.9 ms against 7.7 ms), and a source that builds CPTs for one query
(:class:`~bayesnet.engine.forward.LeafSource`) builds only ``U``. Two-state factors of at
least ``_UPPER_MIN`` (64) entries per draw whose own state is free are read so, unless the
step that reads them reads another such factor (the larger one is).
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import opt_einsum as oe
from opt_einsum import paths as _oe_paths

from bayesnet import scratch
from bayesnet.engine.structure import Structure, relevant_nodes, unknown_name
from bayesnet.errors import EngineError

__all__ = ["DEFAULT_OPTIMIZE", "KEEP", "ContractionPlan", "Step", "local_equation", "plan_contraction"]

DEFAULT_OPTIMIZE = "adaptive"
"""Path optimiser of every plan unless told otherwise (see the module docstring)."""
KEEP = ("relevant", "all")
"""Which nodes a plan keeps: the query's ancestors, or every node."""
NOMINAL_DRAWS = 1000
"""Draw count paths are planned for; every intermediate carries the draw axis, so path costs
scale with it uniformly."""
_ADAPTIVE_FLOPS = 10_000
_ADAPTIVE_REPEATS = 8
_ABSORB_MIN = 256
_UPPER_MIN = 64
_DRAW_SYMBOL = oe.get_symbol(0)
_CACHE_SIZE = 1024
_ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Step:
    """One pairwise (or single) contraction of a plan's path.

    Attributes
    ----------
    out : int
        Id of the tensor it makes (leaves are ``0..len(factors) - 1``).
    inputs : tuple of int
        Ids of the tensors it contracts.
    labels_in : tuple of str
    labels_out : str
    """

    out: int
    inputs: tuple[int, ...]
    labels_in: tuple[str, ...]
    labels_out: str

    @property
    def equation(self) -> str:
        """The step as a ``numpy.einsum`` equation (labels renamed to ASCII letters)."""
        return local_equation(",".join(self.labels_in) + "->" + self.labels_out)


@dataclass(frozen=True, eq=False)
class ContractionPlan:
    """A compiled query shape. Build with :func:`plan_contraction`.

    Attributes
    ----------
    structure : Structure
    targets : tuple of str
    evidence, do : tuple of str
        Observed and intervened variables, in topological order.
    keep : {'relevant', 'all'}
    optimize : str
    factors : tuple of str
        Variables whose CPTs the query reads (after surgery and pruning), topologically.
    fixed_axes : tuple
        Per factor: ``(axis, variable)`` of each CPT axis indexed by a fixed value.
    free_axes : tuple
        Per factor: the CPT axes left free.
    symbols : dict
        Free variable -> einsum label.
    leaf_labels : tuple of str
        Per factor: its labels after the fixed axes are indexed, the draw axis last.
    output : str
        Labels of the result: the targets', then the draw axis.
    equation : str
    path : tuple of tuple of int
        The fixed contraction order (opt_einsum's path format).
    per_draw_intermediate : int
        Elements of the largest intermediate tensor, per draw.
    per_draw_flops : int
        Cost of the path per draw, as opt_einsum counts it.
    upper : tuple of bool
        Per factor: whether the forward pass reads only its upper row (a two-state node whose
        state is free: its lower row is one minus it); see :attr:`upper`.
    """

    structure: Structure
    targets: tuple[str, ...]
    evidence: tuple[str, ...]
    do: tuple[str, ...]
    keep: str
    optimize: str
    factors: tuple[str, ...]
    fixed_axes: tuple[tuple[tuple[int, str], ...], ...]
    free_axes: tuple[tuple[int, ...], ...]
    symbols: Mapping[str, str]
    leaf_labels: tuple[str, ...]
    output: str
    equation: str
    path: tuple[tuple[int, ...], ...]
    per_draw_intermediate: int
    per_draw_flops: int
    shapes: tuple[tuple[int, ...], ...] = field(repr=False)

    @property
    def draw_symbol(self) -> str:
        """The einsum label of the draw axis."""
        return _DRAW_SYMBOL

    @functools.cached_property
    def steps(self) -> tuple[Step, ...]:
        """The path replayed as steps with labels (the forward pass runs them, the backward
        pass walks them in reverse). Each intermediate keeps its largest input's label order,
        with the draw axis last."""
        current = list(range(len(self.leaf_labels)))
        labels = list(self.leaf_labels)
        size = self._sizes
        steps = []
        for contract in self.path:
            popped = [current.pop(i) for i in sorted(contract, reverse=True)]
            remaining = set(self.output).union(*(labels[i] for i in current)) if current else set(self.output)
            seen: list[str] = []
            for i in sorted(popped, key=lambda i: -_size(labels[i], size)):
                for c in labels[i]:
                    if c not in seen and c in remaining and c != _DRAW_SYMBOL:
                        seen.append(c)
            out_labels = self.output if not current else "".join(seen) + _DRAW_SYMBOL
            labels.append(out_labels)
            steps.append(Step(len(labels) - 1, tuple(popped), tuple(labels[i] for i in popped), out_labels))
            current.append(len(labels) - 1)
        if not self.path and current:  # a single operand that already is the output
            only = current[0]
            steps.append(Step(len(labels), (only,), (labels[only],), self.output))
        return tuple(steps)

    def contract(self, operands: Sequence[np.ndarray], *, upper: bool = False) -> np.ndarray:
        """Run the plan on its leaves (:meth:`operands`): the result, labels :attr:`output`.

        With ``upper``, the leaves of the factors marked in :attr:`upper` are their upper rows
        (``operands(..., upper=True)``). Intermediates are written into :mod:`bayesnet.scratch`
        buffers, and every operand lent by it (leaves a source built, intermediates) is given
        back once read; the result is a new array.
        """
        values = dict(enumerate(operands))
        halves = {i for i, u in enumerate(self.upper) if u} if upper else set()
        last = self.steps[-1].out
        for step in self.steps:
            half = [i for i in step.inputs if i in halves]
            inputs = [values.pop(i) for i in step.inputs]
            n = max(x.shape[-1] for x in inputs)
            out = None if step.out == last else scratch.take(
                tuple(n if c == _DRAW_SYMBOL else self._sizes[c] for c in step.labels_out), np.result_type(*inputs))
            if half:
                values[step.out] = _upper_step(step, step.inputs.index(half[0]), inputs, self._sizes, out)
            else:
                values[step.out] = np.einsum(step.equation, *inputs, out=out)
            scratch.give(*inputs)
        return values[last]

    @functools.cached_property
    def _sizes(self) -> dict[str, int]:
        return {_DRAW_SYMBOL: 1, **{s: self.structure.card(v) for v, s in self.symbols.items()}}

    @functools.cached_property
    def upper(self) -> tuple[bool, ...]:
        """Per factor: whether the forward pass reads only its upper row: a two-state node
        whose own state is free, with at least ``_UPPER_MIN`` entries per draw; of two such
        factors read by one step, only the larger."""
        sizes = self._sizes
        upper = [
            self.structure.card(v) == 2 and 0 in free and _size(lab, sizes) >= _UPPER_MIN
            for v, free, lab in zip(self.factors, self.free_axes, self.leaf_labels, strict=True)
        ]
        n = len(upper)
        for step in self.steps:
            both = [i for i in step.inputs if i < n and upper[i]]
            for i in sorted(both, key=lambda i: _size(self.leaf_labels[i], sizes))[:-1]:
                upper[i] = False
        return tuple(upper)

    def operands(
        self, arrays: Sequence[np.ndarray], fixed: Mapping[str, int], draws: slice, *, upper: bool = False
    ) -> list[np.ndarray]:
        """The factors' CPTs with fixed axes indexed and the draws in ``draws`` (views); with
        ``upper``, only the upper row of the factors marked in :attr:`upper`."""
        ops = []
        for arr, axes, half in zip(arrays, self.fixed_axes, self.upper, strict=True):
            idx: list[int | slice] = [slice(None)] * (arr.ndim - 1)
            for pos, name in axes:
                idx[pos] = fixed[name]
            if upper and half:
                idx[0] = 1
            idx.append(draws)
            ops.append(arr[tuple(idx)])
        return ops

    def __repr__(self) -> str:
        ev = f" | {', '.join(self.evidence)}" if self.evidence else ""
        dd = f", do({', '.join(self.do)})" if self.do else ""
        return (
            f"<ContractionPlan P({', '.join(self.targets)}{ev}{dd}): {len(self.factors)} factors, "
            f"largest intermediate {self.per_draw_intermediate} per draw>"
        )


def _names(value: Iterable[str], what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise EngineError(f"{what} must be a sequence of variable names, not the string {value!r}")
    return tuple(value)


def plan_contraction(
    structure: Structure,
    targets: Sequence[str],
    *,
    evidence: Iterable[str] = (),
    do: Iterable[str] = (),
    keep: str = "relevant",
    optimize: str = DEFAULT_OPTIMIZE,
) -> ContractionPlan:
    """Compile the query shape ``P(targets, evidence | do)`` (cached per shape).

    Parameters
    ----------
    structure : Structure
    targets : sequence of str
        Query variables, in the order of the result's axes; may be empty (only the
        probability of the evidence is then asked).
    evidence, do : iterable of str
        Observed and intervened variables (values are given at call time).
    keep : {'relevant', 'all'}
    optimize : str
        ``'adaptive'`` (the default) or an ``opt_einsum`` path optimiser name.

    Raises
    ------
    EngineError
        Unknown or repeated names, a variable both observed and intervened on, a target
        that is observed or intervened on, an unknown ``keep`` or ``optimize``.
    """
    if not isinstance(structure, Structure):
        raise EngineError(f"structure must be a Structure; got {type(structure).__name__}")
    tgt = _names(targets, "targets")
    ev = _names(evidence, "evidence")
    dd = _names(do, "do")
    known = set(structure.variables)
    for what, names in (("targets", tgt), ("evidence", ev), ("do", dd)):
        for n in names:
            if n not in known:
                raise unknown_name(n, structure.variables, what)
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise EngineError(f"{what} repeat variables {dup}")
    both = sorted(set(ev) & set(dd))
    if both:
        raise EngineError(f"variables {both} are both observed (evidence) and intervened on (do)")
    clash = sorted(set(tgt) & (set(ev) | set(dd)))
    if clash:
        raise EngineError(f"targets {clash} are also in evidence or do; a target must be free")
    if keep not in KEEP:
        raise EngineError(f"The 'keep' parameter of plan_contraction must be one of {KEEP}. Got {keep!r} instead.")
    if not isinstance(optimize, str) or (optimize != "adaptive" and optimize not in _oe_paths._PATH_OPTIONS):
        allowed = ", ".join(repr(k) for k in ("adaptive", *_oe_paths._PATH_OPTIONS))
        raise EngineError(
            f"The 'optimize' parameter of plan_contraction must be one of {allowed}. Got {optimize!r} instead."
        )
    return _cached(structure, tgt, frozenset(ev), frozenset(dd), keep=keep, optimize=optimize)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _cached(
    structure: Structure,
    targets: tuple[str, ...],
    evidence: frozenset[str],
    do: frozenset[str],
    *,
    keep: str,
    optimize: str,
) -> ContractionPlan:
    order = structure.topological_order
    ev = tuple(v for v in order if v in evidence)
    dd = tuple(v for v in order if v in do)
    kept = set(order) if keep == "all" else relevant_nodes(structure, [*targets, *ev], do)
    factors = tuple(v for v in order if v in kept and v not in do)
    fixed = evidence | do
    free = [v for v in order if v in kept and v not in fixed]
    symbols = {v: oe.get_symbol(i + 1) for i, v in enumerate(free)}
    fixed_axes, free_axes, labels, shapes = [], [], [], []
    for v in factors:
        axes = (v, *structure.parents_of(v))
        fixed_axes.append(tuple((i, a) for i, a in enumerate(axes) if a in fixed))
        free_axes.append(tuple(i for i, a in enumerate(axes) if a not in fixed))
        kept_axes = [a for a in axes if a not in fixed]
        labels.append("".join(symbols[a] for a in kept_axes) + _DRAW_SYMBOL)
        shapes.append((*(structure.card(a) for a in kept_axes), NOMINAL_DRAWS))
    output = "".join(symbols[t] for t in targets) + _DRAW_SYMBOL
    equation = ",".join(labels) + "->" + output
    path: list[tuple[int, ...]] = []
    intermediate, flops = 1, 0
    if factors:  # else nothing is observed or asked: the answer is 1
        sizes = {_DRAW_SYMBOL: 1, **{s: structure.card(v) for v, s in symbols.items()}}
        absorbing, rest = _absorb(labels, sizes, output)
        rest_shapes = [tuple(sizes[c] if c != _DRAW_SYMBOL else NOMINAL_DRAWS for c in lab) for lab in rest]
        rest_path, _ = _search(",".join(rest) + "->" + output, rest_shapes, optimize)
        path = [*absorbing, *(tuple(p) for p in rest_path)]
        _, info = oe.contract_path(equation, *shapes, shapes=True, optimize=path)
        intermediate = max(int(info.largest_intermediate) // NOMINAL_DRAWS, 1)
        flops = int(info.opt_cost) // NOMINAL_DRAWS
    return ContractionPlan(
        structure, targets, ev, dd, keep, optimize, factors, tuple(fixed_axes), tuple(free_axes), symbols,
        tuple(labels), output, equation, tuple(tuple(p) for p in path), intermediate, flops, tuple(shapes),
    )


class _IntegerLabels(oe.paths.PathOptimizer):
    """Run a path search on integer labels instead of the equation's letters.

    opt_einsum's searches iterate over sets of labels (the greedy one to order its candidate
    contractions, the random-greedy one also to draw each candidate's random jitter), and
    Python randomises the hash of a ``str`` per process (``PYTHONHASHSEED``): on letters, the
    same query shape got a different path in each process, and so answers that differed in
    the last digits. Small integers hash to themselves, so sets of them iterate in the same
    order in every process; the letters are numbered in sorted order and every set is built
    from sorted labels.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(
        self, inputs: list[Any], output: Any, size_dict: dict[str, int], memory_limit: Any = None
    ) -> list[tuple[int, ...]]:
        code = {c: i for i, c in enumerate(sorted(size_dict))}
        ints = [frozenset(sorted(code[c] for c in term)) for term in inputs]
        out = frozenset(sorted(code[c] for c in output))
        sizes = {code[c]: size_dict[c] for c in sorted(size_dict)}
        return [tuple(step) for step in self.inner(ints, out, sizes, memory_limit)]


def elimination_order(
    inputs: Sequence[frozenset[int]], output: frozenset[int], sizes: Mapping[int, int]
) -> list[int]:
    """The labels not in ``output`` in a greedy min-weight elimination order.

    Each step eliminates the label whose neighbours (the labels it shares a factor with)
    have the smallest product of sizes, ties to the smallest label, and joins those
    neighbours, as variable elimination does on a Bayesian network's moral graph.
    """
    neighbours: dict[int, set[int]] = {}
    for term in inputs:
        for a in term:
            neighbours.setdefault(a, set()).update(b for b in term if b != a)
    left = sorted(a for a in neighbours if a not in output)
    order = []
    while left:
        a = min(left, key=lambda x: (math.prod(sizes[b] for b in neighbours[x]), x))
        joined = neighbours.pop(a)
        for b in joined:
            neighbours[b].discard(a)
            neighbours[b].update(c for c in joined if c != b)
        left.remove(a)
        order.append(a)
    return order


class EliminationPath(oe.paths.PathOptimizer):
    """A pairwise contraction path that follows :func:`elimination_order`.

    For each label in turn, the factors holding it are joined two at a time (the pair with
    the smallest joint size first) until one holds it, which sums it out; what is left holds
    only output labels and is joined smallest first. A path search that scores candidate
    pairs one step ahead (greedy, random-greedy) can keep many slices' variables in one
    intermediate on an unrolled network; an elimination order clears them slice by slice.
    Run it on integer labels (:class:`_IntegerLabels`) so the ties break the same way in
    every process.
    """

    def __call__(
        self, inputs: list[Any], output: Any, size_dict: dict[Any, int], memory_limit: Any = None
    ) -> list[tuple[int, ...]]:
        ops = [frozenset(t) for t in inputs]
        if len(ops) < 2:
            return [(0,)]
        out = frozenset(output)

        def size(labels: frozenset[int]) -> int:
            return math.prod(size_dict[c] for c in labels)

        def join(i: int, j: int) -> None:
            rest = [o for k, o in enumerate(ops) if k not in (i, j)]
            keep = out.union(*rest)
            path.append((i, j))
            ops[:] = [*rest, frozenset(c for c in ops[i] | ops[j] if c in keep)]

        path: list[tuple[int, ...]] = []
        for label in elimination_order(ops, out, size_dict):
            while len(holding := [i for i, o in enumerate(ops) if label in o]) > 1:
                pairs = [(size(ops[i] | ops[j]), i, j) for x, i in enumerate(holding) for j in holding[x + 1:]]
                _, i, j = min(pairs)
                join(i, j)
        while len(ops) > 1:
            i, j = sorted(sorted(range(len(ops)), key=lambda k: (size(ops[k]), k))[:2])
            join(i, j)
        return path


def _upper_step(
    step: Step, k: int, inputs: Sequence[np.ndarray], sizes: Mapping[str, int], out: np.ndarray | None
) -> np.ndarray:
    """One step whose ``k``-th input is a two-state factor given by its upper row ``U`` (into
    ``out`` if given).

    With ``F(0, L) = 1 - U(L)`` and ``F(1, L) = U(L)`` (``t`` the factor's own label) and ``G``
    the other input (or none), the step's sum of ``F * G`` over the labels not in ``out`` is
    ``sum G - sum U G`` at ``t = 0`` and ``sum U G`` at ``t = 1``; if ``G`` holds ``t``, ``U``
    meets ``G`` at each value of ``t``, and if the step sums ``t`` out, ``F`` contributes
    ``G(t=0) + U (G(t=1) - G(t=0))``. ``U`` is read once.
    """
    buffer = out
    out_lab = step.labels_out
    t = step.labels_in[k][0]
    u_lab = step.labels_in[k][1:]
    u = inputs[k]
    others = [(x, lab) for j, (x, lab) in enumerate(zip(inputs, step.labels_in, strict=True)) if j != k]
    if len(others) > 1:
        raise EngineError(f"a step reads a halved factor with {len(others)} others; plan steps are pairwise")
    g, g_lab = others[0] if others else (np.ones(()), "")
    rest = out_lab.replace(t, "")
    # sum of A(t) G over the labels the step drops, where A(0) = 1, A(1) = 0: G alone (at t = 0
    # if G holds t), times the cardinality of every dropped label of U that G does not hold
    g0, g0_lab = (_at(g, g_lab.index(t), 0), g_lab.replace(t, "")) if t in g_lab else (g, g_lab)
    dropped = [c for c in u_lab if c not in g0_lab and c not in rest]
    base = _einsum(f"{g0_lab}->{''.join(c for c in rest if c in g0_lab)}", g0)
    if dropped:
        base = base * float(np.prod([sizes[c] for c in dropped]))
    dims = {**sizes, **dict(zip(g_lab, g.shape, strict=True)), **dict(zip(u_lab, u.shape, strict=True))}
    base = _broadcast(base, "".join(c for c in rest if c in g0_lab), rest, dims)
    if t in g_lab and t not in out_lab:
        difference = _at(g, g_lab.index(t), 1) - g0
        return np.add(base, _einsum(f"{u_lab},{g0_lab}->{rest}", u, difference), out=buffer)
    if t in g_lab:  # sum U G keeping t: then the t = 0 slice becomes base - itself
        r = _einsum(f"{u_lab},{g_lab}->{out_lab}", u, g, out=buffer)
        np.subtract(base, _at(r, out_lab.index(t), 0), out=_at(r, out_lab.index(t), 0))
        return r
    if t not in out_lab:  # t appears nowhere else: its CPT sums to one
        if buffer is None:
            return base
        np.copyto(buffer, base)
        return buffer
    r = buffer if buffer is not None else np.empty([dims[c] for c in out_lab])
    v = _at(r, out_lab.index(t), 1)
    _einsum(f"{u_lab},{g_lab}->{rest}" if g_lab else f"{u_lab}->{rest}", u, *([g] if g_lab else []), out=v)
    np.subtract(base, v, out=_at(r, out_lab.index(t), 0))
    return r


def _at(x: np.ndarray, axis: int, index: int) -> np.ndarray:
    """The view of ``x`` at ``index`` along ``axis``."""
    return x[(slice(None),) * axis + (index,)]


def _einsum(equation: str, *operands: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.einsum(local_equation(equation), *operands, out=out)


def _broadcast(x: np.ndarray, labels: str, target: str, dims: Mapping[str, int]) -> np.ndarray:
    """``x`` (labels ``labels``, a subsequence of ``target``) broadcast to ``target``'s labels."""
    expanded = x.reshape([x.shape[labels.index(c)] if c in labels else 1 for c in target])
    return np.broadcast_to(expanded, [dims[c] for c in target])


def _size(labels: str, sizes: Mapping[str, int]) -> int:
    """Entries per draw of a tensor with ``labels``."""
    return int(np.prod([sizes[c] for c in labels]))


def _absorb(labels: Sequence[str], sizes: Mapping[str, int], output: str) -> tuple[list[tuple[int, ...]], list[str]]:
    """The absorbing steps (opt_einsum's path format) and the labels of the operands they leave.

    Largest first, every factor of at least ``_ABSORB_MIN`` entries per draw takes the factors
    whose labels it holds and that are at most a quarter of its size: they are multiplied
    together (small outer products), then contracted with it in one step that sums every
    variable no other operand needs.
    """
    ops = dict(enumerate(labels))  # operand id -> labels, in the order opt_einsum keeps them
    done: set[int] = set()
    path: list[tuple[int, ...]] = []

    def step(pair: tuple[int, int], out: str) -> int:
        order = list(ops)
        path.append(tuple(order.index(i) for i in pair))
        for i in pair:
            del ops[i]
        new = max(order) + 1
        ops[new] = out
        return new

    while True:
        big = [i for i, lab in ops.items() if i not in done and _size(lab, sizes) >= _ABSORB_MIN]
        if not big:
            return path, list(ops.values())
        f = max(big, key=lambda i: _size(ops[i], sizes))
        done.add(f)
        held = set(ops[f])
        limit = _size(ops[f], sizes) // 4
        small = [i for i, lab in ops.items() if i != f and set(lab) <= held and _size(lab, sizes) <= limit]
        if not small:
            continue
        needed = set(output).union(*(lab for i, lab in ops.items() if i != f and i not in small))
        w = small[0]
        for other in small[1:]:  # the outer product of the small factors, pairwise
            w = step((w, other), "".join(dict.fromkeys(ops[w] + ops[other])))
        done.add(step((f, w), "".join(c for c in ops[f] if c in needed)))


def local_equation(equation: str) -> str:
    """``equation`` with its labels renamed to ASCII letters in order of appearance
    (``numpy.einsum`` takes only those; one step never has more than 52 labels)."""
    return _local(equation)


@functools.lru_cache(maxsize=8192)
def _local(equation: str) -> str:
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


def _search(equation: str, shapes: list[tuple[int, ...]], optimize: str) -> tuple[list[tuple[int, ...]], Any]:
    """Contraction path and opt_einsum ``PathInfo`` for ``equation``, the same in every process."""
    # random-greedy reseeds the global `random` module per trial: leave the caller's state alone.
    state = random.getstate()
    try:
        if optimize != "adaptive":
            found = oe.contract_path(equation, *shapes, shapes=True,
                                     optimize=_IntegerLabels(_oe_paths.get_path_fn(optimize)))
            return found[0], found[1]
        path, info = oe.contract_path(equation, *shapes, shapes=True, optimize=_IntegerLabels(_oe_paths.greedy))
        per_draw = info.opt_cost / NOMINAL_DRAWS
        if per_draw > _ADAPTIVE_FLOPS:
            for search in (_IntegerLabels(oe.RandomGreedy(max_repeats=_ADAPTIVE_REPEATS)),
                           _IntegerLabels(EliminationPath())):
                path2, info2 = oe.contract_path(equation, *shapes, shapes=True, optimize=search)
                if info2.opt_cost < info.opt_cost:
                    path, info = path2, info2
        return path, info
    finally:
        random.setstate(state)
