"""Batched exact inference over parameter draws of a discrete Bayesian network.

The model is a DAG with discrete variables whose conditional probability tables
(CPTs) come as ``S`` parameter draws at once.  Every query is answered for all
draws in one tensor contraction instead of one inference run per draw.

A query *shape* is compiled once by :func:`bayesnet.engine.plan.plan_contraction` (graph
surgery, pruning, labels, the contraction path); :func:`compile_query` wraps the plan as a
:class:`CompiledQuery` that is called with CPTs and values. Interventions can differ per
draw column (:func:`intervene_columns`): many lever settings, or many sampled context
configurations, are answered by one call with one column each.

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
* Path optimiser: see :mod:`bayesnet.engine.plan` (``'adaptive'``). On the
  project's default model (61 nodes) a 128-trial random-greedy search took
  300-340 ms to compile for 50 -> 57 ms evaluations against 8 trials' 22-28 ms,
  and a command-line query compiles once and evaluates twice. Pass
  ``optimize='random-greedy-128'`` for a query shape evaluated many times
  (insurance given 5 leaves: 7,371 greedy flops per draw, 12.6 -> 7.3 ms).
* Chunks of draws: about ``_CHUNK`` (1,000) draws each, at least one per core
  (:data:`bayesnet.parallel.WORKERS`; each at least ``_MIN_CHUNK`` draws), run
  on the shared pool of :mod:`bayesnet.parallel` (einsum releases the GIL), and
  more if the working memory, estimated as ``_MEMORY_SAFETY`` (4) times the
  largest intermediate, would pass ``DEFAULT_MEMORY_BUDGET`` (256 MB). Chunks
  sized for the cache helped opt_einsum's executor (insurance given all
  leaves: one chunk of 4,000 draws 153 ms, 218-draw chunks 78 ms); with the
  plan's own executor (draw axis last, reused buffers) a chunk's fixed costs
  dominate below a few hundred draws, and a query that builds its CPT slices
  per chunk wants them small enough to be reused from the scratch pool. Wall
  time of 4,000 draws of the default model's buddying question, best of 12 on
  the shared 2-core machine, by draws per chunk (500 / 1,000 / 2,000 / 4,000):
  cached draws 34.7 / 36.7 / 38.3 / 34.7 ms, slices built per chunk 104 / 72 /
  75 / 202 ms; on one core, CPU time 45 / 37 / 43 / 35 ms (cached).
* Two-state tables by their upper row, absorption, the executor: see
  :mod:`bayesnet.engine.plan`.
* Typical speed: alarm 3-4 ms for 4,000 draws (6-7 ms with the CPT checks),
  about 2,700-3,000 times a pgmpy ``VariableElimination`` loop that rebuilds
  the model per draw and 850-950 times a pyAgrum ``LazyPropagation`` loop.
* CPT checks (non-negative, columns sum to 1) read every needed CPT once per
  call, which costs about as much as the contraction on large networks: call
  :func:`check_cpts` once and pass ``validate=False`` in loops over the same
  draws.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from bayesnet import errors
from bayesnet.engine.plan import DEFAULT_OPTIMIZE, ContractionPlan, plan_contraction
from bayesnet.engine.structure import Structure, unknown_name
from bayesnet.errors import EngineError
from bayesnet.parallel import WORKERS, parallel_map

__all__ = [
    "COLUMN_SUM_TOLERANCE",
    "DEFAULT_MEMORY_BUDGET",
    "CompiledQuery",
    "LeafSource",
    "ZeroProbabilityError",
    "check_cpts",
    "compile_query",
    "intervene_columns",
]

logger = logging.getLogger(__name__)

#: Working memory allowed per chunk of draws, in bytes.
DEFAULT_MEMORY_BUDGET = 256 * 2**20
#: How far a CPT column sum may be from 1.
COLUMN_SUM_TOLERANCE = 1e-9
#: Working memory assumed per chunk, in multiples of the largest intermediate
#: (the two inputs and the output of a pairwise step plus einsum's buffers).
_MEMORY_SAFETY = 4
#: Fewest draws per chunk chosen automatically (per-chunk overhead is ~0.1 ms).
_MIN_CHUNK = 64
#: Draws per chunk aimed at (see the module docstring).
_CHUNK = 1000


@runtime_checkable
class LeafSource(Protocol):
    """What a query reads, made by the caller for the draws asked, instead of sliced by the
    engine from whole CPTs: a source can build only the slices one query reads, chunk by
    chunk (:class:`bayesnet.build.leaves.DrawnLeaves`), or hold CPTs in another form
    (:class:`bayesnet.build.draws.CPTDraws`: two-state tables by their upper row).

    Sources are trusted: their leaves are not checked.
    """

    @property
    def n_draws(self) -> int:
        """Number of draws ``S``."""

    def leaves(
        self, plan: ContractionPlan, fixed: Mapping[str, int], draws: slice, *, upper: bool = True
    ) -> list[np.ndarray]:
        """What ``plan.operands(cpts, fixed, draws, upper=upper)`` returns for the CPTs the
        source stands for: each factor's CPT at the fixed states (with ``upper``, only the
        upper row of the factors in ``plan.upper``), the draws in ``draws`` last."""

    def table(self, node: str, draws: slice) -> np.ndarray:
        """``node``'s whole CPT ``(card, *parent_cards, s)`` over ``draws``."""


class ZeroProbabilityError(errors.ZeroProbabilityError):
    """The evidence has probability zero in at least one parameter draw.

    A :class:`bayesnet.errors.ZeroProbabilityError` that speaks in state indices;
    :mod:`bayesnet.inference` re-raises it with state names.

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


def compile_query(
    structure: Structure,
    targets: Sequence[str],
    *,
    evidence: Iterable[str] = (),
    do: Iterable[str] = (),
    optimize: str = DEFAULT_OPTIMIZE,
) -> CompiledQuery:
    """Compile the query shape ``P(targets | evidence, do(do))``.

    The plan is :func:`~bayesnet.engine.plan.plan_contraction`'s (cached per shape).

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
        ``'adaptive'`` or an ``opt_einsum`` path optimiser name, e.g. ``'greedy'`` or
        ``'random-greedy-128'``.

    Returns
    -------
    CompiledQuery

    Raises
    ------
    EngineError
        On unknown names, repeated names, a variable both observed and
        intervened on, a target that is observed or intervened on, or an
        unknown ``optimize`` value.
    """
    return CompiledQuery(plan_contraction(structure, targets, evidence=evidence, do=do, optimize=optimize))


def intervene_columns(cpt: np.ndarray, states: np.ndarray) -> np.ndarray:
    """A CPT with some draw columns replaced by an intervention, one state per column.

    Setting a variable (graph surgery) replaces its CPT by the one-hot table of the set
    state, whatever its parents; the query is then the same as with the variable's edges
    cut. So many interventions, each in its own column of the draw axis, are answered by
    one contraction.

    Parameters
    ----------
    cpt : numpy.ndarray
        ``(card, *parent_cards, S)`` with ``S`` equal to ``len(states)``, or ``S = 1``
        (broadcast to every column).
    states : numpy.ndarray
        Shape ``(S,)``: the state index set in each column, or -1 where the column keeps
        the CPT.

    Returns
    -------
    numpy.ndarray
        A new array ``(card, *parent_cards, S)``.

    Raises
    ------
    EngineError
        A state out of range, or a CPT whose draw axis does not fit ``states``.
    """
    states = np.asarray(states)
    card = cpt.shape[0]
    n = len(states)
    if states.ndim != 1 or not np.issubdtype(states.dtype, np.integer):
        raise EngineError(f"intervention states must be a 1-d array of state indices; got {states!r}")
    if cpt.shape[-1] not in (1, n):
        raise EngineError(f"a CPT with {cpt.shape[-1]} draws cannot take interventions in {n} columns")
    if ((states < -1) | (states >= card)).any():
        raise EngineError(f"intervention states must be in -1..{card - 1} (-1: not set); got {states!r}")
    out = np.array(np.broadcast_to(cpt, (*cpt.shape[:-1], n)))
    flat = out.reshape(card, -1, n)
    cols = np.flatnonzero(states >= 0)
    flat[:, :, cols] = 0.0
    for x in range(card):
        flat[x, :, cols[states[cols] == x]] = 1.0
    return out


class CompiledQuery:
    """A query shape with a fixed contraction plan; call it with CPTs and values.

    Build with :func:`compile_query`, not directly.

    Attributes
    ----------
    plan : ContractionPlan
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
    path : tuple of tuple of int
        The fixed pairwise contraction order.
    per_draw_intermediate : int
        Elements of the largest intermediate tensor, per draw.
    default_chunk_size : int
        Draws per chunk that keep the estimated working memory within
        ``DEFAULT_MEMORY_BUDGET``.
    """

    def __init__(self, plan: ContractionPlan) -> None:
        self.plan = plan
        self.structure = plan.structure
        self.targets = plan.targets
        self.evidence = plan.evidence
        self.do = plan.do
        self.optimize = plan.optimize
        self.factors = plan.factors
        self.equation = plan.equation
        self.path = plan.path
        self.per_draw_intermediate = plan.per_draw_intermediate
        self.per_draw_flops = plan.per_draw_flops
        self._target_cards = tuple(plan.structure.card(t) for t in plan.targets)
        intermediate_bytes = 8 * self.per_draw_intermediate
        self.default_chunk_size = max(1, DEFAULT_MEMORY_BUDGET // (_MEMORY_SAFETY * intermediate_bytes))

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
            raise EngineError(
                f"this query was compiled for {what} on {list(names)}; got {what} values with "
                f"{' and '.join(parts)} (compile another query for other {what} variables)"
            )
        out: dict[str, int] = {}
        for name in names:
            value = values[name]
            card = self.structure.card(name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise EngineError(f"{what} value of {name!r} must be a state index (int); got {value!r}")
            if not 0 <= value < card:
                raise EngineError(
                    f"{what} value of {name!r} is out of range: state {value} of a "
                    f"{card}-state variable (valid: 0..{card - 1})"
                )
            out[name] = int(value)
        return out

    def _check_cpts(self, cpts: Mapping[str, np.ndarray], *, validate: bool) -> tuple[list[np.ndarray], int]:
        return _checked_arrays(self.structure, cpts, self.factors, validate=validate, why="which this query needs")

    # -- evaluation -------------------------------------------------------

    def _unnormalised(
        self,
        cpts: Mapping[str, np.ndarray] | LeafSource,
        evidence: Mapping[str, int],
        do: Mapping[str, int],
        chunk_size: int | None,
        validate: bool,
    ) -> tuple[np.ndarray, dict[str, int], dict[str, int]]:
        """``P(targets, evidence | do)`` per draw, shape ``(S, *target_cards)``."""
        ev = self._check_values(evidence, self.evidence, "evidence")
        dd = self._check_values(do, self.do, "do")
        if chunk_size is not None and (
            isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1
        ):
            raise EngineError(f"The 'chunk_size' parameter must be a positive int or None. Got {chunk_size!r} instead.")
        fixed = {**ev, **dd}
        if isinstance(cpts, LeafSource):
            n_draws = cpts.n_draws
            if not self.factors:
                return np.ones(n_draws), ev, dd
            source = cpts

            def leaves(draws: slice) -> list[np.ndarray]:
                return source.leaves(self.plan, fixed, draws)
        else:
            arrays, n_draws = self._check_cpts(cpts, validate=validate)
            if not arrays:  # nothing observed, nothing asked: every draw answers 1
                return np.ones(_draw_count(self.structure, cpts)), ev, dd

            def leaves(draws: slice) -> list[np.ndarray]:
                return self.plan.operands(arrays, fixed, draws, upper=True)

        chunks = self.chunks(n_draws, chunk_size)
        if len(chunks) == 1:
            raw = self.plan.contract(leaves(chunks[0]), upper=True)
            return np.ascontiguousarray(np.moveaxis(raw, -1, 0)), ev, dd
        out = np.empty((n_draws, *self._target_cards))

        def run(draws: slice) -> None:
            out[draws] = np.moveaxis(self.plan.contract(leaves(draws), upper=True), -1, 0)

        parallel_map(run, chunks)
        return out, ev, dd

    def chunks(self, n_draws: int, chunk_size: int | None = None) -> list[slice]:
        """The chunks of draws one call contracts: ``chunk_size`` draws each, or by default
        about ``_CHUNK`` draws each and at least one per core (:data:`bayesnet.parallel.WORKERS`)
        when each keeps ``_MIN_CHUNK`` draws, more if a chunk would pass
        :attr:`default_chunk_size` draws."""
        if chunk_size is None:
            parts = max(math.ceil(n_draws / self.default_chunk_size), round(n_draws / _CHUNK),
                        min(WORKERS, n_draws // _MIN_CHUNK), 1)
            chunk_size = math.ceil(n_draws / parts)
        return [slice(a, min(a + chunk_size, n_draws)) for a in range(0, n_draws, chunk_size)]

    def __call__(
        self,
        cpts: Mapping[str, np.ndarray] | LeafSource,
        *,
        evidence: Mapping[str, int] | None = None,
        do: Mapping[str, int] | None = None,
        chunk_size: int | None = None,
        validate: bool = True,
    ) -> np.ndarray:
        """Posterior ``P(targets | evidence, do(do))`` for every draw.

        Parameters
        ----------
        cpts : Mapping of str to numpy.ndarray, or LeafSource
            CPT draws, ``cpts[v].shape == (card_v, *parent_cards, S)``.  Only
            the CPTs the query needs are read and checked.  Or a
            :class:`LeafSource` that makes what the query reads itself (not checked).
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
        EngineError
            On values or CPTs that do not fit the compiled query.
        """
        raw, ev, dd = self._unnormalised(cpts, evidence or {}, do or {}, chunk_size, validate)
        axes = tuple(range(1, raw.ndim))
        z = raw.sum(axis=axes)
        if not np.isfinite(z).all():
            raise EngineError(
                f"the CPTs give non-finite probabilities in {int((~np.isfinite(z)).sum())} draws; "
                "check them with check_cpts() or call with validate=True"
            )
        bad = ~(z > 0)
        if bad.any():
            raise ZeroProbabilityError(ev, dd, np.flatnonzero(bad), len(z))
        # a new array: the contraction may hand back a view of a CPT (a root asked alone)
        return raw / z.reshape(-1, *(1,) * len(axes))

    def evidence_probability(
        self,
        cpts: Mapping[str, np.ndarray] | LeafSource,
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
        raw = self.joint(cpts, evidence=evidence, do=do, chunk_size=chunk_size, validate=validate)
        return raw.sum(axis=tuple(range(1, raw.ndim)))

    def joint(
        self,
        cpts: Mapping[str, np.ndarray] | LeafSource,
        *,
        evidence: Mapping[str, int] | None = None,
        do: Mapping[str, int] | None = None,
        chunk_size: int | None = None,
        validate: bool = True,
    ) -> np.ndarray:
        """``P(targets, evidence | do(do))`` per draw, not normalised: shape ``(S, *target_cards)``.

        Parameters are as for ``__call__``; zero is a valid answer here.
        """
        raw, _, _ = self._unnormalised(cpts, evidence or {}, do or {}, chunk_size, validate)
        return raw


def check_cpts(structure: Structure, cpts: Mapping[str, np.ndarray]) -> int:
    """Check every CPT of ``structure`` in ``cpts`` once; return the number of draws.

    Shapes, non-negative finite entries and column sums (within
    ``COLUMN_SUM_TOLERANCE``) are checked, so later queries may pass
    ``validate=False``.

    Raises
    ------
    EngineError
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
            raise unknown_name(k, structure.variables, "cpts")
    arrays: list[np.ndarray] = []
    n_draws = -1
    first = ""
    for v in variables:
        if v not in cpts:
            raise EngineError(f"no CPT given for {v!r}{', ' + why if why else ''}")
        arr = np.asarray(cpts[v])
        if arr.dtype.kind not in "fiu":
            raise EngineError(f"CPT for {v!r} must hold real numbers; got dtype {arr.dtype}")
        arr = arr.astype(np.float64, copy=False)
        if n_draws < 0:
            n_draws, first = (arr.shape[-1] if arr.ndim else 0), v
        expected = structure.cpt_shape(v, n_draws)
        if arr.shape != expected or n_draws < 1:
            draws = "at least 1 draw" if n_draws < 1 else f"{n_draws} draws as for {first!r}"
            raise EngineError(
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
    raise EngineError("cannot tell the number of draws: no CPTs given")


def _check_columns(name: str, arr: np.ndarray) -> None:
    """Raise unless ``arr`` is non-negative and sums to 1 over axis 0."""
    lowest = arr.min()
    if not lowest >= 0:  # also catches NaN
        where = tuple(int(i) for i in np.argwhere(~(arr >= 0))[0])
        raise EngineError(f"CPT for {name!r} has a negative or NaN entry {arr[where]!r} at {where}")
    sums = arr.sum(axis=0)
    dev = np.abs(sums - 1.0)
    if not (dev <= COLUMN_SUM_TOLERANCE).all():
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(dev)), dev.shape))
        raise EngineError(
            f"CPT for {name!r} has columns that do not sum to 1 within {COLUMN_SUM_TOLERANCE:g}: "
            f"parent states {worst[:-1]} of draw {worst[-1]} sum to {float(sums[worst])!r}"
        )
