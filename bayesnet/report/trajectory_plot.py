"""Pictures of trajectories: P(trust high), P(faith high) ... per slice, with credible bands.

In the spirit of the review's Fig. 5 ("how levels of trust and faith may change
independently over time in response to the various numbered events"): one line per node
(the headline: the mean over posterior draws), a light band for its highest-density
interval (optional), the same collaboration without the events dashed in the same colour
when the trajectory carries that baseline, the events numbered on the time axis and listed
under it, and the slice names (connecting, early life, ...) on the x axis. The drawing is
:meth:`bayesnet.dynamics.Trajectory.plot`'s; this module lays out panels and writes files.
Several trajectories (a voluntary and a mandated partnership, say) become side-by-side
panels sharing the y axis.

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


def plot_trajectory(
    traj: Trajectory,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    threshold: float | None = None,
    show_events: bool = True,
    bands: bool = True,
) -> Figure:
    """Draw one trajectory (:meth:`bayesnet.dynamics.Trajectory.plot`) on ``ax`` or on a new
    figure made without pyplot, and return the figure.

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
    bands : bool
        Draw the (light) credible bands.

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
    traj.plot(ax, title=title, threshold=threshold, show_events=show_events, bands=bands)
    return fig


def plot_trajectories(
    trajectories: Sequence[Trajectory],
    *,
    titles: Sequence[str] | None = None,
    threshold: float | None = None,
    bands: bool = True,
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
        plot_trajectory(traj, ax=ax, title=None if titles is None else titles[i], threshold=threshold, bands=bands)
    return fig


def write_trajectory_plot(
    trajectories: Trajectory | Sequence[Trajectory],
    path: str | Path,
    *,
    titles: Sequence[str] | None = None,
    threshold: float | None = None,
    inertia: Inertia | None = None,
    bands: bool = True,
    dpi: int = 150,
) -> Path:
    """Draw one or several trajectories and write SVG or PNG (by suffix) atomically.

    Parameters
    ----------
    threshold : float, optional
        A dotted line at this probability.
    inertia : Inertia, optional
        Draw its threshold when the node it watches (faith) is among those drawn.
    bands : bool
        Draw the (light) credible bands; a trajectory with a baseline draws it dashed.

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
        fig = plot_trajectories(many, titles=titles, threshold=threshold, bands=bands)
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return write_bytes_atomic(target, buffer.getvalue())
