"""The adapter to pgmpy: our CPT arrays as a ``DiscreteBayesianNetwork``, and pgmpy's BIF
and XMLBIF readers.

This is the only module that imports pgmpy, so the rest of the package speaks numpy and
pandas and the pgmpy version can move. pgmpy is imported inside the functions: importing
it costs seconds, which commands like ``bayesnet --help`` should not pay. Exports are
written by :mod:`bayesnet.build.interchange` (pgmpy's writers drop the network's name,
labels, definitions and sources).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesnet.build.cpt import NetworkSpec

if TYPE_CHECKING:
    from pgmpy.models import DiscreteBayesianNetwork

__all__ = ["cpts_from_pgmpy", "from_bif", "from_xmlbif", "to_pgmpy"]


def to_pgmpy(spec: NetworkSpec, cpts: Mapping[str, np.ndarray]) -> DiscreteBayesianNetwork:
    """Build a pgmpy network from CPT arrays.

    Parameters
    ----------
    spec : NetworkSpec
    cpts : mapping
        Node -> ``(card, *parent_cards)`` or ``(card, *parent_cards, 1)`` array.

    Returns
    -------
    pgmpy.models.DiscreteBayesianNetwork
        With state names, and ``check_model()`` passing.
    """
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    edges = [(p, n) for n in spec.order for p in spec.parents[n]]
    network = DiscreteBayesianNetwork(edges)
    network.add_nodes_from(spec.order)
    tabular = []
    for node in spec.order:
        values = np.asarray(cpts[node], dtype=float)
        parents = spec.parents[node]
        if values.ndim == len(parents) + 2:
            if values.shape[-1] != 1:
                raise ValueError(f"CPT of {node!r} has {values.shape[-1]} draws; pass one draw")
            values = values[..., 0]
        card = spec.card(node)
        state_names = {node: list(spec.states[node])}
        state_names.update({p: list(spec.states[p]) for p in parents})
        tabular.append(
            TabularCPD(
                node,
                card,
                values.reshape(card, -1),
                evidence=list(parents) or None,
                evidence_card=[spec.card(p) for p in parents] or None,
                state_names=state_names,
            )
        )
    network.add_cpds(*tabular)
    network.check_model()
    return network


def cpts_from_pgmpy(network: DiscreteBayesianNetwork) -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
    """Node -> (parents, values of shape ``(card, *parent_cards)``) from a pgmpy network."""
    out: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
    for cpd in network.get_cpds():
        parents = tuple(cpd.variables[1:])
        out[cpd.variable] = (parents, np.asarray(cpd.values, dtype=float))
    return out


def from_bif(text: str, *, properties: bool = False) -> DiscreteBayesianNetwork:
    """Read BIF text (as :func:`bayesnet.build.interchange.bif_text` writes it) into a pgmpy
    network; with ``properties``, each variable's ``property`` lines become node attributes."""
    from pgmpy.readwrite import BIFReader

    return _quiet(BIFReader(string=text, include_properties=properties).get_model)


def from_xmlbif(text: str) -> DiscreteBayesianNetwork:
    """Read XMLBIF text into a pgmpy network (each variable's ``<PROPERTY>`` becomes a node attribute)."""
    from pgmpy.readwrite import XMLBIFReader

    return _quiet(XMLBIFReader(string=text).get_model)


def _quiet(fn: Any) -> Any:
    import logging

    logger = logging.getLogger("pgmpy")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return fn()
    finally:
        logger.setLevel(level)
