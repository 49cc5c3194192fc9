"""The model: validated inputs plus what is derived from them (links, DAG, CPTs, network).

A :class:`Model` is immutable: derived objects are computed once, on first use, and a
change (an update with new studies) gives a new model. Questions are asked through
:mod:`bayesnet.query` (``model.query(...)`` is a shortcut) and analyses through their own
modules; this class only holds data.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd

from bayesnet.codebook import Codebook
from bayesnet.cpt import NetworkSpec, network_spec
from bayesnet.engine import Structure
from bayesnet.errors import CycleError, ParameterError
from bayesnet.evidence import Evidence
from bayesnet.graph import build_dag, link_table, locate_cycle
from bayesnet.parameters import ParameterDraws, ParameterPriors, parameter_priors
from bayesnet.readers import ModelFiles, read_model_files
from bayesnet.scenarios import Scenarios
from bayesnet.settings import Settings

if TYPE_CHECKING:
    from pgmpy.models import DiscreteBayesianNetwork

    from bayesnet.codebook import Node
    from bayesnet.evidence import Source
    from bayesnet.query import QueryResult
    from bayesnet.update import Change

__all__ = ["MAX_DRAW_BYTES", "Model", "load"]

MAX_DRAW_BYTES = 4 * 2**30
"""Most memory the CPT draws of one query may take (4 GiB). On the default model, whose
largest table (trust, 12 parents) dominates, that is about 50,000 draws; 4,000 take about
340 MB. More draws would not narrow the Monte Carlo error of an interval enough to matter."""


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
    _draw_cache: dict[tuple[int, int], dict[str, np.ndarray]] = field(
        default_factory=dict, init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def from_files(cls, files: ModelFiles) -> Model:
        """Build from validated files (see :func:`bayesnet.readers.read_model_files`)."""
        model = cls(files.codebook, files.evidence, files.settings, files.scenarios,
                    dict(files.review_summary), files.root)
        try:
            model.dag  # noqa: B018 - validate acyclicity now, not at the first query
        except CycleError as err:
            raise locate_cycle(err, files.evidence) from None
        return model

    def __repr__(self) -> str:
        where = str(self.root) if self.root else "in memory"
        n_links = int((self.links["lag"] == 0).sum())
        return (
            f"<bayesnet.Model {where}: {len(self.codebook)} nodes, {n_links} links, "
            f"{len(self.evidence)} sources, {len(self.scenarios)} scenarios>"
        )

    @cached_property
    def links(self) -> pd.DataFrame:
        """The link table (see :func:`bayesnet.graph.link_table`)."""
        return link_table(self.codebook, self.evidence, self.settings)

    @cached_property
    def dag(self) -> nx.DiGraph:
        """The same-time causal web (see :func:`bayesnet.graph.build_dag`)."""
        return build_dag(self.codebook, self.links)

    @cached_property
    def spec(self) -> NetworkSpec:
        """Compiled structure for CPT building."""
        return network_spec(self.codebook, self.links, self.dag)

    @cached_property
    def structure(self) -> Structure:
        """The structure as the batched inference engine takes it."""
        return Structure.from_dicts(self.spec.cards, self.spec.parents)

    @cached_property
    def priors(self) -> ParameterPriors:
        """Distributions of every parameter."""
        return parameter_priors(self.spec, self.codebook, self.settings)

    @cached_property
    def mean_parameters(self) -> ParameterDraws:
        """Posterior-mean parameters (one draw)."""
        return self.priors.mean()

    @cached_property
    def cpts(self) -> dict[str, np.ndarray]:
        """CPTs of the posterior-mean model, each with a trailing draw axis of length 1."""
        return self.mean_parameters.cpts(self.spec, self.priors)

    @cached_property
    def network(self) -> DiscreteBayesianNetwork:
        """The posterior-mean model as a pgmpy ``DiscreteBayesianNetwork``."""
        from bayesnet.network import to_pgmpy

        return to_pgmpy(self.spec, self.cpts)

    def parameter_draws(self, n_draws: int, seed: int) -> ParameterDraws:
        """``n_draws`` draws of every parameter (see :class:`ParameterPriors`)."""
        check_draws(n_draws, self, "parameter_draws")
        return self.priors.draw(n_draws, seed)

    def cpt_draws(self, n_draws: int, seed: int) -> dict[str, np.ndarray]:
        """CPTs for ``n_draws`` posterior draws, cached per ``(n_draws, seed)``.

        A sweep of queries with the same draws and seed pays for drawing and building once.
        """
        check_draws(n_draws, self, "cpt_draws")
        key = (int(n_draws), int(seed))
        with self._lock:
            cached = self._draw_cache.get(key)
            if cached is None:
                cached = self.priors.draw(n_draws, seed).cpts(self.spec, self.priors)
                # keep a few sets: the default one and one or two alternatives
                if len(self._draw_cache) >= 3:
                    self._draw_cache.pop(next(iter(self._draw_cache)))
                self._draw_cache[key] = cached
        return cached

    def query(self, targets: str | list[str], **kwargs: Any) -> QueryResult:
        """Shortcut for :func:`bayesnet.query.query` on this model."""
        from bayesnet.query import query

        return query(self, targets, **kwargs)

    def cpt_frame(self, node: str) -> pd.DataFrame:
        """The posterior-mean CPT of ``node`` as a table: one row per parent configuration."""
        from bayesnet.query import cpt_frame

        return cpt_frame(self, node)

    def update(
        self,
        files: Iterable[str | Path | Source] = (),
        *,
        remove: Iterable[str] = (),
        new_nodes: str | Path | Iterable[Node] | None = None,
    ) -> tuple[Model, Change]:
        """The model with newly coded studies added (and others removed), in memory.

        Reads the files (YAML, CSV or XLSX, as the loader does) but writes nothing: to
        write an update to a model folder use ``bayesnet update`` or
        :func:`bayesnet.store.update_folder`. See :func:`bayesnet.update.plan_update`.

        Parameters
        ----------
        files : iterable of path or Source
            Newly coded or re-coded sources.
        remove : iterable of str
            Ids of sources to take out.
        new_nodes : path or iterable of Node, optional
            Codebook entries for new concepts the files name.

        Returns
        -------
        (Model, Change)
            The new model and what changed (``change.after`` is the new model).
        """
        from bayesnet.store import read_update_inputs
        from bayesnet.update import plan_update

        sources, nodes = read_update_inputs(files, self.codebook, new_nodes)
        change = plan_update(self, sources, remove=remove, new_nodes=nodes)
        return change.after, change


def check_draws(n_draws: Any, model: Model, owner: str) -> int:
    """Validate a number of draws, saying what too many would cost in memory."""
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer):
        raise ParameterError.out_of_range("draws", owner, "a positive integer", n_draws)
    if n_draws < 1:
        raise ParameterError.out_of_range("draws", owner, "a positive integer", n_draws)
    per_draw = sum(int(np.prod(a.shape[:-1])) for a in model.cpts.values()) * 8
    if n_draws * per_draw > MAX_DRAW_BYTES:
        limit = MAX_DRAW_BYTES // per_draw
        raise ParameterError(
            f"The 'draws' parameter of {owner} must be at most {limit:,} for this model. Got {n_draws:,} "
            f"instead: its CPT draws alone would take {n_draws * per_draw / 2**30:,.1f} GiB of memory "
            f"(limit {MAX_DRAW_BYTES / 2**30:.0f} GiB)."
        )
    return int(n_draws)


def load(path: str | Path | None = None) -> Model:
    """Load a model folder, or the embedded default model.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A folder holding ``priors/`` and ``evidence/`` (see ``bayesnet init``). Default:
        the model embedded in the package, coded from the review's published text.

    Returns
    -------
    Model

    Raises
    ------
    InputError
        Any problem in any file, named by file, line and field. Nothing is written.

    Examples
    --------
    >>> import bayesnet
    >>> model = bayesnet.load()
    >>> model.query("collaborative_behaviour", scenario="buddying", draws=None)  # doctest: +SKIP
    """
    return Model.from_files(read_model_files(path))
