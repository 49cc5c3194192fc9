"""Public reference networks and reference engines for testing ``bayesnet.engine``.

* :func:`load_network` reads one of pgmpy's bundled networks (offline) and
  returns our :class:`~bayesnet.engine.Structure` with float64 CPTs whose
  columns are renormalised (alarm's HRSAT and HREKG are off by 1e-7).
* :func:`dirichlet_draws` turns point CPTs into ``S`` noisy draws.
* :func:`pgmpy_model` and :func:`pyagrum_model` rebuild one draw as a model of
  the reference library, for cross-checks.
* :func:`forward_sample` draws one joint state (for evidence values of
  non-zero probability).

pgmpy and pyAgrum are imported inside the functions that need them: both warn
at import time (pgmpy a ``FutureWarning``, pyAgrum's SWIG bindings a
``DeprecationWarning``; under ``-W error`` the latter segfaults the
interpreter), so the imports are wrapped in narrow warning filters.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from bayesnet.engine import Structure

NETWORKS = ("asia", "alarm", "child", "insurance", "hailfinder", "win95pts")


def import_pgmpy() -> dict[str, Any]:
    """Import the pgmpy pieces we use, silencing its import-time deprecation notices."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"pgmpy(\.|$)")
        warnings.filterwarnings("ignore", category=FutureWarning, message=r".*pgmpy")
        from pgmpy.factors.discrete import TabularCPD
        from pgmpy.inference import VariableElimination
        from pgmpy.models import DiscreteBayesianNetwork
        from pgmpy.utils import get_example_model
    return {
        "TabularCPD": TabularCPD,
        "VariableElimination": VariableElimination,
        "DiscreteBayesianNetwork": DiscreteBayesianNetwork,
        "get_example_model": get_example_model,
    }


def import_pyagrum() -> Any:
    """Import pyAgrum with its SWIG ``DeprecationWarning`` (fatal under ``-W error``) silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=r"builtin type .* has no __module__")
        import pyagrum

    return pyagrum


def load_network(name: str) -> tuple[Structure, dict[str, np.ndarray]]:
    """One of pgmpy's bundled networks as ``(Structure, point CPTs)``.

    The CPTs have shape ``(card, *parent_cards)`` (no draw axis), float64,
    columns renormalised to sum to 1.
    """
    get_example_model = import_pgmpy()["get_example_model"]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, message=r".*get_example_model.* is deprecated")
        model = get_example_model(name)
    cards: dict[str, int] = {}
    parents: dict[str, tuple[str, ...]] = {}
    cpts: dict[str, np.ndarray] = {}
    for cpd in sorted(model.get_cpds(), key=lambda c: str(c.variable)):
        v = str(cpd.variable)
        values = np.asarray(cpd.values, dtype=np.float64)
        cards[v] = values.shape[0]
        parents[v] = tuple(str(p) for p in cpd.variables[1:])
        cpts[v] = values / values.sum(axis=0, keepdims=True)
    return Structure.from_dicts(cards, parents), cpts


def dirichlet_draws(
    structure: Structure,
    point: Mapping[str, np.ndarray],
    n_draws: int,
    rng: np.random.Generator,
    *,
    alpha: float = 20.0,
) -> dict[str, np.ndarray]:
    """``n_draws`` noisy copies of ``point``: each column ~ Dirichlet(alpha * column + 0.5).

    Returns CPTs of shape ``(card, *parent_cards, n_draws)``.
    """
    out = {}
    for v in structure.variables:
        conc = alpha * point[v] + 0.5
        g = rng.standard_gamma(np.broadcast_to(conc[..., None], (*conc.shape, n_draws)))
        out[v] = g / g.sum(axis=0, keepdims=True)
    return out


def pgmpy_model(structure: Structure, cpts: Mapping[str, np.ndarray], draw: int) -> Any:
    """A pgmpy ``DiscreteBayesianNetwork`` holding draw ``draw`` of ``cpts`` (states 0..k-1)."""
    pg = import_pgmpy()
    edges = [(p, v) for v in structure.variables for p in structure.parents_of(v)]
    model = pg["DiscreteBayesianNetwork"](edges)
    model.add_nodes_from(structure.variables)
    tabular = []
    for v in structure.variables:
        pas = list(structure.parents_of(v))
        values = cpts[v][..., draw]
        tabular.append(
            pg["TabularCPD"](
                v,
                structure.card(v),
                values.reshape(structure.card(v), -1),
                evidence=pas or None,
                evidence_card=[structure.card(p) for p in pas] or None,
            )
        )
    model.add_cpds(*tabular)
    return model


def pgmpy_query(
    structure: Structure,
    cpts: Mapping[str, np.ndarray],
    draw: int,
    targets: Sequence[str],
    *,
    evidence: Mapping[str, int],
    do: Mapping[str, int],
) -> np.ndarray:
    """``P(targets | evidence, do)`` for one draw by pgmpy's ``VariableElimination``.

    ``do`` uses pgmpy's own ``model.do`` (edges into the intervened nodes cut,
    their CPTs marginalised to a root prior), then conditions on the
    intervened values, which for a root is the same as setting them.
    """
    model = pgmpy_model(structure, cpts, draw)
    if do:
        model = model.do(list(do))
    ve = import_pgmpy()["VariableElimination"](model)
    factor = ve.query(list(targets), evidence={**evidence, **do}, joint=True, show_progress=False)
    order = [factor.variables.index(t) for t in targets]
    return np.transpose(np.asarray(factor.values, dtype=np.float64), order)


def pyagrum_model(structure: Structure, cpts: Mapping[str, np.ndarray], draw: int, *, do: Sequence[str] = ()) -> Any:
    """A pyAgrum ``BayesNet`` holding draw ``draw``, filled from float64 with ``fillWith``.

    Variables in ``do`` lose their incoming arcs and get a uniform CPT
    (graph surgery by hand; condition on them afterwards).
    """
    gum = import_pyagrum()
    bn = gum.BayesNet()
    for v in structure.variables:
        bn.add(gum.LabelizedVariable(v, v, structure.card(v)))
    for v in structure.variables:
        if v not in do:
            for p in structure.parents_of(v):
                bn.addArc(p, v)
    for v in structure.variables:
        table = bn.cpt(v)
        if v in do:
            values = np.full(structure.card(v), 1.0 / structure.card(v))
            axes = (v,)
        else:
            values = cpts[v][..., draw]
            axes = (v, *structure.parents_of(v))
        names = tuple(table.names)
        # pyAgrum's flat order runs its first variable fastest: Fortran order over its names.
        arranged = np.transpose(values, [axes.index(n) for n in names])
        table.fillWith(arranged.ravel(order="F").tolist())
    return bn


def pyagrum_query(
    structure: Structure,
    cpts: Mapping[str, np.ndarray],
    draw: int,
    target: str,
    *,
    evidence: Mapping[str, int],
    do: Mapping[str, int],
) -> np.ndarray:
    """``P(target | evidence, do)`` for one draw by pyAgrum's ``LazyPropagation`` (fresh engine)."""
    gum = import_pyagrum()
    bn = pyagrum_model(structure, cpts, draw, do=tuple(do))
    ie = gum.LazyPropagation(bn)
    fixed = {**evidence, **do}
    if fixed:
        ie.setEvidence({k: int(v) for k, v in fixed.items()})
    ie.addTarget(target)
    ie.makeInference()
    return np.asarray(ie.posterior(target).toarray(), dtype=np.float64)


def forward_sample(
    structure: Structure,
    cpts: Mapping[str, np.ndarray],
    draw: int,
    rng: np.random.Generator,
    *,
    do: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """One joint state from draw ``draw`` of the network mutilated by ``do``."""
    do = do or {}
    state: dict[str, int] = {}
    for v in structure.topological_order:
        if v in do:
            state[v] = do[v]
            continue
        column = cpts[v][(slice(None), *(state[p] for p in structure.parents_of(v)), draw)]
        state[v] = int(rng.choice(len(column), p=column / column.sum()))
    return state
