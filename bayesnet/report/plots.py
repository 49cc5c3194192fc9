"""The report's pictures as SVG text: tornado, forest plot, evidence ranking, causal web.

Matplotlib draws on an Agg canvas without pyplot (no display, no global state); each figure is drawn with a fixed
hash salt and no date so the same data gives the same bytes, and text stays text (searchable,
selectable). The causal web is drawn by Graphviz's ``dot`` when it is installed.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from bayesnet.report.data import ReportData

__all__ = ["ROLE_COLOURS", "causal_web_svg", "evidence_svg", "forest_svg", "inline", "tornado_svg"]

ROLE_COLOURS = {"lever": "#38761d", "given": "#999999", "mechanism": "#1c4587", "outcome": "#674ea7"}
"""Bar colour by role: levers green (the review's context colour), givens grey, mechanisms blue."""


@contextmanager
def _figure(name: str, width: float, height: float) -> Iterator[tuple[Any, Any]]:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.hashsalt": f"bayesnet-{name}", "svg.fonttype": "none",
                                "font.family": "DejaVu Sans", "font.size": 9}):
        fig = Figure(figsize=(width, height))  # no pyplot: no global figure state, Agg canvas
        FigureCanvasAgg(fig)
        yield fig, fig.add_subplot()


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buf.getvalue()


def inline(svg: str) -> str:
    """SVG text ready to sit inside HTML: without the XML declaration and DOCTYPE."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    return re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg).strip()


def tornado_svg(data: ReportData, *, top: int = 15, roles: tuple[str, ...] = ("lever", "given")) -> str:
    """Horizontal bars from the lowest to the highest ``P(target = state)`` as each context is
    set to each of its states, widest first. The whisker is the HDI of the swing over
    posterior draws, drawn from the low end: where it crosses the low end, some draws give
    the opposite sign."""
    frame = data.tornado.frame
    frame = frame[frame["role"].isin(roles)].head(top)
    base = float(data.tornado.baseline["probability"])
    q = data.question
    n = len(frame)
    with _figure("tornado", 8.0, 0.5 * max(n, 1) + 1.4) as (fig, ax):
        ys = np.arange(n)[::-1]
        for y, (_, r) in zip(ys, frame.iterrows(), strict=True):
            lo, hi = float(r["p_low_state"]), float(r["p_high_state"])
            colour = ROLE_COLOURS.get(str(r["role"]), "#666666")
            ax.barh(y, hi - lo, left=lo, height=0.6, color=colour, alpha=0.75)
            if np.isfinite(r["swing_low"]) and np.isfinite(r["swing_high"]):
                # the whisker spans the swing's HDI measured from the low end; it need not hold the bar's
                # end (the mean network's swing), least of all with few draws: drawn about its own middle
                w_lo, w_hi = lo + float(r["swing_low"]), lo + float(r["swing_high"])
                ax.errorbar((w_lo + w_hi) / 2, y, xerr=[[(w_hi - w_lo) / 2], [(w_hi - w_lo) / 2]], fmt="none",
                            ecolor="black", elinewidth=0.8, capsize=2.5)
        ax.axvline(base, color="black", linestyle="--", linewidth=0.8)
        ax.set_yticks(ys)
        ax.set_yticklabels([f"{data.node_labels.get(v, v)}\n{r['low_state']} \u2192 {r['high_state']} ({r['role']})"
                            for v, r in frame.iterrows()], fontsize=8)
        ax.set_xlabel(f"P({q.target} = {q.state})   (dashed: this situation, {base:.3f}; "
                      f"whisker: {data.settings['hdi_prob']:.0%} HDI of the swing, from the low end)")
        lows = frame["p_low_state"] + frame["swing_low"].fillna(0.0)
        highs = frame["p_low_state"] + frame["swing_high"].fillna(0.0)
        left = float(min(lows.min(), frame["p_low_state"].min(), base)) if n else 0.0
        right = float(max(highs.max(), frame["p_high_state"].max(), base)) if n else 1.0
        pad = 0.08 * max(right - left, 0.05)
        ax.set_xlim(max(0.0, left - pad), min(1.0, right + pad))
        ax.set_title("Contexts, one at a time: each set to each of its states")
        handles = [_patch(c, r) for r, c in ROLE_COLOURS.items() if r in set(frame["role"])]
        if handles:
            ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=False)
        return _svg(fig)


def _patch(colour: str, label: str) -> Any:
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, alpha=0.75, label=label)


def forest_svg(data: ReportData) -> str:
    """``P(target = state)`` with its HDI under every scenario; the report's own highlighted."""
    frame = data.scenarios
    q = data.question
    chosen = q.situation.scenario or "(none)"
    n = len(frame)
    with _figure("forest", 8.0, 0.38 * max(n, 1) + 1.2) as (fig, ax):
        ys = np.arange(n)[::-1]
        for y, (sid, r) in zip(ys, frame.iterrows(), strict=True):
            colour = "#b22222" if sid == chosen else "#1c4587"
            ax.plot([r["low"], r["high"]], [y, y], color=colour, linewidth=1.6)
            ax.plot(r["probability"], y, "o", color=colour, markersize=5)
        ax.set_yticks(ys)
        ax.set_yticklabels([f"{r['label']}" + (" (this report)" if sid == chosen else "")
                            for sid, r in frame.iterrows()])
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"P({q.target} = {q.state})   (dot: mean network; line: {data.settings['hdi_prob']:.0%} HDI)")
        ax.set_title("Collaboration types compared")
        ax.grid(axis="x", linewidth=0.3)
        return _svg(fig)


def evidence_svg(data: ReportData, *, top: int = 15) -> str:
    """Expected narrowing of the target's HDI from one more study, per link, largest first."""
    frame = data.evidence.frame.head(top)
    n = len(frame)
    with _figure("evidence", 8.0, 0.38 * max(n, 1) + 1.4) as (fig, ax):
        ys = np.arange(n)[::-1]
        ax.barh(ys, frame["expected_narrowing"], height=0.6, color="#e69138", label="expected")
        ax.plot(frame["narrowing_if_support"], ys, "^", color="#38761d", markersize=4, label="if supporting")
        ax.plot(frame["narrowing_if_contradict"], ys, "v", color="#b22222", markersize=4, label="if contradicting")
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_yticks(ys)
        ax.set_yticklabels([f"{r['name']}  [{r['n_support']} src]" for _, r in frame.iterrows()], fontsize=7)
        ax.set_xlabel(f"narrowing of the {data.settings['hdi_prob']:.0%} HDI width (now "
                      f"{data.evidence.width:.3f}) if one more study were coded")
        ax.set_title("Which links the next studies should examine")
        ax.legend(loc="lower right", fontsize=7, frameon=False)
        return _svg(fig)


def causal_web_svg(dot_source: str) -> tuple[str | None, str | None]:
    """The causal web drawn by Graphviz: ``(svg, None)``, or ``(None, note)`` without ``dot``."""
    if shutil.which("dot") is None:
        return None, (
            "The causal web could not be drawn: Graphviz's 'dot' program is not installed "
            "(Debian/Ubuntu: 'apt-get install graphviz'; macOS: 'brew install graphviz'). "
            "Its DOT source is written next to this page as web.dot."
        )
    import graphviz

    return graphviz.Source(dot_source).pipe(format="svg").decode("utf-8"), None
