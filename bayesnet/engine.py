"""Batched exact inference over parameter draws of a discrete Bayesian network.

The model is a DAG with discrete variables whose conditional probability tables
(CPTs) come as ``S`` parameter draws at once.  Every query is answered for all
draws in one tensor contraction instead of one inference run per draw.

A query *shape* (which variables are targets, observed, or intervened on, but
not their values) is compiled once with :func:`compile_query`:

1. graph surgery for ``do``: the CPT of an intervened variable is dropped and
   its incoming edges are cut; the variable is fixed to its value;
2. barren-node pruning: only ancestors of targets and evidence in the
   mutilated graph are kept (the others sum to one);
3. evidence and ``do`` values are absorbed at call time by indexing CPT axes,
   so the compiled plan does not depend on the values;
4. the contraction order is fixed once with ``opt_einsum.contract_expression``.

CPT layout
----------
``cpts[v]`` has shape ``(card_v, *[card_p for p in parents[v]], S)``: pgmpy's
``TabularCPD`` value layout (child first, parents in the order given in the
structure) with a trailing draw axis.  A point model is ``S = 1``.

Measured design choices
-----------------------
Measured with ``benchmarks/bench_engine.py`` (output and machine in
``benchmarks/README.md``): 2-core Intel Xeon, numpy 2.4, opt_einsum 3.4,
S = 4,000 draws, pgmpy's bundled networks, one root given 5 leaves or all leaves.

* Draw axis last.  The same contraction path on contiguous operands with the
  draw axis first was 2.1-11.9 times slower (asia 11-12x, alarm 5-7x, child
  3-4x, insurance 2-5x, win95pts 7-9x, hailfinder 1.4-1.8x): with the draw
  axis last, every pairwise einsum runs its innermost loop over contiguous
  draws.  The CPT layout puts it last already, so evidence is absorbed by
  basic indexing (views, no copies).
* Path optimiser ``'adaptive'`` (the default): ``'greedy'`` compiles in
  0.4-5 ms and is as good as ``'random-greedy-128'`` on cheap queries;
  ``'random-greedy-128'`` takes 17-490 ms to compile and pays off only on
  expensive queries (insurance given all leaves: 187 -> 77 ms an evaluation;
  hailfinder: 60 -> 45 ms).  So a greedy plan costing more than
  ``_ADAPTIVE_FLOPS`` (10,000) flops per draw is re-planned with a random-greedy
  search of ``_ADAPTIVE_REPEATS`` (8) trials and the cheaper plan kept: on the
  project's default model (61 nodes) 128 trials took 300-340 ms to compile for
  50 -> 57 ms evaluations against 8 trials' 22-28 ms, and a command-line query
  compiles once and evaluates twice.  Pass
  ``optimize='random-greedy-128'`` for a query shape evaluated many times
  (insurance given 5 leaves: 7,371 greedy flops per draw, 12.6 -> 7.3 ms).
  Random-greedy plans depend on the interpreter's hash seed: across processes
  the same insurance query got 68,827 or 76,355 flops per draw, so timings and
  the last bits of results may differ between runs ('greedy' is repeatable).
* Chunks of draws: the largest intermediate of a chunk is kept near
  ``DEFAULT_CACHE_BUDGET`` (4 MB) and the working memory, estimated as
  ``_MEMORY_SAFETY`` (4) times that intermediate, under
  ``DEFAULT_MEMORY_BUDGET`` (256 MB).  Insurance given all leaves (2,400
  elements per draw): one chunk of 4,000 draws took 153 ms and 163 MB traced
  peak; the default 218-draw chunks took 78 ms and 9 MB.
* Typical speed: alarm 3-4 ms for 4,000 draws (6-7 ms with the CPT checks),
  about 2,700-3,000 times a pgmpy ``VariableElimination`` loop that rebuilds
  the model per draw and 850-950 times a pyAgrum ``LazyPropagation`` loop.
* CPT checks (non-negative, columns sum to 1) read every needed CPT once per
  call, which costs about as much as the contraction on large networks: call
  :func:`check_cpts` once and pass ``validate=False`` in loops over the same
  draws.
"""

from __future__ import annotations

import difflib
import functools
import logging
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import opt_einsum as oe
from opt_einsum import paths as _oe_paths

from bayesnet import errors

__all__ = [
    "COLUMN_SUM_TOLERANCE",
    "DEFAULT_CACHE_BUDGET",
    "DEFAULT_MEMORY_BUDGET",
    "DEFAULT_OPTIMIZE",
    "CompiledQuery",
    "Structure",
    "ZeroProbabilityError",
    "check_cpts",
    "compile_query",
    "relevant_nodes",
]

logger = logging.getLogger(__name__)

#: Path optimiser used by :func:`compile_query` unless told otherwise: ``'greedy'``,
#: re-planned with an 8-trial random-greedy search when the greedy plan costs more than
#: ``_ADAPTIVE_FLOPS`` per draw (see the module docstring).
DEFAULT_OPTIMIZE = "adaptive"
#: Working memory allowed per chunk of draws, in bytes.
DEFAULT_MEMORY_BUDGET = 256 * 2**20
#: Size aimed for the largest intermediate of a chunk, in bytes: smaller chunks
#: stay in cache (measured optimum 2-5 MB on a 2 MB-per-core L2 machine).
DEFAULT_CACHE_BUDGET = 4 * 2**20
#: How far a CPT column sum may be from 1.
COLUMN_SUM_TOLERANCE = 1e-9
#: Working memory assumed per chunk, in multiples of the largest intermediate
#: (the two inputs and the output of a pairwise step plus einsum's buffers).
_MEMORY_SAFETY = 4
#: Draw count the contraction path is planned for; every intermediate carries
#: the draw axis, so path costs scale with it uniformly.
_NOMINAL_DRAWS = 1000
#: Greedy plans costing more than this many flops per draw are re-planned.
_ADAPTIVE_FLOPS = 10_000
#: Trials of the random-greedy re-planning in ``'adaptive'`` mode (see the module docstring).
_ADAPTIVE_REPEATS = 8
#: Fewest draws per chunk chosen automatically (per-chunk overhead is ~0.1 ms).
_MIN_CHUNK = 64
_DRAW_SYMBOL_INDEX = 0
_COMPILE_CACHE_SIZE = 1024


class ZeroProbabilityError(errors.ZeroProbabilityError):
    """The evidence has probability zero in at least one parameter draw.

    A :class:`bayesnet.errors.ZeroProbabilityError` (so also a ``ValueError``) that
    speaks in state indices; :mod:`bayesnet.query` re-raises it with state names.

    Attributes
    ----------
    evidence : dict of str to int
        The observed state indices.
    do : dict of str to int
        The interventions the evidence was conditioned under.
    zero_draws : numpy.ndarray
        Indices of the draws in which the evidence has probability zero.
    n_draws : int
        Number of draws in the query.
    """

    def __init__(
        self,
        evidence: Mapping[str, int],
        do: Mapping[str, int],
        zero_draws: np.ndarray,
        n_draws: int,
    ):
        self.evidence = dict(evidence)
        self.do = dict(do)
        self.zero_draws = zero_draws
        self.n_draws = n_draws
        shown = ", ".join(str(int(i)) for i in zero_draws[:10])
        more = ", ..." if len(zero_draws) > 10 else ""
        under = f" under do({self.do})" if self.do else ""
        super().__init__(
            f"evidence {self.evidence}{under} has probability zero in {len(zero_draws)} of "
            f"{n_draws} draws (draws {shown}{more}); the posterior is undefined there",
            findings={k: str(v) for k, v in self.evidence.items()},
        )


def _unknown_name(name: object, known: Iterable[str], what: str) -> ValueError:
    """Build the error for an unknown variable name, with a suggestion."""
    close = difflib.get_close_matches(str(name), list(known), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return ValueError(f"unknown variable {name!r} in {what}{hint}")


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
    ValueError
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
                raise ValueError(f"variable names must be str; got {v!r}")
            if v in seen:
                raise ValueError(f"variable {v!r} is listed twice in variables")
            seen.add(v)
        card_map: dict[str, int] = {}
        for name, card in self.cards:
            if name not in seen:
                raise _unknown_name(name, self.variables, "cards")
            if name in card_map:
                raise ValueError(f"variable {name!r} has two cardinalities")
            if isinstance(card, bool) or not isinstance(card, (int, np.integer)) or card < 1:
                raise ValueError(f"cardinality of {name!r} must be an integer >= 1; got {card!r}")
            card_map[name] = int(card)
        missing = [v for v in self.variables if v not in card_map]
        if missing:
            raise ValueError(f"no cardinality given for variables {missing}")
        parent_map: dict[str, tuple[str, ...]] = {v: () for v in self.variables}
        given: set[str] = set()
        for name, pas in self.parents:
            if name not in seen:
                raise _unknown_name(name, self.variables, "parents")
            if name in given:
                raise ValueError(f"parents of {name!r} are given twice")
            given.add(name)
            for p in pas:
                if p not in seen:
                    raise _unknown_name(p, self.variables, f"the parents of {name!r}")
            if len(set(pas)) != len(pas):
                raise ValueError(f"parents of {name!r} repeat a variable: {list(pas)}")
            if name in pas:
                raise ValueError(f"variable {name!r} is its own parent")
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
                raise _unknown_name(name, variables, "parents")
            if isinstance(pas, str):
                raise ValueError(f"parents of {name!r} must be a sequence of names, not the string {pas!r}")
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
            raise _unknown_name(name, self.variables, "card()") from None

    def parents_of(self, name: str) -> tuple[str, ...]:
        """Parents of ``name`` in CPT axis order."""
        try:
            return self._parent_map[name]
        except KeyError:
            raise _unknown_name(name, self.variables, "parents_of()") from None

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
    raise ValueError(f"the structure is not a DAG: cycle {' -> '.join(cycle)}")


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


def _as_names(value: Sequence[str], what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ValueError(f"{what} must be a sequence of variable names, not the string {value!r}")
    return tuple(value)


def compile_query(
    structure: Structure,
    targets: Sequence[str],
    *,
    evidence: Iterable[str] = (),
    do: Iterable[str] = (),
    optimize: str = DEFAULT_OPTIMIZE,
) -> CompiledQuery:
    """Compile the query shape ``P(targets | evidence, do(do))``.

    Results are cached per ``(structure, tuple(targets), frozenset(evidence),
    frozenset(do), optimize)``.

    Parameters
    ----------
    structure : Structure
        The network.
    targets : Sequence of str
        Query variables; the answer is their joint distribution, axes in this
        order.  May be empty to compute only
        :meth:`CompiledQuery.evidence_probability`.
    evidence : Iterable of str, optional
        Observed variables (values are given at call time).
    do : Iterable of str, optional
        Intervened variables (values are given at call time).
    optimize : str, optional
        An ``opt_einsum`` path optimiser name, e.g. ``'greedy'`` or
        ``'random-greedy-128'``.

    Returns
    -------
    CompiledQuery

    Raises
    ------
    ValueError
        On unknown names, repeated names, a variable both observed and
        intervened on, a target that is observed or intervened on, or an
        unknown ``optimize`` value.
    """
    if not isinstance(structure, Structure):
        raise TypeError(f"structure must be a Structure; got {type(structure).__name__}")
    tgt = _as_names(targets, "targets")
    ev = _as_names(tuple(evidence) if not isinstance(evidence, str) else evidence, "evidence")
    dd = _as_names(tuple(do) if not isinstance(do, str) else do, "do")
    known = set(structure.variables)
    for what, names in (("targets", tgt), ("evidence", ev), ("do", dd)):
        for n in names:
            if n not in known:
                raise _unknown_name(n, structure.variables, what)
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"{what} repeat variables {dup}")
    both = sorted(set(ev) & set(dd))
    if both:
        raise ValueError(f"variables {both} are both observed (evidence) and intervened on (do)")
    clash = sorted(set(tgt) & (set(ev) | set(dd)))
    if clash:
        raise ValueError(f"targets {clash} are also in evidence or do; a target must be free")
    if not isinstance(optimize, str) or (optimize != "adaptive" and optimize not in _oe_paths._PATH_OPTIONS):
        allowed = ", ".join(repr(k) for k in ("adaptive", *_oe_paths._PATH_OPTIONS))
        raise ValueError(
            f"The 'optimize' parameter of compile_query must be one of {allowed}. Got {optimize!r} instead."
        )
    return _compile_cached(structure, tgt, frozenset(ev), frozenset(dd), optimize)


@functools.lru_cache(maxsize=_COMPILE_CACHE_SIZE)
def _compile_cached(
    structure: Structure,
    targets: tuple[str, ...],
    evidence: frozenset[str],
    do: frozenset[str],
    optimize: str,
) -> CompiledQuery:
    return CompiledQuery(structure, targets, evidence, do, optimize)


def _plan(equation: str, shapes: list[tuple[int, ...]], optimize: str) -> tuple[list[tuple[int, ...]], Any]:
    """Contraction path and opt_einsum ``PathInfo`` for ``equation``."""
    # random-greedy reseeds the global `random` module per trial: leave the caller's state alone.
    state = random.getstate()
    try:
        if optimize != "adaptive":
            found = oe.contract_path(equation, *shapes, shapes=True, optimize=optimize)
            return found[0], found[1]
        path, info = oe.contract_path(equation, *shapes, shapes=True, optimize="greedy")
        if info.opt_cost > _ADAPTIVE_FLOPS * _NOMINAL_DRAWS:
            search = oe.RandomGreedy(max_repeats=_ADAPTIVE_REPEATS)
            path2, info2 = oe.contract_path(equation, *shapes, shapes=True, optimize=search)
            if info2.opt_cost < info.opt_cost:
                return path2, info2
        return path, info
    finally:
        random.setstate(state)


class CompiledQuery:
    """A query shape with a fixed contraction plan; call it with CPTs and values.

    Build with :func:`compile_query`, not directly.

    Attributes
    ----------
    structure : Structure
    targets : tuple of str
    evidence : tuple of str
        Observed variables, in topological order.
    do : tuple of str
        Intervened variables, in topological order.
    factors : tuple of str
        Variables whose CPTs the query reads (after surgery and pruning).
    equation : str
        The einsum equation; the draw axis is the last index of every operand.
    path : list of tuple of int
        The fixed pairwise contraction order.
    per_draw_intermediate : int
        Elements of the largest intermediate tensor, per draw.
    default_chunk_size : int
        Draws per chunk that keep the estimated working memory within
        ``DEFAULT_MEMORY_BUDGET``.
    """

    def __init__(
        self,
        structure: Structure,
        targets: tuple[str, ...],
        evidence: frozenset[str],
        do: frozenset[str],
        optimize: str,
    ) -> None:
        order = structure.topological_order
        self.structure = structure
        self.targets = targets
        self.evidence = tuple(v for v in order if v in evidence)
        self.do = tuple(v for v in order if v in do)
        self.optimize = optimize
        keep = relevant_nodes(structure, [*targets, *self.evidence], do)
        self.factors = tuple(v for v in order if v in keep and v not in do)
        fixed = evidence | do
        free = [v for v in order if v in keep and v not in fixed]
        symbol = {v: oe.get_symbol(i + 1) for i, v in enumerate(free)}
        draw = oe.get_symbol(_DRAW_SYMBOL_INDEX)

        # Per factor: the axes indexed by a fixed value at call time, and the subscripts left.
        self._fixed_axes: list[tuple[tuple[int, str], ...]] = []
        terms: list[str] = []
        shapes: list[tuple[int, ...]] = []
        for v in self.factors:
            axes = (v, *structure.parents_of(v))
            self._fixed_axes.append(tuple((i, a) for i, a in enumerate(axes) if a in fixed))
            kept_axes = [a for a in axes if a not in fixed]
            terms.append("".join(symbol[a] for a in kept_axes) + draw)
            shapes.append((*(structure.card(a) for a in kept_axes), _NOMINAL_DRAWS))
        self._target_cards = tuple(structure.card(t) for t in targets)
        output = "".join(symbol[t] for t in targets) + draw
        self.equation = ",".join(terms) + "->" + output

        self.path: list[tuple[int, ...]] = []
        self.per_draw_intermediate = 1
        self.per_draw_flops = 0
        self._expression: Any = None
        if self.factors:  # else nothing is observed or asked: the answer is 1
            self.path, info = _plan(self.equation, shapes, optimize)
            self.per_draw_intermediate = max(int(info.largest_intermediate) // _NOMINAL_DRAWS, 1)
            self.per_draw_flops = int(info.opt_cost) // _NOMINAL_DRAWS
            self._expression = oe.contract_expression(self.equation, *shapes, optimize=self.path)
        intermediate_bytes = 8 * self.per_draw_intermediate
        memory_chunk = max(1, DEFAULT_MEMORY_BUDGET // (_MEMORY_SAFETY * intermediate_bytes))
        self.default_chunk_size = min(memory_chunk, max(_MIN_CHUNK, DEFAULT_CACHE_BUDGET // intermediate_bytes))
        logger.debug(
            "compiled P(%s | %s, do %s): %d factors, largest intermediate %d per draw, chunk %d",
            targets,
            self.evidence,
            self.do,
            len(self.factors),
            self.per_draw_intermediate,
            self.default_chunk_size,
        )

    def __repr__(self) -> str:
        ev = f" | {', '.join(self.evidence)}" if self.evidence else ""
        dd = f", do({', '.join(self.do)})" if self.do else ""
        return (
            f"<CompiledQuery P({', '.join(self.targets)}{ev}{dd}): {len(self.factors)} factors, "
            f"largest intermediate {self.per_draw_intermediate} per draw>"
        )

    # -- call-time checks -------------------------------------------------

    def _check_values(self, values: Mapping[str, Any], names: tuple[str, ...], what: str) -> dict[str, int]:
        if set(values) != set(names):
            extra = sorted(set(values) - set(names), key=str)
            missing = sorted(set(names) - set(values))
            parts = []
            if extra:
                parts.append(f"unexpected {extra}")
            if missing:
                parts.append(f"missing {missing}")
            raise ValueError(
                f"this query was compiled for {what} on {list(names)}; got {what} values with "
                f"{' and '.join(parts)} (compile another query for other {what} variables)"
            )
        out: dict[str, int] = {}
        for name in names:
            value = values[name]
            card = self.structure.card(name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(f"{what} value of {name!r} must be a state index (int); got {value!r}")
            if not 0 <= value < card:
                raise ValueError(
                    f"{what} value of {name!r} is out of range: state {value} of a "
                    f"{card}-state variable (valid: 0..{card - 1})"
                )
            out[name] = int(value)
        return out

    def _check_cpts(self, cpts: Mapping[str, np.ndarray], *, validate: bool) -> tuple[list[np.ndarray], int]:
        return _checked_arrays(self.structure, cpts, self.factors, validate=validate, why="which this query needs")

    # -- evaluation -------------------------------------------------------

    def _operands(self, arrays: list[np.ndarray], fixed: Mapping[str, int], draws: slice) -> list[np.ndarray]:
        ops = []
        for arr, axes in zip(arrays, self._fixed_axes, strict=True):
            idx: list[int | slice] = [slice(None)] * (arr.ndim - 1)
            for pos, name in axes:
                idx[pos] = fixed[name]
            idx.append(draws)
            ops.append(arr[tuple(idx)])
        return ops

    def _unnormalised(
        self,
        cpts: Mapping[str, np.ndarray],
        evidence: Mapping[str, int],
        do: Mapping[str, int],
        chunk_size: int | None,
        validate: bool,
    ) -> tuple[np.ndarray, dict[str, int], dict[str, int]]:
        """``P(targets, evidence | do)`` per draw, shape ``(S, *target_cards)``."""
        ev = self._check_values(evidence, self.evidence, "evidence")
        dd = self._check_values(do, self.do, "do")
        if chunk_size is None:
            chunk_size = self.default_chunk_size
        elif isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
            raise ValueError(f"The 'chunk_size' parameter must be a positive int or None. Got {chunk_size!r} instead.")
        arrays, n_draws = self._check_cpts(cpts, validate=validate)
        if not arrays:  # nothing observed, nothing asked: every draw answers 1
            n_draws = _draw_count(self.structure, cpts)
            return np.ones(n_draws), ev, dd
        fixed = {**ev, **dd}
        if n_draws <= chunk_size:
            raw = self._expression(*self._operands(arrays, fixed, slice(None)))
            return np.ascontiguousarray(np.moveaxis(raw, -1, 0)), ev, dd
        out = np.empty((n_draws, *self._target_cards))
        for start in range(0, n_draws, chunk_size):
            draws = slice(start, min(start + chunk_size, n_draws))
            out[draws] = np.moveaxis(self._expression(*self._operands(arrays, fixed, draws)), -1, 0)
        return out, ev, dd

    def __call__(
        self,
        cpts: Mapping[str, np.ndarray],
        *,
        evidence: Mapping[str, int] | None = None,
        do: Mapping[str, int] | None = None,
        chunk_size: int | None = None,
        validate: bool = True,
    ) -> np.ndarray:
        """Posterior ``P(targets | evidence, do(do))`` for every draw.

        Parameters
        ----------
        cpts : Mapping of str to numpy.ndarray
            CPT draws, ``cpts[v].shape == (card_v, *parent_cards, S)``.  Only
            the CPTs the query needs are read and checked.
        evidence : Mapping of str to int, optional
            State index of every compiled evidence variable.
        do : Mapping of str to int, optional
            State index of every compiled intervention variable.
        chunk_size : int, optional
            Draws contracted at once; default ``default_chunk_size``.
        validate : bool, optional
            Check that CPT entries are non-negative and columns sum to 1
            within ``COLUMN_SUM_TOLERANCE`` (shapes are always checked).

        Returns
        -------
        numpy.ndarray
            Shape ``(S, *target_cards)``; each draw's slice sums to 1.

        Raises
        ------
        ZeroProbabilityError
            If the evidence has probability zero in any draw.
        ValueError
            On values or CPTs that do not fit the compiled query.
        """
        raw, ev, dd = self._unnormalised(cpts, evidence or {}, do or {}, chunk_size, validate)
        axes = tuple(range(1, raw.ndim))
        z = raw.sum(axis=axes)
        if not np.isfinite(z).all():
            raise ValueError(
                f"the CPTs give non-finite probabilities in {int((~np.isfinite(z)).sum())} draws; "
                "check them with check_cpts() or call with validate=True"
            )
        bad = ~(z > 0)
        if bad.any():
            raise ZeroProbabilityError(ev, dd, np.flatnonzero(bad), len(z))
        raw /= z.reshape(-1, *(1,) * len(axes))
        return raw

    def evidence_probability(
        self,
        cpts: Mapping[str, np.ndarray],
        *,
        evidence: Mapping[str, int] | None = None,
        do: Mapping[str, int] | None = None,
        chunk_size: int | None = None,
        validate: bool = True,
    ) -> np.ndarray:
        """Probability of the evidence under the interventions, ``P(evidence | do(do))``.

        Parameters are as for ``__call__``.  Zero is a valid answer here (no
        error is raised).

        Returns
        -------
        numpy.ndarray
            Shape ``(S,)``.
        """
        raw, _, _ = self._unnormalised(cpts, evidence or {}, do or {}, chunk_size, validate)
        return raw.sum(axis=tuple(range(1, raw.ndim)))


def check_cpts(structure: Structure, cpts: Mapping[str, np.ndarray]) -> int:
    """Check every CPT of ``structure`` in ``cpts`` once; return the number of draws.

    Shapes, non-negative finite entries and column sums (within
    ``COLUMN_SUM_TOLERANCE``) are checked, so later queries may pass
    ``validate=False``.

    Raises
    ------
    ValueError
        Naming the variable, on a missing CPT, a wrong shape (expected and
        got), a negative or NaN entry, or a column not summing to 1.
    """
    return _checked_arrays(structure, cpts, structure.variables, validate=True, why="")[1]


def _checked_arrays(
    structure: Structure,
    cpts: Mapping[str, np.ndarray],
    variables: Sequence[str],
    *,
    validate: bool,
    why: str,
) -> tuple[list[np.ndarray], int]:
    """CPT arrays of ``variables`` as float64, shape-checked (and value-checked if ``validate``)."""
    for k in cpts:
        if k not in structure._card_map:
            raise _unknown_name(k, structure.variables, "cpts")
    arrays: list[np.ndarray] = []
    n_draws = -1
    first = ""
    for v in variables:
        if v not in cpts:
            raise ValueError(f"no CPT given for {v!r}{', ' + why if why else ''}")
        arr = np.asarray(cpts[v])
        if arr.dtype.kind not in "fiu":
            raise ValueError(f"CPT for {v!r} must hold real numbers; got dtype {arr.dtype}")
        arr = arr.astype(np.float64, copy=False)
        if n_draws < 0:
            n_draws, first = (arr.shape[-1] if arr.ndim else 0), v
        expected = structure.cpt_shape(v, n_draws)
        if arr.shape != expected or n_draws < 1:
            draws = "at least 1 draw" if n_draws < 1 else f"{n_draws} draws as for {first!r}"
            raise ValueError(
                f"CPT for {v!r} must have shape {expected} (states of {v!r}, then of its parents "
                f"{list(structure.parents_of(v))}, then {draws}); got shape {arr.shape}"
            )
        if validate:
            _check_columns(v, arr)
        arrays.append(arr)
    return arrays, n_draws


def _draw_count(structure: Structure, cpts: Mapping[str, np.ndarray]) -> int:
    """Number of draws, read from any one CPT (shape-checked)."""
    for name in cpts:
        return _checked_arrays(structure, cpts, [name], validate=False, why="")[1]
    raise ValueError("cannot tell the number of draws: no CPTs given")


def _check_columns(name: str, arr: np.ndarray) -> None:
    """Raise unless ``arr`` is non-negative and sums to 1 over axis 0."""
    lowest = arr.min()
    if not lowest >= 0:  # also catches NaN
        where = tuple(int(i) for i in np.argwhere(~(arr >= 0))[0])
        raise ValueError(f"CPT for {name!r} has a negative or NaN entry {arr[where]!r} at {where}")
    sums = arr.sum(axis=0)
    dev = np.abs(sums - 1.0)
    if not (dev <= COLUMN_SUM_TOLERANCE).all():
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(dev)), dev.shape))
        raise ValueError(
            f"CPT for {name!r} has columns that do not sum to 1 within {COLUMN_SUM_TOLERANCE:g}: "
            f"parent states {worst[:-1]} of draw {worst[-1]} sum to {float(sums[worst])!r}"
        )
