"""The causal web as a graph: the link table and the DAG built from codebook and evidence.

A *link* is what several sources can report: an arrow ``from -> to``, optionally moderated
(``when``) and optionally a feedback arrow across time slices (``lag = 1``). It may leave
from one state of its parent (``from_state``: the indicator of that state, for a parent
with more than two states) or from two parents at once (``and_node``/``and_state``: the
parent in ``from_state`` and the other in ``and_state``, an interaction). Its row in the
link table counts the **distinct** sources that support it (same direction as the link's
sign) and that contradict it, per source kind, and lists their ids.

Pure: no I/O.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from bayesnet.errors import CycleError
from bayesnet.inputs.codebook import Codebook
from bayesnet.inputs.evidence import SOURCE_KINDS, Evidence
from bayesnet.inputs.settings import Settings

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "INHIBITS",
    "LINK_COLUMNS",
    "PROMOTES",
    "arrow_origins",
    "build_dag",
    "check_acyclic",
    "link_name",
    "link_table",
    "locate_cycle",
    "parents_of",
    "row_link_name",
]

LINK_COLUMNS = (
    "link", "from", "to", "sign", "when_node", "when_state", "lag", "from_state", "and_node", "and_state",
    "n_support", "n_contradict", "w_support", "w_contradict",
    *(f"support_{k}" for k in SOURCE_KINDS),
    *(f"contradict_{k}" for k in SOURCE_KINDS),
    "support_ids", "contradict_ids",
)
"""Columns of :func:`link_table`, in order. ``link`` is the link's id: its row in the table,
the same in every table, picture and command of one model. ``from_state``, ``and_node`` and
``and_state`` are None for a link from its parent's ordered position (all but a few)."""

PROMOTES = "->"
"""How a link that raises its child's upper state is written everywhere."""
INHIBITS = "-|"
"""How a link that lowers it is written everywhere."""


def link_name(
    source: str,
    target: str,
    sign: int,
    when_node: Any = None,
    when_state: Any = None,
    *,
    lag: int = 0,
    labels: Mapping[str, str] | None = None,
    from_state: Any = None,
    and_node: Any = None,
    and_state: Any = None,
) -> str:
    """A link written the one way every table and report writes it.

    ``"trust -> risk_tolerance"``, ``"conflict -| trust"``, ``"legal_agreements -| trust
    [when mandated=voluntary]"``, ``"trust -| conflict [next slice]"``; a link from one state
    ``"ambition=over_ambitious -| perception_of_progress"``; a joint cause
    ``"faith=high & trust=high -> collaborative_behaviour"``. With ``labels`` (node id -> label)
    the nodes are written by their labels: ``"Trust -> Risk tolerance"``,
    ``"Ambition of aims = over_ambitious -| Perception of progress"``.
    """
    name = (lambda v: v) if labels is None else (lambda v: labels.get(v, v))
    equals = "=" if labels is None else " = "
    cause = name(source) if not isinstance(from_state, str) else f"{name(source)}{equals}{from_state}"
    if isinstance(and_node, str):
        cause += f" & {name(and_node)}{equals}{and_state}"
    text = f"{cause} {PROMOTES if sign > 0 else INHIBITS} {name(target)}"
    notes = []
    if isinstance(when_node, str):
        notes.append(f"when {name(when_node)}{equals}{when_state}")
    if lag:
        notes.append("next slice")
    return text + (f" [{'; '.join(notes)}]" if notes else "")


def _text(value: Any) -> str | None:
    """A link-table cell that names a node or state, or None (missing cells are None or NaN)."""
    return value if isinstance(value, str) else None


def row_link_name(row: Any, *, labels: Mapping[str, str] | None = None, sign: int | None = None) -> str:
    """:func:`link_name` of one link-table row (a mapping, a ``Series`` or a record dict).

    Columns the row lacks (a table of an older layout) count as empty; ``sign`` replaces the
    row's own (for rows that carry a sign under another name).
    """
    def get(key: str) -> Any:
        try:
            return row[key]
        except (KeyError, IndexError):
            return None

    lag = get("lag")
    return link_name(
        str(get("from")), str(get("to")), int(get("sign") if sign is None else sign),
        _text(get("when_node")), _text(get("when_state")),
        lag=0 if lag is None else int(lag), labels=labels, from_state=_text(get("from_state")),
        and_node=_text(get("and_node")), and_state=_text(get("and_state")),
    )


@dataclass(frozen=True)
class _Origin:
    source_id: str
    path: str
    line: int | None


def _collect(evidence: Evidence) -> tuple[dict[tuple, dict[str, int]], dict[tuple, list[_Origin]], dict[str, str]]:
    """Link key -> {source id: sign}, link key -> origins, source id -> kind."""
    votes: dict[tuple, dict[str, int]] = defaultdict(dict)
    origins: dict[tuple, list[_Origin]] = defaultdict(list)
    kinds: dict[str, str] = {}
    for src in evidence:
        kinds[src.id] = src.kind
        for cmoc in src.cmocs:
            for arrow in cmoc.arrows():
                origins[arrow.key].append(_Origin(src.id, src.path, cmoc.line))
                previous = votes[arrow.key].get(src.id)
                # A source that states both directions of one link is self-contradictory;
                # it then counts once, as contradicting whichever sign the link ends up with.
                votes[arrow.key][src.id] = 0 if previous not in (None, arrow.sign) else arrow.sign
    return votes, origins, kinds


def link_table(codebook: Codebook, evidence: Evidence, settings: Settings | None = None) -> pd.DataFrame:
    """One row per link with its sign, its distinct supporting and contradicting sources.

    Parameters
    ----------
    codebook : Codebook
    evidence : Evidence
    settings : Settings, optional
        Kind weights used for ``w_support``/``w_contradict`` and for the sign (default
        :class:`Settings`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LINK_COLUMNS`, sorted by (to, from, when, lag) so the table does not
        depend on the order the evidence was loaded in. ``sign`` is +1 or -1: the direction
        with the larger kind-weighted count of distinct sources (ties: +1).
    """
    settings = settings or Settings()
    weights = settings.kind_weights
    votes, _, kinds = _collect(evidence)
    rows = []
    for key, by_source in votes.items():
        source, target, when, lag, from_state, partner = key
        w_plus = sum(weights[kinds[s]] for s, v in by_source.items() if v == 1)
        w_minus = sum(weights[kinds[s]] for s, v in by_source.items() if v == -1)
        sign = 1 if w_plus >= w_minus else -1
        support = sorted((s for s, v in by_source.items() if v == sign), key=_ref_order)
        contra = sorted((s for s, v in by_source.items() if v != sign), key=_ref_order)
        row = {
            "from": source,
            "to": target,
            "sign": sign,
            "when_node": when[0] if when else None,
            "when_state": when[1] if when else None,
            "lag": lag,
            "from_state": from_state,
            "and_node": partner[0] if partner else None,
            "and_state": partner[1] if partner else None,
            "n_support": len(support),
            "n_contradict": len(contra),
            "w_support": float(sum(weights[kinds[s]] for s in support)),
            "w_contradict": float(sum(weights[kinds[s]] for s in contra)),
        }
        for k in SOURCE_KINDS:
            row[f"support_{k}"] = sum(kinds[s] == k for s in support)
            row[f"contradict_{k}"] = sum(kinds[s] == k for s in contra)
        row["support_ids"] = tuple(support)
        row["contradict_ids"] = tuple(contra)
        rows.append(row)
    order = {n: i for i, n in enumerate(codebook.ids)}
    rows.sort(
        key=lambda r: (
            order.get(r["to"], len(order)), r["to"], order.get(r["from"], len(order)), r["from"],
            r["when_node"] or "", r["when_state"] or "", r["lag"],
            r["from_state"] or "", r["and_node"] or "", r["and_state"] or "",
        )
    )
    for i, row in enumerate(rows):
        row["link"] = i
    table = pd.DataFrame(rows, columns=list(LINK_COLUMNS))
    table = table.astype({"link": "int64", "sign": "int64", "lag": "int64", "n_support": "int64",
                          "n_contradict": "int64"})
    return table.reset_index(drop=True)


def _ref_order(source_id: str) -> tuple[int, str]:
    digits = "".join(ch for ch in source_id if ch.isdigit())
    return (int(digits) if digits else 10**9, source_id)


def _same_time_edges(links: pd.DataFrame) -> Iterable[tuple[str, str, str]]:
    """(parent, child, role) of every lag-0 dependency, moderators and joint causes included."""
    partners = links["and_node"] if "and_node" in links else [None] * len(links)
    for parent, child, when_node, and_node, lag in zip(
        links["from"], links["to"], links["when_node"], partners, links["lag"], strict=True
    ):
        if lag != 0:
            continue
        yield (parent, child, "cause")
        if isinstance(and_node, str):
            yield (and_node, child, "cause")
        if isinstance(when_node, str):
            yield (when_node, child, "moderator")


def same_time_parents(codebook: Codebook, links: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Every codebook node's same-time parents (the causes and moderators of its lag-0 links),
    sorted by id: the parents :func:`build_dag` gives, without building the graph."""
    parents: dict[str, set[str]] = {node.id: set() for node in codebook}
    for parent, child, _ in _same_time_edges(links):
        parents.setdefault(child, set()).add(parent)
        parents.setdefault(parent, set())
    return {node: tuple(sorted(found)) for node, found in parents.items()}


def topological_order(parents: Mapping[str, Iterable[str]], codebook: Codebook) -> tuple[str, ...] | None:
    """The nodes in a topological order, ties broken by codebook order (the order networkx's
    ``lexicographical_topological_sort`` gives with the codebook rank as key), or None if the
    parents close a cycle."""
    rank = {n: i for i, n in enumerate(codebook.ids)}
    children: dict[str, list[str]] = {node: [] for node in parents}
    waiting = {node: 0 for node in parents}
    for node, pas in parents.items():
        for p in pas:
            children[p].append(node)
            waiting[node] += 1
    ready = [(rank.get(n, len(rank)), n) for n, k in waiting.items() if k == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, node = heapq.heappop(ready)
        order.append(node)
        for child in children[node]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (rank.get(child, len(rank)), child))
    return tuple(order) if len(order) == len(parents) else None


def build_dag(codebook: Codebook, links: pd.DataFrame) -> nx.DiGraph:
    """The same-time causal web as a networkx DiGraph.

    Every codebook node is a graph node (with its codebook fields as attributes); every
    lag-0 link adds an edge ``from -> to`` (and ``and_node -> to`` for a joint cause) and, when
    moderated, ``when_node -> to``. Edge
    attribute ``roles`` lists ``"cause"`` and/or ``"moderator"``. Lag-1 links are not edges.

    Raises
    ------
    CycleError
        When the lag-0 links close a cycle; see :func:`check_acyclic`.
    """
    import networkx as nx  # 0.1-0.2 s to import: only for those who ask for the graph

    graph = nx.DiGraph()
    for node in codebook:
        graph.add_node(node.id, **node.to_dict())
    for parent, child, role in _same_time_edges(links):
        if graph.has_edge(parent, child):
            roles = graph.edges[parent, child]["roles"]
            if role not in roles:
                roles.append(role)
        else:
            graph.add_edge(parent, child, roles=[role])
    check_acyclic(graph, links)
    return graph


def check_acyclic(graph: nx.DiGraph, links: pd.DataFrame) -> None:
    """Raise :class:`CycleError` naming the whole cycle if ``graph`` has one.

    The message lists the links that make each arrow of the cycle (written by
    :func:`link_name`, so a moderated link shows its ``[when m=s]``) with the sources behind
    them, and suggests the review's own remedy: stage one end (as initial trust precedes trust) or mark the
    feedback arrow ``lag: 1`` for the time-sliced model.
    """
    import networkx as nx

    try:
        cycle_edges = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    nodes = [u for u, _ in cycle_edges] + [cycle_edges[0][0]]
    parts = []
    weakest: tuple[int, str, str] | None = None
    for u, v in cycle_edges:
        parent = (links["from"] == u) | (links["when_node"] == u) | (links["and_node"] == u)
        both = links[parent & (links["to"] == v) & (links["lag"] == 0)]
        ids = sorted({s for r in both.itertuples() for s in r.support_ids + r.contradict_ids})
        names = [row_link_name(r) for r in both.to_dict(orient="records")] or [f"{u} -> {v}"]
        parts.append(f"{' and '.join(names)} ({', '.join(ids) or 'no source'})")
        if weakest is None or len(ids) < weakest[0]:
            weakest = (len(ids), u, v)
    assert weakest is not None
    raise CycleError(
        "these links close a cycle: "
        + "; ".join(parts)
        + f". A Bayesian network cannot hold a cycle: stage one end, as the review does with "
        f"initial trust (early) and trust (middle), or mark the feedback arrow "
        f"({weakest[1]} -> {weakest[2]}?) with 'lag: 1' so the time-sliced model carries it "
        "from one slice to the next",
        cycle=nodes,
        value=" -> ".join(nodes),
    )


def parents_of(graph: nx.DiGraph, node: str) -> tuple[str, ...]:
    """Parents of ``node`` in a stable order (sorted by id)."""
    return tuple(sorted(graph.predecessors(node)))


def arrow_origins(evidence: Evidence, arrow_key: tuple) -> list[tuple[str, str, int | None]]:
    """(source id, path, line) of every CMOC stating the link ``arrow_key``."""
    _, origins, _ = _collect(evidence)
    return [(o.source_id, o.path, o.line) for o in origins.get(arrow_key, [])]


def locate_cycle(exc: CycleError, evidence: Evidence) -> CycleError:
    """Return ``exc`` with path/line of the first CMOC that states an arrow of its cycle."""
    _, origins, _ = _collect(evidence)
    pairs = set(zip(exc.cycle, exc.cycle[1:], strict=False))
    for key, found in sorted(origins.items(), key=lambda kv: str(kv[0])):
        source, target, when, lag, _, partner = key
        parents = {source} | {m[0] for m in (when, partner) if m}
        if lag == 0 and any((p, target) in pairs for p in parents):
            first = found[0]
            return CycleError(exc.reason, cycle=exc.cycle, path=first.path, line=first.line,
                              field="cmocs", value=exc.value)
    return exc

