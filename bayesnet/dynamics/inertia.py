"""Collaborative inertia: when faith falls too low to sustain the work, and what delays it.

The review: "The perception of progress is essential for ensuring that momentum is
maintained and that there is no stall into what is termed 'collaborative inertia', a
situation in which there is insufficient faith to maximise work on the collaboration [75]."

On a trajectory of the time-sliced model (:mod:`bayesnet.dynamics.trajectories`) the **onset** is the
first slice from which P(faith high) stays below a threshold to the end. Each modifiable
context is then tried as a **lever**: set (``do``) in each of its states, from the slice
before the onset to the end, and ranked by the slices it gains. All levers are answered
together: setting a root is replacing its CPT by an indicator, so each lever is one column
of the engine's draw axis and one compiled query per slice answers them all.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet.analysis.ranking import sort_frame
from bayesnet.checks import check_probability
from bayesnet.defaults import DEFAULT_INERTIA_THRESHOLD
from bayesnet.display import Card, draws_note
from bayesnet.dynamics.trajectories import (
    DEFAULT_NODES,
    TimelineSituation,
    Trajectory,
    answer_trajectory,
    check_nodes,
    resolve_timeline,
    trajectory,
    upper_probabilities,
)
from bayesnet.dynamics.unrolled import UnrolledNetwork, unrolled_cpts
from bayesnet.inference.posteriors import Posterior
from bayesnet.inputs.timeline import Timeline, as_timeline

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from bayesnet.build.model import Model
    from bayesnet.display.charts import Axes

__all__ = ["Inertia", "collaborative_inertia", "inertia_onset", "trajectory_and_inertia"]



def inertia_onset(probabilities: Sequence[float] | np.ndarray, threshold: float) -> int | None:
    """First slice (1-based) from which every probability is below ``threshold``; None if none."""
    onset = None
    for t in range(len(probabilities), 0, -1):
        if not probabilities[t - 1] < threshold:
            break
        onset = t
    return onset


@dataclass(frozen=True)
class Inertia:
    """Collaborative inertia in one timeline, and the levers that delay or avoid it.

    Attributes
    ----------
    node : str
        The node watched (faith).
    threshold : float
    onset : int or None
        First slice from which P(node's upper state) stays below the threshold (posterior
        mean parameters); None when it never does.
    share_of_draws : float or None
        Fraction of posterior draws whose own trajectory has an onset.
    trajectory : Trajectory
    levers : pandas.DataFrame
        One row per modifiable context and state, set (``do``) from ``from_slice`` to the
        end: ``onset`` (None when avoided), ``avoided``, ``delay`` (slices gained; the
        remaining slices plus one when avoided), ``final`` (P in the last slice) and
        ``mean_after`` (mean P from ``from_slice`` on), best first. Empty without an onset.
    """

    node: str
    threshold: float
    onset: int | None
    share_of_draws: float | None
    trajectory: Trajectory
    levers: pd.DataFrame

    @property
    def best(self) -> dict[str, Any] | None:
        """The lever that most delays or avoids the onset; None if none delays it."""
        if self.levers.empty or int(self.levers.iloc[0]["delay"]) <= 0:
            return None
        return _lever_record(self.levers.iloc[0])

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "node": self.node,
            "threshold": self.threshold,
            "onset": self.onset,
            "onset_name": None if self.onset is None else self.trajectory.slice_names[self.onset - 1],
            "share_of_draws": self.share_of_draws,
            "best_lever": self.best,
            "levers": [_lever_record(r) for _, r in self.levers.iterrows()],
        }

    def describe(self) -> str:
        """One or two sentences for people."""
        name = self.trajectory.slice_names
        if self.onset is None:
            return (
                f"No collaborative inertia: P({self.node} {self.trajectory.states[0]}) does not stay below "
                f"{self.threshold:g}."
            )
        text = (
            f"Collaborative inertia from slice {self.onset} ({name[self.onset - 1]}): P({self.node} "
            f"{self.trajectory.states[0]}) stays below {self.threshold:g}"
        )
        if self.share_of_draws is not None:
            text += f" (in {self.share_of_draws:.0%} of posterior draws it ends below)"
        best = self.best
        if best is None:
            return text + ". No single modifiable context set from the slice before delays it."
        effect = "avoids it" if best["avoided"] else f"delays it to slice {best['onset']}"
        return text + (
            f". Best lever: do {best['lever']}={best['state']} from slice {best['from_slice']} on "
            f"{effect} (P in the last slice {best['final']:.2f})."
        )

    def _card(self) -> Card:
        traj = self.trajectory
        levers = self.levers.assign(lever=self.levers["lever"].map(traj.label)) if len(self.levers) else self.levers
        return Card(
            title=f"Collaborative inertia: P({traj.label(self.node)} = {traj.states[0]}) below {self.threshold:g}; "
                  f"scenario {traj.scenario or 'none'}",
            headline=self.describe(),
            tables=[("Levers set from the slice before the onset to the end, best first",
                     levers.set_index("lever"))] if len(levers) else [],
            note="Onset and levers are read on the posterior-mean network; "
                 + draws_note(traj.n_draws, traj.hdi_prob if traj.n_draws else None, traj.seed).lower()
                 + " (share of draws that end below the threshold)",
            formats={"final": ".3f", "mean_after": ".3f"},
        )

    def _repr_html_(self) -> str:
        return self._card().to_html()

    def plot(self, ax: Axes | None = None, *, bands: bool = True) -> Axes:
        """The trajectory of the node watched (and the others followed) with the threshold dotted."""
        return self.trajectory.plot(ax, bands=bands, threshold=self.threshold)


_LEVER_COLUMNS = ("lever", "state", "from_slice", "onset", "avoided", "delay", "final", "mean_after")


def _lever_record(row: pd.Series) -> dict[str, Any]:
    onset = row["onset"]
    return {
        "lever": row["lever"],
        "state": row["state"],
        "from_slice": int(row["from_slice"]),
        "onset": None if pd.isna(onset) else int(onset),
        "avoided": bool(row["avoided"]),
        "delay": int(row["delay"]),
        "final": float(row["final"]),
        "mean_after": float(row["mean_after"]),
    }


def _levers(
    model: Model, net: UnrolledNetwork, sit: TimelineSituation, node: str, *, threshold: float, onset: int
) -> pd.DataFrame:
    """Try every modifiable root context in every state, all at once along the draw axis.

    Setting a root is replacing its CPT by an indicator (graph surgery needs no cutting for
    a root), so each candidate lever is one column of the draw axis with its own indicator
    CPTs, and one compiled query per slice answers them all.
    """
    start = max(1, onset - 1)
    base = unrolled_cpts(model, net, None)
    candidates = [
        (ctx, state)
        for ctx in model.spec.roots
        if model.codebook[ctx].kind == "context" and model.codebook[ctx].modifiable
        for state in model.codebook[ctx].states
    ]
    covered = {
        ctx: tuple(dict.fromkeys(net.name(ctx, t) for t in range(1 if ctx in net.static else start, net.n_slices + 1)))
        for ctx, _ in candidates
    }
    levers = {name for names in covered.values() for name in names}
    per_column: dict[str, np.ndarray] = {}
    for ctx, names in covered.items():
        for name in names:
            states = net.spec.states[name]
            fixed = states.index(sit.state(name)) if sit.how(name) else -1  # a root: observing is setting
            per_column[name] = np.array([states.index(s) if c == ctx else fixed for c, s in candidates])
    width = len(candidates)
    sweep = TimelineSituation(
        {k: v for k, v in sit.given.items() if k not in levers},
        {k: v for k, v in sit.do.items() if k not in levers},
        sit.events,
        sit.scenario,
    )
    targets = net.names(node)
    upper = model.codebook[node].upper
    free = [x for x in dict.fromkeys(targets) if not sweep.how(x)]
    probs = upper_probabilities(net, sweep, [[x] for x in free], base, per_column=per_column)
    table = np.array(
        [np.full(width, 1.0 if sweep.state(x) == upper else 0.0) if sweep.how(x) else probs[x] for x in targets]
    )  # (slice, lever)
    rows = []
    for k, (ctx, state) in enumerate(candidates):
        p = table[:, k]
        new = inertia_onset(p, threshold)
        delay = net.n_slices + 1 - onset if new is None else new - onset
        rows.append(
            {
                "lever": ctx,
                "state": state,
                "from_slice": 1 if ctx in net.static else start,
                "onset": new,
                "avoided": new is None,
                "delay": delay,
                "final": float(p[-1]),
                "mean_after": float(p[start - 1 :].mean()),
            }
        )
    frame = pd.DataFrame(rows, columns=list(_LEVER_COLUMNS))
    frame["onset"] = frame["onset"].astype("Int64")
    # most slices gained first; then highest mean P after, ties (within rounding) by lever and state
    frame.index = [f"{lever}={state}" for lever, state in zip(frame["lever"], frame["state"], strict=True)]
    frame = sort_frame(frame, "mean_after")
    return frame.iloc[np.argsort(-frame["delay"].to_numpy(), kind="stable")].reset_index(drop=True)


def collaborative_inertia(
    model: Model,
    timeline: Timeline | Mapping[str, Any] | Sequence[Any] | str | Path | None = None,
    post: Posterior | None = None,
    *,
    scenario: str | None = None,
    threshold: float = DEFAULT_INERTIA_THRESHOLD,
    node: str = "faith",
    also: Sequence[str] | None = None,
    n_slices: int | None = None,
    persistence: float | None = None,
    per_slice: Iterable[str] | None = None,
    carried: Iterable[str] | None = None,
) -> Inertia:
    """When faith falls too low to sustain the work, and which lever delays or avoids it.

    The review: "'collaborative inertia', a situation in which there is insufficient faith
    to maximise work on the collaboration". The onset is the first slice from which
    P(faith high) stays below ``threshold`` to the end, read on the posterior-mean
    parameters (the network's answer; the trajectory's headline is the mean over draws).
    Each modifiable context is then tried as a lever in each of its states, set (``do``) in
    every slice from the slice before the onset (a static one, in its single
    copy), replacing the scenario's or timeline's value there; levers are ranked by the
    slices they gain (avoiding it outright ranks first), then by mean P(faith high) after.

    Parameters are as for :func:`trajectory`, plus ``threshold`` in (0, 1), the ``node``
    to watch and ``also``: other nodes to follow in the same run (the trajectory's first
    node is always ``node``).

    Returns
    -------
    Inertia
    """
    threshold = check_probability(threshold, "threshold", "collaborative_inertia")
    followed = check_nodes(model, [node, *(n for n in (also or ()) if n != node)])
    if persistence is not None:
        persistence = check_probability(persistence, "persistence", "collaborative_inertia", closed=True)
    net, sit = resolve_timeline(
        model, timeline, scenario=scenario, n_slices=n_slices, persistence=persistence, per_slice=per_slice,
        carried=carried,
    )
    traj = answer_trajectory(model, net, sit, followed, post)
    onset = inertia_onset(traj.point[0], threshold)
    share = None
    if traj.draws is not None:
        share = float(np.mean([inertia_onset(traj.draws[0, :, s], threshold) is not None for s in range(traj.n_draws)]))
    levers = pd.DataFrame(columns=list(_LEVER_COLUMNS))
    if onset is not None:
        levers = _levers(model, net, sit, node, threshold=float(threshold), onset=onset)
    return Inertia(node, float(threshold), onset, share, traj, levers)


def trajectory_and_inertia(
    model: Model,
    timeline: Timeline | Mapping[str, Any] | Sequence[Any] | str | Path | None = None,
    post: Posterior | None = None,
    *,
    nodes: Sequence[str] | None = None,
    threshold: float = DEFAULT_INERTIA_THRESHOLD,
    node: str = "faith",
    baseline: bool = False,
    **options: Any,
) -> tuple[Trajectory, Inertia | None]:
    """The trajectory of ``nodes`` and, when the model has ``node`` (faith), collaborative
    inertia, from one run that follows both.

    ``options`` are :func:`trajectory`'s (scenario, n_slices, persistence, per_slice,
    carried). Returns the trajectory of ``nodes`` (default :data:`DEFAULT_NODES` that the
    model has) and the :class:`Inertia`, or None for a codebook without ``node``. With
    ``baseline``, the trajectory carries the same collaboration without the timeline's
    events (:attr:`Trajectory.baseline`).
    """
    followed = list(nodes) if nodes is not None else [n for n in DEFAULT_NODES if n in model.codebook]
    if node not in model.codebook:
        return trajectory(model, timeline, post, nodes=followed, baseline=baseline, **options), None
    inertia = collaborative_inertia(model, timeline, post, threshold=threshold, node=node, also=followed, **options)
    traj = inertia.trajectory.select(followed)
    if baseline and traj.events:
        quiet = replace(as_timeline(timeline), events=())
        traj = replace(traj, baseline=trajectory(model, quiet, post, nodes=followed, **options))
    return traj, inertia
