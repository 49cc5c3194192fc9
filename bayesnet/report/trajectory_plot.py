"""Pictures of trajectories: P(trust high), P(faith high) ... per slice, with credible bands.

In the spirit of the review's Fig. 5 ("how levels of trust and faith may change
independently over time in response to the various numbered events"): one line per node
(the posterior-mean network's probability), a band for its highest-density interval over
posterior draws, the events numbered on the time axis and listed under it, and the slice
names (connecting, early life, ...) on the x axis. Several trajectories (a voluntary and a
mandated partnership, say) become side-by-side panels sharing the y axis.

Matplotlib is imported inside the functions, through its object-oriented API and the Agg
canvas (no pyplot state, no display needed). Files are written atomically; SVG output is
reproducible (no date, fixed id salt).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bayesnet.errors import ParameterError
from bayesnet.files import write_bytes_atomic

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from bayesnet.dynamics.inertia import Inertia
    from bayesnet.dynamics.trajectories import Trajectory

__all__ = ["FORMATS", "plot_trajectories", "plot_trajectory", "write_trajectory_plot"]

FORMATS = ("svg", "png")
"""File formats :func:`write_trajectory_plot` writes, chosen by the file's suffix."""
_LABELS = {"trust": "trust", "faith": "faith", "collaborative_behaviour": "collaborative behaviour"}


def _label(node: str, state: str) -> str:
    return f"P({_LABELS.get(node, node.replace('_', ' '))} = {state.replace('_', ' ')})"


def plot_trajectory(
    traj: Trajectory,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    threshold: float | None = None,
    show_events: bool = True,
) -> Figure:
    """Draw one trajectory.

    Parameters
    ----------
    traj : Trajectory
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; default a new figure.
    title : str, optional
        Default: the scenario's name.
    threshold : float, optional
        Draw a dotted line at this P (e.g. the collaborative-inertia threshold).
    show_events : bool
        Mark and list the events.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    if ax is None:
        fig = Figure(figsize=(7.5, 4.8), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    x = list(range(1, traj.n_slices + 1))
    frame = traj.frame
    for node, state in zip(traj.nodes, traj.states, strict=True):
        rows = frame.loc[node]
        (line,) = ax.plot(x, rows["probability"].to_numpy(), marker="o", lw=2, label=_label(node, state))
        if "low" in rows:
            ax.fill_between(
                x, rows["low"].to_numpy(), rows["high"].to_numpy(), color=line.get_color(), alpha=0.12, lw=0
            )
    if threshold is not None:
        ax.axhline(threshold, color="0.35", ls=":", lw=1.2, label=f"inertia threshold ({threshold:g})")
    if show_events and traj.events:
        _mark_events(ax, traj)
    ax.set_xticks(x, [f"{t}\n{name}" for t, name in zip(x, traj.slice_names, strict=True)])
    ax.set_xlim(0.7, traj.n_slices + 0.3)
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel("probability")
    ax.grid(axis="y", alpha=0.3)
    band = f"; bands: {traj.hdi_prob:.0%} HDI over {traj.n_draws} draws" if traj.n_draws else ""
    ax.set_title(title if title is not None else (traj.scenario or "no scenario").replace("_", " ") + band, fontsize=10)
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    return fig


def _mark_events(ax: Axes, traj: Trajectory) -> None:
    """Number the events on the time axis (as Fig. 5 does) and list them under the plot."""
    by_slice: dict[int, list[str]] = {}
    for event in traj.events:
        texts = by_slice.setdefault(event.slice, [])
        if event.describe() not in texts:
            texts.append(event.describe())
    lines = []
    number = 0
    for t in sorted(by_slice):
        ax.axvline(t, color="0.5", ls="--", lw=0.9, zorder=0)
        for k, text in enumerate(by_slice[t]):
            number += 1
            ax.annotate(
                str(number),
                xy=(t, 0.97 - 0.08 * k),
                xycoords=("data", "axes fraction"),
                ha="center",
                va="top",
                fontsize=8,
                bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "0.4"},
            )
            lines.append(f"{number}: slice {t}, {text}")
    ax.text(0.0, -0.17, "events  " + "   ".join(lines), transform=ax.transAxes, fontsize=7.5, va="top", wrap=True)


def plot_trajectories(
    trajectories: Sequence[Trajectory], *, titles: Sequence[str] | None = None, threshold: float | None = None
) -> Figure:
    """Side-by-side panels, one per trajectory, sharing the y axis.

    Raises
    ------
    ParameterError
        No trajectories, or a number of titles that does not match.
    """
    from matplotlib.figure import Figure

    if not trajectories:
        raise ParameterError("plot_trajectories needs at least one trajectory")
    if titles is not None and len(titles) != len(trajectories):
        raise ParameterError(f"got {len(titles)} titles for {len(trajectories)} trajectories")
    n = len(trajectories)
    fig = Figure(figsize=(6.5 * n, 5.0), layout="constrained")
    axes = fig.subplots(1, n, sharey=True, squeeze=False)[0]
    for i, (ax, traj) in enumerate(zip(axes, trajectories, strict=True)):
        plot_trajectory(traj, ax=ax, title=None if titles is None else titles[i], threshold=threshold)
    return fig


def write_trajectory_plot(
    trajectories: Trajectory | Sequence[Trajectory],
    path: str | Path,
    *,
    titles: Sequence[str] | None = None,
    threshold: float | None = None,
    inertia: Inertia | None = None,
    dpi: int = 150,
) -> Path:
    """Draw one or several trajectories and write SVG or PNG (by suffix) atomically.

    Parameters
    ----------
    threshold : float, optional
        A dotted line at this probability.
    inertia : Inertia, optional
        Draw its threshold when the node it watches (faith) is among those drawn.

    Raises
    ------
    ParameterError
        A suffix other than ``.svg`` or ``.png``.
    """
    import matplotlib

    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ParameterError(
            f"{target}: cannot write a {fmt or 'suffix-less'!r} picture; use {' or '.join('.' + f for f in FORMATS)}"
        )
    many = list(trajectories) if isinstance(trajectories, Sequence) else [trajectories]
    if threshold is None and inertia is not None and any(inertia.node in t.nodes for t in many):
        threshold = inertia.threshold
    with matplotlib.rc_context({"svg.hashsalt": "bayesnet", "svg.fonttype": "path"}):
        fig = plot_trajectories(many, titles=titles, threshold=threshold)
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return write_bytes_atomic(target, buffer.getvalue())
