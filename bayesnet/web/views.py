"""What each part of the page shows, as JSON-ready data, from the library's own functions.

Every number comes from the functions a Python user and the command line call:
:func:`bayesnet.inference.queries.answer_query` (what :func:`bayesnet.query` does with a
resolved question), :func:`bayesnet.contrast` (the paired contrast with the starting
situation), :func:`bayesnet.tornado` and :func:`bayesnet.levers`; labels, definitions and
stages come from the codebook, and sources from the evidence files. Nothing is rounded
here: the page rounds where it prints.

Pure: no I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from bayesnet.analysis.lever_search import levers
from bayesnet.analysis.one_way import tornado
from bayesnet.build.graph import row_link_name
from bayesnet.defaults import DEFAULT_TARGET
from bayesnet.errors import QueryError, closest
from bayesnet.inference.comparison import contrast
from bayesnet.inference.queries import answer_query
from bayesnet.inference.results import plain
from bayesnet.inputs.codebook import STAGES

if TYPE_CHECKING:
    from bayesnet.build.model import Model
    from bayesnet.inference.posteriors import Posterior
    from bayesnet.inputs.evidence import Source
    from bayesnet.web.urlstate import WhatIf

__all__ = [
    "LEVER_ROWS",
    "TORNADO_ROWS",
    "analysis_view",
    "answer_view",
    "model_view",
    "node_view",
]

TORNADO_ROWS = 12
"""Contexts the page lists by swing."""
LEVER_ROWS = 10
"""Levers the page lists (more when the last is tied with the next)."""
STAGE_TITLES = {
    "early": "Early stage: forming the collaboration",
    "middle": "Middle stage: working together",
    "atemporal": "At any stage",
    "performance": "Performance",
}
"""Headings of the review's stages (its Results sections), as the page shows them."""


def model_view(model: Model, post: Posterior) -> dict[str, Any]:
    """What the controls need: nodes (contexts grouped by stage, levers apart from givens),
    presets with their description and sentences, and the posterior's settings."""
    nodes = [{**n.to_dict(), "role": n.role} for n in model.codebook]
    groups = []
    for stage in STAGES:
        contexts = [n for n in model.codebook.of_kind("context") if n.stage == stage]
        if contexts:
            groups.append({"stage": stage, "title": STAGE_TITLES.get(stage, stage),
                           "levers": [n.id for n in contexts if n.modifiable],
                           "givens": [n.id for n in contexts if not n.modifiable]})
    presets = [{"id": s.id, "label": s.label, "description": s.description,
                "values": [{"node": v.node, "label": model.codebook[v.node].label, "state": v.state,
                            "basis": v.basis, "section": v.section} for v in s.values]}
               for s in model.scenarios]
    default = DEFAULT_TARGET if DEFAULT_TARGET in model.codebook else model.codebook.ids[0]
    return {"model": model.name, "nodes": nodes, "stages": groups, "presets": presets, "default_target": default,
            "draws": post.n_draws, "seed": post.seed, "hdi_prob": post.hdi_prob}


def answer_view(whatif: WhatIf, model: Model, post: Posterior) -> dict[str, Any]:
    """The target's distribution in the situation, and the paired contrast with the start.

    The start is the same target under the preset alone (or nothing, without a preset); the
    contrast is :func:`bayesnet.contrast` of the two over the same draws. None when the
    situation is the start.
    """
    q = whatif.question(model)
    result = answer_query(q, post)
    interval = result.interval
    assert interval is not None
    states = [{"state": s, "probability": float(result.distribution[s]), "low": float(interval.at[s, "low"]),
               "high": float(interval.at[s, "high"]), "network": float(result.point[i])}
              for i, s in enumerate(result.states)]
    shown = next(row for row in states if row["state"] == q.state)
    node = model.codebook[q.target]
    out: dict[str, Any] = {
        "query": whatif.query_string(), "target": q.target, "label": node.label, "state": q.state,
        "probability": shown["probability"], "low": shown["low"], "high": shown["high"], "states": states,
        "situation": q.situation.describe(), "question": q.describe(), "hdi_prob": post.hdi_prob,
        "draws": post.n_draws, "seed": post.seed,
        "given": dict(q.situation.given), "do": dict(q.situation.do),
        "overridden": {k: {"preset": a, "now": b} for k, (a, b) in q.situation.overridden.items()},
        "contrast": None,
    }
    start = whatif.start()
    if start.key != whatif.key:
        comparison = contrast([q, start.question(model)], post, names=["now", "start"], baseline=1)
        row = comparison.contrasts.iloc[0]
        base = comparison.situations.loc["start"]
        out["contrast"] = {
            "start": start.query_string(), "start_probability": float(base["probability"]),
            "start_low": float(base["low"]), "start_high": float(base["high"]),
            "difference": float(row["difference"]), "low": float(row["low"]), "high": float(row["high"]),
            "p_higher": float(row["p_higher"]),
        }
    return plain(out)


def analysis_view(whatif: WhatIf, model: Model, post: Posterior) -> dict[str, Any]:
    """The top levers from here and the contexts that matter most (the tornado).

    :func:`bayesnet.tornado` sweeps the contexts the situation leaves free; :func:`bayesnet.levers`
    (one lever at a time, reusing that tornado) ranks the modifiable ones by their paired
    gain over the draws, with P(best) and ties.
    """
    q = whatif.question(model)
    t = tornado(q, post)
    lv = levers(q, post, k=1, tornado_result=t)
    codebook = model.codebook
    written = {f"{n.id}={s}": (n.id, s) for n in codebook.of_kind("context") for s in n.states}
    sets = lv.sets
    if len(sets) > LEVER_ROWS:
        last = sets["rank"].iloc[LEVER_ROWS - 1]
        sets = sets[(sets.index < LEVER_ROWS) | (sets["rank"] == last)]
    lever_rows = []
    for r in sets.itertuples(index=False):
        if str(r.levers) not in written:  # no lever left free: the one "set" is the empty one
            continue
        node_id, state = written[str(r.levers)]
        lever_rows.append({"rank": int(r.rank), "lever": node_id, "label": codebook[node_id].label,
                           "state": state, "probability": r.probability, "gain": r.gain, "low": r.low,
                           "high": r.high, "p_improves": r.p_improves, "p_best": r.p_best, "tied": bool(r.tied)})
    frame = t.frame.head(TORNADO_ROWS)
    tornado_rows = [{"node": node, **{k: row[k] for k in (
        "label", "role", "low_state", "high_state", "p_low_state", "p_high_state", "swing", "swing_low",
        "swing_high", "p_same_direction")}} for node, row in frame.iterrows()]
    base = t.baseline
    return plain({
        "query": whatif.query_string(), "target": q.target, "state": q.state, "hdi_prob": post.hdi_prob,
        "draws": post.n_draws, "baseline": {k: float(base[k]) for k in ("probability", "low", "high")},
        "levers": lever_rows, "levers_free": len(lv.singles), "method": lv.method,
        "tornado": tornado_rows, "swept": len(t.frame),
    })


def _quotes(source: Source, key: tuple[Any, ...]) -> list[dict[str, str]]:
    """The CMOCs of ``source`` that state the link ``key``: the review's quote and section."""
    out = []
    for cmoc in source.cmocs:
        if any(arrow.key == key for arrow in cmoc.arrows()):
            entry = {"quote": cmoc.quote, "section": cmoc.section}
            if entry not in out:
                out.append(entry)
    return out


def _link(model: Model, row: pd.Series) -> dict[str, Any]:
    when_node = row["when_node"] if isinstance(row["when_node"], str) else None
    when_state = row["when_state"] if isinstance(row["when_state"], str) else None
    lag = int(row["lag"])
    from_state, and_node, and_state = (row.get(c) if isinstance(row.get(c), str) else None
                                       for c in ("from_state", "and_node", "and_state"))
    key = (row["from"], row["to"], (when_node, when_state) if when_node else None, lag, from_state,
           (and_node, and_state) if and_node else None)
    sources = []
    for side, ids in (("supports", row["support_ids"]), ("contradicts", row["contradict_ids"])):
        for sid in ids:
            src = model.evidence.get(sid)
            if src is None:
                continue
            sources.append({"id": sid, "side": side, "short": model.citations[sid].short, "citation": src.citation,
                            "kind": src.kind, "year": src.year, "quotes": _quotes(src, key)})
    return {"link": int(row["link"]), "name": row_link_name(row),
            "from": row["from"], "to": row["to"], "sign": int(row["sign"]), "when_node": when_node,
            "when_state": when_state, "lag": lag, "from_state": from_state, "and_node": and_node,
            "and_state": and_state, "n_support": int(row["n_support"]),
            "n_contradict": int(row["n_contradict"]), "sources": sources}


def node_view(model: Model, node_id: str) -> dict[str, Any]:
    """A node's definition and the links into and out of it, each with the sources behind it
    (short citation, full citation and the review's quote)."""
    if node_id not in model.codebook:
        raise QueryError(f"unknown node {node_id!r}", suggestions=closest(node_id, model.codebook.ids))
    node = model.codebook[node_id]
    links = model.links
    into = links[links["to"] == node_id]
    out_of = links[(links["from"] == node_id) | (links["when_node"] == node_id)  # a moderator acts too
                   | (links["and_node"] == node_id)]  # and so does a joint cause
    return plain({**node.to_dict(), "role": node.role,
                  "links_in": [_link(model, r) for _, r in into.iterrows()],
                  "links_out": [_link(model, r) for _, r in out_of.iterrows()]})
