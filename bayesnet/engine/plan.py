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
4. path planning with :data:`DEFAULT_OPTIMIZE` (measured below), fixed once.

Plans are cached per shape (:func:`functools.lru_cache`, the package's one cache policy for
hashable keys).

Path optimiser, measured (``benchmarks/bench_engine.py``, 2-core machine, 4,000 draws):
``'greedy'`` compiles in 0.4-5 ms and is as good as ``'random-greedy-128'`` on cheap
queries; a random-greedy search pays off only on expensive ones (insurance given all
leaves: 187 -> 77 ms an evaluation). ``'adaptive'`` takes the greedy plan and, when it costs
more than ``_ADAPTIVE_FLOPS`` (10,000) flops per draw, also tries a random-greedy search and
keeps the cheaper plan: 8 trials, or 32 when the greedy plan costs more than
``_HEAVY_FLOPS`` (1e6) per draw (on the unrolled network of five slices greedy plans
1.7e9 flops per draw where 32 trials find 4.6e6). The random-greedy trials are seeded,
labels are assigned in topological order, and every search runs on integer labels
(:class:`_IntegerLabels`: opt_einsum iterates over sets of labels, whose order for letters
depends on ``PYTHONHASHSEED``), so a plan, and every answer, is the same bit for bit in
every process.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import opt_einsum as oe
from opt_einsum import paths as _oe_paths

from bayesnet.engine.structure import Structure, relevant_nodes, unknown_name
from bayesnet.errors import EngineError

__all__ = ["DEFAULT_OPTIMIZE", "KEEP", "ContractionPlan", "Step", "plan_contraction"]

DEFAULT_OPTIMIZE = "adaptive"
"""Path optimiser of every plan unless told otherwise (see the module docstring)."""
KEEP = ("relevant", "all")
"""Which nodes a plan keeps: the query's ancestors, or every node."""
NOMINAL_DRAWS = 1000
"""Draw count paths are planned for; every intermediate carries the draw axis, so path costs
scale with it uniformly."""
_ADAPTIVE_FLOPS = 10_000
_HEAVY_FLOPS = 1_000_000
_ADAPTIVE_REPEATS = 8
_HEAVY_REPEATS = 32
_DRAW_SYMBOL = oe.get_symbol(0)
_CACHE_SIZE = 1024


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
    def expression(self) -> Any:
        """The ``opt_einsum`` contraction expression of the forward pass (None without factors)."""
        if not self.factors:
            return None
        return oe.contract_expression(self.equation, *self.shapes, optimize=[tuple(p) for p in self.path])

    @functools.cached_property
    def steps(self) -> tuple[Step, ...]:
        """The path replayed as steps with labels (the backward pass walks them in reverse)."""
        current = list(range(len(self.leaf_labels)))
        labels = list(self.leaf_labels)
        steps = []
        for contract in self.path:
            popped = [current.pop(i) for i in sorted(contract, reverse=True)]
            remaining = set(self.output).union(*(labels[i] for i in current)) if current else set(self.output)
            seen: list[str] = []
            for i in popped:
                for c in labels[i]:
                    if c not in seen and c in remaining:
                        seen.append(c)
            out_labels = self.output if not current else "".join(seen)
            labels.append(out_labels)
            steps.append(Step(len(labels) - 1, tuple(popped), tuple(labels[i] for i in popped), out_labels))
            current.append(len(labels) - 1)
        if not self.path and current:  # a single operand that already is the output
            only = current[0]
            steps.append(Step(len(labels), (only,), (labels[only],), self.output))
        return tuple(steps)

    def operands(self, arrays: Sequence[np.ndarray], fixed: Mapping[str, int], draws: slice) -> list[np.ndarray]:
        """The factors' CPTs with fixed axes indexed and the draws in ``draws`` (views)."""
        ops = []
        for arr, axes in zip(arrays, self.fixed_axes, strict=True):
            idx: list[int | slice] = [slice(None)] * (arr.ndim - 1)
            for pos, name in axes:
                idx[pos] = fixed[name]
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
        path, info = _search(equation, shapes, optimize)
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
            repeats = _HEAVY_REPEATS if per_draw > _HEAVY_FLOPS else _ADAPTIVE_REPEATS
            search = _IntegerLabels(oe.RandomGreedy(max_repeats=repeats))
            path2, info2 = oe.contract_path(equation, *shapes, shapes=True, optimize=search)
            if info2.opt_cost < info.opt_cost:
                return path2, info2
        return path, info
    finally:
        random.setstate(state)
