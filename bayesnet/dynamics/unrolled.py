"""The static web copied into time slices: the unrolled network behind the dynamics.

The review's web holds reciprocal relations that one DAG cannot (conflict erodes trust and
lost trust breeds conflict; see docs/dynamics.md). The evidence marks the backward arrow of
each loop ``lag: 1``; here the web is copied into ``T`` slices (stages of a collaboration)
and each lag-1 link runs from slice ``t`` to slice ``t + 1``.

* **Nodes** are ``<id>@<t>``, ``t = 1..T``.
* **Static nodes** have one copy, ``<id>@1``, shared by every slice: nodes nothing upstream
  of which can change over time. These are the early-stage and unmodifiable middle-stage
  contexts (mandated, organisational size, history of collaboration, geographical proximity
  ...) and every node whose causes are all static (initial trust, initial faith, perceived
  legitimacy, task complexity and confidence on the default model).
* **Per-slice contexts** (:func:`per_slice_contexts`) get a fresh, independent copy in each
  slice with the same base rate: the contexts the review places in the atemporal stage
  (elements that "can activate at any time": acute events, leadership stability,
  evaluation ...) and the modifiable middle-stage ones (quick wins, staff secondment,
  regular meetings ...). A timeline's event sets or observes one of them in one slice.
* **Renewed contexts** (:func:`renewed_contexts`): contexts of the same kind that have causes
  (ambition, caused by initial trust) get a copy per slice formed afresh from those causes.
* **Dynamic nodes** (per-slice and renewed contexts, targets of lag-1 links and everything
  downstream of any of them) have one copy per slice. Within a slice each keeps the static model's parents and
  logistic CPT (:mod:`bayesnet.build.cpt`: the same link weights, bias and base-rate draws). From
  slice 2 on, a dynamic node also gets each lag-1 link into it, from its cause in the
  previous slice, with the weight the evidence gives that link, drawn by the same weight
  model as any link (:mod:`bayesnet.build.weights`); a moderator of a lag-1 link is read in
  the cause's slice, which keeps every slice acyclic. A node that is a root of the static web but receives a lag-1 link
  (intra-organisational conflict) takes ``logit(its base rate)`` as its bias from slice 2 on.
* **Carried mechanisms** (default :data:`DEFAULT_CARRIED`: trust and faith) also get, from
  slice 2 on, their own previous value as a parent, through a carry-over mixture rather
  than a logistic term::

      P(X@t = j | X@t-1 = i, causes) = p [j == i] + (1 - p) P_logistic(X@t = j | causes)

  with ``p = persistence`` (``settings.persistence``, in [0, 1]): with probability ``p`` the
  mechanism's level simply carries over from the previous stage; otherwise it is formed
  anew from its causes in this stage (the logistic CPT above: the static model's links plus
  the lag-1 links). ``p = 0`` re-derives every slice from its causes (and the feedback);
  ``p = 1`` freezes the carried mechanisms at their slice-1 level, so that no event can
  move them: that is what maximum persistence means. With ``p = 0`` no own-lag parent is
  added (the mixture would ignore it).
* **Slice 1 is the static model**: its CPTs are the static model's, bit for bit, so an
  unrolled network of one slice answers every query as the static model does.

Why a mixture: issue 7 asks that "with no events and persistence at its maximum the
trajectory is constant". An own-lag *logistic* term cannot give that: a finite weight
reinforces whichever state a mechanism is in, so the trajectory drifts to a fixed point,
and only an infinite weight stops it. The mixture says what the issue says, "a
mechanism's level carries over", and is easy to read: ``p`` is the probability that this
stage leaves the level where the previous stage left it.

What holds: with ``p = 1`` the carried mechanisms in slices ``t > 1`` are copies of slice 1,
so their trajectories are exactly constant whatever the events (short of setting them with
``do``). With ``p = 1`` and no events, so is the trajectory of every node whose causes are
static, carried or nodes of this same kind, because its causes then have the same joint
distribution in every slice: on the default model trust, faith, risk tolerance (causes:
confidence, initial trust, trust) and collaborative behaviour (faith, initial faith, risk
tolerance); also nodes fed only by per-slice contexts (vision sharedness). Other nodes
need not be: a node fed by a lag-1 link (conflict, perception of progress,
intra-organisational conflict) gets it only from slice 2 on, and so do its descendants
(interpersonal communication); and a per-slice context that fed a carried mechanism in
slice 1 is, later, a fresh copy independent of that mechanism's frozen level. When every
lag-1 link starts at a carried mechanism (as on the default model), slices 2 to ``T`` are
alike and every node is constant from slice 2 on. With ``p = 0``, no lag-1 links and no
events, every slice repeats the static model exactly.

Why only trust and faith are carried by default: carrying every dynamic mechanism (12 on
the default model) gives the unrolled network of 5 slices a treewidth of about 25 (min-fill
heuristic, buddying scenario): 2**25 states per draw, out of reach for 1,000s of draws.
Carrying trust and faith gives 14, close to the static model's own 12-13 (trust alone has
12 parents). The other mechanisms are re-derived each slice from their causes, which
include the carried trust and faith and the lag-1 links, so their history lives on through
those; ``carried=`` changes the choice.

Pure: no I/O. Randomness only through local generators seeded by the caller.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd

from bayesnet.build.cpt import ChildSpec, LinkTerm, NetworkSpec, build_cpts, design_matrix, link_term
from bayesnet.build.model import CPTs, read_only
from bayesnet.build.weights import link_evidence
from bayesnet.cache import LRUCache
from bayesnet.checks import check_int_range, check_probability
from bayesnet.engine import Structure
from bayesnet.errors import ParameterError, QueryError, closest
from bayesnet.inputs.timeline import MAX_SLICES

if TYPE_CHECKING:
    from bayesnet.build.model import Model
    from bayesnet.inference.posteriors import Posterior

__all__ = [
    "DEFAULT_CARRIED",
    "DEFAULT_SLICES",
    "STAGE_NAMES",
    "UnrolledNetwork",
    "UnrolledParameters",
    "bytes_per_draw",
    "cpts_from_parameters",
    "per_slice_contexts",
    "slice_names",
    "unroll",
    "unrolled_cpts",
    "unrolled_parameters",
]

DEFAULT_SLICES = 5
"""Slices unless told otherwise: the stages of :data:`STAGE_NAMES`."""
STAGE_NAMES = ("connecting", "early life", "mid-life", "mature", "sustained")
"""Names of the first five slices: the review's 'Connecting' phase, then early life,
mid-life, maturity, and a sustained (or stalled) collaboration."""
DEFAULT_CARRIED = ("trust", "faith")
"""Mechanisms that carry their own level from one slice to the next unless told otherwise:
the two whose levels the review's Fig. 5 follows over time."""
CACHE_BYTES = 512 * 2**20
"""Unrolled CPT sets up to this size are cached per model; larger ones are built in chunks."""
_EPS = 1e-12


def slice_names(n_slices: int) -> tuple[str, ...]:
    """Names of ``n_slices`` slices: the first ones of :data:`STAGE_NAMES`, else ``slice k``."""
    if n_slices <= len(STAGE_NAMES):
        return STAGE_NAMES[:n_slices]
    return tuple(f"slice {k}" for k in range(1, n_slices + 1))


def per_slice_contexts(model: Model) -> tuple[str, ...]:
    """Contexts that get a fresh copy in each slice (in the static model's order).

    A context is per-slice when it can change during a collaboration: the review places it
    in the atemporal stage ("mechanisms that can activate at any time"), or in the middle
    stage and the codebook marks it modifiable (something partners do during mid-life).
    Early-stage and unmodifiable middle-stage contexts are fixed for the whole collaboration.
    Only roots of the static web qualify; such a context with causes is renewed from them in
    every slice instead (:func:`renewed_contexts`).
    """
    return tuple(n for n in _changing_contexts(model) if not model.spec.parents[n])


def renewed_contexts(model: Model) -> tuple[str, ...]:
    """Contexts with causes that can change during a collaboration (the rule of
    :func:`per_slice_contexts`): each gets a copy per slice, formed afresh from its causes in
    every slice, so a slice's value does not bind the next one's.

    On the default model this is ambition: the aims are set, and revisited, as the work goes
    on; its cause (initial trust) is static, so every slice's ambition follows the same
    initial trust without being one shared value.
    """
    return tuple(n for n in _changing_contexts(model) if model.spec.parents[n])


def _changing_contexts(model: Model) -> tuple[str, ...]:
    cb = model.codebook
    return tuple(
        n
        for n in model.spec.order
        if cb[n].kind == "context"
        and (cb[n].stage == "atemporal" or (cb[n].stage == "middle" and bool(cb[n].modifiable)))
    )


# -- the unrolled network --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class UnrolledNetwork:
    """The static web copied into slices, with feedback links and carry-over between them.

    Attributes
    ----------
    n_slices : int
    slice_names : tuple of str
    static : tuple of str
        Node ids with one copy, ``<id>@1``.
    dynamic : tuple of str
        Node ids with a copy per slice.
    per_slice : tuple of str
        The per-slice contexts (roots of each slice).
    persistent : tuple of str
        Dynamic mechanisms carrying their own previous value (empty when ``persistence``
        is 0): from slice 2 on, each has its own previous copy as a parent, which enters
        its CPT through the carry-over mixture only (no logistic term).
    persistence : float
        Probability ``p`` that a carried mechanism's level carries over from one slice to
        the next (see the module docstring).
    spec : NetworkSpec
        The unrolled structure; ``link_rows`` index rows ``0..L0-1`` (the static lag-0
        links) and ``L0..L0+L1-1`` (the lag-1 links, :attr:`feedback`). ``spec.links``
        lists them with a ``role`` column.
    feedback : pandas.DataFrame
        The lag-1 rows of the link table, re-indexed ``0..L1-1``.
    structure : bayesnet.engine.Structure
    """

    n_slices: int
    slice_names: tuple[str, ...]
    static: tuple[str, ...]
    dynamic: tuple[str, ...]
    per_slice: tuple[str, ...]
    persistent: tuple[str, ...]
    persistence: float
    spec: NetworkSpec
    feedback: pd.DataFrame
    structure: Structure
    key: tuple[Any, ...] = field(repr=False, default=())
    _static_set: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_static_set", frozenset(self.static))

    def name(self, node: str, t: int) -> str:
        """The unrolled name of ``node`` in slice ``t`` (``<id>@1`` for a static node)."""
        return f"{node}@1" if node in self._static_set else f"{node}@{t}"

    def names(self, node: str) -> tuple[str, ...]:
        """The unrolled names of ``node`` in slices ``1..n_slices``."""
        return tuple(self.name(node, t) for t in range(1, self.n_slices + 1))

    @property
    def n_links(self) -> tuple[int, int]:
        """Numbers of static (lag-0) and feedback (lag-1) links."""
        return len(self.spec.links) - len(self.feedback), len(self.feedback)


def _parents_of(term: LinkTerm) -> set[str]:
    """The nodes a term reads: its source, joint cause and moderator."""
    return {term.source} | {m[0] for m in (term.partner, term.moderator) if m is not None}


def _design(
    parents: tuple[str, ...],
    states: Mapping[str, tuple[str, ...]],
    terms: Sequence[tuple[int, LinkTerm]],
) -> np.ndarray:
    """``(x - 1/2) * [moderator holds]`` per parent configuration (C order) and term."""
    return design_matrix(parents, states, [term for _, term in terms])


_CACHES: weakref.WeakKeyDictionary[Any, tuple[LRUCache[UnrolledNetwork], LRUCache[CPTs]]] = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.Lock()
NETWORK_CACHE_SIZE = 16
"""Unrolled networks kept per model (one per number of slices, persistence and choice of nodes)."""
CPT_CACHE_SIZE = 4
"""Unrolled CPT sets kept per model."""


def _caches(model: Model) -> tuple[LRUCache[UnrolledNetwork], LRUCache[CPTs]]:
    with _LOCK:
        found = _CACHES.get(model)
        if found is None:
            found = _CACHES[model] = (LRUCache(NETWORK_CACHE_SIZE), LRUCache(CPT_CACHE_SIZE))
        return found


def unroll(
    model: Model,
    n_slices: int = DEFAULT_SLICES,
    *,
    persistence: float | None = None,
    per_slice: Iterable[str] | None = None,
    carried: Iterable[str] | None = None,
) -> UnrolledNetwork:
    """Copy the static web into ``n_slices`` slices (see the module docstring).

    Parameters
    ----------
    model : Model
    n_slices : int
        Number of slices, 1 to ``MAX_SLICES``.
    persistence : float, optional
        Probability that a carried mechanism's level carries over from one slice to the
        next, in [0, 1]; default ``model.settings.persistence``. With 0 no own-lag parent
        is added.
    per_slice : iterable of str, optional
        Contexts to copy per slice instead of :func:`per_slice_contexts`.
    carried : iterable of str, optional
        Mechanisms that carry their own previous level (default :data:`DEFAULT_CARRIED`,
        those of it in the codebook). A carried mechanism that turns out static has nothing
        to carry and is left out.

    Returns
    -------
    UnrolledNetwork
        Cached per model and arguments.

    Raises
    ------
    ParameterError
        ``n_slices`` or ``persistence`` out of range; a ``per_slice`` node that is not a
        root context; a ``carried`` node that is not a mechanism.
    QueryError
        An unknown node in ``per_slice`` or ``carried``, with the closest names.
    """
    n_slices = check_int_range(n_slices, "n_slices", "unroll", 1, MAX_SLICES)
    persistence = check_probability(
        model.settings.persistence if persistence is None else persistence, "persistence", "unroll", closed=True
    )
    if per_slice is None:
        chosen = per_slice_contexts(model)
    else:
        names = list(per_slice)
        for n in names:
            if n not in model.codebook:
                raise QueryError(f"unknown node {n!r} in per_slice", suggestions=closest(n, model.codebook.ids))
            if model.codebook[n].kind != "context" or model.spec.parents[n]:
                raise ParameterError(
                    f"per_slice names {n!r}, which is not a root context of the static web; "
                    f"only contexts without causes can be drawn afresh in each slice"
                )
        chosen = tuple(n for n in model.spec.order if n in set(names))
    if carried is None:
        kept = tuple(n for n in DEFAULT_CARRIED if n in model.codebook)
    else:
        kept = tuple(dict.fromkeys(carried))
        for n in kept:
            if n not in model.codebook:
                raise QueryError(f"unknown node {n!r} in carried", suggestions=closest(n, model.codebook.ids))
            if model.codebook[n].kind != "mechanism":
                raise ParameterError(
                    f"carried names {n!r}, a {model.codebook[n].kind}; only mechanisms carry "
                    "their level from one slice to the next"
                )
    key = (n_slices, persistence, chosen, kept)
    return _caches(model)[0].get(key, lambda: _build(model, n_slices, persistence, chosen, carried=kept, key=key))


def _build(
    model: Model,
    n_slices: int,
    persistence: float,
    per_slice: tuple[str, ...],
    *,
    carried: tuple[str, ...],
    key: tuple[Any, ...],
) -> UnrolledNetwork:
    spec = model.spec
    feedback = model.links[model.links["lag"] == 1].reset_index(drop=True)
    graph = nx.DiGraph(model.dag.edges)
    graph.add_nodes_from(spec.order)
    for src, dst, when, partner in zip(feedback["from"], feedback["to"], feedback["when_node"], feedback["and_node"],
                                       strict=True):
        graph.add_edge(src, dst)
        for other in (when, partner):
            if isinstance(other, str):
                graph.add_edge(other, dst)
    moving = set(per_slice) | set(feedback["to"]) | set(renewed_contexts(model))
    for n in list(moving):
        moving |= nx.descendants(graph, n)
    dynamic = tuple(n for n in spec.order if n in moving)
    static = tuple(n for n in spec.order if n not in moving)
    persistent = tuple(n for n in dynamic if n in set(carried)) if persistence > 0 else ()
    n0 = len(spec.links)
    static_set = frozenset(static)

    def nm(node: str, t: int) -> str:
        return f"{node}@1" if node in static_set else f"{node}@{t}"

    by_node = {c.node: c for c in spec.children}
    states: dict[str, tuple[str, ...]] = {}
    parents: dict[str, tuple[str, ...]] = {}
    order: list[str] = []
    roots: list[str] = []
    children: list[ChildSpec] = []
    for t in range(1, n_slices + 1):
        for n in spec.order:
            if t > 1 and n in static_set:
                continue
            name = nm(n, t)
            order.append(name)
            states[name] = spec.states[n]
            base = by_node.get(n)
            if t == 1:  # the static model, verbatim
                if base is None:
                    roots.append(name)
                    parents[name] = ()
                else:
                    parents[name] = tuple(nm(p, 1) for p in base.parents)
                    children.append(ChildSpec(name, parents[name], base.link_rows, base.design))
                continue
            now, before = (lambda v, t=t: nm(v, t)), (lambda v, t=t: nm(v, t - 1))
            terms: list[tuple[int, LinkTerm]] = [
                (row, link_term(spec.links.iloc[row], spec.states, now))
                for row in (base.link_rows if base is not None else ())
            ]
            terms.extend((n0 + int(j), link_term(feedback.iloc[int(j)], spec.states, before))
                         for j in np.flatnonzero(feedback["to"].to_numpy() == n))
            carry = {nm(n, t - 1)} if n in persistent else set()  # a parent, but no logistic term
            if not terms and not carry:
                roots.append(name)
                parents[name] = ()
                continue
            own = tuple(nm(p, t) for p in spec.parents[n])
            used = {p for _, term in terms for p in _parents_of(term)} | carry
            pa = own + tuple(sorted(used - set(own)))
            parents[name] = pa
            children.append(ChildSpec(name, pa, tuple(r for r, _ in terms), _design(pa, states, terms)))
    roles = pd.concat([spec.links.assign(role="same_time"), feedback.assign(role="feedback")], ignore_index=True)
    unrolled = NetworkSpec(tuple(order), states, parents, tuple(roots), tuple(children), roles)
    structure = Structure.from_dicts(unrolled.cards, parents)
    return UnrolledNetwork(
        n_slices,
        slice_names(n_slices),
        static,
        dynamic,
        per_slice,
        persistent,
        persistence,
        unrolled,
        feedback,
        structure,
        key,
    )


# -- parameters and CPTs ---------------------------------------------------------------------


@dataclass(frozen=True)
class UnrolledParameters:
    """Every parameter of an unrolled network, one column per draw.

    Attributes
    ----------
    weights : numpy.ndarray
        Shape ``(L0 + L1, S)``: static links, then lag-1 links (the rows that
        ``spec.children[i].link_rows`` index). Persistence is no weight: it mixes the
        carried mechanisms' CPTs (:func:`cpts_from_parameters`).
    bias : dict
        Node id -> ``(S,)``.
    base_rate : dict
        Root node id -> ``(S,)``.
    """

    weights: np.ndarray
    bias: Mapping[str, np.ndarray]
    base_rate: Mapping[str, np.ndarray]

    @property
    def n_draws(self) -> int:
        """Number of draws ``S``."""
        return int(self.weights.shape[1])

    def columns(self, part: slice) -> UnrolledParameters:
        """The draws in ``part``."""
        return UnrolledParameters(
            self.weights[:, part],
            {k: v[part] for k, v in self.bias.items()},
            {k: v[part] for k, v in self.base_rate.items()},
        )


def unrolled_parameters(model: Model, net: UnrolledNetwork, post: Posterior | None) -> UnrolledParameters:
    """Posterior mean (``post=None``) or every posterior draw of every unrolled parameter.

    The static parameters are ``model.mean_parameters`` or ``post.parameters``, untouched;
    lag-1 link weights come from the same weight model (:mod:`bayesnet.build.weights`), each
    drawn from its own stream (:mod:`bayesnet.build.streams`), so slice 1 keeps the static draws.
    """
    feedback = link_evidence(net.feedback, model.settings)
    if post is None:
        static = model.mean_parameters
        w1 = feedback.mean_weight()[:, None]
    else:
        static = post.parameters
        w1 = feedback.draw(post.n_draws, post.seed).weights
    weights = np.vstack([static.weights, w1])
    bias = dict(static.bias)
    for child in net.spec.children:
        node = child.node.split("@", 1)[0]
        if node not in bias:  # a static root that receives a lag-1 link
            p = np.clip(np.asarray(static.base_rate[node], dtype=float), _EPS, 1 - _EPS)
            bias[node] = np.log(p) - np.log1p(-p)
    return UnrolledParameters(weights, bias, dict(static.base_rate))


def cpts_from_parameters(net: UnrolledNetwork, params: UnrolledParameters) -> dict[str, np.ndarray]:
    """Every CPT of ``net`` for ``params``.

    The logistic CPTs of :func:`bayesnet.build.cpt.build_cpts`, then, for each carried mechanism
    from slice 2 on, the carry-over mixture ``p [j == i] + (1 - p) P_logistic`` over its
    own previous level ``i``.
    """

    def node(name: str) -> str:
        return name.split("@", 1)[0]

    cpts = build_cpts(
        net.spec,
        weights=params.weights,
        bias={c.node: params.bias[node(c.node)] for c in net.spec.children},
        base_rate={r: params.base_rate[node(r)] for r in net.spec.roots},
    )
    for n in net.persistent:
        for t in range(2, net.n_slices + 1):
            name, previous = f"{n}@{t}", f"{n}@{t - 1}"
            _carry_over(cpts[name], 1 + net.spec.parents[name].index(previous), net.persistence)
    return cpts


def _carry_over(cpt: np.ndarray, axis: int, persistence: float) -> None:
    """``cpt = p * onehot + (1 - p) * cpt`` in place, ``onehot[j, ..., i, ...] = [j == i]``.

    ``cpt`` is ``(card, *parent_cards, S)``, with the node's own previous value (``card``
    states too) on ``axis``. At ``p = 1`` the result is exactly the indicator.
    """
    card = cpt.shape[0]
    rows = np.arange(card).reshape((card,) + (1,) * (cpt.ndim - 1))
    cols = np.arange(card).reshape((1,) * axis + (card,) + (1,) * (cpt.ndim - axis - 1))
    cpt *= 1.0 - persistence
    cpt += persistence * (rows == cols)  # broadcast: a (card, .., card, ..) indicator, not the full table


def unrolled_cpts(model: Model, net: UnrolledNetwork, post: Posterior | None = None) -> CPTs:
    """Every CPT of the unrolled network: the posterior mean (``post=None``) or every draw.

    Slice 1 and the static nodes use ``post.parameters``, so they equal ``post.cpts``
    exactly; lag-1 link weights come from their own streams. Cached per
    model while the whole set stays under :data:`CACHE_BYTES` (a trajectory with more draws
    builds them in chunks instead).

    Returns
    -------
    mapping
        Unrolled name -> read-only array ``(card, *parent_cards, S)``.
    """
    def build() -> CPTs:
        return read_only(cpts_from_parameters(net, unrolled_parameters(model, net, post)))

    n_draws = 1 if post is None else post.n_draws
    if bytes_per_draw(net) * n_draws > CACHE_BYTES:
        return build()
    key = (net.key, None) if post is None else (net.key, post.n_draws, post.seed)
    return _caches(model)[1].get(key, build)


def bytes_per_draw(net: UnrolledNetwork) -> int:
    """Memory one draw of every unrolled CPT takes."""
    return sum(int(np.prod(net.structure.cpt_shape(v, 1))) for v in net.spec.order) * 8
