"""The report's pictures as SVG text: tornado, forest plot, evidence ranking, causal webs.

Each chart is the result's own ``.plot`` (:mod:`bayesnet.display.charts`), so a notebook
and the report draw the same thing. Matplotlib draws on an Agg canvas without pyplot (no
display, no global state); each figure is drawn with a fixed hash salt and no date so the
same data gives the same bytes, and text stays text (searchable, selectable). The causal
webs -- the whole one, and the one around the target that the page shows -- are drawn by
Graphviz's ``dot`` when it is installed.
"""

from __future__ import annotations

import io
import math
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bayesnet.display.charts import interval_chart
from bayesnet.report.causal_web import Neighbourhood, neighbourhood, to_dot
from bayesnet.report.data import ReportData
from bayesnet.report.summary import headline_box

__all__ = ["MIN_TEXT_PX", "Webs", "causal_web_svg", "evidence_svg", "forest_svg", "inline", "legible", "tornado_svg",
           "webs"]

MIN_TEXT_PX = 10.5
"""The smallest text, in CSS pixels, a picture of the causal web may be shrunk to on the page."""


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


def legible(svg: str, *, min_px: float = MIN_TEXT_PX) -> str:
    """``svg`` (Graphviz's, inline) that a page never shrinks below text ``min_px`` high: its
    root gets a ``min-width`` (its container then scrolls sideways instead)."""
    box = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"', svg)
    sizes = [float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)]
    if box is None or not sizes:
        return svg
    width = math.ceil(min_px * float(box.group(1)) / min(sizes))
    return re.sub(r"<svg\b", f'<svg style="min-width:{width}px"', svg, count=1)


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
            "Their DOT sources are written next to this page as web_near.dot and web.dot."
        )
    import graphviz

    return graphviz.Source(dot_source).pipe(format="svg").decode("utf-8"), None


@dataclass(frozen=True)
class Webs:
    """The DOT sources of a report's two causal webs.

    Attributes
    ----------
    near : str
        The web around the target (:func:`~bayesnet.report.causal_web.neighbourhood`).
    whole : str
        The whole web.
    neighbourhood : Neighbourhood
    """

    near: str
    whole: str
    neighbourhood: Neighbourhood


def webs(data: ReportData, *, steps: int = 2) -> Webs:
    """The causal web around the target, ``steps`` links either way, plus the levers the
    headline names (joined by their paths when further away), and the whole web; both tinted
    by each node's swing, each swept node's swing and each fixed node's state written under
    its name, and each link's sources cited by first author and year in its tooltip."""
    q = data.question
    model = q.model
    lv = data.levers
    h = headline_box(data)
    named = [*lv.best_set, *lv.singles.index[: len(h.top_levers)]]
    near = neighbourhood(model, q.target, steps=steps, also=named)
    notes = {v: f"swing {r['swing']:.3f}" for v, r in data.tornado.frame.iterrows()}
    sit = q.situation
    notes.update({v: f"observed: {s}" for v, s in sit.given.items()})
    notes.update({v: f"set: {s}" for v, s in sit.do.items()})
    sources = {i: c.short for i, c in data.citations.items()}

    def draw(centre: Neighbourhood | None, title: str | None) -> str:
        return to_dot(model.codebook, model.links, influence=data.influence, show_feedback=False, title=title,
                      centre=centre, notes=notes, sources=sources)

    what = f"{q.label(q.target)} = {q.state}"
    return Webs(draw(near, None), draw(None, f"The causal web, shaded by influence on {what}"), near)
