"""The report as one self-contained HTML page: inline CSS and SVG, no scripts, no links out.

Pure: takes the computed :class:`~bayesnet.report.data.ReportData`, its tables and its SVG
pictures and returns text.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from html import escape

import pandas as pd

from bayesnet.report.data import ReportData
from bayesnet.report.plots import inline
from bayesnet.report.tables import TABLES, cell, key_points, situation_table, sources_note

__all__ = ["to_html"]

_CSS = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; margin-top: 2em; }
.meta { color: #555; font-size: 0.9em; }
.keypoints li { margin-bottom: 0.4em; }
table { border-collapse: collapse; font-size: 0.82em; margin: 0.8em 0; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; }
.note { background: #fff4e5; border-left: 4px solid #e69138; padding: 0.6em 1em; }
.explain { color: #444; font-size: 0.92em; }
"""

_EXPLAIN = {
    "tornado": "Each row sets one context or mechanism to each of its states by intervention (do), everything "
               "else as in the situation. The bar runs from the probability at the state that gives the lowest to "
               "the one that gives the highest (means over posterior draws), each end with its HDI; the swing is "
               "their difference, and p_same_direction the share of draws in which the high state does give the "
               "higher probability. Levers are modifiable contexts, givens are not.",
    "levers": "Each modifiable context left free by the situation, set to the state that raises the probability "
              "most: the gain is the paired difference over posterior draws, with its HDI; p_improves is the "
              "share of draws in which it does raise it. Levers with the same gain (to 1e-9) share a rank.",
    "lever_set": "The best sets found by searching the posterior-mean network, each then evaluated over every "
                 "posterior draw: gain with its HDI, and p_best, the share of draws in which the set beats the "
                 "others listed. Sets with the same gain (to 1e-9) share a rank and are marked tied.",
    "givens": "Contexts nobody in the collaboration can change. Fixed ones are shown with the probability had they "
              "been otherwise; they explain the situation and are not advice.",
    "findings": "How much observing each node would tell about the target (Netica's sensitivity to findings): "
                "mutual information in bits and the reduction in the variance of the target's state number.",
    "evidence": "For every coded link: P(direction), the probability it acts the way its sources say; its mean "
                "strength; the derivative of the answer with respect to its weight; and what one more study of it "
                "is worth: the expected fall in the answer's posterior variance, averaged over what the study could "
                "report (support, contradiction or no finding, with their predictive probabilities), and, where "
                "shown, the probability it would change the best set of levers.",
    "scenarios": "The same probability under each collaboration-type preset, on the same posterior draws, with "
                 "the paired difference from this report's situation, its HDI and P(higher).",
    "studies": "Each source left out in turn, exactly (the model rebuilt without it, over the same posterior draws): "
               "the probability without it and the change from now, largest first; only sources that change the "
               "answer are listed. dropped_links are links no other source states, which leave the model with it. "
               "p_claim is the share of draws in which the best set of levers still raises the answer without the "
               "source.",
    "robustness": "The same question under other settings of the model (source-kind weights, the largest effect "
                  "of a link, the direction and strength priors, the spread of uncoded causes, the weight model), "
                  "over the same draws; row 0 is the model's own settings. holds: the best set of levers still "
                  "raises the answer on average.",
}


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for col, value in zip(frame.columns, row, strict=True):
            text = escape(cell(str(col), value))
            numeric = isinstance(value, numbers.Number) and not isinstance(value, bool)
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            "</div>")


def _figure(svg: str | None, caption: str) -> str:
    if svg is None:
        return ""
    return f"<figure>{inline(svg)}<figcaption>{escape(caption)}</figcaption></figure>"


def to_html(
    data: ReportData,
    tables: Mapping[str, pd.DataFrame],
    svgs: Mapping[str, str | None],
    *,
    web_note: str | None = None,
    version: str = "",
) -> str:
    """The whole report page.

    Parameters
    ----------
    data : ReportData
    tables : mapping
        Name -> DataFrame, as :func:`bayesnet.report.tables.all_tables` gives.
    svgs : mapping
        ``tornado``, ``forest``, ``evidence``, ``web`` -> SVG text (``web`` may be None).
    web_note : str, optional
        Shown instead of the causal web when it could not be drawn.
    """
    q = data.question
    s = data.settings
    title = f"What matters for {q.target} = {q.state}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">Situation: {escape(q.situation.describe())}<br>Model: {escape(data.model_name)}; '
        f"{s['draws']} posterior draws (seed {s['seed']}); intervals are {s['hdi_prob']:.0%} highest-density "
        f"intervals. Generated by bayesnet {escape(version)}.</p>",
        *([f'<p class="meta">{escape(note)}</p>'] if (note := sources_note(data)) else []),
        "<h2>Key points</h2>",
        '<ul class="keypoints">' + "".join(f"<li>{escape(p)}</li>" for p in key_points(data)) + "</ul>",
    ]
    sit = situation_table(data)
    if len(sit):
        parts += ["<h2>The situation</h2>", _table(sit)]
    figures = {"tornado": ("tornado", "Tornado of the contexts (levers green, givens grey): widest swings first; "
                                      "the whisker is the HDI of the swing, drawn from the low end."),
               "evidence": ("evidence", "Expected narrowing of the answer's posterior sd from one more study, "
                                        "per link."),
               "scenarios": ("forest", "Forest plot: the probability and its HDI under each collaboration type.")}
    for name, (heading, _) in TABLES.items():
        if name not in tables:  # an analysis this report did not run
            continue
        parts.append(f'<h2 id="{name}">{escape(heading)}</h2>')
        parts.append(f'<p class="explain">{escape(_EXPLAIN[name])}</p>')
        if name in figures:
            key, caption = figures[name]
            parts.append(_figure(svgs.get(key), caption))
        if name == "lever_set" and data.levers.method == "greedy" and data.levers.bound is not None:
            parts.append(f'<p class="explain">Greedy search: if the levers have diminishing returns, no set of '
                         f"{data.levers.k} reaches above {data.levers.bound:.3f}.</p>")
        parts.append(_table(tables[name]))
    parts.append('<h2 id="web">The causal web, coloured by influence on the target</h2>')
    parts.append('<p class="explain">Nodes are shaded by their swing in the tornado relative to the largest '
                 f"(white: none; red: the largest). The target is {escape(q.target)}.</p>")
    if svgs.get("web"):
        parts.append(_figure(svgs["web"], "Causal web: contexts as boxes, mechanisms and outcomes as ellipses."))
    else:
        parts.append(f'<p class="note">{escape(web_note or "The causal web could not be drawn.")}</p>')
    parts.append('<h2>How to read this report</h2><p class="explain">Probabilities come from the posterior-mean '
                 "network; intervals from the posterior draws of the link reliabilities, base rates and biases, "
                 "so they are wide where few studies stand behind the links. Setting a node is an intervention "
                 "(its own causes are cut). The formulas are in docs/sensitivity.md of the bayesnet sources.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
