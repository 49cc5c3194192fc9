"""The model: validated inputs plus what is derived from them (links, DAG, CPTs, network).

A :class:`Model` is immutable: derived objects are computed once, on first use, and the
arrays it hands out are read-only; a change (an update with new studies) gives a new model.
It holds data only: questions are asked with :func:`bayesnet.query` and the analyses of
:mod:`bayesnet.analysis`, over a :class:`bayesnet.inference.Posterior` of its draws.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet.build.cpt import NetworkSpec, network_spec
from bayesnet.build.draws import CPTDraws, halved_nodes
from bayesnet.build.graph import build_dag, link_table, locate_cycle
from bayesnet.build.leaves import DrawnLeaves
from bayesnet.build.parameters import ParameterDraws, ParameterPriors, parameter_priors
from bayesnet.build.source_filter import SourceFilter, SourceSelection, dropped_links, parse_sources, reference_order
from bayesnet.cache import LRUCache
from bayesnet.checks import check_draws, check_seed
from bayesnet.engine import Structure
from bayesnet.errors import CycleError, QueryError, closest
from bayesnet.inputs.citations import Citation, cite_sources
from bayesnet.inputs.codebook import Codebook
from bayesnet.inputs.evidence import Evidence
from bayesnet.inputs.folder import ModelFiles, is_embedded, read_model_files
from bayesnet.inputs.scenarios import Scenarios
from bayesnet.inputs.settings import Settings

if TYPE_CHECKING:
    import networkx as nx

    from bayesnet.build.network import DiscreteBayesianNetwork

__all__ = ["CPTs", "Model", "load", "read_only", "select_sources"]

CPTs = Mapping[str, np.ndarray]
"""Node -> CPT array ``(card, *parent_cards, S)``: the engine's layout with a trailing draw axis."""
DRAW_CACHE_SIZE = 3
"""CPT draw sets a model keeps (the default one and one or two alternatives); as many
parameter draw sets (14 MB for the default model's 4,000 draws), which :meth:`Model.leaves`
reads."""


def read_only(cpts: Mapping[str, np.ndarray]) -> CPTs:
    """The CPTs as a read-only mapping of read-only arrays (the arrays are not copied)."""
    for arr in cpts.values():
        arr.setflags(write=False)
    return types.MappingProxyType(dict(cpts))


@dataclass(frozen=True, eq=False)
class Model:
    """A Bayesian network of the review's causal web.

    Parameters
    ----------
    codebook : Codebook
    evidence : Evidence
    settings : Settings
    scenarios : Scenarios
    review_summary : dict
    root : pathlib.Path or None
        The model folder it was read from (None when built in memory).
    selection : SourceSelection or None
        When the model holds only some of the folder's sources, which and why
        (:func:`select_sources`).

    Attributes
    ----------
    links : pandas.DataFrame
        One row per link with its sign and distinct sources (all lags).
    dag : networkx.DiGraph
        The same-time causal web.
    spec : NetworkSpec
        Compiled structure (order, states, parents, design matrices).
    priors : ParameterPriors
        Distributions of every parameter.
    network : pgmpy.models.DiscreteBayesianNetwork
        The posterior-mean network, as pgmpy sees it.
    """

    codebook: Codebook
    evidence: Evidence
    settings: Settings
    scenarios: Scenarios
    review_summary: Mapping[str, Any] = field(default_factory=dict)
    root: Path | None = None
    selection: SourceSelection | None = None
    _draws: LRUCache[CPTDraws] = field(default_factory=lambda: LRUCache(DRAW_CACHE_SIZE), init=False, repr=False)
    _parameters: LRUCache[ParameterDraws] = field(
        default_factory=lambda: LRUCache(DRAW_CACHE_SIZE), init=False, repr=False
    )

    @classmethod
    def from_files(cls, files: ModelFiles) -> Model:
        """Build from validated files (see :func:`bayesnet.inputs.folder.read_model_files`)."""
        model = cls(files.codebook, files.evidence, files.settings, files.scenarios,
                    dict(files.review_summary), files.root)
        try:
            model.spec  # noqa: B018 - validate acyclicity now, not at the first query
        except CycleError as err:
            raise locate_cycle(err, files.evidence) from None
        return model

    def __repr__(self) -> str:
        where = self.name
        return (  # every link, the feedback ones too, as the CLI's model line counts them
            f"<bayesnet.Model {where}: {len(self.codebook)} nodes, {len(self._links)} links, "
            f"{len(self.evidence)} sources, {len(self.scenarios)} scenarios>"
        )

    @cached_property
    def _links(self) -> pd.DataFrame:
        return link_table(self.codebook, self.evidence, self.settings)

    @property
    def links(self) -> pd.DataFrame:
        """The link table (see :func:`bayesnet.build.graph.link_table`), one row per link of any
        lag; a copy, so the model's own stays as it is."""
        return self._links.copy()

    @property
    def name(self) -> str:
        """Where the model comes from: its folder, "embedded default model", or "in memory", and
        the source filter it was narrowed by (:func:`select_sources`)."""
        where = "in memory" if self.root is None else (
            "embedded default model" if is_embedded(self.root) else str(self.root))
        return where if self.selection is None else f"{where}, {self.selection.describe()}"

    @cached_property
    def citations(self) -> Mapping[str, Citation]:
        """Source id -> how every surface cites it (first author and year, the full citation):
        :func:`bayesnet.inputs.citations.cite_sources` (read-only)."""
        return types.MappingProxyType(cite_sources(self.evidence))

    @cached_property
    def labels(self) -> Mapping[str, str]:
        """Node id -> label (read-only): what tables, notebooks and the command line show."""
        return types.MappingProxyType({n.id: n.label for n in self.codebook})

    @cached_property
    def dag(self) -> nx.DiGraph:
        """The same-time causal web (see :func:`bayesnet.build.graph.build_dag`)."""
        return build_dag(self.codebook, self._links)

    @cached_property
    def spec(self) -> NetworkSpec:
        """Compiled structure for CPT building."""
        return network_spec(self.codebook, self._links)

    @cached_property
    def structure(self) -> Structure:
        """The structure as the batched inference engine takes it."""
        return Structure.from_dicts(self.spec.cards, self.spec.parents)

    @cached_property
    def priors(self) -> ParameterPriors:
        """Distributions of every parameter."""
        return parameter_priors(self.spec, self.codebook, self.settings, {s.id: s.kind for s in self.evidence})

    @cached_property
    def mean_parameters(self) -> ParameterDraws:
        """Posterior-mean parameters (one draw)."""
        return self.priors.mean()

    @cached_property
    def cpts(self) -> CPTs:
        """CPTs of the posterior-mean model, each with a trailing draw axis of length 1 (read-only)."""
        return read_only(self.mean_parameters.cpts(self.spec))

    @cached_property
    def bytes_per_draw(self) -> int:
        """Memory one draw of every CPT takes, as :meth:`cpt_draws` holds them (the large
        two-state tables by their upper row)."""
        halved = set(halved_nodes(self.spec))
        return sum(int(np.prod(a.shape[:-1])) // (2 if v in halved else 1) for v, a in self.cpts.items()) * 8

    @cached_property
    def network(self) -> DiscreteBayesianNetwork:
        """The posterior-mean model as a pgmpy ``DiscreteBayesianNetwork``."""
        from bayesnet.build.network import to_pgmpy

        return to_pgmpy(self.spec, self.cpts)

    def parameter_draws(self, n_draws: int, seed: int) -> ParameterDraws:
        """``n_draws`` draws of every parameter (see :class:`ParameterPriors`), cached per
        ``(n_draws, seed)``."""
        n = check_draws(n_draws, "parameter_draws", bytes_per_draw=self.bytes_per_draw)
        seed = check_seed(seed, "parameter_draws")
        return self._parameters.get((n, seed), lambda: self.priors.draw(n, seed))

    def cpt_draws(self, n_draws: int, seed: int) -> CPTDraws:
        """CPTs for ``n_draws`` posterior draws (read-only), cached per ``(n_draws, seed)``.

        A sweep of queries with the same draws and seed pays for drawing and building once.
        The large two-state tables are held by their upper row (:mod:`bayesnet.build.draws`):
        reading one of them from the mapping builds it whole; the engine reads slices.
        """
        n = check_draws(n_draws, "cpt_draws", bytes_per_draw=self.bytes_per_draw)
        seed = check_seed(seed, "cpt_draws")
        return self._draws.get((n, seed), lambda: self.parameter_draws(n, seed).cpt_draws(self.spec))

    def holds_cpt_draws(self, n_draws: int, seed: int) -> bool:
        """Whether :meth:`cpt_draws` for ``(n_draws, seed)`` would be answered from the cache."""
        return (n_draws, seed) in self._draws

    def leaves(self, n_draws: int, seed: int) -> DrawnLeaves:
        """The CPT slices of any one query, built when the engine asks for them, chunk by chunk,
        from the cached parameter draws (:mod:`bayesnet.build.leaves`): a single question never
        builds the whole CPT draws."""
        return DrawnLeaves(self.spec, self.parameter_draws(n_draws, seed))

    def cpt_frame(self, node: str) -> pd.DataFrame:
        """The posterior-mean CPT of ``node``: one row per parent configuration, one column per state."""
        if node not in self.codebook:
            raise QueryError(f"unknown node {node!r}", suggestions=closest(node, self.codebook.ids))
        values = self.cpts[node][..., 0]
        parents = self.spec.parents[node]
        states = self.spec.states[node]
        if not parents:
            return pd.DataFrame([values], columns=pd.Index(states, name=node))
        flat = values.reshape(len(states), -1).T
        if len(parents) == 1:
            index = pd.Index(list(self.spec.states[parents[0]]), name=parents[0])
        else:
            index = pd.MultiIndex.from_product([list(self.spec.states[p]) for p in parents], names=list(parents))
        return pd.DataFrame(flat, index=index, columns=pd.Index(states, name=node))


def select_sources(model: Model, sources: str | SourceFilter) -> Model:
    """The model built from the sources a filter keeps.

    It equals the model read from a folder holding only the matching evidence files (the same
    links, parameters and posterior draws) and records the filter in :attr:`Model.selection`;
    a link that only left-out sources state is not in it (``selection.dropped_links``). A model
    already narrowed is narrowed further: both filters hold.

    Parameters
    ----------
    model : Model
    sources : str or SourceFilter
        The filter, e.g. ``"kind=included_study,type=merger"``, ``"year=2010-2018"``,
        ``"exclude_ids=S0"`` (:mod:`bayesnet.build.source_filter`).

    Returns
    -------
    Model

    Raises
    ------
    QueryError
        A malformed filter, an unknown id, kind or type (with the closest names), or a filter
        that keeps no source (with the values the other terms leave).

    Examples
    --------
    >>> import bayesnet
    >>> included = bayesnet.select_sources(bayesnet.load(), "kind=included_study")
    >>> included.selection.describe()
    'sources kind=included_study (51 of 65; 33 links no kept source states dropped)'
    """
    chosen = parse_sources(sources)
    evidence = chosen.select(model.evidence)
    before = model.selection
    narrowed = Model(model.codebook, evidence, model.settings, model.scenarios, dict(model.review_summary),
                     model.root)
    left_out = {*model.evidence.ids, *(before.left_out if before else ())} - set(evidence.ids)
    selection = SourceSelection(
        chosen if before is None else before.filter & chosen,
        evidence.ids,
        tuple(sorted(left_out, key=reference_order)),
        (before.dropped_links if before else ()) + dropped_links(model.links, narrowed.links),
    )
    return Model(model.codebook, evidence, model.settings, model.scenarios, dict(model.review_summary), model.root,
                 selection)


def load(path: str | Path | None = None, *, sources: str | SourceFilter | None = None) -> Model:
    """Load a model folder, or the embedded default model.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A folder holding ``priors/`` and ``evidence/`` (see ``bayesnet init``). Default:
        the model embedded in the package, coded from the review's published text.
    sources : str or SourceFilter, optional
        Build the model from the sources this filter keeps (see :func:`select_sources`).

    Returns
    -------
    Model

    Raises
    ------
    InputError
        Any problem in any file, named by file, line and field. Nothing is written.
    QueryError
        A source filter that is malformed or keeps no source.

    Examples
    --------
    >>> import bayesnet
    >>> model = bayesnet.load()
    >>> model
    <bayesnet.Model embedded default model: 66 nodes, 122 links, 65 sources, 6 scenarios>
    """
    model = Model.from_files(read_model_files(path))
    return model if sources is None else select_sources(model, sources)
