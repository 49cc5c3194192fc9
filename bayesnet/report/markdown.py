"""The report as Markdown: the same headline, guide and tables as the HTML page, pictures linked.

Pure. The tables are the page's views (:mod:`bayesnet.report.views`: labels, rounded
numbers, intervals in one cell, sources by first author and year); the CSV files beside it
keep every column, the ids and full precision. In every text that comes from the model's
files (labels, ids, states, scenario names, citations) ``<`` is written ``&lt;``, since
Markdown renderers pass raw HTML through: a label ``<script>...`` or ``<img onerror=...>``
stays text, and ``->`` stays readable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from bayesnet.inputs.citations import Citation, sorted_citations, where
from bayesnet.report.data import ReportData
from bayesnet.report.summary import HOW_TO_READ, headline_box
from bayesnet.report.tables import situation_table
from bayesnet.report.views import EXPLAIN, MAX_ROWS, Cited, View, cited_sources, situation_view, table_views

__all__ = ["markdown_table", "to_markdown"]

_PICTURES = {"tornado": "tornado.svg", "evidence": "evidence.svg", "scenarios": "forest.svg"}


def _text(text: object) -> str:
    """Text from the model's files, safe in Markdown: no HTML tag can open, on one line."""
    return str(text).replace("<", "&lt;").replace("\n", " ")


def _escape(text: str) -> str:
    """A table cell: :func:`_text` with ``|`` escaped."""
    return _text(text).replace("|", "\\|")


def _cell(value: object, citations: Mapping[str, Citation]) -> str:
    if isinstance(value, Cited):
        return "; ".join(citations[i].short if i in citations else i for i in value.ids)
    return str(value)


def markdown_table(view: View, citations: Mapping[str, Citation] | None = None) -> str:
    """A view as a GitHub-flavoured Markdown table (numbers right-aligned), with a line on the
    rows left out."""
    cites = citations or {}
    frame: pd.DataFrame = view.frame
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(_escape(c) for c in cols) + " |",
             "|" + "|".join("---:" if c in view.numeric else "---" for c in cols) + "|"]
    lines.extend("| " + " | ".join(_escape(_cell(v, cites)) for v in row) + " |"
                 for row in frame.itertuples(index=False))
    if view.more > 0:
        lines += ["", f"The first {len(frame)} of {view.total} rows; all of them, with every column, are in "
                      f"{_text(view.name)}.csv."]
    return "\n".join(lines)


def _item(text: str) -> str:
    """A list item's text that Markdown does not read as a numbered list."""
    return re.sub(r"^(\d+)\.", r"\1\\.", _text(text))


def to_markdown(data: ReportData, tables: Mapping[str, pd.DataFrame], *, web: str | None = "web.svg",
                web_near: str | None = "web_near.svg", version: str = "") -> str:
    """The whole report as Markdown, linking the SVG pictures written beside it."""
    q = data.question
    s = data.settings
    h = headline_box(data)
    views = table_views(data, tables)
    cites = data.citations
    hdi = f"{s['hdi_prob']:.0%}"
    out = [
        f"# {_text(h.title)}",
        "",
        _text(h.question),
        "",
        *([_text(h.sources), ""] if h.sources else []),
        f"> The probability in this situation: **{_text(h.answer)}**",
        ">",
        f"> - **What to change:** {_text(h.levers)}",
        *(f">   - {_item(x)}" for x in h.top_levers),
        f"> - **What moves it most:** {_text(h.moves)}",
        f"> - **Other collaboration types:** {_text(h.scenarios)}",
        f"> - **Where evidence is thin:** {_text(h.evidence)}",
        *([f"> - **Which studies carry it:** {_text(h.studies)}"] if h.studies else []),
        *([f"> - **Under other settings:** {_text(h.robustness)}"] if h.robustness else []),
        ">",
        f"> {_text(h.note)}",
        "",
        "## How to read this report",
        "",
        *(f"- **{head}.** {text.format(hdi=hdi, rows=MAX_ROWS)}" for head, text in HOW_TO_READ),
        "",
    ]
    sit = situation_table(data)
    if len(sit):
        out += ["## The situation", "", markdown_table(situation_view(sit)), ""]
    out += [f"## The causal web around {_text(q.label(q.target))}", ""]
    if web_near:
        out += [f"![The causal web around {_text(q.label(q.target))}]({web_near})", "",
                "Contexts are green boxes and mechanisms and outcomes blue ellipses, as in the review's Fig. 7; "
                "the deeper the fill, the more setting the node moves the answer (its swing, under its name). "
                "Blue arrows promote, red dashed ones inhibit (thicker: more sources); a dotted grey line is a "
                "longer path to a lever named above.", ""]
    else:
        out += ["Graphviz's `dot` was not found; the DOT sources are in web_near.dot and web.dot.", ""]
    if web:
        out += [f"[The whole causal web at full size]({web})", ""]
    for name, view in views.items():
        out += [f"## {_text(view.title)}", "", EXPLAIN.get(name, ""), ""]
        if name in _PICTURES:
            out += [f"![{_text(view.title)}]({_PICTURES[name]})", ""]
        out += [markdown_table(view, cites), ""]
    cited = sorted_citations(cited_sources(views), cites)
    if cited:
        out += ["## Sources cited", ""]
        out += [f"- **{_text(c.short)}**: {_text(c.full)} ({_text(where(c))})" for c in cited]
        out.append("")
    out += [f"In ids, as the command line takes them: {_text(q.describe())}. Model: {_text(data.model_name)}; "
            f"{s['draws']} posterior draws (seed {s['seed']}); intervals are {hdi} highest-density intervals. "
            f"Generated by bayesnet {version}.", ""]
    return "\n".join(out)
