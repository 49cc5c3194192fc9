"""The drawings behind every result's ``.plot(ax=None)``, and the report's pictures.

Four kinds, each drawn on a matplotlib ``Axes`` and returning it:

* :func:`interval_chart` -- a dot and its interval per row (a forest plot): states,
  situations, contrasts, before and after;
* :func:`range_chart` -- a bar from a low to a high value per row, with an interval at each
  end (the tornado);
* :func:`bar_chart` -- a bar per row with its interval (gains of levers, the value of a
  study);
* :func:`line_chart` -- lines over slices of time with optional bands, events numbered on
  the time axis and a dotted threshold (trajectories).

With ``ax=None`` a new figure is made through pyplot, so a notebook shows it; the report
passes axes of its own figures (no pyplot state). Matplotlib is imported only here and only
when drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["COLOURS", "Line", "axes", "bar_chart", "interval_chart", "line_chart", "range_chart"]

COLOURS = {
    "lever": "#38761d", "context": "#38761d", "given": "#999999", "mechanism": "#1c4587",
    "outcome": "#674ea7", "highlight": "#b22222", "neutral": "#1c4587", "evidence": "#e69138",
}
"""Colours by role: contexts green and mechanisms blue as in the review's Figs 2-4; givens
grey (contexts no one can change), outcomes purple, the situation of interest red."""


def axes(ax: Axes | None, *, width: float, height: float) -> Axes:
    """``ax``, or the axes of a new pyplot figure of ``width`` x ``height`` inches."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=(width, height), layout="constrained")
    return new


def _rows(n: int) -> np.ndarray:
    return np.arange(n)[::-1]


def interval_chart(
    ax: Axes | None,
    labels: Sequence[str],
    mean: Sequence[float],
    low: Sequence[float] | None = None,
    high: Sequence[float] | None = None,
    *,
    xlabel: str = "",
    title: str = "",
    highlight: Sequence[bool] | None = None,
    reference: float | None = None,
    limits: tuple[float, float] | None = (0.0, 1.0),
    colour: str | None = None,
    offset: float = 0.0,
    label: str | None = None,
) -> Axes:
    """A dot per row at ``mean`` and a line from ``low`` to ``high``, first row on top.

    Parameters
    ----------
    highlight : sequence of bool, optional
        Rows drawn in red (the situation of interest).
    reference : float, optional
        A dashed vertical line (0 for differences, the baseline for probabilities).
    limits : (float, float) or None
        The x range; None fits the data.
    colour, offset, label : optional
        Draw a second series on the same rows: its colour, a vertical shift (a fraction of a
        row) and its legend entry.
    """
    n = len(labels)
    ax = axes(ax, width=7.5, height=0.4 * max(n, 1) + 1.2)
    ys = _rows(n) + offset
    marks = list(highlight) if highlight is not None else [False] * n
    for i, y in enumerate(ys):
        c = colour or (COLOURS["highlight"] if marks[i] else COLOURS["neutral"])
        if low is not None and high is not None and np.isfinite(low[i]) and np.isfinite(high[i]):
            ax.plot([low[i], high[i]], [y, y], color=c, linewidth=1.8, solid_capstyle="butt")
        ax.plot(mean[i], y, "o", color=c, markersize=5.5, label=label if i == 0 else None)
    if reference is not None:
        ax.axvline(reference, color="black", linestyle="--", linewidth=0.8)
    ax.set_yticks(ys - offset)
    ax.set_yticklabels(list(labels))
    ax.set_ylim(-0.7, n - 0.3)
    if limits is not None:
        ax.set_xlim(*limits)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    ax.grid(axis="x", linewidth=0.3)
    if label is not None:
        ax.legend(loc="lower right", fontsize=8)
    return ax


def range_chart(
    ax: Axes | None,
    labels: Sequence[str],
    left: Sequence[float],
    right: Sequence[float],
    *,
    left_interval: tuple[Sequence[float], Sequence[float]] | None = None,
    right_interval: tuple[Sequence[float], Sequence[float]] | None = None,
    roles: Sequence[str] | None = None,
    baseline: float | None = None,
    xlabel: str = "",
    title: str = "",
) -> Axes:
    """A bar per row from ``left`` to ``right`` (a tornado), first row on top, each end with
    its own whisker (the interval of the value at that end), coloured by role, a dashed line
    at ``baseline``."""
    n = len(labels)
    ax = axes(ax, width=8.0, height=0.5 * max(n, 1) + 1.4)
    ys = _rows(n)
    kinds = list(roles) if roles is not None else ["neutral"] * n
    for i, y in enumerate(ys):
        lo, hi = float(left[i]), float(right[i])
        ax.barh(y, hi - lo, left=lo, height=0.6, color=COLOURS.get(kinds[i], "#666666"), alpha=0.75)
        for end, bounds in ((lo, left_interval), (hi, right_interval)):
            if bounds is None:
                continue
            b_low, b_high = float(bounds[0][i]), float(bounds[1][i])
            if np.isfinite(b_low) and np.isfinite(b_high):  # an interval holds its mean: both arms >= 0
                ax.errorbar(end, y, xerr=[[max(end - b_low, 0.0)], [max(b_high - end, 0.0)]], fmt="none",
                            ecolor="black", elinewidth=0.7, capsize=2.0, alpha=0.7)
    if baseline is not None:
        ax.axvline(baseline, color="black", linestyle="--", linewidth=0.8)
    ax.set_yticks(ys)
    ax.set_yticklabels(list(labels), fontsize=9)
    ax.set_ylim(-0.7, n - 0.3)
    ends = [*left, *right, *([] if baseline is None else [baseline])]
    for bounds in (left_interval, right_interval):
        if bounds is not None:
            ends += [v for v in (*bounds[0], *bounds[1]) if np.isfinite(v)]
    if ends:
        lo_x, hi_x = float(min(ends)), float(max(ends))
        pad = 0.08 * max(hi_x - lo_x, 0.05)
        ax.set_xlim(max(0.0, lo_x - pad), min(1.0, hi_x + pad))
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    present = [r for r in dict.fromkeys(kinds) if r in COLOURS]
    if roles is not None and present:
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(facecolor=COLOURS[r], alpha=0.75, label=r) for r in present],
                  loc="lower right", fontsize=8, frameon=False)
    return ax


def bar_chart(
    ax: Axes | None,
    labels: Sequence[str],
    values: Sequence[float],
    low: Sequence[float] | None = None,
    high: Sequence[float] | None = None,
    *,
    xlabel: str = "",
    title: str = "",
    colour: str = COLOURS["lever"],
) -> Axes:
    """A horizontal bar per row from 0 to ``values``, first row on top, with the interval
    ``low`` to ``high`` as a whisker when given."""
    n = len(labels)
    ax = axes(ax, width=8.0, height=0.42 * max(n, 1) + 1.3)
    ys = _rows(n)
    ax.barh(ys, list(values), height=0.6, color=colour, alpha=0.8)
    if low is not None and high is not None:
        for y, v, lo, hi in zip(ys, values, low, high, strict=True):
            if np.isfinite(lo) and np.isfinite(hi):
                ax.errorbar(v, y, xerr=[[max(v - lo, 0.0)], [max(hi - v, 0.0)]], fmt="none", ecolor="black",
                            elinewidth=0.8, capsize=2.5)
    ax.axvline(0.0, color="black", linewidth=0.6)
    ax.set_yticks(ys)
    ax.set_yticklabels(list(labels), fontsize=9)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    ax.grid(axis="x", linewidth=0.3)
    return ax


@dataclass(frozen=True)
class Line:
    """One line of a :func:`line_chart`.

    Attributes
    ----------
    label : str
        Its legend entry (a baseline has none of its own: one entry explains every dashed line).
    values : sequence of float
        One per slice.
    low, high : sequence of float, optional
        The band (an interval per slice).
    style : {'solid', 'baseline'}
        ``'baseline'``: a thin dashed line in the colour of the line it belongs to (the same
        node without the events), no markers, no band.
    colour : str, optional
        Default: matplotlib's cycle, and for a baseline the colour of the line before it
        with the same ``group``.
    group : str
        Lines of one node share a group and a colour.
    """

    label: str
    values: Sequence[float]
    low: Sequence[float] | None = None
    high: Sequence[float] | None = None
    style: str = "solid"
    colour: str | None = None
    group: str = ""


def line_chart(
    ax: Axes | None,
    slices: Sequence[str],
    lines: Sequence[Line],
    *,
    bands: bool = True,
    band_alpha: float = 0.08,
    events: Sequence[tuple[int, str]] = (),
    threshold: float | None = None,
    threshold_label: str = "threshold",
    ylabel: str = "probability",
    title: str = "",
) -> Axes:
    """Lines over slices of time (1, 2, ... with their names), first slice on the left.

    Parameters
    ----------
    bands : bool
        Draw each solid line's band (light, so the change stays visible); False: lines only.
    events : sequence of (slice, text)
        Numbered on the time axis (as the review's Fig. 5 numbers its events) and listed under
        the plot.
    threshold : float, optional
        A dotted horizontal line (e.g. the collaborative-inertia threshold).
    """
    ax = axes(ax, width=7.5, height=4.8)
    x = list(range(1, len(slices) + 1))
    colours: dict[str, Any] = {}
    for line in lines:
        if line.style == "baseline":
            colour = line.colour or colours.get(line.group, "0.45")
            ax.plot(x, list(line.values), color=colour, lw=1.2, ls="--", alpha=0.9)
            continue
        (drawn,) = ax.plot(x, list(line.values), marker="o", lw=2, label=line.label, color=line.colour)
        colours[line.group or line.label] = drawn.get_color()
        if bands and line.low is not None and line.high is not None:
            ax.fill_between(x, list(line.low), list(line.high), color=drawn.get_color(), alpha=band_alpha, lw=0)
    if threshold is not None:
        ax.axhline(threshold, color="0.35", ls=":", lw=1.2, label=f"{threshold_label} ({threshold:g})")
    if events:
        _mark_events(ax, events)
    ax.set_xticks(x, [f"{t}\n{name}" for t, name in zip(x, slices, strict=True)])
    ax.set_xlim(0.7, len(slices) + 0.3)
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10)
    if any(line.style == "baseline" for line in lines):
        ax.plot([], [], color="0.45", lw=1.2, ls="--", label="dashed: the same, without the events")
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    return ax


def _mark_events(ax: Axes, events: Sequence[tuple[int, str]]) -> None:
    """Number the events on the time axis and list them under the plot."""
    by_slice: dict[int, list[str]] = {}
    for t, text in events:
        texts = by_slice.setdefault(t, [])
        if text not in texts:
            texts.append(text)
    listed = []
    number = 0
    for t in sorted(by_slice):
        ax.axvline(t, color="0.5", ls="--", lw=0.9, zorder=0)
        for k, text in enumerate(by_slice[t]):
            number += 1
            ax.annotate(str(number), xy=(t, 0.97 - 0.08 * k), xycoords=("data", "axes fraction"), ha="center",
                        va="top", fontsize=8, bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "0.4"})
            listed.append(f"{number}: slice {t}, {text}")
    ax.text(0.0, -0.17, "events  " + "   ".join(listed), transform=ax.transAxes, fontsize=7.5, va="top", wrap=True)
