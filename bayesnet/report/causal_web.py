"""Drawing the causal web in the review's visual language (its Fig. 7), with Graphviz.

"Elements that only serve as contexts are represented in green boxes, and mechanisms/outcomes
as blue ellipses" (the review, on its Fig. 7): the green and the blue are the project's
(:data:`bayesnet.display.charts.COLOURS`), filled with a light tint of them. A link's pen
width grows with its number of distinct supporting sources; inhibiting links are red and
dashed with a flat arrowhead; moderated links carry their condition as a label; feedback
links across time slices (lag 1) are dotted grey. Optionally the tint deepens with an
influence score (reports use a node's swing on the target), and a line of text can be added
under any node's name (its swing, its state in the situation).

:func:`to_dot` draws the whole web, grouped by the stage the review places each node in, or,
with ``centre=``, the :func:`neighbourhood` of one node: what leads to it and what it leads to
within a few links, in columns by distance, so that it stays legible at a page's width.
"""

from __future__ import annotations

import math
import shutil
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from bayesnet.build.graph import row_link_name
from bayesnet.checks import check_positive_int
from bayesnet.display.charts import COLOURS
from bayesnet.errors import ParameterError, QueryError, closest
from bayesnet.files import write_bytes_atomic, write_text_atomic
from bayesnet.inputs.codebook import STAGES, Codebook, Node

if TYPE_CHECKING:
    from bayesnet.build.model import Model

__all__ = ["BLUE", "BLUE_EDGE", "FORMATS", "FRAME", "GREEN", "GREEN_EDGE", "INDIRECT", "INHIBIT", "PROMOTE", "TARGET",
           "Bridge", "Neighbourhood", "fill", "neighbourhood", "render", "to_dot"]

FORMATS = ("svg", "png", "pdf", "dot")
GREEN_EDGE = COLOURS["context"]
BLUE_EDGE = COLOURS["mechanism"]
PROMOTE = COLOURS["mechanism"]
INHIBIT = COLOURS["highlight"]
TARGET = COLOURS["highlight"]
INDIRECT = COLOURS["given"]
FRAME = COLOURS["given"]
_TINT = 0.22
"""Share of the kind's colour in a node's fill when no influence is shown (the rest white)."""
_TINT_RANGE = (0.10, 0.62)
"""Share of the kind's colour in the fill for an influence of 0 and of 1."""
_WRAP = {"whole": 24, "centre": 11}
"""Characters per line of a node's name (and, a few more, of a link's condition), by picture."""
_STAGE_LABELS = {
    "early": "Early stages (connecting)",
    "middle": "Middle stage (mid-life)",
    "atemporal": "Atemporal (any time)",
    "performance": "Partnership performance",
}


def _mix(colour: str, share: float) -> str:
    """``colour`` (``#rrggbb``) mixed with white: ``share`` 1 is the colour, 0 white."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - share * (255 - c)):02x}" for c in rgb)


def fill(kind: str, influence: float | None = None) -> str:
    """A node's fill: a tint of the review's green (contexts) or blue (mechanisms and
    outcomes), light without an influence, deeper the larger the influence (in [0, 1])."""
    colour = GREEN_EDGE if kind == "context" else BLUE_EDGE
    if influence is None:
        return _mix(colour, _TINT)
    low, high = _TINT_RANGE
    return _mix(colour, low + (high - low) * min(max(float(influence), 0.0), 1.0))


GREEN = fill("context")
"""The fill of a context when no influence is shown."""
BLUE = fill("mechanism")
"""The fill of a mechanism or an outcome when no influence is shown."""


def _quote(text: str) -> str:
    """A DOT string literal; a newline becomes DOT's centred line break."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


@dataclass(frozen=True)
class Bridge:
    """A node beyond a neighbourhood's reach, joined to it by a path whose links are not drawn.

    Attributes
    ----------
    node : str
    path : tuple of str
        The shortest path of links from ``node`` to the first node of the neighbourhood it
        meets on its way to the target (or, downstream, from the last such node to ``node``).
    """

    node: str
    path: tuple[str, ...]

    @property
    def links(self) -> int:
        """Links on the path."""
        return len(self.path) - 1


@dataclass(frozen=True)
class Neighbourhood:
    """The part of the causal web within ``steps`` same-time links of a target, either way.

    Attributes
    ----------
    target : str
    steps : int
    distance : mapping
        Node -> signed number of links between it and the target along the shortest path of
        same-time links: negative for nodes that lead to the target, positive for nodes it
        leads to, 0 for the target.
    bridges : tuple of Bridge
        Nodes asked for (``also``) beyond ``steps`` links, each with the path joining it.
    """

    target: str
    steps: int
    distance: Mapping[str, int]
    bridges: tuple[Bridge, ...] = ()

    @property
    def nodes(self) -> list[str]:
        """Every node drawn: the neighbourhood, then the bridged nodes."""
        return [*self.distance, *(b.node for b in self.bridges)]


def _same_time_graph(links: pd.DataFrame) -> nx.DiGraph:
    same = links[links["lag"] == 0]
    graph = nx.DiGraph()
    graph.add_edges_from(zip(same["from"], same["to"], strict=True))
    return graph


def neighbourhood(model: Model, target: str, *, steps: int = 2, also: Iterable[str] = ()) -> Neighbourhood:
    """The nodes within ``steps`` same-time links of ``target``, either way.

    Parameters
    ----------
    model : Model
    target : str
    steps : int
        Links to follow from the target, towards its causes and towards its effects.
    also : iterable of str
        Nodes to show even when they are further away (the report's top levers); each is
        joined by a :class:`Bridge` along its shortest path. Nodes with no path to or from
        the target are left out.

    Returns
    -------
    Neighbourhood

    Raises
    ------
    QueryError
        Unknown target or node in ``also`` (with the closest names).
    ParameterError
        ``steps`` is not a positive integer.
    """
    steps = check_positive_int(steps, "steps", "neighbourhood")
    ids = model.codebook.ids
    for node in (target, *also):
        if node not in model.codebook:
            raise QueryError(f"unknown node {node!r}", suggestions=closest(str(node), ids))
    graph = _same_time_graph(model.links)
    graph.add_node(target)
    up = nx.single_source_shortest_path_length(graph.reverse(copy=False), target, cutoff=steps)
    down = nx.single_source_shortest_path_length(graph, target, cutoff=steps)
    order = {n: i for i, n in enumerate(ids)}
    distance = {target: 0}
    for node in sorted(up, key=lambda n: (up[n], order[n])):
        distance.setdefault(node, -up[node])
    for node in sorted(down, key=lambda n: (down[n], order[n])):
        distance.setdefault(node, down[node])
    bridges = []
    for node in dict.fromkeys(also):
        if node in distance:
            continue
        if nx.has_path(graph, node, target):
            path = nx.shortest_path(graph, node, target)
            cut = next(i for i, n in enumerate(path) if n in distance)
            bridges.append(Bridge(node, tuple(path[:cut + 1])))
        elif nx.has_path(graph, target, node):
            path = nx.shortest_path(graph, target, node)
            cut = max(i for i, n in enumerate(path) if n in distance)
            bridges.append(Bridge(node, tuple(path[cut:])))
    return Neighbourhood(target, steps, distance, tuple(bridges))


def _node_line(n: Node, *, influence: Mapping[str, float] | None, notes: Mapping[str, str], centre: str | None,
               wrap: int) -> str:
    shape, border = ("box", GREEN_EDGE) if n.kind == "context" else ("ellipse", BLUE_EDGE)
    colour = fill(n.kind, None if influence is None else float(influence.get(n.id, 0.0)))
    label = _wrap(n.label, wrap)
    if n.kind == "context" and n.modifiable:
        label += "\n(modifiable)"
    if n.id in notes:
        label += "\n" + _wrap(notes[n.id], wrap)
    attrs = [f"label={_quote(label)}", f"shape={shape}", f"fillcolor={_quote(colour)}"]
    if n.id == centre:
        attrs += [f"color={_quote(TARGET)}", "penwidth=3.5", 'fontname="Helvetica-Bold"']
    else:
        attrs.append(f"color={_quote(border)}")
    attrs.append(f"tooltip={_quote(n.definition)}")
    return f"    {n.id} [{', '.join(attrs)}];"


def _link_line(rec: Mapping[str, Any], labels: Mapping[str, str], sources: Mapping[str, str], wrap: int) -> str:
    row = SimpleNamespace(**{k: v for k, v in rec.items() if k not in ("from", "to")})
    parent, child = rec["from"], rec["to"]
    n = int(row.n_support)
    attrs = [f"penwidth={1.0 + 1.5 * math.log2(1 + n):.2f}"]
    edge_label = []
    if row.lag:
        # feedback to the next time slice: grey, dotted, not used for ranking
        attrs += [f"color={_quote(INDIRECT)}", 'style="dotted"', "constraint=false"]
        attrs.append("arrowhead=tee" if row.sign < 0 else "arrowhead=normal")
        edge_label.append("next slice")
    elif row.sign < 0:
        attrs += [f"color={_quote(INHIBIT)}", 'style="dashed"', "arrowhead=tee"]
    else:
        attrs += [f"color={_quote(PROMOTE)}", "arrowhead=normal"]
    if isinstance(row.when_node, str):
        edge_label.insert(0, f"when {labels.get(row.when_node, row.when_node)} = {row.when_state}")
    if isinstance(rec.get("and_node"), str):  # a joint cause: the other parent in its state
        edge_label.insert(0, f"with {labels.get(rec['and_node'], rec['and_node'])} = {rec['and_state']}")
    if isinstance(rec.get("from_state"), str):  # a link from one state of its parent
        edge_label.insert(0, f"from {rec['from_state']}")
    if edge_label:
        attrs.append(f"label={_quote(_wrap('; '.join(edge_label), wrap + 4))}")
    support = ", ".join(sources.get(i, i) for i in row.support_ids)
    name = row_link_name(rec, labels=labels)
    attrs.append(f"tooltip={_quote(f'link {row.link}: {name}; {n} supporting ({support})')}")
    return f"  {parent} -> {child} [{', '.join(attrs)}];"


def to_dot(
    codebook: Codebook,
    links: pd.DataFrame,
    *,
    influence: Mapping[str, float] | None = None,
    show_feedback: bool = True,
    title: str | None = None,
    centre: Neighbourhood | None = None,
    notes: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
) -> str:
    """The causal web as DOT source.

    Parameters
    ----------
    codebook : Codebook
    links : pandas.DataFrame
        From :func:`bayesnet.build.graph.link_table`.
    influence : mapping, optional
        Node -> score in [0, 1]; when given, the green or blue fill deepens with it (nodes
        without a score get the lightest tint).
    show_feedback : bool
        Draw lag-1 (feedback across time slices) links, dotted.
    title : str, optional
        Graph label.
    centre : Neighbourhood, optional
        Draw only this :func:`neighbourhood` and the links between its nodes, left to right:
        what leads to the target, the target outlined in red, what it leads to. A bridged
        node further away is joined by a dotted grey line labelled with the number of links
        on its path (those links are not drawn). Names wrap at fewer characters, links are
        packed closer and their conditions are written as large as the names, so the
        picture stays legible at a page's width. Without it: the whole web, grouped by
        stage, with a legend.
    notes : mapping, optional
        Node -> a line of text written under its name.
    sources : mapping, optional
        Source id -> how a link's tooltip cites it (default: the id).

    Returns
    -------
    str
        Deterministic DOT text (same inputs, same bytes).
    """
    notes = dict(notes or {})
    labels = {n.id: n.label for n in codebook}
    big = centre is not None
    wrap = _WRAP["centre" if big else "whole"]
    lines = [
        "digraph causal_web {",
        '  graph [rankdir=LR, newrank=true, compound=true, fontname="Helvetica", '
        + ("nodesep=0.12, ranksep=0.15, splines=true" if big else "nodesep=0.25, ranksep=0.9, splines=true")
        + (f", label={_quote(title)}, labelloc=t, fontsize=20" if title else "")
        + "];",
        '  node [fontname="Helvetica", fontsize=11, style="filled", margin="0.06,0.03"];',
        f'  edge [fontname="Helvetica", fontsize={11 if big else 9}, arrowsize=0.7];',
    ]
    if centre is not None:
        drawn = set(centre.nodes)
        lines.extend(_node_line(codebook[node], influence=influence, notes=notes, centre=centre.target, wrap=wrap)
                     for node in centre.nodes)
    else:
        drawn = set(codebook.ids)
        for i, stage in enumerate(STAGES):
            members = [n for n in codebook if n.stage == stage]
            if not members:
                continue
            lines.append(f"  subgraph cluster_{i}_{stage} {{")
            lines.append(f'    label={_quote(_STAGE_LABELS[stage])}; style="rounded,dashed"; color="{FRAME}"; '
                         "fontsize=13;")
            lines.extend(_node_line(node, influence=influence, notes=notes, centre=None, wrap=wrap)
                         for node in members)
            lines.append("  }")
    for rec in links.to_dict(orient="records"):
        if (rec["lag"] != 0 and not show_feedback) or not {rec["from"], rec["to"]} <= drawn:
            continue
        lines.append(_link_line(rec, labels, sources or {}, wrap))
    if centre is not None:
        for bridge in (b for b in centre.bridges if b.links > 1):  # a single link is drawn as itself
            a, b = bridge.path[0], bridge.path[-1]
            via = " -> ".join(labels[n] for n in bridge.path)
            lines.append(f'  {a} -> {b} [color={_quote(INDIRECT)}, style="dotted", penwidth=1.6, '
                         f"label={_quote(f'{bridge.links} links')}, tooltip={_quote(f'path not drawn: {via}')}];")
    else:
        lines.append(_legend())
    lines.append("}")
    return "\n".join(lines) + "\n"


def _legend() -> str:
    context_style = f"fillcolor={_quote(GREEN)}, color={_quote(GREEN_EDGE)}"
    mechanism_style = f"fillcolor={_quote(BLUE)}, color={_quote(BLUE_EDGE)}"
    return "\n".join([
        f'  subgraph cluster_legend {{ label="Legend"; style="rounded"; color="{FRAME}"; fontsize=12;',
        f'    legend_context [label="Context (green box)", shape=box, {context_style}];',
        f'    legend_mechanism [label="Mechanism / outcome\\n(blue ellipse)", shape=ellipse, {mechanism_style}];',
        f'    legend_context -> legend_mechanism [label="promotes", color={_quote(PROMOTE)}];',
        f'    legend_mechanism -> legend_inhibit [label="inhibits", color={_quote(INHIBIT)}, '
        'style="dashed", arrowhead=tee];',
        '    legend_inhibit [label="(width: number of sources;\\ndeeper fill: more influence)", shape=plaintext, '
        'style=""];',
        "  }",
    ])


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
