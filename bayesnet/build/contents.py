"""A plain-data summary of what a model holds: nodes, links, sources, scenarios."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bayesnet.build.graph import row_link_name

if TYPE_CHECKING:
    from bayesnet.build.model import Model

__all__ = ["summary"]


def summary(model: Model, *, top: int = 10) -> dict[str, Any]:
    """Counts of nodes, links, sources and CMOCs, and the best-supported links.

    Parameters
    ----------
    model : Model
    top : int
        How many best-supported links to list.

    Returns
    -------
    dict
        JSON-ready. Each of ``top_links`` carries its id (``link``, as in ``model.links``)
        and its written form by ids (``name``) and labels (``label``), as
        :func:`~bayesnet.build.graph.link_name` writes it.
    """
    links = model.links
    kinds = [n.kind for n in model.codebook]
    sources = list(model.evidence)
    included = [s for s in sources if s.kind == "included_study"]
    best = links.sort_values(["n_support", "w_support"], ascending=False, kind="stable").head(top)
    return {
        "model": str(model.root) if model.root else "in memory",
        "nodes": {
            "total": len(model.codebook),
            "by_kind": {k: kinds.count(k) for k in ("context", "mechanism", "outcome")},
            "modifiable_contexts": sum(1 for n in model.codebook if n.modifiable),
        },
        "links": {
            "same_time": int((links["lag"] == 0).sum()),
            "feedback": int((links["lag"] > 0).sum()),
            "with_2_or_more_sources": int((links["n_support"] >= 2).sum()),
            "moderated": int(links["when_node"].notna().sum()),
            "inhibiting": int((links["sign"] < 0).sum()),
        },
        "sources": {
            "total": len(sources),
            "included_studies": len(included),
            "included_with_cmocs": sum(1 for s in included if s.cmocs),
            "included_without_cmocs": sum(1 for s in included if not s.cmocs),
            "supporting_sources": sum(1 for s in sources if s.kind == "supporting_source"),
            "review_synthesis": sum(1 for s in sources if s.kind == "review_synthesis"),
        },
        "cmocs": sum(len(s.cmocs) for s in sources),
        "top_links": [
            {
                "link": int(r["link"]), "name": _name(r), "label": _name(r, model.labels),
                "from": r["from"], "to": r["to"], "sign": int(r["sign"]),
                "when": {r["when_node"]: r["when_state"]} if isinstance(r["when_node"], str) else None,
                "lag": int(r["lag"]), "n_support": int(r["n_support"]), "support_ids": list(r["support_ids"]),
            }
            for r in best.to_dict(orient="records")
        ],
        "scenarios": list(model.scenarios.ids),
    }


def _name(row: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str:
    return row_link_name(row, labels=labels)
