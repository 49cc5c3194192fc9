"""Trust and faith over time: trajectories of a scenario and a timeline on the unrolled network.

A scenario and a timeline of events (:mod:`bayesnet.inputs.timeline`) go in; P(trust high),
P(faith high), P(collaborative behaviour high) (or any node asked for) come out for every
slice of a collaboration, each with a highest-density interval over posterior draws, in
the spirit of the review's Fig. 5. The time-sliced network itself, its static and per-slice
nodes, the lag-1 feedback links and persistence (carry-over) are described in
:mod:`bayesnet.dynamics.unrolled`; collaborative inertia is in :mod:`bayesnet.dynamics.inertia`; docs/dynamics.md
maps the review's sentences onto all of it.

Why an unrolled DAG through :mod:`bayesnet.engine`, not pgmpy's DynamicBayesianNetwork
------------------------------------------------------------------------------------
pgmpy's ``DynamicBayesianNetwork`` is a two-slice template in which every node exists in
every slice, so static contexts must be copied forward with identity CPDs, and its
``DBNInference`` joins the whole slice interface into one clique and answers one parameter
set at a time. Measured with ``benchmarks/bench_dynamics.py`` on the default model (2 cores;
5 slices; buddying with a quick win in slice 2; 15 probabilities):

* pgmpy ``DBNInference``: the interface has 28 nodes; building its junction tree asked for
  128 TiB and failed (MemoryError after 49 s);
* pgmpy ``VariableElimination`` on the unrolled DAG: 0.75 s for the posterior-mean answer,
  so about 50 min for 4,000 posterior draws (one network per draw);
* this module: 1.5 s cold (compiling 5 queries) and 24 ms warm for the posterior-mean
  answer; 12.7 s for 4,000 draws at once (236 times the pgmpy loop), of which 9 s is the
  contraction itself and 1.4 s building the drawn CPTs.

Every probability conditions on the whole timeline (smoothing); ``do`` events are graph
surgery on their slice's copy. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet.checks import check_int_range, check_probability
from bayesnet.defaults import DEFAULT_HDI
from bayesnet.display import Card, Line, draws_note, interval_text, line_chart
from bayesnet.dynamics.unrolled import (
    CACHE_BYTES,
    DEFAULT_SLICES,
    UnrolledNetwork,
    bytes_per_draw,
    cpts_from_parameters,
    unroll,
    unrolled_cpts,
    unrolled_parameters,
)
from bayesnet.engine import check_cpts
from bayesnet.errors import QueryError, closest
from bayesnet.inference.evaluation import evaluate
from bayesnet.inference.intervals import hdi
from bayesnet.inference.posteriors import Posterior
from bayesnet.inputs.timeline import MAX_SLICES, Event, Timeline, as_timeline, check_timeline

if TYPE_CHECKING:
    from pathlib import Path

    import xarray as xr

    from bayesnet.build.model import Model
    from bayesnet.display.charts import Axes

__all__ = [
    "DEFAULT_NODES",
    "TimelineSituation",
    "Trajectory",
    "answer_trajectory",
    "check_nodes",
    "resolve_timeline",
    "trajectory",
    "upper_probabilities",
    "with_baseline",
]

DEFAULT_NODES = ("trust", "faith", "collaborative_behaviour")
"""Nodes a trajectory follows unless told otherwise."""
GROUP_SIZE = 4
"""Most targets in one joint query (its output has 2**GROUP_SIZE states per draw)."""
CHUNK_BYTES = 96 * 2**20
"""Largest set of drawn CPTs built at once: more draws are processed in chunks."""


# -- situations: scenario + timeline on unrolled names ---------------------------------------


@dataclass(frozen=True)
class TimelineSituation:
    """A scenario and a timeline resolved onto the unrolled names (``<id>@<t>``).

    Attributes
    ----------
    given : dict
        Observed unrolled node -> state (the scenario's values in every slice, then the
        events' observations, each replacing the scenario in its slice).
    do : dict
        Intervened unrolled node -> state.
    events : tuple of Event
    scenario : str or None
    """

    given: dict[str, str]
    do: dict[str, str]
    events: tuple[Event, ...]
    scenario: str | None

    def with_do(self, extra: Mapping[str, str]) -> TimelineSituation:
        """A copy where ``extra`` replaces any observation or intervention of the same names."""
        given = {k: v for k, v in self.given.items() if k not in extra}
        return TimelineSituation(given, {**self.do, **extra}, self.events, self.scenario)

    def how(self, name: str) -> str:
        """``"given"``, ``"do"`` or ``""`` (free) for an unrolled node."""
        return "given" if name in self.given else "do" if name in self.do else ""

    def state(self, name: str) -> str:
        """The state an observed or intervened unrolled node is fixed to."""
        return self.given.get(name) or self.do[name]


def _situation(model: Model, net: UnrolledNetwork, timeline: Timeline, scenario: str | None) -> TimelineSituation:
    merged = check_timeline(timeline, model.codebook, n_slices=net.n_slices, static=net.static)
    given: dict[str, str] = {}
    do: dict[str, str] = {}
    if scenario is not None:
        for node, state in model.scenarios[scenario].assignment.items():
            for name in set(net.names(node)):
                given[name] = state
    for t, sit in merged.items():  # an event replaces the scenario's value in its slice
        for node, state in sit.given.items():
            do.pop(net.name(node, t), None)
            given[net.name(node, t)] = state
        for node, state in sit.do.items():
            given.pop(net.name(node, t), None)
            do[net.name(node, t)] = state
    return TimelineSituation(given, do, timeline.events, scenario)


def upper_probabilities(
    net: UnrolledNetwork,
    sit: TimelineSituation,
    groups: Sequence[Sequence[str]],
    cpts: Mapping[str, np.ndarray],
    *,
    per_column: Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """P(target's upper state) per column, shape ``(S,)``, for every unrolled target.

    Each group is one joint query (targets of one slice share most of the contraction),
    marginalised per target. ``cpts`` are unrolled CPTs with any number of columns (draws);
    ``per_column`` sets nodes to a different state in each column (the candidate levers of
    :mod:`bayesnet.dynamics.inertia`).

    Raises
    ------
    ZeroProbabilityError
        Observations that cannot occur together in some column.
    """
    states = net.spec.states
    ev = {n: states[n].index(s) for n, s in sit.given.items()}
    dv = {n: states[n].index(s) for n, s in sit.do.items()}
    out: dict[str, np.ndarray] = {}
    for group in groups:
        joint = evaluate(net, cpts, list(group), evidence=ev, do=dv, per_column=per_column)
        for i, name in enumerate(group):
            axes = tuple(a for a in range(1, joint.ndim) if a != i + 1)
            out[name] = joint.sum(axis=axes)[:, -1] if axes else joint[:, -1]
    return out


def _groups(names: Iterable[str]) -> list[list[str]]:
    """Targets in joint-query groups of at most :data:`GROUP_SIZE`, in order."""
    names = list(names)
    return [names[i : i + GROUP_SIZE] for i in range(0, len(names), GROUP_SIZE)]


def _run(
    model: Model, net: UnrolledNetwork, sit: TimelineSituation, groups: Sequence[Sequence[str]],
    post: Posterior | None,
) -> dict[str, np.ndarray]:
    """:func:`upper_probabilities` over the posterior mean or ``post``'s draws (chunked if large)."""
    per_draw = bytes_per_draw(net)
    if post is None or per_draw * post.n_draws <= CACHE_BYTES:
        cpts = unrolled_cpts(model, net, post)
        check_cpts(net.structure, cpts)
        return upper_probabilities(net, sit, groups, cpts)
    params = unrolled_parameters(model, net, post)
    out = {t: np.empty(post.n_draws) for group in groups for t in group}
    size = max(1, CHUNK_BYTES // per_draw)
    for start in range(0, post.n_draws, size):
        part = slice(start, min(start + size, post.n_draws))
        cpts = cpts_from_parameters(net, params.columns(part))
        check_cpts(net.structure, cpts)
        for name, values in upper_probabilities(net, sit, groups, cpts).items():
            out[name][part] = values
    return out


# -- trajectories ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Trajectory:
    """P(upper state) of some nodes in each slice of one timeline.

    Attributes
    ----------
    nodes : tuple of str
    states : tuple of str
        The upper state of each node: the one whose probability is reported.
    slice_names : tuple of str
    point : numpy.ndarray
        Shape ``(node, slice)``: under the posterior-mean parameters (the network's answer).
    draws : numpy.ndarray or None
        Shape ``(node, slice, S)``: under each posterior draw. The headline
        (:attr:`headline`) is their mean, as for every query.
    fixed : tuple of tuple of str
        ``(node, slice)``: ``"given"`` or ``"do"`` where the scenario or an event fixes the
        node (its probability is then 1 or 0), else ``""``.
    events : tuple of Event
    scenario : str or None
    persistence : float
    hdi_prob : float
    seed : int or None
    labels : mapping
        Node -> label.
    baseline : Trajectory or None
        The same scenario and slices without the timeline's events (what the events change is
        the difference), when asked for.
    """

    nodes: tuple[str, ...]
    states: tuple[str, ...]
    slice_names: tuple[str, ...]
    point: np.ndarray
    draws: np.ndarray | None
    fixed: tuple[tuple[str, ...], ...]
    events: tuple[Event, ...]
    scenario: str | None
    persistence: float
    hdi_prob: float = DEFAULT_HDI
    seed: int | None = None
    labels: Mapping[str, str] = field(default_factory=dict, repr=False)
    baseline: Trajectory | None = field(default=None, repr=False)

    @property
    def headline(self) -> np.ndarray:
        """``(node, slice)``: P(upper state), the mean over draws (the network's answer without draws)."""
        return self.point if self.draws is None else self.draws.mean(axis=-1)

    @property
    def n_slices(self) -> int:
        """Number of slices."""
        return len(self.slice_names)

    @property
    def n_draws(self) -> int:
        """Posterior draws behind the intervals (0 if none)."""
        return 0 if self.draws is None else int(self.draws.shape[-1])

    def select(self, nodes: Sequence[str]) -> Trajectory:
        """The trajectory of ``nodes`` only, in that order.

        Raises
        ------
        QueryError
            A node this trajectory does not follow.
        """
        keep = []
        for n in nodes:
            if n not in self.nodes:
                raise QueryError(f"this trajectory does not follow {n!r}", suggestions=closest(n, self.nodes))
            keep.append(self.nodes.index(n))
        return replace(
            self,
            nodes=tuple(self.nodes[i] for i in keep),
            states=tuple(self.states[i] for i in keep),
            point=self.point[keep],
            draws=None if self.draws is None else self.draws[keep],
            fixed=tuple(self.fixed[i] for i in keep),
            baseline=None if self.baseline is None else self.baseline.select(nodes),
        )

    @property
    def frame(self) -> pd.DataFrame:
        """One row per (node, slice): ``slice_name, state, probability`` (the headline: the mean
        over draws), ``low, high`` (its HDI, with draws), ``network`` (the posterior-mean
        network's answer), ``fixed``, and with a baseline ``without_events`` (its headline)."""
        k, n = self.point.shape
        index = pd.MultiIndex.from_product([list(self.nodes), range(1, n + 1)], names=["node", "slice"])
        data: dict[str, Any] = {
            "slice_name": list(self.slice_names) * k,
            "state": [s for s in self.states for _ in range(n)],
            "probability": self.headline.reshape(-1),
        }
        if self.draws is not None:
            bounds = hdi(self.draws.reshape(k * n, -1).T, self.hdi_prob)
            data.update(low=bounds[:, 0], high=bounds[:, 1])
        data["network"] = self.point.reshape(-1)
        data["fixed"] = [f for row in self.fixed for f in row]
        if self.baseline is not None:
            data["without_events"] = self.baseline.select(self.nodes).headline.reshape(-1)
        return pd.DataFrame(data, index=index)

    def to_xarray(self) -> xr.Dataset:
        """The frame as an ``xarray.Dataset`` with dims ``(node, slice)``.

        Variables ``probability`` (and ``mean``, ``low``, ``high`` with draws, and ``draws``
        with a ``draw`` dim); coordinates ``slice_name`` and ``state``; provenance in attrs.
        """
        import xarray as xr

        frame = self.frame
        coords = {
            "node": list(self.nodes),
            "slice": list(range(1, self.n_slices + 1)),
            "slice_name": ("slice", list(self.slice_names)),
            "state": ("node", list(self.states)),
        }
        shape = self.point.shape
        variables: dict[str, tuple[tuple[str, ...], Any]] = {
            c: (("node", "slice"), frame[c].to_numpy().reshape(shape))
            for c in ("probability", "low", "high", "network", "fixed")
            if c in frame
        }
        if self.draws is not None:
            variables["draws"] = (("node", "slice", "draw"), self.draws)
        attrs = {
            "quantity": "P(upper state): probability is the mean over draws, network the posterior-mean network's",
            "scenario": self.scenario or "",
            "persistence": self.persistence,
            "hdi_prob": self.hdi_prob,
            "seed": -1 if self.seed is None else self.seed,
            "events": "; ".join(f"{e.slice}: {e.describe()}" for e in self.events),
        }
        return xr.Dataset(variables, coords=coords, attrs=attrs)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: scenario, slices, events and one list of slice records per node."""
        frame = self.frame
        rows: dict[str, list[dict[str, Any]]] = {}
        for (node, t), row in frame.iterrows():
            rec = {
                "slice": int(t),
                "slice_name": row["slice_name"],
                "state": row["state"],
                "probability": float(row["probability"]),
            }
            for c in ("low", "high", "network", "without_events"):
                if c in frame:
                    rec[c] = float(row[c])
            if row["fixed"]:
                rec["fixed"] = row["fixed"]
            rows.setdefault(str(node), []).append(rec)
        return {
            "scenario": self.scenario,
            "slices": list(self.slice_names),
            "persistence": self.persistence,
            "events": [e.to_dict() for e in self.events],
            "draws": self.n_draws,
            "hdi_prob": self.hdi_prob if self.draws is not None else None,
            "seed": self.seed,
            "trajectories": rows,
        }

    def label(self, node: str) -> str:
        """The node's label."""
        return self.labels.get(node, node.replace("_", " "))

    def headline_text(self) -> str:
        """The answer in words: where the first node starts and ends, and with the baseline what
        the events changed by the last slice."""
        node, state = self.nodes[0], self.states[0]
        p, frame = self.headline[0], self.frame.loc[node]
        last = frame.iloc[-1]
        mass = self.hdi_prob if self.n_draws else None
        end = interval_text(last["probability"], last.get("low", float("nan")), last.get("high", float("nan")),
                            hdi_prob=mass)
        text = (f"P({self.label(node)} = {state}) goes from {p[0]:.3f} in slice 1 ({self.slice_names[0]}) to "
                f"{end} in slice {self.n_slices} ({self.slice_names[-1]})")
        if self.baseline is not None and node in self.baseline.nodes:
            diff = p[-1] - self.baseline.headline[self.baseline.nodes.index(node), -1]
            text += f"; {diff:+.3f} against the same collaboration without the events"
        return text + "."

    def _card(self) -> Card:
        frame = self.frame.reset_index()
        frame["node"] = frame["node"].map(self.label)
        cols = ["node", "slice", "slice_name", "probability", *(c for c in ("low", "high") if c in frame), "fixed"]
        events = "; ".join(f"slice {e.slice}: {e.describe()}" for e in self.events) or "none"
        return Card(
            title=f"Over time: scenario {self.scenario or 'none'}; events: {events}",
            headline=self.headline_text(),
            tables=[("P(upper state) in each slice", frame[cols].set_index(["node", "slice"]))],
            note=draws_note(self.n_draws, self.hdi_prob if self.n_draws else None, self.seed)
            + f" Persistence {self.persistence:g}.",
            max_rows=3 * self.n_slices,
        )

    def _repr_html_(self) -> str:
        return self._card().to_html()

    def plot(
        self,
        ax: Axes | None = None,
        *,
        bands: bool = True,
        threshold: float | None = None,
        title: str | None = None,
        show_events: bool = True,
    ) -> Axes:
        """One line per node (the headline in each slice), a light band for its interval, the
        no-event baseline dashed in the same colour when the trajectory has one, the events
        numbered on the time axis.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
        bands : bool
            Draw the intervals (light); False: lines only.
        threshold : float, optional
            A dotted line at this probability (e.g. the collaborative-inertia threshold).
        title : str, optional
            Default: the scenario.
        show_events : bool
            Mark and list the events.

        Returns
        -------
        matplotlib.axes.Axes
        """
        frame = self.frame
        lines = []
        for node, state in zip(self.nodes, self.states, strict=True):
            rows = frame.loc[node]
            name = f"P({self.label(node)} = {state.replace('_', ' ')})"
            has = "low" in rows
            lines.append(Line(name, rows["probability"].to_numpy(), rows["low"].to_numpy() if has else None,
                              rows["high"].to_numpy() if has else None, group=node))
            if self.baseline is not None and node in self.baseline.nodes:
                base = self.baseline.headline[self.baseline.nodes.index(node)]
                lines.append(Line(f"{name} without the events", base, style="baseline", group=node))
        band = f"; bands: {self.hdi_prob:.0%} HDI over {self.n_draws} draws" if self.n_draws and bands else ""
        return line_chart(
            ax, list(self.slice_names), lines, bands=bands,
            events=[(e.slice, e.describe()) for e in self.events] if show_events else (),
            threshold=threshold, threshold_label="inertia threshold",
            title=title if title is not None else (self.scenario or "no scenario").replace("_", " ") + band,
        )

    def __repr__(self) -> str:
        head = f"P(upper state) per slice; scenario={self.scenario or 'none'}, persistence={self.persistence:g}"
        table = self.frame.drop(columns=["slice_name"]).round(3).to_string()
        return f"{head}\n{table}"


def check_nodes(model: Model, nodes: str | Sequence[str]) -> tuple[str, ...]:
    """Node ids to follow, checked: known, at least one, none twice (QueryError otherwise)."""
    names = (nodes,) if isinstance(nodes, str) else tuple(nodes)
    if not names:
        raise QueryError("name at least one node to follow")
    for n in names:
        if n not in model.codebook:
            raise QueryError(f"unknown node {n!r}", suggestions=closest(n, model.codebook.ids))
    if len(set(names)) != len(names):
        raise QueryError(f"a node is named twice: {', '.join(names)}")
    return names


def resolve_timeline(
    model: Model,
    timeline: Any,
    *,
    scenario: str | None,
    n_slices: int | None,
    persistence: float | None,
    per_slice: Iterable[str] | None,
    carried: Iterable[str] | None,
) -> tuple[UnrolledNetwork, TimelineSituation]:
    """The unrolled network and the resolved situation of a scenario and a timeline.

    ``n_slices`` and ``scenario`` replace the timeline's own when given. See
    :func:`trajectory` for the parameters; errors are those of :func:`check_timeline` and
    :func:`bayesnet.dynamics.unrolled.unroll`.
    """
    tl = as_timeline(timeline)
    slices = n_slices if n_slices is not None else tl.slices or DEFAULT_SLICES
    net = unroll(
        model, check_int_range(slices, "n_slices", "trajectory", 1, MAX_SLICES), persistence=persistence,
        per_slice=per_slice, carried=carried,
    )
    scenario = scenario if scenario is not None else tl.scenario
    if scenario is not None:
        model.scenarios[scenario]  # unknown scenario -> QueryError with suggestions
    return net, _situation(model, net, tl, scenario)


def answer_trajectory(
    model: Model, net: UnrolledNetwork, sit: TimelineSituation, nodes: tuple[str, ...], post: Posterior | None
) -> Trajectory:
    """The trajectory of ``nodes`` in an already resolved timeline (:func:`resolve_timeline`)."""
    names = [[net.name(n, t) for t in range(1, net.n_slices + 1)] for n in nodes]
    seen: set[str] = set()
    groups: list[list[str]] = []
    for t in range(net.n_slices):  # one joint query per slice: its targets share the contraction
        free = [row[t] for row in names if not sit.how(row[t]) and row[t] not in seen]
        seen.update(free)
        groups.extend(_groups(free))
    point = _run(model, net, sit, groups, None)
    sampled = _run(model, net, sit, groups, post) if post is not None else None
    k, n = len(nodes), net.n_slices
    p = np.empty((k, n))
    d = np.empty((k, n, post.n_draws)) if post is not None else None
    fixed: list[tuple[str, ...]] = []
    for i, node in enumerate(nodes):
        upper = model.codebook[node].upper
        hows = []
        for j, name in enumerate(names[i]):
            how = sit.how(name)
            hows.append(how)
            value = (1.0 if sit.state(name) == upper else 0.0) if how else None
            p[i, j] = value if value is not None else point[name][0]
            if d is not None:
                d[i, j] = value if value is not None else sampled[name]  # type: ignore[index]
        fixed.append(tuple(hows))
    return Trajectory(
        nodes,
        tuple(model.codebook[x].upper for x in nodes),
        net.slice_names,
        p,
        d,
        tuple(fixed),
        sit.events,
        sit.scenario,
        net.persistence,
        DEFAULT_HDI if post is None else post.hdi_prob,
        None if post is None else post.seed,
        {x: model.codebook[x].label for x in nodes},
    )


def trajectory(
    model: Model,
    timeline: Timeline | Mapping[str, Any] | Sequence[Any] | str | Path | None = None,
    post: Posterior | None = None,
    *,
    scenario: str | None = None,
    nodes: str | Sequence[str] | None = None,
    n_slices: int | None = None,
    persistence: float | None = None,
    per_slice: Iterable[str] | None = None,
    carried: Iterable[str] | None = None,
    baseline: bool = False,
) -> Trajectory:
    """P(upper state) of ``nodes`` in each slice, given a scenario and a timeline of events.

    Every probability conditions on the whole timeline (smoothing): observing a mechanism in
    slice 3 also says something about slices 1 and 2; setting one (``do``) does not reach
    back. Events on per-slice contexts act in their slice only; their effect lives on through
    persistence and the lag-1 links.

    Parameters
    ----------
    model : Model
    timeline : Timeline, mapping, list of events or path of a YAML file, optional
        See :mod:`bayesnet.inputs.timeline`; e.g. ``[{"slice": 2, "do": {"quick_wins": "present"}}]``.
    scenario : str, optional
        A collaboration-type preset observed in every slice; replaces the timeline's own.
    nodes : str or sequence of str, optional
        Nodes to follow (default: those of :data:`DEFAULT_NODES` in the model).
    n_slices : int, optional
        Replaces the timeline's ``slices`` (default 5).
    post : Posterior, optional
        Posterior draws for the bands (None: the posterior-mean answer only); a trajectory
        costs about 3 ms a draw on the default model, so :data:`DEFAULT_TRAJECTORY_DRAWS`
        (1,000) is enough for a picture.
    persistence : float, optional
        Probability that a carried mechanism's level carries over from one slice to the next
        rather than being formed anew from its causes, in [0, 1]; default from the settings.
    per_slice : iterable of str, optional
        Contexts drawn afresh in each slice (default :func:`per_slice_contexts`).
    carried : iterable of str, optional
        Mechanisms carrying their own previous level (default :data:`DEFAULT_CARRIED`).
    baseline : bool
        Also answer the same scenario and slices without the timeline's events (over the same
        draws), kept as :attr:`Trajectory.baseline` and drawn dashed by :meth:`Trajectory.plot`.

    Returns
    -------
    Trajectory

    Raises
    ------
    QueryError, ZeroProbabilityError, ParameterError, SchemaError, UnknownNodeError, UnknownStateError

    Examples
    --------
    >>> import bayesnet
    >>> model = bayesnet.load()
    >>> t = bayesnet.trajectory(model, [{"slice": 2, "do": {"quick_wins": "present"}}],
    ...                         bayesnet.posterior(model, draws=100), scenario="buddying")
    >>> t.frame.loc["trust"].shape[0]
    5
    """
    names = check_nodes(model, [n for n in DEFAULT_NODES if n in model.codebook] if nodes is None else nodes)
    if persistence is not None:
        persistence = check_probability(persistence, "persistence", "trajectory", closed=True)
    net, sit = resolve_timeline(
        model,
        timeline,
        scenario=scenario,
        n_slices=n_slices,
        persistence=persistence,
        per_slice=per_slice,
        carried=carried,
    )
    traj = answer_trajectory(model, net, sit, names, post)
    return with_baseline(model, net, traj, scenario=sit.scenario, post=post) if baseline else traj


def with_baseline(
    model: Model, net: UnrolledNetwork, traj: Trajectory, *, scenario: str | None, post: Posterior | None
) -> Trajectory:
    """``traj`` with the trajectory of the same scenario and slices without events as its
    :attr:`~Trajectory.baseline` (unchanged when it has no events)."""
    if not traj.events:
        return traj
    quiet = _situation(model, net, Timeline(slices=net.n_slices, scenario=scenario), scenario)
    return replace(traj, baseline=answer_trajectory(model, net, quiet, traj.nodes, post))
