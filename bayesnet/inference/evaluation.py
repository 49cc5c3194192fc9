"""The one route to the engine: every question of the package is answered here.

:func:`evaluate` compiles a query shape (cached by the engine), turns the caller's CPTs into
the operands the plan reads, and answers for every column of the draw axis at once.
Columns can also carry *different interventions* (``per_column``): each lever setting, each
sampled context configuration, each candidate of a search is one column, so a whole sweep
is one call. :func:`derivative_pass` runs the engine's backward pass for the analyses that
read derivatives. An impossible set of findings is explained here, in state names, for
every caller.

Every other module reaches the engine through these two functions (a test keeps it so).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from bayesnet import engine
from bayesnet.errors import QueryError, ZeroProbabilityError

if TYPE_CHECKING:
    from bayesnet.build.cpt import NetworkSpec
    from bayesnet.build.model import CPTs
    from bayesnet.engine import Consumer, LeafSource, Structure
    from bayesnet.inference.questions import Question

__all__ = ["Network", "answer", "derivative_pass", "evaluate", "gradients"]


class Network(Protocol):
    """What :func:`evaluate` needs of a network: the model, or its unrolled copy over time."""

    @property
    def structure(self) -> Structure:
        """Variables, cardinalities and parents, as the engine takes them."""

    @property
    def spec(self) -> NetworkSpec:
        """States of every variable (for messages)."""


def evaluate(
    network: Network,
    cpts: CPTs | LeafSource,
    targets: Sequence[str],
    *,
    evidence: Mapping[str, int] | None = None,
    do: Mapping[str, int] | None = None,
    per_column: Mapping[str, np.ndarray] | None = None,
    normalise: bool = True,
) -> np.ndarray:
    """``P(targets | evidence, do(do))`` for every column of the draw axis.

    Parameters
    ----------
    network : Network
        A model or an unrolled network.
    cpts : mapping or LeafSource
        Node -> ``(card, *parent_cards, S)``: posterior draws, or ``S = 1`` (the
        posterior-mean network), valid by construction (not re-checked); or a source of the
        slices a query reads (``Posterior.tables``; not with ``per_column``).
    targets : sequence of str
        Their joint distribution is returned; may be empty with ``normalise=False``.
    evidence, do : mapping
        Node -> state index.
    per_column : mapping, optional
        Node -> state index per column (``-1``: not set in that column): interventions that
        differ between columns. The number of columns is their length; CPTs with one
        column are broadcast to it.
    normalise : bool
        False: the joint ``P(targets, evidence | do)`` instead (zero is then an answer).

    Returns
    -------
    numpy.ndarray
        Shape ``(columns, *target_cards)``.

    Raises
    ------
    ZeroProbabilityError
        Findings that cannot occur together in some column, named (a minimal impossible
        subset).
    """
    evidence = dict(evidence or {})
    do = dict(do or {})
    plan = engine.compile_query(network.structure, list(targets), evidence=list(evidence), do=list(do))
    operands = _operands(plan.factors, cpts, per_column)
    if not normalise:
        return plan.joint(operands, evidence=evidence, do=do, validate=False)
    try:
        return plan(operands, evidence=evidence, do=do, validate=False)
    except engine.ZeroProbabilityError as err:
        raise _explain_zero(network, operands, evidence, do, err) from err


def _operands(
    factors: Sequence[str], cpts: CPTs | LeafSource, per_column: Mapping[str, np.ndarray] | None
) -> CPTs | LeafSource:
    """The CPTs a plan reads, with per-column interventions applied and one-column CPTs
    broadcast to the number of columns."""
    if not per_column:
        return cpts
    width = {len(np.asarray(v)) for v in per_column.values()}
    if len(width) != 1:
        raise QueryError(f"per-column interventions must all have the same length; got {sorted(width)}")
    (n,) = width
    if isinstance(cpts, engine.LeafSource):  # CPT draws held by upper rows, or one query's slices
        if n != cpts.n_draws:
            raise QueryError(f"per-column interventions in {n} columns cannot apply to {cpts.n_draws} draws")
        return _Intervened(cpts, {v: np.asarray(states) for v, states in per_column.items()})
    out: dict[str, np.ndarray] = {}
    for v in factors:
        arr = cpts[v]
        if v in per_column:
            out[v] = engine.intervene_columns(arr, np.asarray(per_column[v]))
        elif arr.shape[-1] == 1 and n != 1:
            out[v] = np.broadcast_to(arr, (*arr.shape[:-1], n))
        else:
            out[v] = arr
    return out


class _Intervened:
    """A :class:`~bayesnet.engine.LeafSource` with interventions that differ per draw column:
    the intervened nodes' leaves are their one-hot tables (:func:`bayesnet.engine.intervene_columns`),
    built for each chunk of draws; every other leaf is the source's own (never a whole table)."""

    def __init__(self, source: LeafSource, per_column: Mapping[str, np.ndarray]) -> None:
        self.source = source
        self.per_column = per_column
        self.n_draws = source.n_draws

    def leaves(
        self, plan: engine.ContractionPlan, fixed: Mapping[str, int], draws: slice, *, upper: bool = True
    ) -> list[np.ndarray]:
        out = self.source.leaves(plan, fixed, draws, upper=upper)
        for i, (v, axes) in enumerate(zip(plan.factors, plan.fixed_axes, strict=True)):
            if v in self.per_column:
                table = self.table(v, draws)
                index: list[int | slice] = [slice(None)] * (table.ndim - 1)
                for pos, name in axes:
                    index[pos] = fixed[name]
                if upper and plan.upper[i]:
                    index[0] = 1
                out[i] = table[(*index, slice(None))]
        return out

    def table(self, node: str, draws: slice) -> np.ndarray:
        table = self.source.table(node, draws)
        if node not in self.per_column:
            return table
        return engine.intervene_columns(table, self.per_column[node][draws])


def _explain_zero(
    network: Network,
    cpts: CPTs | LeafSource,
    evidence: Mapping[str, int],
    do: Mapping[str, int],
    err: engine.ZeroProbabilityError,
) -> ZeroProbabilityError:
    """Shrink the findings to a minimal set that is still impossible, and name it."""
    findings = dict(evidence)
    for node in list(findings):
        trial = {k: v for k, v in findings.items() if k != node}
        if not trial:
            continue
        prob = evaluate(network, cpts, [], evidence=trial, do=do, normalise=False).reshape(-1)
        if np.any(prob <= 0.0):
            findings = trial
    states = network.spec.states
    named = {k: states[k][v] for k, v in findings.items()}
    listed = ", ".join(f"{k}={v}" for k, v in named.items())
    zero, total = len(err.zero_draws), err.n_draws
    if total == 1:
        message = (f"the findings {listed} cannot occur together under this model's posterior-mean network "
                   "(probability 0); drop one of them or intervene (do) instead of observing")
    elif zero == total:
        message = (f"the findings {listed} cannot occur together under this model (probability 0 in every one of "
                   f"its {total} posterior draws); drop one of them or intervene (do) instead of observing")
    else:
        what, them = ("findings", "them") if len(named) > 1 else ("finding", "it")
        message = (f"the {what} {listed} {'have' if len(named) > 1 else 'has'} probability exactly 0 in {zero} of "
                   f"the {total} posterior draws (not in the others): those draws, not the {what}, make {them} "
                   "impossible (a probability drawn as exactly 0 or 1, which a very small base_rate_concentration "
                   "in priors/settings.yaml gives); raise base_rate_concentration, or draw again with another "
                   "--seed")
    return ZeroProbabilityError(message, findings=named)


def answer(q: Question, cpts: CPTs | LeafSource, *, per_column: Mapping[str, np.ndarray] | None = None
           ) -> np.ndarray:
    """``P(target = state | situation)`` of a question, per column: shape ``(columns,)``."""
    return evaluate(q.model, cpts, [q.target], evidence=q.evidence, do=q.do, per_column=per_column)[:, q.index]


def derivative_pass(
    q: Question,
    cpts: CPTs,
    consumers: Sequence[Consumer],
    *,
    keep: str = "relevant",
    show_progress: bool = False,
    desc: str = "derivatives",
) -> None:
    """One forward-backward pass of ``P(target, findings | do)`` over every draw of ``cpts``,
    chunk by chunk, feeding every consumer (analyses of one question share the pass)."""
    plan = engine.compile_gradients(q.model.structure, q.target, evidence=list(q.evidence), do=list(q.do),
                                    keep=keep)
    n_draws = next(iter(cpts.values())).shape[-1]
    engine.run_pass(plan, cpts, evidence=q.evidence, do=q.do, n_draws=n_draws, consumers=consumers,
                    show_progress=show_progress, desc=desc)


def gradients(
    q: Question, cpts: CPTs, *, nodes: Sequence[str] | None = None, keep: str = "relevant"
) -> engine.Gradients:
    """The value and CPT derivatives of a question for every draw of ``cpts`` in one piece
    (small draw counts: the posterior-mean network, a greedy search step)."""
    plan = engine.compile_gradients(q.model.structure, q.target, evidence=list(q.evidence), do=list(q.do),
                                    keep=keep)
    return plan.gradients(cpts, evidence=q.evidence, do=q.do, nodes=nodes)
