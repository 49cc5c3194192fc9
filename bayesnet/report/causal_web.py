"""Drawing the causal web in the review's visual language (its Fig. 7), with Graphviz.

Contexts are green boxes, mechanisms and outcomes blue ellipses; nodes are grouped by the
stage the review places them in; a link's pen width grows with its number of distinct
supporting sources; inhibiting links are red and dashed with a flat arrowhead; moderated
links carry their condition as a label; feedback links across time slices (lag 1) are
dotted grey. Optionally nodes are shaded by an influence score (reports use it for
"coloured by influence on the target").
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from bayesnet.build.graph import link_name
from bayesnet.errors import ParameterError
from bayesnet.files import write_bytes_atomic, write_text_atomic
from bayesnet.inputs.codebook import STAGES, Codebook

__all__ = ["FORMATS", "render", "to_dot"]

FORMATS = ("svg", "png", "pdf", "dot")
GREEN = "#d9ead3"
GREEN_EDGE = "#38761d"
BLUE = "#cfe2f3"
BLUE_EDGE = "#1c4587"
PROMOTE = "#1c4587"
INHIBIT = "#b22222"
_STAGE_LABELS = {
    "early": "Early stages (connecting)",
    "middle": "Middle stage (mid-life)",
    "atemporal": "Atemporal (any time)",
    "performance": "Partnership performance",
}


def _quote(text: str) -> str:
    """A DOT string literal; a newline becomes DOT's centred line break."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def _influence_colour(score: float) -> str:
    """White (0) to orange-red (1) for an influence score in [0, 1]."""
    s = min(max(score, 0.0), 1.0)
    r, g, b = 255, int(255 - 155 * s), int(255 - 220 * s)
    return f"#{r:02x}{g:02x}{b:02x}"


def to_dot(
    codebook: Codebook,
    links: pd.DataFrame,
    *,
    influence: Mapping[str, float] | None = None,
    show_feedback: bool = True,
    title: str | None = None,
) -> str:
    """The causal web as DOT source.

    Parameters
    ----------
    codebook : Codebook
    links : pandas.DataFrame
        From :func:`bayesnet.build.graph.link_table`.
    influence : mapping, optional
        Node -> score in [0, 1]; when given, nodes are filled by it (others stay white).
    show_feedback : bool
        Draw lag-1 (feedback across time slices) links, dotted.
    title : str, optional
        Graph label.

    Returns
    -------
    str
        Deterministic DOT text (same inputs, same bytes).
    """
    lines = [
        "digraph causal_web {",
        '  graph [rankdir=LR, newrank=true, compound=true, fontname="Helvetica", '
        "nodesep=0.25, ranksep=0.9, splines=true"
        + (f", label={_quote(title)}, labelloc=t, fontsize=20" if title else "")
        + "];",
        '  node [fontname="Helvetica", fontsize=11, style="filled"];',
        '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
    ]
    for i, stage in enumerate(STAGES):
        members = [n for n in codebook if n.stage == stage]
        if not members:
            continue
        lines.append(f"  subgraph cluster_{i}_{stage} {{")
        lines.append(f'    label={_quote(_STAGE_LABELS[stage])}; style="rounded,dashed"; color="#999999"; fontsize=13;')
        for node in members:
            if node.kind == "context":
                shape, fill, border = "box", GREEN, GREEN_EDGE
            else:
                shape, fill, border = "ellipse", BLUE, BLUE_EDGE
            if influence is not None:
                fill = _influence_colour(float(influence.get(node.id, 0.0)))
            label = node.label
            if node.kind == "context" and node.modifiable:
                label += "\n(modifiable)"
            lines.append(
                f"    {node.id} [label={_quote(label)}, shape={shape}, fillcolor={_quote(fill)}, "
                f"color={_quote(border)}, tooltip={_quote(node.definition)}];"
            )
        lines.append("  }")
    for rec in links.to_dict(orient="records"):
        row = SimpleNamespace(**{k: v for k, v in rec.items() if k not in ("from", "to")})
        parent, child = rec["from"], rec["to"]
        if row.lag != 0 and not show_feedback:
            continue
        n = int(row.n_support)
        attrs = [f"penwidth={1.0 + 1.5 * math.log2(1 + n):.2f}"]
        edge_label = []
        if row.lag:
            # feedback to the next time slice: grey, dotted, not used for ranking
            attrs += ['color="#888888"', 'style="dotted"', "constraint=false"]
            attrs.append("arrowhead=tee" if row.sign < 0 else "arrowhead=normal")
            edge_label.append("next slice")
        elif row.sign < 0:
            attrs += [f"color={_quote(INHIBIT)}", 'style="dashed"', "arrowhead=tee"]
        else:
            attrs += [f"color={_quote(PROMOTE)}", "arrowhead=normal"]
        if isinstance(row.when_node, str):
            edge_label.insert(0, f"when {row.when_node}={row.when_state}")
        if edge_label:
            attrs.append(f"label={_quote('; '.join(edge_label))}")
        support = ", ".join(row.support_ids)
        name = link_name(parent, child, row.sign, row.when_node, row.when_state, lag=row.lag)
        attrs.append(f"tooltip={_quote(f'link {row.link}: {name}; {n} supporting ({support})')}")
        lines.append(f"  {parent} -> {child} [{', '.join(attrs)}];")
    context_style = f"fillcolor={_quote(GREEN)}, color={_quote(GREEN_EDGE)}"
    mechanism_style = f"fillcolor={_quote(BLUE)}, color={_quote(BLUE_EDGE)}"
    legend = "\n".join([
        '  subgraph cluster_legend { label="Legend"; style="rounded"; color="#999999"; fontsize=12;',
        f'    legend_context [label="Context", shape=box, {context_style}];',
        f'    legend_mechanism [label="Mechanism / outcome", shape=ellipse, {mechanism_style}];',
        f'    legend_context -> legend_mechanism [label="promotes", color={_quote(PROMOTE)}];',
        f'    legend_mechanism -> legend_inhibit [label="inhibits", color={_quote(INHIBIT)}, '
        'style="dashed", arrowhead=tee];',
        '    legend_inhibit [label="(width: number of sources)", shape=plaintext, style=""];',
        "  }",
    ])
    lines.append(legend)
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(dot_source: str, out: str | Path, *, fmt: str | None = None) -> tuple[Path, str | None]:
    """Write the web as SVG, PNG, PDF or DOT (format from ``fmt`` or the file suffix).

    When Graphviz's ``dot`` program is missing, the DOT source is written next to ``out``
    (suffix ``.dot``) and the returned message says how to install Graphviz.

    Returns
    -------
    (pathlib.Path, str or None)
        The file written, and a message when only the DOT source could be written.

    Raises
    ------
    ParameterError
        Unknown format.
    """
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".") or "svg").lower()
    if fmt not in FORMATS:
        raise ParameterError(
            f"The 'format' parameter of render must be one of {', '.join(FORMATS)}. Got {fmt!r} instead."
        )
    if fmt == "dot":
        return write_text_atomic(out, dot_source), None
    if shutil.which("dot") is None:
        dot_path = write_text_atomic(out.with_suffix(".dot"), dot_source)
        return dot_path, (
            f"Graphviz's 'dot' program was not found, so only the DOT source was written to "
            f"{dot_path}. Install Graphviz (Debian/Ubuntu: 'apt-get install graphviz'; macOS: "
            f"'brew install graphviz'; conda: 'conda install graphviz') and run again, or "
            f"render it with 'dot -T{fmt} {dot_path} -o {out}'."
        )
    import graphviz

    data = graphviz.Source(dot_source).pipe(format=fmt)
    return write_bytes_atomic(out, data), None
