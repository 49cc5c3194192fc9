"""The report's pictures as SVG text: tornado, forest plot, evidence ranking, causal web.

Each picture is the result's own ``.plot`` (:mod:`bayesnet.display.charts`), so a notebook
and the report draw the same thing. Matplotlib draws on an Agg canvas without pyplot (no
display, no global state); each figure is drawn with a fixed hash salt and no date so the
same data gives the same bytes, and text stays text (searchable, selectable). The causal
web is drawn by Graphviz's ``dot`` when it is installed.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bayesnet.display.charts import interval_chart
from bayesnet.report.data import ReportData

__all__ = ["causal_web_svg", "evidence_svg", "forest_svg", "inline", "tornado_svg"]


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
    """The tornado of the contexts (:meth:`bayesnet.analysis.Tornado.plot`) as SVG."""
    n = int(data.tornado.frame["role"].isin(roles).sum())
    with _figure("tornado", 8.0, 0.5 * max(min(n, top), 1) + 1.6) as (fig, ax):
        data.tornado.plot(ax, top=top, roles=roles)
        return _svg(fig)


def forest_svg(data: ReportData) -> str:
    """``P(target = state)`` with its HDI under every scenario; the report's own highlighted."""
    frame = data.scenarios
    q = data.question
    chosen = q.situation.scenario or "(none)"
    n = len(frame)
    with _figure("forest", 8.0, 0.38 * max(n, 1) + 1.2) as (fig, ax):
        interval_chart(
            ax, [str(r["label"]) + (" (this report)" if sid == chosen else "") for sid, r in frame.iterrows()],
            frame["probability"].to_numpy(), frame["low"].to_numpy(), frame["high"].to_numpy(),
            xlabel=f"P({q.label(q.target)} = {q.state})   (dot: mean over draws; line: "
                   f"{data.settings['hdi_prob']:.0%} HDI)",
            title="Collaboration types compared", highlight=[sid == chosen for sid in frame.index],
        )
        return _svg(fig)


def evidence_svg(data: ReportData, *, top: int = 15) -> str:
    """The expected narrowing of the answer's posterior sd from one more study of each link
    (:meth:`bayesnet.analysis.EvidenceRanking.plot`) as SVG."""
    n = min(len(data.evidence.frame), top)
    with _figure("evidence", 8.0, 0.42 * max(n, 1) + 1.5) as (fig, ax):
        data.evidence.plot(ax, top=top)
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
