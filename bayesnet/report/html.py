"""The report as one self-contained HTML page: inline CSS and SVG, no scripts, no links out.

The page reads at a glance: the headline box first (the answer, the levers, what moves it,
the other collaboration types, where evidence is thin, in the results' own sentences), then
how to read it, then the situation, the causal web around the target, and the details,
table by table; the sources last, each cited by first author and year with the full
citation on hover. Tables show labels and rounded numbers and fit a 1,280-pixel screen; the
CSV files beside the page hold every column and the ids.

Pure: takes the computed :class:`~bayesnet.report.data.ReportData`, its tables and its SVG
pictures and returns text. Every text that comes from the model's files is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from string import Template

import pandas as pd

from bayesnet.display.charts import COLOURS
from bayesnet.inputs.citations import Citation, sorted_citations, where
from bayesnet.report.causal_web import (
    BLUE,
    BLUE_EDGE,
    GREEN,
    GREEN_EDGE,
    INDIRECT,
    INHIBIT,
    PROMOTE,
    TARGET,
    Neighbourhood,
    fill,
)
from bayesnet.report.data import ReportData
from bayesnet.report.plots import inline, legible
from bayesnet.report.summary import HOW_TO_READ, Headline, headline_box
from bayesnet.report.tables import situation_table
from bayesnet.report.views import EXPLAIN, MAX_ROWS, Cited, View, cited_sources, situation_view, table_views

__all__ = ["to_html"]

_CSS = Template("""
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1.2em auto 3em; max-width: 1232px;
       color: #222; line-height: 1.45; padding: 0 16px; }
h1 { font-size: 1.55em; margin: 0 0 0.15em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; margin-top: 1.8em; }
p, li, dd { max-width: 64em; }
.ask { color: #555; margin: 0 0 0.7em; }
.headline { border: 2px solid $blue; border-radius: 6px; background: #f5f8fc; padding: 0.7em 1.1em 0.6em;
            margin: 0.4em 0 1em; }
.headline .lead { color: $blue; font-size: 0.85em; font-weight: bold; margin: 0; text-transform: uppercase;
                  letter-spacing: 0.03em; }
.headline .answer { font-size: 1.3em; font-weight: bold; margin: 0 0 0.45em; }
.headline dl { margin: 0; display: grid; grid-template-columns: 12.5em 1fr; gap: 0.3em 1em; }
.headline dt { font-weight: bold; color: $blue; }
.headline dd { margin: 0; }
.headline ul { margin: 0.2em 0 0; padding-left: 1.1em; }
.headline .note { color: #555; font-size: 0.85em; margin: 0.5em 0 0; }
nav { font-size: 0.92em; color: #444; }
nav a { color: $blue; }
.howto { display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.6em 1.2em; font-size: 0.9em; color: #333;
         margin: 0.3em 0 0.5em; }
.howto h3 { font-size: 1em; margin: 0 0 0.15em; }
.howto p { margin: 0; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; max-width: 100%; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
th { background: #f3f3f3; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.more { color: #555; font-size: 0.88em; margin-top: -0.3em; }
figure { margin: 0.8em 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.92em; }
.wide { overflow-x: auto; }
.legend { list-style: none; padding: 0; margin: 0.4em 0; display: flex; flex-wrap: wrap; gap: 0.35em 1.6em;
          font-size: 0.9em; max-width: none; }
.legend li { display: flex; align-items: center; gap: 0.45em; }
.sw { display: inline-block; width: 2.2em; height: 1.1em; border: 1.5px solid; }
.sw.ellipse { border-radius: 50%; }
.sw.target { border-width: 3px; border-radius: 50%; }
.ln { display: inline-block; width: 2.4em; height: 0; border-top-width: 3px; }
.warning { background: #fff4e5; border-left: 4px solid $orange; padding: 0.6em 1em; }
.explain { color: #444; font-size: 0.92em; }
a.cite { color: inherit; text-decoration: underline dotted; }
.sources li { margin-bottom: 0.3em; }
footer { margin-top: 2.5em; color: #555; font-size: 0.85em; border-top: 1px solid #ccc; padding-top: 0.5em; }
""").substitute(blue=COLOURS["mechanism"], orange=COLOURS["evidence"])

_FIGURES = {
    "tornado": ("tornado", "Contexts, one at a time (levers green, givens grey): widest swings first; the "
                           "dashed line is this situation, the whiskers each end's interval."),
    "evidence": ("evidence", "Expected narrowing of the answer's posterior sd from one more study, per link."),
    "scenarios": ("forest", "The probability and its interval under each collaboration type."),
}


def _cite(ids: tuple[str, ...], citations: Mapping[str, Citation]) -> str:
    parts = []
    for i in ids:
        c = citations.get(i)
        if c is None:
            parts.append(escape(i))
        else:
            parts.append(f'<a class="cite" href="#source-{escape(i)}" title="{escape(c.full)}">'
                         f"{escape(c.short)}</a>")
    return "; ".join(parts)


def _table(view: View, citations: Mapping[str, Citation]) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in view.frame.columns)
    body = []
    for row in view.frame.itertuples(index=False):
        cells = []
        for col, value in zip(view.frame.columns, row, strict=True):
            text = _cite(value.ids, citations) if isinstance(value, Cited) else escape(str(value))
            cells.append(f'<td class="num">{text}</td>' if col in view.numeric else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    out = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    if view.more > 0:
        out += (f'<p class="more">The first {len(view.frame)} of {view.total} rows; all of them, with every '
                f"column, are in {escape(view.name)}.csv.</p>")
    return out


def _figure(svg: str | None, caption: str) -> str:
    if svg is None:
        return ""
    return f"<figure>{inline(svg)}<figcaption>{escape(caption)}</figcaption></figure>"


def _headline(h: Headline) -> str:
    levers = escape(h.levers)
    if h.top_levers:
        levers += "<ul>" + "".join(f"<li>{escape(x)}</li>" for x in h.top_levers) + "</ul>"
    rows = [("What to change", levers), ("What moves it most", escape(h.moves)),
            ("Other collaboration types", escape(h.scenarios)), ("Where evidence is thin", escape(h.evidence))]
    if h.studies:
        rows.append(("Which studies carry it", escape(h.studies)))
    if h.robustness:
        rows.append(("Under other settings", escape(h.robustness)))
    return (
        '<section class="headline" id="headline" aria-label="The answer">'
        '<p class="lead">The probability in this situation</p>'
        f'<p class="answer">{escape(h.answer)}</p><dl>'
        + "".join(f"<dt>{dt}</dt><dd>{dd}</dd>" for dt, dd in rows)
        + f'</dl><p class="note">{escape(h.note)}</p></section>'
    )


def _how_to_read(data: ReportData) -> str:
    hdi = f"{data.settings['hdi_prob']:.0%}"
    items = "".join(f"<div><h3>{escape(head)}</h3><p>{escape(text.format(hdi=hdi, rows=MAX_ROWS))}</p></div>"
                    for head, text in HOW_TO_READ)
    return f'<h2 id="how-to-read">How to read this report</h2><div class="howto">{items}</div>'


def _legend(bridged: bool) -> str:
    def swatch(cls: str, style: str, text: str) -> str:
        return f'<li><span class="{cls}" style="{style}"></span>{escape(text)}</li>'

    items = [
        swatch("sw", f"background:{GREEN};border-color:{GREEN_EDGE}",
               "Context: a green box, as in the review's Fig. 7 ('modifiable': a lever)"),
        swatch("sw ellipse", f"background:{BLUE};border-color:{BLUE_EDGE}",
               "Mechanism or outcome: a blue ellipse"),
        swatch("sw", f"background:linear-gradient(90deg,{fill('context', 0.0)},{fill('context', 1.0)});"
                     f"border-color:{GREEN_EDGE}",
               "Deeper fill: setting the node moves the answer more (its swing, written under its name)"),
        swatch("sw target", f"background:{BLUE};border-color:{TARGET}", "The target"),
        swatch("ln", f"border-top-style:solid;border-color:{PROMOTE}", "promotes"),
        swatch("ln", f"border-top-style:dashed;border-color:{INHIBIT}", "inhibits (thicker: more sources)"),
    ]
    if bridged:
        items.append(swatch("ln", f"border-top-style:dotted;border-color:{INDIRECT}",
                            "a longer path to a lever named above (its links not drawn)"))
    items.append("<li>'when ...': the link acts only in that condition</li>")
    return '<ul class="legend">' + "".join(items) + "</ul>"


def _web(data: ReportData, svgs: Mapping[str, str | None], web_note: str | None, near: Neighbourhood | None
         ) -> list[str]:
    q = data.question
    parts = [f'<h2 id="web">The causal web around {escape(q.label(q.target))}</h2>',
             f'<p class="explain">Everything within two links of {escape(q.label(q.target))}: on the left what '
             "leads to it, on the right what it leads to, with its state in this situation or its swing under "
             "each name. Point at a node for its definition, at a link for its sources.</p>"]
    picture = svgs.get("web_near")
    if picture:
        parts.append(f'<figure class="wide">{legible(inline(picture))}</figure>')
        parts.append(_legend(near is not None and any(b.links > 1 for b in near.bridges)))
    else:
        parts.append(f'<p class="warning">{escape(web_note or "The causal web could not be drawn.")}</p>')
    if svgs.get("web"):
        parts.append('<p><a href="web.svg">Open the whole causal web at full size (web.svg)</a>, grouped by the '
                     "stage of a collaboration the review places each node in.</p>")
    return parts


def _sources(ids: list[str], citations: Mapping[str, Citation]) -> list[str]:
    known = sorted_citations(ids, citations)
    if not known:
        return []
    items = "".join(f'<li id="source-{escape(c.id)}"><strong>{escape(c.short)}</strong>: {escape(c.full)} '
                    f"({escape(where(c))})</li>" for c in known)
    return ['<h2 id="sources">Sources cited</h2>', f'<ul class="sources">{items}</ul>']


def to_html(
    data: ReportData,
    tables: Mapping[str, pd.DataFrame],
    svgs: Mapping[str, str | None],
    *,
    web_note: str | None = None,
    near: Neighbourhood | None = None,
    version: str = "",
) -> str:
    """The whole report page.

    Parameters
    ----------
    data : ReportData
    tables : mapping
        Name -> DataFrame, as :func:`bayesnet.report.tables.all_tables` gives.
    svgs : mapping
        ``tornado``, ``forest``, ``evidence``, ``web_near`` (the web around the target),
        ``web`` (the whole web) -> SVG text (the webs may be None).
    web_note : str, optional
        Shown instead of the causal web when it could not be drawn.
    near : Neighbourhood, optional
        What ``web_near`` draws (its legend explains a bridge only when there is one).
    """
    q = data.question
    s = data.settings
    h = headline_box(data)
    views = table_views(data, tables)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(h.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(h.title)}</h1>",
        f'<p class="ask">{escape(h.question)}</p>',
        *([f'<p class="ask">{escape(h.sources)}</p>'] if h.sources else []),
        _headline(h),
        '<nav>On this page: <a href="#how-to-read">How to read it</a> \u00b7 <a href="#web">The causal web</a>'
        + "".join(f' \u00b7 <a href="#{name}">{escape(view.title)}</a>' for name, view in views.items())
        + ' \u00b7 <a href="#sources">Sources</a></nav>',
        _how_to_read(data),
    ]
    sit = situation_table(data)
    if len(sit):
        parts += ['<h2 id="situation">The situation</h2>', _table(situation_view(sit), data.citations)]
    parts += _web(data, svgs, web_note, near)
    for name, view in views.items():
        parts.append(f'<h2 id="{name}">{escape(view.title)}</h2>')
        parts.append(f'<p class="explain">{escape(EXPLAIN.get(name, ""))}</p>')
        if name in _FIGURES:
            key, caption = _FIGURES[name]
            parts.append(_figure(svgs.get(key), caption))
        if name == "lever_set" and data.levers.method == "greedy" and data.levers.bound is not None:
            parts.append(f'<p class="explain">Greedy search: if the levers have diminishing returns, no set of '
                         f"{data.levers.k} reaches above {data.levers.bound:.3f}.</p>")
        parts.append(_table(view, data.citations))
    parts += _sources(cited_sources(views), data.citations)
    parts.append(f"<footer>In ids, as the command line takes them: {escape(q.describe())}. Model: "
                 f"{escape(data.model_name)}; {s['draws']} posterior draws (seed {s['seed']}); intervals are "
                 f"{s['hdi_prob']:.0%} highest-density intervals. The formulas are in docs/sensitivity.md of the "
                 f"bayesnet sources. Generated by bayesnet {escape(version)}.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
